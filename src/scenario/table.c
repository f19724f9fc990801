// SPDX-License-Identifier: MIT
/*
 * The [table] section (scenario/table.h): comma lists of workloads, VM
 * counts and presets, and the published gains. scenario.c hands every key
 * of the section here and puts "FILE:LINE: " in front of the messages.
 */
#include "scenario/table.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errmsg.h"
#include "scenario/policy.h"
#include "scenario/units.h"

#define PUBLISHED_MIN -100.0
#define PUBLISHED_MAX 10000.0

void table_parser_init(struct table_parser *tp)
{
	memset(tp, 0, sizeof(*tp));
}

unsigned int table_max_vms(const struct table_spec *t)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < t->nr_vms; i++)
		if (t->vms[i] > m)
			m = t->vms[i];
	return m;
}

/*
 * Split @value at commas into trimmed items in @buf (a copy); at most @max.
 * Returns the number of items, or -EINVAL with a message for an empty
 * item or too many.
 */
static int split_list(const char *key, const char *value, char *buf,
		      size_t buflen, char **items, unsigned int max, char *msg,
		      size_t len)
{
	unsigned int n = 0;
	char *p, *next;

	if (strlen(value) >= buflen)
		return errmsg_set(msg, len, "%s: list too long", key);
	strcpy(buf, value);
	for (p = buf; p; p = next) {
		char *e;

		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*p)
			return errmsg_set(msg, len,
					  "%s: empty item in the list '%s' "
					  "(a comma list, e.g. A, B)",
					  key, value);
		if (n == max)
			return errmsg_set(msg, len,
					  "%s: at most %u items, got '%s'", key,
					  max, value);
		items[n++] = p;
	}
	return (int)n;
}

/* -1 when @s is not among @items[0..n). */
static int find_item(char **items, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(items[i], s))
			return i;
	return -1;
}

static void workload_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nr_workloads && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 workloads[i]->name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void preset_names(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < policy_nr_presets && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				 policy_presets[i].name);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static int check_preset(const char *key, const char *name, char *msg,
			size_t len)
{
	struct policy scratch;
	char names[512];

	if (strlen(name) >= TABLE_PRESET_LEN || policy_preset(&scratch, name)) {
		preset_names(names, sizeof(names));
		return errmsg_set(msg, len,
				  "%s: unknown preset '%s'; accepted: %s", key,
				  name, names);
	}
	return 0;
}

static int key_workloads(struct table_parser *tp, const char *key,
			 const char *value, char *msg, size_t len)
{
	char buf[1024], names[512], *items[TABLE_MAX_WORKLOADS];
	int n = split_list(key, value, buf, sizeof(buf), items,
			   TABLE_MAX_WORKLOADS, msg, len);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const struct workload *wl = workload_find(items[i]);

		if (!wl) {
			workload_names(names, sizeof(names));
			return errmsg_set(
				msg, len,
				"%s: unknown workload '%s'; accepted: %s", key,
				items[i], names);
		}
		if (find_item(items, i, items[i]) >= 0)
			return errmsg_set(msg, len,
					  "%s: workload %s listed twice", key,
					  items[i]);
		tp->spec.wl[i] = wl;
	}
	tp->spec.nr_wl = (unsigned int)n;
	return 0;
}

static int key_vms(struct table_parser *tp, const char *key, const char *value,
		   char *msg, size_t len)
{
	char buf[1024], *items[TABLE_MAX_VMS];
	int n = split_list(key, value, buf, sizeof(buf), items, TABLE_MAX_VMS,
			   msg, len);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		u64 v;

		if (parse_u64(items[i], &v) || v < 1 || v > TABLE_MAX_VM_COUNT)
			return errmsg_set(
				msg, len,
				"%s: each VM count must be 1..%d, got '%s'",
				key, TABLE_MAX_VM_COUNT, items[i]);
		for (int k = 0; k < i; k++)
			if (tp->spec.vms[k] == v)
				return errmsg_set(
					msg, len,
					"%s: VM count %llu listed twice", key,
					(unsigned long long)v);
		tp->spec.vms[i] = (unsigned int)v;
	}
	tp->spec.nr_vms = (unsigned int)n;
	return 0;
}

static int key_attribution(struct table_parser *tp, const char *key,
			   const char *value, char *msg, size_t len)
{
	char buf[1024], *items[TABLE_MAX_ATTRIBUTION];
	int n = split_list(key, value, buf, sizeof(buf), items,
			   TABLE_MAX_ATTRIBUTION, msg, len);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		int ret = check_preset(key, items[i], msg, len);

		if (ret)
			return ret;
		if (find_item(items, i, items[i]) >= 0)
			return errmsg_set(msg, len,
					  "%s: preset %s listed twice", key,
					  items[i]);
		snprintf(tp->spec.attribution[i], TABLE_PRESET_LEN, "%s",
			 items[i]);
	}
	tp->spec.nr_attribution = (unsigned int)n;
	return 0;
}

