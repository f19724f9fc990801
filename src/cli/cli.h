/* SPDX-License-Identifier: MIT */
/* The `oversub` command line: one file per subcommand. */
#ifndef OVERSUB_CLI_H
#define OVERSUB_CLI_H

/* Exit codes: 0 ok, 1 runtime failure, 2 usage error (bad input). */
#define EXIT_USAGE 2

/* Subcommand entry points; argv[0] is the subcommand's name. */
int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_kvm(int argc, char **argv);
int cmd_gap(int argc, char **argv);
int cmd_table(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
/* Plain `oversub [options]`: the table of the built-in scenario. */
int cmd_default(int argc, char **argv);

/* Report an unknown option the way every subcommand does; returns
 * EXIT_USAGE. @cmd is "oversub" or "oversub list". */
int cli_bad_option(const char *cmd, int argc, char **argv);

/* An output file's @path, before any run: if it exists it must be a
 * regular file, and its folder must take new files. 0, or EXIT_USAGE
 * after "CMD: OPT: why". */
int cli_out_path_check(const char *cmd, const char *opt, const char *path);

/* After getopt: the one operand left is the scenario FILE, into *@file.
 * 0, or EXIT_USAGE after a message (none, or more than one). */
int cli_scenario_arg(const char *cmd, int argc, char **argv,
		     const char **file);

struct scenario;
/* Load the scenario @file into @sc for a command that runs it as it is:
 * 0, or EXIT_USAGE after the parser's message, or after saying that a
 * scenario with a [sweep] section is for `oversub sweep` (nothing stays
 * allocated then). */
int cli_load_scenario(const char *cmd, const char *file, struct scenario *sc);

/* "CMD: message\ntry 'CMD --help'" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
