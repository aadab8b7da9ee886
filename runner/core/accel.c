/* SPDX-License-Identifier: MIT */
/* The accelerator verdict: its cache key and file, the decision from probe boots. Pure. */
#include "accel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "kv.h"
#include "qemu_argv.h"

/* Bump when the probe changes what a verdict means. */
#define PROBE_FORMAT 1

int accel_mode_parse(const char *value, enum accel_mode *ret)
{
	if (!value || !value[0] || STREQ(value, "auto"))
		*ret = ACCEL_MODE_AUTO;
	else if (STREQ(value, "kvm"))
		*ret = ACCEL_MODE_KVM;
	else if (STREQ(value, "tcg"))
		*ret = ACCEL_MODE_TCG;
	else
		return -EINVAL;
	return 0;
}

const char *accel_name(enum accel a)
{
	return a == ACCEL_KVM ? "kvm" : "tcg";
}

void accel_cache_key(const char *host_kernel, const char *qemu_identity, const char *cpu,
		     enum kvm_access access, char ret[17])
{
	char extra[32];
	snprintf(extra, sizeof(extra), "probe=%d access=%d", PROBE_FORMAT, (int)access);
	uint64_t h = FNV1A_INIT;
	h = fnv1a(h, host_kernel ? host_kernel : "");
	h = fnv1a(h, qemu_identity ? qemu_identity : "");
	h = fnv1a(h, cpu ? cpu : "");
	h = fnv1a(h, extra);
	snprintf(ret, 17, "%016llx", (unsigned long long)h);
}

int accel_verdict_format(const struct accel_verdict *v, struct buf *out)
{
	int r = buf_printf(out, "accel=%s\nreason=%s\nkvm_ms=%ld\ntcg_ms=%ld\n",
			   accel_name(v->accel), v->reason ? v->reason : "", v->kvm_ms, v->tcg_ms);
	if (r >= 0 && v->probed)
		r = buf_printf(out, "probed=%s\n", v->probed);
	if (r >= 0 && v->hint)
		r = buf_printf(out, "hint=%s\n", v->hint);
	return r;
}

static long long_or(const char *text, const char *key, long fallback)
{
	_cleanup_free_ char *v = kv_get(text, key);
	char *end;
	if (!v)
		return fallback;
	long n = strtol(v, &end, 10);
	return end != v && !*end ? n : fallback;
}

