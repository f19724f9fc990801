/* SPDX-License-Identifier: MIT */
/*
 * A policy is every switch of the host scheduler model and the KVM model in
 * one struct: the kernel's sched_features, the KVM module parameters, the
 * guest's PV features and the series' knobs. Presets (vanilla, deboost,
 * lagcredit, ipi-aware, series-v2, series-v3) are values of it; the knob
 * table names every field the way the kernel does, so scenario files and the
 * CLI can set them by name.
 */
#ifndef OVERSUB_SCENARIO_POLICY_H
#define OVERSUB_SCENARIO_POLICY_H

#include "core/types.h"
#include "kvm/kvm.h"
#include "sched/sched.h"

struct policy {
	struct sched_features sched;
	struct kvm_knobs kvm;
};

enum knob_type {
	KNOB_BOOL, /* bool */
	KNOB_U32, /* unsigned int, range [min, max] */
	KNOB_DURATION, /* u64 nanoseconds, written with a unit */
};

struct knob {
	const char *name; /* the kernel's name */
	enum knob_type type;
	size_t offset; /* offsetof(struct policy, ...) */
	u64 min, max; /* KNOB_U32 and KNOB_DURATION: accepted range */
	const char *where; /* where it lives in the kernel or the series */
	const char *meaning; /* one line */
};

struct policy_preset_desc {
	const char *name;
	const char *desc; /* one line */
	void (*apply)(struct policy *p); /* from vanilla */
};

extern const struct knob policy_knobs[];
extern const size_t policy_nr_knobs;
extern const struct policy_preset_desc policy_presets[];
extern const size_t policy_nr_presets;

/* Vanilla: upstream v6.19 defaults with every knob of the series off. */
void policy_defaults(struct policy *p);
/* Set @p to the preset @name; -ENOENT if there is no such preset. */
int policy_preset(struct policy *p, const char *name);

const struct knob *policy_knob_find(const char *name);
const char *knob_type_name(enum knob_type t);
/* A knob's value as an integer (bool: 0/1, durations: ns). */
u64 policy_knob_get(const struct policy *p, const struct knob *k);
/* A knob's value as text that policy_set_knob() parses back ("on", "6ms",
 * "4096"). Returns snprintf's result: the length it needed. */
int policy_knob_format(const struct policy *p, const struct knob *k, char *buf,
		       size_t len);

/*
 * Parse @value for knob @name and store it. 0 on success; -ENOENT for an
 * unknown knob, -EINVAL for a bad value, with a message naming the knob and
 * what it accepts in @err (if @err is not NULL).
 */
int policy_set_knob(struct policy *p, const char *name, const char *value,
		    char *err, size_t errlen);

#endif
