/* SPDX-License-Identifier: MIT */
/*
 * The layout of a vCPU's area in guest memory (src/vmm/vcpu.c), for the C
 * code and the ring-0 interrupt entry points (irq.S) alike: plain defines only.
 */
#ifndef OVERSUB_VMM_GUEST_AREA_H
#define OVERSUB_VMM_GUEST_AREA_H

#define VMM_AREA_GDT 0x0
#define VMM_AREA_TSS 0x800
#define VMM_AREA_IRR 0xc00 /* 256 bits: vectors the entry points took, not yet handled */
#define VMM_AREA_KSTACK_TOP 0x3000 /* ring-0 stack: 4 KiB .. 12 KiB */
#define VMM_AREA_STACK_TOP 0x13000 /* ring-3 stack: 12 KiB .. 76 KiB */
#define VMM_AREA_SIZE 0x14000 /* 80 KiB */

/* an interrupt from ring 3 finds RSP = RSP0 - 40 (SS, RSP, RFLAGS, CS,
 * RIP); the entry pushes the vector, the common code two registers */
#define VMM_IRQ_FRAME 64

#define VMM_FIRST_IRQ_VECTOR 32

#endif
