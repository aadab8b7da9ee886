/* SPDX-License-Identifier: MIT */
/* The kernel's own verdict on a run: its reports (splats), a hang's listing, the memory dump. */
#pragma once

#include "decode_host.h"
#include "kernel_host.h"
#include "options.h"
#include "splat.h"
#include "vm.h"

#include "report.h"
#include "run_result.h"

/* quiz's exit status when the program passed and the kernel reported a splat (--splat=fail). */

struct verdict {
	char *console;		  /* console.log of the run, NUL-terminated ("" when none) */
	struct splat_list splats; /* every report the console held (vm_result's) */
	size_t n_allowed;	  /* of them, how many an allow pattern let pass */
	bool *allowed;		  /* per report */
};

/* Takes the run's reports (splats: the vm_result's, emptied) and reads console.log from the run
 * directory (a hang's listing is in it); allow: the --splat-allow and profile patterns (extended
 * regexes, checked before). 0 or -ENOMEM. */
int verdict_scan(int run_dir_fd, struct splat_list *splats, const struct strv *allow,
		 struct verdict *ret);
void verdict_free(struct verdict *v);

struct verdict_context {
	const struct quiz_options *o;
	const struct kernel *k;
	int run_dir_fd;
	struct decode_limits decode; /* a stop signal or -t ends the decoding at once */
};

/*
 * Says what the kernel reported: the reports (the first decoded by decode.h against the booted
 * kernel's vmlinux and modules), a timeout's blocked tasks, the dump, and, when decided says
 * the splat failed the run, why its status is EXIT_SPLAT.
 */
void verdict_explain(const struct verdict *v, const struct verdict_context *c,
		     const struct vm_result *res, const struct run_result *decided);
/* Does the kernel log hold something the report will show (outcome_explain then leaves out the
 * console's last lines)? */
bool verdict_shows_console(const struct verdict *v, const struct vm_result *res,
			   const struct quiz_options *o);

/* --dump FILE, --dump-on-panic FILE: FILE as an absolute path (QEMU writes it from the run
 * directory), in an existing folder quiz can write, and not a folder; -EINVAL after one line
 * that says what was wrong. */
int verdict_dump_path(const char *opt, const char *file, char **ret);
