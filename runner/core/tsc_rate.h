/* SPDX-License-Identifier: MIT */
/*
 * The host's TSC rate for TCG's timing words (tsc_early_khz, lpj): a rate that stays the same
 * from run to run, since it is part of the QEMU command line that keys a saved VM state. Under a
 * cpufreq driver /proc/cpuinfo's "cpu MHz" is the current clock, which moves every run; TCG's
 * guest TSC runs at the host TSC's constant rate anyway. Pure: the host reads the texts.
 */
/* Host half: host/tsc_rate_host.c. */
#pragma once

#include <stdbool.h>

#include "buf.h"

/* Where the rate came from, in the order tsc_rate_pick tries them. */
enum tsc_rate_source {
	TSC_RATE_NONE,	      /* nothing usable: the guest calibrates its TSC itself */
	TSC_RATE_BASE,	      /* cpufreq's base_frequency: the nominal rate, the TSC's */
	TSC_RATE_FIXED_MHZ,   /* "cpu MHz" with no cpufreq driver: the kernel's own measure of
			       * the TSC, the same every run (virtual machines, mostly) */
	TSC_RATE_MODEL,	      /* the "@ 2.60GHz" of the CPU's model name */
	TSC_RATE_CURRENT_MHZ, /* "cpu MHz" under a cpufreq driver: the clock now; the host pins the
			       * first reading of each boot of the host (tsc_rate_pin_*) */
};

struct tsc_rate_inputs {
	const char *base_frequency; /* cpu0/cpufreq/base_frequency's text (kHz); NULL: none */
	const char *cpuinfo;	    /* /proc/cpuinfo's text; NULL: unreadable */
	bool cpufreq;		    /* /sys/devices/system/cpu/cpu0/cpufreq exists */
};

/* The rate in kHz (100 MHz to 100 GHz) into *ret_khz, and where it came from; TSC_RATE_NONE
 * leaves *ret_khz untouched. */
enum tsc_rate_source tsc_rate_pick(const struct tsc_rate_inputs *in, unsigned long *ret_khz);

/* A pinned rate for one boot of the host: "BOOT_ID KHZ\n". */
int tsc_rate_pin_format(const char *boot_id, unsigned long khz, struct buf *out);
/* The rate text pins for boot_id: 0, or -ENOENT (another boot's, or not a pin). */
int tsc_rate_pin_parse(const char *text, const char *boot_id, unsigned long *ret_khz);
