// SPDX-License-Identifier: MIT
/*
 * newidle.h - the record that newidle.bpf.c emits for every blocking
 * context switch and that newidle.c writes to its output file (read by
 * analyze.py).  Shared by the BPF program (after vmlinux.h) and the
 * loader (after <linux/types.h>), so only __u32/__u64/__s32 are used.
 *
 * File layout: struct newidle_file_header, then struct newidle_event
 * records back to back, little-endian, no padding anywhere.
 */
#ifndef NEWIDLE_H
#define NEWIDLE_H

#define NEWIDLE_MAGIC "NEWIDLE" /* 8 bytes with the NUL */
#define NEWIDLE_VERSION 1
#define NEWIDLE_MAX_SD 3 /* sched domains read per CPU, lowest first */
#define NEWIDLE_NO_RATIO 0xffffffffu /* kernel without newidle_ratio */

struct newidle_file_header {
	char magic[8];
	__u32 version;
	__u32 record_size; /* sizeof(struct newidle_event) */
};

/* One sched domain of the switching CPU, read at the switch. */
struct newidle_sd {
	__u64 max_newidle_lb_cost; /* ns, the kernel's decaying max */
	__u32 newidle_ratio; /* NI_RANDOM: successes per 1024 */
	__u32 span_weight; /* CPUs in the domain */
	__s32 level;
	char name[12]; /* "MC", "PKG", ... */
};

struct newidle_event {
	/* bpf_ktime_get_ns() */
	__u64 t_deq; /* last dequeue from this CPU's rq */
	__u64 t_mig; /* first task migrated to this CPU, or 0 */
	__u64 t_switch; /* sched_switch */
	/* rq->clock at the dequeue and at the switch */
	__u64 clk_deq, clk_switch;
	__u32 cpu;
	__u32 n_deq; /* dequeues from this CPU's rq in this __schedule */
	__u32 n_mig; /* tasks migrated to this CPU in it */
	__u32 to_idle; /* next is the idle task */
	__u32 own; /* prev belongs to the traced command */
	__u32 nsd; /* valid entries of sd[] */
	struct newidle_sd sd[NEWIDLE_MAX_SD];
};

#endif /* NEWIDLE_H */
