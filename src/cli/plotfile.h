/* SPDX-License-Identifier: MIT */
/*
 * A chart drawn by gnuplot into a file that is either whole or not there:
 * the path checked before any run, the chart drawn into a temporary file
 * beside it (removed on SIGINT/SIGTERM), checked complete and renamed into
 * place; nothing of it reaches standard output.
 */
#ifndef OVERSUB_CLI_PLOTFILE_H
#define OVERSUB_CLI_PLOTFILE_H

#include <stdio.h>

/*
 * Before any run: @path must end in .svg or .png, an existing @path must
 * be a regular file, its folder must take new files, and gnuplot must be
 * in PATH. 0, EXIT_USAGE for a bad path or 1 without gnuplot, each after
 * a message naming @cmd.
 */
int plotfile_check(const char *cmd, const char *path);
/*
 * @script writes the gnuplot script drawing into @out (the temporary
 * file) to @f; 0 or an error. Returns 0, or 1 after a message (no file
 * left behind).
 */
int plotfile_draw(const char *cmd, const char *path,
		  int (*script)(FILE *f, const char *out, void *arg), void *arg);

#endif
