/*
 * common.h - small helpers shared by the host measurement programs of
 * validation/host/ (hogs.c, pingpong.c, share.c, wakelat.c).
 *
 * Everything is `static inline` so each program is one translation unit
 * and unused helpers do not trip -Wunused-function.
 *
 * Output convention of every program: one result per line, "key value",
 * on stdout; run.sh collects these lines over repeated runs and computes
 * median and range.  Diagnostics go to stderr.
 */
#ifndef HOSTVAL_COMMON_H
#define HOSTVAL_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Print "what: strerror(errno)" and exit 1. */
static inline _Noreturn void die(const char *what)
{
	perror(what);
	exit(1);
}

/* For pthread calls, which return the error instead of setting errno. */
static inline void check(int err, const char *what)
{
	if (err) {
		errno = err;
		die(what);
	}
}

/* CLOCK_MONOTONIC in nanoseconds (vDSO, no syscall with a TSC clocksource). */
static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep for ns nanoseconds (restarts on EINTR). */
static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* Busy-wait (no syscall) for ns nanoseconds. */
static inline void spin_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;
	while (now_ns() < end)
		;
}

/* Restrict the calling thread to CPUs lo..hi (inclusive). */
static inline void pin_range(int lo, int hi)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int c = lo; c <= hi; c++)
		CPU_SET(c, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		die("sched_setaffinity");
}

/* Pin the calling thread to one CPU. */
static inline void pin_cpu(int cpu)
{
	pin_range(cpu, cpu);
}

/*
 * Open /proc/self/task/<tid>/<file> and read it whole into buf.
 * Returns the number of bytes read; exits on error.
 */
static inline size_t read_task_file(pid_t tid, const char *file, char *buf,
				    size_t len)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, file);
	FILE *f = fopen(path, "r");
	if (!f)
		die(path);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/*
 * CPU time of a thread in ns: the first field of
 * /proc/<pid>/task/<tid>/schedstat (se.sum_exec_runtime; needs only
 * CONFIG_SCHED_INFO, not CONFIG_SCHEDSTATS).
 */
static inline uint64_t task_runtime_ns(pid_t tid)
{
	char buf[256];
	read_task_file(tid, "schedstat", buf, sizeof(buf));
	return strtoull(buf, NULL, 10);
}

/*
 * Value of "key" in a "key : value" or "key:\tvalue" style file
 * (/proc/.../sched, /proc/.../status).  Exits if the key is missing.
 */
static inline long long task_field(pid_t tid, const char *file,
				   const char *key)
{
	static char buf[16384];
	read_task_file(tid, file, buf, sizeof(buf));
	size_t klen = strlen(key);
	for (char *line = buf; line && *line;) {
		char *next = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 &&
		    (line[klen] == ' ' || line[klen] == ':' ||
		     line[klen] == '\t')) {
			char *colon = strchr(line, ':');
			if (colon)
				return strtoll(colon + 1, NULL, 10);
		}
		line = next ? next + 1 : NULL;
	}
	fprintf(stderr, "no field %s in /proc/self/task/%d/%s\n", key,
		(int)tid, file);
	exit(1);
}

/*
 * The per-thread counters the programs sample before and after a window.
 * /proc/<pid>/task/<tid>/schedstat holds three numbers (CONFIG_SCHED_INFO,
 * no CONFIG_SCHEDSTATS needed):
 *   1 se.sum_exec_runtime        CPU time, ns
 *   2 sched_info.run_delay       time spent runnable on a run queue but
 *                                not running (from enqueue - on wakeup or
 *                                on being preempted - to switch-in), ns
 *   3 sched_info.pcount          times switched in on a CPU ("runs" or
 *                                timeslices; a sched_yield() or preemption
 *                                check that picks the same task again does
 *                                not count)
 * /proc/<pid>/task/<tid>/sched (se.nr_migrations) exists on this kernel
 * (6.18, debugfs-independent); status gives the switch counts.
 */
struct task_sample {
	uint64_t runtime_ns;	/* schedstat field 1 */
	uint64_t run_delay_ns;	/* schedstat field 2 */
	uint64_t pcount;	/* schedstat field 3 */
	long long migrations;	/* sched: se.nr_migrations */
	long long vcsw, ivcsw;	/* status: (non)voluntary_ctxt_switches */
};

