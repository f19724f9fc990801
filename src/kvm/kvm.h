/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor model: struct kvm / struct kvm_vcpu as in virt/kvm/kvm_main.c
 * and arch/x86/kvm, reduced to the state directed yield and the PV hints use
 * (MODEL.md sections 2, 3, 4c and 5). A vCPU is backed by a host task of the
 * sched model; yielding goes through sched's yield_to().
 */
#ifndef OVERSUB_KVM_H
#define OVERSUB_KVM_H

#include "core/types.h"
#include "sched/sched.h"

#define KVM_MAX_VCPUS 4096

/* steal-time area preempted byte (arch/x86/include/uapi/asm/kvm_para.h) */
#define KVM_VCPU_PREEMPTED (1 << 0)
#define KVM_VCPU_FLUSH_TLB (1 << 1)

/* KVM switches, named after the module parameters / series knobs. */
struct kvm_knobs {
	/* PLE, arch/x86/kvm/vmx/vmx.c module parameters (window in cycles) */
	unsigned int ple_gap; /* 0: PLE off */
	unsigned int ple_window;
	unsigned int ple_window_grow;
	unsigned int ple_window_shrink;
	unsigned int ple_window_max;
	/* halt polling, virt/kvm/kvm_main.c module parameters */
	u64 halt_poll_ns; /* the most a halt polls (x86: 200 us); 0: off */
	unsigned int halt_poll_ns_grow; /* x on a short halt (0: never) */
	u64 halt_poll_ns_grow_start; /* the first window, and the least */
	unsigned int halt_poll_ns_shrink; /* / on a long halt (0: to 0) */
	/* CONFIG_HAVE_KVM_CPU_RELAX_INTERCEPT (x86, arm64, s390): a vCPU
	 * itself in a spin loop is a directed-yield candidate only every
	 * other time it is looked at; off: every candidate is eligible */
	bool cpu_relax_intercept;
	/* series, MODEL.md 4c */
	bool ipi_tracking_enabled; /* record unicast IPIs */
	u64 ipi_window_ns; /* recency window, 50 ms */
	bool ipi_aware_yield; /* IPI-aware candidate priority */
	bool ipi_strict_fallback; /* rule (3) requires preempted (v2) */
	bool enable_relaxed_boost; /* second, relaxed round */
	/* v2 code: the relaxed round also runs after the first one ended on
	 * yield_to() errors (its "yielded <= 0"), on the spent try budget */
	bool relaxed_boost_on_error;
	/* v3 code: an EOI clears the tracked IPI only for its vector */
	bool ipi_eoi_match_vector;
	/* vmx.c enable_apicv: APIC virtualization with posted interrupts;
	 * EOIs of edge interrupts (IPIs, MSIs, the timer) are virtualised and
	 * never exit, so the IPI tracker never sees them, and interrupts to a
	 * running vCPU are posted without an exit */
	bool enable_apicv;
	/* vmx.c enable_ipiv (needs enable_apicv; Sapphire Rapids and later):
	 * unicast fixed ICR writes do not exit either, so the IPI tracker
	 * sees no IPI */
	bool enable_ipiv;
	/* guest PV features (CPUID KVM_FEATURE_*) */
	bool pv_steal_time; /* KVM_FEATURE_STEAL_TIME: preempted hint */
	bool pv_tlb_flush; /* KVM_FEATURE_PV_TLB_FLUSH */
	bool pv_sched_yield; /* KVM_FEATURE_PV_SCHED_YIELD */
	bool pv_unhalt; /* KVM_FEATURE_PV_UNHALT: PV spinlocks (wait/kick) */
	/* the bound, not a kernel policy (MODEL.md 7): directed yields go
	 * straight to the vCPU the yielder actually waits for */
	bool oracle_yield;
};

void kvm_knobs_default(struct kvm_knobs *k);

/* kvm_vcpu_apicv_active(): posted interrupts, virtualised EOI */
static inline bool kvm_apicv_active(const struct kvm_knobs *k)
{
	return k->enable_apicv;
}

/* vmx_can_use_ipiv(): unicast ICR writes without an exit */
static inline bool kvm_ipiv_active(const struct kvm_knobs *k)
{
	return k->enable_apicv && k->enable_ipiv;
}

/* Per-vCPU IPI context of the series (struct ipi_context). */
struct kvm_ipi_ctx {
	int last_ipi_receiver; /* -1: none */
	u8 last_ipi_vector;
	u64 last_ipi_time_ns;
	bool pending_ipi; /* sender: IPI sent and not yet EOI'd */
	int ipi_sender; /* receiver: who last IPI'd me, -1: none */
};

