/* SPDX-License-Identifier: MIT */
/* Saved VM states in the cache (home/states): which one a run uses, and keeping them. */
#pragma once

#include "buf.h"
#include "vmstate.h"

/*
 * A run's plan: restore the slot's state, or boot cold and save one, or boot cold only. The
 * folder and the files are opened once, checked on their descriptors (cache_trust_host.h), and used
 * through them: nothing is opened again by name, no link is followed.
 */
struct vmstate {
	enum vm_park park;
	char *dir;    /* home/states */
	int dir_fd;   /* that folder, private and the user's; -1: not used */
	char *name;   /* SLOT-IDENTITY: the slot's files are NAME.state, NAME.console, NAME.seen */
	char *path;   /* dir/NAME.state, for messages */
	int state_fd; /* RESTORE: the state (read-only); SAVE: the new file QEMU writes it into */
	char *tmp; /* SAVE: that file's name in dir (NAME.state.RANDOM.tmp), renamed when whole */
	char *console; /* RESTORE: the console of the boot that saved it (NAME.console) */
	size_t console_len;
	char slot[17];
	const char *cold_reason; /* VM_PARK_GO: why */
};
#define VMSTATE_INIT                                                                               \
	{                                                                                          \
		.park = VM_PARK_GO, .dir_fd = -1, .state_fd = -1                                   \
	}

struct vmstate_inputs {
	const char *home;
	const char *kernel_image;
	const char *root_image;
	const char *qemu;
	char *const *argv;
};
/*
 * The plan for this run; -ENOMEM only (a state that cannot be looked at: a cold boot). A states
 * folder or a state that another user owns or may write to is ignored, with one line on stderr:
 * a cold boot.
 */
int vmstate_plan(const struct vmstate_case *c, const struct vmstate_inputs *in,
		 struct vmstate *ret);
/*
 * VM_PARK_SAVE, the state saved: it becomes the slot's, with the first console_len bytes of the
 * run's console.log (in run_dir_fd), the boot that led to it; older ones of the slot go. A boot
 * whose console holds a kernel report (a WARN, an RCU stall...) is not kept: every run restoring
 * it would report it as its own. -ECANCELED then, and *ret_report names the report's kind.
 */
int vmstate_commit(struct vmstate *st, int run_dir_fd, unsigned long long console_len,
		   const char **ret_report);
/* A restored state was used: it is the most recently used one now (its mtime). */
void vmstate_used(const struct vmstate *st);
/* The state is not to be used: a save's part, or a state that did not restore. */
void vmstate_discard(struct vmstate *st);
void vmstate_free(struct vmstate *st);
