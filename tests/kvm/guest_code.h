/* SPDX-License-Identifier: MIT */
/* Guest functions of the VM selftests (guest_code.c, built as guest code). */
#ifndef OVERSUB_TESTS_KVM_GUEST_CODE_H
#define OVERSUB_TESTS_KVM_GUEST_CODE_H

#include <stdint.h>

struct guest_count_arg {
	uint64_t loops; /* set by the host */
	uint64_t counter; /* the guest counts here */
};

#define GUEST_CPUID_MAX 8
struct guest_cpuid_arg {
	uint32_t nr;
	uint32_t leaf[GUEST_CPUID_MAX];
};

void guest_count(void *arg);
void guest_assert_fails(void *arg);
void guest_ud2(void *arg);
void guest_wild_write(void *arg);
void guest_unserved_write(void *arg);
void guest_bad_ucall(void *arg);
void guest_cpuid(void *arg);

#endif
