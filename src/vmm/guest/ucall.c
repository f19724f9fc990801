// SPDX-License-Identifier: MIT
/*
 * Guest side of the ucall channel (after the KVM selftests' lib/ucall.c):
 * the call is built on the guest's stack and its address stored to the
 * doorbell page; the store exits to the engine, which reads the call at
 * that address (the same in host and guest) before the vCPU goes on.
 */
#include "vmm/guest/rt.h"

/* a u64 store to the doorbell page, ordered after every earlier store */
static inline void doorbell_write(uint64_t off, uint64_t val)
{
	volatile uint64_t *p = (volatile uint64_t *)(VMM_DOORBELL_GPA + off);

	__asm__ volatile("movq %1, %0" : "=m"(*p) : "r"(val) : "memory");
}

void guest_ucall(uint64_t cmd, uint64_t nr_args, const uint64_t *args)
{
	struct ucall uc = { .cmd = cmd };

	if (nr_args > UCALL_MAX_ARGS)
		nr_args = UCALL_MAX_ARGS;
	uc.nr_args = nr_args;
	for (uint64_t i = 0; i < nr_args; i++)
		uc.args[i] = args[i];
	doorbell_write(VMM_DB_UCALL, (uint64_t)&uc);
}

void guest_ucall_abort(const char *file, uint64_t line, const char *expr)
{
	struct ucall uc = { .cmd = UCALL_ABORT };

	uc.file = file;
	uc.line = line;
	uc.expr = expr;
	for (;;) /* the engine ends the VM; never go on */
		doorbell_write(VMM_DB_UCALL, (uint64_t)&uc);
}

void guest_entry(guest_fn fn, void *arg)
{
	fn(arg);
	for (;;)
		guest_ucall(UCALL_DONE, 0, 0);
}
