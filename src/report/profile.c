// SPDX-License-Identifier: MIT
/*
 * The profile of a simulated VM in the terms a real program is profiled
 * in on this machine (validation/lib/measure.py, docs/validation.md):
 * throughput in the real program's unit, where its vCPUs' time goes as
 * the guest's /proc/stat would split it, and context switches, IPIs, TLB
 * shootdowns and lock contentions per operation.
 *
 * The guest's view of time: user mode is the compute steps outside the
 * kernel; system is kernel steps, handlers, guest switches, spinning,
 * waits for IPIs and the host's exits (they happen in the kernel: IPI and
 * EOI writes, PLE, HLT); idle is halted or halt-polling; steal is
 * runnable on the host but not running.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "workload/workload.h"

#define JSON_FLAGS (JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(8))

static const char *const count_keys[PROFILE_NR_COUNTS] = {
	[PC_CS_VOLUNTARY] = "cs_voluntary",
	[PC_CS_INVOLUNTARY] = "cs_involuntary",
	[PC_IPI_RES] = "ipi_res",
	[PC_IPI_CAL] = "ipi_cal",
	[PC_IPI_TLB] = "ipi_tlb",
	[PC_TLB_SHOOTDOWNS] = "tlb_shootdowns",
	[PC_LOCK_CONTENTIONS] = "lock_contentions",
};

static void guest_counts(const struct guest_metrics *g, double *c)
{
	c[PC_CS_VOLUNTARY] = (double)g->nvcsw;
	c[PC_CS_INVOLUNTARY] = (double)g->nivcsw;
	c[PC_IPI_RES] = (double)g->ipi_res;
	c[PC_IPI_CAL] = (double)g->ipi_cal;
	c[PC_IPI_TLB] = (double)g->ipi_tlb;
	c[PC_TLB_SHOOTDOWNS] = (double)g->tlb_shootdowns;
	c[PC_LOCK_CONTENTIONS] = (double)g->contentions;
}

int profile_compute(const struct sim_metrics *runs, unsigned int nr_runs,
		    unsigned int vm, const struct vm_config *cfg,
		    struct profile *out)
{
	double t[VT_NR] = { 0 }, all = 0, user = 0, wait_ns = 0;
	double counts[PROFILE_NR_COUNTS] = { 0 }, secs = 0, passes = 0;
	double per_unit = cfg->wl->unit_passes ?
				  cfg->wl->unit_passes(cfg->wl_params) :
				  1.0;

	memset(out, 0, sizeof(*out));
	if (!nr_runs || per_unit <= 0)
		return -EINVAL;
	for (unsigned int r = 0; r < nr_runs; r++) {
		const struct vm_metrics *m;
		double c[PROFILE_NR_COUNTS];

		if (vm >= runs[r].nr_vms)
			return -EINVAL;
		m = &runs[r].vms[vm];
		vm_time_add(m, t);
		user += (double)m->guest.user_ns;
		wait_ns += (double)m->guest.contention_ns;
		guest_counts(&m->guest, c);
		for (int k = 0; k < PROFILE_NR_COUNTS; k++)
			counts[k] += c[k];
		passes += (double)m->ops;
		secs += (double)runs[r].duration_ns / 1e9;
	}
	for (int k = 0; k < VT_NR; k++)
		all += t[k];
	if (all <= 0 || secs <= 0)
		return -EINVAL;
	out->workload = cfg->wl->name;
	out->unit = cfg->wl->unit;
	out->threads = runs[0].vms[vm].vcpus;
	out->seconds = secs / nr_runs;
	out->ops = passes / per_unit / nr_runs;
	out->ops_per_s = passes / per_unit / secs;
	out->user_pct = 100.0 * user / all;
	out->idle_pct = 100.0 * (t[VT_HALTED] + t[VT_POLL]) / all;
	out->steal_pct = 100.0 * t[VT_STEAL] / all;
	out->system_pct =
		100.0 - out->user_pct - out->idle_pct - out->steal_pct;
	out->busy_pct = out->user_pct + out->system_pct;
	for (int k = 0; k < PROFILE_NR_COUNTS; k++) {
		out->per_op[k] =
			out->ops > 0 ? counts[k] / (out->ops * nr_runs) : 0;
		out->per_s[k] = counts[k] / secs;
	}
	out->mean_wait_us =
		counts[PC_LOCK_CONTENTIONS] > 0 ?
			wait_ns / counts[PC_LOCK_CONTENTIONS] / 1000.0 :
			0;
	return 0;
}

void profile_print_text(FILE *f, const char *name, const struct profile *p)
{
	fprintf(f, "%s: %s, %u vCPUs, %.3f s measured per run\n", name,
		p->workload, p->threads, p->seconds);
	fprintf(f, "  throughput       %.1f %ss/s (%.0f %ss per run)\n",
		p->ops_per_s, p->unit, p->ops, p->unit);
	fprintf(f,
		"  vCPU time        user %.1f%%  system %.1f%%  idle %.1f%%  "
		"steal %.1f%%  (busy %.1f%%)\n",
		p->user_pct, p->system_pct, p->idle_pct, p->steal_pct,
		p->busy_pct);
	fprintf(f, "  %-20s %12s %12s\n", "", "per op", "per s");
	for (int k = 0; k < PROFILE_NR_COUNTS; k++)
		fprintf(f, "  %-20s %12.4f %12.1f\n", count_keys[k],
			p->per_op[k], p->per_s[k]);
	fprintf(f, "  lock wait          %.2f us mean\n", p->mean_wait_us);
}

/* json_object_set_new, which takes @v's reference even when it fails;
 * a failure is remembered in @ok */
