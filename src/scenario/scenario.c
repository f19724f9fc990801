// SPDX-License-Identifier: MIT
/*
 * Scenario files (docs/scenario.md). inih splits "key = value" lines; a line
 * reader in front of it counts lines (this inih has no line numbers in its
 * handler), drops comments, handles the [section] headers itself (inih would
 * truncate long section names and cannot see empty sections) and checks the
 * line syntax, so every error knows its line. Parsing stops at the first
 * error; values in a [vm] section that name workload parameters wait for
 * the section's `workload` key, and [policy] is applied preset first.
 */
#include "scenario/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmsg.h"
#include "scenario/policy.h"
#include "scenario/table.h"
#include "scenario/units.h"

#define VM_NAME_MAX 48
#define VM_MAX_COUNT 4096
#define DEFAULT_DURATION_NS NSEC_PER_SEC
#define DEFAULT_WARMUP_NS (100 * NSEC_PER_MSEC)
#define MAX_RUN_NS (3600 * NSEC_PER_SEC)

enum section {
	SEC_NONE,
	SEC_HOST,
	SEC_VM,
	SEC_POLICY,
	SEC_RUN,
	SEC_TABLE,
	SEC_TASK,
	SEC_SWEEP,
};

/* A key seen in the current section, or a value kept for later. */
struct entry {
	char *key;
	char *value; /* NULL when only the key is kept */
	int line;
};

struct entries {
	struct entry *v;
	size_t nr, cap;
};

/* Where things were set, for the checks at the end of the file. */
struct vm_lines {
	int header, vcpus, pin;
	int count, workload; /* a [table] template may set neither */
	bool no_workload; /* fine only in a [table] template */
};

struct parser {
	const char *file;
	char *err;
	size_t errlen;
	bool failed;

	/* the reader */
	const char *text;
	size_t pos, len;
	int line;

	enum section sec;
	int sec_line;
	char sec_title[80]; /* "[vm web]", for messages */
	struct entries keys; /* keys of the current section */

	int host_line, policy_line, run_line, table_line; /* 0: not seen */
	struct scenario_where *where; /* every header and key, in order */
	unsigned int nr_where, cap_where;
	struct host_config host;
	int tick_line, hz_line, llc_line;

	struct vm_config *vms;
	struct vm_lines *vm_lines;
	unsigned int nr_vms, cap_vms;
	struct task_config *tasks;
	int *task_header, *task_cpu_line, *task_yield_line;
	unsigned int nr_tasks;
	struct entries params; /* current [vm]: params before `workload` */
	int workload_line;

	char preset[32];
	int preset_line;
	struct entries knobs; /* [policy] knobs, applied after the preset */

	u64 duration_ns, warmup_ns;
	u64 *seeds;
	unsigned int nr_seeds;
	int seed_line, seeds_line;

	struct table_parser table; /* [table], when table_line */
	int sweep_line;
	struct entries sweep; /* [sweep], kept for scenario/sweep.c */

	/* scenario_parse_with: values put in place of the file's */
	const struct scenario_set *sets;
	unsigned int nr_sets;
	bool *set_used;
	const char *origin; /* the set being applied: messages name it */
};

static int __attribute__((format(printf, 3, 4)))
perr_at(struct parser *ps, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (ps->failed)
		return -EINVAL; /* keep the first error */
	ps->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen) {
		if (ps->origin)
			snprintf(ps->err, ps->errlen, "%s: %s", ps->origin,
				 msg);
		else if (line > 0)
			snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->file,
				 line, msg);
		else
			snprintf(ps->err, ps->errlen, "%s: %s", ps->file, msg);
	}
	return -EINVAL;
}

#define perr(ps, ...) perr_at(ps, (ps)->line, __VA_ARGS__)

