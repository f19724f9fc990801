/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's interrupt handler work, shared by the simulator's
 * guest model (src/sim/vcpu.c) and the KVM engine's real guests
 * (src/vmm/prog.c), so both spend the same time in them.
 */
#ifndef OVERSUB_GUEST_HANDLERS_H
#define OVERSUB_GUEST_HANDLERS_H

#define GUEST_TIMER_IRQ_NS 1000 /* local timer interrupt: tick work */
#define GUEST_IO_IRQ_NS 1000 /* a device completion handler */

#endif
