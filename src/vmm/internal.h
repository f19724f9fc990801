/* SPDX-License-Identifier: MIT */
/* What the files of src/vmm share and nothing above them uses. */
#ifndef OVERSUB_VMM_INTERNAL_H
#define OVERSUB_VMM_INTERNAL_H

#include "vmm/guest/area.h"
#include "vmm/vmm.h"

/* guest memory each vCPU takes: its stacks, GDT and TSS (vcpu.c) */
#define VMM_VCPU_RAM VMM_AREA_SIZE

/* set vm->err from @fmt; returns @ret */
int vmm_error(struct vmm_vm *vm, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Is [@p, @p + @len) inside the copied program image? */
bool vmm_in_image(const struct vmm_vm *vm, const void *p, size_t len);
/* CLOCK_MONOTONIC in ns */
uint64_t vmm_mono_ns(void);
/*
 * Stopping a vCPU in KVM_RUN: a signal to its thread, whose handler
 * (vmm_kick_handler, installed by whoever runs vCPUs) sets the
 * immediate_exit of vmm_kick_run, the kvm_run the thread is in KVM_RUN
 * with, so that a signal that lands just before the entry still makes
 * KVM_RUN return -EINTR at once.
 */
extern __thread struct kvm_run *volatile vmm_kick_run;
void vmm_kick_handler(int sig);

/* a new vCPU's CPUID, its stacks, GDT and TSS (vcpu.c) */
int vmm_vcpu_setup(struct vmm_vcpu *vcpu);

#endif
