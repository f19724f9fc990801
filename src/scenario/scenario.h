/* SPDX-License-Identifier: MIT */
/*
 * Scenario files: fio-style INI (read with inih) -> struct sim_config.
 * Sections [host], [vm NAME] (any number), [task NAME], [policy], [run],
 * [table] and [sweep] (its axes, checked by scenario/sweep.h); every key,
 * its type, range and default is in docs/scenario.md. Strict: unknown
 * sections and keys, duplicate keys and out-of-range values are errors, and
 * the one error reported names the file, the line and the key:
 *
 *	scenarios/x.ini:12: vcpus: must be 1..4096, got 0
 */
#ifndef OVERSUB_SCENARIO_SCENARIO_H
#define OVERSUB_SCENARIO_SCENARIO_H

#include "core/types.h"
#include "scenario/table.h"
#include "sim/config.h"

struct policy;

#define SCENARIO_MAX_SEEDS 1024
#define SCENARIO_MAX_VM_SECTIONS 4096
#define SCENARIO_MAX_TOTAL_VCPUS 1000000ULL
#define SCENARIO_MAX_FILE_SIZE (1024 * 1024)

/* Where a section header (key "") or a key was in the file. */
struct scenario_where {
	char section[80]; /* as in messages: "[vm web]", "[host]" */
	char key[48];
	int line;
};

/* A key of [sweep], as written. */
struct scenario_kv {
	char *key, *value;
	int line;
};

/*
 * A value put in place of the file's @key in @section ("[host]",
 * "[vm web]"), or added to that section when the file does not set it;
 * errors about it start with @origin ("s.ini:40: vm.web.vcpus = 0").
 */
struct scenario_set {
	const char *section, *key, *value, *origin;
};

struct scenario {
	char path[256]; /* the file name, as given (truncated if longer) */
	struct sim_config cfg; /* cfg.vms: malloc'd, cfg.nr_vms sections */
	char preset[32]; /* preset named in [policy]; "vanilla" if none */
	u64 *seeds; /* [run] seeds, malloc'd; default one seed: 1 */
	unsigned int nr_seeds;
	/* [table], malloc'd, or NULL: then cfg.vms[0] is the template of
	 * every cell and has no workload (wl NULL); see scenario/table.h */
	struct table_spec *table;
	struct scenario_where *where; /* malloc'd, in file order */
	unsigned int nr_where;
	struct scenario_kv *sweep; /* [sweep] keys, malloc'd, or NULL */
	unsigned int nr_sweep;
	int sweep_line; /* its header; 0: none */
};

/*
 * Read and parse the file @path. 0, or -EINVAL with one message in @err:
 * "FILE:LINE: KEY: problem, accepted range", or "FILE: cannot read: why".
 * On error nothing stays allocated and *@out is untouched.
 */
int scenario_load(const char *path, struct scenario *out, char *err,
		  size_t errlen);
/* The same over the text @text; @name stands for the file in messages
 * (NULL: "<string>"). */
int scenario_parse(const char *text, const char *name, struct scenario *out,
		   char *err, size_t errlen);
/*
 * scenario_parse with @nr_sets values of @sets in place of the file's: a
 * set for [host], [policy] or [run] adds the section if the file has none;
 * one for a [vm NAME] or [task NAME] the file does not have is an error.
 */
int scenario_parse_with(const char *text, const char *name,
			const struct scenario_set *sets, unsigned int nr_sets,
			struct scenario *out, char *err, size_t errlen);
/* The text of the scenario file @path (malloc'd, NUL-terminated; at most
 * SCENARIO_MAX_FILE_SIZE, no NUL byte): 0, or -EINVAL with the reason. */
int scenario_read(const char *path, char **out, char *err, size_t errlen);
/*
 * The policy a run of @sc under preset @name uses: the preset, then every
 * knob @sc's [policy] set differently from its own preset. 0 or -EINVAL
 * with a message.
 */
int scenario_policy(const struct scenario *sc, const char *name,
		    struct policy *p, char *err, size_t errlen);
/* The line of @key ("": the header) in @section ("[vm web]", "[host]")
 * of @sc's file; 0 if the file does not have it. */
int scenario_line(const struct scenario *sc, const char *section,
		  const char *key);
/* Free what a successful load/parse allocated and zero *@sc. */
void scenario_free(struct scenario *sc);

#endif
