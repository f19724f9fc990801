// SPDX-License-Identifier: MIT
/* Sweep results, one row per run: see rows.h. */
#include "report/rows.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmsg.h"
#include "core/guard.h"
#include "report/report.h"
#include "report/repro.h"

#define REAL_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(12))

/* ---- making rows ----------------------------------------------------- */

/* A real as the row holds it: null where it is not a number. */
static json_t *real_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static bool set(json_t *o, const char *key, json_t *v)
{
	return v && !json_object_set_new(o, key, v);
}

/* @d as this module writes a real; NULL on allocation failure. */
static char *real_text(json_t *r)
{
	return r ? json_dumps(r, REAL_FLAGS) : NULL;
}

json_t *row_cell_value(const char *text)
{
	char buf[64], *end, *s;
	json_t *r;
	long long i;
	double d;
	bool same;

	if (!*text)
		return json_null();
	errno = 0;
	i = strtoll(text, &end, 10);
	if (!errno && !*end) {
		snprintf(buf, sizeof(buf), "%lld", i);
		if (!strcmp(buf, text))
			return json_integer(i);
	}
	d = strtod(text, &end);
	if (*end || !isfinite(d) || !strpbrk(text, ".e"))
		return json_string(text);
	r = json_real(d);
	s = real_text(r);
	same = s && !strcmp(s, text);
	free(s);
	if (same)
		return r;
	json_decref(r);
	return json_string(text);
}

/* The throughput of every VM section (sum over its instances) when the
 * scenario has more than one: "vm.NAME.throughput". */
static bool sections_add(json_t *o, const struct sim_config *cfg,
			 const struct sim_metrics *m)
{
	unsigned int inst = 0, total = 0;
	char key[160];

	for (unsigned int s = 0; s < cfg->nr_vms; s++)
		total += cfg->vms[s].count;
	if (cfg->nr_vms < 2 || total != m->nr_vms)
		return true;
	for (unsigned int s = 0; s < cfg->nr_vms; s++) {
		double sum = 0;

		for (unsigned int c = 0; c < cfg->vms[s].count; c++)
			sum += m->vms[inst++].throughput;
		snprintf(key, sizeof(key), "vm.%s.throughput",
			 cfg->vms[s].name);
		if (!set(o, key, real_or_null(sum)))
			return false;
	}
	return true;
}