int accel_verdict_parse(const char *text, struct accel_verdict *ret)
{
	_cleanup_free_ char *accel = kv_get(text, "accel");
	struct accel_verdict v = {.kvm_ms = long_or(text, "kvm_ms", -1),
				  .tcg_ms = long_or(text, "tcg_ms", -1)};
	if (!accel || (!STREQ(accel, "kvm") && !STREQ(accel, "tcg")))
		return -EINVAL;
	v.accel = STREQ(accel, "kvm") ? ACCEL_KVM : ACCEL_TCG;
	v.reason = kv_get(text, "reason");
	v.probed = kv_get(text, "probed");
	v.hint = kv_get(text, "hint");
	if (!v.reason) {
		accel_verdict_free(&v);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

void accel_verdict_free(struct accel_verdict *v)
{
	free(v->reason);
	free(v->probed);
	free(v->hint);
	v->reason = v->probed = v->hint = NULL;
}

int accel_verdict_from_probes(const struct probe_result *kvm, const struct probe_result *tcg,
			      struct accel_verdict *ret)
{
	struct accel_verdict v = {.accel = ACCEL_TCG, .kvm_ms = -1, .tcg_ms = -1};
	int n;
	if (tcg && tcg->ok)
		v.tcg_ms = tcg->ms;
	if (!kvm->ok) {
		n = asprintf(&v.reason, "KVM failed a probe boot on this host: %s",
			     kvm->failure ? kvm->failure : "no reason given");
	} else if (v.kvm_ms = kvm->ms, tcg && tcg->ok && kvm->ms > tcg->ms) {
		n = asprintf(&v.reason, "KVM booted the probe in %ld ms, slower than TCG's %ld ms",
			     kvm->ms, tcg->ms);
	} else {
		v.accel = ACCEL_KVM;
		if (tcg && tcg->ok)
			n = asprintf(&v.reason, "KVM booted the probe in %ld ms (TCG %ld ms)",
				     kvm->ms, tcg->ms);
		else
			n = asprintf(&v.reason, "KVM booted the probe in %ld ms", kvm->ms);
	}
	if (n < 0)
		return -ENOMEM;
	*ret = v;
	return 0;
}

int accel_verdict_denied(const char *device, const char *group, bool group_rw,
			 struct accel_verdict *ret)
{
	struct accel_verdict v = {.accel = ACCEL_TCG, .kvm_ms = -1, .tcg_ms = -1};
	int n = asprintf(&v.reason, "%s is there but this user may not open it", device);
	if (n >= 0 && group_rw && group && !STREQ(group, "root"))
		n = asprintf(&v.hint, "to use KVM: sudo adduser $USER %s, then log in again",
			     group);
	else if (n >= 0)
		/* Root's alone (a host without Debian's udev rule for it): the group comes first.
		 */
		n = asprintf(
			&v.hint,
			"to use KVM, let group kvm open it (sudo chown root:kvm %s; sudo chmod "
			"660 %s) and join that group (sudo adduser $USER kvm, then log in again)",
			device, device);
	if (n < 0) {
		accel_verdict_free(&v);
		return -ENOMEM;
	}
	*ret = v;
	return 0;
}

int accel_notice(const struct accel_verdict *v, struct buf *out)
{
	if (v->accel == ACCEL_KVM)
		return 0;
	if (v->hint)
		return buf_printf(out, "quiz: using TCG (slow): %s; %s\n", v->reason, v->hint);
	return buf_printf(out,
			  "quiz: using TCG (slow): %s; QUIZ_ACCEL=kvm forces KVM, quiz --doctor "
			  "tells more\n",
			  v->reason ? v->reason : "KVM is not usable");
}

int accel_probe_argv(const char *qemu, const struct arch *a, const char *kernel_image,
		     enum accel accel, unsigned long tsc_khz, unsigned hz, struct strv *ret)
{
	struct qemu_plan plan = {
		.arch = a, .kvm = accel == ACCEL_KVM, .tsc_khz = tsc_khz, .hz = hz};
	_cleanup_buf_ struct buf cmdline = {0};
	_cleanup_strv_ struct strv v = {0};
	int r = kernel_cmdline_build(&plan, &cmdline);
	if (r < 0)
		return r;
	const char *const args[] = {
		qemu,
		"-M",
		a->machine,
		"-accel",
		accel_name(accel),
		"-cpu",
		accel == ACCEL_KVM ? a->kvm_cpu : a->tcg_cpu,
		"-nodefaults",
		"-no-user-config",
		"-display",
		"none",
		"-no-reboot",
		"-m",
		"256M",
		"-smp",
		"1",
		"-kernel",
		kernel_image,
		"-append",
		cmdline.data,
		"-serial",
		"stdio",
	};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(args); i++)
		r = strv_push(&v, args[i]);
	if (r < 0)
		return r;
	*ret = v;
	v = (struct strv){0};
	return 0;
}

bool accel_probe_console_ok(const char *console)
{
	/* No disk: the kernel ran every initcall, then found no root. That is the whole boot. */
	return console && strstr(console, "Kernel panic") &&
	       strstr(console, "Unable to mount root fs");
}

int accel_failure_text(const char *line, bool aborted, struct buf *out)
{
	size_t len = strcspn(line, "\n");
	/* "qemu-system-x86_64: error: failed to set MSR ..." → "failed to set MSR ..." */
	const char *colon = memchr(line, ':', len);
	if (colon && colon[1] == ' ' && !memchr(line, ' ', (size_t)(colon - line))) {
		len -= (size_t)(colon + 2 - line);
		line = colon + 2;
	}
	if (len > 7 && strncmp(line, "error: ", 7) == 0) {
		line += 7;
		len -= 7;
	}
	return buf_printf(out, "%s%.*s", aborted ? "QEMU aborted: " : "", (int)len, line);
}

const char *accel_kvm_failure(const char *qemu_stderr)
{
	static const char *const signs[] = {
		"KVM internal error",	    "failed to set MSR", "kvm_buf_set_msrs",
		"KVM_RUN failed",	    "kvm run failed",	 "Failed to initialize kvm",
		"failed to initialize kvm", "KVM_CREATE_VM",
	};
	for (size_t i = 0; qemu_stderr && i < ELEMENTSOF(signs); i++) {
		const char *hit = strstr(qemu_stderr, signs[i]);
		if (!hit)
			continue;
		while (hit > qemu_stderr && hit[-1] != '\n')
			hit--;
		return hit;
	}
	return NULL;
}