struct kvm_vcpu_stat {
	u64 ple_exits;
	u64 on_spin_calls;
	/* every kvm_vcpu_yield_to() by this vCPU (on_spin or PV) plus every
	 * kvm_sched_yield() refused before it; successful: returned > 0 */
	u64 directed_yield_attempted;
	u64 directed_yield_successful;
	u64 ipis_sent;
	u64 ipis_tracked;
	u64 kicks;
	u64 preemption_reported;
	u64 preemption_other; /* preempted off an instruction boundary */
	u64 tlb_flush_on_entry;
	u64 halt_wakeup; /* kvm_vcpu_wake_up() woke a blocking vCPU */
	u64 halt_attempted_poll; /* halts that polled */
	u64 halt_successful_poll; /* of those, woken without blocking */
	u64 halt_poll_success_ns; /* time polled in successful polls */
	u64 halt_poll_fail_ns; /* time polled before blocking anyway */
	u64 oracle_yields; /* directed yields the oracle chose and made */
	u64 oracle_spins; /* exits the oracle kept spinning: all it awaits runs */
};

struct kvm;

struct kvm_vcpu {
	struct kvm *kvm;
	int vcpu_idx;
	int vcpu_id; /* APIC id */
	struct task *task; /* the vCPU thread */
	/* generic state, virt/kvm/kvm_main.c */
	bool wants_to_run; /* inside KVM_RUN */
	bool preempted;
	bool ready;
	bool scheduled_out;
	bool blocking; /* halted in kvm_vcpu_block() */
	bool halted; /* mp_state HALTED: blocked, not yet re-entered */
	struct {
		bool in_spin_loop;
		bool dy_eligible;
	} spin_loop;
	/* x86 arch state */
	bool preempted_in_kernel;
	bool in_kernel; /* guest CPL == 0 right now */
	bool at_instruction_boundary;
	bool pv_unhalted; /* kicked by KVM_HC_KICK_CPU */
	unsigned int pending_interrupts; /* injected or posted, not yet EOI'd */
	bool req_event; /* KVM_REQ_EVENT: delivered, not yet injected */
	unsigned int ple_window;
	/* kvm_vcpu_halt(): this vCPU's poll window, adapted at each halt */
	u64 halt_poll_ns;
	bool in_halt; /* between kvm_vcpu_halt_begin() and _end() */
	bool halt_polls; /* this halt polls (do_halt_poll) */
	u64 halt_start;
	u8 st_preempted; /* guest steal-time area preempted byte */
	bool req_steal_update; /* KVM_REQ_STEAL_UPDATE pending */
	struct kvm_ipi_ctx ipi;
	int yielded_to; /* target of the last successful directed yield */
	struct kvm_vcpu_stat stat;
};

/*
 * What no kernel knows and only an engine can tell, for the oracle policy:
 * the index of the vCPU that @me, spinning, actually waits for (the lock
 * owner's, the unanswered IPI receiver's) when it is off its CPU;
 * KVM_AWAIT_RUNS when everything @me waits for is running (the wait ends
 * by itself); KVM_AWAIT_UNKNOWN when the engine cannot name a vCPU that
 * would help (the holder sleeps in the guest, say).
 */
#define KVM_AWAIT_UNKNOWN (-1)
#define KVM_AWAIT_RUNS (-2)
typedef int (*kvm_awaited_fn)(const struct kvm_vcpu *me, void *ctx);

struct kvm {
	struct sched *sched;
	const struct kvm_knobs *knobs;
	int nr_vcpus; /* online_vcpus */
	struct kvm_vcpu *vcpus; /* [nr_vcpus] */
	int last_boosted_vcpu;
	kvm_awaited_fn awaited; /* set by the engine; NULL: no oracle */
	void *awaited_ctx;
};

/* A VM of @nr vCPUs whose threads are @tasks[i] (already sched_task_init'd). */
int kvm_create(struct kvm *kvm, struct sched *s, const struct kvm_knobs *k,
	       int nr, struct task *tasks);
void kvm_destroy(struct kvm *kvm);
/* The vCPU with index @idx / APIC id @id, NULL if there is none. */
struct kvm_vcpu *kvm_get_vcpu(struct kvm *kvm, int idx);
struct kvm_vcpu *kvm_get_vcpu_by_id(struct kvm *kvm, int id);

