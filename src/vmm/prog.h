/* SPDX-License-Identifier: MIT */
/*
 * Loading a VM's workload programs (src/guest/prog.h, built by
 * src/workload) into its guest memory for guest_prog_run
 * (src/vmm/guest/interp.h): the steps, the spinlocks and queue nodes,
 * the step times drawn ahead (gop_draw, in TSC cycles), one guest thread
 * per vCPU.
 */
#ifndef OVERSUB_VMM_PROG_H
#define OVERSUB_VMM_PROG_H

#include "kvm/kvm.h"
#include "vmm/guest/interp.h"
#include "vmm/vmm.h"

/* 0 if the engine's guests run every step of @d (one thread per vCPU of
 * a @nr_vcpus VM, steps interp.h lists); else -EINVAL, and @err says
 * which step of which thread they do not. */
int vmm_prog_check(const struct guest_vm_desc *d, unsigned int nr_vcpus,
		   char *err, size_t errlen);
/* MiB of guest memory the programs of @d take (for vmm_vm_create). */
unsigned int vmm_prog_mem_mib(const struct guest_vm_desc *d);
/*
 * Load @d into @vm (checked with vmm_prog_check): thread i runs on vCPU
 * i with PV area @pv[i]; the guest's PV features (PV spinlocks, PV TLB
 * flush, PV sched yield) are @k's; step times drawn with @seed (stream:
 * the thread) at @tsc_hz. *@threads: the threads, in guest memory, each
 * the argument of guest_prog_run on its vCPU.
 */
int vmm_prog_load(struct vmm_vm *vm, const struct guest_vm_desc *d,
		  struct vmm_pv *pv, const struct kvm_knobs *k, uint64_t tsc_hz,
		  uint64_t seed, struct vmm_gthread **threads, char *err,
		  size_t errlen);
/* The TSC's rate, measured against CLOCK_MONOTONIC over @ms ms. */
uint64_t vmm_tsc_hz(unsigned int ms);

#endif
