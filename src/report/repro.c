// SPDX-License-Identifier: MIT
/*
 * The reproduction table (report/repro.h): the main table, the
 * attribution table, the baseline's time breakdown, their JSON and the
 * gnuplot chart.
 */
#include "report/repro.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "report/grid.h"
#include "report/report.h"

void repro_gain_compute(const double *base, const double *x, unsigned int n,
			double *mbase, double *mx, struct repro_gain *g)
{
	double sb = 0, sx = 0, mean = 0, m2 = 0;

	for (unsigned int i = 0; i < n; i++) {
		sb += base[i];
		sx += x[i];
	}
	*mbase = n ? sb / n : 0;
	*mx = n ? sx / n : 0;
	g->pct = *mbase > 0 ? 100.0 * (*mx / *mbase - 1.0) : 0;
	/* Welford over the per-seed gains */
	for (unsigned int i = 0; i < n; i++) {
		double gi = base[i] > 0 ? 100.0 * (x[i] / base[i] - 1.0) : 0;
		double d = gi - mean;

		mean += d / (i + 1);
		m2 += d * (gi - mean);
	}
	g->sd = n > 1 ? sqrt(m2 / (n - 1)) : 0;
}

/* ---- text ------------------------------------------------------------ */

static void print_header(FILE *f, const struct repro_table *t)
{
	fprintf(f, "%s: %u host CPUs, VMs of %u vCPUs; ", t->scenario, t->cpus,
		t->vcpus);
	if (t->nr_seeds == 1) {
		fprintf(f, "seed %" PRIu64, t->seeds[0]);
	} else {
		fprintf(f, "%u seeds (", t->nr_seeds);
		for (unsigned int i = 0; i < t->nr_seeds; i++)
			fprintf(f, "%s%" PRIu64, i ? ", " : "", t->seeds[i]);
		fputc(')', f);
	}
	fprintf(f, "; %.3f s measured per run after %.3f s warm-up\n",
		(double)t->duration_ns / 1e9, (double)t->warmup_ns / 1e9);
}

/* "+0.0", never "-0.0", for what rounds to zero */
static double nozero(double x)
{
	return fabs(x) < 0.05 ? 0 : x;
}

static void gain_cell(struct grid *g, const struct repro_gain *x, bool sd)
{
	grid_cell(g, "%+.1f", nozero(x->pct));
	if (sd)
		grid_cell(g, "%.1f", x->sd);
}

/* The row's first two cells: the workload (only on its first row) and the
 * VM count. */
static void cell_label(struct grid *g, const struct repro_table *t,
		       unsigned int i)
{
	const struct repro_cell *c = &t->cells[i];
	bool first = !i || strcmp(t->cells[i - 1].workload, c->workload);

	grid_cell(g, "%s", first ? c->workload : "");
	grid_cell(g, "%u", c->vms);
}

