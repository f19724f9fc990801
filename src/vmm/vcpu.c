// SPDX-License-Identifier: MIT
/*
 * vCPUs of the KVM engine: CPUID, a 64-bit ring-3 start at a guest C
 * function, and one KVM_RUN with its exit classified. After the KVM
 * selftests' x86/processor.c (vcpu_init_sregs, vcpu_arch_set_entry_point)
 * and kvmtool's x86/kvm-cpu.c, written anew; the vCPU starts in long mode
 * directly (no firmware, no real mode), its segments loaded from a GDT of
 * its own so that a later IRET to ring 3 finds the same ones.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/guest/area.h"
#include "vmm/internal.h"

/* the vCPU's area in guest memory: src/vmm/guest/area.h */
#define AREA_GDT VMM_AREA_GDT
#define AREA_TSS VMM_AREA_TSS
#define AREA_KSTACK_TOP VMM_AREA_KSTACK_TOP
#define AREA_STACK_TOP VMM_AREA_STACK_TOP

/* GDT selectors, in the order Linux uses them */
#define SEL_KERNEL_CS 0x08
#define SEL_KERNEL_DS 0x10
#define SEL_USER_DS (0x18 | 3)
#define SEL_USER_CS (0x20 | 3)
#define SEL_TSS 0x28
#define GDT_ENTRIES 7 /* null, 4 segments, the 16-byte TSS descriptor */
#define TSS_SIZE 104

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

static int set_cpuid(struct vmm_vcpu *vcpu)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_cpuid2 *c = NULL;
	int nent = 64, ret;

	for (;;) {
		free(c);
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c)
			return vmm_error(vm, -ENOMEM, "CPUID: out of memory");
		c->nent = nent;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno != E2BIG || nent >= 4096) {
			ret = vmm_error(vm, -errno,
					"KVM_GET_SUPPORTED_CPUID: %s",
					strerror(errno));
			free(c);
			return ret;
		}
		nent *= 2;
	}
	ret = vmm_vcpu_set_cpuid(vcpu, c);
	free(c);
	return ret;
}

int vmm_vcpu_set_cpuid(struct vmm_vcpu *vcpu, struct kvm_cpuid2 *cpuid)
{
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		return vmm_error(vcpu->vm, -errno, "vCPU %d: KVM_SET_CPUID2: %s",
				 vcpu->idx, strerror(errno));
	return 0;
}

/* a code or data segment descriptor: flat, 4 GiB limit */
static uint64_t gdt_segment(unsigned int type, unsigned int dpl, bool l,
			    bool db)
{
	return 0xffffull | (0xfull << 48) | ((uint64_t)type << 40) |
	       (1ull << 44) /* S */ | ((uint64_t)dpl << 45) |
	       (1ull << 47) /* P */ | ((uint64_t)l << 53) |
	       ((uint64_t)db << 54) | (1ull << 55) /* G */;
}

static void write_gdt(struct vmm_vcpu *vcpu)
{
	uint64_t *gdt = (uint64_t *)(vcpu->area + AREA_GDT);
	uint64_t tss = (uint64_t)(vcpu->area + AREA_TSS);
	uint8_t *t = vcpu->area + AREA_TSS;
	uint64_t rsp0 = (uint64_t)(vcpu->area + AREA_KSTACK_TOP);
	uint16_t iomap = TSS_SIZE; /* no I/O bitmap: every port faults */

	gdt[0] = 0;
	gdt[SEL_KERNEL_CS >> 3] = gdt_segment(0xb, 0, true, false);
	gdt[SEL_KERNEL_DS >> 3] = gdt_segment(0x3, 0, false, true);
	gdt[SEL_USER_DS >> 3] = gdt_segment(0x3, 3, false, true);
	gdt[SEL_USER_CS >> 3] = gdt_segment(0xb, 3, true, false);
	/* 64-bit TSS, busy (TR is loaded with it) */
	gdt[SEL_TSS >> 3] = (TSS_SIZE - 1) | ((tss & 0xffffff) << 16) |
			    (0xbull << 40) | (1ull << 47) |
			    ((tss >> 24) & 0xff) << 56;
	gdt[(SEL_TSS >> 3) + 1] = tss >> 32;
	memset(t, 0, TSS_SIZE);
	memcpy(t + 4, &rsp0, sizeof(rsp0)); /* RSP0 */
	memcpy(t + 102, &iomap, sizeof(iomap));
}

