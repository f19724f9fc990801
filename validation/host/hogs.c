/*
 * hogs.c - N busy CPU hogs sharing CPUs 0..1 (test 1 of run.sh).
 *
 * Usage: hogs [NHOGS [SECONDS [LASTCPU]]]     (defaults: 3 10 1)
 *
 * Starts NHOGS threads of one process (so: nice 0, same cgroup, same
 * autogroup), all with the affinity mask {0..LASTCPU} (not pinned one per
 * CPU), each spinning in user space.  After all have started, samples each
 * hog's counters, sleeps SECONDS, samples again and prints per hog:
 *
 *   hog_cpu_frac      CPU time / wall time (fraction of one CPU),
 *                     from /proc/self/task/<tid>/schedstat field 1
 *   hog_migr_per_s    se.nr_migrations delta / s  (/proc/.../sched)
 *   hog_vcsw_per_s    voluntary_ctxt_switches delta / s  (/proc/.../status)
 *   hog_ivcsw_per_s   nonvoluntary_ctxt_switches delta / s
 *   hog_runs_per_s    times switched in / s  (schedstat field 3)
 *   hog_mean_run_ns   mean run length: CPU time / times switched in
 *   hog_wait_per_run_ns  mean run-queue wait before each run
 *                     (schedstat field 2 delta / field 3 delta)
 *
 * and per run: sum_cpu_frac (all hogs), hog_cpu_frac_spread (max - min),
 * and from /proc/stat over CPUs 0..LASTCPU, as fractions of their time:
 * stat_idle_frac (idle+iowait), stat_steal_frac (steal reported by the
 * hypervisor), stat_irq_frac (irq+softirq).
 * The main thread sleeps during the window (one wakeup at its end).
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

#define MAX_HOGS 64

/* /proc/stat time of CPUs 0..lastcpu, in USER_HZ ticks. */
struct cpu_stat {
	unsigned long long idle, steal, irq;
};

static struct cpu_stat read_cpu_stat(int lastcpu)
{
	struct cpu_stat st = { 0 };
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		die("/proc/stat");
	while (fgets(line, sizeof(line), f)) {
		int cpu;
		unsigned long long v[8];
		/* cpuN user nice system idle iowait irq softirq steal ... */
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) != 9 ||
		    cpu > lastcpu)
			continue;
		st.idle += v[3] + v[4];
		st.irq += v[5] + v[6];
		st.steal += v[7];
	}
	fclose(f);
	return st;
}

static atomic_int stop;
static pthread_barrier_t start_barrier;
static pid_t tids[MAX_HOGS];

/* A hog: publish its tid, wait for the others, spin until told to stop. */
static void *hog(void *arg)
{
	int idx = (int)(intptr_t)arg;
	volatile uint64_t work = 0;

	tids[idx] = gettid();
	pthread_barrier_wait(&start_barrier);
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		work++;
	return NULL;
}

int main(int argc, char **argv)
{
	int nhogs = argc > 1 ? atoi(argv[1]) : 3;
	double seconds = argc > 2 ? atof(argv[2]) : 10.0;
	int lastcpu = argc > 3 ? atoi(argv[3]) : 1;

	if (nhogs < 1 || nhogs > MAX_HOGS || seconds <= 0 || lastcpu < 0) {
		fprintf(stderr, "usage: hogs [NHOGS [SECONDS [LASTCPU]]]\n");
		return 2;
	}
	/* The mask is inherited by the threads created below. */
	pin_range(0, lastcpu);

	pthread_t th[MAX_HOGS];
	pthread_barrier_init(&start_barrier, NULL, (unsigned)nhogs + 1);
	for (int i = 0; i < nhogs; i++)
		check(pthread_create(&th[i], NULL, hog, (void *)(intptr_t)i),
		      "pthread_create");
	pthread_barrier_wait(&start_barrier);

	struct task_sample s0[MAX_HOGS], s1[MAX_HOGS];
	uint64_t t0 = now_ns();
	struct cpu_stat c0 = read_cpu_stat(lastcpu);
	struct busy_sample b0 = busy_sample();
	for (int i = 0; i < nhogs; i++)
		s0[i] = task_sample(tids[i]);
	sleep_ns((uint64_t)(seconds * 1e9));
	uint64_t t1 = now_ns();
	struct cpu_stat c1 = read_cpu_stat(lastcpu);
	struct busy_sample b1 = busy_sample();
	for (int i = 0; i < nhogs; i++)
		s1[i] = task_sample(tids[i]);

	atomic_store(&stop, 1);
	for (int i = 0; i < nhogs; i++)
		pthread_join(th[i], NULL);

	double wall = (double)(t1 - t0) / 1e9;
	double sum = 0, lo = 1e9, hi = 0;
	for (int i = 0; i < nhogs; i++) {
		double frac = (double)(s1[i].runtime_ns - s0[i].runtime_ns) /
			      1e9 / wall;
		sum += frac;
		lo = frac < lo ? frac : lo;
		hi = frac > hi ? frac : hi;
		printf("hog_cpu_frac %.4f\n", frac);
		printf("hog_migr_per_s %.3f\n",
		       (double)(s1[i].migrations - s0[i].migrations) / wall);
		print_task_delta("hog", s0[i], s1[i], wall);
	}
	printf("sum_cpu_frac %.4f\n", sum);
	printf("hog_cpu_frac_spread %.4f\n", hi - lo);
	double ticks = wall * (double)sysconf(_SC_CLK_TCK) * (lastcpu + 1);
	printf("stat_idle_frac %.4f\n", (double)(c1.idle - c0.idle) / ticks);
	printf("stat_steal_frac %.4f\n", (double)(c1.steal - c0.steal) / ticks);
	printf("stat_irq_frac %.4f\n", (double)(c1.irq - c0.irq) / ticks);
	printf("foreign_cpus %.3f\n", foreign_cpus(b0, b1));
	printf("window_s %.4f\n", wall);
	return 0;
}