static void jset(json_t *o, const char *key, json_t *v, bool *ok)
{
	if (!o || !v) {
		json_decref(v);
		*ok = false;
		return;
	}
	if (json_object_set_new(o, key, v))
		*ok = false;
}

json_t *profile_json(const char *scenario, const struct profile *p)
{
	json_t *o = json_object(), *cpu = json_object(),
	       *per_op = json_object(), *per_s = json_object(),
	       *locks = json_object();
	bool ok = true;

	for (int k = 0; k < PROFILE_NR_COUNTS; k++) {
		jset(per_op, count_keys[k], json_real(p->per_op[k]), &ok);
		jset(per_s, count_keys[k], json_real(p->per_s[k]), &ok);
	}
	jset(cpu, "user", json_real(p->user_pct), &ok);
	jset(cpu, "system", json_real(p->system_pct), &ok);
	jset(cpu, "idle", json_real(p->idle_pct), &ok);
	jset(cpu, "steal", json_real(p->steal_pct), &ok);
	jset(locks, "contentions_per_op",
	     json_real(p->per_op[PC_LOCK_CONTENTIONS]), &ok);
	jset(locks, "mean_wait_us", json_real(p->mean_wait_us), &ok);
	jset(o, "source", json_string("model"), &ok);
	jset(o, "scenario", json_string(scenario), &ok);
	jset(o, "workload", json_string(p->workload), &ok);
	jset(o, "unit", json_string(p->unit), &ok);
	jset(o, "threads", json_integer(p->threads), &ok);
	jset(o, "seconds", json_real(p->seconds), &ok);
	jset(o, "ops", json_real(p->ops), &ok);
	jset(o, "ops_per_s", json_real(p->ops_per_s), &ok);
	jset(o, "user_pct", json_real(p->user_pct), &ok);
	jset(o, "kernel_pct", json_real(p->system_pct), &ok);
	jset(o, "busy_pct", json_real(p->busy_pct), &ok);
	jset(o, "cpu_pct", cpu, &ok);
	jset(o, "per_op", per_op, &ok);
	jset(o, "per_s", per_s, &ok);
	jset(o, "locks", locks, &ok);
	if (ok)
		return o;
	json_decref(o);
	return NULL;
}

int profile_json_dump(FILE *f, const json_t *j)
{
	if (json_dumpf(j, f, JSON_FLAGS) || fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}