/* the in-kernel LAPIC software-enabled (SVR bit 8, spurious vector
 * 0xff), in xAPIC mode as reset leaves it */
static int lapic_enable(struct vmm_vcpu *vcpu)
{
	struct kvm_lapic_state l;
	uint32_t svr = 0x1ff;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &l) < 0)
		return vmm_error(vcpu->vm, -errno, "vCPU %d: KVM_GET_LAPIC: %s",
				 vcpu->idx, strerror(errno));
	memcpy(&l.regs[0xf0], &svr, sizeof(svr));
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &l) < 0)
		return vmm_error(vcpu->vm, -errno, "vCPU %d: KVM_SET_LAPIC: %s",
				 vcpu->idx, strerror(errno));
	return 0;
}

int vmm_vcpu_lapic_pending(struct vmm_vcpu *vcpu)
{
	struct kvm_lapic_state l;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	for (int i = 0; i < 8; i++) {
		uint32_t irr;

		memcpy(&irr, &l.regs[0x200 + 0x10 * i], sizeof(irr));
		if (irr)
			return 1;
	}
	return 0;
}

int vmm_vcpu_setup(struct vmm_vcpu *vcpu)
{
	int ret;

	vcpu->area = vmm_alloc(vcpu->vm, VMM_VCPU_RAM, 4096);
	if (!vcpu->area)
		return vmm_error(vcpu->vm, -ENOMEM,
				 "guest memory: no room for vCPU %d", vcpu->idx);
	write_gdt(vcpu);
	ret = set_cpuid(vcpu);
	if (!ret && vcpu->vm->kernel_irqchip)
		ret = lapic_enable(vcpu);
	return ret;
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, bool code)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = code ? 0xb : 0x3,
		.present = 1,
		.dpl = sel & 3,
		.db = !code,
		.s = 1,
		.l = code,
		.g = 1,
	};
}

int vmm_vcpu_start(struct vmm_vcpu *vcpu, guest_fn fn, void *arg)
{
	struct vmm_vm *vm = vcpu->vm;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return vmm_error(vm, -errno, "vCPU %d: KVM_GET_SREGS: %s",
				 vcpu->idx, strerror(errno));
	seg_flat(&sregs.cs, SEL_USER_CS, true);
	seg_flat(&sregs.ds, SEL_USER_DS, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){
		.base = (uint64_t)(vcpu->area + AREA_TSS),
		.limit = TSS_SIZE - 1,
		.selector = SEL_TSS,
		.type = 0xb,
		.present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };
	sregs.gdt.base = (uint64_t)(vcpu->area + AREA_GDT);
	sregs.gdt.limit = GDT_ENTRIES * 8 - 1;
	sregs.idt.base = (uint64_t)vm->idt;
	sregs.idt.limit = vm->idt ? 256 * 16 - 1 : 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		    X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = vm->pml4_gpa;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return vmm_error(vm, -errno, "vCPU %d: KVM_SET_SREGS: %s",
				 vcpu->idx, strerror(errno));
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x202; /* IF: interrupts reach the entry points */
	regs.rip = (uint64_t)guest_entry;
	/* as after a call: the return address slot below a 16-byte boundary */
	regs.rsp = (uint64_t)(vcpu->area + AREA_STACK_TOP) - 8;
	regs.rdi = (uint64_t)fn;
	regs.rsi = (uint64_t)arg;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return vmm_error(vm, -errno, "vCPU %d: KVM_SET_REGS: %s",
				 vcpu->idx, strerror(errno));
	return 0;
}
