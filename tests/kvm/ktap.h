/* SPDX-License-Identifier: MIT */
/*
 * KTAP output for the KVM selftests (Documentation/dev-tools/ktap.rst):
 * one "ok N name" / "not ok N name" line per case, "# SKIP reason" when a
 * case cannot run here, diagnostics as "# ..." lines. The kernel's
 * tools/testing/selftests/kselftest.h does the same; written anew.
 */
#ifndef OVERSUB_TESTS_KTAP_H
#define OVERSUB_TESTS_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "vmm/vmm.h"

struct ktap {
	int n, planned, failed;
};

static inline void ktap_begin(struct ktap *k, int planned)
{
	k->n = 0;
	k->failed = 0;
	k->planned = planned;
	printf("KTAP version 1\n1..%d\n", planned);
	fflush(stdout);
}

static inline void ktap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* one case: ok when @pass */
static inline void ktap_result(struct ktap *k, bool pass, const char *name)
{
	k->n++;
	if (!pass)
		k->failed++;
	printf("%sok %d %s\n", pass ? "" : "not ", k->n, name);
	fflush(stdout);
}

static inline void ktap_skip(struct ktap *k, const char *name,
			     const char *why)
{
	k->n++;
	printf("ok %d %s # SKIP %s\n", k->n, name, why);
	fflush(stdout);
}

/* true if /dev/kvm is usable; else every planned case is skipped, named
 * @name, with the reason */
static inline bool ktap_kvm_or_skip(struct ktap *k, const char *name)
{
	char why[256];

	if (vmm_kvm_available(why, sizeof(why)))
		return true;
	while (k->n < k->planned)
		ktap_skip(k, name, why);
	return false;
}

/* the exit status: 1 if a case failed or the plan was not kept */
static inline int ktap_end(struct ktap *k)
{
	if (k->n != k->planned) {
		printf("# planned %d cases, ran %d\n", k->planned, k->n);
		return 1;
	}
	return k->failed ? 1 : 0;
}

#endif
