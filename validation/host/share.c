/*
 * share.c - CPU shares of two threads pinned to one CPU (test 4 of run.sh).
 *
 * Usage:
 *   share yield [SECONDS [CPU]]          (defaults: 5 0)
 *       Thread A loops on sched_yield(), thread B spins; both nice 0,
 *       both pinned to CPU.  Prints
 *         yielder_frac, hog_frac   CPU time / wall time of each
 *         yielder_share            A / (A + B)
 *         yields_per_s             sched_yield() calls per second
 *         yielder_*, hog_*         switch and run statistics (below)
 *
 *   share nice [SECONDS [NICE_B [CPU]]]  (defaults: 5 5 0)
 *       Two spinning threads pinned to CPU, A at nice 0, B at nice NICE_B
 *       (setpriority on its tid: Linux nice is per thread).  Prints
 *         nice0_frac, niceB_frac   CPU time / wall time of each
 *         nice0_share              A / (A + B)
 *         nice0_share_expected     w(0) / (w(0) + w(NICE_B)) from the
 *                                  kernel's sched_prio_to_weight table
 *         nice0_*, niceB_*         switch and run statistics (below)
 *
 *   share sleep [SECONDS [RUN_US [SLEEP_US [CPU [SLACK_NS]]]]]
 *                                        (defaults: 5 100 1000 0 1)
 *       Thread A (the sleeper) loops: spin RUN_US of its own CPU time
 *       (CLOCK_THREAD_CPUTIME_ID), then clock_nanosleep(TIMER_ABSTIME)
 *       to "now + SLEEP_US"; thread B spins; both nice 0, pinned to CPU.
 *       A's timer slack is set to SLACK_NS (prctl PR_SET_TIMERSLACK; the
 *       default of a thread is 50000, which lets the timer fire up to
 *       50 us late; 1 = as exact as the hrtimer allows).  Prints
 *         sleeper_frac, hog_frac   CPU time / wall time of each
 *         sleeper_duty_nominal     RUN_US / (RUN_US + SLEEP_US): A's
 *                                  fraction with zero wakeup latency
 *         loops_per_s              A's run+sleep loops per second
 *         wake_late_mean_ns, wake_late_median_ns, wake_late_p90_ns
 *                                  per loop, measured in A: CLOCK_MONOTONIC
 *                                  after clock_nanosleep returned minus
 *                                  the requested wake time (timer
 *                                  expiry + wakeup + wait behind B +
 *                                  switch + syscall return)
 *         timer_slack_ns           A's timer slack (PR_GET_TIMERSLACK)
 *         sleeper_*, hog_*         switch and run statistics (below);
 *                                  sleeper_wait_per_run_ns is the
 *                                  scheduler's part of the wakeup latency
 *                                  (enqueue by the timer -> running)
 *
 * Switch and run statistics of each thread, from /proc/.../status and
 * /proc/.../schedstat over the window (see print_task_delta in common.h):
 *   <role>_vcsw_per_s, <role>_ivcsw_per_s, <role>_runs_per_s,
 *   <role>_mean_run_ns (CPU time / runs), <role>_wait_per_run_ns
 *   (run-queue wait / runs).
 *
 * All modes also print foreign_cpus, the CPU time of other processes
 * during the window, in CPUs (see common.h).
 *
 * Both threads belong to one process, so they share cgroup and autogroup.
 * The main thread, which only samples, runs on another CPU when there is
 * one.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>

/* kernel/sched/core.c: sched_prio_to_weight[], nice -20 .. 19 */
static const int prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
	1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
	110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};

enum mode { SPIN, YIELD, SLEEP };

/* The sleeper keeps at most this many per-loop lateness samples. */
#define MAX_LOOPS (1u << 22)

struct arg {
	int cpu, nice;
	enum mode mode;
	uint64_t run_ns, sleep_ns;	/* SLEEP mode */
	unsigned long slack_ns;		/* SLEEP mode: slack to set */
	int slack_got;			/* SLEEP mode: slack then read back */
	pid_t tid;
	_Atomic uint64_t count;		/* yields or sleep loops done */
	uint64_t *late;			/* SLEEP: lateness of loop i, ns */
};

static atomic_int stop;
static pthread_barrier_t start_barrier;

