/*
 * pingpong.c - context-switch cost and wakeup latency over pipes
 * (tests 2 and 3 of run.sh).
 *
 * Usage:
 *   pingpong syscall [N]
 *       One thread pinned to CPU 0.  Times N write(1 byte)+read(1 byte)
 *       pairs on a pipe to itself (never blocks, never switches) and N
 *       getppid() calls.  Prints
 *         write_read_ns    cost of one write+read pair (median of batches)
 *         null_syscall_ns  cost of one getppid() (median of batches)
 *
 *   pingpong pp CPU_A CPU_B [N [GAP_US]]
 *       Thread pp_a pinned to CPU_A, thread pp_b pinned to CPU_B.  pp_a
 *       writes a byte to pipe ab and blocks reading pipe ba; pp_b blocks
 *       reading ab and answers on ba.  One round trip = 2 wakeups (and, on
 *       one CPU, 2 context switches) + 2 write+read pairs.  With GAP_US > 0
 *       pp_a busy-waits GAP_US before each ping so pp_b's CPU has been idle
 *       that long when the ping arrives.  After 1000 warm-up round trips,
 *       N are measured.  Prints
 *         rtt_mean_ns      elapsed / N (excluding the gaps)
 *         rtt_median_ns, rtt_p90_ns   per round trip, timed in pp_a
 *         oneway_median_ns, oneway_p90_ns
 *                          CLOCK_MONOTONIC before pp_a's write() to after
 *                          pp_b's read() returned (direct one-way time)
 *         csw_per_rt       context switches of both threads (getrusage
 *                          RUSAGE_THREAD, voluntary+involuntary) / N
 *         iters_total      N + warm-up (to divide perf stat counts by)
 *         tid_a, tid_b     thread ids (for wakelat and perf filters)
 *
 * Both modes also print foreign_cpus: CPU time used by other processes
 * during the measurement, in CPUs (see common.h); run.sh re-runs a
 * measurement that was disturbed.
 */
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>

#define WARMUP 1000
#define BATCH 1000

/* ---- syscall mode --------------------------------------------------- */

/* Median over batches of BATCH calls of the per-call cost, in ns. */
static double time_batches(int n, int (*op)(int *), int *fds)
{
	int nb = n / BATCH > 0 ? n / BATCH : 1;
	uint64_t *per = malloc(sizeof(*per) * (size_t)nb);
	if (!per)
		die("malloc");
	for (int b = 0; b < nb; b++) {
		uint64_t t0 = now_ns();
		for (int i = 0; i < BATCH; i++)
			if (op(fds) != 0)
				die("syscall op");
		/* per-call cost in 1/1000 ns units to keep precision */
		per[b] = (now_ns() - t0) * 1000 / BATCH;
	}
	qsort(per, (size_t)nb, sizeof(*per), cmp_u64);
	double med = (double)percentile_sorted(per, (size_t)nb, 50) / 1000.0;
	free(per);
	return med;
}