/* --- vCPU state, vcpu.c --- */
void kvm_sched_out(struct kvm_vcpu *vcpu);
void kvm_sched_in(struct kvm_vcpu *vcpu);
void kvm_arch_vcpu_load(struct kvm_vcpu *vcpu);
void kvm_arch_vcpu_put(struct kvm_vcpu *vcpu);
/*
 * The vCPU halts (kvm_vcpu_block): 0 if it now blocks (the caller then puts
 * its task to sleep with sched_block), -EAGAIN if a PV kick was already
 * pending so it does not halt (the kick is consumed).
 */
int kvm_vcpu_block(struct kvm_vcpu *vcpu);
/*
 * Wake a blocking vCPU (kvm_vcpu_wake_up): sets ready and wakes its sleeping
 * task with try_to_wake_up() at @now. False if it was not blocking or its
 * task is already runnable. It stays blocking until kvm_vcpu_enter_guest().
 */
bool kvm_vcpu_wake_up(struct kvm_vcpu *vcpu, u64 now);
bool kvm_vcpu_is_blocking(const struct kvm_vcpu *vcpu);
bool kvm_arch_dy_runnable(const struct kvm_vcpu *vcpu);
bool kvm_arch_dy_has_pending_interrupt(const struct kvm_vcpu *vcpu);
bool kvm_arch_vcpu_preempted_in_kernel(const struct kvm_vcpu *vcpu);
/*
 * Guest entry (an iteration of vcpu_run -> vcpu_enter_guest): clears
 * at_instruction_boundary, ends a spin loop a directed yield left open
 * (kvm_vcpu_on_spin returns once yield_to's schedule() has), ends a halt
 * (clears blocking, halted and pv_unhalted), injects pending interrupts
 * and serves KVM_REQ_STEAL_UPDATE, i.e. record_steal_time(), which
 * kvm_arch_vcpu_load() requested. The engine calls it at every VM entry:
 * when the thread comes back to the guest after being scheduled in, and
 * after each exit it handled.
 */
void kvm_vcpu_enter_guest(struct kvm_vcpu *vcpu);
/*
 * The vCPU left the guest on an external interrupt (a host timer tick, a
 * reschedule IPI, a kick): handle_external_interrupt_irqoff() sets
 * at_instruction_boundary, so a preemption that follows is reported to
 * the guest as preempted. Any other exit (PLE, HLT, hypercall, APIC
 * access) leaves it clear.
 */
void kvm_vcpu_external_interrupt_exit(struct kvm_vcpu *vcpu);

/* single_task_running() on the vCPU's CPU, as KVM checks it */
bool kvm_vcpu_single_task_running(const struct kvm_vcpu *vcpu);

/* --- halt polling, halt.c (virt/kvm/kvm_main.c kvm_vcpu_halt) --- */
/*
 * The vCPU halts at @now (HLT, or the guest's pv_wait): the halt is
 * HALTED until the next entry. Returns how long it may poll before it
 * blocks, 0 to block at once: its window, while its thread is alone on
 * its CPU and no reschedule is due (kvm_vcpu_can_poll). The engine polls
 * (host CPU time of that thread) until a wake event (an interrupt, a
 * kick), the end of the window, or another task on the CPU, then calls
 * kvm_vcpu_block() if it must block.
 */
u64 kvm_vcpu_halt_begin(struct kvm_vcpu *vcpu, u64 now);
/*
 * The halt ends at @now: polling stopped at @poll_end; @waited: the vCPU
 * blocked (was scheduled out) in between. Counts the poll and adapts the
 * window (grow after a short halt, shrink after a long one).
 */
void kvm_vcpu_halt_end(struct kvm_vcpu *vcpu, u64 poll_end, u64 now,
		       bool waited);

/* --- PLE, ple.c (arch/x86/kvm/vmx/vmx.c) --- */
void grow_ple_window(struct kvm_vcpu *vcpu);
void shrink_ple_window(struct kvm_vcpu *vcpu);
/* A PAUSE-loop exit: grow the window, then kvm_vcpu_on_spin(vcpu, true). */
void handle_pause(struct kvm_vcpu *vcpu, u64 now);

/* --- directed yield, on_spin.c --- */
/*
 * A successful yield leaves @me in its spin loop (in_spin_loop) while it
 * is scheduled out; kvm_vcpu_spin_loop_end() closes it, called by
 * kvm_vcpu_enter_guest() when @me runs again.
 */
