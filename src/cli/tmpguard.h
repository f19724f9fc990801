/* SPDX-License-Identifier: MIT */
/*
 * A temporary output file (a trace or a chart being written) that a
 * SIGINT, SIGTERM or SIGHUP must not leave behind: while guarded, such a
 * signal removes it, then ends the process as the signal would have.
 */
#ifndef OVERSUB_CLI_TMPGUARD_H
#define OVERSUB_CLI_TMPGUARD_H

/* Guard @path (one at a time); the handlers are installed on first use. */
void tmpguard_set(const char *path);
/* Stop guarding (the file was renamed into place or removed). */
void tmpguard_clear(void);

#endif
