// SPDX-License-Identifier: MIT
/*
 * The engine's cost probes (costs.h): exits, bare entries and signal
 * kicks timed on a 1-vCPU VM; each figure is the median of its samples.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vmm/costs.h"
#include "vmm/internal.h"

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

struct signal_probe {
	struct vmm_vcpu *vcpu;
	volatile u64 returned; /* when KVM_RUN came back */
	volatile int in_run;
	int ret;
};

static void *signal_runner(void *arg)
{
	struct signal_probe *p = arg;
	struct ucall uc;

	vmm_kick_run = p->vcpu->run;
	p->vcpu->run->immediate_exit = 0;
	p->in_run = 1;
	p->ret = vmm_vcpu_run(p->vcpu, &uc) == VMM_EXIT_INTR ? 0 : -EIO;
	p->returned = vmm_mono_ns();
	vmm_kick_run = NULL;
	return NULL;
}

/* a signal to the thread of a vCPU spinning in the guest: until KVM_RUN
 * returns, per sample */
static int signal_cost(struct vmm_vcpu *vcpu, u64 *v, unsigned int n)
{
	struct timespec ms = { 0, 1000 * 1000 };

	for (unsigned int i = 0; i < n; i++) {
		struct signal_probe p = { .vcpu = vcpu };
		pthread_t th;
		u64 sent;

		if (pthread_create(&th, NULL, signal_runner, &p))
			return -EAGAIN;
		while (!p.in_run)
			nanosleep(&ms, NULL);
		nanosleep(&ms, NULL); /* well inside the guest by now */
		sent = vmm_mono_ns();
		pthread_kill(th, SIGUSR1);
		pthread_join(th, NULL);
		if (p.ret)
			return p.ret;
		v[i] = p.returned - sent;
	}
	return 0;
}

static int probe(struct vmm_vm *vm, struct vmm_costs *c, unsigned int n,
		 u64 *v)
{
	struct vmm_vcpu *vcpu = &vm->vcpus[0];
	struct ucall uc;
	u64 t;

	/* exits: the first KVM_RUN, then one doorbell store per run */
	t = vmm_mono_ns();
	if (vmm_vcpu_run(vcpu, &uc) != VMM_EXIT_MMIO)
		return -EIO;
	c->first_run_ns = vmm_mono_ns() - t;
	for (unsigned int i = 0; i < n; i++) {
		t = vmm_mono_ns();
		if (vmm_vcpu_run(vcpu, &uc) != VMM_EXIT_MMIO)
			return -EIO;
		v[i] = vmm_mono_ns() - t;
	}
	c->exit_ns = median(v, n);
	/* bare entries: immediate_exit set */
	vcpu->run->immediate_exit = 1;
	for (unsigned int i = 0; i < n; i++) {
		t = vmm_mono_ns();
		if (vmm_vcpu_run(vcpu, &uc) != VMM_EXIT_INTR)
			return -EIO;
		v[i] = vmm_mono_ns() - t;
	}
	vcpu->run->immediate_exit = 0;
	c->run_ns = median(v, n);
	return 0;
}

int vmm_measure_costs(struct vmm_costs *c, unsigned int samples, char *err,
		      size_t errlen)
{
	struct sigaction sa = { .sa_handler = vmm_kick_handler }, old;
	unsigned int nsig = samples / 10 ? samples / 10 : 1;
	u64 *v = calloc(samples ? samples : 1, sizeof(*v));
	struct vmm_vm *vm;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!v || !samples) {
		free(v);
		snprintf(err, errlen, "cost probe: %s",
			 samples ? "out of memory" : "no samples");
		return -EINVAL;
	}
	vm = vmm_vm_new(1, 1, 0, err, errlen);
	ret = vm ? vmm_vcpu_start(&vm->vcpus[0], guest_probe_exits, NULL) : -EIO;
	if (!ret)
		ret = probe(vm, c, samples, v);
	if (ret && vm)
		snprintf(err, errlen, "cost probe: %s",
			 vm->err[0] ? vm->err : "unexpected exit");
	vmm_vm_free(vm);
	if (ret) {
		free(v);
		return ret;
	}
	vm = vmm_vm_new(1, 1, 0, err, errlen);
	if (!vm) {
		free(v);
		return -EIO;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	ret = vmm_vcpu_start(&vm->vcpus[0], guest_probe_spin,
			     vmm_alloc(vm, 8, 8));
	if (!ret)
		ret = signal_cost(&vm->vcpus[0], v, nsig);
	if (!ret)
		c->signal_ns = median(v, nsig);
	else
		snprintf(err, errlen, "cost probe: the signal probe failed: %s",
			 vm->err[0] ? vm->err : "unexpected exit");
	sigaction(SIGUSR1, &old, NULL);
	vmm_vm_free(vm);
	free(v);
	return ret;
}

