/* SPDX-License-Identifier: MIT */
/* Reads what core/tsc_rate.c picks the host's TSC rate from; keeps a pin per boot of the host. */
#include "tsc_rate_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache_trust_host.h"
#include "file.h"
#include "tsc_rate.h"

#define CPUFREQ "/sys/devices/system/cpu/cpu0/cpufreq"
#define PIN_NAME "tsc-rate"

/* The pinned rate of this boot of the host, or reading now pinned; reading when no pin can be. */
static unsigned long pinned(const char *home, unsigned long reading)
{
	_cleanup_free_ char *boot_id = NULL, *dir = NULL, *text = NULL;
	_cleanup_close_ int dir_fd = -1;
	_cleanup_buf_ struct buf pin = {0};
	unsigned long khz = 0;
	if (read_file("/proc/sys/kernel/random/boot_id", &boot_id, NULL) < 0 ||
	    asprintf(&dir, "%s/accel", home) < 0)
		return reading;
	boot_id[strcspn(boot_id, "\n")] = '\0';
	if (cache_dir_open(dir, "accelerator verdicts", &dir_fd) < 0)
		return reading;
	if (cache_file_read(dir_fd, dir, PIN_NAME, "accelerator verdicts", &text, NULL) >= 0 &&
	    tsc_rate_pin_parse(text, boot_id, &khz) == 0)
		return khz;
	if (tsc_rate_pin_format(boot_id, reading, &pin) >= 0)
		(void)write_file_at(dir_fd, PIN_NAME, pin.data, pin.len, 0600); /* else: unpinned */
	return reading;
}

unsigned long host_tsc_khz(const char *home)
{
	_cleanup_free_ char *cpuinfo = NULL, *base = NULL;
	(void)read_file("/proc/cpuinfo", &cpuinfo, NULL);	 /* NULL: unreadable */
	(void)read_file(CPUFREQ "/base_frequency", &base, NULL); /* NULL: none */
	struct tsc_rate_inputs in = {
		.base_frequency = base,
		.cpuinfo = cpuinfo,
		.cpufreq = access(CPUFREQ, F_OK) == 0,
	};
	unsigned long khz = 0;
	switch (tsc_rate_pick(&in, &khz)) {
	case TSC_RATE_NONE: return 0;
	case TSC_RATE_CURRENT_MHZ: return home ? pinned(home, khz) : khz;
	default: return khz;
	}
}
