// SPDX-License-Identifier: MIT
/*
 * blackscholes.c - a reimplementation of PARSEC 3.0 blackscholes, pthreads
 * version (pkgs/apps/blackscholes/src/blackscholes.c, built by PARSEC as
 * C++ through c.m4.pthreads), for profiling.
 *
 * As in the original, the portfolio is split into one contiguous block per
 * thread (numOptions / nThreads options each; a remainder is not priced),
 * every thread prices its block NUM_RUNS (100) times with
 * BlkSchlsEqEuroNoDiv() and CNDF(), with no synchronisation and no system
 * calls, and the main thread only joins them. CNDF and BlkSchlsEqEuroNoDiv
 * are the original's, operation for operation, in single precision; exp,
 * log and sqrt of a float are expf, logf and sqrtf, as the C++ overloads
 * the original resolves to.
 *
 * Differences (README.md): the portfolio is generated from the value sets
 * of PARSEC's optionData.txt instead of read from in_64K.txt; with -d a
 * thread keeps pricing its block after its NUM_RUNS runs until the time is
 * up (checked between runs, still without a barrier); no reference check
 * (ERR_CHK is off in PARSEC's build too) and no price file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef float fptype;

#define NUM_RUNS 100
#define PAD 256
#define LINESIZE 64

static const char *cmd;
static int numOptions = 65536; /* simlarge: in_64K.txt */
static int nThreads = 1;
static int numRuns = NUM_RUNS;
static double seconds;

static int *otype;
static fptype *sptprice, *strike, *rate, *volatility, *otime, *prices;
static atomic_int stop;

struct worker {
	pthread_t thread;
	int tid;
	long runs;
};

/* Cumulative normal distribution function, Hull section 11.8, as PARSEC. */
#define inv_sqrt_2xPI 0.39894228040143270286

static fptype CNDF(fptype InputX)
{
	int sign;
	fptype OutputX, xInput, xNPrimeofX, expValues, xK2, xK2_2, xK2_3, xK2_4, xK2_5;
	fptype xLocal, xLocal_1, xLocal_2, xLocal_3;

	if (InputX < 0.0) {
		InputX = -InputX;
		sign = 1;
	} else {
		sign = 0;
	}
	xInput = InputX;

	expValues = expf(-0.5f * InputX * InputX);
	xNPrimeofX = expValues;
	xNPrimeofX = xNPrimeofX * inv_sqrt_2xPI;

	xK2 = 0.2316419 * xInput;
	xK2 = 1.0 + xK2;
	xK2 = 1.0 / xK2;
	xK2_2 = xK2 * xK2;
	xK2_3 = xK2_2 * xK2;
	xK2_4 = xK2_3 * xK2;
	xK2_5 = xK2_4 * xK2;

	xLocal_1 = xK2 * 0.319381530;
	xLocal_2 = xK2_2 * (-0.356563782);
	xLocal_3 = xK2_3 * 1.781477937;
	xLocal_2 = xLocal_2 + xLocal_3;
	xLocal_3 = xK2_4 * (-1.821255978);
	xLocal_2 = xLocal_2 + xLocal_3;
	xLocal_3 = xK2_5 * 1.330274429;
	xLocal_2 = xLocal_2 + xLocal_3;

	xLocal_1 = xLocal_2 + xLocal_1;
	xLocal = xLocal_1 * xNPrimeofX;
	xLocal = 1.0 - xLocal;

	OutputX = xLocal;
	if (sign)
		OutputX = 1.0 - OutputX;
	return OutputX;
}

static fptype BlkSchlsEqEuroNoDiv(fptype sptprice, fptype strike, fptype rate,
				  fptype volatility, fptype time, int otype)
{
	fptype OptionPrice, xSqrtTime, logValues, xLogTerm, xD1, xD2, xPowerTerm, xDen;
	fptype d1, d2, FutureValueX, NofXd1, NofXd2, NegNofXd1, NegNofXd2;

	xSqrtTime = sqrtf(time);
	logValues = logf(sptprice / strike);
	xLogTerm = logValues;

	xPowerTerm = volatility * volatility;
	xPowerTerm = xPowerTerm * 0.5;

	xD1 = rate + xPowerTerm;
	xD1 = xD1 * time;
	xD1 = xD1 + xLogTerm;

	xDen = volatility * xSqrtTime;
	xD1 = xD1 / xDen;
	xD2 = xD1 - xDen;

	d1 = xD1;
	d2 = xD2;
	NofXd1 = CNDF(d1);
	NofXd2 = CNDF(d2);

	FutureValueX = strike * expf(-(rate) * (time));
	if (otype == 0) {
		OptionPrice = (sptprice * NofXd1) - (FutureValueX * NofXd2);
	} else {
		NegNofXd1 = (1.0 - NofXd1);
		NegNofXd2 = (1.0 - NofXd2);
		OptionPrice = (FutureValueX * NegNofXd2) - (sptprice * NegNofXd1);
	}
	return OptionPrice;
}

