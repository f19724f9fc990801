// SPDX-License-Identifier: MIT
/*
 * oversub-kvm-costs: what the KVM engine's mechanics cost on this host
 * (src/vmm/costs.h), the figures docs/kvm-engine.md records.
 *
 *   oversub-kvm-costs [SAMPLES]    (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>

#include "vmm/costs.h"
#include "vmm/vmm.h"

int main(int argc, char **argv)
{
	struct vmm_costs c;
	char err[256];
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;

	if (argc > 2 || n < 10 || n > 1000000) {
		fprintf(stderr, "usage: oversub-kvm-costs [SAMPLES 10..1000000]\n");
		return 2;
	}
	if (!vmm_kvm_available(err, sizeof(err))) {
		fprintf(stderr, "oversub-kvm-costs: %s\n", err);
		return 1;
	}
	if (vmm_measure_costs(&c, (unsigned int)n, err, sizeof(err))) {
		fprintf(stderr, "oversub-kvm-costs: %s\n", err);
		return 1;
	}
	printf("medians of %ld samples (signal: %ld)\n", n, n / 10);
	printf("exit to userspace and back (ring 3 MMIO) %8.1f us\n",
	       c.exit_ns / 1e3);
	printf("KVM_RUN with immediate_exit              %8.1f us\n",
	       c.run_ns / 1e3);
	printf("signal to a running vCPU until return    %8.1f us\n",
	       c.signal_ns / 1e3);
	printf("first KVM_RUN of a new VM                %8.1f us\n",
	       c.first_run_ns / 1e3);
	return 0;
}
