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
 * closed by the writer). NULL on allocation failure. */
struct trace_writer *trace_writer_open(FILE *f, unsigned int nr_cpus,
				       u64 window_start, u64 window_end);
/* The callbacks for sim_run, bound to @w and its window. */
void trace_writer_ops(struct trace_writer *w, struct sim_trace_ops *ops);
/* Finish the JSON and free @w. 0, or -EIO if any write failed. */
int trace_writer_close(struct trace_writer *w);

#endif
