/* SPDX-License-Identifier: MIT */
/*
 * Output files written whole or not at all: a temporary file beside the
 * output (a trace, a chart, a results file, a job script) that is renamed
 * into place once complete, and that a SIGINT, SIGTERM or SIGHUP must not
 * leave behind: while guarded, such a signal removes it, then ends the
 * process as the signal would have.
 */
#ifndef OVERSUB_CLI_TMPGUARD_H
#define OVERSUB_CLI_TMPGUARD_H

#include <stdbool.h>

/*
 * Create and guard a temporary file beside @path: "PATH.tmp.XXXXXX", or
 * with @keep_ext "BASE.tmp.XXXXXX.EXT" (the extension last, as gnuplot's
 * terminals want). It gets the mode of the file it will replace, or the
 * umask's (mkstemp's 0600 is for the temporary name only). Its name in
 * *@tmp (malloc'd); returns the open descriptor, or -1 with errno set.
 */
int tmpguard_create(const char *path, bool keep_ext, char **tmp);
/*
 * Done with the guarded @tmp: with @ok rename it to @path, else (or if
 * the rename fails) remove it; stop guarding. 0, or -1 with errno set
 * when the rename failed.
 */
int tmpguard_finish(const char *tmp, const char *path, bool ok);

/* Guard @path (one at a time); the handlers are installed on first use. */
void tmpguard_set(const char *path);
/* Stop guarding (the file was renamed into place or removed). */
void tmpguard_clear(void);

#endif
