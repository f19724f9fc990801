// SPDX-License-Identifier: MIT
/*
 * KTAP selftest: CPUID leaves set with KVM_SET_CPUID2 and read back by the
 * guest, one case per register. Each leaf is set twice, in two VMs: as
 * KVM_GET_SUPPORTED_CPUID offers it and with bits of every register
 * flipped. A register that reads back as set both times passes; one that
 * reads the same whatever was set, or follows the flipped bits but keeps
 * others of its own, is skipped, not failed (this machine's nested KVM
 * does not honour every leaf exactly); anything else fails. Bits KVM recomputes at run time
 * (kvm_update_cpuid_runtime: leaf 1 OSXSAVE and APIC) are not compared.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest_code.h"
#include "ktap.h"
#include "vmm/vmm.h"

/* leaf 1: ECX.OSXSAVE (27) follows CR4, EDX.APIC (9) the APIC base MSR */
#define LEAF1_ECX_RUNTIME (1u << 27)
#define LEAF1_EDX_RUNTIME (1u << 9)

struct probe {
	uint32_t leaf;
	/* new value = supported ^ flip, per register (eax, ebx, ecx, edx) */
	uint32_t flip[4];
	uint32_t ignore[4]; /* bits not compared */
};

static const struct probe probes[] = {
	/* signature (stepping, model), brand index, hypervisor bit, PBE */
	{ 1, { 0x11, 0x1, 1u << 31, 1u << 31 },
	  { 0, 0, LEAF1_ECX_RUNTIME, LEAF1_EDX_RUNTIME } },
	/* the hypervisor leaf: max leaf and the 12-byte signature */
	{ 0x40000000, { 0, 0x01010101, 0x02020202, 0x04040404 }, { 0 } },
	/* KVM features: clear PV_SCHED_YIELD (13) and STEAL_TIME (5) */
	{ 0x40000001, { (1u << 13) | (1u << 5), 0, 0, 0 }, { 0 } },
};
#define NR_PROBES (sizeof(probes) / sizeof(probes[0]))
#define NR_CASES (1 + 4 * (int)NR_PROBES)

static const char *const reg_name[4] = { "eax", "ebx", "ecx", "edx" };

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t leaf)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf && c->entries[i].index == 0)
			return &c->entries[i];
	return NULL;
}

static uint32_t *reg(struct kvm_cpuid_entry2 *e, int r)
{
	uint32_t *regs[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

	return regs[r];
}

static struct kvm_cpuid2 *supported(int kvm_fd)
{
	for (int nent = 64; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
						      nent * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

struct seen {
	int nr;
	uint64_t v[NR_PROBES][5];
};

static int on_report(struct vmm_vcpu *vcpu, const struct ucall *uc, void *ctx)
{
	struct seen *s = ctx;

	(void)vcpu;
	if (uc->cmd == UCALL_REPORT && s->nr < (int)NR_PROBES &&
	    uc->nr_args == 5)
		memcpy(s->v[s->nr++], uc->args, sizeof(s->v[0]));
	return 0;
}

/*
 * One VM: set the supported leaves (flipped by the probes when @flip), run
 * guest_cpuid over the probed leaves; @set and @got per probe and register.
 * 0, or -errno with the reason in @err.
 */
static int round_run(bool flip, uint32_t set[][4], uint32_t got[][4],
		     char *err, size_t len)
{
	struct vmm_vm *vm = vmm_vm_new(1, 1, 0, err, len);
	struct guest_cpuid_arg *arg;
	struct kvm_cpuid2 *c;
	struct seen s = { 0 };
	int ret;

	if (!vm)
		return -EIO;
	c = supported(vm->kvm_fd);
	arg = vmm_alloc(vm, sizeof(*arg), 8);
	ret = c ? 0 : -ENOMEM;
	for (size_t p = 0; !ret && p < NR_PROBES; p++) {
		struct kvm_cpuid_entry2 *e = find(c, probes[p].leaf);

		if (!e) {
			snprintf(vm->err, sizeof(vm->err),
				 "leaf 0x%x is not offered", probes[p].leaf);
			ret = -ENOENT;
			break;
		}
		for (int r = 0; r < 4; r++) {
			if (flip)
				*reg(e, r) ^= probes[p].flip[r];
			set[p][r] = *reg(e, r);
		}
		arg->leaf[arg->nr++] = probes[p].leaf;
	}
	if (!ret)
		ret = vmm_vcpu_set_cpuid(&vm->vcpus[0], c);
	if (!ret)
		ret = vmm_vcpu_start(&vm->vcpus[0], guest_cpuid, arg);
	if (!ret)
		ret = vmm_vcpu_run_to_done(&vm->vcpus[0], on_report, &s);
	if (!ret && s.nr != (int)NR_PROBES) {
		snprintf(vm->err, sizeof(vm->err), "%d of %zu leaves reported",
			 s.nr, NR_PROBES);
		ret = -EIO;
	}
	for (int p = 0; !ret && p < s.nr; p++)
		for (int r = 0; r < 4; r++)
			got[p][r] = (uint32_t)s.v[p][1 + r];
	if (ret)
		snprintf(err, len, "%s", vm->err);
	free(c);
	vmm_vm_free(vm);
	return ret;
}

static void cases(struct ktap *k)
{
	uint32_t set[2][NR_PROBES][4], got[2][NR_PROBES][4];
	char err[256] = "";
	int ret = round_run(false, set[0], got[0], err, sizeof(err));

	if (!ret)
		ret = round_run(true, set[1], got[1], err, sizeof(err));
	if (ret)
		ktap_diag("%s", err);
	ktap_result(k, !ret, "cpuid: the guest reports every leaf, twice");
	for (size_t p = 0; p < NR_PROBES; p++) {
		for (int r = 0; r < 4; r++) {
			uint32_t m = ~probes[p].ignore[r];
			uint32_t s0, s1, g0, g1;
			char name[64];

			snprintf(name, sizeof(name), "cpuid: leaf 0x%x %s",
				 probes[p].leaf, reg_name[r]);
			if (ret) {
				ktap_skip(k, name, "the guest did not report");
				continue;
			}
			s0 = set[0][p][r] & m, s1 = set[1][p][r] & m;
			g0 = got[0][p][r] & m, g1 = got[1][p][r] & m;
			ktap_diag("%s: set 0x%08x then 0x%08x, read 0x%08x then "
				  "0x%08x", name, s0, s1, g0, g1);
			if (g0 == s0 && g1 == s1) {
				ktap_result(k, true, name);
			} else if (g0 == g1) {
				ktap_skip(k, name, "not honoured by this host "
					  "(reads the same whatever is set)");
			} else if ((g0 ^ g1) == (s0 ^ s1)) {
				/* the changed bits follow; others are fixed */
				char why[96];

				snprintf(why, sizeof(why), "partly honoured by "
					 "this host (bits 0x%08x are its own)",
					 (g0 ^ s0) | (g1 ^ s1));
				ktap_skip(k, name, why);
			} else {
				ktap_result(k, false, name);
			}
		}
	}
}

int main(void)
{
	struct ktap k;

	ktap_begin(&k, NR_CASES);
	if (!ktap_kvm_or_skip(&k, "cpuid"))
		return ktap_end(&k);
	cases(&k);
	return ktap_end(&k);
}
