// SPDX-License-Identifier: MIT
/*
 * wl.c - workloads for the newly-idle balance measurement (run.sh of this
 * directory; traced by newidle).
 *
 * Usage: wl MODE [SECONDS]     (default 10 s)
 *
 * Every mode runs a sleeper pinned to CPU 0: sleep 100 us, spin 2 us,
 * repeat, so CPU 0 goes newly idle a few thousand times a second.  The
 * modes differ in what runs on CPU 1:
 *   idle_only    nothing: no runqueue has 2 tasks, rd->overloaded stays
 *                clear and every newly-idle call stops at that first gate
 *   noover       one hog pinned to CPU 1: still one task per runqueue
 *   pinned_fail  two hogs pinned to CPU 1: overloaded, so the calls pass
 *                the gate, but no task may move, so every balance pass
 *                fails (and NI_RANDOM's newidle_ratio drops to 0)
 *
 * Prints "key value" lines:
 *   sleeps          sleeper iterations in the window
 *   sleeps_per_s    the same per second
 *   foreign_cpus    CPU time used by other processes meanwhile, in CPUs
 *                   (see ../common.h; includes the tracer's loader)
 */
#include "../common.h"

#include <pthread.h>
#include <stdatomic.h>

#define SLEEP_NS 100000
#define SPIN_NS 2000

static atomic_int stop;

static void *sleeper(void *arg)
{
	long *iters = arg;
	pin_cpu(0);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		sleep_ns(SLEEP_NS);
		spin_ns(SPIN_NS);
		(*iters)++;
	}
	return NULL;
}

static void *hog(void *arg)
{
	volatile uint64_t work = 0;
	(void)arg;
	pin_cpu(1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		work++;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	double seconds = argc > 2 ? atof(argv[2]) : 10.0;
	int nhogs = -1;

	if (strcmp(mode, "idle_only") == 0)
		nhogs = 0;
	else if (strcmp(mode, "noover") == 0)
		nhogs = 1;
	else if (strcmp(mode, "pinned_fail") == 0)
		nhogs = 2;
	if (argc > 3 || nhogs < 0 || seconds <= 0) {
		fprintf(stderr,
			"usage: wl idle_only|noover|pinned_fail [SECONDS]\n");
		return 2;
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "wl: needs CPUs 0 and 1\n");
		return 1;
	}

	pthread_t th[3];
	long iters = 0;
	struct busy_sample b0 = busy_sample();
	uint64_t t0 = now_ns();
	check(pthread_create(&th[0], NULL, sleeper, &iters), "pthread_create");
	for (int i = 1; i <= nhogs; i++)
		check(pthread_create(&th[i], NULL, hog, NULL),
		      "pthread_create");
	sleep_ns((uint64_t)(seconds * 1e9));
	atomic_store(&stop, 1);
	for (int i = 0; i <= nhogs; i++)
		pthread_join(th[i], NULL);
	uint64_t t1 = now_ns();
	struct busy_sample b1 = busy_sample();

	printf("sleeps %ld\n", iters);
	printf("sleeps_per_s %.0f\n",
	       (double)iters / ((double)(t1 - t0) / 1e9));
	printf("foreign_cpus %.3f\n", foreign_cpus(b0, b1));
	return 0;
}
