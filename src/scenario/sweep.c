// SPDX-License-Identifier: MIT
/*
 * Sweep axes and points: see sweep.h. The points are not kept: each is the
 * scenario text parsed again with its values set, which costs about what
 * reading the file does.
 */
#include "scenario/sweep.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmsg.h"
#include "scenario/policy.h"
#include "scenario/units.h"

/* A literal value: what scenario values are made of, and nothing that
 * would need quoting in a CSV cell or a shell word. */
static bool literal_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.+-%", *s))
			return false;
	return true;
}

static int values_add(char (**v)[SWEEP_MAX_VALUE_LEN], unsigned int *nr,
		      const char *s, char *err, size_t errlen)
{
	char(*n)[SWEEP_MAX_VALUE_LEN];

	for (unsigned int i = 0; i < *nr; i++)
		if (!strcmp((*v)[i], s))
			return errmsg_set(err, errlen, "value '%s' given twice",
					  s);
	if (*nr == SWEEP_MAX_VALUES)
		return errmsg_set(err, errlen, "at most %d values",
				  SWEEP_MAX_VALUES);
	n = realloc(*v, (*nr + 1) * sizeof(*n));
	if (!n)
		return errmsg_set(err, errlen, "out of memory");
	*v = n;
	snprintf(n[(*nr)++], SWEEP_MAX_VALUE_LEN, "%s", s);
	return 0;
}

/* "A..B" with A and B decimal integers: 1 (and the bounds), 0 if @s is
 * not a range, -EINVAL if it is a bad one. */
static int range_parse(const char *s, u64 *a, u64 *b, char *err, size_t errlen)
{
	const char *dots = strstr(s, "..");
	char lo[32];
	size_t n;

	if (!dots)
		return 0;
	n = (size_t)(dots - s);
	if (n >= sizeof(lo))
		return errmsg_set(err, errlen, "bad range '%s'", s);
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (parse_u64(lo, a) || parse_u64(dots + 2, b))
		return errmsg_set(err, errlen,
				  "bad range '%s': A..B takes two "
				  "decimal integers",
				  s);
	if (*a > *b)
		return errmsg_set(err, errlen,
				  "range '%s' is empty (A..B needs "
				  "A <= B)",
				  s);
	if (*b - *a >= SWEEP_MAX_VALUES)
		return errmsg_set(err, errlen, "range '%s': at most %d values",
				  s, SWEEP_MAX_VALUES);
	return 1;
}

int sweep_values_parse(const char *s, char (**out)[SWEEP_MAX_VALUE_LEN],
		       unsigned int *nr, char *err, size_t errlen)
{
	char item[SWEEP_MAX_VALUE_LEN + 1];
	const char *p = s;
	int ret = 0;

	*out = NULL;
	*nr = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *b = p, *e = p + n;
		u64 lo, hi;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (b == e) {
			ret = errmsg_set(err, errlen, "empty value in '%s'", s);
			break;
		}
		if ((size_t)(e - b) >= SWEEP_MAX_VALUE_LEN) {
			ret = errmsg_set(err, errlen,
					 "value '%.*s' longer than %d "
					 "characters",
					 (int)(e - b), b,
					 SWEEP_MAX_VALUE_LEN - 1);
			break;
		}
		memcpy(item, b, (size_t)(e - b));
		item[e - b] = '\0';
		ret = range_parse(item, &lo, &hi, err, errlen);
		if (ret < 0)
			break;
		if (ret) {
			char num[24];

			ret = 0;
			for (u64 x = lo; !ret; x++) {
				snprintf(num, sizeof(num), "%llu",
					 (unsigned long long)x);
				ret = values_add(out, nr, num, err, errlen);
				if (x == hi)
					break;
			}
		} else if (!literal_ok(item)) {
			ret = errmsg_set(err, errlen,
					 "value '%s': letters, digits "
					 "and _ . + - %% only",
					 item);
		} else {
			ret = values_add(out, nr, item, err, errlen);
		}
		if (ret || !p[n])
			break;
		p += n + 1;
	}
	if (ret) {
		free(*out);
		*out = NULL;
		*nr = 0;
	}
	return ret;
}

