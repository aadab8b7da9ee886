/* SPDX-License-Identifier: MIT */
/* What run.c's stages share: the run as it is built up, and each stage. Not a public API. */
#pragma once

#include "guest_layout.h"
#include "run.h"
#include "run_dir.h"
#include "run_layer.h"
#include "tree_pack.h"
#include "vm.h"
#include "vmstate_host.h"

struct run {
	const struct run_context *c;
	const struct quiz_options *o;
	/* prepare */
	char *cwd; /* the real path of quiz's current directory */
	const struct arch *arch;
	struct kernel kernel;
	struct profile_set profiles;
	char *image;
	struct accel_choice accel;
	/* set up */
	struct run_dir dir;
	bool tmux;
	struct run_shares shares;
	struct tree_share tree; /* the current directory from a packed image, or over 9p */
	struct strv hook_args;	/* QEMU arguments the profiles' host hooks gave */
	size_t hook_cold;	/* of them, how many came from profiles without saved-state = yes */
	struct strv argv;	/* QEMU's */
	size_t extra_args;	/* of them, how many keep the run from saved VM states */
	/* boot */
	char *dump, *panic_dump; /* --dump's and --dump-on-panic's absolute paths */
	struct vmstate state;
	struct vm_result vm;
};

/*
 * Each stage returns 0 to go on, or the exit status the run ends with (it logged why); the
 * caller frees what the run holds (run_free), whatever a stage returned.
 */
int run_prepare(struct run *r);
int run_set_up(struct run *r);
void run_print_dry(const struct run *r);
void run_free(struct run *r);
/* What a removal left: a mount point is never entered, its contents are the user's. */
void run_log_left_behind(const char *what, const char *path, const char *left, int r);
/* The QEMU binary of the run's architecture (QUIZ_QEMU, else the table's). */
const char *run_qemu_binary(const struct run_env *env, const struct arch *a);
