/* SPDX-License-Identifier: MIT */
/*
 * A scenario run on the KVM engine (src/vmm, docs/kvm-engine.md) instead
 * of the simulator: the same configuration in, the same metrics out, so
 * `oversub kvm` and `oversub compare --engine kvm` print the same report.
 */
#ifndef OVERSUB_CLI_KVMJOB_H
#define OVERSUB_CLI_KVMJOB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "scenario/scenario.h"
#include "sim/metrics.h"

/* 0 if the KVM engine can run @sc; else -EINVAL and @err says what it
 * cannot, as "FILE:LINE: key: why" where the file has a line for it. */
int kvmjob_check(const struct scenario *sc, char *err, size_t errlen);
/* One run of @cfg on the engine (checked with kvmjob_check) into @m,
 * with KVM's in-kernel LAPIC when @kernel_irqchip; a set *@stop ends it
 * early. 0, -EINVAL (@cfg's policy cannot run here), or another -errno;
 * @err says why. */
int kvmjob_run(const struct sim_config *cfg, volatile sig_atomic_t *stop,
	       bool kernel_irqchip, struct sim_metrics *m, char *err,
	       size_t errlen);

#endif
