// SPDX-License-Identifier: MIT
/*
 * One KVM_RUN of a vCPU and what it ended in (vmm.h): ucalls read from
 * guest memory and checked, the VM's end on a triple fault, an access to
 * memory it does not have, or a failed entry, each with a message that
 * says where. After the KVM selftests' get_ucall() and
 * TEST_ASSERT_KVM_EXIT_REASON(), written anew.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vmm/internal.h"

__thread struct kvm_run *volatile vmm_kick_run;

void vmm_kick_handler(int sig)
{
	struct kvm_run *run = vmm_kick_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

uint64_t vmm_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *const exception_names[32] = {
	[0] = "#DE", [1] = "#DB", [3] = "#BP", [4] = "#OF", [5] = "#BR",
	[6] = "#UD", [7] = "#NM", [8] = "#DF", [10] = "#TS", [11] = "#NP",
	[12] = "#SS", [13] = "#GP", [14] = "#PF", [16] = "#MF", [17] = "#AC",
	[18] = "#MC", [19] = "#XM",
};

/* a string the guest names by address: it must lie in the image copy,
 * NUL-terminated inside it (the host's own bytes at that address match) */
static const char *image_string(const struct vmm_vm *vm, const char *s)
{
	for (size_t n = 1; n <= 256; n++) {
		if (!vmm_in_image(vm, s, n))
			return NULL;
		if (!s[n - 1])
			return s;
	}
	return NULL;
}

static enum vmm_exit ucall_read(struct vmm_vcpu *vcpu, struct ucall *uc)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	uint64_t addr;

	if (!run->mmio.is_write || run->mmio.len != 8) {
		vmm_error(vm, -EIO, "vCPU %d: bad ucall: a %u-byte %s of the "
			  "doorbell", vcpu->idx, run->mmio.len,
			  run->mmio.is_write ? "write" : "read");
		return VMM_EXIT_ERROR;
	}
	memcpy(&addr, run->mmio.data, 8);
	if (!vmm_in_ram(vm, (const void *)addr, sizeof(*uc))) {
		vmm_error(vm, -EIO, "vCPU %d: bad ucall: 0x%llx is not in "
			  "guest memory", vcpu->idx, (unsigned long long)addr);
		return VMM_EXIT_ERROR;
	}
	memcpy(uc, (const void *)addr, sizeof(*uc));
	if (uc->cmd == UCALL_NONE || uc->cmd >= UCALL_MAX ||
	    uc->nr_args > UCALL_MAX_ARGS) {
		vmm_error(vm, -EIO, "vCPU %d: bad ucall: command %llu with "
			  "%llu arguments", vcpu->idx,
			  (unsigned long long)uc->cmd,
			  (unsigned long long)uc->nr_args);
		return VMM_EXIT_ERROR;
	}
	if (uc->cmd == UCALL_ABORT) {
		const char *f = image_string(vm, uc->file);
		const char *e = image_string(vm, uc->expr);

		vmm_error(vm, -EIO, "vCPU %d: guest assertion failed at %s:%llu: %s",
			  vcpu->idx, f ? f : "?", (unsigned long long)uc->line,
			  e ? e : "?");
		return VMM_EXIT_ERROR;
	}
	return VMM_EXIT_UCALL;
}

static enum vmm_exit mmio_exit(struct vmm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t a = vcpu->run->mmio.phys_addr;

	if (a == VMM_DOORBELL_GPA + VMM_DB_UCALL)
		return ucall_read(vcpu, uc);
	if ((a & ~0xfffull) == VMM_DOORBELL_GPA ||
	    (a & ~0xfffull) == VMM_XAPIC_GPA)
		return VMM_EXIT_MMIO;
	vmm_error(vcpu->vm, -EFAULT, "vCPU %d: guest %s %u bytes at "
		  "guest-physical 0x%llx, where the VM has no memory",
		  vcpu->idx, vcpu->run->mmio.is_write ? "wrote" : "read",
		  vcpu->run->mmio.len, (unsigned long long)a);
	return VMM_EXIT_ERROR;
}

