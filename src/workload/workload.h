/* SPDX-License-Identifier: MIT */
/*
 * Workloads: programs for guest threads built only from guest primitives
 * (src/guest/prog.h). Each workload has a table of parameters (the keys a
 * [vm] section may set) and a builder. One file per workload.
 */
#ifndef OVERSUB_WORKLOAD_H
#define OVERSUB_WORKLOAD_H

#include "core/types.h"
#include "guest/prog.h"

#define WL_MAX_PARAMS 16

enum wl_param_type {
	WP_UINT, /* plain count */
	WP_DURATION, /* ns, written with a unit */
};

struct wl_param {
	const char *name;
	enum wl_param_type type;
	u64 def, min, max;
	const char *meaning;
};

struct workload {
	const char *name;
	const char *summary; /* one line */
	const struct wl_param *params;
	unsigned int nr_params;
	/*
	 * Fill @out->progs[0 .. nr_threads-1] (allocated by the caller for
	 * GUEST_MAX_THREADS(nr_vcpus) threads), @out->nr_threads and the
	 * object counts from @params (one value per table entry, in table
	 * order, already range-checked). Returns 0 or -EINVAL with a message
	 * in @err for combinations the ranges cannot express.
	 */
	int (*build)(const u64 *params, unsigned int nr_vcpus,
		     struct guest_vm_desc *out, char *err, size_t errlen);
	/*
	 * What the real program counts as one operation (oversub profile,
	 * docs/validation.md), and how many passes of the model's programs
	 * make one (NULL: one pass is one).
	 */
	const char *unit;
	double (*unit_passes)(const u64 *params);
};

extern const struct workload *const workloads[];
extern const size_t nr_workloads;

const struct workload *workload_find(const char *name);
/* Index of parameter @name in @wl's table, or -1. */
int workload_param_index(const struct workload *wl, const char *name);
/*
 * Build @wl's programs for a VM of @nr_vcpus into @out, allocating
 * @out->progs (the caller frees it on success). Returns 0, -ENOMEM, or
 * -EINVAL with the workload's message (or a bad thread count) in @err.
 */
int workload_build(const struct workload *wl, const u64 *params,
		   unsigned int nr_vcpus, struct guest_vm_desc *out, char *err,
		   size_t errlen);

#endif
