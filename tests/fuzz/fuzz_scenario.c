// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: scenario_parse() over any bytes, and scenario_load()
 * over the same bytes as a file (a memfd: the reading, NUL-byte and size
 * paths). Each must return 0 or -EINVAL, never crash, hang, leak or
 * abort; on success the result must hold together, on error the message
 * must name the file. scripts/check.sh runs it with -max_len=65536, past
 * libFuzzer's 4 KiB default.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the checks every successful result must pass */
static void check_ok(struct scenario *sc)
{
	if ((!sc->cfg.nr_vms && !sc->cfg.nr_tasks) ||
	    (sc->cfg.nr_vms && !sc->cfg.vms) ||
	    (sc->cfg.nr_tasks && !sc->cfg.tasks) || !sc->nr_seeds ||
	    sc->nr_seeds > SCENARIO_MAX_SEEDS || sc->cfg.seed != sc->seeds[0])
		abort();
	/* a [table] scenario's one [vm] is a template without a workload;
	 * its count is the largest cell's */
	if (sc->table && (sc->cfg.nr_vms != 1 || !sc->table->nr_wl ||
			  !sc->table->nr_vms))
		abort();
	for (unsigned int i = 0; i < sc->cfg.nr_vms; i++)
		if ((!sc->cfg.vms[i].wl && !sc->table) || !sc->cfg.vms[i].vcpus ||
		    !sc->cfg.vms[i].count)
			abort();
	for (unsigned int i = 0; i < sc->cfg.nr_tasks; i++)
		if (!sc->cfg.tasks[i].count)
			abort();
	scenario_free(sc);
}

/* the same bytes through scenario_load(), from a memfd */
static void load(const uint8_t *data, size_t size)
{
	char path[64], err[512];
	struct scenario sc;
	int fd = memfd_create("fuzz.ini", 0), ret;

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ret = scenario_load(path, &sc, err, sizeof(err));
	close(fd);
	if (ret == 0)
		check_ok(&sc);
	else if (ret != -EINVAL || strncmp(err, path, strlen(path)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario sc;
	char err[512];
	char *text = malloc(size + 1);
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = scenario_parse(text, "fuzz.ini", &sc, err, sizeof(err));
	free(text);
	if (ret == 0) {
		check_ok(&sc);
	} else if (ret != -EINVAL || strncmp(err, "fuzz.ini", 8)) {
		abort();
	}
	load(data, size);
	return 0;
}
