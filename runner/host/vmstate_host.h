/* SPDX-License-Identifier: MIT */
/* Saved VM states in the cache (home/states): which one a run uses, and keeping them. */
#pragma once

#include "buf.h"
#include "vmstate.h"

/* A run's plan: restore the slot's state, or boot cold and save one, or boot cold only. */
struct vmstate {
	enum vm_park park;
	char *dir;     /* home/states */
	char *path;    /* the slot's state: SLOT-IDENTITY.state */
	char *console; /* the console of the boot that saved it: SLOT-IDENTITY.console */
	char *seen;    /* there once the slot ran: SLOT-IDENTITY.seen (its next run saves) */
	char *tmp;     /* VM_PARK_SAVE: written here, renamed to path once whole */
	char slot[17];
	const char *cold_reason; /* VM_PARK_GO: why */
};

struct vmstate_inputs {
	const char *home;
	const char *kernel_image;
	const char *root_image;
	const char *qemu;
	char *const *argv;
};
/* The plan for this run; -ENOMEM only (a state that cannot be looked at: a cold boot). */
int vmstate_plan(const struct vmstate_case *c, const struct vmstate_inputs *in,
		 struct vmstate *ret);
/*
 * VM_PARK_SAVE, the state saved: it becomes the slot's, with the first console_len bytes of the
 * run's console.log (in run_dir_fd), the boot that led to it; older ones of the slot go.
 */
int vmstate_commit(struct vmstate *st, int run_dir_fd, unsigned long long console_len);
/* A restored state was used: it is the most recently used one now (its mtime). */
void vmstate_used(const struct vmstate *st);
/* The state is not to be used: a save's part, or a state that did not restore. */
void vmstate_discard(struct vmstate *st);
void vmstate_free(struct vmstate *st);
