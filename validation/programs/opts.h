/* SPDX-License-Identifier: MIT */
/*
 * Helpers the reimplemented programs share (blackscholes.c, dedup.c,
 * ebizzy.c): their options and operands, and the timed run's end. An
 * includer defines `static const char *cmd` and `static void usage(void)`
 * before including this file.
 */
#ifndef OVERSUB_VALIDATION_OPTS_H
#define OVERSUB_VALIDATION_OPTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* "CMD: option -X: WHY", the usage, exit 2 */
static void bad_option(int opt, const char *why)
{
	fprintf(stderr, "%s: option -%c: %s\n", cmd, opt, why);
	usage();
	exit(2);
}

/* a number of seconds up to 1e6: above 0, or also 0 when @zero_ok */
static double parse_seconds(int opt, const char *arg, bool zero_ok)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(zero_ok ? v >= 0.0 : v > 0.0) ||
	    v > 1e6)
		bad_option(opt, zero_ok ? "expects a number of seconds >= 0"
					: "expects a positive number of seconds");
	return v;
}

/* after getopt: the programs take no operands */
static void no_operands(int argc, char **argv)
{
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", cmd,
			argv[optind]);
		usage();
		exit(2);
	}
}

/* sleep until @seconds after @start (CLOCK_MONOTONIC), through signals */
static inline void sleep_until(struct timespec start, double seconds)
{
	struct timespec t = start;

	t.tv_sec += (time_t)seconds;
	t.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
	       EINTR)
		;
}

#endif