static enum vmm_exit shutdown_exit(struct vmm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	char what[64] = "";

	memset(&regs, 0, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	(void)ioctl(vcpu->fd, KVM_GET_REGS, &regs);
	(void)ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) == 0 &&
	    (ev.exception.injected || ev.exception.pending) &&
	    ev.exception.nr < 32)
		snprintf(what, sizeof(what), ", exception %s (%u)",
			 exception_names[ev.exception.nr] ?
				 exception_names[ev.exception.nr] : "#?",
			 ev.exception.nr);
	vmm_error(vcpu->vm, -EIO, "vCPU %d: triple fault (guest rip 0x%llx, "
		  "cr2 0x%llx%s)", vcpu->idx, (unsigned long long)regs.rip,
		  (unsigned long long)sregs.cr2, what);
	return VMM_EXIT_ERROR;
}

enum vmm_exit vmm_vcpu_run(struct vmm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;

	if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return VMM_EXIT_INTR;
		vmm_error(vcpu->vm, -errno, "vCPU %d: KVM_RUN: %s", vcpu->idx,
			  strerror(errno));
		return VMM_EXIT_ERROR;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return mmio_exit(vcpu, uc);
	case KVM_EXIT_HLT:
		return VMM_EXIT_HLT;
	case KVM_EXIT_INTR:
		return VMM_EXIT_INTR;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return VMM_EXIT_IRQ_WINDOW;
	case KVM_EXIT_SHUTDOWN:
		return shutdown_exit(vcpu);
	case KVM_EXIT_FAIL_ENTRY:
		vmm_error(vcpu->vm, -EIO, "vCPU %d: VM entry failed, hardware "
			  "reason 0x%llx", vcpu->idx, (unsigned long long)
			  run->fail_entry.hardware_entry_failure_reason);
		return VMM_EXIT_ERROR;
	case KVM_EXIT_INTERNAL_ERROR:
		vmm_error(vcpu->vm, -EIO, "vCPU %d: KVM internal error, "
			  "suberror %u", vcpu->idx, run->internal.suberror);
		return VMM_EXIT_ERROR;
	default:
		vmm_error(vcpu->vm, -EIO, "vCPU %d: unexpected exit reason %u",
			  vcpu->idx, run->exit_reason);
		return VMM_EXIT_ERROR;
	}
}

int vmm_vcpu_interrupt(struct vmm_vcpu *vcpu, struct kvm_interrupt *irq)
{
	if (ioctl(vcpu->fd, KVM_INTERRUPT, irq) < 0)
		return vmm_error(vcpu->vm, -errno, "vCPU %d: KVM_INTERRUPT %u: %s",
				 vcpu->idx, irq->irq, strerror(errno));
	return 0;
}

int vmm_vcpu_run_to_done(struct vmm_vcpu *vcpu,
			 int (*on_ucall)(struct vmm_vcpu *, const struct ucall *,
					 void *),
			 void *ctx)
{
	struct ucall uc;

	for (;;) {
		switch (vmm_vcpu_run(vcpu, &uc)) {
		case VMM_EXIT_UCALL:
			if (uc.cmd == UCALL_DONE)
				return 0;
			if (on_ucall) {
				int ret = on_ucall(vcpu, &uc, ctx);

				if (ret)
					return ret;
			}
			break;
		case VMM_EXIT_INTR:
		case VMM_EXIT_IRQ_WINDOW:
			break;
		case VMM_EXIT_HLT:
			return vmm_error(vcpu->vm, -EIO, "vCPU %d: the guest "
					 "halted with nothing to wake it",
					 vcpu->idx);
		case VMM_EXIT_MMIO:
			return vmm_error(vcpu->vm, -EIO, "vCPU %d: guest %s "
					 "0x%llx, which nothing serves here",
					 vcpu->idx, vcpu->run->mmio.is_write ?
					 "wrote" : "read",
					 (unsigned long long)
					 vcpu->run->mmio.phys_addr);
		case VMM_EXIT_ERROR:
			return -EIO;
		}
	}
}
