// SPDX-License-Identifier: MIT
/*
 * scenario/policy: presets are exactly the knob values DESIGN.md and the
 * series (MODEL.md 4a-4c) define, and every knob parses and prints by its
 * kernel name with the value syntax of scenario files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "scenario/policy.h"
#include "scenario/units.h"

static const struct knob *knob(const char *name)
{
	const struct knob *k = policy_knob_find(name);

	assert_non_null(k);
	return k;
}

static u64 get(const struct policy *p, const char *name)
{
	return policy_knob_get(p, knob(name));
}

/*
 * Check that preset @name differs from vanilla in exactly the knobs listed
 * in @on (NULL-terminated), and that each of those is on in the preset and
 * off in vanilla.
 */
static void check_preset(const char *name, const char *const *on)
{
	struct policy vanilla, p;

	policy_defaults(&vanilla);
	assert_int_equal(policy_preset(&p, name), 0);
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];
		bool listed = false;

		for (const char *const *n = on; *n; n++)
			listed |= !strcmp(*n, k->name);
		if (listed) {
			assert_int_equal(k->type, KNOB_BOOL);
			assert_true(policy_knob_get(&p, k) == 1);
			assert_true(policy_knob_get(&vanilla, k) == 0);
		} else if (policy_knob_get(&p, k) !=
			   policy_knob_get(&vanilla, k)) {
			fail_msg("preset %s: knob %s differs from vanilla",
				 name, k->name);
		}
	}
}

/* vanilla = upstream v6.19: every switch of the series is off. */
static void preset_vanilla_has_nothing_of_the_series(void **state)
{
	struct policy p;
	static const char *const none[] = { NULL };

	(void)state;
	policy_defaults(&p);
	assert_false(get(&p, "vcpu_debooster_enabled"));
	assert_false(get(&p, "vcpu_lag_credit_enabled"));
	assert_false(get(&p, "ipi_tracking_enabled"));
	assert_false(get(&p, "ipi_aware_yield"));
	assert_false(get(&p, "ipi_strict_fallback"));
	assert_false(get(&p, "enable_relaxed_boost"));
	check_preset("vanilla", none);
}

/* The series' numeric defaults: 6 ms rate limit and 600 us debounce
 * (MODEL.md 4a), 50 ms IPI window (MODEL.md 4c). */
static void defaults_series_numbers(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p);
	assert_true(p.sched.debooster_rate_limit_ns == 6 * NSEC_PER_MSEC);
	assert_true(p.sched.debooster_debounce_ns == 600 * NSEC_PER_USEC);
	assert_true(p.kvm.ipi_window_ns == 50 * NSEC_PER_MSEC);
}

/* deboost = v2 debooster only (MODEL.md 4a), in v2's code order: rate
 * limit first, cap by h_nr_queued. */
static void preset_deboost(void **state)
{
	static const char *const on[] = { "vcpu_debooster_enabled",
					  "debooster_rate_limit_first",
					  "debooster_cap_h_nr_queued", NULL };

	(void)state;
	check_preset("deboost", on);
}

/* lagcredit = v3 lag credit only (MODEL.md 4b). */
static void preset_lagcredit(void **state)
{
	static const char *const on[] = { "vcpu_lag_credit_enabled", NULL };

	(void)state;
	check_preset("lagcredit", on);
}

/* ipi-aware = IPI tracking + IPI-aware candidates, no relaxed round (4c),
 * with v2's rule (3): a candidate must be preempted. */
static void preset_ipi_aware(void **state)
{
	static const char *const on[] = { "ipi_tracking_enabled",
					  "ipi_aware_yield",
					  "ipi_strict_fallback", NULL };

	(void)state;
	check_preset("ipi-aware", on);
}

/* series-v2 = debooster + IPI-aware yield + relaxed boost (4a + 4c), as
 * v2 codes them: the debooster's order and count, rule (3) strict, the
 * second round also after yield_to errors. */
static void preset_series_v2(void **state)
{
	static const char *const on[] = { "vcpu_debooster_enabled",
					  "debooster_rate_limit_first",
					  "debooster_cap_h_nr_queued",
					  "ipi_tracking_enabled",
					  "ipi_aware_yield",
					  "ipi_strict_fallback",
					  "enable_relaxed_boost",
					  "relaxed_boost_on_error", NULL };
	struct policy p;

	(void)state;
	check_preset("series-v2", on);
	policy_preset(&p, "series-v2");
	assert_true(p.sched.vcpu_debooster_enabled);
	assert_false(p.sched.vcpu_lag_credit_enabled);
	assert_true(p.kvm.enable_relaxed_boost);
}