json_t *row_make(const struct row_place *p, const struct sim_config *cfg,
		 const struct sim_metrics *m)
{
	__free(free) double *ent = calloc(m->nr_vms + 1, sizeof(*ent));
	__free(free) double *share = calloc(m->nr_vms + 1, sizeof(*share));
	double t[VT_NR] = { 0 }, pct[VT_NR], tput = 0, jain;
	json_t *o = json_object();
	char key[64];
	bool ok;

	if (!o || !ent || !share) {
		json_decref(o);
		return NULL;
	}
	ok = set(o, "sweep", json_string(p->sweep)) &&
	     set(o, "run", json_integer(p->run)) &&
	     set(o, "runs", json_integer(p->runs));
	for (unsigned int a = 0; ok && a < p->nr_axes; a++)
		ok = set(o, p->axis_names[a],
			 row_cell_value(p->axis_values[a]));
	ok = ok && set(o, "policy", json_string(p->policy));
	if (p->seed <= INT64_MAX) {
		ok = ok && set(o, "seed", json_integer((json_int_t)p->seed));
	} else {
		snprintf(key, sizeof(key), "%" PRIu64, p->seed);
		ok = ok && set(o, "seed", json_string(key));
	}
	for (unsigned int i = 0; i < m->nr_vms; i++) {
		tput += m->vms[i].throughput;
		vm_time_add(&m->vms[i], t);
	}
	time_to_pct(t, pct);
	jain = fairness_compute(m, ent, share);
	ok = ok && set(o, "throughput", real_or_null(tput)) &&
	     sections_add(o, cfg, m) && set(o, "jain", real_or_null(jain));
	for (int b = 0; ok && b < VT_NR; b++) {
		snprintf(key, sizeof(key), "%s_pct", vcpu_time_keys[b]);
		ok = set(o, key, real_or_null(pct[b]));
	}
	for (size_t i = 0; ok && i < nr_host_counters; i++)
		ok = set(o, host_counters[i].key,
			 json_integer((json_int_t)host_counter_get(
				 &m->host, &host_counters[i])));
	ok = ok &&
	     set(o, "duration_ns", json_integer((json_int_t)m->duration_ns));
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- writing --------------------------------------------------------- */

static int cell_write(FILE *f, const json_t *v)
{
	char *s;

	switch (json_typeof(v)) {
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return 0;
	case JSON_STRING:
		fputs(json_string_value(v), f);
		return 0;
	case JSON_REAL:
		s = real_text((json_t *)v);
		if (!s)
			return -ENOMEM;
		fputs(s, f);
		free(s);
		return 0;
	default: /* null: an empty cell */
		return 0;
	}
}

int row_write(FILE *f, const json_t *row, bool csv, bool header)
{
	const char *key;
	json_t *v;
	bool first = true;
	char *s;

	if (!csv) {
		s = json_dumps(row, JSON_COMPACT | JSON_REAL_PRECISION(12));
		if (!s)
			return -EIO;
		fprintf(f, "%s\n", s);
		free(s);
		return ferror(f) ? -EIO : 0;
	}
	if (header) {
		json_object_foreach((json_t *)row, key, v)
		{
			fprintf(f, "%s%s", first ? "" : ",", key);
			first = false;
		}
		fputc('\n', f);
		first = true;
	}
	json_object_foreach((json_t *)row, key, v)
	{
		if (!first)
			fputc(',', f);
		first = false;
		if (cell_write(f, v))
			return -EIO;
	}
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

bool rows_path_csv(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && !strcasecmp(path + n - 4, ".csv");
}

int rows_write(FILE *f, const struct rows *r, bool csv)
{
	for (size_t i = 0; i < r->nr; i++)
		if (row_write(f, r->v[i], csv, csv && i == 0))
			return -EIO;
	return 0;
}

/* ---- reading --------------------------------------------------------- */

void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->nr; i++)
		json_decref(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int rows_add(struct rows *r, json_t *row)
{
	if (r->nr == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		json_t **v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			json_decref(row);
			return -ENOMEM;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->nr++] = row;
	return 0;
}

/* Split a CSV line in place at its commas: the cells, or -1 if more than
 * @max. No quoting: this module never writes a comma inside a cell. */
static int csv_split(char *line, char **cells, int max)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == max)
			return -1;
		cells[n++] = p;
		p = strchr(p, ',');
		if (!p)
			return n;
		*p = '\0';
	}
}

struct reader {
	const char *path;
	char *err;
	size_t errlen;
	char **header; /* CSV: the column names */
	char *header_line;
	int nr_header;
};

static int read_json_line(struct reader *rd, struct rows *r, char *line,
			  int lineno)
{
	json_error_t je;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je);

	if (!o || !json_is_object(o)) {
		json_decref(o);
		return errmsg_set(rd->err, rd->errlen,
				  "%s:%d: not a JSON object "
				  "(a row of a sweep)%s%s",
				  rd->path, lineno, o ? "" : ": ",
				  o ? "" : je.text);
	}
	return rows_add(r, o) ?
		       errmsg_set(rd->err, rd->errlen, "out of memory") :
		       0;
}

static int read_csv_line(struct reader *rd, struct rows *r, char *line,
			 int lineno)
{
	char *cells[1024];
	json_t *o;
	int n;

	if (!rd->header) {
		rd->header_line = strdup(line);
		rd->header = calloc(1024, sizeof(char *));
		if (!rd->header_line || !rd->header)
			return errmsg_set(rd->err, rd->errlen, "out of memory");
		rd->nr_header = csv_split(rd->header_line, rd->header, 1024);
		if (rd->nr_header < 0)
			return errmsg_set(rd->err, rd->errlen,
					  "%s:%d: more than "
					  "1024 columns",
					  rd->path, lineno);
		return 0;
	}
	n = csv_split(line, cells, 1024);
	if (n != rd->nr_header)
		return errmsg_set(rd->err, rd->errlen,
				  "%s:%d: %d cells, the header "
				  "has %d",
				  rd->path, lineno, n < 0 ? 1025 : n,
				  rd->nr_header);
	o = json_object();
	if (!o)
		return errmsg_set(rd->err, rd->errlen, "out of memory");
	for (int i = 0; i < n; i++) {
		/* the sweep's id and the policy are names, whatever they
		 * look like */
		bool name = !strcmp(rd->header[i], "sweep") ||
			    !strcmp(rd->header[i], "policy");
		json_t *v = name ? json_string(cells[i]) :
				   row_cell_value(cells[i]);

		if (!v || json_object_set_new(o, rd->header[i], v)) {
			json_decref(o);
			return errmsg_set(rd->err, rd->errlen, "out of memory");
		}
	}
	return rows_add(r, o) ?
		       errmsg_set(rd->err, rd->errlen, "out of memory") :
		       0;
}

