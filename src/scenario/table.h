/* SPDX-License-Identifier: MIT */
/*
 * The [table] section of a scenario file: a grid of runs (workload x number
 * of VMs) under a baseline and a patched policy, with optional attribution
 * policies (each mechanism alone) and the published gains to set beside the
 * reproduced ones. The scenario's single [vm NAME] section is the template
 * of every cell: its workload and count come from the table, each workload
 * runs with its default parameters. docs/scenario.md has the keys.
 *
 *	[table]
 *	workloads = dbench, dedup, vips
 *	vms = 2, 3, 4
 *	baseline = vanilla
 *	patched = series-v2
 *	attribution = deboost, ipi-aware
 *	published.dbench = 14.4, 9.8, 6.7
 */
#ifndef OVERSUB_SCENARIO_TABLE_H
#define OVERSUB_SCENARIO_TABLE_H

#include <stddef.h>

#include "core/types.h"
#include "workload/workload.h"

#define TABLE_MAX_WORKLOADS 16
#define TABLE_MAX_VMS 16
#define TABLE_MAX_ATTRIBUTION 8
#define TABLE_MAX_VM_COUNT 4096
#define TABLE_PRESET_LEN 32

struct table_spec {
	const struct workload *wl[TABLE_MAX_WORKLOADS]; /* rows, in order */
	unsigned int nr_wl;
	unsigned int vms[TABLE_MAX_VMS]; /* VM counts, in order */
	unsigned int nr_vms;
	char baseline[TABLE_PRESET_LEN]; /* presets */
	char patched[TABLE_PRESET_LEN];
	char attribution[TABLE_MAX_ATTRIBUTION][TABLE_PRESET_LEN];
	unsigned int nr_attribution;
	/* published gain in percent of wl[i] at vms[k], if has_published[i] */
	bool has_published[TABLE_MAX_WORKLOADS];
	double published[TABLE_MAX_WORKLOADS][TABLE_MAX_VMS];
};

/* A published.NAME line, checked against workloads at the end. */
struct table_published {
	char name[64];
	int line;
	unsigned int n;
	double v[TABLE_MAX_VMS];
};

/* The parse state of one [table] section: the spec and where keys were. */
struct table_parser {
	struct table_spec spec;
	int workloads_line, vms_line, baseline_line, patched_line,
		attribution_line;
	struct table_published pub[TABLE_MAX_WORKLOADS];
	unsigned int nr_pub;
};

void table_parser_init(struct table_parser *tp);
/*
 * One "key = value" line of [table]. 0, or -EINVAL with the message in
 * @msg, without the "FILE:LINE: " the caller puts in front ("vms: ...").
 * Duplicate keys are the caller's to catch.
 */
int table_parser_key(struct table_parser *tp, int line, const char *key,
		     const char *value, char *msg, size_t len);
/*
 * The checks across keys, after the whole file: required keys, published
 * rows naming listed workloads with one value per VM count. 0, or -EINVAL
 * with @msg and the line it belongs to in *@line (@header, the section's
 * line, for a missing key).
 */
int table_parser_finish(struct table_parser *tp, int header, int *line,
			char *msg, size_t len);

/* The largest VM count of @t. */
unsigned int table_max_vms(const struct table_spec *t);

#endif