/* series-v3 = lag credit + IPI-aware yield + relaxed boost (4b + 4c), as
 * v3 describes them: the legacy fallback for rule (3), the EOI of the
 * tracked vector only. */
static void preset_series_v3(void **state)
{
	static const char *const on[] = { "vcpu_lag_credit_enabled",
					  "ipi_tracking_enabled",
					  "ipi_aware_yield",
					  "enable_relaxed_boost",
					  "ipi_eoi_match_vector", NULL };
	struct policy p;

	(void)state;
	check_preset("series-v3", on);
	policy_preset(&p, "series-v3");
	assert_false(p.sched.vcpu_debooster_enabled);
	assert_true(p.sched.vcpu_lag_credit_enabled);
}

/* oracle = vanilla + oracle_yield, the bound of MODEL.md 7: nothing of
 * the series. */
static void preset_oracle(void **state)
{
	static const char *const on[] = { "oracle_yield", NULL };

	(void)state;
	check_preset("oracle", on);
}

/* A preset starts from vanilla, whatever the struct held before; an
 * unknown preset is -ENOENT and leaves the struct alone. */
static void preset_resets_and_unknown(void **state)
{
	struct policy p, q;
	static const char *const on[] = { "vcpu_debooster_enabled",
					  "debooster_rate_limit_first",
					  "debooster_cap_h_nr_queued", NULL };

	(void)state;
	policy_preset(&p, "series-v3");
	assert_int_equal(policy_preset(&p, "deboost"), 0);
	assert_false(p.sched.vcpu_lag_credit_enabled);
	assert_false(p.kvm.ipi_tracking_enabled);
	check_preset("deboost", on);
	q = p;
	assert_int_equal(policy_preset(&p, "full"), -ENOENT);
	assert_int_equal(policy_preset(&p, ""), -ENOENT);
	assert_memory_equal(&p, &q, sizeof(p));
	assert_int_equal(policy_nr_presets, 7);
}

static void set_ok(struct policy *p, const char *name, const char *value)
{
	char err[256] = "";
	int ret = policy_set_knob(p, name, value, err, sizeof(err));

	if (ret)
		fail_msg("%s=%s: %d %s", name, value, ret, err);
}

/* Durations take ns/us/ms/s; a bare number is ns. */
static void set_knob_duration_units(void **state)
{
	struct policy p;

	(void)state;
	policy_defaults(&p);
	set_ok(&p, "ipi_window_ns", "50ms");
	assert_true(p.kvm.ipi_window_ns == 50000000);
	set_ok(&p, "debooster_debounce_ns", "600us");
	assert_true(p.sched.debooster_debounce_ns == 600000);
	set_ok(&p, "debooster_rate_limit_ns", "1s");
	assert_true(p.sched.debooster_rate_limit_ns == 1000000000);
	set_ok(&p, "ipi_window_ns", "1234");
	assert_true(p.kvm.ipi_window_ns == 1234);
	set_ok(&p, "ipi_window_ns", "1234ns");
	assert_true(p.kvm.ipi_window_ns == 1234);
	set_ok(&p, "ipi_window_ns", "1.5ms");
	assert_true(p.kvm.ipi_window_ns == 1500000);
	set_ok(&p, "ipi_window_ns", "0");
	assert_true(p.kvm.ipi_window_ns == 0);
	set_ok(&p, "ipi_window_ns", "3600s"); /* the top of the range */
	assert_true(p.kvm.ipi_window_ns == 3600 * NSEC_PER_SEC);
}

/* Bad value: -EINVAL, the value is unchanged, and the message names the
 * knob and what it accepts. */
static void expect_einval(struct policy *p, const char *name,
			  const char *value, const char *accepts)
{
	char err[256] = "";
	struct policy before = *p;
	int ret = policy_set_knob(p, name, value, err, sizeof(err));

	if (ret != -EINVAL)
		fail_msg("%s=%s: got %d, expected -EINVAL", name, value, ret);
	assert_memory_equal(&before, p, sizeof(*p));
	assert_non_null(strstr(err, name));
	assert_non_null(strstr(err, accepts));
}

/* Negative, junk, units from elsewhere, overflow, too fine, too large. */
static void set_knob_rejects_bad_durations(void **state)
{
	struct policy p;
	static const char *const bad[] = {
		"-1", "5 parsecs", "99999999999999999999ms", "", "ms", "10 ms",
		" 10ms", "10ms ", "1.5ns", "1.", ".5ms", "10m", "10MS", "1e3",
		"0x10", "+5ms", "3601s", "18446744073709551615",
		"18446744073709551616",
	};

	(void)state;
	policy_defaults(&p);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_einval(&p, "ipi_window_ns", bad[i], "0..3600s");
}

