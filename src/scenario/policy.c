// SPDX-License-Identifier: MIT
#include "scenario/policy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "scenario/units.h"

#define DURATION_MAX (3600 * NSEC_PER_SEC)

/* 0, or a build error if @e is true (constant). */
#define BUILD_BUG_ON_ZERO(e) (0 * sizeof(char[(e) ? -1 : 1]))
#define FIELD_SIZE(f) sizeof(((struct policy *)0)->f)
/* 0, but a build error unless field @f of struct policy is a @ctype. */
#define FIELD_IS(f, ctype) BUILD_BUG_ON_ZERO(FIELD_SIZE(f) != sizeof(ctype))

/* The table entry for field @f, typed @ctype. */
#define __KNOB(_name, _type, _f, _ctype, _min, _max, _where, _meaning)        \
	{                                                                     \
		.name = _name, .type = _type,                                 \
		.offset = offsetof(struct policy, _f) + FIELD_IS(_f, _ctype), \
		.min = _min, .max = _max, .where = _where,                    \
		.meaning = _meaning,                                          \
	}
#define KNOB_B(name, f, where, meaning) \
	__KNOB(name, KNOB_BOOL, f, bool, 0, 1, where, meaning)
#define KNOB_U(name, f, where, meaning) \
	__KNOB(name, KNOB_U32, f, unsigned int, 0, UINT_MAX, where, meaning)
#define KNOB_D(name, f, where, meaning) \
	__KNOB(name, KNOB_DURATION, f, u64, 0, DURATION_MAX, where, meaning)

#define FEATURES_H "kernel/sched/features.h"
#define VMX_C "arch/x86/kvm/vmx/vmx.c"
#define GUEST_KVM_C "arch/x86/kernel/kvm.c"
#define KVM_MAIN_C "virt/kvm/kvm_main.c"