void kvm_vcpu_on_spin(struct kvm_vcpu *me, bool yield_to_kernel_mode, u64 now);
void kvm_vcpu_spin_loop_end(struct kvm_vcpu *me);
bool kvm_vcpu_eligible_for_directed_yield(struct kvm_vcpu *vcpu);
/* yield_to() @target's task from @me's: > 0 yielded, 0 not, -ESRCH. */
int kvm_vcpu_yield_to(struct kvm_vcpu *me, struct kvm_vcpu *target, u64 now);
/*
 * The oracle (oracle_yield): yield to the vCPU kvm->awaited names for @me
 * when it is runnable and not running (ORACLE_YIELDED); keep spinning when
 * everything @me waits for runs (ORACLE_SPIN); else leave the choice to
 * the kernel's own rule (ORACLE_PASS).
 */
enum oracle_result {
	ORACLE_PASS,
	ORACLE_YIELDED,
	ORACLE_SPIN,
};
enum oracle_result kvm_oracle_yield(struct kvm_vcpu *me, u64 now);

/* --- IPIs and EOI, ipi.c --- */
enum apic_dest_shorthand {
	APIC_DEST_NOSHORT = 0,
	APIC_DEST_SELF,
	APIC_DEST_ALLINC,
	APIC_DEST_ALLBUT,
};
enum apic_delivery_mode {
	APIC_DM_FIXED = 0,
	APIC_DM_NMI,
	APIC_DM_OTHER
};
/* The guest's vectors (arch/x86/include/asm/irq_vectors.h) the model uses;
 * the tracker and the v3 EOI rule compare them. */
#define LOCAL_TIMER_VECTOR 0xec
#define CALL_FUNCTION_SINGLE_VECTOR 0xfb
#define CALL_FUNCTION_VECTOR 0xfc
#define RESCHEDULE_VECTOR 0xfd
#define DEVICE_MSI_VECTOR 0x41 /* a virtio queue's MSI-X vector */

/*
 * Deliver IPI @vector from @src to the vCPUs in @dest (indices, @n of
 * them; used only with APIC_DEST_NOSHORT). Returns the number of vCPUs it
 * reached, or -EINVAL (nothing delivered) for a bad mode, shorthand or
 * index.
 */
int kvm_irq_delivery_to_apic(struct kvm_vcpu *src, enum apic_delivery_mode dm,
			     enum apic_dest_shorthand sh, const int *dest,
			     int n, u8 vector, u64 now);
/* An interrupt accepted by @vcpu's local APIC (an IPI, a device's MSI, the
 * APIC timer): pending until EOI, KVM_REQ_EVENT without APICv, and a
 * halted vCPU is woken. */
void kvm_apic_accept_irq(struct kvm_vcpu *vcpu, enum apic_delivery_mode dm,
			 u64 now);
/* The guest on @vcpu EOIs its oldest pending interrupt, of @vector. */
void kvm_apic_eoi(struct kvm_vcpu *vcpu, u8 vector, u64 now);
/* Is @cand a recent pending IPI receiver of @me? */
bool kvm_vcpu_is_ipi_receiver(const struct kvm_vcpu *me,
			      const struct kvm_vcpu *cand, u64 now);

/* --- paravirt, pv.c --- */
void kvm_steal_time_set_preempted(struct kvm_vcpu *vcpu);
/* On guest entry: clear the preempted byte; returns true if a PV TLB flush
 * was requested and is done now. */
bool record_steal_time(struct kvm_vcpu *vcpu);
/* Guest side: vcpu_is_preempted() as the guest reads it. */
bool kvm_vcpu_is_preempted_guest(const struct kvm_vcpu *vcpu);
/* Guest side PV TLB flush of @target: true if deferred to entry (target was
 * preempted), false if the caller must send the IPI. */
bool kvm_flush_tlb_deferred(struct kvm_vcpu *target);
/* KVM_HC_KICK_CPU from @vcpu to APIC id @apicid: 0, or -ENOSYS without
 * KVM_FEATURE_PV_UNHALT. Kicks (pv_unhalted, wake) then kvm_sched_yield(). */
int kvm_hc_kick_cpu(struct kvm_vcpu *vcpu, int apicid, u64 now);
/* KVM_HC_SCHED_YIELD from @vcpu to APIC id @apicid: 0, or -ENOSYS without
 * KVM_FEATURE_PV_SCHED_YIELD. */
int kvm_hc_sched_yield(struct kvm_vcpu *vcpu, int apicid, u64 now);
/* Directed yield to APIC id @apicid (both hypercalls); true if yielded.
 * Counts one directed_yield_attempted per call. */
bool kvm_sched_yield(struct kvm_vcpu *vcpu, int apicid, u64 now);

#endif
