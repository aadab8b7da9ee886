/* SPDX-License-Identifier: MIT */
/* The accelerator on this host: /dev/kvm access, the verdict cache, probe boots. */
#pragma once

#include "accel.h"

struct accel_request {
	const char *mode;	  /* QUIZ_ACCEL's value, NULL when unset */
	const char *home;	  /* cache root: verdicts live in home/accel/KEY */
	const char *qemu;	  /* QEMU binary, a name looked up in PATH or a path */
	const struct arch *arch;  /* the host's: what the probe boots */
	const char *kernel_image; /* a quiz kernel to probe with; NULL: no probe possible */
	unsigned long tsc_khz;	  /* TCG timing words for the TCG probe (0: none) */
	unsigned hz;
	bool force_probe; /* probe even when a verdict is cached (--doctor) */
};

struct accel_choice {
	enum accel accel;
	char *why;		      /* one line, for -v and --doctor */
	struct accel_verdict verdict; /* when it came from a probe or the cache */
	bool probed_now;	      /* a fresh verdict: say it once when it is not KVM */
	char *cache_file;	      /* the verdict's file, NULL when there is none */
};

/* Decide for this run. Probes (bounded by ACCEL_PROBE_TIMEOUT_MS per boot) only in auto mode,
 * with a /dev/kvm that opens and no cached verdict. -EINVAL bad QUIZ_ACCEL, -ENODEV
 * QUIZ_ACCEL=kvm without a usable /dev/kvm; *ret_error says it in one line. */
int accel_choose(const struct accel_request *req, struct accel_choice *ret, char **ret_error);
void accel_choice_free(struct accel_choice *c);
/* A run met a KVM failure the probe did not: drop the verdict so the next run probes again. */
int accel_forget(const char *cache_file);

/* One probe boot of argv (accel_probe_argv): its time, or why it failed. -errno only when it
 * could not be started at all. */
int accel_probe(char *const *argv, struct probe_result *ret);
void probe_result_free(struct probe_result *r);

/* /dev/kvm, or QUIZ_KVM_DEVICE (a test seam), and whether this user may open it. */
const char *kvm_device(void);
enum kvm_access kvm_access_check(int *ret_errno);
/* The QEMU binary's absolute path (PATH lookup for a bare name); NULL when not found. */
char *qemu_binary_path(const char *qemu);
/* What makes a verdict (or a saved VM state) stale: the host kernel, the QEMU binary, the CPU. */
int host_identity(const char *qemu, char **ret_kernel, char **ret_qemu, char **ret_cpu);
int accel_cache_path(const char *home, const char *qemu, enum kvm_access access, char **ret);