struct probe_seen {
	int reports;
	uint64_t seen;
};

static int probe_report(struct vmm_vcpu *vcpu, const struct ucall *uc,
			void *ctx)
{
	struct probe_seen *p = ctx;

	(void)vcpu;
	if (uc->cmd == UCALL_REPORT && uc->nr_args == 1) {
		p->reports++;
		p->seen = uc->args[0];
	}
	return 0;
}

/* run @vcpu until it reports, at most @tries entries: 0 and p filled, or
 * -EAGAIN when it never got there */
static int run_bounded(struct vmm_vcpu *vcpu, struct probe_seen *p, int tries)
{
	struct ucall uc;

	while (tries-- > 0) {
		switch (vmm_vcpu_run(vcpu, &uc)) {
		case VMM_EXIT_UCALL:
			if (uc.cmd == UCALL_DONE)
				return p->reports ? 0 : -EIO;
			probe_report(vcpu, &uc, p);
			break;
		case VMM_EXIT_INTR:
		case VMM_EXIT_IRQ_WINDOW:
			break;
		default:
			return -EIO;
		}
	}
	return -EAGAIN;
}

bool vmm_kernel_irqchip_works(char *why, size_t len)
{
	struct vmm_vm *vm = vmm_vm_new(1, 2, VMM_VM_KERNEL_IRQCHIP, why, len);
	struct probe_seen p0 = { 0 }, p1 = { 0 };
	uint64_t *a0, *a1;
	int ret;

	if (!vm)
		return false;
	/* vCPU 0 sends vCPU 1 an IPI and looks for none itself; then vCPU 1,
	 * which was not running, enters with it pending and looks for it */
	a0 = vmm_alloc(vm, 3 * sizeof(*a0), 8);
	a1 = vmm_alloc(vm, 3 * sizeof(*a1), 8);
	a0[0] = 1;
	a0[1] = (uint64_t)vmm_vcpu_irr(&vm->vcpus[0]);
	a0[2] = 1;
	a1[0] = 10 * 1000 * 1000;
	a1[1] = (uint64_t)vmm_vcpu_irr(&vm->vcpus[1]);
	a1[2] = 0xff; /* sends to nobody */
	ret = vmm_vcpu_start(&vm->vcpus[0], guest_probe_self_ipi, a0);
	if (!ret)
		ret = vmm_vcpu_start(&vm->vcpus[1], guest_probe_self_ipi, a1);
	if (!ret)
		ret = vmm_vcpu_run_to_done(&vm->vcpus[0], probe_report, &p0);
	if (!ret)
		ret = run_bounded(&vm->vcpus[1], &p1, 10000);
	if (ret == -EAGAIN)
		snprintf(why, len, "this host's in-kernel LAPIC does not "
			 "deliver interrupts to the guest (with a vector "
			 "pending, KVM_RUN returns EINTR at once, again and "
			 "again)");
	else if (ret)
		snprintf(why, len, "the in-kernel LAPIC probe failed: %s",
			 vm->err);
	else if (!p1.seen)
		snprintf(why, len, "this host's in-kernel LAPIC does not "
			 "deliver interrupts to the guest (an IPI stays "
			 "requested, never injected)");
	vmm_vm_free(vm);
	return !ret && p1.seen;
}
