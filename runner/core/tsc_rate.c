/* SPDX-License-Identifier: MIT */
/* The host's TSC rate from what the host's files say, and its pin per boot of the host. Pure. */
#include "tsc_rate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KHZ_MIN 100000UL    /* 100 MHz */
#define KHZ_MAX 100000000UL /* 100 GHz */

static bool khz_ok(double khz)
{
	return khz >= KHZ_MIN && khz <= KHZ_MAX;
}

/* The value of cpuinfo's first "KEY<blanks>: VALUE" line (VALUE's start), or NULL. */
static const char *cpuinfo_value(const char *cpuinfo, const char *key, size_t *ret_len)
{
	size_t n = strlen(key);
	for (const char *line = cpuinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, key, n) == 0 && strspn(line + n, " \t") + n < len &&
		    line[n + strspn(line + n, " \t")] == ':') {
			const char *v = line + n + strspn(line + n, " \t") + 1;
			v += strspn(v, " \t");
			*ret_len = len - (size_t)(v - line);
			return v;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* "cpu MHz : 2199.998" in kHz, or 0. */
static unsigned long cpu_mhz(const char *cpuinfo)
{
	size_t len;
	const char *v = cpuinfo ? cpuinfo_value(cpuinfo, "cpu MHz", &len) : NULL;
	char *end = NULL;
	double khz = v ? strtod(v, &end) * 1000 : 0;
	return v && end != v && khz_ok(khz) ? (unsigned long)(khz + 0.5) : 0;
}

/* "model name : Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz" in kHz, or 0. */
static unsigned long model_rate(const char *cpuinfo)
{
	size_t len;
	const char *v = cpuinfo ? cpuinfo_value(cpuinfo, "model name", &len) : NULL;
	const char *at = NULL;
	for (size_t i = 0; v && i + 3 <= len; i++)
		if (v[i] == ' ' && v[i + 1] == '@' && v[i + 2] == ' ')
			at = v + i + 3;
	if (!at)
		return 0;
	char *end = NULL;
	double rate = strtod(at, &end);
	if (end == at || end > v + len)
		return 0;
	double khz = strncmp(end, "GHz", 3) == 0   ? rate * 1e6
		     : strncmp(end, "MHz", 3) == 0 ? rate * 1e3
						   : 0;
	return khz_ok(khz) ? (unsigned long)(khz + 0.5) : 0;
}

enum tsc_rate_source tsc_rate_pick(const struct tsc_rate_inputs *in, unsigned long *ret_khz)
{
	char *end = NULL;
	unsigned long base = in->base_frequency ? strtoul(in->base_frequency, &end, 10) : 0;
	if (base && end != in->base_frequency && (*end == '\0' || *end == '\n') && khz_ok(base)) {
		*ret_khz = base;
		return TSC_RATE_BASE;
	}
	unsigned long mhz = cpu_mhz(in->cpuinfo);
	if (mhz && !in->cpufreq) {
		*ret_khz = mhz;
		return TSC_RATE_FIXED_MHZ;
	}
	unsigned long model = model_rate(in->cpuinfo);
	if (model) {
		*ret_khz = model;
		return TSC_RATE_MODEL;
	}
	if (mhz) {
		*ret_khz = mhz;
		return TSC_RATE_CURRENT_MHZ;
	}
	return TSC_RATE_NONE;
}

int tsc_rate_pin_format(const char *boot_id, unsigned long khz, struct buf *out)
{
	return buf_printf(out, "%s %lu\n", boot_id, khz);
}

int tsc_rate_pin_parse(const char *text, const char *boot_id, unsigned long *ret_khz)
{
	size_t n = strlen(boot_id);
	if (!n || strncmp(text, boot_id, n) != 0 || text[n] != ' ')
		return -ENOENT;
	char *end = NULL;
	unsigned long khz = strtoul(text + n + 1, &end, 10);
	if (end == text + n + 1 || *end != '\n' || !khz_ok((double)khz))
		return -ENOENT;
	*ret_khz = khz;
	return 0;
}
