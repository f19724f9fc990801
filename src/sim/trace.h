/* SPDX-License-Identifier: MIT */
/*
 * What the engine tells a trace writer (src/report/trace.c implements it
 * for the Chrome/Perfetto JSON format). Times are simulated ns. The engine
 * only calls these for events inside the trace window it was given.
 */
#ifndef OVERSUB_SIM_TRACE_H
#define OVERSUB_SIM_TRACE_H

#include "core/types.h"

enum trace_flow_kind {
	FLOW_YIELD, /* directed yield: yielder's CPU -> where the target runs */
	FLOW_IPI, /* IPI: sender's CPU -> where the receiver handles it */
	FLOW_KICK, /* PV kick of a halted waiter */
};

struct sim_trace_ops {
	void *ctx;
	/* Thread @name ran on host CPU @cpu over [start, end); @state is what
	 * its guest was doing most of that time ("work", "spin", ...). */
	void (*run_slice)(void *ctx, int cpu, const char *name, u64 start,
			  u64 end, const char *state);
	/* A flow @id leaves @cpu at @t ... */
	void (*flow_begin)(void *ctx, u64 id, enum trace_flow_kind kind,
			   int cpu, u64 t);
	/* ... and arrives on @cpu at @t. */
	void (*flow_end)(void *ctx, u64 id, int cpu, u64 t);
	/* Runnable tasks on @cpu's runqueue became @n at @t. */
	void (*rq_counter)(void *ctx, int cpu, u64 t, unsigned int n);
	u64 window_start, window_end; /* [start, end) of simulated time */
};

#endif
