/* SPDX-License-Identifier: MIT */
/*
 * Sweeps: axes over a scenario's keys, its policy and its seeds, from the
 * file's [sweep] section and from `--vary KEY=VALUES`, and the cross
 * product of their values. An axis is
 *
 *	KEY = v1, v2, ...	each value a literal (10us, on, 2.5GHz) or an
 *				inclusive integer range A..B
 *
 * where KEY is host.KEY, run.KEY, policy.KNOB, vm.NAME.KEY, task.NAME.KEY
 * (the key of that section, put in place of the file's value or added to
 * the section), `policy` (the presets, each run as `oversub compare` runs
 * it: the preset, then the file's [policy] knobs) or `seed` (replaces
 * [run] seeds). Every point of the product is the file parsed with its
 * values set (scenario_parse_with), so each value is checked as the file's
 * own would be, and its errors name the [sweep] line or the --vary.
 * docs/sweep.md describes it for users.
 */
#ifndef OVERSUB_SCENARIO_SWEEP_H
#define OVERSUB_SCENARIO_SWEEP_H

#include <stddef.h>

#include "core/types.h"
#include "scenario/scenario.h"

#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 4096 /* per axis */
#define SWEEP_MAX_RUNS 100000
#define SWEEP_MAX_VALUE_LEN 64

enum sweep_axis_kind {
	SWEEP_KEY, /* a scenario key */
	SWEEP_POLICY, /* `policy`: presets */
	SWEEP_SEED, /* `seed`: seeds */
};

struct sweep_axis {
	char name[128]; /* as written: "vm.web.vcpus", "policy", "seed" */
	enum sweep_axis_kind kind;
	char section[80]; /* SWEEP_KEY: "[vm web]", "[host]" */
	char key[48];
	char origin[300]; /* "FILE:LINE" or "--vary" */
	char (*values)[SWEEP_MAX_VALUE_LEN];
	unsigned int nr_values;
};

struct sweep {
	const char *file; /* for messages */
	const char *text; /* the scenario's text (not owned) */
	struct scenario base; /* the file as written */
	/* the key axes, in order ([sweep], then new --vary axes) */
	struct sweep_axis axes[SWEEP_MAX_AXES];
	unsigned int nr_axes;
	struct sweep_axis policy; /* nr_values 0: the scenario's own */
	u64 *seeds; /* [nr_seeds]: the seed axis or [run] seeds */
	unsigned int nr_seeds;
	unsigned int nr_points; /* product of the key axes' values */
	unsigned int nr_policies; /* at least 1 */
	unsigned int nr_runs; /* points x policies x seeds */
	u64 id; /* hash of the text, the axes, policies and seeds */
};

/*
 * Set up @sw over the scenario @text of @file with @nr_vary `--vary`
 * specs ("KEY=VALUES"; one for an axis of [sweep] replaces it). Checks the
 * axes and every point. 0, or -EINVAL with one message in @err; free with
 * sweep_free either way.
 */
int sweep_init(struct sweep *sw, const char *file, const char *text,
	       const char *const *vary, unsigned int nr_vary, char *err,
	       size_t errlen);
void sweep_free(struct sweep *sw);
/* @sw's id with @tag (the program's version) hashed in: what tells one
 * sweep's results from another's. */
u64 sweep_id(const struct sweep *sw, const char *tag);

/* Run @run's point, policy and seed: run = (point * policies + policy) *
 * seeds + seed. */
static inline void sweep_run_split(const struct sweep *sw, unsigned int run,
				   unsigned int *point, unsigned int *policy,
				   unsigned int *seed)
{
	*seed = run % sw->nr_seeds;
	*policy = (run / sw->nr_seeds) % sw->nr_policies;
	*point = run / sw->nr_seeds / sw->nr_policies;
}

/* The value of key axis @axis at @point. */
const char *sweep_value(const struct sweep *sw, unsigned int point,
			unsigned int axis);
/* The policy name of @policy: a preset, or the scenario's own preset. */
const char *sweep_policy_name(const struct sweep *sw, unsigned int policy);
/* The scenario at @point (free with scenario_free). 0, or -EINVAL. */
int sweep_point(const struct sweep *sw, unsigned int point,
		struct scenario *out, char *err, size_t errlen);

/*
 * One list of axis values: "8, 16, 32", "1..4", "10us,50us", ranges
 * inclusive. Into @out (malloc'd), @nr; 0 or -EINVAL with a message
 * (without the axis name).
 */
int sweep_values_parse(const char *s, char (**out)[SWEEP_MAX_VALUE_LEN],
		       unsigned int *nr, char *err, size_t errlen);

#endif
