// SPDX-License-Identifier: MIT
/* Guest code of the VM selftests: runs at ring 3 inside the test's VM. */
#include "guest_code.h"

#include "vmm/guest/rt.h"

/* counts to loops in shared memory, SYNC 1, adds 5, reports, returns */
void guest_count(void *arg)
{
	struct guest_count_arg *a = arg;

	for (uint64_t i = 0; i < a->loops; i++)
		__atomic_fetch_add(&a->counter, 1, __ATOMIC_RELAXED);
	guest_sync(1);
	a->counter += 5;
	GUEST_REPORT(11, 22, 33, 44, 55, 66);
}

/* an assertion that fails: *arg is 0 */
void guest_assert_fails(void *arg)
{
	GUEST_ASSERT(*(volatile uint64_t *)arg == 42);
}

/* an invalid opcode, and no IDT: #UD, #DF, a triple fault */
void guest_ud2(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

/* a store to an address no page maps: #PF with cr2 0x1000, no IDT */
void guest_wild_write(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)0x1000 = 1;
}

/* a store to the doorbell page at an offset nothing serves */
void guest_unserved_write(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)(VMM_DOORBELL_GPA + 0x800) = 1;
}

/* a ucall whose address is not in guest memory */
void guest_bad_ucall(void *arg)
{
	(void)arg;
	*(volatile uint64_t *)(VMM_DOORBELL_GPA + VMM_DB_UCALL) = 0x1234;
}

/* CPUID of each leaf (subleaf 0), reported as leaf, eax, ebx, ecx, edx */
void guest_cpuid(void *arg)
{
	struct guest_cpuid_arg *a = arg;

	for (uint32_t i = 0; i < a->nr && i < GUEST_CPUID_MAX; i++) {
		uint32_t eax = a->leaf[i], ebx, ecx = 0, edx;

		__asm__ volatile("cpuid"
				 : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
		GUEST_REPORT(a->leaf[i], eax, ebx, ecx, edx);
	}
}
