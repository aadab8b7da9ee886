/* SPDX-License-Identifier: MIT */
/* The host's TSC rate for TCG's timing words, the same every run (core/tsc_rate.h). */
#pragma once

/*
 * The rate in kHz, or 0 (the guest calibrates). Where only the current clock is known (a
 * cpufreq driver, no nominal rate), the first reading since the host booted is pinned in
 * home/accel/tsc-rate and used until the next boot.
 */
unsigned long host_tsc_khz(const char *home);
