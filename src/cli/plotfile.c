// SPDX-License-Identifier: MIT
/* Charts written whole or not at all: see plotfile.h. */
#include "cli/plotfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/tmpguard.h"
#include "core/guard.h"
#include "report/repro.h"

/* gnuplot in $PATH? */
static bool have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path || !*path)
		return false;
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n + sizeof("/gnuplot") < sizeof(buf)) {
			memcpy(buf, path, n);
			strcpy(buf + n, "/gnuplot");
			if (!access(buf, X_OK))
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

int plotfile_check(const char *cmd, const char *path)
{
	if (!repro_plot_kind(path)) {
		fprintf(stderr, "%s: --plot: the file must end in .svg or "
			".png, got '%s'\n", cmd, path);
		return EXIT_USAGE;
	}
	if (cli_out_path_check(cmd, "--plot", path))
		return EXIT_USAGE;
	if (!have_gnuplot()) {
		fprintf(stderr,
			"%s: --plot needs gnuplot, which is not in PATH; install "
			"it (Debian: apt-get install gnuplot-nox) or leave out "
			"--plot\n",
			cmd);
		return 1;
	}
	return 0;
}

/* Is the chart gnuplot wrote to @path whole: an SVG's closing tag, a
 * PNG's IEND chunk at its end (a full disk leaves it short) */
static bool chart_complete(const char *path, int kind)
{
	static const unsigned char iend[8] = { 'I', 'E', 'N', 'D',
					       0xae, 0x42, 0x60, 0x82 };
	char tail[16] = "";
	FILE *f = fopen(path, "rb");
	bool ok;

	if (!f)
		return false;
	if (fseek(f, -16, SEEK_END) || fread(tail, 1, 16, f) != 16) {
		fclose(f);
		return false;
	}
	fclose(f);
	ok = kind == 2 ? !memcmp(tail + 8, iend, 8) :
			 memmem(tail, sizeof(tail), "</svg>", 6) != NULL;
	return ok;
}

/* gnuplot draws into @tmp; 0 once it is whole */
static int draw(const char *cmd, const char *path, const char *tmp,
		int (*script)(FILE *f, const char *out, void *arg), void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *gp;
	int ret, status;

	mem = open_memstream(&text, &len);
	if (!mem || script(mem, tmp, arg) || fclose(mem)) {
		free(text);
		fprintf(stderr, "%s: --plot: cannot write the gnuplot script\n",
			cmd);
		return 1;
	}
	fflush(stdout);
	gp = popen("gnuplot >/dev/null", "w");
	if (!gp) {
		free(text);
		fprintf(stderr, "%s: --plot: cannot start gnuplot: %s\n", cmd,
			strerror(errno));
		return 1;
	}
	ret = fwrite(text, 1, len, gp) != len;
	free(text);
	status = pclose(gp);
	if (ret || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr,
			"%s: --plot: gnuplot failed to draw %s (see its "
			"messages above)\n",
			cmd, path);
		return 1;
	}
	if (!chart_complete(tmp, repro_plot_kind(path))) {
		fprintf(stderr, "%s: --plot: the chart for %s came out "
			"incomplete (a full disk?); nothing written\n", cmd,
			path);
		return 1;
	}
	return 0;
}

int plotfile_draw(const char *cmd, const char *path,
		  int (*script)(FILE *f, const char *out, void *arg), void *arg)
{
	__free(free) char *tmp = NULL;
	int fd = tmpguard_create(path, true, &tmp), ret;

	if (fd < 0) {
		fprintf(stderr, "%s: --plot: cannot create %s: %s\n", cmd,
			tmp ? tmp : path, strerror(errno));
		return 1;
	}
	close(fd);
	ret = draw(cmd, path, tmp, script, arg);
	if (tmpguard_finish(tmp, path, !ret)) {
		fprintf(stderr, "%s: --plot: rename to %s: %s\n", cmd, path,
			strerror(errno));
		ret = 1;
	}
	return ret;
}