static int main_table(FILE *f, const struct repro_table *t, bool sd)
{
	struct grid g;

	fprintf(f,
		"\nThroughput of all VMs (ops/s, mean over seeds) and the gain "
		"of %s over %s (%%%s);\n"
		"oracle headroom: the gain of %s yielding straight to the vCPU "
		"each spinner awaits, the most any directed yield can win\n",
		t->patched, t->baseline,
		sd ? "; sd: of the per-seed gains" : "", t->baseline);
	grid_init(&g, sd ? 9 : 7);
	grid_cell(&g, "workload");
	grid_cell(&g, "VMs");
	grid_cell(&g, "%s", t->baseline);
	grid_cell(&g, "%s", t->patched);
	grid_cell(&g, "gain %%");
	if (sd)
		grid_cell(&g, "sd");
	grid_cell(&g, "oracle headroom %%");
	if (sd)
		grid_cell(&g, "sd");
	grid_cell(&g, "published %%");
	grid_row_end(&g);
	for (unsigned int i = 0; i < t->nr_cells; i++) {
		const struct repro_cell *c = &t->cells[i];

		cell_label(&g, t, i);
		grid_cell(&g, "%.1f", c->baseline);
		grid_cell(&g, "%.1f", c->patched);
		gain_cell(&g, &c->gain, sd);
		gain_cell(&g, &c->oracle, sd);
		if (c->has_published)
			grid_cell(&g, "%+.1f", c->published);
		else
			grid_cell(&g, "-");
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

static int attribution_table(FILE *f, const struct repro_table *t, bool sd)
{
	struct grid g;

	fprintf(f,
		"\nAttribution: gain over %s of each mechanism alone and of "
		"both (%s) (%%%s)\n",
		t->baseline, t->patched,
		sd ? "; sd of the per-seed gains" : "");
	grid_init(&g, 2 + (t->nr_attribution + 1) * (sd ? 2 : 1));
	grid_cell(&g, "workload");
	grid_cell(&g, "VMs");
	for (unsigned int a = 0; a < t->nr_attribution; a++) {
		grid_cell(&g, "%s only", t->attribution[a]);
		if (sd)
			grid_cell(&g, "sd");
	}
	grid_cell(&g, "both");
	if (sd)
		grid_cell(&g, "sd");
	grid_row_end(&g);
	for (unsigned int i = 0; i < t->nr_cells; i++) {
		const struct repro_cell *c = &t->cells[i];

		cell_label(&g, t, i);
		for (unsigned int a = 0; a < t->nr_attribution; a++)
			gain_cell(&g, &c->attr[a], sd);
		gain_cell(&g, &c->gain, sd);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

static int time_table(FILE *f, const struct repro_table *t)
{
	struct grid g;

	fprintf(f,
		"\nWhere the %s vCPU time goes (%% of all vCPU time, mean over "
		"seeds): spin and ipi-wait bound what directed yield can win "
		"back\n",
		t->baseline);
	grid_init(&g, 2 + VT_NR);
	grid_cell(&g, "workload");
	grid_cell(&g, "VMs");
	for (int k = 0; k < VT_NR; k++)
		grid_cell(&g, "%s", vcpu_time_names[k]);
	grid_row_end(&g);
	for (unsigned int i = 0; i < t->nr_cells; i++) {
		const struct repro_cell *c = &t->cells[i];

		cell_label(&g, t, i);
		for (int k = 0; k < VT_NR; k++)
			grid_cell(&g, "%.1f", c->time_pct[k]);
		grid_row_end(&g);
	}
	return grid_print(f, &g, 2);
}

int report_repro_text(FILE *f, const struct repro_table *t)
{
	bool sd = t->nr_seeds > 1;
	int ret;

	print_header(f, t);
	ret = main_table(f, t, sd);
	if (!ret && t->nr_attribution)
		ret = attribution_table(f, t, sd);
	if (!ret)
		ret = time_table(f, t);
	if (!ret && ferror(f))
		ret = -EIO;
	return ret;
}

/* ---- JSON ------------------------------------------------------------ */

static double round_to(double x, double unit)
{
	double r = round(x / unit) * unit;

	return r == 0 ? 0 : r; /* no -0 */
}

static void jset(json_t *o, const char *key, json_t *v, bool *ok)
{
	if (!v || json_object_set_new(o, key, v))
		*ok = false;
}

static void jappend(json_t *a, json_t *v, bool *ok)
{
	if (!v || json_array_append_new(a, v))
		*ok = false;
}

static json_t *attr_row(const struct repro_cell *c, const char *mechanism,
			const char *policy, double tput,
			const struct repro_gain *g, bool *ok)
{
	json_t *o = json_object();

	if (!o) {
		*ok = false;
		return NULL;
	}
	jset(o, "workload", json_string(c->workload), ok);
	jset(o, "vms", json_integer(c->vms), ok);
	jset(o, "mechanism", json_string(mechanism), ok);
	jset(o, "policy", json_string(policy), ok);
	jset(o, "throughput", json_real(round_to(tput, 0.1)), ok);
	jset(o, "gain_pct", json_real(round_to(g->pct, 0.01)), ok);
	jset(o, "gain_stddev_pct", json_real(round_to(g->sd, 0.01)), ok);
	return o;
}

static json_t *time_row(const struct repro_cell *c, bool *ok)
{
	json_t *o = json_object();
	char key[32];

	if (!o) {
		*ok = false;
		return NULL;
	}
	jset(o, "workload", json_string(c->workload), ok);
	jset(o, "vms", json_integer(c->vms), ok);
	for (int k = 0; k < VT_NR; k++) {
		snprintf(key, sizeof(key), "%s_pct", vcpu_time_keys[k]);
		jset(o, key, json_real(round_to(c->time_pct[k], 0.01)), ok);
	}
	return o;
}

json_t *report_repro_json(const struct repro_table *t)
{
	json_t *j = json_object(), *rows = json_array(), *attr = json_array();
	json_t *seeds = json_array(), *times = json_array();
	bool ok = j && rows && attr && seeds && times;

	for (unsigned int i = 0; ok && i < t->nr_cells; i++) {
		const struct repro_cell *c = &t->cells[i];
		json_t *o = json_object();

		if (!o) {
			ok = false;
			break;
		}
		jset(o, "workload", json_string(c->workload), &ok);
		jset(o, "vms", json_integer(c->vms), &ok);
		jset(o, "baseline", json_real(round_to(c->baseline, 0.1)), &ok);
		jset(o, "patched", json_real(round_to(c->patched, 0.1)), &ok);
		jset(o, "gain_pct", json_real(round_to(c->gain.pct, 0.01)),
		     &ok);
		jset(o, "gain_stddev_pct",
		     json_real(round_to(c->gain.sd, 0.01)), &ok);
		jset(o, "oracle", json_real(round_to(c->oracle_tput, 0.1)),
		     &ok);
		jset(o, "oracle_pct", json_real(round_to(c->oracle.pct, 0.01)),
		     &ok);
		jset(o, "oracle_stddev_pct",
		     json_real(round_to(c->oracle.sd, 0.01)), &ok);
		jset(o, "published_pct",
		     c->has_published ? json_real(c->published) : json_null(),
		     &ok);
		jappend(rows, o, &ok);
		for (unsigned int a = 0; a < t->nr_attribution; a++)
			jappend(attr,
				attr_row(c, t->attribution[a],
					 t->attribution[a], c->attr_tput[a],
					 &c->attr[a], &ok),
				&ok);
		if (t->nr_attribution)
			jappend(attr,
				attr_row(c, "both", t->patched, c->patched,
					 &c->gain, &ok),
				&ok);
		jappend(times, time_row(c, &ok), &ok);
	}
	for (unsigned int i = 0; ok && i < t->nr_seeds; i++)
		jappend(seeds, json_integer((json_int_t)t->seeds[i]), &ok);
	if (!ok) {
		json_decref(j);
		json_decref(rows);
		json_decref(attr);
		json_decref(seeds);
		json_decref(times);
		return NULL;
	}
	jset(j, "scenario", json_string(t->scenario), &ok);
	jset(j, "baseline_policy", json_string(t->baseline), &ok);
	jset(j, "patched_policy", json_string(t->patched), &ok);
	jset(j, "cpus", json_integer(t->cpus), &ok);
	jset(j, "vcpus_per_vm", json_integer(t->vcpus), &ok);
	jset(j, "duration_ns", json_integer((json_int_t)t->duration_ns), &ok);
	jset(j, "warmup_ns", json_integer((json_int_t)t->warmup_ns), &ok);
	jset(j, "seeds", seeds, &ok);
	jset(j, "rows", rows, &ok);
	jset(j, "attribution", attr, &ok);
	jset(j, "baseline_time", times, &ok);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- gnuplot --------------------------------------------------------- */

int repro_plot_kind(const char *out)
{
	size_t n = strlen(out);

	if (n > 4 && !strcasecmp(out + n - 4, ".svg"))
		return 1;
	if (n > 4 && !strcasecmp(out + n - 4, ".png"))
		return 2;
	return 0;
}

/* @s as a gnuplot single-quoted string: '' stands for one quote. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('\'', f);
}

int repro_plot_head(FILE *f, const char *out)
{
	int kind = repro_plot_kind(out);

	if (!kind)
		return -EINVAL;
	if (kind == 1)
		fputs("set terminal svg size 1000,560 dynamic enhanced "
		      "font 'sans,11' background rgb 'white'\n",
		      f);
	else
		fputs("if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
		      "  set terminal pngcairo size 1000,560 enhanced "
		      "font 'sans,10' background rgb 'white'\n"
		      "} else {\n"
		      "  set terminal png size 1000,560 background rgb "
		      "'white'\n"
		      "}\n",
		      f);
	fputs("set output ", f);
	put_quoted(f, out);
	fputc('\n', f);
	return 0;
}

int report_repro_gnuplot(FILE *f, const struct repro_table *t, const char *out)
{
	if (repro_plot_head(f, out))
		return -EINVAL;
	fprintf(f,
		"set title \"Throughput gain of %s over %s: reproduced vs "
		"published\" noenhanced\n"
		"set ylabel 'gain (%%)'\n"
		"set style data histogram\n"
		"set style histogram errorbars gap 2 lw 1\n"
		"set style fill solid 0.85 border -1\n"
		"set boxwidth 0.9\n"
		"set grid ytics\n"
		"set key top right noenhanced\n"
		"set xtics nomirror noenhanced\n"
		"set xzeroaxis lt -1\n"
		"set offsets 0, 0, graph 0.08, graph 0.04\n"
		"set datafile missing '?'\n"
		"$gains << EOD\n",
		t->patched, t->baseline);
	for (unsigned int i = 0; i < t->nr_cells; i++) {
		const struct repro_cell *c = &t->cells[i];

		fprintf(f, "\"%s %u\" %.4f %.4f %.4f %.4f ", c->workload,
			c->vms, c->gain.pct, c->gain.sd, c->oracle.pct,
			c->oracle.sd);
		if (c->has_published)
			fprintf(f, "%.4f 0\n", c->published);
		else
			fputs("? ?\n", f);
	}
	fprintf(f,
		"EOD\n"
		"set xlabel 'workload, number of %u-vCPU VMs on %u host CPUs'\n"
		"plot $gains using 2:3:xtic(1) title 'reproduced (mean, sd over "
		"%u seed%s)' lc rgb '#4477aa', \\\n"
		"     $gains using 4:5 title 'oracle headroom (the bound)' "
		"lc rgb '#999933', \\\n"
		"     $gains using 6:7 title 'published' lc rgb '#ee6677'\n",
		t->vcpus, t->cpus, t->nr_seeds, t->nr_seeds == 1 ? "" : "s");
	return ferror(f) ? -EIO : 0;
}
