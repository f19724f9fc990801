// SPDX-License-Identifier: MIT
/*
 * KTAP selftests of the KVM engine's VMs (src/vmm): guest C code at ring 3
 * of a real VM, the ucall channel, a VM ended cleanly by every kind of
 * guest fault while other VMs go on. Every case is skipped, not failed,
 * where /dev/kvm is absent.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest_code.h"
#include "ktap.h"
#include "vmm/vmm.h"

#define NR_CASES 11

struct sync_seen {
	int syncs;
	uint64_t stage;
	uint64_t counter_at_sync;
	struct guest_count_arg *arg;
	struct ucall report;
	int reports;
};

static int on_count_ucall(struct vmm_vcpu *vcpu, const struct ucall *uc,
			  void *ctx)
{
	struct sync_seen *s = ctx;

	(void)vcpu;
	if (uc->cmd == UCALL_SYNC) {
		s->syncs++;
		s->stage = uc->args[0];
		s->counter_at_sync = s->arg->counter;
	} else if (uc->cmd == UCALL_REPORT) {
		s->report = *uc;
		s->reports++;
	}
	return 0;
}

/* a 1-vCPU VM running @fn(@arg-in-guest-memory) to its end: the return
 * of vmm_vcpu_run_to_done, its message in @err */
static int run_one(guest_fn fn, char *err, size_t len)
{
	struct vmm_vm *vm = vmm_vm_new(1, 1, 0, err, len);
	uint64_t *zero;
	int ret;

	if (!vm)
		return -EIO;
	zero = vmm_alloc(vm, sizeof(*zero), 8);
	ret = vmm_vcpu_start(&vm->vcpus[0], fn, zero);
	if (!ret)
		ret = vmm_vcpu_run_to_done(&vm->vcpus[0], NULL, NULL);
	snprintf(err, len, "%s", vm->err);
	vmm_vm_free(vm);
	return ret;
}

/* @fn's run ends the VM with -EIO and a message holding @want */
static void case_ends_vm(struct ktap *k, guest_fn fn, const char *want,
			 const char *name)
{
	char err[256] = "";
	int ret = run_one(fn, err, sizeof(err));

	ktap_diag("%s: %s", name, err);
	ktap_result(k, ret == -EIO && strstr(err, want), name);
}

static void cases_count(struct ktap *k)
{
	struct sync_seen s = { 0 };
	char err[256];
	struct vmm_vm *vm = vmm_vm_new(1, 1, 0, err, sizeof(err));
	int ret;

	if (!vm) {
		ktap_diag("vmm_vm_new: %s", err);
		ktap_result(k, false, "vm_create: a VM with one vCPU");
		for (int i = 0; i < 3; i++)
			ktap_skip(k, "count", "no VM");
		return;
	}
	ktap_result(k, true, "vm_create: a VM with one vCPU");
	s.arg = vmm_alloc(vm, sizeof(*s.arg), 64);
	s.arg->loops = 1000;
	ret = vmm_vcpu_start(&vm->vcpus[0], guest_count, s.arg);
	if (!ret)
		ret = vmm_vcpu_run_to_done(&vm->vcpus[0], on_count_ucall, &s);
	if (ret)
		ktap_diag("run: %s", vm->err);
	/* 1000 increments, SYNC 1, +5: 1005, in the memory both sides map */
	ktap_result(k, ret == 0 && s.arg->counter == 1005,
		    "ring3: the guest's stores reach host memory (1005)");
	/* the SYNC came after the loop and before the +5: counter 1000 */
	ktap_result(k, s.syncs == 1 && s.stage == 1 && s.counter_at_sync == 1000,
		    "ucall: SYNC stops the vCPU where the guest is");
	ktap_result(k, s.reports == 1 && s.report.nr_args == 6 &&
			       s.report.args[0] == 11 && s.report.args[5] == 66,
		    "ucall: REPORT carries its six values");
	vmm_vm_free(vm);
}

/* a VM that faults does not stop another one */
static void case_isolation(struct ktap *k)
{
	char err[256];
	struct vmm_vm *a = vmm_vm_new(1, 1, 0, err, sizeof(err));
	struct vmm_vm *b = vmm_vm_new(1, 1, 0, err, sizeof(err));
	struct guest_count_arg *arg;
	int ra = -1, rb = -1;

	if (a && b) {
		arg = vmm_alloc(b, sizeof(*arg), 64);
		arg->loops = 10;
		vmm_vcpu_start(&a->vcpus[0], guest_ud2, NULL);
		vmm_vcpu_start(&b->vcpus[0], guest_count, arg);
		ra = vmm_vcpu_run_to_done(&a->vcpus[0], NULL, NULL);
		rb = vmm_vcpu_run_to_done(&b->vcpus[0], NULL, NULL);
		rb = rb ? rb : (arg->counter == 15 ? 0 : -1);
	}
	vmm_vm_free(a);
	vmm_vm_free(b);
	ktap_result(k, ra == -EIO && rb == 0,
		    "fault: a triple-faulting VM leaves another VM running");
}

static void case_bad_create(struct ktap *k)
{
	char err[256] = "";
	struct vmm_vm *vm = vmm_vm_new(1, 0, 0, err, sizeof(err));

	ktap_diag("0 vCPUs: %s", err);
	ktap_result(k, !vm && strstr(err, "1..64 vCPUs"),
		    "vm_create: 0 vCPUs is refused with a message");
	vmm_vm_free(vm);
}

int main(void)
{
	struct ktap k;

	ktap_begin(&k, NR_CASES);
	if (!ktap_kvm_or_skip(&k, "kvm"))
		return ktap_end(&k);
	cases_count(&k);
	case_ends_vm(&k, guest_assert_fails, "guest_code.c:",
		     "fault: a guest assertion ends the VM, naming file:line");
	case_ends_vm(&k, guest_ud2, "triple fault",
		     "fault: #UD without an IDT is a triple fault");
	case_ends_vm(&k, guest_wild_write, "cr2 0x1000",
		     "fault: a store outside guest memory names the address");
	case_ends_vm(&k, guest_unserved_write, "nothing serves",
		     "fault: an unserved doorbell store ends the VM");
	case_ends_vm(&k, guest_bad_ucall, "bad ucall",
		     "fault: a ucall outside guest memory ends the VM");
	case_isolation(&k);
	case_bad_create(&k);
	return ktap_end(&k);
}