const struct knob policy_knobs[] = {
	/* host scheduler: sched_feat() switches */
	KNOB_B("RUN_TO_PARITY", sched.run_to_parity, FEATURES_H,
	       "curr keeps the CPU until its protected vruntime (<= deadline)"),
	KNOB_B("DELAY_DEQUEUE", sched.delay_dequeue, FEATURES_H,
	       "a sleeper with negative lag stays queued until picked or woken"),
	KNOB_B("DELAY_ZERO", sched.delay_zero, FEATURES_H,
	       "a delayed entity's positive lag is clipped to 0 at dequeue"),
	KNOB_B("PLACE_LAG", sched.place_lag, FEATURES_H,
	       "place_entity keeps (scaled) lag across sleep and wake"),
	KNOB_B("PLACE_DEADLINE_INITIAL", sched.place_deadline_initial,
	       FEATURES_H, "a new task's first slice is halved"),
	KNOB_B("PLACE_REL_DEADLINE", sched.place_rel_deadline, FEATURES_H,
	       "keep the relative deadline across migration/reweight"),
	KNOB_B("PICK_BUDDY", sched.pick_buddy, FEATURES_H,
	       "pick_eevdf takes the eligible next buddy first"),
	KNOB_B("CGROUP_BUDDY", sched.cgroup_buddy, FEATURES_H,
	       "a sleeper's cgroup entity becomes next buddy if the group still runs"),
	KNOB_B("WAKEUP_PREEMPTION", sched.wakeup_preemption, FEATURES_H,
	       "a wakee may preempt curr (check_preempt_wakeup_fair)"),
	KNOB_B("NI_RANDOM", sched.ni_random, FEATURES_H,
	       "newly-idle balance passes in proportion to their recent success (v6.18)"),
	/* host scheduler: the series */
	KNOB_B("vcpu_debooster_enabled", sched.vcpu_debooster_enabled,
	       "series v2, MODEL.md 4a",
	       "yield_to penalises the yielder's vruntime at the LCA"),
	KNOB_B("debooster_rate_limit_first", sched.debooster_rate_limit_first,
	       "series v2 code, yield_deboost_validate_tasks",
	       "rate limit checked and stamped before the rq/task/LCA checks"),
	KNOB_B("debooster_cap_h_nr_queued", sched.debooster_cap_h_nr_queued,
	       "series v2 code, yield_deboost_calculate_penalty",
	       "penalty cap by tasks under the LCA (h_nr_queued), not entities"),
	KNOB_D("debooster_rate_limit_ns", sched.debooster_rate_limit_ns,
	       "series v2, MODEL.md 4a",
	       "min time between two deboosts (v3: forced rescheds) on one rq"),
	KNOB_D("debooster_debounce_ns", sched.debooster_debounce_ns,
	       "series v2, MODEL.md 4a",
	       "reverse pair within this window gets a reduced penalty"),
	KNOB_B("vcpu_lag_credit_enabled", sched.vcpu_lag_credit_enabled,
	       "series v3, MODEL.md 4b",
	       "yield_to gives the target's buddy chain a lag credit instead"),
	/* KVM: pause-loop exiting */
	KNOB_U("ple_gap", kvm.ple_gap, VMX_C,
	       "max cycles between PAUSEs of one loop; 0 turns PLE off"),
	KNOB_U("ple_window", kvm.ple_window, VMX_C,
	       "initial PLE window (cycles spinning before an exit)"),
	KNOB_U("ple_window_grow", kvm.ple_window_grow, VMX_C,
	       "window multiplier on each PLE exit"),
	KNOB_U("ple_window_shrink", kvm.ple_window_shrink, VMX_C,
	       "window divisor when reloaded after sched out; 0: reset"),
	KNOB_U("ple_window_max", kvm.ple_window_max, VMX_C,
	       "upper bound of the grown PLE window"),
	/* KVM: halt polling (virt/kvm/kvm_main.c module parameters) */
	KNOB_D("halt_poll_ns", kvm.halt_poll_ns, KVM_MAIN_C,
	       "max time a halted vCPU polls before blocking; 0: never"),
	KNOB_U("halt_poll_ns_grow", kvm.halt_poll_ns_grow, KVM_MAIN_C,
	       "poll window multiplier after a short halt; 0: no growth"),
	KNOB_D("halt_poll_ns_grow_start", kvm.halt_poll_ns_grow_start,
	       KVM_MAIN_C, "first poll window; a smaller one drops to 0"),
	KNOB_U("halt_poll_ns_shrink", kvm.halt_poll_ns_shrink, KVM_MAIN_C,
	       "poll window divisor after a long halt; 0: reset to 0"),
	/* KVM: directed yield */
	KNOB_B("HAVE_KVM_CPU_RELAX_INTERCEPT", kvm.cpu_relax_intercept,
	       "virt/kvm/Kconfig, selected by x86",
	       "a spinning candidate is eligible every other time (dy_eligible)"),
	/* KVM: the series */
	KNOB_B("ipi_tracking_enabled", kvm.ipi_tracking_enabled,
	       "series, MODEL.md 4c",
	       "record unicast fixed-mode IPIs (sender -> receiver)"),
	KNOB_D("ipi_window_ns", kvm.ipi_window_ns, "series, MODEL.md 4c",
	       "how long a recorded IPI counts as recent"),
	KNOB_B("ipi_aware_yield", kvm.ipi_aware_yield, "series, MODEL.md 4c",
	       "on_spin prefers a pending IPI receiver, then a pending irq"),
	KNOB_B("ipi_strict_fallback", kvm.ipi_strict_fallback,
	       "MODEL.md 4c (3), literal reading",
	       "IPI-aware rule (3) requires preempted; off: the baseline rule"),
	KNOB_B("enable_relaxed_boost", kvm.enable_relaxed_boost,
	       "series, MODEL.md 4c",
	       "empty first round: second round takes any preempted vCPU"),
	KNOB_B("relaxed_boost_on_error", kvm.relaxed_boost_on_error,
	       "series v2 code, kvm_vcpu_on_spin",
	       "second round also after yield_to errors (v2: yielded <= 0)"),
	KNOB_B("ipi_eoi_match_vector", kvm.ipi_eoi_match_vector,
	       "series v3 code, kvm_clear_ipi_on_eoi",
	       "only the EOI of the tracked IPI's vector clears it"),
	/* KVM and guest: hardware and PV features */
	KNOB_B("enable_apicv", kvm.enable_apicv, VMX_C,
	       "posted interrupts, EOIs without exit: the tracker sees no EOI"),
	KNOB_B("enable_ipiv", kvm.enable_ipiv, VMX_C " (needs enable_apicv)",
	       "unicast IPIs without exit: the tracker sees no IPI"),
	KNOB_B("pv_steal_time", kvm.pv_steal_time, GUEST_KVM_C,
	       "guest sees the preempted byte (vcpu_is_preempted)"),
	KNOB_B("pv_tlb_flush", kvm.pv_tlb_flush, GUEST_KVM_C,
	       "TLB flush of a preempted vCPU deferred to its next entry"),
	KNOB_B("pv_sched_yield", kvm.pv_sched_yield, GUEST_KVM_C,
	       "multi-target call IPI: yield to a preempted target"),
	KNOB_B("pv_unhalt", kvm.pv_unhalt, GUEST_KVM_C,
	       "PV spinlocks: waiters halt, unlocker kicks (KICK_CPU)"),
	/* the bound, no kernel knob */
	KNOB_B("oracle_yield", kvm.oracle_yield,
	       "oversub, MODEL.md 7 (no kernel has it)",
	       "directed yields go to the vCPU actually waited for"),
};
const size_t policy_nr_knobs = ARRAY_SIZE(policy_knobs);