static inline struct task_sample task_sample(pid_t tid)
{
	struct task_sample s;
	char buf[256];
	read_task_file(tid, "schedstat", buf, sizeof(buf));
	char *p = buf;
	s.runtime_ns = strtoull(p, &p, 10);
	s.run_delay_ns = strtoull(p, &p, 10);
	s.pcount = strtoull(p, &p, 10);
	s.migrations = task_field(tid, "sched", "se.nr_migrations");
	s.vcsw = task_field(tid, "status", "voluntary_ctxt_switches");
	s.ivcsw = task_field(tid, "status", "nonvoluntary_ctxt_switches");
	return s;
}

/*
 * Print a thread's switch and run statistics between samples a and b over
 * wall seconds, each key prefixed with role:
 *   <role>_vcsw_per_s       voluntary switches / s (blocked or slept)
 *   <role>_ivcsw_per_s      involuntary switches / s (preempted)
 *   <role>_runs_per_s       schedstat pcount delta / s
 *   <role>_mean_run_ns      mean run length: CPU time delta / pcount delta
 *   <role>_wait_per_run_ns  mean run-queue wait before a run: run_delay
 *                           delta / pcount delta
 * A zero pcount delta is counted as 1 (the thread ran, or waited, the
 * whole window without a switch-in, so the figures are lower bounds).
 */
static inline void print_task_delta(const char *role, struct task_sample a,
				    struct task_sample b, double wall)
{
	uint64_t runs = b.pcount - a.pcount;
	double r = runs ? (double)runs : 1.0;
	printf("%s_vcsw_per_s %.1f\n", role, (double)(b.vcsw - a.vcsw) / wall);
	printf("%s_ivcsw_per_s %.1f\n", role,
	       (double)(b.ivcsw - a.ivcsw) / wall);
	printf("%s_runs_per_s %.1f\n", role, (double)runs / wall);
	printf("%s_mean_run_ns %.0f\n", role,
	       (double)(b.runtime_ns - a.runtime_ns) / r);
	printf("%s_wait_per_run_ns %.0f\n", role,
	       (double)(b.run_delay_ns - a.run_delay_ns) / r);
}

/*
 * Background-load check.  A busy_sample holds the machine's busy CPU time
 * (/proc/stat "cpu" line: user+nice+system+irq+softirq, in USER_HZ ticks)
 * and this process's own CPU time (getrusage RUSAGE_SELF, all threads).
 * foreign_cpus() of two samples is the CPU time used by everything else
 * between them, in CPUs (0.5 = half a CPU busy on average).  /proc/stat
 * has 10 ms resolution per field, so short windows read +-0.05 or so.
 */
struct busy_sample {
	uint64_t t_ns;
	unsigned long long busy_ticks;
	double self_s;
};

static inline struct busy_sample busy_sample(void)
{
	struct busy_sample b = { .t_ns = now_ns() };
	unsigned long long v[7];
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		die("/proc/stat");
	/* cpu user nice system idle iowait irq softirq ... */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]) != 7) {
		fprintf(stderr, "cannot parse /proc/stat\n");
		exit(1);
	}
	fclose(f);
	b.busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6];
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		die("getrusage");
	b.self_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return b;
}

static inline double foreign_cpus(struct busy_sample a, struct busy_sample b)
{
	double wall = (double)(b.t_ns - a.t_ns) / 1e9;
	double busy = (double)(b.busy_ticks - a.busy_ticks) /
		      (double)sysconf(_SC_CLK_TCK);
	double f = (busy - (b.self_s - a.self_s)) / wall;
	return f > 0 ? f : 0;
}

/* qsort comparator for uint64_t. */
static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/*
 * Nearest-rank percentile (0 < p <= 100) of a sorted array of n > 0
 * values; p = 50 gives the lower median for even n.
 */
static inline uint64_t percentile_sorted(const uint64_t *v, size_t n, double p)
{
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

#endif /* HOSTVAL_COMMON_H */
