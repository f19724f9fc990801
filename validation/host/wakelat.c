/*
 * wakelat.c - wakeup latency from sched tracepoints (test 3 of run.sh).
 *
 * Usage: perf script -i perf.data -F cpu,time,event,trace --ns | wakelat TID...
 *
 * Reads the text of a `perf record -e sched:sched_waking,sched:sched_switch`
 * trace and, for the given thread ids only, pairs each sched_waking of a
 * thread (the first one since it last ran) with the sched_switch that
 * switches it in.  The difference is the wakeup latency: waker's
 * try_to_wake_up() -> wakee running on its CPU (including the IPI and, if
 * that CPU was idle, its exit from idle).  Prints
 *
 *   wake_n, wake_median_ns, wake_p90_ns, wake_p99_ns
 *       all paired wakeups
 *   wake_idle_n, wake_idle_median_ns, wake_idle_p90_ns
 *       only wakeups whose switch-in replaced the idle task (prev_pid=0)
 *       on a CPU other than the waker's, i.e. wakeups to an idle CPU
 *
 * Timestamps are perf's default clock (local sched_clock of each CPU,
 * TSC based here), so cross-CPU differences assume synchronised TSCs.
 */
#include "common.h"

#include <inttypes.h>

#define MAX_TIDS 16

struct tracked {
	int tid;
	int pending;		/* a sched_waking not yet matched */
	uint64_t t_waking;	/* its timestamp, ns */
	int waker_cpu;		/* CPU that emitted it */
};

struct samples {
	uint64_t *v;
	size_t n, cap;
};

static void push(struct samples *s, uint64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc");
	}
	s->v[s->n++] = x;
}

/* Integer value following "key" in a trace line, or -1. */
static long field(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void report(const char *name, struct samples *s)
{
	printf("%s_n %zu\n", name, s->n);
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	printf("%s_median_ns %" PRIu64 "\n", name,
	       percentile_sorted(s->v, s->n, 50));
	printf("%s_p90_ns %" PRIu64 "\n", name,
	       percentile_sorted(s->v, s->n, 90));
	printf("%s_p99_ns %" PRIu64 "\n", name,
	       percentile_sorted(s->v, s->n, 99));
}

int main(int argc, char **argv)
{
	struct tracked tr[MAX_TIDS];
	int ntr = 0;
	for (int i = 1; i < argc && ntr < MAX_TIDS; i++)
		tr[ntr++] = (struct tracked){ .tid = atoi(argv[i]) };
	if (!ntr) {
		fprintf(stderr, "usage: perf script ... | wakelat TID...\n");
		return 2;
	}

	struct samples all = { 0 }, idle = { 0 };
	char line[1024];
	while (fgets(line, sizeof(line), stdin)) {
		int cpu;
		uint64_t sec, nsec;
		char cls[64], event[64];
		int f0 = 0, f1 = 0, off = 0;
		/* "[001]   433.578920123: sched:sched_waking: comm=..." */
		if (sscanf(line, " [%d] %" SCNu64 ".%n%" SCNu64 "%n: %63[^:]:%63[^:]:%n",
			   &cpu, &sec, &f0, &nsec, &f1, cls, event, &off) < 5 ||
		    off == 0)
			continue;
		if (f1 - f0 != 9) {
			fprintf(stderr, "wakelat: need ns timestamps (perf script --ns)\n");
			return 1;
		}
		uint64_t t = sec * 1000000000u + nsec;
		const char *trace = line + off;

		if (strcmp(event, "sched_waking") == 0) {
			long pid = field(trace, " pid=");
			for (int i = 0; i < ntr; i++)
				if (tr[i].tid == pid && !tr[i].pending) {
					tr[i].pending = 1;
					tr[i].t_waking = t;
					tr[i].waker_cpu = cpu;
				}
		} else if (strcmp(event, "sched_switch") == 0) {
			long next = field(trace, "next_pid=");
			long prev = field(trace, "prev_pid=");
			for (int i = 0; i < ntr; i++) {
				if (tr[i].tid != next || !tr[i].pending)
					continue;
				tr[i].pending = 0;
				uint64_t lat = t - tr[i].t_waking;
				push(&all, lat);
				if (prev == 0 && cpu != tr[i].waker_cpu)
					push(&idle, lat);
			}
		}
	}
	report("wake", &all);
	report("wake_idle", &idle);
	free(all.v);
	free(idle.v);
	return 0;
}