int rows_load(struct rows *r, const char *path, bool torn_ok, bool *torn,
	      char *err, size_t errlen)
{
	struct reader rd = { .path = path, .err = err, .errlen = errlen };
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, ret = 0, kind = 0; /* 1 JSON lines, 2 CSV */

	if (torn)
		*torn = false;
	if (!f)
		return errmsg_set(err, errlen, "%s: cannot read: %s", path,
				  strerror(errno));
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n && line[n - 1] == '\n') {
			line[--n] = '\0';
		} else if (torn_ok) {
			if (torn)
				*torn = true;
			break;
		}
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n)
			continue;
		if (!kind)
			kind = line[0] == '{' ? 1 : 2;
		if (memchr(line, '\0', (size_t)n)) {
			ret = errmsg_set(err, errlen,
					 "%s:%d: NUL byte: not a text "
					 "file",
					 path, lineno);
			break;
		}
		ret = kind == 1 ? read_json_line(&rd, r, line, lineno) :
				  read_csv_line(&rd, r, line, lineno);
	}
	if (!ret && ferror(f))
		ret = errmsg_set(err, errlen, "%s: cannot read: %s", path,
				 strerror(errno));
	fclose(f);
	free(line);
	free(rd.header);
	free(rd.header_line);
	return ret;
}

/* ---- order and checks ------------------------------------------------ */