/* The original's bs_thread(): price this thread's block, run after run. */
static void *bs_thread(void *arg)
{
	struct worker *w = arg;
	int start = w->tid * (numOptions / nThreads);
	int end = start + (numOptions / nThreads);
	long j;

	for (j = 0; j < numRuns || !atomic_load_explicit(&stop, memory_order_relaxed); j++) {
		for (int i = start; i < end; i++) {
			prices[i] = BlkSchlsEqEuroNoDiv(sptprice[i], strike[i], rate[i],
							volatility[i], otime[i], otype[i]);
		}
	}
	w->runs = j;
	return NULL;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define PICK(arr, s) ((arr)[splitmix64(s) % (sizeof(arr) / sizeof((arr)[0]))])

/*
 * The portfolio: PARSEC's in_64K.txt repeats the 1000 options of
 * optionData.txt; these are that table's values (spot 50 or 100 with
 * strikes around it, its rates, volatilities and maturities, half calls).
 */
static void generate_portfolio(void)
{
	static const fptype strikes50[] = { 41.25f, 50.0f, 60.75f };
	static const fptype strikes100[] = { 90.0f, 100.0f, 110.0f };
	static const fptype rates[] = { 0.0275f, 0.05f, 0.0725f, 0.0825f, 0.10f };
	static const fptype vols[] = { 0.05f, 0.10f, 0.15f, 0.25f, 0.35f, 0.45f, 0.50f, 0.65f };
	static const fptype times[] = { 0.05f, 0.10f, 0.15f, 0.25f, 0.35f, 0.40f, 0.50f, 0.75f, 1.00f };
	uint64_t s = 0x5eed;

	/* Five arrays in one cache-line aligned buffer, as the original. */
	char *buffer = malloc(5 * (size_t)numOptions * sizeof(fptype) + PAD);
	char *buffer2 = malloc((size_t)numOptions * sizeof(int) + PAD);
	prices = calloc((size_t)numOptions, sizeof(fptype));
	if (buffer == NULL || buffer2 == NULL || prices == NULL) {
		fprintf(stderr, "%s: out of memory\n", cmd);
		exit(1);
	}
	sptprice = (fptype *)(((uintptr_t)buffer + PAD) & ~(uintptr_t)(LINESIZE - 1));
	strike = sptprice + numOptions;
	rate = strike + numOptions;
	volatility = rate + numOptions;
	otime = volatility + numOptions;
	otype = (int *)(((uintptr_t)buffer2 + PAD) & ~(uintptr_t)(LINESIZE - 1));

	for (int i = 0; i < numOptions; i++) {
		int low = splitmix64(&s) & 1;
		sptprice[i] = low ? 50.0f : 100.0f;
		strike[i] = low ? PICK(strikes50, &s) : PICK(strikes100, &s);
		rate[i] = PICK(rates, &s);
		volatility[i] = PICK(vols, &s);
		otime[i] = PICK(times, &s);
		otype[i] = i & 1; /* 0 call, 1 put */
	}
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s [-t THREADS] [-d SECONDS] [-n OPTIONS] [-r RUNS]\n"
		"-t THREADS  worker threads, one contiguous block each (1)\n"
		"-d SECONDS  keep pricing until at least this long (0: exactly RUNS runs)\n"
		"-n OPTIONS  portfolio size (65536, simlarge)\n"
		"-r RUNS     runs over the portfolio, at least (100, NUM_RUNS)\n",
		cmd);
}

#include "opts.h"

static long parse_count(int opt, const char *arg, long max)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > max)
		bad_option(opt, "expects a positive integer in range");
	return v;
}

static void read_options(int argc, char *argv[])
{
	int c;

	cmd = argv[0];
	opterr = 0;
	while ((c = getopt(argc, argv, ":t:d:n:r:")) != -1) {
		switch (c) {
		case 't': nThreads = (int)parse_count(c, optarg, 4096); break;
		case 'n': numOptions = (int)parse_count(c, optarg, 1 << 28); break;
		case 'r': numRuns = (int)parse_count(c, optarg, 1 << 30); break;
		case 'd': seconds = parse_seconds(c, optarg, true); break;
		case ':': bad_option(optopt, "needs an argument"); break;
		default: bad_option(optopt, "unknown option"); break;
		}
	}
	no_operands(argc, argv);
	if (nThreads > numOptions) {
		printf("WARNING: Not enough work, reducing number of threads to match number of options.\n");
		nThreads = numOptions;
	}
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

int main(int argc, char *argv[])
{
	struct timespec start, end;

	read_options(argc, argv);
	generate_portfolio();
	printf("Num of Options: %d\n", numOptions);
	printf("Num of Runs: %d\n", numRuns);

	struct worker *w = calloc((size_t)nThreads, sizeof(*w));
	if (w == NULL) {
		fprintf(stderr, "%s: out of memory\n", cmd);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < nThreads; i++) {
		w[i].tid = i;
		int err = pthread_create(&w[i].thread, NULL, bs_thread, &w[i]);
		if (err) {
			fprintf(stderr, "%s: pthread_create: %s\n", cmd, strerror(err));
			return 1;
		}
	}
	if (seconds > 0.0)
		sleep_until(start, seconds);
	atomic_store(&stop, 1);
	long long ops = 0;
	long min_runs = 0, max_runs = 0;
	for (int i = 0; i < nThreads; i++) {
		pthread_join(w[i].thread, NULL);
		ops += (long long)w[i].runs * (numOptions / nThreads);
		min_runs = (i == 0 || w[i].runs < min_runs) ? w[i].runs : min_runs;
		max_runs = w[i].runs > max_runs ? w[i].runs : max_runs;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	free(w);

	double checksum = 0.0;
	for (int i = 0; i < numOptions; i++)
		checksum += prices[i];
	double elapsed = ts_diff(&end, &start);
	printf("Runs per thread: %ld..%ld\n", min_runs, max_runs);
	printf("Price checksum: %.4f\n", checksum);
	printf("%.0f options/s\n", (double)ops / elapsed);
	printf("unit option\n");
	printf("ops %lld\n", ops);
	printf("seconds %.6f\n", elapsed);
	return 0;
}
