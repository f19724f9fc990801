// SPDX-License-Identifier: MIT
/*
 * report/trace.c: the Chrome/Perfetto JSON trace writer, driven through
 * its struct sim_trace_ops the way the engine drives it, and parsed back
 * with jansson: the host process and CPU tracks, complete events with the
 * state in args, a flow pair bound by category and id, the runnable
 * counter, window clipping and filtering, byte-for-byte determinism.
 */
#include <errno.h>
#include <jansson.h>
#include <unistd.h>

#include "fixture.h"
#include "report/trace.h"

/* A short run on 2 CPUs: vCPU a yields to b (flow 1, CPU 0 -> 1), b sends
 * an IPI (flow 2, CPU 1 -> 0) whose end lands after the window, a kick
 * (flow 3) begins before it. Window [1000, 9000) ns. */
static void drive(struct sim_trace_ops *ops)
{
	void *c = ops->ctx;

	ops->rq_counter(c, 0, 500, 9); /* before the window */
	ops->flow_begin(c, 3, FLOW_KICK, 0, 800); /* before the window */
	ops->run_slice(c, 0, "vm-0/vcpu0", 0, 2500, "spin"); /* clipped */
	ops->rq_counter(c, 0, 1000, 2);
	ops->flow_begin(c, 1, FLOW_YIELD, 0, 2400);
	ops->flow_end(c, 1, 1, 2600);
	ops->flow_end(c, 3, 1, 2700); /* its begin was not written */
	ops->run_slice(c, 1, "vm-0/vcpu1", 2600, 5000, "work");
	ops->flow_begin(c, 2, FLOW_IPI, 1, 4000);
	ops->rq_counter(c, 1, 4500, 1);
	ops->run_slice(c, 0, "vm \"q\"", 8000, 12000, "halted"); /* clipped */
	ops->flow_end(c, 2, 0, 9500); /* after the window */
	ops->run_slice(c, 1, "late", 9000, 9100, "work"); /* outside */
}

