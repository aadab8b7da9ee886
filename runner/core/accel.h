/* SPDX-License-Identifier: MIT */
/* Choosing the accelerator: KVM only once a probe boot proved it on this host, else TCG. */
/* Host half: host/accel_host.c. */
#pragma once

#include <stdbool.h>

#include "arch.h"
#include "buf.h"

enum accel { ACCEL_TCG, ACCEL_KVM };
enum accel_mode { ACCEL_MODE_AUTO, ACCEL_MODE_KVM, ACCEL_MODE_TCG };
/* What open("/dev/kvm", O_RDWR) said. */
enum kvm_access { KVM_ABSENT, KVM_DENIED, KVM_OPENS };

/* A probe boot past this is not "clearly fast": then TCG is timed too, to compare. */
#define ACCEL_KVM_CLEARLY_FAST_MS 300
/* A probe boot (kernel to its "no root" panic, then reboot) that takes longer has failed. */
#define ACCEL_PROBE_TIMEOUT_MS 10000

/* One probe boot: it reached the kernel's panic and QEMU exited, in ms; or why not. */
struct probe_result {
	bool ok;
	long ms;
	char *failure; /* !ok: one line, e.g. "QEMU aborted: failed to set MSR 0x10a to 0x69" */
};

/* The cached (or fresh) verdict for this host. */
struct accel_verdict {
	enum accel accel;
	char *reason;	     /* one line: why this accelerator */
	long kvm_ms, tcg_ms; /* probe times, -1 when not measured */
	char *probed;	     /* when (UTC, ISO 8601), NULL when unknown */
	char *hint;	     /* how to get KVM (a device the user may not open), or NULL */
};

/* QUIZ_ACCEL: NULL, "" or "auto", "kvm", "tcg"; -EINVAL for anything else. */
int accel_mode_parse(const char *value, enum accel_mode *ret);
const char *accel_name(enum accel a);

/*
 * The verdict cache's key: what makes a verdict stale (host kernel, QEMU binary, CPU, access
 * to /dev/kvm, the probe's own format). 16 hex digits of a 64-bit FNV-1a hash. Pure.
 */
void accel_cache_key(const char *host_kernel, const char *qemu_identity, const char *cpu,
		     enum kvm_access access, char ret[17]);

/* Verdict file: "key=value" lines. format never fails but on ENOMEM; parse -EINVAL if bad. */
int accel_verdict_format(const struct accel_verdict *v, struct buf *out);
int accel_verdict_parse(const char *text, struct accel_verdict *ret);
void accel_verdict_free(struct accel_verdict *v);

/*
 * The verdict from probes: kvm failed → TCG; kvm slower than a measured tcg → TCG; else KVM.
 * tcg may be NULL (not measured: KVM was clearly fast). Pure.
 */
int accel_verdict_from_probes(const struct probe_result *kvm, const struct probe_result *tcg,
			      struct accel_verdict *ret);

/*
 * The verdict without a probe, for a KVM device the user may not open; its hint depends on the
 * device: group (its group's name) and group_rw (that group may open it): join the group, or
 * first give group kvm the device. Pure.
 */
int accel_verdict_denied(const char *device, const char *group, bool group_rw,
			 struct accel_verdict *ret);

/* The one line said on stderr when a fresh verdict is not KVM; NULL-safe, ENOMEM only. */
int accel_notice(const struct accel_verdict *v, struct buf *out);

/*
 * The probe's QEMU argv: the quiz kernel with quiz's own boot words, no disk and no device, so
 * it boots to the kernel's "VFS: Unable to mount root fs" panic and reboots (QEMU -no-reboot
 * exits). tsc_khz/hz: the TCG timing words, 0 for none. Pure.
 */
int accel_probe_argv(const char *qemu, const struct arch *a, const char *kernel_image,
		     enum accel accel, unsigned long tsc_khz, unsigned hz, struct strv *ret);
/* Did the probe's console show the boot's end (the panic that means "reached mount root")? */
bool accel_probe_console_ok(const char *console);
/* A line of QEMU's stderr that means KVM cannot run this guest; NULL if none. Pure. */
/* That line for people: "QEMU aborted: failed to set MSR 0x10a to 0x69" (no program name). */
int accel_failure_text(const char *line, bool aborted, struct buf *out);
const char *accel_kvm_failure(const char *qemu_stderr);
