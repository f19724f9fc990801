// SPDX-License-Identifier: MIT
/* The end of a sweep, local or merged: see sweep.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plotfile.h"
#include "cli/sweep.h"
#include "cli/tmpguard.h"
#include "core/guard.h"

int results_write(const char *cmd, const char *path, const struct rows *r)
{
	__free(free) char *tmp = NULL;
	FILE *f = NULL;
	int fd, ret;

	fd = tmpguard_create(path, false, &tmp);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cmd,
			tmp ? tmp : path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			tmpguard_finish(tmp, path, false);
		}
		return 1;
	}
	ret = rows_write(f, r, rows_path_csv(path));
	if (fclose(f) || ret) {
		fprintf(stderr, "%s: writing %s: %s\n", cmd, tmp,
			strerror(errno ? errno : EIO));
		ret = 1;
	}
	if (tmpguard_finish(tmp, path, !ret)) {
		fprintf(stderr, "%s: rename to %s: %s\n", cmd, path,
			strerror(errno));
		ret = 1;
	}
	return ret;
}

int results_plot_check(const struct results_opts *o, const char *const *axes,
		       unsigned int nr_axes)
{
	bool found = false;

	if (o->plot_axis && !o->plot)
		return cli_usage_error(o->cmd, "--plot-axis needs --plot");
	if (!o->plot)
		return 0;
	if (!nr_axes) {
		fprintf(stderr, "%s: --plot: the sweep has no axis but policy "
			"and seed to draw against\n", o->cmd);
		return EXIT_USAGE;
	}
	for (unsigned int i = 0; i < nr_axes && o->plot_axis; i++)
		found |= !strcmp(axes[i], o->plot_axis);
	if (o->plot_axis && !found) {
		fprintf(stderr, "%s: --plot-axis: '%s' is not an axis of the "
			"sweep (", o->cmd, o->plot_axis);
		for (unsigned int i = 0; i < nr_axes; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", axes[i]);
		fputs(")\n", stderr);
		return EXIT_USAGE;
	}
	return plotfile_check(o->cmd, o->plot);
}

struct chart {
	const struct results_opts *o;
	const struct rows *r;
	const char *axis;
};

static int chart_script(FILE *f, const char *out, void *arg)
{
	const struct chart *c = arg;
	char err[256];

	if (rows_gnuplot(f, c->r, c->o->metric, c->axis, out, err,
			 sizeof(err))) {
		fprintf(stderr, "%s: --plot: %s\n", c->o->cmd, err);
		return -EINVAL;
	}
	return 0;
}

int results_finish(const struct results_opts *o, const struct rows *r)
{
	const char *axes[64];
	unsigned int nr_axes = rows_axes(r, axes, 64);
	char err[512];
	int ret;

	if (o->out && results_write(o->cmd, o->out, r))
		return 1;
	if (rows_summary(stdout, r, o->metric, o->baseline, err,
			 sizeof(err))) {
		fprintf(stderr, "%s: %s\n", o->cmd, err);
		return EXIT_USAGE;
	}
	if (fflush(stdout)) {
		fprintf(stderr, "%s: writing the summary: %s\n", o->cmd,
			strerror(errno));
		return 1;
	}
	if (o->plot) {
		struct chart c = { .o = o, .r = r,
				   .axis = o->plot_axis ? o->plot_axis :
							  axes[0] };

		if (!nr_axes)
			return EXIT_USAGE;
		ret = plotfile_draw(o->cmd, o->plot, chart_script, &c);
		if (ret)
			return ret;
		fprintf(stderr, "%s: chart written to %s\n", o->cmd, o->plot);
	}
	return 0;
}
