/* SPDX-License-Identifier: MIT */
/*
 * One run of a program in a VM, as a library call, in five stages (run.c reads like the list):
 * prepare (run_prepare.c: the inputs, the kernel, profiles, image and accelerator), set up
 * (run_setup.c: the run folder, its layer, the profiles' hooks, QEMU's argv), boot (a saved VM
 * state or a cold boot, and the relay), judge (the program's status and the kernel's verdict
 * into a struct run_result, decided by core/run_decision.c), finish (timings, the folder). main
 * calls it once, the matrix once per entry in a child.
 */
#pragma once

#include <stdbool.h>

#include "accel_host.h"
#include "kernel_host.h"
#include "options.h"
#include "paths.h"
#include "profile_host.h"
#include "run_result.h"

/* The environment variables that act like options, read once (run_env_read). */
struct run_env {
	const char *qemu;  /* QUIZ_QEMU: the QEMU binary; NULL: the architecture's */
	const char *accel; /* QUIZ_ACCEL: auto, kvm or tcg; NULL: auto */
	bool cold;	   /* QUIZ_COLD set and not "0": every run boots cold */
	bool no_attach;	   /* QUIZ_NO_ATTACH set and not "0": no attach port (bench-boot) */
};
void run_env_read(struct run_env *ret);

/* What every run of one quiz shares. */
struct run_context {
	const struct quiz_paths *paths;
	struct profile_catalog *catalog;
	struct run_env env;
	long long started_ms; /* when quiz started (now_ms), for --timings */
};

/*
 * Runs o's program (a shell without one) and returns quiz's exit status for it, the same as
 * ret->exit_status: *ret is the run's typed result (run_result_free it), also for a run that
 * never booted (RUN_END_FAILED; the reason was logged).
 */
int run_program(const struct run_context *c, const struct quiz_options *o, struct run_result *ret);

/* -a: one architecture from the table; the host's when not given. Logs what is wrong. */
const struct arch *run_find_arch(const char *name);
/*
 * KVM only where a probe boot proved it (cached per host); the first run on a host pays for
 * the probe (probe: may boot one). Logs what is wrong; 0 or -errno.
 */
int run_choose_accel(const struct run_context *c, const struct kernel *k, bool probe,
		     struct accel_choice *ret);

/* Whether DIR's filesystem keeps user xattrs (--shared's mapped-xattr): 0, or -errno of the
 * probe (EOPNOTSUPP: it keeps none). */
int run_xattrs_work(const char *dir);
