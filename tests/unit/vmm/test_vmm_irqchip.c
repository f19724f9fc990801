// SPDX-License-Identifier: MIT
/*
 * The engine's private interrupts (src/vmm/irqchip.c), one rule of
 * MODEL.md 6 per test: exposure mask, the user-drivable query, pending
 * state saved at put and restored at load. A controller of 2 vCPUs with
 * private interrupts 0 (timer, vector 0xec), 1 (0x40) and 2 (0x41)
 * implemented, of which userspace may drive 0 and 1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/irqchip.h"

static void chip(struct vmm_irqchip *c)
{
	uint8_t vec[VMM_NR_PRIVATE] = { 0xec, 0x40, 0x41 };

	assert_int_equal(vmm_irqchip_init(c, 2, 0x7, 0x3, vec), 0);
}

/* the UAPI query answers what userspace may drive: 0 and 1 = 0x3 */
static void test_irqchip_query_user_drivable(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	assert_int_equal(vmm_irqchip_user_drivable(&c), 0x3);
	vmm_irqchip_destroy(&c);
}

/* userspace may not drive 2 (not in 0x3), exposed or not: -EPERM */
static void test_irqchip_user_cannot_drive_undrivable(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	assert_int_equal(vmm_irqchip_expose(&c, 0, 0x7), 0);
	vmm_irqchip_load(&c, 0);
	assert_int_equal(vmm_irqchip_raise(&c, 0, 2, true), -EPERM);
	/* the guest itself may drive its exposed 2 */
	assert_int_equal(vmm_irqchip_raise(&c, 0, 2, false), 0);
	assert_int_equal(vmm_irqchip_guest_pending(&c, 0), 0x4);
	vmm_irqchip_destroy(&c);
}

/* not exposed: nobody can raise it (-ENOENT) and the guest sees nothing */
static void test_irqchip_unexposed_is_invisible(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	assert_int_equal(vmm_irqchip_expose(&c, 0, 0x1), 0);
	vmm_irqchip_load(&c, 0);
	assert_int_equal(vmm_irqchip_raise(&c, 0, 1, true), -ENOENT);
	assert_int_equal(vmm_irqchip_raise(&c, 0, 1, false), -ENOENT);
	assert_int_equal(vmm_irqchip_guest_pending(&c, 0), 0);
	assert_int_equal(vmm_irqchip_take(&c, 0), -1);
	vmm_irqchip_destroy(&c);
}

/* exposing one the controller does not implement (bit 3) is refused */
static void test_irqchip_expose_unimplemented_refused(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	assert_int_equal(vmm_irqchip_expose(&c, 1, 0x8), -EINVAL);
	vmm_irqchip_destroy(&c);
}

/* un-exposing drops the pending state of what is no longer exposed:
 * 0 and 1 pending, expose only 0: 0x1 left */
static void test_irqchip_unexpose_drops_pending(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	vmm_irqchip_expose(&c, 0, 0x3);
	vmm_irqchip_load(&c, 0);
	vmm_irqchip_raise(&c, 0, 0, true);
	vmm_irqchip_raise(&c, 0, 1, true);
	vmm_irqchip_expose(&c, 0, 0x1);
	assert_int_equal(vmm_irqchip_guest_pending(&c, 0), 0x1);
	vmm_irqchip_destroy(&c);
}

/* put saves the pending state: the guest sees nothing while put; load
 * restores it: the timer (0xec) is then taken, once */
static void test_irqchip_put_saves_load_restores(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	vmm_irqchip_expose(&c, 1, 0x1);
	vmm_irqchip_load(&c, 1);
	assert_int_equal(vmm_irqchip_raise(&c, 1, VMM_PRIV_TIMER, true), 0);
	vmm_irqchip_put(&c, 1);
	assert_int_equal(vmm_irqchip_guest_pending(&c, 1), 0);
	assert_int_equal(vmm_irqchip_take(&c, 1), -1);
	vmm_irqchip_load(&c, 1);
	assert_int_equal(vmm_irqchip_take(&c, 1), 0xec);
	assert_int_equal(vmm_irqchip_take(&c, 1), -1);
	vmm_irqchip_destroy(&c);
}

/* raised while put: kept in the saved state, delivered after load */
static void test_irqchip_raise_while_put_waits(void **state)
{
	struct vmm_irqchip c;

	(void)state;
	chip(&c);
	vmm_irqchip_expose(&c, 0, 0x2);
	assert_int_equal(vmm_irqchip_raise(&c, 0, 1, true), 0);
	assert_int_equal(vmm_irqchip_take(&c, 0), -1);
	vmm_irqchip_load(&c, 0);
	assert_int_equal(vmm_irqchip_take(&c, 0), 0x40);
	vmm_irqchip_destroy(&c);
}

/* userspace may drive only implemented interrupts: user_drivable 0x8
 * outside implemented 0x7 is refused at init */
static void test_irqchip_drivable_subset_of_implemented(void **state)
{
	struct vmm_irqchip c;
	uint8_t vec[VMM_NR_PRIVATE] = { 0 };

	(void)state;
	assert_int_equal(vmm_irqchip_init(&c, 1, 0x7, 0x8, vec), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irqchip_query_user_drivable),
		cmocka_unit_test(test_irqchip_user_cannot_drive_undrivable),
		cmocka_unit_test(test_irqchip_unexposed_is_invisible),
		cmocka_unit_test(test_irqchip_expose_unimplemented_refused),
		cmocka_unit_test(test_irqchip_unexpose_drops_pending),
		cmocka_unit_test(test_irqchip_put_saves_load_restores),
		cmocka_unit_test(test_irqchip_raise_while_put_waits),
		cmocka_unit_test(test_irqchip_drivable_subset_of_implemented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
