/* SPDX-License-Identifier: MIT */
/*
 * Value syntax shared by knobs, scenario files and the CLI: booleans,
 * unsigned integers and durations with units. Strict: no sign, no blanks,
 * no trailing junk, overflow is an error.
 */
#ifndef OVERSUB_SCENARIO_UNITS_H
#define OVERSUB_SCENARIO_UNITS_H

#include "core/types.h"

/* 0/1, true/false, on/off, yes/no (any case). 0 or -EINVAL. */
int parse_bool(const char *s, bool *out);
/* Decimal digits only. 0, -EINVAL (syntax) or -ERANGE (overflow). */
int parse_u64(const char *s, u64 *out);
/*
 * A duration in ns: a number with unit ns, us, ms or s (bare number: ns).
 * A decimal point is allowed when the result is a whole number of ns
 * ("1.5ms" = 1500000). 0, -EINVAL (syntax) or -ERANGE (overflow).
 */
int parse_duration_ns(const char *s, u64 *out);
/*
 * A clock frequency in kHz: a number with unit Hz, kHz, MHz or GHz (unit
 * letters in any case; a unit is required, a bare number is -EINVAL). A
 * decimal point is allowed when the result is a whole number of kHz
 * ("2.5GHz" = 2500000, "1500Hz" is -EINVAL). 0, -EINVAL or -ERANGE.
 */
int parse_freq_khz(const char *s, u64 *out);
/* @khz in the largest unit that keeps it whole ("3GHz", "2500MHz", "0"). */
int format_freq(char *buf, size_t len, u64 khz);
/* @ns in the largest unit that keeps it whole ("600us", "50ms", "0"). Returns
 * what snprintf returns. */
int format_duration(char *buf, size_t len, u64 ns);

#endif