void policy_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	sched_features_default(&p->sched);
	kvm_knobs_default(&p->kvm);
	/* vanilla v6.19: nothing of the series */
	p->sched.vcpu_debooster_enabled = false;
	p->sched.vcpu_lag_credit_enabled = false;
	p->kvm.ipi_tracking_enabled = false;
	p->kvm.ipi_aware_yield = false;
	p->kvm.enable_relaxed_boost = false;
}

static void preset_vanilla(struct policy *p)
{
	(void)p;
}

/* v2's debooster as coded (series v2 2-5/9) */
static void preset_deboost(struct policy *p)
{
	p->sched.vcpu_debooster_enabled = true;
	p->sched.debooster_rate_limit_first = true;
	p->sched.debooster_cap_h_nr_queued = true;
}

static void preset_lagcredit(struct policy *p)
{
	p->sched.vcpu_lag_credit_enabled = true;
}

static void ipi_aware(struct policy *p)
{
	p->kvm.ipi_tracking_enabled = true;
	p->kvm.ipi_aware_yield = true;
}

/* v2's IPI-aware candidate test as coded (series v2 8/9): a candidate
 * that is neither a pending IPI receiver nor has a pending interrupt
 * must be preempted */
static void preset_ipi_aware(struct policy *p)
{
	ipi_aware(p);
	p->kvm.ipi_strict_fallback = true;
}

static void preset_series_v2(struct policy *p)
{
	preset_deboost(p);
	preset_ipi_aware(p);
	p->kvm.enable_relaxed_boost = true;
	p->kvm.relaxed_boost_on_error = true;
}

/* v3 (June 2026): the lag credit instead of the debooster; the IPI-aware
 * test with the "legacy preempted fallback"; the EOI of the tracked
 * vector only */
static void preset_series_v3(struct policy *p)
{
	preset_lagcredit(p);
	ipi_aware(p);
	p->kvm.enable_relaxed_boost = true;
	p->kvm.ipi_eoi_match_vector = true;
}

static void preset_oracle(struct policy *p)
{
	p->kvm.oracle_yield = true;
}

const struct policy_preset_desc policy_presets[] = {
	{ "vanilla", "upstream v6.19: nothing from the series",
	  preset_vanilla },
	{ "deboost", "v2 scheduler debooster only, as v2 codes it",
	  preset_deboost },
	{ "lagcredit", "v3 lag credit to the yield target only",
	  preset_lagcredit },
	{ "ipi-aware",
	  "v2 IPI tracking + IPI-aware directed yield, no relaxed round",
	  preset_ipi_aware },
	{ "series-v2", "v2 series: debooster + IPI-aware yield + relaxed boost",
	  preset_series_v2 },
	{ "series-v3",
	  "v3 series: lag credit + IPI-aware yield + relaxed boost",
	  preset_series_v3 },
	{ "oracle",
	  "the bound: vanilla, yielding straight to the vCPU actually "
	  "waited for",
	  preset_oracle },
};
const size_t policy_nr_presets = ARRAY_SIZE(policy_presets);