/* "vm.web.vcpus" -> "[vm web]", "vcpus"; "host.cpus" -> "[host]". */
static int axis_name(struct sweep_axis *a, char *err, size_t errlen)
{
	const char *dot = strchr(a->name, '.');
	const char *last = strrchr(a->name, '.');
	size_t kind;

	if (!strcmp(a->name, "policy")) {
		a->kind = SWEEP_POLICY;
		return 0;
	}
	if (!strcmp(a->name, "seed") || !strcmp(a->name, "seeds")) {
		a->kind = SWEEP_SEED;
		return 0;
	}
	a->kind = SWEEP_KEY;
	if (!dot || !last[1])
		goto bad;
	kind = (size_t)(dot - a->name);
	if (strlen(last + 1) >= sizeof(a->key))
		goto bad;
	snprintf(a->key, sizeof(a->key), "%s", last + 1);
	if ((kind == 2 && !strncmp(a->name, "vm", 2)) ||
	    (kind == 4 && !strncmp(a->name, "task", 4))) {
		if (last == dot)
			return errmsg_set(err, errlen,
					  "%s: needs the section's "
					  "name: %.*s.NAME.%s",
					  a->name, (int)kind, a->name, a->key);
		snprintf(a->section, sizeof(a->section), "[%.*s %.*s]",
			 (int)kind, a->name, (int)(last - dot - 1), dot + 1);
		return 0;
	}
	if (last != dot)
		goto bad;
	if ((kind == 4 && !strncmp(a->name, "host", 4)) ||
	    (kind == 6 && !strncmp(a->name, "policy", 6)) ||
	    (kind == 3 && !strncmp(a->name, "run", 3))) {
		if (kind == 3 &&
		    (!strcmp(a->key, "seed") || !strcmp(a->key, "seeds")))
			return errmsg_set(err, errlen,
					  "%s: seeds are the `seed` "
					  "axis (seed = 1..5)",
					  a->name);
		snprintf(a->section, sizeof(a->section), "[%.*s]", (int)kind,
			 a->name);
		return 0;
	}
	if ((kind == 5 && !strncmp(a->name, "table", 5)) ||
	    (kind == 5 && !strncmp(a->name, "sweep", 5)))
		return errmsg_set(err, errlen,
				  "%s: [%.*s] keys cannot be swept", a->name,
				  (int)kind, a->name);
bad:
	return errmsg_set(err, errlen,
			  "'%s': an axis is policy, seed, host.KEY, "
			  "run.KEY, policy.KNOB, vm.NAME.KEY or task.NAME.KEY",
			  a->name);
}

/* One axis "NAME" with values "VALUES" from @origin into @a. */
static int axis_make(struct sweep_axis *a, const char *name, const char *values,
		     const char *origin, char *err, size_t errlen)
{
	char msg[512];

	memset(a, 0, sizeof(*a));
	snprintf(a->origin, sizeof(a->origin), "%s", origin);
	if (strlen(name) >= sizeof(a->name))
		return errmsg_set(err, errlen, "%s: axis name too long",
				  origin);
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (axis_name(a, msg, sizeof(msg)))
		return errmsg_set(err, errlen, "%s: %s", origin, msg);
	if (sweep_values_parse(values, &a->values, &a->nr_values, msg,
			       sizeof(msg)))
		return errmsg_set(err, errlen, "%s: %s: %s", origin, name, msg);
	return 0;
}

static void axis_free(struct sweep_axis *a)
{
	free(a->values);
	a->values = NULL;
	a->nr_values = 0;
}

/* Put @a in its place: the policy or seed axis, or a key axis (one of
 * the same name replaced). @a's values move. */