/* u32 knobs: decimal 0..4294967295 only. */
static void set_knob_uint_range(void **state)
{
	struct policy p;
	static const char *const bad[] = { "-1", "4294967296", "12abc", "0x10",
					   "", "1.5", "99999999999999999999" };

	(void)state;
	policy_defaults(&p);
	set_ok(&p, "ple_window", "4294967295");
	assert_true(p.kvm.ple_window == 4294967295u);
	set_ok(&p, "ple_gap", "0");
	assert_int_equal(p.kvm.ple_gap, 0);
	set_ok(&p, "ple_window_grow", "4");
	assert_int_equal(p.kvm.ple_window_grow, 4);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_einval(&p, "ple_window", bad[i], "0..4294967295");
}

/* Booleans: 0/1, true/false, on/off, yes/no in any case; nothing else. */
static void set_knob_bool_spellings(void **state)
{
	struct policy p;
	static const char *const yes[] = { "1", "true", "on", "yes", "ON",
					   "True" };
	static const char *const no[] = { "0", "false", "off", "no", "OFF",
					  "No" };
	static const char *const bad[] = { "maybe", "2", "", "y", "enable",
					   "on " };

	(void)state;
	policy_defaults(&p);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		p.sched.vcpu_debooster_enabled = false;
		set_ok(&p, "vcpu_debooster_enabled", yes[i]);
		assert_true(p.sched.vcpu_debooster_enabled);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		p.kvm.enable_apicv = true;
		set_ok(&p, "enable_apicv", no[i]);
		assert_false(p.kvm.enable_apicv);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_einval(&p, "vcpu_debooster_enabled", bad[i], "on/off");
}

/* Unknown knob: -ENOENT, and the message names it; err may be NULL. */
static void set_knob_unknown(void **state)
{
	struct policy p;
	char err[256] = "";

	(void)state;
	policy_defaults(&p);
	assert_int_equal(policy_set_knob(&p, "vcpu_turbo", "1", err,
					 sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "vcpu_turbo"));
	assert_int_equal(policy_set_knob(&p, "vcpu_turbo", "1", NULL, 0),
			 -ENOENT);
	assert_int_equal(policy_set_knob(&p, "enable_apicv", "maybe", NULL, 0),
			 -EINVAL);
	/* a tiny buffer truncates, never overflows */
	assert_int_equal(policy_set_knob(&p, "ple_window", "x", err, 4),
			 -EINVAL);
	assert_int_equal(strlen(err), 3);
}

/* Knob names are the kernel's: sched_feat names upper case (matched in any
 * case), module parameters and series knobs lower case. */
static void knob_names(void **state)
{
	static const char *const feats[] = {
		"RUN_TO_PARITY", "DELAY_DEQUEUE", "DELAY_ZERO", "PLACE_LAG",
		"PLACE_DEADLINE_INITIAL", "PLACE_REL_DEADLINE", "PICK_BUDDY",
		"CGROUP_BUDDY", "WAKEUP_PREEMPTION",
	};
	struct policy p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(feats); i++) {
		assert_string_equal(knob(feats[i])->name, feats[i]);
		assert_int_equal(knob(feats[i])->type, KNOB_BOOL);
	}
	assert_ptr_equal(policy_knob_find("run_to_parity"),
			 policy_knob_find("RUN_TO_PARITY"));
	assert_null(policy_knob_find("RUN-TO-PARITY"));
	policy_defaults(&p);
	set_ok(&p, "delay_dequeue", "off");
	assert_false(p.sched.delay_dequeue);
	set_ok(&p, "PLACE_LAG", "off");
	assert_false(p.sched.place_lag);
}

/*
 * Every field of struct sched_features (16) and struct kvm_knobs (24) is a
 * knob: 40 knobs, unique names and offsets, each with where and meaning.
 */
