/* SPDX-License-Identifier: MIT */
/*
 * The guest's ring-0 interrupt entry points, one per vector 32..255: note the
 * vector in the vCPU's pending bitmap (VMM_AREA_IRR of its area, found
 * from the ring-0 stack the interrupt switched to) and return to ring 3,
 * where the guest handles it (src/vmm/guest/irq.c). Ring-0 code is
 * emulated slowly on nested hosts: an entry runs 10 instructions.
 */
#include "vmm/guest/area.h"

	.text
	.globl guest_irq_entries
	.p2align 4
guest_irq_entries:
	.set vec, VMM_FIRST_IRQ_VECTOR
	.rept 256 - VMM_FIRST_IRQ_VECTOR
	.p2align 4
	pushq $vec
	jmp guest_irq_common
	.set vec, vec + 1
	.endr

guest_irq_common:
	pushq %rax
	pushq %rcx
	movq 16(%rsp), %rax
	leaq (VMM_IRQ_FRAME - VMM_AREA_KSTACK_TOP + VMM_AREA_IRR)(%rsp), %rcx
	lock btsq %rax, (%rcx)
	popq %rcx
	popq %rax
	addq $8, %rsp
	iretq

	.section .note.GNU-stack,"",@progbits
