// SPDX-License-Identifier: MIT
/*
 * struct sim_metrics through a pipe between a parent and the children it
 * forked (oversub -j N): a small binary form in host byte order, read back
 * bit for bit, so parallel runs report exactly what -j 1 reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define WIRE_MAGIC 0x4d53564fu /* "OVSM" */
#define WIRE_VERSION 3u
#define WIRE_MAX_TASKS (1u << 20)
#define WIRE_MAX_VMS (1u << 20)
#define WIRE_MAX_VCPUS (1u << 16)

struct wire_vm {
	char name[80];
	u32 vcpus;
	u32 pad;
	u64 shares;
	u64 ops;
	double throughput;
	u64 cpu_ns;
	struct guest_metrics guest;
};

struct wire_head {
	u32 magic, version;
	u64 duration_ns;
	u32 nr_cpus, nr_vms;
	u32 nr_tasks, pad;
	struct host_metrics host;
};

static bool put(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static bool get(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n;
}

int metrics_write(FILE *f, const struct sim_metrics *m)
{
	struct wire_head h;
	bool ok;

	memset(&h, 0, sizeof(h));
	h.magic = WIRE_MAGIC;
	h.version = WIRE_VERSION;
	h.duration_ns = m->duration_ns;
	h.nr_cpus = m->nr_cpus;
	h.nr_vms = m->nr_vms;
	h.nr_tasks = m->nr_tasks;
	h.host = m->host;
	ok = put(f, &h, sizeof(h));
	for (unsigned int t = 0; ok && t < m->nr_tasks; t++)
		ok = put(f, &m->tasks[t], sizeof(m->tasks[t]));
	for (unsigned int v = 0; ok && v < m->nr_vms; v++) {
		const struct vm_metrics *vm = &m->vms[v];
		struct wire_vm w;

		memset(&w, 0, sizeof(w));
		memcpy(w.name, vm->name, sizeof(w.name));
		w.name[sizeof(w.name) - 1] = '\0';
		w.vcpus = vm->vcpus;
		w.shares = vm->shares;
		w.ops = vm->ops;
		w.throughput = vm->throughput;
		w.cpu_ns = vm->cpu_ns;
		w.guest = vm->guest;
		ok = put(f, &w, sizeof(w));
		for (unsigned int c = 0; ok && c < vm->vcpus; c++) {
			static const struct vcpu_metrics zero;

			ok = put(f, vm->vcpu ? &vm->vcpu[c] : &zero,
				 sizeof(zero));
		}
	}
	if (!ok || fflush(f))
		return -EIO;
	return 0;
}

static int read_vm(FILE *f, struct vm_metrics *vm)
{
	struct wire_vm w;

	if (!get(f, &w, sizeof(w)) || w.vcpus > WIRE_MAX_VCPUS ||
	    memchr(w.name, '\0', sizeof(w.name)) == NULL)
		return -EIO;
	memcpy(vm->name, w.name, sizeof(vm->name));
	vm->vcpus = w.vcpus;
	vm->shares = (unsigned long)w.shares;
	vm->ops = w.ops;
	vm->throughput = w.throughput;
	vm->cpu_ns = w.cpu_ns;
	vm->guest = w.guest;
	vm->vcpu = calloc(w.vcpus ? w.vcpus : 1, sizeof(*vm->vcpu));
	if (!vm->vcpu)
		return -ENOMEM;
	if (w.vcpus && !get(f, vm->vcpu, w.vcpus * sizeof(*vm->vcpu)))
		return -EIO;
	return 0;
}

int metrics_read(FILE *f, struct sim_metrics *m)
{
	struct wire_head h;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (!get(f, &h, sizeof(h)) || h.magic != WIRE_MAGIC ||
	    h.version != WIRE_VERSION || h.nr_vms > WIRE_MAX_VMS ||
	    h.nr_tasks > WIRE_MAX_TASKS)
		return -EIO;
	m->duration_ns = h.duration_ns;
	m->nr_cpus = h.nr_cpus;
	m->host = h.host;
	m->tasks = calloc(h.nr_tasks + 1, sizeof(*m->tasks));
	if (!m->tasks)
		return -ENOMEM;
	m->nr_tasks = h.nr_tasks;
	if (h.nr_tasks && !get(f, m->tasks, h.nr_tasks * sizeof(*m->tasks))) {
		sim_metrics_free(m);
		return -EIO;
	}
	for (unsigned int t = 0; t < h.nr_tasks; t++)
		if (!memchr(m->tasks[t].name, '\0', sizeof(m->tasks[t].name))) {
			sim_metrics_free(m);
			return -EIO;
		}
	m->vms = calloc(h.nr_vms ? h.nr_vms : 1, sizeof(*m->vms));
	if (!m->vms) {
		sim_metrics_free(m);
		return -ENOMEM;
	}
	/* nr_vms counts the VMs read so far, for sim_metrics_free. */
	for (unsigned int v = 0; v < h.nr_vms && !ret; v++) {
		ret = read_vm(f, &m->vms[v]);
		m->nr_vms = v + 1;
	}
	if (ret)
		sim_metrics_free(m);
	return ret;
}