int policy_preset(struct policy *p, const char *name)
{
	for (size_t i = 0; i < policy_nr_presets; i++) {
		if (!strcmp(policy_presets[i].name, name)) {
			policy_defaults(p);
			policy_presets[i].apply(p);
			return 0;
		}
	}
	return -ENOENT;
}

const struct knob *policy_knob_find(const char *name)
{
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		if (!strcasecmp(policy_knobs[i].name, name))
			return &policy_knobs[i];
	}
	return NULL;
}

const char *knob_type_name(enum knob_type t)
{
	switch (t) {
	case KNOB_BOOL:
		return "bool";
	case KNOB_U32:
		return "uint";
	case KNOB_DURATION:
		return "duration";
	}
	return "?";
}

static void *knob_ptr(struct policy *p, const struct knob *k)
{
	return (char *)p + k->offset;
}

static const void *knob_cptr(const struct policy *p, const struct knob *k)
{
	return (const char *)p + k->offset;
}

u64 policy_knob_get(const struct policy *p, const struct knob *k)
{
	const void *v = knob_cptr(p, k);

	switch (k->type) {
	case KNOB_BOOL:
		return *(const bool *)v;
	case KNOB_U32:
		return *(const unsigned int *)v;
	case KNOB_DURATION:
		return *(const u64 *)v;
	}
	return 0;
}

int policy_knob_format(const struct policy *p, const struct knob *k, char *buf,
		       size_t len)
{
	u64 v = policy_knob_get(p, k);

	switch (k->type) {
	case KNOB_BOOL:
		return snprintf(buf, len, "%s", v ? "on" : "off");
	case KNOB_U32:
		return snprintf(buf, len, "%llu", (unsigned long long)v);
	case KNOB_DURATION:
		return format_duration(buf, len, v);
	}
	return snprintf(buf, len, "?");
}

/* "0..4294967295" or "0..3600s": the accepted range, for error messages. */
static void knob_range(const struct knob *k, char *buf, size_t len)
{
	char lo[32], hi[32];

	if (k->type == KNOB_DURATION) {
		format_duration(lo, sizeof(lo), k->min);
		format_duration(hi, sizeof(hi), k->max);
	} else {
		snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
		snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
	}
	snprintf(buf, len, "%s..%s", lo, hi);
}

int policy_set_knob(struct policy *p, const char *name, const char *value,
		    char *err, size_t errlen)
{
	const struct knob *k = policy_knob_find(name);
	char range[80];
	bool b;
	u64 v;

	if (!k) {
		if (err)
			snprintf(err, errlen,
				 "unknown knob '%s' (see 'oversub list knobs')",
				 name);
		return -ENOENT;
	}

	switch (k->type) {
	case KNOB_BOOL:
		if (parse_bool(value, &b)) {
			if (err)
				snprintf(
					err, errlen,
					"%s: expected a boolean (0/1, true/false, on/off, yes/no), got '%s'",
					k->name, value);
			return -EINVAL;
		}
		*(bool *)knob_ptr(p, k) = b;
		return 0;
	case KNOB_U32:
		if (parse_u64(value, &v) || v < k->min || v > k->max) {
			knob_range(k, range, sizeof(range));
			if (err)
				snprintf(
					err, errlen,
					"%s: expected an unsigned integer in %s, got '%s'",
					k->name, range, value);
			return -EINVAL;
		}
		*(unsigned int *)knob_ptr(p, k) = (unsigned int)v;
		return 0;
	case KNOB_DURATION:
		if (parse_duration_ns(value, &v) || v < k->min || v > k->max) {
			knob_range(k, range, sizeof(range));
			if (err)
				snprintf(
					err, errlen,
					"%s: expected a duration in %s with unit ns/us/ms/s (bare number: ns), got '%s'",
					k->name, range, value);
			return -EINVAL;
		}
		*(u64 *)knob_ptr(p, k) = v;
		return 0;
	}
	return -EINVAL;
}