static int op_write_read(int *fds)
{
	char c = 'x';
	if (write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
		return -1;
	return 0;
}

static int op_getppid(int *fds)
{
	(void)fds;
	syscall(SYS_getppid);	/* raw syscall: never cached by libc */
	return 0;
}

static int syscall_mode(int n)
{
	int fds[2];
	pin_cpu(0);
	if (pipe2(fds, O_CLOEXEC) != 0)
		die("pipe2");
	time_batches(BATCH * 10, op_write_read, fds); /* warm up */
	struct busy_sample b0 = busy_sample();
	printf("write_read_ns %.1f\n", time_batches(n, op_write_read, fds));
	printf("null_syscall_ns %.1f\n", time_batches(n, op_getppid, fds));
	printf("foreign_cpus %.3f\n", foreign_cpus(b0, busy_sample()));
	return 0;
}

/* ---- ping-pong mode ------------------------------------------------- */

struct pp {
	int cpu_a, cpu_b, n;
	uint64_t gap_ns;
	int ab[2], ba[2];		/* pipes a->b, b->a */
	_Atomic uint64_t t_send;	/* pp_a's timestamp of the last ping */
	uint64_t *rtt, *oneway;		/* per round trip samples, ns */
	uint64_t elapsed_ns;		/* sum of measured round trips */
	long csw_a, csw_b;		/* switches during the measured part */
	pid_t tid_a, tid_b;
	pthread_barrier_t ready;
};

static long thread_csw(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		die("getrusage");
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void *pinger(void *arg)
{
	struct pp *p = arg;
	char c = 'p';
	long csw0 = 0;

	pthread_setname_np(pthread_self(), "pp_a");
	pin_cpu(p->cpu_a);
	p->tid_a = gettid();
	pthread_barrier_wait(&p->ready);
	for (int i = 0; i < WARMUP + p->n; i++) {
		if (i == WARMUP)
			csw0 = thread_csw();
		if (p->gap_ns)
			spin_ns(p->gap_ns);
		uint64_t t0 = now_ns();
		atomic_store_explicit(&p->t_send, t0, memory_order_release);
		if (write(p->ab[1], &c, 1) != 1 || read(p->ba[0], &c, 1) != 1)
			die("pinger pipe");
		uint64_t t1 = now_ns();
		if (i >= WARMUP) {
			p->rtt[i - WARMUP] = t1 - t0;
			p->elapsed_ns += t1 - t0;
		}
	}
	p->csw_a = thread_csw() - csw0;
	return NULL;
}

static void *ponger(void *arg)
{
	struct pp *p = arg;
	char c;
	long csw0 = 0;

	pthread_setname_np(pthread_self(), "pp_b");
	pin_cpu(p->cpu_b);
	p->tid_b = gettid();
	pthread_barrier_wait(&p->ready);
	for (int i = 0; i < WARMUP + p->n; i++) {
		if (i == WARMUP)
			csw0 = thread_csw();
		if (read(p->ab[0], &c, 1) != 1)
			die("ponger read");
		uint64_t t = now_ns();
		if (i >= WARMUP)
			p->oneway[i - WARMUP] =
				t - atomic_load_explicit(&p->t_send,
							 memory_order_acquire);
		if (write(p->ba[1], &c, 1) != 1)
			die("ponger write");
	}
	p->csw_b = thread_csw() - csw0;
	return NULL;
}

static int pp_mode(int cpu_a, int cpu_b, int n, double gap_us)
{
	static struct pp p;
	p.cpu_a = cpu_a;
	p.cpu_b = cpu_b;
	p.n = n;
	p.gap_ns = (uint64_t)(gap_us * 1000.0);
	p.rtt = calloc((size_t)n, sizeof(uint64_t));
	p.oneway = calloc((size_t)n, sizeof(uint64_t));
	if (!p.rtt || !p.oneway)
		die("calloc");
	if (pipe2(p.ab, O_CLOEXEC) != 0 || pipe2(p.ba, O_CLOEXEC) != 0)
		die("pipe2");
	pthread_barrier_init(&p.ready, NULL, 2);

	pthread_t ta, tb;
	struct busy_sample b0 = busy_sample();
	check(pthread_create(&tb, NULL, ponger, &p), "pthread_create");
	check(pthread_create(&ta, NULL, pinger, &p), "pthread_create");
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	double foreign = foreign_cpus(b0, busy_sample());

	qsort(p.rtt, (size_t)n, sizeof(uint64_t), cmp_u64);
	qsort(p.oneway, (size_t)n, sizeof(uint64_t), cmp_u64);
	printf("rtt_mean_ns %.1f\n", (double)p.elapsed_ns / n);
	printf("rtt_median_ns %llu\n",
	       (unsigned long long)percentile_sorted(p.rtt, (size_t)n, 50));
	printf("rtt_p90_ns %llu\n",
	       (unsigned long long)percentile_sorted(p.rtt, (size_t)n, 90));
	printf("oneway_median_ns %llu\n",
	       (unsigned long long)percentile_sorted(p.oneway, (size_t)n, 50));
	printf("oneway_p90_ns %llu\n",
	       (unsigned long long)percentile_sorted(p.oneway, (size_t)n, 90));
	printf("csw_per_rt %.3f\n", (double)(p.csw_a + p.csw_b) / n);
	printf("iters_total %d\n", WARMUP + n);
	printf("foreign_cpus %.3f\n", foreign);
	printf("tid_a %d\ntid_b %d\n", (int)p.tid_a, (int)p.tid_b);
	free(p.rtt);
	free(p.oneway);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "syscall") == 0)
		return syscall_mode(argc > 2 ? atoi(argv[2]) : 1000000);
	if (argc >= 4 && strcmp(argv[1], "pp") == 0) {
		int n = argc > 4 ? atoi(argv[4]) : 100000;
		double gap = argc > 5 ? atof(argv[5]) : 0.0;
		if (n < 1 || gap < 0) {
			fprintf(stderr, "pingpong: bad N or GAP_US\n");
			return 2;
		}
		return pp_mode(atoi(argv[2]), atoi(argv[3]), n, gap);
	}
	fprintf(stderr, "usage: pingpong syscall [N]\n"
			"       pingpong pp CPU_A CPU_B [N [GAP_US]]\n");
	return 2;
}
