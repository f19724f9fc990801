// SPDX-License-Identifier: MIT
#include "scenario/units.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "true", "on", "yes" };
	static const char *const no[] = { "0", "false", "off", "no" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *@s into @v; advances *@s. -EINVAL if none, -ERANGE on overflow. */
static int eat_digits(const char **s, u64 *v)
{
	const char *p = *s;
	u64 x = 0;

	if (!is_digit(*p))
		return -EINVAL;
	for (; is_digit(*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return 0;
}

int parse_u64(const char *s, u64 *out)
{
	u64 v;
	int ret = eat_digits(&s, &v);

	if (ret)
		return ret;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

struct unit {
	const char *suffix;
	u64 mult;
};

static const struct unit duration_units[] = {
	{ "", 1 },
	{ "ns", 1 },
	{ "us", NSEC_PER_USEC },
	{ "ms", NSEC_PER_MSEC },
	{ "s", NSEC_PER_SEC },
};

/* Frequencies in Hz per unit (any case); parsed in Hz, stored in kHz. */
static const struct unit freq_units[] = {
	{ "hz", 1 },
	{ "khz", 1000 },
	{ "mhz", 1000 * 1000 },
	{ "ghz", 1000 * 1000 * 1000 },
};

/*
 * A decimal number followed by one of @units' suffixes, as a whole number
 * of the base unit: "1.5ms" -> 1500000. -EINVAL for syntax, an unknown
 * unit or a value below one base unit; -ERANGE for overflow.
 */
static int parse_with_unit(const char *s, const struct unit *units, size_t n,
			   bool nocase, u64 *out)
{
	u64 whole = 0, frac = 0, scale = 1, mult = 0, v;
	bool too_fine = false;
	int ret = eat_digits(&s, &whole);

	if (ret == -EINVAL)
		return ret;
	if (ret == -ERANGE) {
		/* Still tell junk from overflow: skip the digits. */
		while (is_digit(*s))
			s++;
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		for (; is_digit(*s); s++) {
			if (scale < NSEC_PER_SEC) {
				frac = frac * 10 + (u64)(*s - '0');
				scale *= 10;
			} else if (*s != '0') {
				too_fine = true; /* below 1e-9 of any unit */
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (nocase ? !strcasecmp(s, units[i].suffix) :
			     !strcmp(s, units[i].suffix)) {
			mult = units[i].mult;
			break;
		}
	}
	if (!mult || too_fine)
		return -EINVAL;
	if (ret == -ERANGE || whole > UINT64_MAX / mult)
		return -ERANGE;
	v = whole * mult;
	/* frac < 1e9 and mult <= 1e9: the product fits in u64. */
	if ((frac * mult) % scale)
		return -EINVAL; /* not a whole number of the base unit */
	if (v > UINT64_MAX - frac * mult / scale)
		return -ERANGE;
	*out = v + frac * mult / scale;
	return 0;
}

int parse_duration_ns(const char *s, u64 *out)
{
	return parse_with_unit(s, duration_units, ARRAY_SIZE(duration_units),
			       false, out);
}

int format_duration(char *buf, size_t len, u64 ns)
{
	if (ns == 0)
		return snprintf(buf, len, "0");
	if (ns % NSEC_PER_SEC == 0)
		return snprintf(buf, len, "%llus",
				(unsigned long long)(ns / NSEC_PER_SEC));
	if (ns % NSEC_PER_MSEC == 0)
		return snprintf(buf, len, "%llums",
				(unsigned long long)(ns / NSEC_PER_MSEC));
	if (ns % NSEC_PER_USEC == 0)
		return snprintf(buf, len, "%lluus",
				(unsigned long long)(ns / NSEC_PER_USEC));
	return snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

int parse_freq_khz(const char *s, u64 *out)
{
	u64 hz;
	int ret = parse_with_unit(s, freq_units, ARRAY_SIZE(freq_units), true,
				  &hz);

	if (ret)
		return ret;
	if (hz % 1000)
		return -EINVAL; /* not a whole number of kHz */
	*out = hz / 1000;
	return 0;
}

int format_freq(char *buf, size_t len, u64 khz)
{
	if (khz == 0)
		return snprintf(buf, len, "0");
	if (khz % 1000000 == 0)
		return snprintf(buf, len, "%lluGHz",
				(unsigned long long)(khz / 1000000));
	if (khz % 1000 == 0)
		return snprintf(buf, len, "%lluMHz",
				(unsigned long long)(khz / 1000));
	return snprintf(buf, len, "%llukHz", (unsigned long long)khz);
}