static char *write_trace(void)
{
	struct sim_trace_ops ops;
	struct trace_writer *w;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	w = trace_writer_open(f, 2, 1000, 9000, 0);
	assert_non_null(w);
	trace_writer_ops(w, &ops);
	assert_int_equal(ops.window_start, 1000);
	assert_int_equal(ops.window_end, 9000);
	drive(&ops);
	assert_int_equal(trace_writer_close(w), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static json_t *events_of(const char *buf, json_t **root)
{
	json_error_t err;
	json_t *ev;

	*root = json_loads(buf, 0, &err);
	if (!*root)
		fail_msg("trace is not JSON: line %d: %s", err.line, err.text);
	assert_string_equal(
		json_string_value(json_object_get(*root, "displayTimeUnit")),
		"ns");
	ev = json_object_get(*root, "traceEvents");
	assert_true(json_is_array(ev));
	return ev;
}

static const char *sget(json_t *e, const char *k)
{
	const char *s = json_string_value(json_object_get(e, k));

	return s ? s : "";
}

static int iget(json_t *e, const char *k)
{
	return (int)json_integer_value(json_object_get(e, k));
}

/* Events of phase @ph, in file order, into @out; returns how many. */
static size_t find_ph(json_t *ev, const char *ph, json_t **out, size_t max)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(ev, i, e)
	{
		if (!strcmp(sget(e, "ph"), ph) && n < max)
			out[n++] = e;
	}
	return n;
}

static void trace_has_host_and_cpu_tracks(void **state)
{
	char *buf = write_trace();
	json_t *root, *ev = events_of(buf, &root), *m[8];
	size_t n = find_ph(ev, "M", m, 8);
	int names = 0;

	(void)state;
	assert_int_equal(n, 5); /* process name, 2 x (thread name, order) */
	assert_string_equal(sget(m[0], "name"), "process_name");
	assert_string_equal(sget(json_object_get(m[0], "args"), "name"),
			    "host");
	for (size_t i = 1; i < n; i++) {
		char want[16];

		assert_int_equal(iget(m[i], "pid"), 0);
		if (strcmp(sget(m[i], "name"), "thread_name"))
			continue;
		snprintf(want, sizeof(want), "CPU %d", iget(m[i], "tid"));
		assert_string_equal(sget(json_object_get(m[i], "args"), "name"),
				    want);
		names++;
	}
	assert_int_equal(names, 2);
	json_decref(root);
	free(buf);
}

/* Slices: complete events named after the thread, state in args, µs
 * timestamps; clipped to the window; none outside it. */
static void trace_slices_clipped_to_window(void **state)
{
	char *buf = write_trace();
	json_t *root, *ev = events_of(buf, &root), *x[8];
	size_t n = find_ph(ev, "X", x, 8);

	(void)state;
	assert_int_equal(n, 3);
	assert_string_equal(sget(x[0], "name"), "vm-0/vcpu0");
	assert_int_equal(iget(x[0], "tid"), 0);
	assert_float_equal(json_number_value(json_object_get(x[0], "ts")), 1.0,
			   1e-12);
	assert_float_equal(json_number_value(json_object_get(x[0], "dur")), 1.5,
			   1e-12);
	assert_string_equal(sget(json_object_get(x[0], "args"), "state"),
			    "spin");
	assert_string_equal(sget(x[1], "name"), "vm-0/vcpu1");
	assert_int_equal(iget(x[1], "tid"), 1);
	assert_string_equal(sget(json_object_get(x[1], "args"), "state"),
			    "work");
	/* escaped name; clipped at the window end 9000 */
	assert_string_equal(sget(x[2], "name"), "vm \"q\"");
	assert_float_equal(json_number_value(json_object_get(x[2], "dur")), 1.0,
			   1e-12);
	assert_null(strstr(buf, "late"));
	json_decref(root);
	free(buf);
}

/* Flows: the yield's "s" on CPU 0 and its "f" (bound to the enclosing
 * slice) on CPU 1 share id and category; the kick begun before the window
 * leaves no end behind; the IPI's end after the window is not written. */
static void trace_flow_pair(void **state)
{
	char *buf = write_trace();
	json_t *root, *ev = events_of(buf, &root), *s[8], *f[8];
	size_t ns = find_ph(ev, "s", s, 8), nf = find_ph(ev, "f", f, 8);

	(void)state;
	assert_int_equal(ns, 2);
	assert_int_equal(nf, 1);
	assert_string_equal(sget(s[0], "cat"), "yield");
	assert_int_equal(iget(s[0], "id"), 1);
	assert_int_equal(iget(s[0], "tid"), 0);
	assert_string_equal(sget(f[0], "cat"), "yield");
	assert_string_equal(sget(f[0], "name"), sget(s[0], "name"));
	assert_int_equal(iget(f[0], "id"), 1);
	assert_int_equal(iget(f[0], "tid"), 1);
	assert_string_equal(sget(f[0], "bp"), "e");
	assert_float_equal(json_number_value(json_object_get(f[0], "ts")), 2.6,
			   1e-12);
	assert_string_equal(sget(s[1], "cat"), "ipi");
	assert_int_equal(iget(s[1], "tid"), 1);
	json_decref(root);
	free(buf);
}

static void trace_runnable_counter(void **state)
{
	char *buf = write_trace();
	json_t *root, *ev = events_of(buf, &root), *c[8];
	size_t n = find_ph(ev, "C", c, 8);

	(void)state;
	assert_int_equal(n, 2); /* the one at 500 ns is outside */
	assert_string_equal(sget(c[0], "name"), "runnable");
	assert_int_equal(iget(c[0], "tid"), 0);
	assert_int_equal(iget(json_object_get(c[0], "args"), "cpu0"), 2);
	assert_int_equal(iget(c[1], "tid"), 1);
	assert_int_equal(iget(json_object_get(c[1], "args"), "cpu1"), 1);
	json_decref(root);
	free(buf);
}

/* Same calls, same bytes. An empty window still gives valid JSON. */
static void trace_deterministic_and_empty_valid(void **state)
{
	char *a = write_trace(), *b = write_trace(), *buf = NULL;
	struct sim_trace_ops ops;
	struct trace_writer *w;
	json_t *root;
	size_t len;
	FILE *f;

	(void)state;
	assert_string_equal(a, b);
	free(a);
	free(b);

	f = open_memstream(&buf, &len);
	w = trace_writer_open(f, 1, 0, 0, 0);
	trace_writer_ops(w, &ops);
	ops.run_slice(ops.ctx, 0, "x", 0, 10, "work");
	assert_int_equal(trace_writer_close(w), 0);
	fclose(f);
	events_of(buf, &root);
	assert_null(strstr(buf, "\"X\""));
	json_decref(root);
	free(buf);
}

/* Many flows open at once and closed out of order: every end finds its
 * begin (the id table grows and deletes correctly). */
static void trace_many_flows(void **state)
{
	struct sim_trace_ops ops;
	struct trace_writer *w;
	char *buf = NULL;
	json_t *root, *ev;
	size_t len, i, nf = 0;
	json_t *e;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	w = trace_writer_open(f, 4, 0, ~0ULL, 0);
	trace_writer_ops(w, &ops);
	for (u64 id = 0; id < 1000; id++)
		ops.flow_begin(ops.ctx, id * 7919,
			       (enum trace_flow_kind)(id % 3), (int)(id % 4),
			       id);
	for (u64 k = 0; k < 1000; k++) {
		u64 id = (k * 389) % 1000; /* a permutation of 0..999 */

		ops.flow_end(ops.ctx, id * 7919, (int)((id + 1) % 4), 2000 + k);
	}
	ops.flow_end(ops.ctx, 5 * 7919, 0, 5000); /* already ended: dropped */
	assert_int_equal(trace_writer_close(w), 0);
	fclose(f);
	ev = events_of(buf, &root);
	json_array_foreach(ev, i, e)
	{
		if (strcmp(sget(e, "ph"), "f"))
			continue;
		nf++;
		assert_int_equal(iget(e, "id") % 7919, 0);
	}
	assert_int_equal(nf, 1000);
	json_decref(root);
	free(buf);
}

/* A limit of 64 KiB: 10,000 slices of ~100 bytes (about 1 MB) pass it;
 * the writer stops within 1024 events of it and closing says -EFBIG */
static void trace_size_limit(void **state)
{
	struct sim_trace_ops ops;
	struct trace_writer *w;
	char path[] = "/tmp/oversub-trace-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	long size;

	(void)state;
	assert_non_null(f);
	w = trace_writer_open(f, 1, 0, ~0ULL, 64 * 1024);
	trace_writer_ops(w, &ops);
	for (u64 t = 0; t < 10000; t++)
		ops.run_slice(ops.ctx, 0, "vm", t * 10, t * 10 + 5, "work");
	assert_int_equal(trace_writer_close(w), -EFBIG);
	fflush(f);
	size = ftell(f);
	fclose(f);
	unlink(path);
	assert_true(size > 64 * 1024 && size < 64 * 1024 + 1024 * 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_size_limit),
		cmocka_unit_test(trace_has_host_and_cpu_tracks),
		cmocka_unit_test(trace_slices_clipped_to_window),
		cmocka_unit_test(trace_flow_pair),
		cmocka_unit_test(trace_runnable_counter),
		cmocka_unit_test(trace_deterministic_and_empty_valid),
		cmocka_unit_test(trace_many_flows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