/* "14.4", "+14.4", "-0.5", "14.4%": a gain in percent. */
static int parse_pct(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -EINVAL;
	if (*end == '%')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int key_published(struct table_parser *tp, int line, const char *key,
			 const char *value, char *msg, size_t len)
{
	const char *name = key + strlen("published.");
	char buf[1024], *items[TABLE_MAX_VMS];
	struct table_published *p;
	int n;

	if (!*name || strlen(name) >= sizeof(p->name))
		return errmsg_set(msg, len,
				  "%s: expected published.WORKLOAD (e.g. "
				  "published.dbench)",
				  key);
	if (tp->nr_pub == TABLE_MAX_WORKLOADS)
		return errmsg_set(msg, len, "%s: at most %d published rows",
				  key, TABLE_MAX_WORKLOADS);
	n = split_list(key, value, buf, sizeof(buf), items, TABLE_MAX_VMS, msg,
		       len);
	if (n < 0)
		return n;
	p = &tp->pub[tp->nr_pub];
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < n; i++) {
		if (parse_pct(items[i], &p->v[i]) || p->v[i] < PUBLISHED_MIN ||
		    p->v[i] > PUBLISHED_MAX)
			return errmsg_set(
				msg, len,
				"%s: each gain must be a number of percent "
				"%g..%g (e.g. 14.4 or -0.5%%), got '%s'",
				key, PUBLISHED_MIN, PUBLISHED_MAX, items[i]);
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->line = line;
	p->n = (unsigned int)n;
	tp->nr_pub++;
	return 0;
}

static const char table_keys[] =
	"workloads, vms, baseline, patched, attribution, published.WORKLOAD";

int table_parser_key(struct table_parser *tp, int line, const char *key,
		     const char *value, char *msg, size_t len)
{
	struct table_spec *t = &tp->spec;
	int ret;

	if (!strcmp(key, "workloads")) {
		tp->workloads_line = line;
		return key_workloads(tp, key, value, msg, len);
	}
	if (!strcmp(key, "vms")) {
		tp->vms_line = line;
		return key_vms(tp, key, value, msg, len);
	}
	if (!strcmp(key, "baseline") || !strcmp(key, "patched")) {
		bool base = key[0] == 'b';

		ret = check_preset(key, value, msg, len);
		if (ret)
			return ret;
		snprintf(base ? t->baseline : t->patched, TABLE_PRESET_LEN,
			 "%s", value);
		*(base ? &tp->baseline_line : &tp->patched_line) = line;
		return 0;
	}
	if (!strcmp(key, "attribution")) {
		tp->attribution_line = line;
		return key_attribution(tp, key, value, msg, len);
	}
	if (!strncmp(key, "published.", strlen("published.")))
		return key_published(tp, line, key, value, msg, len);
	return errmsg_set(msg, len, "%s: unknown key in [table]; accepted: %s",
			  key, table_keys);
}

static int finish_err(int *line, int at, char *msg, size_t len, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));

static int finish_err(int *line, int at, char *msg, size_t len, const char *fmt,
		      ...)
{
	va_list ap;

	*line = at;
	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int table_parser_finish(struct table_parser *tp, int header, int *line,
			char *msg, size_t len)
{
	struct table_spec *t = &tp->spec;
	static const struct {
		const char *key;
		size_t off;
	} need[] = {
		{ "workloads", offsetof(struct table_parser, workloads_line) },
		{ "vms", offsetof(struct table_parser, vms_line) },
		{ "baseline", offsetof(struct table_parser, baseline_line) },
		{ "patched", offsetof(struct table_parser, patched_line) },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!*(const int *)((const char *)tp + need[i].off))
			return finish_err(
				line, header, msg, len,
				"[table]: missing key %s (needs "
				"workloads, vms, baseline and patched)",
				need[i].key);
	if (!strcmp(t->baseline, t->patched))
		return finish_err(line, tp->patched_line, msg, len,
				  "patched: is the baseline (%s); name the "
				  "preset to compare against it",
				  t->baseline);
	for (unsigned int i = 0; i < t->nr_attribution; i++) {
		const char *a = t->attribution[i];

		if (!strcmp(a, t->baseline) || !strcmp(a, t->patched))
			return finish_err(
				line, tp->attribution_line, msg, len,
				"attribution: %s is the %s; list the presets "
				"that enable one mechanism each",
				a,
				strcmp(a, t->baseline) ? "patched preset" :
							 "baseline");
	}
	for (unsigned int p = 0; p < tp->nr_pub; p++) {
		const struct table_published *pub = &tp->pub[p];
		unsigned int w;

		for (w = 0; w < t->nr_wl; w++)
			if (!strcmp(t->wl[w]->name, pub->name))
				break;
		if (w == t->nr_wl)
			return finish_err(line, pub->line, msg, len,
					  "published.%s: %s is not in "
					  "workloads (line %d)",
					  pub->name, pub->name,
					  tp->workloads_line);
		if (pub->n != t->nr_vms)
			return finish_err(line, pub->line, msg, len,
					  "published.%s: %u value%s for %u VM "
					  "count%s (vms at line %d); give one "
					  "per VM count",
					  pub->name, pub->n,
					  pub->n == 1 ? "" : "s", t->nr_vms,
					  t->nr_vms == 1 ? "" : "s",
					  tp->vms_line);
		t->has_published[w] = true;
		memcpy(t->published[w], pub->v, sizeof(pub->v));
	}
	return 0;
}