static void knob_table_complete(void **state)
{
	(void)state;
	assert_int_equal(policy_nr_knobs, 40);
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];

		assert_true(k->offset < sizeof(struct policy));
		assert_true(k->where && *k->where);
		assert_true(k->meaning && *k->meaning);
		assert_true(k->min <= k->max);
		for (size_t j = 0; j < i; j++) {
			assert_true(strcasecmp(policy_knobs[j].name, k->name));
			assert_true(policy_knobs[j].offset != k->offset);
		}
	}
	assert_int_equal(knob("ple_window")->offset,
			 offsetof(struct policy, kvm.ple_window));
	assert_int_equal(knob("debooster_debounce_ns")->offset,
			 offsetof(struct policy, sched.debooster_debounce_ns));
	assert_int_equal(knob("ipi_window_ns")->type, KNOB_DURATION);
	assert_int_equal(knob("ple_gap")->type, KNOB_U32);
}

static void knob_store(struct policy *p, const struct knob *k, u64 v)
{
	void *f = (char *)p + k->offset;

	switch (k->type) {
	case KNOB_BOOL:
		*(bool *)f = v;
		break;
	case KNOB_U32:
		*(unsigned int *)f = (unsigned int)v;
		break;
	case KNOB_DURATION:
		*(u64 *)f = v;
		break;
	}
}

/* Each knob round-trips value -> text -> parse: its default, and a
 * different value. */
static void knob_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < policy_nr_knobs; i++) {
		const struct knob *k = &policy_knobs[i];
		struct policy def, p, q;
		char text[64];
		u64 dv, other;

		policy_defaults(&def);
		dv = policy_knob_get(&def, k);
		other = k->type == KNOB_BOOL ? !dv :
			k->type == KNOB_U32  ? dv ^ 0x5a5a :
					       dv + 1234567;

		/* default -> text -> parse into a copy holding another value */
		p = def;
		knob_store(&p, k, other);
		assert_true(policy_knob_get(&p, k) == other);
		assert_true(policy_knob_format(&def, k, text, sizeof(text)) > 0);
		set_ok(&p, k->name, text);
		if (policy_knob_get(&p, k) != dv)
			fail_msg("%s: default '%s' did not round-trip", k->name,
				 text);

		/* the other value -> text -> parse */
		q = def;
		knob_store(&q, k, other);
		policy_knob_format(&q, k, text, sizeof(text));
		set_ok(&p, k->name, text);
		if (policy_knob_get(&p, k) != other)
			fail_msg("%s: '%s' did not round-trip", k->name, text);
	}
}

/* format_duration picks the largest unit that keeps the value whole. */
static void duration_format(void **state)
{
	static const struct {
		u64 ns;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 7, "7ns" },
		{ 600000, "600us" },
		{ 1500000, "1500us" },
		{ 6000000, "6ms" },
		{ 50000000, "50ms" },
		{ 1000000000, "1s" },
		{ 1000000001, "1000000001ns" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 back;

		format_duration(buf, sizeof(buf), cases[i].ns);
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(parse_duration_ns(buf, &back), 0);
		assert_true(back == cases[i].ns);
	}
}

/* The parsers at the u64 edge: overflow is -ERANGE, junk is -EINVAL. */
static void parsers_at_the_edge(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("-0", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("18446744073709551615ns", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_duration_ns("18446744073709552ms", &v), -ERANGE);
	assert_int_equal(parse_duration_ns("99999999999999999999ms", &v),
			 -ERANGE);
	assert_int_equal(parse_duration_ns("99999999999999999999xs", &v),
			 -EINVAL);
	assert_int_equal(parse_duration_ns("0.000000001s", &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_duration_ns("0.0000000010s", &v), 0);
	assert_true(v == 1);
	assert_int_equal(parse_duration_ns("0.0000000001s", &v), -EINVAL);
	assert_int_equal(parse_duration_ns("2.25us", &v), 0);
	assert_true(v == 2250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(preset_vanilla_has_nothing_of_the_series),
		cmocka_unit_test(defaults_series_numbers),
		cmocka_unit_test(preset_deboost),
		cmocka_unit_test(preset_lagcredit),
		cmocka_unit_test(preset_ipi_aware),
		cmocka_unit_test(preset_series_v2),
		cmocka_unit_test(preset_series_v3),
		cmocka_unit_test(preset_oracle),
		cmocka_unit_test(preset_resets_and_unknown),
		cmocka_unit_test(set_knob_duration_units),
		cmocka_unit_test(set_knob_rejects_bad_durations),
		cmocka_unit_test(set_knob_uint_range),
		cmocka_unit_test(set_knob_bool_spellings),
		cmocka_unit_test(set_knob_unknown),
		cmocka_unit_test(knob_names),
		cmocka_unit_test(knob_table_complete),
		cmocka_unit_test(knob_round_trip),
		cmocka_unit_test(duration_format),
		cmocka_unit_test(parsers_at_the_edge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
