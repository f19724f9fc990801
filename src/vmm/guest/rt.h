/* SPDX-License-Identifier: MIT */
/*
 * The guest runtime of the KVM engine, in the style of the KVM selftests
 * library (tools/testing/selftests/kvm/lib): guest code is C in this same
 * ELF, run at ring 3 of a 64-bit guest whose page tables map the program
 * image and the VM's memory at the host's own addresses, so a pointer
 * means the same thing on both sides. The guest talks to the engine only
 * through MMIO doorbells (stores to guest-physical pages no memslot backs,
 * which exit to userspace): on this machine's nested KVM hypercalls do not
 * work, and the doorbells work on every host.
 *
 * This header is shared: the layouts below are read by the engine
 * (src/vmm/ucall.c) and written by the guest (src/vmm/guest/ucall.c).
 * Guest-side files are built without stack protector, sanitizers or
 * profiling (nothing the guest cannot reach).
 */
#ifndef OVERSUB_VMM_GUEST_RT_H
#define OVERSUB_VMM_GUEST_RT_H

#include <stdint.h>

/* Guest-physical pages no memslot backs; mapped 1:1, user-accessible. */
#define VMM_DOORBELL_GPA 0xfeb00000ull /* ucalls and PV doorbells */
#define VMM_XAPIC_GPA 0xfee00000ull /* the local APIC page: ICR, EOI */

/* Offsets in the doorbell page: a u64 store to each is one request, the
 * paravirtual calls a real guest makes with VMCALL (arch/x86/kernel/kvm.c),
 * which this machine's nested KVM cannot take. */
#define VMM_DB_UCALL 0x000 /* value: the address of a struct ucall */
#define VMM_DB_PLE 0x008 /* a pause-loop exit: the spin outlasted the
			  * window (value ignored) */
#define VMM_DB_HALT 0x010 /* halt until kicked or interrupted (pv_wait) */
#define VMM_DB_KICK 0x018 /* KVM_HC_KICK_CPU: value the APIC id */
#define VMM_DB_YIELD 0x020 /* KVM_HC_SCHED_YIELD: value the APIC id */
#define VMM_DB_NOP 0x028 /* an exit that does nothing (cost probes) */

/*
 * Per-vCPU paravirtual area in guest memory, written by the engine: the
 * steal-time record's preempted byte and steal (struct kvm_steal_time),
 * and the PLE window that hardware would keep to itself, so that a
 * guest's spin loop can make its pause-loop exit at the same point.
 */
struct vmm_pv {
	volatile uint8_t preempted; /* KVM_VCPU_PREEMPTED while descheduled */
	uint8_t pad[7];
	volatile uint64_t steal_ns; /* runnable but not running */
	volatile uint64_t ple_window; /* cycles of spinning before an exit */
	volatile uint64_t ple_gap; /* 0: no pause-loop exits */
	volatile uint64_t entries; /* VM entries: each restarts the window */
	/* written by the guest: it runs what a guest kernel would run
	 * (guest_kernel_enter). All guest code is ring 3 here; this is the
	 * CPL the engine gives KVM (kvm_arch_vcpu_put's preempted_in_kernel)
	 * and the pause-loop exit honours (PLE works at CPL 0 only). */
	volatile uint64_t in_kernel;
	/* written by the guest: TSC cycles it spun in guest_cpu_relax()
	 * loops, counted within each stay in the guest (spin time) */
	volatile uint64_t spin_cycles;
};

enum ucall_cmd {
	UCALL_NONE,
	UCALL_SYNC, /* args[0]: a stage number; the vCPU goes on */
	UCALL_REPORT, /* args[0..nr_args): values for the engine */
	UCALL_ABORT, /* a guest assertion failed: file, line, text */
	UCALL_DONE, /* the guest function returned */
	UCALL_MAX,
};

#define UCALL_MAX_ARGS 6

/* One call from the guest, on the guest's stack; the engine reads it at
 * the address the doorbell store carried. */
struct ucall {
	uint64_t cmd; /* enum ucall_cmd */
	uint64_t nr_args;
	uint64_t args[UCALL_MAX_ARGS];
	/* UCALL_ABORT: the failed expression and where (addresses of
	 * string constants in the program image, which both sides map) */
	const char *file;
	const char *expr;
	uint64_t line;
};

/* A guest function the engine starts on a vCPU: @arg is the pointer given
 * at vmm_vcpu_start(). When it returns, the vCPU ucalls UCALL_DONE. */
typedef void (*guest_fn)(void *arg);

/* --- guest side (src/vmm/guest/ucall.c) --- */
void guest_ucall(uint64_t cmd, uint64_t nr_args, const uint64_t *args);
void guest_ucall_abort(const char *file, uint64_t line, const char *expr);
/* The vCPU's first instruction: runs @fn(@arg), then UCALL_DONE forever. */
void guest_entry(guest_fn fn, void *arg) __attribute__((noreturn));

/* the cost probes' guest code (src/vmm/guest/probe.c) */
void guest_probe_exits(void *arg);
void guest_probe_spin(void *arg);
void guest_probe_self_ipi(void *arg);

static inline void guest_sync(uint64_t stage)
{
	guest_ucall(UCALL_SYNC, 1, &stage);
}

#define GUEST_REPORT(...)                                             \
	do {                                                          \
		const uint64_t __a[] = { __VA_ARGS__ };               \
		guest_ucall(UCALL_REPORT, sizeof(__a) / sizeof(__a[0]), __a); \
	} while (0)

#define GUEST_ASSERT(cond)                                             \
	do {                                                           \
		if (!(cond))                                           \
			guest_ucall_abort(__FILE__, __LINE__, #cond);  \
	} while (0)

#endif