static json_int_t row_int(const json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

static int by_run(const void *a, const void *b)
{
	json_int_t x = row_int(*(json_t *const *)a, "run");
	json_int_t y = row_int(*(json_t *const *)b, "run");

	return x < y ? -1 : x > y;
}

/* Same keys in the same order? */
static bool same_columns(const json_t *a, const json_t *b)
{
	void *i = json_object_iter((json_t *)a),
	     *j = json_object_iter((json_t *)b);

	while (i && j) {
		if (strcmp(json_object_iter_key(i), json_object_iter_key(j)))
			return false;
		i = json_object_iter_next((json_t *)a, i);
		j = json_object_iter_next((json_t *)b, j);
	}
	return !i && !j;
}

static int row_check(const json_t *row, const json_t *first, size_t idx,
		     char *err, size_t errlen)
{
	const json_t *run = json_object_get(row, "run");
	const json_t *runs = json_object_get(row, "runs");

	if (!json_is_string(json_object_get(row, "sweep")) ||
	    !json_is_integer(run) || !json_is_integer(runs) ||
	    !json_object_get(row, "policy") || !json_object_get(row, "seed"))
		return errmsg_set(err, errlen,
				  "row %zu: not a row of a sweep (sweep, "
				  "run, runs, policy, seed)",
				  idx + 1);
	if (json_integer_value(runs) < 1 || json_integer_value(run) < 0 ||
	    json_integer_value(run) >= json_integer_value(runs))
		return errmsg_set(err, errlen,
				  "row %zu: run %" JSON_INTEGER_FORMAT
				  " of %" JSON_INTEGER_FORMAT ": out of range",
				  idx + 1, json_integer_value(run),
				  json_integer_value(runs));
	if (strcmp(json_string_value(json_object_get(row, "sweep")),
		   json_string_value(json_object_get(first, "sweep"))) ||
	    row_int(row, "runs") != row_int(first, "runs"))
		return errmsg_set(
			err, errlen,
			"run %" JSON_INTEGER_FORMAT ": from "
			"another sweep (sweep %s of %" JSON_INTEGER_FORMAT
			" runs, not %s of %" JSON_INTEGER_FORMAT ")",
			json_integer_value(run),
			json_string_value(json_object_get(row, "sweep")),
			row_int(row, "runs"),
			json_string_value(json_object_get(first, "sweep")),
			row_int(first, "runs"));
	if (!same_columns(row, first))
		return errmsg_set(err, errlen,
				  "run %" JSON_INTEGER_FORMAT ": other "
				  "columns than run %" JSON_INTEGER_FORMAT,
				  json_integer_value(run),
				  row_int(first, "run"));
	return 0;
}

int rows_canonical(struct rows *r, bool complete, char *err, size_t errlen)
{
	size_t out = 0;
	json_int_t runs;

	if (!r->nr)
		return complete ? errmsg_set(err, errlen, "no rows") : 0;
	for (size_t i = 0; i < r->nr; i++)
		if (row_check(r->v[i], r->v[0], i, err, errlen))
			return -EINVAL;
	qsort(r->v, r->nr, sizeof(*r->v), by_run);
	for (size_t i = 0; i < r->nr; i++) {
		if (out &&
		    row_int(r->v[out - 1], "run") == row_int(r->v[i], "run")) {
			if (!json_equal(r->v[out - 1], r->v[i]))
				return errmsg_set(err, errlen,
						  "run %" JSON_INTEGER_FORMAT
						  " twice, with "
						  "different results",
						  row_int(r->v[i], "run"));
			json_decref(r->v[i]);
			continue;
		}
		r->v[out++] = r->v[i];
	}
	r->nr = out;
	runs = row_int(r->v[0], "runs");
	if (complete && (json_int_t)r->nr != runs) {
		char list[200] = "";
		size_t len = 0, k = 0;
		unsigned int shown = 0;

		for (json_int_t run = 0; run < runs && shown < 10; run++) {
			while (k < r->nr && row_int(r->v[k], "run") < run)
				k++;
			if (k < r->nr && row_int(r->v[k], "run") == run)
				continue;
			len += (size_t)snprintf(list + len, sizeof(list) - len,
						"%s%" JSON_INTEGER_FORMAT,
						shown ? ", " : "", run);
			shown++;
		}
		return errmsg_set(
			err, errlen,
			"%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
			" runs missing (run %s%s)",
			runs - (json_int_t)r->nr, runs, list,
			runs - (json_int_t)r->nr > shown ? ", ..." : "");
	}
	return 0;
}

unsigned int rows_axes(const struct rows *r, const char **names,
		       unsigned int max)
{
	unsigned int n = 0;
	bool in = false;
	const char *key;
	json_t *v;

	if (!r->nr)
		return 0;
	json_object_foreach(r->v[0], key, v)
	{
		if (!strcmp(key, "policy"))
			break;
		if (in && n < max)
			names[n++] = key;
		if (!strcmp(key, "runs"))
			in = true;
	}
	return n;
}

/* ---- groups: one point and policy, over the seeds -------------------- */

struct group {
	size_t first, n; /* rows [first, first + n) */
	struct mean_sd m;
	size_t point; /* the first group of its point */
	int base; /* the group of the baseline policy at this point; -1 */
};

/* Do rows @a and @b sit at the same point (every axis equal)? */
static bool same_point(const json_t *a, const json_t *b, const char **axes,
		       unsigned int nr_axes)
{
	for (unsigned int i = 0; i < nr_axes; i++)
		if (!json_equal(json_object_get(a, axes[i]),
				json_object_get(b, axes[i])))
			return false;
	return true;
}

static const char *policy_of(const json_t *row)
{
	const char *s = json_string_value(json_object_get(row, "policy"));

	return s ? s : "?";
}

/* The groups of canonical @r for @metric; NULL with a message. */
static struct group *groups_make(const struct rows *r, const char *metric,
				 const char *baseline, const char **axes,
				 unsigned int nr_axes, size_t *nr, char *err,
				 size_t errlen)
{
	struct group *g = calloc(r->nr + 1, sizeof(*g));
	__free(free) double *x = calloc(r->nr + 1, sizeof(*x));
	size_t ng = 0;

	if (!g || !x) {
		free(g);
		errmsg_set(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < r->nr; i++) {
		const json_t *v = json_object_get(r->v[i], metric);

		if (!v || !(json_is_number(v) || json_is_null(v))) {
			free(g);
			errmsg_set(
				err, errlen, "metric '%s': %s", metric,
				v ? "not a number" :
				    "no such column (docs/sweep.md lists them)");
			return NULL;
		}
		x[i] = json_is_null(v) ? NAN : json_number_value(v);
		if (ng &&
		    same_point(r->v[g[ng - 1].first], r->v[i], axes, nr_axes) &&
		    !strcmp(policy_of(r->v[g[ng - 1].first]),
			    policy_of(r->v[i]))) {
			g[ng - 1].n++;
			continue;
		}
		g[ng].first = i;
		g[ng].n = 1;
		ng++;
	}
	/* canonical rows: the groups of a point are next to each other */
	for (size_t k = 0; k < ng; k++) {
		mean_sd_compute(x + g[k].first, (unsigned int)g[k].n, &g[k].m);
		g[k].point = k && same_point(r->v[g[k - 1].first],
					     r->v[g[k].first], axes, nr_axes) ?
				     g[k - 1].point :
				     k;
		g[k].base = -1;
	}
	for (size_t k = 0; k < ng; k++)
		for (size_t b = g[k].point; b < ng && g[b].point == g[k].point;
		     b++)
			if (!strcmp(policy_of(r->v[g[b].first]), baseline)) {
				g[k].base = (int)b;
				break;
			}
	*nr = ng;
	return g;
}

/* A cell's text as the rows hold it (strings bare). */
static void cell_text(const json_t *v, char *buf, size_t len)
{
	char *s;

	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return;
	}
	s = v && json_is_real(v) ? real_text((json_t *)v) : NULL;
	snprintf(buf, len, "%s", s ? s : "");
	free(s);
}

/* @x with the decimals a value of @scale's size deserves */
static void number_text(double x, double scale, char *buf, size_t len)
{
	if (!isfinite(x))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", fabs(scale) >= 100 ? 1 : 4, x);
}

int rows_summary(FILE *f, const struct rows *r, const char *metric,
		 const char *baseline, char *err, size_t errlen)
{
	const char *axes[64];
	unsigned int nr_axes = rows_axes(r, axes, 64);
	int w[64 + 1], wp = (int)strlen("policy");
	size_t ng, points = 0, policies = 0;
	struct group *g;
	char buf[128];

	if (!r->nr)
		return errmsg_set(err, errlen, "no rows");
	if (!baseline)
		baseline = policy_of(r->v[0]);
	g = groups_make(r, metric, baseline, axes, nr_axes, &ng, err, errlen);
	if (!g)
		return -EINVAL;
	for (size_t k = 0; k < ng; k++) {
		points += g[k].point == k;
		policies += g[k].point == 0;
	}
	for (unsigned int a = 0; a < nr_axes; a++) {
		w[a] = (int)strlen(axes[a]);
		for (size_t k = 0; k < ng; k++) {
			cell_text(json_object_get(r->v[g[k].first], axes[a]),
				  buf, sizeof(buf));
			if ((int)strlen(buf) > w[a])
				w[a] = (int)strlen(buf);
		}
	}
	for (size_t k = 0; k < ng; k++)
		if ((int)strlen(policy_of(r->v[g[k].first])) > wp)
			wp = (int)strlen(policy_of(r->v[g[k].first]));
	fprintf(f,
		"Sweep %s: %zu point%s x %zu polic%s x %zu seed%s = %zu "
		"runs\n%s: mean and sd over the seeds; change: against %s at "
		"the same point\n\n",
		json_string_value(json_object_get(r->v[0], "sweep")), points,
		points == 1 ? "" : "s", policies, policies == 1 ? "y" : "ies",
		g[0].n, g[0].n == 1 ? "" : "s", r->nr, metric, baseline);
	for (unsigned int a = 0; a < nr_axes; a++)
		fprintf(f, "%-*s  ", w[a], axes[a]);
	fprintf(f, "%-*s  %5s  %14s  %12s  %9s  %7s\n", wp, "policy", "seeds",
		metric, "sd", "change %", "+-");
	for (size_t k = 0; k < ng; k++) {
		const json_t *row = r->v[g[k].first];

		for (unsigned int a = 0; a < nr_axes; a++) {
			cell_text(json_object_get(row, axes[a]), buf,
				  sizeof(buf));
			fprintf(f, "%-*s  ", w[a], buf);
		}
		fprintf(f, "%-*s  %5zu  ", wp, policy_of(row), g[k].n);
		number_text(g[k].m.mean, g[k].m.mean, buf, sizeof(buf));
		fprintf(f, "%14s  ", buf);
		number_text(g[k].m.sd, g[k].m.mean, buf, sizeof(buf));
		fprintf(f, "%12s", buf);
		if (g[k].base >= 0 && (size_t)g[k].base != k) {
			double pct, spread;

			mean_sd_change(&g[g[k].base].m, &g[k].m, &pct, &spread);
			fprintf(f, "  %+9.2f  %7.2f", pct, spread);
		}
		fputc('\n', f);
	}
	free(g);
	return ferror(f) ?
		       errmsg_set(err, errlen, "writing: %s", strerror(EIO)) :
		       0;
}

/* ---- the chart ------------------------------------------------------- */

/* @s as a gnuplot double-quoted string, without enhanced text. */
static void put_dq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s != '\n')
			fputc(*s, f);
	}
	fputc('"', f);
}