static void entries_free(struct entries *e)
{
	for (size_t i = 0; i < e->nr; i++) {
		free(e->v[i].key);
		free(e->v[i].value);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static int entries_add(struct parser *ps, struct entries *e, const char *key,
		       const char *value)
{
	struct entry n = { .line = ps->line };

	if (e->nr == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct entry *v = realloc(e->v, cap * sizeof(*v));

		if (!v)
			return perr(ps, "out of memory");
		e->v = v;
		e->cap = cap;
	}
	n.key = strdup(key);
	n.value = value ? strdup(value) : NULL;
	if (!n.key || (value && !n.value)) {
		free(n.key);
		free(n.value);
		return perr(ps, "out of memory");
	}
	e->v[e->nr++] = n;
	return 0;
}

static const struct entry *entries_find(const struct entries *e,
					const char *key)
{
	for (size_t i = 0; i < e->nr; i++)
		if (!strcmp(e->v[i].key, key))
			return &e->v[i];
	return NULL;
}

/* ---- values ---------------------------------------------------------- */

static int get_uint(struct parser *ps, const char *key, const char *value,
		    u64 min, u64 max, u64 *out)
{
	u64 v;

	if (parse_u64(value, &v))
		return perr(ps, "%s: must be an integer %llu..%llu, got '%s'",
			    key, (unsigned long long)min,
			    (unsigned long long)max, value);
	if (v < min || v > max)
		return perr(ps, "%s: must be %llu..%llu, got %s", key,
			    (unsigned long long)min, (unsigned long long)max,
			    value);
	*out = v;
	return 0;
}

static bool ends_in_digit(const char *s)
{
	size_t n = strlen(s);

	return n && isdigit((unsigned char)s[n - 1]);
}

/* Durations need a unit here (a bare number is only accepted for 0). */
static int get_duration(struct parser *ps, const char *key, const char *value,
			u64 min, u64 max, u64 *out)
{
	char lo[32], hi[32];
	u64 v;
	int ret = parse_duration_ns(value, &v);

	format_duration(lo, sizeof(lo), min);
	format_duration(hi, sizeof(hi), max);
	if (!ret && v && ends_in_digit(value))
		ret = -EINVAL;
	if (ret)
		return perr(ps,
			    "%s: must be a duration %s..%s with a unit "
			    "(ns, us, ms, s), got '%s'",
			    key, lo, hi, value);
	if (v < min || v > max)
		return perr(ps, "%s: must be %s..%s, got %s", key, lo, hi,
			    value);
	*out = v;
	return 0;
}

static int get_bool(struct parser *ps, const char *key, const char *value,
		    bool *out)
{
	if (parse_bool(value, out))
		return perr(ps,
			    "%s: must be a boolean (0/1, true/false, on/off, "
			    "yes/no), got '%s'",
			    key, value);
	return 0;
}

#define FREQ_MIN_KHZ 1000ULL /* 1 MHz */
#define FREQ_MAX_KHZ 100000000ULL /* 100 GHz */

/* A frequency with a unit, or a bare number of GHz (the key says GHz). */
static int get_freq(struct parser *ps, const char *key, const char *value,
		    u64 *out)
{
	char lo[32], hi[32], buf[64];
	u64 v;
	int ret = parse_freq_khz(value, &v);

	if (ret == -EINVAL && ends_in_digit(value) &&
	    strlen(value) + 4 < sizeof(buf)) {
		snprintf(buf, sizeof(buf), "%sGHz", value);
		ret = parse_freq_khz(buf, &v);
	}
	format_freq(lo, sizeof(lo), FREQ_MIN_KHZ);
	format_freq(hi, sizeof(hi), FREQ_MAX_KHZ);
	if (ret)
		return perr(ps,
			    "%s: must be a frequency %s..%s (e.g. 2.5GHz, "
			    "2500MHz), got '%s'",
			    key, lo, hi, value);
	if (v < FREQ_MIN_KHZ || v > FREQ_MAX_KHZ)
		return perr(ps, "%s: must be %s..%s, got %s", key, lo, hi,
			    value);
	*out = v;
	return 0;
}

/* ---- [host] ---------------------------------------------------------- */

static const char host_keys[] =
	"cpus, ghz, tick, hz, base_slice, llc, balance, migration_cost, "
	"newidle_cost, exit_cost, ctx_switch, wakeup_latency, ipi_latency, pause_cycles, "
	"machine_slice, vcpu_cgroups, noise, noise_run, noise_sleep";

static int host_key(struct parser *ps, const char *key, const char *value)
{
	struct host_config *h = &ps->host;
	u64 v = 0; /* get_* leave it unset on error */
	int ret;

	if (!strcmp(key, "cpus")) {
		ret = get_uint(ps, key, value, 1, 65536, &v);
		h->cpus = (unsigned int)v;
	} else if (!strcmp(key, "ghz")) {
		ret = get_freq(ps, key, value, &h->khz);
	} else if (!strcmp(key, "tick") || !strcmp(key, "hz")) {
		int other = key[0] == 't' ? ps->hz_line : ps->tick_line;

		if (other)
			return perr(ps,
				    "%s: give tick or hz, not both (%s at "
				    "line %d)",
				    key, key[0] == 't' ? "hz" : "tick", other);
		if (key[0] == 't') {
			ps->tick_line = ps->line;
			ret = get_duration(ps, key, value, 100 * NSEC_PER_USEC,
					   NSEC_PER_SEC, &h->tick_ns);
		} else {
			ps->hz_line = ps->line;
			ret = get_uint(ps, key, value, 1, 10000, &v);
			if (!ret)
				h->tick_ns = NSEC_PER_SEC / v;
		}
	} else if (!strcmp(key, "base_slice")) {
		ret = get_duration(ps, key, value, 100 * NSEC_PER_USEC,
				   100 * NSEC_PER_MSEC, &h->base_slice_ns);
	} else if (!strcmp(key, "llc")) {
		ps->llc_line = ps->line;
		ret = get_uint(ps, key, value, 0, 65536, &v);
		h->llc_size = (unsigned int)v;
	} else if (!strcmp(key, "balance")) {
		ret = get_bool(ps, key, value, &h->balance);
	} else if (!strcmp(key, "migration_cost")) {
		ret = get_duration(ps, key, value, 0, NSEC_PER_SEC,
				   &h->migration_cost_ns);
	} else if (!strcmp(key, "newidle_cost")) {
		ret = get_duration(ps, key, value, 0, NSEC_PER_MSEC,
				   &h->newidle_cost_ns);
	} else if (!strcmp(key, "exit_cost")) {
		ret = get_duration(ps, key, value, 0, NSEC_PER_MSEC,
				   &h->exit_cost_ns);
	} else if (!strcmp(key, "ctx_switch")) {
		ret = get_duration(ps, key, value, 0, NSEC_PER_MSEC,
				   &h->ctx_switch_ns);
	} else if (!strcmp(key, "wakeup_latency")) {
		ret = get_duration(ps, key, value, 0, 10 * NSEC_PER_MSEC,
				   &h->wakeup_latency_ns);
	} else if (!strcmp(key, "ipi_latency")) {
		ret = get_duration(ps, key, value, 0, NSEC_PER_MSEC,
				   &h->ipi_latency_ns);
	} else if (!strcmp(key, "pause_cycles")) {
		ret = get_uint(ps, key, value, 1, 10000, &v);
		h->pause_cycles = (unsigned int)v;
	} else if (!strcmp(key, "machine_slice")) {
		ret = get_bool(ps, key, value, &h->machine_slice);
	} else if (!strcmp(key, "vcpu_cgroups")) {
		ret = get_bool(ps, key, value, &h->vcpu_cgroups);
	} else if (!strcmp(key, "noise")) {
		ret = get_uint(ps, key, value, 0, 65536, &v);
		h->noise = (unsigned int)v;
	} else if (!strcmp(key, "noise_run")) {
		ret = get_duration(ps, key, value, NSEC_PER_USEC,
				   10 * NSEC_PER_SEC, &h->noise_run_ns);
	} else if (!strcmp(key, "noise_sleep")) {
		ret = get_duration(ps, key, value, 0, 10 * NSEC_PER_SEC,
				   &h->noise_sleep_ns);
	} else {
		return perr(ps, "%s: unknown key in [host]; accepted: %s", key,
			    host_keys);
	}
	return ret;
}

/* ---- [vm NAME] ------------------------------------------------------- */

static struct vm_config *cur_vm(struct parser *ps)
{
	return &ps->vms[ps->nr_vms - 1];
}

/* "compute, spinlock": the registry's names. */
static void workload_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nr_workloads && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 workloads[i]->name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* "work, hold, locks": @wl's parameter names. */
static void param_names(const struct workload *wl, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < wl->nr_params && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 wl->params[i].name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static const char vm_keys[] = "vcpus, count, weight, pin, workload";

/* A key that is not a [vm] key: a parameter of the VM's workload. */
static int vm_param(struct parser *ps, const char *key, const char *value)
{
	struct vm_config *vm = cur_vm(ps);
	const struct wl_param *p;
	char names[512];
	int i = workload_param_index(vm->wl, key);

	if (i < 0 || (unsigned int)i >= WL_MAX_PARAMS) {
		if (!vm->wl->nr_params)
			return perr(ps,
				    "%s: unknown key in %s; accepted: %s "
				    "(workload %s takes no parameters)",
				    key, ps->sec_title, vm_keys, vm->wl->name);
		param_names(vm->wl, names, sizeof(names));
		return perr(ps,
			    "%s: unknown key in %s; accepted: %s and the "
			    "parameters of %s: %s",
			    key, ps->sec_title, vm_keys, vm->wl->name, names);
	}
	p = &vm->wl->params[i];
	if (p->type == WP_DURATION)
		return get_duration(ps, key, value, p->min, p->max,
				    &vm->wl_params[i]);
	return get_uint(ps, key, value, p->min, p->max, &vm->wl_params[i]);
}

static int vm_set_workload(struct parser *ps, const char *value)
{
	struct vm_config *vm = cur_vm(ps);
	const struct workload *wl = workload_find(value);
	int saved = ps->line, ret = 0;
	char names[512];

	if (!wl) {
		workload_names(names, sizeof(names));
		return perr(ps, "workload: unknown workload '%s'; accepted: %s",
			    value, names);
	}
	if (wl->nr_params > WL_MAX_PARAMS)
		return perr(ps, "workload: %s has too many parameters (%u)",
			    wl->name, wl->nr_params);
	vm->wl = wl;
	ps->workload_line = ps->line;
	for (unsigned int i = 0; i < wl->nr_params; i++)
		vm->wl_params[i] = wl->params[i].def;
	/* The parameters given before `workload`, at their own lines. */
	for (size_t i = 0; i < ps->params.nr && !ret; i++) {
		ps->line = ps->params.v[i].line;
		ret = vm_param(ps, ps->params.v[i].key, ps->params.v[i].value);
	}
	ps->line = saved;
	entries_free(&ps->params);
	return ret;
}

static int vm_key(struct parser *ps, const char *key, const char *value)
{
	struct vm_config *vm = cur_vm(ps);
	struct vm_lines *lines = &ps->vm_lines[ps->nr_vms - 1];
	u64 v = 0; /* get_* leave it unset on error */
	int ret;

	if (!strcmp(key, "vcpus")) {
		lines->vcpus = ps->line;
		ret = get_uint(ps, key, value, 1, KVM_MAX_VCPUS, &v);
		vm->vcpus = (unsigned int)v;
	} else if (!strcmp(key, "count")) {
		lines->count = ps->line;
		ret = get_uint(ps, key, value, 1, VM_MAX_COUNT, &v);
		vm->count = (unsigned int)v;
	} else if (!strcmp(key, "weight")) {
		ret = get_uint(ps, key, value, MIN_SHARES, MAX_SHARES, &v);
		vm->shares = (unsigned long)v;
	} else if (!strcmp(key, "pin")) {
		lines->pin = ps->line;
		if (!strcmp(value, "none"))
			vm->pin = PIN_NONE;
		else if (!strcmp(value, "vcpu"))
			vm->pin = PIN_VCPU;
		else if (!strcmp(value, "vm"))
			vm->pin = PIN_VM;
		else
			return perr(ps,
				    "pin: must be none, vcpu or vm, got '%s'",
				    value);
		ret = 0;
	} else if (!strcmp(key, "workload")) {
		lines->workload = ps->line;
		ret = vm_set_workload(ps, value);
	} else if (vm->wl) {
		ret = vm_param(ps, key, value);
	} else {
		/* Checked when `workload` names the table it belongs to. */
		ret = entries_add(ps, &ps->params, key, value);
	}
	return ret;
}

/*
 * The combinations a workload's ranges cannot express: let it build the
 * guest programs once. Its message starts with the parameter's name; put
 * the line where that parameter was set (or the section's).
 */
static int vm_check_build(struct parser *ps)
{
	struct vm_config *vm = cur_vm(ps);
	struct guest_vm_desc d = { 0 };
	char msg[512] = "";
	int line = ps->sec_line, ret;

	if (!vm->wl->build)
		return 0;
	ret = workload_build(vm->wl, vm->wl_params, vm->vcpus, &d, msg,
			     sizeof(msg));
	free(d.progs);
	if (!ret)
		return 0;
	if (ret == -ENOMEM)
		return perr_at(ps, ps->sec_line, "out of memory");
	for (size_t i = 0; i < ps->keys.nr; i++) {
		size_t n = strlen(ps->keys.v[i].key);

		if (!strncmp(msg, ps->keys.v[i].key, n) && msg[n] == ':') {
			line = ps->keys.v[i].line;
			break;
		}
	}
	if (!msg[0])
		return perr_at(ps, line,
			       "%s: workload %s rejects these "
			       "parameters",
			       ps->sec_title, vm->wl->name);
	return perr_at(ps, line, "%s", msg);
}

static int vm_end(struct parser *ps)
{
	struct vm_config *vm = cur_vm(ps);

	if (!vm->wl) {
		/* A [table] template has none (finish() decides); but
		 * parameters need a workload to belong to. */
		if (ps->params.nr) {
			const struct entry *e = &ps->params.v[0];

			return perr_at(ps, e->line,
				       "%s: unknown key in %s; accepted: %s "
				       "(workload parameters need workload = "
				       "NAME; a [table] template takes none)",
				       e->key, ps->sec_title, vm_keys);
		}
		ps->vm_lines[ps->nr_vms - 1].no_workload = true;
		return 0;
	}
	return vm_check_build(ps);
}

static bool vm_name_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

static int vm_begin(struct parser *ps, const char *name)
{
	struct vm_config *vm;

	if (!*name)
		return perr(ps, "[vm]: needs a name: [vm NAME]");
	if (strlen(name) > VM_NAME_MAX)
		return perr(ps, "[vm %.*s...]: name longer than %d characters",
			    VM_NAME_MAX, name, VM_NAME_MAX);
	if (!vm_name_ok(name))
		return perr(ps,
			    "[vm %s]: name may only use letters, digits, "
			    "'_', '.' and '-'",
			    name);
	for (unsigned int i = 0; i < ps->nr_vms; i++)
		if (!strcmp(ps->vms[i].name, name))
			return perr(ps,
				    "[vm %s]: duplicate VM name (first at "
				    "line %d)",
				    name, ps->vm_lines[i].header);
	if (ps->nr_vms == SCENARIO_MAX_VM_SECTIONS)
		return perr(ps, "[vm %s]: too many [vm] sections (at most %d)",
			    name, SCENARIO_MAX_VM_SECTIONS);
	if (ps->nr_vms == ps->cap_vms) {
		unsigned int cap = ps->cap_vms ? ps->cap_vms * 2 : 4;
		struct vm_config *v = realloc(ps->vms, cap * sizeof(*v));
		struct vm_lines *l;

		if (!v)
			return perr(ps, "out of memory");
		ps->vms = v;
		l = realloc(ps->vm_lines, cap * sizeof(*l));
		if (!l)
			return perr(ps, "out of memory");
		ps->vm_lines = l;
		ps->cap_vms = cap;
	}
	vm = &ps->vms[ps->nr_vms];
	vm_config_default(vm);
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	ps->vm_lines[ps->nr_vms] = (struct vm_lines){ .header = ps->line };
	ps->nr_vms++;
	ps->workload_line = 0;
	return 0;
}

/* ---- [task NAME] ---------------------------------------------------- */

#define TASK_MAX_COUNT 4096
#define TASK_MAX_SECTIONS 4096

static const char task_keys[] = "count, nice, cpu, run, sleep, yield";

static struct task_config *cur_task(struct parser *ps)
{
	return &ps->tasks[ps->nr_tasks - 1];
}

/* An integer -20..19, with its sign. */
static int get_nice(struct parser *ps, const char *key, const char *value,
		    int *out)
{
	bool neg = value[0] == '-';
	u64 v;

	if (parse_u64(value + neg, &v) || (neg && !v && value[1] != '0'))
		return perr(ps, "%s: must be an integer -20..19, got '%s'", key,
			    value);
	if ((neg && v > 20) || (!neg && v > 19))
		return perr(ps, "%s: must be -20..19, got %s", key, value);
	*out = neg ? -(int)v : (int)v;
	return 0;
}

static int task_key(struct parser *ps, const char *key, const char *value)
{
	struct task_config *t = cur_task(ps);
	unsigned int i = ps->nr_tasks - 1;
	u64 v = 0; /* get_* leave it unset on error */
	int ret;

	if (!strcmp(key, "count")) {
		ret = get_uint(ps, key, value, 1, TASK_MAX_COUNT, &v);
		t->count = (unsigned int)v;
	} else if (!strcmp(key, "nice")) {
		ret = get_nice(ps, key, value, &t->nice);
	} else if (!strcmp(key, "cpu")) {
		ps->task_cpu_line[i] = ps->line;
		if (!strcmp(value, "any")) {
			t->cpu = -1;
			return 0;
		}
		ret = get_uint(ps, key, value, 0, 65535, &v);
		t->cpu = (int)v;
	} else if (!strcmp(key, "run")) {
		ret = get_duration(ps, key, value, NSEC_PER_USEC / 10,
				   10 * NSEC_PER_SEC, &t->run_ns);
	} else if (!strcmp(key, "sleep")) {
		ret = get_duration(ps, key, value, 0, 10 * NSEC_PER_SEC,
				   &t->sleep_ns);
	} else if (!strcmp(key, "yield")) {
		ps->task_yield_line[i] = ps->line;
		ret = get_bool(ps, key, value, &t->yield);
	} else {
		ret = perr(ps, "%s: unknown key in %s; accepted: %s", key,
			   ps->sec_title, task_keys);
	}
	return ret;
}

static int task_end(struct parser *ps)
{
	const struct task_config *t = cur_task(ps);
	unsigned int i = ps->nr_tasks - 1;

	if (t->yield && t->sleep_ns)
		return perr_at(ps, ps->task_yield_line[i],
			       "yield: a task that yields does not sleep; "
			       "drop sleep or yield in [task %s]",
			       t->name);
	return 0;
}

static int task_begin(struct parser *ps, const char *name)
{
	unsigned int n = ps->nr_tasks + 1;
	struct task_config *t;
	int *a, *b, *c;

	if (!*name)
		return perr(ps, "[task]: needs a name: [task NAME]");
	if (strlen(name) > VM_NAME_MAX)
		return perr(ps,
			    "[task %.*s...]: name longer than %d characters",
			    VM_NAME_MAX, name, VM_NAME_MAX);
	if (!vm_name_ok(name))
		return perr(ps,
			    "[task %s]: name may only use letters, digits, "
			    "'_', '.' and '-'",
			    name);
	for (unsigned int i = 0; i < ps->nr_tasks; i++)
		if (!strcmp(ps->tasks[i].name, name))
			return perr(ps,
				    "[task %s]: duplicate task name (first at "
				    "line %d)",
				    name, ps->task_header[i]);
	if (ps->nr_tasks == TASK_MAX_SECTIONS)
		return perr(ps,
			    "[task %s]: too many [task] sections (at most %d)",
			    name, TASK_MAX_SECTIONS);
	t = realloc(ps->tasks, n * sizeof(*t));
	if (t)
		ps->tasks = t;
	a = realloc(ps->task_header, n * sizeof(*a));
	if (a)
		ps->task_header = a;
	b = realloc(ps->task_cpu_line, n * sizeof(*b));
	if (b)
		ps->task_cpu_line = b;
	c = realloc(ps->task_yield_line, n * sizeof(*c));
	if (c)
		ps->task_yield_line = c;
	if (!t || !a || !b || !c)
		return perr(ps, "out of memory");
	task_config_default(&ps->tasks[ps->nr_tasks]);
	snprintf(ps->tasks[ps->nr_tasks].name,
		 sizeof(ps->tasks[ps->nr_tasks].name), "%s", name);
	ps->task_header[ps->nr_tasks] = ps->line;
	ps->task_cpu_line[ps->nr_tasks] = 0;
	ps->task_yield_line[ps->nr_tasks] = 0;
	ps->nr_tasks++;
	return 0;
}

/* ---- [policy] -------------------------------------------------------- */

static void preset_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < policy_nr_presets && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 policy_presets[i].name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static int policy_key(struct parser *ps, const char *key, const char *value)
{
	struct policy scratch;
	char msg[512];
	int ret;

	if (!strcmp(key, "preset")) {
		if (strlen(value) >= sizeof(ps->preset) ||
		    policy_preset(&scratch, value)) {
			preset_names(msg, sizeof(msg));
			return perr(ps,
				    "preset: unknown preset '%s'; accepted: %s",
				    value, msg);
		}
		snprintf(ps->preset, sizeof(ps->preset), "%s", value);
		ps->preset_line = ps->line;
		return 0;
	}
	/* Check now, at this line; apply at the end, after the preset. */
	policy_defaults(&scratch);
	ret = policy_set_knob(&scratch, key, value, msg, sizeof(msg));
	if (ret == -ENOENT)
		return perr(ps,
			    "%s: unknown key in [policy]; accepted: preset "
			    "and the knobs of 'oversub list knobs'",
			    key);
	if (ret)
		return perr(ps, "%s", msg);
	return entries_add(ps, &ps->knobs, key, value);
}

/* ---- [run] ----------------------------------------------------------- */

static int seeds_add(struct parser *ps, const char *key, u64 a, u64 b)
{
	if (b - a >= SCENARIO_MAX_SEEDS - ps->nr_seeds)
		return perr(ps, "%s: at most %d seeds", key,
			    SCENARIO_MAX_SEEDS);
	for (u64 s = a;; s++) {
		for (unsigned int i = 0; i < ps->nr_seeds; i++)
			if (ps->seeds[i] == s)
				return perr(ps, "%s: seed %llu given twice",
					    key, (unsigned long long)s);
		ps->seeds[ps->nr_seeds++] = s;
		if (s == b)
			break;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "1,2,5..8": seeds and inclusive ranges. */
static int parse_seeds(struct parser *ps, const char *key, const char *value)
{
	char *copy, *item, *next, *dots;
	int ret = 0;

	if (!ps->seeds) {
		ps->seeds = calloc(SCENARIO_MAX_SEEDS, sizeof(*ps->seeds));
		if (!ps->seeds)
			return perr(ps, "out of memory");
	}
	ps->nr_seeds = 0;
	copy = strdup(value);
	if (!copy)
		return perr(ps, "out of memory");
	for (item = copy; item && !ret; item = next) {
		u64 a, b;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		item = trim(item);
		dots = strstr(item, "..");
		if (dots) {
			*dots = '\0';
			if (parse_u64(trim(item), &a) ||
			    parse_u64(trim(dots + 2), &b)) {
				ret = -EINVAL;
			} else if (a > b) {
				ret = perr(ps,
					   "%s: range %llu..%llu is empty "
					   "(A..B needs A <= B)",
					   key, (unsigned long long)a,
					   (unsigned long long)b);
				break;
			}
		} else if (parse_u64(item, &a)) {
			ret = -EINVAL;
		} else {
			b = a;
		}
		if (ret) {
			ret = perr(ps,
				   "%s: must be a comma list of seeds "
				   "0..18446744073709551615 and ranges A..B "
				   "(e.g. 1,2,5..8), got '%s'",
				   key, value);
			break;
		}
		ret = seeds_add(ps, key, a, b);
	}
	free(copy);
	return ret;
}

static int run_key(struct parser *ps, const char *key, const char *value)
{
	u64 v = 0; /* get_* leave it unset on error */
	int ret;

	if (!strcmp(key, "duration"))
		return get_duration(ps, key, value, NSEC_PER_USEC, MAX_RUN_NS,
				    &ps->duration_ns);
	if (!strcmp(key, "warmup"))
		return get_duration(ps, key, value, 0, MAX_RUN_NS,
				    &ps->warmup_ns);
	if (!strcmp(key, "seed") || !strcmp(key, "seeds")) {
		bool one = !strcmp(key, "seed");
		int other = one ? ps->seeds_line : ps->seed_line;

		if (other)
			return perr(ps,
				    "%s: give seed or seeds, not both (%s at "
				    "line %d)",
				    key, one ? "seeds" : "seed", other);
		if (one) {
			ps->seed_line = ps->line;
			ret = get_uint(ps, key, value, 0, UINT64_MAX, &v);
			if (ret)
				return ret;
			ps->nr_seeds = 0;
			if (!ps->seeds)
				ps->seeds = calloc(SCENARIO_MAX_SEEDS,
						   sizeof(*ps->seeds));
			if (!ps->seeds)
				return perr(ps, "out of memory");
			ps->seeds[ps->nr_seeds++] = v;
			return 0;
		}
		ps->seeds_line = ps->line;
		return parse_seeds(ps, key, value);
	}
	return perr(ps,
		    "%s: unknown key in [run]; accepted: duration, warmup, "
		    "seed, seeds",
		    key);
}

/* ---- [table] --------------------------------------------------------- */

static int table_key(struct parser *ps, const char *key, const char *value)
{
	char msg[1024];

	if (table_parser_key(&ps->table, ps->line, key, value, msg,
			     sizeof(msg)))
		return perr(ps, "%s", msg);
	return 0;
}

/* ---- sections -------------------------------------------------------- */

static int key_dispatch(struct parser *ps, const char *key,
			const char *value);
static int where_add(struct parser *ps, const char *key);

/* The set for @key of the current section, or NULL. */
static const struct scenario_set *set_find(struct parser *ps, const char *key)
{
	for (unsigned int i = 0; i < ps->nr_sets; i++) {
		const struct scenario_set *s = &ps->sets[i];

		if (!ps->set_used[i] && !strcmp(s->section, ps->sec_title) &&
		    !strcmp(s->key, key)) {
			ps->set_used[i] = true;
			return s;
		}
	}
	return NULL;
}

/* The sets for the current section the file did not have: add them, as
 * if they ended it (at its header's line). */
static int sets_add_missing(struct parser *ps)
{
	int line = ps->line;

	for (unsigned int i = 0; i < ps->nr_sets && !ps->failed; i++) {
		const struct scenario_set *s = &ps->sets[i];

		if (ps->set_used[i] || strcmp(s->section, ps->sec_title))
			continue;
		ps->set_used[i] = true;
		ps->line = ps->sec_line;
		ps->origin = s->origin;
		if (!entries_add(ps, &ps->keys, s->key, NULL) &&
		    !where_add(ps, s->key))
			key_dispatch(ps, s->key, s->value);
		ps->origin = NULL;
	}
	ps->line = line;
	return ps->failed ? -EINVAL : 0;
}

static int section_end(struct parser *ps)
{
	int ret = 0;

	if (ps->sec != SEC_NONE && sets_add_missing(ps))
		return -EINVAL;
	if (ps->sec == SEC_VM)
		ret = vm_end(ps);
	else if (ps->sec == SEC_TASK)
		ret = task_end(ps);
	entries_free(&ps->keys);
	entries_free(&ps->params);
	ps->sec = SEC_NONE;
	return ret;
}

/* One of the sections that may appear once: remember where. */
static int section_once(struct parser *ps, int *where, const char *title)
{
	if (*where)
		return perr(ps, "%s: duplicate section (first at line %d)",
			    title, *where);
	*where = ps->line;
	return 0;
}

/* Note where @key ("": the header) of the current section is. */
static int where_add(struct parser *ps, const char *key)
{
	struct scenario_where *w;

	if (ps->nr_where == ps->cap_where) {
		unsigned int cap = ps->cap_where ? 2 * ps->cap_where : 32;

		w = realloc(ps->where, cap * sizeof(*w));
		if (!w)
			return perr(ps, "out of memory");
		ps->where = w;
		ps->cap_where = cap;
	}
	w = &ps->where[ps->nr_where++];
	snprintf(w->section, sizeof(w->section), "%s", ps->sec_title);
	snprintf(w->key, sizeof(w->key), "%s", key);
	w->line = ps->line;
	return 0;
}

/* @s: the header line, trimmed, starting with '['. */
static int section_begin(struct parser *ps, char *s)
{
	char *close = strchr(s, ']');
	char *word, *name, *rest;
	int ret;

	if (!close)
		return perr(ps, "%s: missing ']' in section header", s);
	*close = '\0';
	rest = close + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest && *rest != ';' && *rest != '#')
		return perr(ps, "[%s]: unexpected text after ']': '%s'", s + 1,
			    rest);
	word = trim(s + 1);
	name = word;
	while (*name && !isspace((unsigned char)*name))
		name++;
	if (*name)
		*name++ = '\0';
	name = trim(name);

	ret = section_end(ps);
	if (ret)
		return ret;
	ps->sec_line = ps->line;
	if (!strcmp(word, "vm")) {
		ret = vm_begin(ps, name);
		if (ret)
			return ret;
		ps->sec = SEC_VM;
		snprintf(ps->sec_title, sizeof(ps->sec_title), "[vm %s]", name);
		return where_add(ps, "");
	}
	if (!strcmp(word, "task")) {
		ret = task_begin(ps, name);
		if (ret)
			return ret;
		ps->sec = SEC_TASK;
		snprintf(ps->sec_title, sizeof(ps->sec_title), "[task %s]",
			 name);
		return where_add(ps, "");
	}
	if (!strcmp(word, "table")) {
		if (*name)
			return perr(ps, "[%s %s]: [%s] takes no name", word,
				    name, word);
		snprintf(ps->sec_title, sizeof(ps->sec_title), "[table]");
		ps->sec = SEC_TABLE;
		return section_once(ps, &ps->table_line, ps->sec_title);
	}
	if (!strcmp(word, "sweep")) {
		if (*name)
			return perr(ps, "[%s %s]: [%s] takes no name", word,
				    name, word);
		snprintf(ps->sec_title, sizeof(ps->sec_title), "[sweep]");
		ps->sec = SEC_SWEEP;
		return section_once(ps, &ps->sweep_line, ps->sec_title);
	}
	if (!strcmp(word, "host") || !strcmp(word, "policy") ||
	    !strcmp(word, "run")) {
		if (*name)
			return perr(ps, "[%s %s]: [%s] takes no name", word,
				    name, word);
		snprintf(ps->sec_title, sizeof(ps->sec_title), "[%s]", word);
		if (word[0] == 'h') {
			ps->sec = SEC_HOST;
			return section_once(ps, &ps->host_line, ps->sec_title);
		}
		if (word[0] == 'p') {
			ps->sec = SEC_POLICY;
			return section_once(ps, &ps->policy_line,
					    ps->sec_title);
		}
		ps->sec = SEC_RUN;
		return section_once(ps, &ps->run_line, ps->sec_title);
	}
	if (*name)
		return perr(ps,
			    "[%s %s]: unknown section; accepted: [host], "
			    "[vm NAME], [task NAME], [policy], [run], [table], "
			    "[sweep]",
			    word, name);
	return perr(ps,
		    "[%s]: unknown section; accepted: [host], [vm NAME], "
		    "[task NAME], [policy], [run], [table], [sweep]",
		    word);
}

/* ---- inih ------------------------------------------------------------ */

static int key_dispatch(struct parser *ps, const char *key,
			const char *value)
{
	switch (ps->sec) {
	case SEC_HOST:
		return host_key(ps, key, value);
	case SEC_VM:
		return vm_key(ps, key, value);
	case SEC_POLICY:
		return policy_key(ps, key, value);
	case SEC_RUN:
		return run_key(ps, key, value);
	case SEC_TABLE:
		return table_key(ps, key, value);
	case SEC_TASK:
		return task_key(ps, key, value);
	case SEC_SWEEP:
		/* checked by scenario/sweep.c, which knows the axes */
		return entries_add(ps, &ps->sweep, key, value);
	default:
		return perr(ps, "internal error: no section");
	}
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parser *ps = user;
	const struct scenario_set *set;
	const struct entry *dup;
	int ret;

	(void)section; /* ours is in ps->sec: see section_begin() */
	if (ps->failed)
		return 0;
	if (!value)
		value = "";
	if (!*key)
		return !perr(ps, "missing key before '='");
	if (ps->sec == SEC_NONE)
		return !perr(ps,
			     "%s: key outside any section; put it under "
			     "[host], [vm NAME], [task NAME], [policy], [run], "
			     "[table] or [sweep]",
			     key);
	dup = entries_find(&ps->keys, key);
	if (dup)
		return !perr(ps, "%s: duplicate key in %s (first at line %d)",
			     key, ps->sec_title, dup->line);
	if (entries_add(ps, &ps->keys, key, NULL) || where_add(ps, key))
		return 0;
	set = set_find(ps, key);
	if (set) {
		value = set->value;
		ps->origin = set->origin;
	}
	ret = key_dispatch(ps, key, value);
	ps->origin = NULL;
	return !ret;
}

/* Cut an inline comment: ';' or '#' after a blank. */
static void cut_comment(char *s)
{
	for (char *p = s + 1; *p; p++) {
		if ((*p == ';' || *p == '#') && isspace((unsigned char)p[-1])) {
			*p = '\0';
			return;
		}
	}
}

/*
 * inih's reader: hands it one "key = value" line at a time, trimmed and
 * without comments; handles blank lines, comments and [section] headers
 * here. Returns NULL at the end of the text or after an error.
 */
static char *reader(char *buf, int num, void *stream)
{
	struct parser *ps = stream;
	char line[4096];

	while (!ps->failed && ps->pos < ps->len) {
		const char *l = ps->text + ps->pos;
		const char *nl = memchr(l, '\n', ps->len - ps->pos);
		size_t n = nl ? (size_t)(nl - l) : ps->len - ps->pos;
		char *s;

		ps->pos += n + (nl ? 1 : 0);
		ps->line++;
		if (ps->line == 1 && n >= 3 && !memcmp(l, "\xEF\xBB\xBF", 3)) {
			l += 3; /* UTF-8 byte order mark */
			n -= 3;
		}
		if (n >= sizeof(line)) {
			perr(ps, "line too long (at most %zu characters)",
			     sizeof(line) - 1);
			break;
		}
		memcpy(line, l, n);
		line[n] = '\0';
		s = trim(line);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			if (section_begin(ps, s))
				break;
			continue;
		}
		cut_comment(s);
		s = trim(s);
		if (!strpbrk(s, "=:")) {
			perr(ps, "'%s': expected KEY = VALUE", s);
			break;
		}
		if (num < 2 || strlen(s) + 2 > (size_t)num) {
			perr(ps,
			     "line too long: at most %d characters without "
			     "comments",
			     num > 2 ? num - 2 : 0);
			break;
		}
		snprintf(buf, (size_t)num, "%s\n", s);
		return buf;
	}
	return NULL;
}

/* ---- the whole file -------------------------------------------------- */

/*
 * A [table] scenario: one [vm NAME] section, the template of every cell,
 * without workload or count (the table's workloads and vms set them).
 */
static int finish_table(struct parser *ps)
{
	const struct vm_lines *l = &ps->vm_lines[0];
	char msg[1024];
	int line = 0;

	if (table_parser_finish(&ps->table, ps->table_line, &line, msg,
				sizeof(msg)))
		return perr_at(ps, line, "%s", msg);
	if (ps->nr_vms > 1)
		return perr_at(ps, ps->vm_lines[1].header,
			       "[vm %s]: a [table] scenario has one [vm NAME] "
			       "section, the template of every cell (first "
			       "at line %d)",
			       ps->vms[1].name, l->header);
	if (l->workload)
		return perr_at(ps, l->workload,
			       "workload: set per cell by [table] workloads "
			       "(line %d); remove it from [vm %s]",
			       ps->table.workloads_line, ps->vms[0].name);
	if (l->count)
		return perr_at(ps, l->count,
			       "count: set per cell by [table] vms (line %d); "
			       "remove it from [vm %s]",
			       ps->table.vms_line, ps->vms[0].name);
	ps->vms[0].count = table_max_vms(&ps->table.spec);
	return 0;
}

static int finish(struct parser *ps)
{
	u64 total = 0;
	char names[512];

	if (!ps->nr_vms && ps->table_line)
		return perr_at(ps, ps->table_line,
			       "[table]: no [vm NAME] section, the template "
			       "of every cell");
	if (!ps->nr_vms && !ps->nr_tasks)
		return perr_at(ps, 0,
			       "no [vm NAME] or [task NAME] section: a "
			       "scenario needs at least one VM or host task");
	if (ps->table_line && finish_table(ps))
		return -EINVAL;
	for (unsigned int i = 0; i < ps->nr_vms && !ps->table_line; i++) {
		if (!ps->vm_lines[i].no_workload)
			continue;
		workload_names(names, sizeof(names));
		return perr_at(ps, ps->vm_lines[i].header,
			       "[vm %s]: no workload; add workload = NAME "
			       "(one of: %s)",
			       ps->vms[i].name, names);
	}
	if (ps->host.llc_size > ps->host.cpus)
		return perr_at(ps, ps->llc_line,
			       "llc: must be 0..%u (at most cpus), got %u",
			       ps->host.cpus, ps->host.llc_size);
	for (unsigned int i = 0; i < ps->nr_tasks; i++)
		if (ps->tasks[i].cpu >= (int)ps->host.cpus)
			return perr_at(
				ps, ps->task_cpu_line[i],
				"cpu: must be 0..%u (a host CPU) or any, "
				"got %d in [task %s]",
				ps->host.cpus - 1, ps->tasks[i].cpu,
				ps->tasks[i].name);
	for (unsigned int i = 0; i < ps->nr_vms; i++) {
		const struct vm_config *vm = &ps->vms[i];
		const struct vm_lines *l = &ps->vm_lines[i];

		if (vm->pin == PIN_VM && vm->vcpus > ps->host.cpus)
			return perr_at(ps, l->pin ? l->pin : l->header,
				       "pin: vm needs vcpus <= cpus (%u), got "
				       "vcpus = %u in [vm %s]",
				       ps->host.cpus, vm->vcpus, vm->name);
		total += (u64)vm->vcpus * vm->count;
		if (total > SCENARIO_MAX_TOTAL_VCPUS)
			return perr_at(ps, l->header,
				       "[vm %s]: %u VMs x %u vCPUs bring the "
				       "total to %llu vCPUs; at most %llu",
				       vm->name, vm->count, vm->vcpus,
				       (unsigned long long)total,
				       SCENARIO_MAX_TOTAL_VCPUS);
	}
	return 0;
}

static void parser_free(struct parser *ps)
{
	free(ps->set_used);
	entries_free(&ps->sweep);
	entries_free(&ps->keys);
	entries_free(&ps->params);
	entries_free(&ps->knobs);
	free(ps->vms);
	free(ps->vm_lines);
	free(ps->tasks);
	free(ps->task_header);
	free(ps->task_cpu_line);
	free(ps->task_yield_line);
	free(ps->seeds);
	free(ps->where);
}

/*
 * The sets for sections the file does not have: [host], [policy] and [run]
 * are added at its end; a [vm NAME] or [task NAME] must be in the file.
 */
static int sets_new_sections(struct parser *ps)
{
	for (unsigned int i = 0; i < ps->nr_sets && !ps->failed; i++) {
		const struct scenario_set *s = &ps->sets[i];
		char title[80];

		if (ps->set_used[i])
			continue;
		if (strcmp(s->section, "[host]") &&
		    strcmp(s->section, "[policy]") &&
		    strcmp(s->section, "[run]")) {
			ps->origin = s->origin;
			perr_at(ps, 0, "no %s section in %s", s->section,
				ps->file);
			ps->origin = NULL;
			break;
		}
		snprintf(title, sizeof(title), "%s", s->section);
		if (!section_begin(ps, title))
			section_end(ps);
	}
	return ps->failed ? -EINVAL : 0;
}

static void scenario_kv_free(struct scenario_kv *kv, unsigned int nr)
{
	for (unsigned int i = 0; kv && i < nr; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* The [sweep] keys, handed over to @sc. */
static int sweep_take(struct parser *ps, struct scenario *sc)
{
	struct scenario_kv *kv;

	if (!ps->sweep.nr)
		return 0;
	kv = calloc(ps->sweep.nr, sizeof(*kv));
	if (!kv)
		return perr_at(ps, 0, "out of memory");
	for (size_t i = 0; i < ps->sweep.nr; i++) {
		kv[i].key = ps->sweep.v[i].key;
		kv[i].value = ps->sweep.v[i].value;
		kv[i].line = ps->sweep.v[i].line;
		ps->sweep.v[i].key = NULL;
		ps->sweep.v[i].value = NULL;
	}
	sc->sweep = kv;
	sc->nr_sweep = (unsigned int)ps->sweep.nr;
	sc->sweep_line = ps->sweep_line;
	return 0;
}

int scenario_parse(const char *text, const char *name, struct scenario *out,
		   char *err, size_t errlen)
{
	return scenario_parse_with(text, name, NULL, 0, out, err, errlen);
}

int scenario_parse_with(const char *text, const char *name,
			const struct scenario_set *sets, unsigned int nr_sets,
			struct scenario *out, char *err, size_t errlen)
{
	struct parser ps = {
		.file = name ? name : "<string>",
		.err = err,
		.errlen = errlen,
		.text = text ? text : "",
		.duration_ns = DEFAULT_DURATION_NS,
		.warmup_ns = DEFAULT_WARMUP_NS,
		.preset = "vanilla",
		.sets = sets,
		.nr_sets = nr_sets,
	};
	struct scenario sc;
	struct table_spec *table = NULL;
	struct policy pol;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ps.len = strlen(ps.text);
	ps.set_used = calloc(nr_sets ? nr_sets : 1, sizeof(*ps.set_used));
	if (!ps.set_used) {
		perr_at(&ps, 0, "out of memory");
		return -EINVAL;
	}
	host_config_default(&ps.host);
	ret = ini_parse_stream(reader, &ps, handler, &ps);
	if (!ps.failed) {
		if (ret == -2)
			perr_at(&ps, 0, "out of memory");
		else if (ret)
			perr_at(&ps, ret > 0 ? ret : 0, "syntax error");
	}
	if (!ps.failed)
		section_end(&ps);
	if (!ps.failed)
		sets_new_sections(&ps);
	if (!ps.failed)
		finish(&ps);
	if (!ps.failed && ps.table_line) {
		table = malloc(sizeof(*table));
		if (!table)
			perr_at(&ps, 0, "out of memory");
		else
			*table = ps.table.spec;
	}
	if (ps.failed) {
		parser_free(&ps);
		return -EINVAL;
	}

	policy_preset(&pol, ps.preset);
	for (size_t i = 0; i < ps.knobs.nr; i++)
		policy_set_knob(&pol, ps.knobs.v[i].key, ps.knobs.v[i].value,
				NULL, 0);
	if (pol.sched.vcpu_debooster_enabled && pol.sched.vcpu_lag_credit_enabled) {
		/* refused where the combination is completed */
		const char *key = "preset";
		int line = ps.preset_line;

		for (size_t i = 0; i < ps.knobs.nr; i++) {
			const struct entry *k = &ps.knobs.v[i];

			if ((!strcmp(k->key, "vcpu_debooster_enabled") ||
			     !strcmp(k->key, "vcpu_lag_credit_enabled")) &&
			    k->line > line) {
				key = k->key;
				line = k->line;
			}
		}
		perr_at(&ps, line, "%s: the v3 lag credit and the v2 debooster "
			"are alternatives (MODEL.md 4b); turn one off", key);
		free(table);
		parser_free(&ps);
		return -EINVAL;
	}
	if (!ps.seeds) {
		ps.seeds = calloc(1, sizeof(*ps.seeds));
		if (!ps.seeds) {
			perr_at(&ps, 0, "out of memory");
			free(table);
			parser_free(&ps);
			return -EINVAL;
		}
		ps.seeds[0] = 1;
		ps.nr_seeds = 1;
	}

	memset(&sc, 0, sizeof(sc));
	if (sweep_take(&ps, &sc)) {
		free(table);
		parser_free(&ps);
		return -EINVAL;
	}
	snprintf(sc.path, sizeof(sc.path), "%s", ps.file);
	snprintf(sc.preset, sizeof(sc.preset), "%s", ps.preset);
	sc.cfg.host = ps.host;
	sc.cfg.vms = ps.vms;
	sc.cfg.nr_vms = ps.nr_vms;
	sc.cfg.tasks = ps.tasks;
	sc.cfg.nr_tasks = ps.nr_tasks;
	sc.cfg.sched = pol.sched;
	sc.cfg.kvm = pol.kvm;
	sc.cfg.duration_ns = ps.duration_ns;
	sc.cfg.warmup_ns = ps.warmup_ns;
	sc.cfg.seed = ps.seeds[0];
	sc.seeds = ps.seeds;
	sc.nr_seeds = ps.nr_seeds;
	sc.table = table;
	sc.where = ps.where;
	sc.nr_where = ps.nr_where;
	ps.where = NULL;
	ps.vms = NULL;
	ps.tasks = NULL;
	ps.seeds = NULL;
	parser_free(&ps);
	*out = sc;
	return 0;
}

int scenario_read(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text;
	size_t n;
	int e;

	if (!f) {
		e = errno;
		errmsg_set(err, errlen, "%s: cannot read: %s", path,
			   strerror(e));
		return -EINVAL;
	}
	text = malloc(SCENARIO_MAX_FILE_SIZE + 1);
	if (!text) {
		fclose(f);
		errmsg_set(err, errlen, "%s: cannot read: %s", path,
			   strerror(ENOMEM));
		return -EINVAL;
	}
	n = fread(text, 1, SCENARIO_MAX_FILE_SIZE + 1, f);
	e = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (!e && n > SCENARIO_MAX_FILE_SIZE) {
		errmsg_set(err, errlen,
			   "%s: cannot read: larger than the 1 MiB "
			   "limit of a scenario file",
			   path);
		free(text);
		return -EINVAL;
	}
	if (e) {
		errmsg_set(err, errlen, "%s: cannot read: %s", path,
			   strerror(e));
		free(text);
		return -EINVAL;
	}
	text[n] = '\0';
	if (memchr(text, '\0', n)) {
		size_t at = (size_t)((char *)memchr(text, '\0', n) - text);
		int line = 1;

		for (size_t i = 0; i < at; i++)
			line += text[i] == '\n';
		errmsg_set(err, errlen, "%s:%d: NUL byte: not a text file",
			   path, line);
		free(text);
		return -EINVAL;
	}
	*out = text;
	return 0;
}

int scenario_load(const char *path, struct scenario *out, char *err,
		  size_t errlen)
{
	char *text;
	int ret = scenario_read(path, &text, err, errlen);

	if (ret)
		return ret;
	ret = scenario_parse(text, path, out, err, errlen);
	free(text);
	return ret;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	free(sc->cfg.vms);
	free(sc->cfg.tasks);
	free(sc->seeds);
	free(sc->table);
	free(sc->where);
	scenario_kv_free(sc->sweep, sc->nr_sweep);
	memset(sc, 0, sizeof(*sc));
}

int scenario_line(const struct scenario *sc, const char *section,
		  const char *key)
{
	for (unsigned int i = 0; i < sc->nr_where; i++)
		if (!strcmp(sc->where[i].section, section) &&
		    !strcmp(sc->where[i].key, key))
			return sc->where[i].line;
	return 0;
}

int scenario_policy(const struct scenario *sc, const char *name,
		    struct policy *p, char *err, size_t errlen)
{
	struct policy base, mine;
	char val[64];

	if (policy_preset(p, name) || policy_preset(&base, sc->preset))
		return -EINVAL;
	mine.sched = sc->cfg.sched;
	mine.kvm = sc->cfg.kvm;
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];
		int ret;

		if (policy_knob_get(&mine, k) == policy_knob_get(&base, k))
			continue;
		policy_knob_format(&mine, k, val, sizeof(val));
		ret = policy_set_knob(p, k->name, val, err, errlen);
		if (ret)
			return ret;
	}
	if (p->sched.vcpu_debooster_enabled && p->sched.vcpu_lag_credit_enabled) {
		snprintf(err, errlen, "preset %s with the scenario's %s = on: the "
			 "v3 lag credit and the v2 debooster are alternatives "
			 "(MODEL.md 4b)", name,
			 mine.sched.vcpu_lag_credit_enabled &&
					 !base.sched.vcpu_lag_credit_enabled ?
				 "vcpu_lag_credit_enabled" :
				 "vcpu_debooster_enabled");
		return -EINVAL;
	}
	return 0;
}
