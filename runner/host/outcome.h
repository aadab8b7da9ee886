/* SPDX-License-Identifier: MIT */
/* How the VM ended said in one clear line on stderr (core/run_decision.h decides the status). */
#pragma once

#include "accel_host.h"
#include "kernel_host.h"
#include "paths.h"
#include "run_dir.h"
#include "vm.h"

/* Why the run ended as it did, when it was not the program's own status; accel: how this run
 * chose its accelerator (a KVM failure drops a cached verdict); reported: the kernel's reports
 * will be shown (verdict.h), so a panic or a timeout leaves out the console's last lines. */
void outcome_explain(const struct vm_result *res, const struct run_dir *dir, unsigned timeout_s,
		     const struct accel_choice *accel, bool reported);

/* Last n lines of a file in the run directory, for messages. */
int tail_lines(int dirfd, const char *name, unsigned n, struct buf *ret);

/* Preflight checks that need the host: each logs its own one-line error. */
int check_kernel_config(const struct quiz_paths *p, const struct kernel *k);
bool qemu_missing(const char *qemu, const struct arch *a);
/* TCG on an arch with tcg_timing_words (x86): the host's TSC rate (the same every run:
 * tsc_rate_host.h, its pin in home) and the kernel's HZ, to skip the guest's calibration. */
void timing_hints(const char *home, const struct kernel *k, unsigned long *ret_tsc_khz,
		  unsigned *ret_hz);

/* --timings: each stage in ms since quiz started; guest stages placed by the guest's uptime
 * at the status report. -EINVAL when the guest sent no timeline. Pure. */
int timings_format(const struct vm_result *res, long long started, long long ended,
		   struct buf *out);
