/* SPDX-License-Identifier: MIT */
/*
 * Option helpers the reimplemented programs share (blackscholes.c,
 * dedup.c, ebizzy.c). An includer defines `static const char *cmd` and
 * `static void usage(void)` before including this file.
 */
#ifndef OVERSUB_VALIDATION_OPTS_H
#define OVERSUB_VALIDATION_OPTS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
