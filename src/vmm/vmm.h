/* SPDX-License-Identifier: MIT */
/*
 * The KVM engine's virtual machines (DESIGN.md, src/vmm): a VM on /dev/kvm
 * with one memslot of guest memory, page tables that map the program image
 * and that memory at the host's own addresses (src/vmm/guest/rt.h), and
 * vCPUs that start in 64-bit ring 3 at a guest C function. No in-kernel
 * irqchip: HLT, IPIs and EOIs reach the engine. After the KVM selftests
 * library (tools/testing/selftests/kvm/lib: kvm_util.c, x86/processor.c)
 * and kvmtool, written anew.
 *
 * Errors: functions return 0 or -errno and leave a message in the VM's
 * err[] (or the caller's buffer for vmm_vm_create); a guest that faults,
 * aborts or touches what it must not ends its VM only.
 */
#ifndef OVERSUB_VMM_H
#define OVERSUB_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest/area.h"
#include "vmm/guest/rt.h"

#define VMM_MAX_VCPUS 64

struct kvm_run;

struct vmm_vcpu {
	struct vmm_vm *vm;
	int idx;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *area; /* its GDT, TSS and stacks, in guest memory */
};

/* the program's loaded segments, page-rounded (copied into each VM) */
#define VMM_IMAGE_MAX_SEGS 16
struct vmm_image {
	int nr;
	struct vmm_image_seg {
		uint64_t start, end;
	} seg[VMM_IMAGE_MAX_SEGS];
};

struct vmm_vm {
	int kvm_fd;
	int fd;
	/* guest memory: one memslot at ram_gpa, mapped in the guest at the
	 * host address ram (2 MiB pages) */
	uint8_t *ram;
	size_t ram_size;
	uint64_t ram_gpa;
	void *map; /* the mmap the memory lives in (aligned inside) */
	size_t map_size;
	size_t pt_used; /* page-table pages taken, from the start of ram */
	size_t heap; /* next free byte of ram for vmm_alloc */
	uint64_t pml4_gpa;
	uint64_t *idt; /* 256 gates, vectors 32..255 to the entry points (irq.S) */
	bool kernel_irqchip; /* KVM's LAPIC: IPIs and EOIs never exit */
	struct vmm_image image;
	int nr_vcpus;
	struct vmm_vcpu vcpus[VMM_MAX_VCPUS];
	char err[256];
};

/* Is /dev/kvm there and usable? If not, why (for a test's SKIP). */
bool vmm_kvm_available(char *why, size_t len);

/* vmm_vm_create flags */
#define VMM_VM_KERNEL_IRQCHIP 1u /* KVM's in-kernel LAPIC (--irqchip kernel) */

/*
 * A VM with @mem_mib MiB of guest memory besides its page tables and its
 * copy of the program image, and @nr_vcpus vCPUs (not started); @flags:
 * VMM_VM_KERNEL_IRQCHIP, or 0 for no in-kernel irqchip (the engine is the
 * interrupt controller).
 */
int vmm_vm_create(struct vmm_vm *vm, unsigned int mem_mib, int nr_vcpus,
		  unsigned int flags, char *err, size_t errlen);
void vmm_vm_destroy(struct vmm_vm *vm);
/* vmm_vm_create on a new allocation: the VM, or NULL with @err set */
struct vmm_vm *vmm_vm_new(unsigned int mem_mib, int nr_vcpus,
			  unsigned int flags, char *err, size_t errlen);
/* vmm_vm_destroy, then free (NULL: nothing) */
void vmm_vm_free(struct vmm_vm *vm);
/* @size bytes of zeroed guest memory, aligned to @align (a power of two);
 * the pointer is valid in host and guest alike. NULL if none is left. */
void *vmm_alloc(struct vmm_vm *vm, size_t size, size_t align);
/* Is [@p, @p + @len) inside the VM's guest memory? */
bool vmm_in_ram(const struct vmm_vm *vm, const void *p, size_t len);

/* @vcpu's pending-interrupt bitmap in guest memory (256 bits), where the
 * guest's ring-0 entry points note the vectors they take */
static inline volatile uint64_t *vmm_vcpu_irr(const struct vmm_vcpu *vcpu)
{
	return (volatile uint64_t *)(vcpu->area + VMM_AREA_IRR);
}

struct kvm_cpuid2;
/* With a kernel irqchip: whether @vcpu's in-kernel LAPIC has a vector
 * requested (IRR). 0/1, or -errno. */
int vmm_vcpu_lapic_pending(struct vmm_vcpu *vcpu);
/* With a kernel irqchip: an MSI of @vector to APIC id @dest
 * (KVM_SIGNAL_MSI); 0 or -errno. */
int vmm_vm_signal_msi(struct vmm_vm *vm, int dest, uint8_t vector);

/* KVM_SET_CPUID2 on @vcpu (a new vCPU has KVM_GET_SUPPORTED_CPUID's). */
int vmm_vcpu_set_cpuid(struct vmm_vcpu *vcpu, struct kvm_cpuid2 *cpuid);

/* Point @vcpu at guest_entry(@fn, @arg): registers, segments, stack. */
int vmm_vcpu_start(struct vmm_vcpu *vcpu, guest_fn fn, void *arg);

/* What one KVM_RUN of a vCPU ended in, as the engine handles it. */
enum vmm_exit {
	VMM_EXIT_UCALL, /* *uc holds the call */
	VMM_EXIT_HLT,
	VMM_EXIT_MMIO, /* a doorbell or APIC access the caller handles */
	VMM_EXIT_INTR, /* interrupted by a signal (preemption) */
	VMM_EXIT_IRQ_WINDOW, /* the guest can take an interrupt now */
	VMM_EXIT_ERROR, /* the VM is over: vm->err says why */
};

/*
 * KVM_RUN @vcpu once and classify the exit. UCALL: @uc is filled (the
 * call was checked to lie in guest memory). MMIO: a store or load the
 * caller handles from vcpu->run->mmio. ERROR: a triple fault, an access
 * to memory the VM does not have, a failed entry, a bad ucall.
 */
enum vmm_exit vmm_vcpu_run(struct vmm_vcpu *vcpu, struct ucall *uc);

struct kvm_interrupt;
/* KVM_INTERRUPT: inject an external interrupt (userspace irqchip). 0 or
 * -errno, with vm->err. */
int vmm_vcpu_interrupt(struct vmm_vcpu *vcpu, struct kvm_interrupt *irq);

/* Run @vcpu until it is DONE (0), or the guest aborts or faults (-EIO,
 * the reason in vm->err); SYNC and REPORT ucalls go to @on_ucall when it
 * is not NULL (a nonzero return ends the run with that value). */
int vmm_vcpu_run_to_done(struct vmm_vcpu *vcpu,
			 int (*on_ucall)(struct vmm_vcpu *, const struct ucall *,
					 void *),
			 void *ctx);

#endif