int rows_gnuplot(FILE *f, const struct rows *r, const char *metric,
		 const char *axis, const char *out, char *err, size_t errlen)
{
	const char *axes[64], *others[64];
	unsigned int nr_axes = rows_axes(r, axes, 64), nr_others = 0;
	bool found = false, numeric = true;
	size_t ng, nl = 0;
	struct group *g;
	__free(free) size_t *line_of = NULL;
	__free(free) size_t *line_first = NULL;
	char buf[128];

	for (unsigned int a = 0; a < nr_axes; a++) {
		if (!strcmp(axes[a], axis))
			found = true;
		else
			others[nr_others++] = axes[a];
	}
	if (!found)
		return errmsg_set(err, errlen,
				  "--plot-axis: '%s' is not an axis of "
				  "the sweep",
				  axis);
	g = groups_make(r, metric, policy_of(r->v[0]), axes, nr_axes, &ng, err,
			errlen);
	if (!g)
		return -EINVAL;
	line_of = calloc(ng + 1, sizeof(*line_of));
	line_first = calloc(ng + 1, sizeof(*line_first));
	if (!line_of || !line_first) {
		free(g);
		return errmsg_set(err, errlen, "out of memory");
	}
	/* a line: one policy at one value of every other axis */
	for (size_t k = 0; k < ng; k++) {
		const json_t *row = r->v[g[k].first];
		size_t l;

		if (!json_is_number(json_object_get(row, axis)))
			numeric = false;
		for (l = 0; l < nl; l++) {
			const json_t *o = r->v[g[line_first[l]].first];

			if (same_point(o, row, others, nr_others) &&
			    !strcmp(policy_of(o), policy_of(row)))
				break;
		}
		if (l == nl)
			line_first[nl++] = k;
		line_of[k] = l;
	}
	if (repro_plot_head(f, out)) {
		free(g);
		return errmsg_set(err, errlen,
				  "--plot: the file must end in .svg "
				  "or .png");
	}
	fputs("set title ", f);
	snprintf(buf, sizeof(buf),
		 "%s against %s (mean over the seeds, sd "
		 "as error bars)",
		 metric, axis);
	put_dq(f, buf);
	fputs(" noenhanced\nset xlabel ", f);
	put_dq(f, axis);
	fputs(" noenhanced\nset ylabel ", f);
	put_dq(f, metric);
	fputs(" noenhanced\nset grid\nset key outside right noenhanced\n"
	      "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n",
	      f);
	if (!numeric)
		fputs("set xtics noenhanced\n", f);
	for (size_t l = 0; l < nl; l++) {
		fprintf(f, "$line%zu << EOD\n", l);
		for (size_t k = 0; k < ng; k++) {
			if (line_of[k] != l)
				continue;
			cell_text(json_object_get(r->v[g[k].first], axis), buf,
				  sizeof(buf));
			fprintf(f, "%s %.12g %.12g\n", buf,
				isfinite(g[k].m.mean) ? g[k].m.mean : 0,
				isfinite(g[k].m.sd) ? g[k].m.sd : 0);
		}
		fputs("EOD\n", f);
	}
	fputs("plot ", f);
	for (size_t l = 0; l < nl; l++) {
		const json_t *row = r->v[g[line_first[l]].first];
		char title[512];
		size_t len;

		len = (size_t)snprintf(title, sizeof(title), "%s",
				       policy_of(row));
		for (unsigned int a = 0; a < nr_others && len < sizeof(title);
		     a++) {
			cell_text(json_object_get(row, others[a]), buf,
				  sizeof(buf));
			len += (size_t)snprintf(title + len,
						sizeof(title) - len, ", %s=%s",
						others[a], buf);
		}
		fprintf(f, "%s$line%zu using %s with yerrorlines lw 2 title ",
			l ? ", \\\n     " : "", l,
			numeric ? "1:2:3" : "0:2:3:xtic(1)");
		put_dq(f, title);
	}
	fputc('\n', f);
	free(g);
	return ferror(f) ? errmsg_set(err, errlen, "writing the script: %s",
				      strerror(EIO)) :
			   0;
}
