/* SPDX-License-Identifier: MIT */
/*
 * A struct sim_trace_ops that streams the Chrome/Perfetto JSON trace format
 * to a FILE*: one process "host", a thread track per host CPU ("CPU n",
 * tid n) with a complete event per run slice, flow arrows for directed
 * yields, IPIs and kicks, and a "runnable" counter per CPU. Open the file in
 * ui.perfetto.dev. Only events inside [window_start, window_end) are
 * written (slices clipped to it); the same calls give the same bytes.
 */
#ifndef OVERSUB_REPORT_TRACE_H
#define OVERSUB_REPORT_TRACE_H

#include <stdio.h>

#include "sim/trace.h"

struct trace_writer;

/* Write the header and the track names for @nr_cpus host CPUs to @f (not
 * closed by the writer); once @f holds more than @max_bytes (0: no limit,
 * looked at every 1024 events) nothing more is written. NULL on
 * allocation failure. */
struct trace_writer *trace_writer_open(FILE *f, unsigned int nr_cpus,
				       u64 window_start, u64 window_end,
				       u64 max_bytes);
/* The callbacks for sim_run, bound to @w and its window. */
void trace_writer_ops(struct trace_writer *w, struct sim_trace_ops *ops);
/* Finish the JSON and free @w. 0, -EIO if any write failed, -EFBIG if
 * the trace passed its limit (the file then ends unfinished). */
int trace_writer_close(struct trace_writer *w);

#endif
