/* SPDX-License-Identifier: MIT */
/*
 * What the engine's mechanics cost on this host, measured with a 1-vCPU VM
 * (median of many): the simulator's host parameters for the same work
 * (exit and kick costs) come from here when it is held against the engine.
 */
#ifndef OVERSUB_VMM_COSTS_H
#define OVERSUB_VMM_COSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

struct vmm_costs {
	u64 exit_ns; /* a ring-3 MMIO exit to userspace and back in */
	u64 run_ns; /* KVM_RUN with immediate_exit: entry call, no guest */
	u64 signal_ns; /* a signal to a vCPU in the guest until KVM_RUN returns */
	u64 first_run_ns; /* the first KVM_RUN of a new VM */
};

/* 0, or -errno with the reason in @err. Takes about @samples x 0.1 ms,
 * plus @samples / 10 x 1 ms for the signal probe. */
int vmm_measure_costs(struct vmm_costs *c, unsigned int samples, char *err,
		      size_t errlen);

/*
 * Does this host's in-kernel LAPIC (KVM_CREATE_IRQCHIP) deliver
 * interrupts to the engine's guests? vCPU 0 sends vCPU 1 an IPI; vCPU 1,
 * entering with it pending, polls for it. true if it arrived; false with
 * the reason in @why (this machine's nested KVM returns EINTR from every
 * KVM_RUN of a vCPU with a vector pending).
 */
bool vmm_kernel_irqchip_works(char *why, size_t len);

#endif
