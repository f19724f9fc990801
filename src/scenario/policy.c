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
	/* host scheduler: the series */
	KNOB_B("vcpu_debooster_enabled", sched.vcpu_debooster_enabled,
	       "series v2, MODEL.md 4a",
	       "yield_to penalises the yielder's vruntime at the LCA"),
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
	/* KVM and guest: hardware and PV features */
	KNOB_B("apicv", kvm.apicv, VMX_C " enable_apicv",
	       "IPI virtualization: KVM sees no IPI or EOI, nothing recorded"),
	KNOB_B("pv_steal_time", kvm.pv_steal_time, GUEST_KVM_C,
	       "guest sees the preempted byte (vcpu_is_preempted)"),
	KNOB_B("pv_tlb_flush", kvm.pv_tlb_flush, GUEST_KVM_C,
	       "TLB flush of a preempted vCPU deferred to its next entry"),
	KNOB_B("pv_sched_yield", kvm.pv_sched_yield, GUEST_KVM_C,
	       "IPI to a preempted vCPU is followed by a directed yield"),
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

static void preset_deboost(struct policy *p)
{
	p->sched.vcpu_debooster_enabled = true;
}

static void preset_lagcredit(struct policy *p)
{
	p->sched.vcpu_lag_credit_enabled = true;
}

static void preset_ipi_aware(struct policy *p)
{
	p->kvm.ipi_tracking_enabled = true;
	p->kvm.ipi_aware_yield = true;
}

static void preset_series_v2(struct policy *p)
{
	preset_deboost(p);
	preset_ipi_aware(p);
	p->kvm.enable_relaxed_boost = true;
}

static void preset_oracle(struct policy *p)
{
	p->kvm.oracle_yield = true;
}

static void preset_series_v3(struct policy *p)
{
	preset_lagcredit(p);
	preset_ipi_aware(p);
	p->kvm.enable_relaxed_boost = true;
}

const struct policy_preset_desc policy_presets[] = {
	{ "vanilla", "upstream v6.19: nothing from the series",
	  preset_vanilla },
	{ "deboost", "v2 scheduler debooster only", preset_deboost },
	{ "lagcredit", "v3 lag credit to the yield target only",
	  preset_lagcredit },
	{ "ipi-aware",
	  "IPI tracking + IPI-aware directed yield, no relaxed round",
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
