// SPDX-License-Identifier: MIT
/*
 * The Chrome/Perfetto JSON trace writer (report/trace.h). Events are
 * written as they come, one per line; timestamps are microseconds printed
 * exactly from simulated ns ("12.345"), so output is byte-identical for the
 * same calls. A flow's begin is remembered by id so its end can carry the
 * same category (Perfetto binds "s" and "f" by category and id); an end
 * whose begin was not written (outside the window) is dropped.
 */
#include "report/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct flow_slot {
	u64 id;
	int kind; /* enum trace_flow_kind, -1: empty */
};

struct trace_writer {
	FILE *f;
	FILE *out; /* the caller's file; f becomes /dev/null past max_bytes */
	u64 max_bytes; /* 0: no limit */
	u64 events;
	bool over; /* max_bytes reached: nothing more is written */
	unsigned int nr_cpus;
	u64 start, end;
	bool first; /* no event written yet: no comma before the next */
	struct flow_slot *flows; /* open addressing, linear probing */
	size_t nr_flows, cap;
};

static const char *const flow_cat[] = {
	[FLOW_YIELD] = "yield",
	[FLOW_IPI] = "ipi",
	[FLOW_KICK] = "kick",
};

/* --- open flows by id --- */

static size_t flow_hash(u64 id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

static struct flow_slot *flow_lookup(struct trace_writer *w, u64 id)
{
	size_t i;

	if (!w->cap)
		return NULL;
	for (i = flow_hash(id, w->cap); w->flows[i].kind >= 0;
	     i = (i + 1) & (w->cap - 1))
		if (w->flows[i].id == id)
			return &w->flows[i];
	return NULL;
}

static int flow_grow(struct trace_writer *w)
{
	size_t cap = w->cap ? 2 * w->cap : 64;
	struct flow_slot *old = w->flows, *fl = malloc(cap * sizeof(*fl));

	if (!fl)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		fl[i].kind = -1;
	for (size_t i = 0; i < w->cap; i++) {
		size_t j;

		if (old[i].kind < 0)
			continue;
		for (j = flow_hash(old[i].id, cap); fl[j].kind >= 0;
		     j = (j + 1) & (cap - 1))
			;
		fl[j] = old[i];
	}
	free(old);
	w->flows = fl;
	w->cap = cap;
	return 0;
}

static int flow_add(struct trace_writer *w, u64 id, int kind)
{
	struct flow_slot *s = flow_lookup(w, id);
	size_t i;

	if (s) {
		s->kind = kind;
		return 0;
	}
	if (2 * (w->nr_flows + 1) > w->cap && flow_grow(w))
		return -ENOMEM;
	for (i = flow_hash(id, w->cap); w->flows[i].kind >= 0;
	     i = (i + 1) & (w->cap - 1))
		;
	w->flows[i].id = id;
	w->flows[i].kind = kind;
	w->nr_flows++;
	return 0;
}

/* Remove @s, shifting back later entries of its probe run. */
static void flow_del(struct trace_writer *w, struct flow_slot *s)
{
	size_t mask = w->cap - 1, i = (size_t)(s - w->flows), j = i;

	w->flows[i].kind = -1;
	w->nr_flows--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (w->flows[j].kind < 0)
			return;
		home = flow_hash(w->flows[j].id, w->cap);
		/* Leave j where it is if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		w->flows[i] = w->flows[j];
		w->flows[j].kind = -1;
		i = j;
	}
}

/* --- output --- */

static bool in_window(const struct trace_writer *w, u64 t)
{
	return t >= w->start && t < w->end;
}

/* ns as microseconds, exactly: 1234567 -> 1234.567 */
static void put_us(FILE *f, u64 ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned int)(ns % 1000));
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Start an event: separator, then the fields every event has. */
static void begin_event(struct trace_writer *w, char ph, int cpu)
{
	/* the size is looked at every 1024 events; past the limit the
	 * events go nowhere and closing reports it */
	if (w->max_bytes && !w->over && !(++w->events % 1024)) {
		long pos = ftell(w->out);
		FILE *sink;

		if (pos >= 0 && (u64)pos > w->max_bytes &&
		    (sink = fopen("/dev/null", "w"))) {
			w->over = true;
			w->f = sink;
		}
	}
	fputs(w->first ? "\n" : ",\n", w->f);
	w->first = false;
	fprintf(w->f, "{\"ph\":\"%c\",\"pid\":0,\"tid\":%d", ph, cpu);
}

static void tw_run_slice(void *ctx, int cpu, const char *name, u64 start,
			 u64 end, const char *state)
{
	struct trace_writer *w = ctx;

	start = start > w->start ? start : w->start;
	end = end < w->end ? end : w->end;
	if (start >= end && !(start == end && in_window(w, start)))
		return;
	begin_event(w, 'X', cpu);
	fputs(",\"name\":", w->f);
	put_str(w->f, name);
	fputs(",\"cat\":\"vcpu\",\"ts\":", w->f);
	put_us(w->f, start);
	fputs(",\"dur\":", w->f);
	put_us(w->f, end - start);
	fputs(",\"args\":{\"state\":", w->f);
	put_str(w->f, state ? state : "");
	fputs("}}", w->f);
}

static void tw_flow_begin(void *ctx, u64 id, enum trace_flow_kind kind, int cpu,
			  u64 t)
{
	struct trace_writer *w = ctx;

	if (!in_window(w, t) || (unsigned int)kind >= ARRAY_SIZE(flow_cat))
		return;
	if (flow_add(w, id, (int)kind))
		return; /* no memory: leave the arrow out */
	begin_event(w, 's', cpu);
	fprintf(w->f,
		",\"name\":\"%s\",\"cat\":\"%s\",\"id\":%" PRIu64 ",\"ts\":",
		flow_cat[kind], flow_cat[kind], id);
	put_us(w->f, t);
	fputc('}', w->f);
}

static void tw_flow_end(void *ctx, u64 id, int cpu, u64 t)
{
	struct trace_writer *w = ctx;
	struct flow_slot *s = flow_lookup(w, id);
	int kind;

	if (!s)
		return;
	kind = s->kind;
	flow_del(w, s);
	if (!in_window(w, t))
		return;
	begin_event(w, 'f', cpu);
	fprintf(w->f,
		",\"bp\":\"e\",\"name\":\"%s\",\"cat\":\"%s\",\"id\":%" PRIu64
		",\"ts\":",
		flow_cat[kind], flow_cat[kind], id);
	put_us(w->f, t);
	fputc('}', w->f);
}

static void tw_rq_counter(void *ctx, int cpu, u64 t, unsigned int n)
{
	struct trace_writer *w = ctx;

	if (!in_window(w, t))
		return;
	begin_event(w, 'C', cpu);
	fputs(",\"name\":\"runnable\",\"ts\":", w->f);
	put_us(w->f, t);
	fprintf(w->f, ",\"args\":{\"cpu%d\":%u}}", cpu, n);
}

struct trace_writer *trace_writer_open(FILE *f, unsigned int nr_cpus,
				       u64 window_start, u64 window_end,
				       u64 max_bytes)
{
	struct trace_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->f = f;
	w->out = f;
	w->max_bytes = max_bytes;
	w->nr_cpus = nr_cpus;
	w->start = window_start;
	w->end = window_end;
	w->first = true;

	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", f);
	begin_event(w, 'M', 0);
	fputs(",\"name\":\"process_name\",\"args\":{\"name\":\"host\"}}", f);
	for (unsigned int c = 0; c < nr_cpus; c++) {
		begin_event(w, 'M', (int)c);
		fprintf(f,
			",\"name\":\"thread_name\",\"args\":{\"name\":\"CPU %u\"}}",
			c);
		begin_event(w, 'M', (int)c);
		fprintf(f,
			",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":%u}}",
			c);
	}
	return w;
}

void trace_writer_ops(struct trace_writer *w, struct sim_trace_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->ctx = w;
	ops->run_slice = tw_run_slice;
	ops->flow_begin = tw_flow_begin;
	ops->flow_end = tw_flow_end;
	ops->rq_counter = tw_rq_counter;
	ops->window_start = w->start;
	ops->window_end = w->end;
}

int trace_writer_close(struct trace_writer *w)
{
	int ret;

	if (w->over) {
		fclose(w->f);
		ret = -EFBIG;
	} else {
		fputs("\n]}\n", w->f);
		ret = fflush(w->f) || ferror(w->f) ? -EIO : 0;
	}
	free(w->flows);
	free(w);
	return ret;
}
