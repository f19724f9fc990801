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
 *         yielder_vcsw_per_s, yielder_ivcsw_per_s, hog_ivcsw_per_s
 *                                  context switches (/proc/.../status)
 *
 *   share nice [SECONDS [NICE_B [CPU]]]  (defaults: 5 5 0)
 *       Two spinning threads pinned to CPU, A at nice 0, B at nice NICE_B
 *       (setpriority on its tid: Linux nice is per thread).  Prints
 *         nice0_frac, niceB_frac   CPU time / wall time of each
 *         nice0_share              A / (A + B)
 *         nice0_share_expected     w(0) / (w(0) + w(NICE_B)) from the
 *                                  kernel's sched_prio_to_weight table
 *         nice0_ivcsw_per_s, niceB_ivcsw_per_s
 *
 * Both modes also print foreign_cpus, the CPU time of other processes
 * during the window, in CPUs (see common.h).
 *
 * Both threads belong to one process, so they share cgroup and autogroup.
 * The main thread, which only samples, runs on another CPU when there is
 * one.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>

/* kernel/sched/core.c: sched_prio_to_weight[], nice -20 .. 19 */
static const int prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548,  7620,  6100,  4904,  3906,  3121,  2501,  1991,  1586,  1277,
	1024,  820,   655,   526,   423,   335,   272,   215,   172,   137,
	110,   87,    70,    56,    45,    36,    29,    23,    18,    15,
};

struct arg {
	int cpu, nice, yield;
	pid_t tid;
	_Atomic uint64_t yields;	/* written by the worker, read by main */
};

static atomic_int stop;
static pthread_barrier_t start_barrier;

static void *worker(void *p)
{
	struct arg *a = p;
	volatile uint64_t work = 0;
	uint64_t yields = 0;

	pin_cpu(a->cpu);
	a->tid = gettid();
	if (a->nice && setpriority(PRIO_PROCESS, (id_t)a->tid, a->nice) != 0)
		die("setpriority");
	pthread_barrier_wait(&start_barrier);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (a->yield) {
			sched_yield();
			atomic_store_explicit(&a->yields, ++yields,
					      memory_order_relaxed);
		} else {
			work++;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int yield_mode;
	if (argc >= 2 && strcmp(argv[1], "yield") == 0)
		yield_mode = 1;
	else if (argc >= 2 && strcmp(argv[1], "nice") == 0)
		yield_mode = 0;
	else {
		fprintf(stderr, "usage: share yield [SECONDS [CPU]]\n"
				"       share nice [SECONDS [NICE_B [CPU]]]\n");
		return 2;
	}
	double seconds = argc > 2 ? atof(argv[2]) : 5.0;
	int nice_b = (!yield_mode && argc > 3) ? atoi(argv[3]) : 5;
	int cpu = argc > (yield_mode ? 3 : 4) ? atoi(argv[yield_mode ? 3 : 4])
					      : 0;
	if (seconds <= 0 || nice_b < -20 || nice_b > 19 || cpu < 0) {
		fprintf(stderr, "share: bad arguments\n");
		return 2;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 1)
		pin_cpu((int)((cpu + 1) % ncpu));

	struct arg a = { .cpu = cpu, .yield = yield_mode };
	struct arg b = { .cpu = cpu, .nice = yield_mode ? 0 : nice_b };
	pthread_t ta, tb;
	pthread_barrier_init(&start_barrier, NULL, 3);
	check(pthread_create(&ta, NULL, worker, &a), "pthread_create");
	check(pthread_create(&tb, NULL, worker, &b), "pthread_create");
	pthread_barrier_wait(&start_barrier);

	uint64_t t0 = now_ns();
	struct task_sample a0 = task_sample(a.tid), b0 = task_sample(b.tid);
	struct busy_sample m0 = busy_sample();
	uint64_t y0 = atomic_load(&a.yields);
	sleep_ns((uint64_t)(seconds * 1e9));
	uint64_t t1 = now_ns();
	struct task_sample a1 = task_sample(a.tid), b1 = task_sample(b.tid);
	struct busy_sample m1 = busy_sample();
	uint64_t y1 = atomic_load(&a.yields);
	atomic_store(&stop, 1);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);

	double wall = (double)(t1 - t0) / 1e9;
	double fa = (double)(a1.runtime_ns - a0.runtime_ns) / 1e9 / wall;
	double fb = (double)(b1.runtime_ns - b0.runtime_ns) / 1e9 / wall;
	if (yield_mode) {
		printf("yielder_frac %.4f\nhog_frac %.4f\n", fa, fb);
		printf("yielder_share %.4f\n", fa / (fa + fb));
		printf("yields_per_s %.0f\n", (double)(y1 - y0) / wall);
		printf("yielder_vcsw_per_s %.1f\n",
		       (double)(a1.vcsw - a0.vcsw) / wall);
		printf("yielder_ivcsw_per_s %.1f\n",
		       (double)(a1.ivcsw - a0.ivcsw) / wall);
		printf("hog_ivcsw_per_s %.1f\n",
		       (double)(b1.ivcsw - b0.ivcsw) / wall);
	} else {
		double w0 = prio_to_weight[20], wb = prio_to_weight[20 + nice_b];
		printf("nice0_frac %.4f\nniceB_frac %.4f\n", fa, fb);
		printf("nice0_share %.4f\n", fa / (fa + fb));
		printf("nice0_share_expected %.4f\n", w0 / (w0 + wb));
		printf("nice0_ivcsw_per_s %.1f\n",
		       (double)(a1.ivcsw - a0.ivcsw) / wall);
		printf("niceB_ivcsw_per_s %.1f\n",
		       (double)(b1.ivcsw - b0.ivcsw) / wall);
	}
	printf("foreign_cpus %.3f\n", foreign_cpus(m0, m1));
	return 0;
}