/* CPU time of the calling thread, ns (a syscall, not the vDSO). */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One run+sleep loop of the sleeper; returns its lateness in ns. */
static uint64_t sleep_loop(const struct arg *a)
{
	uint64_t c0 = thread_cpu_ns();
	while (thread_cpu_ns() - c0 < a->run_ns)
		;
	uint64_t target = now_ns() + a->sleep_ns;
	struct timespec ts = { .tv_sec = (time_t)(target / 1000000000u),
			       .tv_nsec = (long)(target % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
	return now_ns() - target;
}

static void *worker(void *p)
{
	struct arg *a = p;
	volatile uint64_t work = 0;
	uint64_t n = 0;

	pin_cpu(a->cpu);
	a->tid = gettid();
	if (a->nice && setpriority(PRIO_PROCESS, (id_t)a->tid, a->nice) != 0)
		die("setpriority");
	if (a->mode == SLEEP &&
	    prctl(PR_SET_TIMERSLACK, a->slack_ns, 0, 0, 0) != 0)
		die("prctl(PR_SET_TIMERSLACK)");
	a->slack_got = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	pthread_barrier_wait(&start_barrier);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		switch (a->mode) {
		case YIELD:
			sched_yield();
			atomic_store_explicit(&a->count, ++n,
					      memory_order_relaxed);
			break;
		case SLEEP: {
			uint64_t late = sleep_loop(a);
			if (n < MAX_LOOPS)
				a->late[n] = late;
			/* release: late[n] is written before count says so */
			atomic_store_explicit(&a->count, ++n,
					      memory_order_release);
			break;
		}
		case SPIN:
			work++;
			break;
		}
	}
	return NULL;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: share yield [SECONDS [CPU]]\n"
		"       share nice [SECONDS [NICE_B [CPU]]]\n"
		"       share sleep [SECONDS [RUN_US [SLEEP_US [CPU [SLACK_NS]]]]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *m = argv[1];
	double seconds = argc > 2 ? atof(argv[2]) : 5.0;
	int nice_b = 0, cpu = 0;
	double run_us = 100, sleep_us = 1000;
	long slack = 1;
	enum mode amode;
	if (strcmp(m, "yield") == 0) {
		amode = YIELD;
		cpu = argc > 3 ? atoi(argv[3]) : 0;
	} else if (strcmp(m, "nice") == 0) {
		amode = SPIN;
		nice_b = argc > 3 ? atoi(argv[3]) : 5;
		cpu = argc > 4 ? atoi(argv[4]) : 0;
	} else if (strcmp(m, "sleep") == 0) {
		amode = SLEEP;
		run_us = argc > 3 ? atof(argv[3]) : 100;
		sleep_us = argc > 4 ? atof(argv[4]) : 1000;
		cpu = argc > 5 ? atoi(argv[5]) : 0;
		slack = argc > 6 ? atol(argv[6]) : 1;
	} else {
		return usage();
	}
	if (seconds <= 0 || nice_b < -20 || nice_b > 19 || cpu < 0 ||
	    run_us <= 0 || sleep_us <= 0 || slack < 1) {
		fprintf(stderr, "share: bad arguments\n");
		return 2;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 1)
		pin_cpu((int)((cpu + 1) % ncpu));

	struct arg a = { .cpu = cpu, .mode = amode,
			 .run_ns = (uint64_t)(run_us * 1000.0),
			 .sleep_ns = (uint64_t)(sleep_us * 1000.0),
			 .slack_ns = (unsigned long)slack };
	struct arg b = { .cpu = cpu, .mode = SPIN, .nice = nice_b };
	if (amode == SLEEP && !(a.late = calloc(MAX_LOOPS, sizeof(uint64_t))))
		die("calloc");
	pthread_t ta, tb;
	pthread_barrier_init(&start_barrier, NULL, 3);
	check(pthread_create(&ta, NULL, worker, &a), "pthread_create");
	check(pthread_create(&tb, NULL, worker, &b), "pthread_create");
	pthread_barrier_wait(&start_barrier);

	uint64_t t0 = now_ns();
	struct task_sample a0 = task_sample(a.tid), b0 = task_sample(b.tid);
	struct busy_sample m0 = busy_sample();
	uint64_t n0 = atomic_load(&a.count);
	sleep_ns((uint64_t)(seconds * 1e9));
	uint64_t t1 = now_ns();
	struct task_sample a1 = task_sample(a.tid), b1 = task_sample(b.tid);
	struct busy_sample m1 = busy_sample();
	uint64_t n1 = atomic_load(&a.count);
	atomic_store(&stop, 1);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);

	double wall = (double)(t1 - t0) / 1e9;
	double fa = (double)(a1.runtime_ns - a0.runtime_ns) / 1e9 / wall;
	double fb = (double)(b1.runtime_ns - b0.runtime_ns) / 1e9 / wall;
	switch (amode) {
	case YIELD:
		printf("yielder_frac %.4f\nhog_frac %.4f\n", fa, fb);
		printf("yielder_share %.4f\n", fa / (fa + fb));
		printf("yields_per_s %.0f\n", (double)(n1 - n0) / wall);
		print_task_delta("yielder", a0, a1, wall);
		print_task_delta("hog", b0, b1, wall);
		break;
	case SPIN: {
		double w0 = prio_to_weight[20], wb = prio_to_weight[20 + nice_b];
		printf("nice0_frac %.4f\nniceB_frac %.4f\n", fa, fb);
		printf("nice0_share %.4f\n", fa / (fa + fb));
		printf("nice0_share_expected %.4f\n", w0 / (w0 + wb));
		print_task_delta("nice0", a0, a1, wall);
		print_task_delta("niceB", b0, b1, wall);
		break;
	}
	case SLEEP: {
		if (n1 > MAX_LOOPS)
			n1 = MAX_LOOPS;
		size_t n = n1 > n0 ? (size_t)(n1 - n0) : 0;
		printf("sleeper_frac %.4f\nhog_frac %.4f\n", fa, fb);
		printf("sleeper_duty_nominal %.4f\n", run_us / (run_us + sleep_us));
		printf("loops_per_s %.1f\n", (double)n / wall);
		if (n) {
			uint64_t *v = a.late + n0, sum = 0;
			for (size_t i = 0; i < n; i++)
				sum += v[i];
			qsort(v, n, sizeof(*v), cmp_u64);
			printf("wake_late_mean_ns %.0f\n", (double)sum / (double)n);
			printf("wake_late_median_ns %llu\n",
			       (unsigned long long)percentile_sorted(v, n, 50));
			printf("wake_late_p90_ns %llu\n",
			       (unsigned long long)percentile_sorted(v, n, 90));
		}
		printf("timer_slack_ns %d\n", a.slack_got);
		print_task_delta("sleeper", a0, a1, wall);
		print_task_delta("hog", b0, b1, wall);
		free(a.late);
		break;
	}
	}
	printf("foreign_cpus %.3f\n", foreign_cpus(m0, m1));
	return 0;
}