static int axis_place(struct sweep *sw, struct sweep_axis *a, char *err,
		      size_t errlen)
{
	struct sweep_axis *slot = NULL;

	if (a->kind == SWEEP_POLICY) {
		slot = &sw->policy;
	} else if (a->kind == SWEEP_SEED) {
		u64 *seeds = calloc(a->nr_values, sizeof(*seeds));

		if (!seeds)
			return errmsg_set(err, errlen, "out of memory");
		for (unsigned int i = 0; i < a->nr_values; i++) {
			if (parse_u64(a->values[i], &seeds[i])) {
				free(seeds);
				return errmsg_set(
					err, errlen,
					"%s: seed: '%s' is "
					"not a seed (a decimal integer)",
					a->origin, a->values[i]);
			}
		}
		free(sw->seeds);
		sw->seeds = seeds;
		sw->nr_seeds = a->nr_values;
		axis_free(a);
		return 0;
	} else {
		for (unsigned int i = 0; i < sw->nr_axes; i++)
			if (!strcmp(sw->axes[i].section, a->section) &&
			    !strcmp(sw->axes[i].key, a->key))
				slot = &sw->axes[i];
		if (!slot) {
			if (sw->nr_axes == SWEEP_MAX_AXES)
				return errmsg_set(err, errlen,
						  "%s: at most %d axes",
						  a->origin, SWEEP_MAX_AXES);
			slot = &sw->axes[sw->nr_axes++];
		}
	}
	axis_free(slot);
	*slot = *a;
	a->values = NULL;
	a->nr_values = 0;
	return 0;
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static u64 fnv_str(u64 h, const char *s)
{
	return fnv(h, s, strlen(s) + 1);
}

static u64 sweep_hash(const struct sweep *sw)
{
	u64 h = fnv_str(0xcbf29ce484222325ull, sw->text);

	for (unsigned int a = 0; a < sw->nr_axes; a++) {
		h = fnv_str(h, sw->axes[a].name);
		for (unsigned int v = 0; v < sw->axes[a].nr_values; v++)
			h = fnv_str(h, sw->axes[a].values[v]);
	}
	h = fnv_str(h, "policy");
	for (unsigned int p = 0; p < sw->nr_policies; p++)
		h = fnv_str(h, sweep_policy_name(sw, p));
	h = fnv_str(h, "seed");
	return fnv(h, sw->seeds, sw->nr_seeds * sizeof(*sw->seeds));
}

/* The policy axis: presets, each at most once (values_add). */
static int policies_check(const struct sweep *sw, char *err, size_t errlen)
{
	struct policy p;

	for (unsigned int i = 0; i < sw->policy.nr_values; i++)
		if (policy_preset(&p, sw->policy.values[i]))
			return errmsg_set(err, errlen,
					  "%s: policy: unknown preset "
					  "'%s' (oversub list presets)",
					  sw->policy.origin,
					  sw->policy.values[i]);
	return 0;
}

/* Every point parses and runs each policy (scenario_policy). */
static int points_check(const struct sweep *sw, char *err, size_t errlen)
{
	for (unsigned int pt = 0; pt < sw->nr_points; pt++) {
		struct scenario sc;
		struct policy p;
		char msg[512];

		if (sweep_point(sw, pt, &sc, err, errlen))
			return -EINVAL;
		for (unsigned int i = 0; i < sw->policy.nr_values; i++) {
			if (scenario_policy(&sc, sw->policy.values[i], &p, msg,
					    sizeof(msg))) {
				scenario_free(&sc);
				return errmsg_set(err, errlen,
						  "%s: policy %s: %s", sw->file,
						  sw->policy.values[i], msg);
			}
		}
		scenario_free(&sc);
	}
	return 0;
}

int sweep_init(struct sweep *sw, const char *file, const char *text,
	       const char *const *vary, unsigned int nr_vary, char *err,
	       size_t errlen)
{
	struct sweep_axis a = { 0 };
	char origin[300];
	u64 runs = 1;

	memset(sw, 0, sizeof(*sw));
	sw->file = file;
	sw->text = text;
	if (scenario_parse(text, file, &sw->base, err, errlen))
		return -EINVAL;
	if (sw->base.table)
		return errmsg_set(err, errlen,
				  "%s: a [table] scenario is a sweep of "
				  "its own: run it with 'oversub table %s'",
				  file, file);
	for (unsigned int i = 0; i < sw->base.nr_sweep; i++) {
		const struct scenario_kv *kv = &sw->base.sweep[i];

		snprintf(origin, sizeof(origin), "%s:%d", file, kv->line);
		if (axis_make(&a, kv->key, kv->value, origin, err, errlen) ||
		    axis_place(sw, &a, err, errlen))
			goto fail;
	}
	for (unsigned int i = 0; i < nr_vary; i++) {
		const char *eq = strchr(vary[i], '=');
		char name[128];

		if (!eq || eq == vary[i] ||
		    (size_t)(eq - vary[i]) >= sizeof(name))
			return errmsg_set(
				err, errlen,
				"--vary: expected KEY=VALUES "
				"(e.g. vm.web.vcpus=4,8 or seed=1..5), "
				"got '%s'",
				vary[i]);
		snprintf(name, sizeof(name), "%.*s", (int)(eq - vary[i]),
			 vary[i]);
		if (axis_make(&a, name, eq + 1, "--vary", err, errlen) ||
		    axis_place(sw, &a, err, errlen))
			goto fail;
	}
	if (!sw->seeds) {
		sw->seeds = calloc(sw->base.nr_seeds, sizeof(*sw->seeds));
		if (!sw->seeds)
			return errmsg_set(err, errlen, "out of memory");
		memcpy(sw->seeds, sw->base.seeds,
		       sw->base.nr_seeds * sizeof(*sw->seeds));
		sw->nr_seeds = sw->base.nr_seeds;
	}
	sw->nr_policies = sw->policy.nr_values ? sw->policy.nr_values : 1;
	sw->nr_points = 1;
	for (unsigned int i = 0; i < sw->nr_axes; i++) {
		runs *= sw->axes[i].nr_values;
		if (runs > SWEEP_MAX_RUNS)
			break;
		sw->nr_points *= sw->axes[i].nr_values;
	}
	runs *= (u64)sw->nr_policies * sw->nr_seeds;
	if (runs > SWEEP_MAX_RUNS)
		return errmsg_set(err, errlen,
				  "%s: the sweep has more than %d runs "
				  "(axes x policies x seeds); split it",
				  file, SWEEP_MAX_RUNS);
	sw->nr_runs = (unsigned int)runs;
	if (policies_check(sw, err, errlen) || points_check(sw, err, errlen))
		return -EINVAL;
	sw->id = sweep_hash(sw);
	return 0;
fail:
	axis_free(&a);
	return -EINVAL;
}

u64 sweep_id(const struct sweep *sw, const char *tag)
{
	return fnv(sw->id, tag, strlen(tag));
}

void sweep_free(struct sweep *sw)
{
	for (unsigned int i = 0; i < sw->nr_axes; i++)
		axis_free(&sw->axes[i]);
	axis_free(&sw->policy);
	free(sw->seeds);
	scenario_free(&sw->base);
	memset(sw, 0, sizeof(*sw));
}

const char *sweep_value(const struct sweep *sw, unsigned int point,
			unsigned int axis)
{
	/* the last axis varies fastest */
	for (unsigned int i = sw->nr_axes; i-- > axis + 1;)
		point /= sw->axes[i].nr_values;
	return sw->axes[axis].values[point % sw->axes[axis].nr_values];
}

const char *sweep_policy_name(const struct sweep *sw, unsigned int policy)
{
	return sw->policy.nr_values ? sw->policy.values[policy] :
				      sw->base.preset;
}

int sweep_point(const struct sweep *sw, unsigned int point,
		struct scenario *out, char *err, size_t errlen)
{
	struct scenario_set sets[SWEEP_MAX_AXES];
	char origin[SWEEP_MAX_AXES][512];

	for (unsigned int i = 0; i < sw->nr_axes; i++) {
		const struct sweep_axis *a = &sw->axes[i];
		const char *v = sweep_value(sw, point, i);

		if (!strcmp(a->origin, "--vary"))
			snprintf(origin[i], sizeof(origin[i]), "--vary %s=%s",
				 a->name, v);
		else
			snprintf(origin[i], sizeof(origin[i]), "%s: %s = %s",
				 a->origin, a->name, v);
		sets[i] = (struct scenario_set){ .section = a->section,
						 .key = a->key,
						 .value = v,
						 .origin = origin[i] };
	}
	if (!scenario_parse_with(sw->text, sw->file, sets, sw->nr_axes, out,
				 err, errlen))
		return 0;
	/* a check of the whole section or file: say at which point */
	for (unsigned int i = 0; i < sw->nr_axes; i++)
		if (err && !strncmp(err, origin[i], strlen(origin[i])))
			return -EINVAL;
	for (unsigned int i = 0; err && i < sw->nr_axes; i++) {
		size_t n = strlen(err);

		snprintf(err + n, errlen - n, "%s%s=%s%s", i ? ", " : " (at ",
			 sw->axes[i].name, sweep_value(sw, point, i),
			 i + 1 == sw->nr_axes ? ")" : "");
	}
	return -EINVAL;
}
