/* SPDX-License-Identifier: MIT */
/*
 * Saved VM states: a guest parked before its first 9p mount (guest-init/park.c), saved once
 * with QEMU's migration and restored by later runs of the same kernel, image, QEMU and device
 * layout instead of a cold boot.
 */
/* Host half: host/vmstate_host.c. */
#pragma once

#include <stdbool.h>

#include "arch.h"
#include "buf.h"
#include "macro.h"

/* What the host does when the guest says it is parked (guest-init/park.c). */
enum vm_park {
	VM_PARK_GO,	 /* a cold boot: the go at once */
	VM_PARK_SAVE,	 /* save the parked VM's state (vm_options.state_save), then the go */
	VM_PARK_RESTORE, /* argv restores a saved state (-incoming): the go once it runs */
};

/* Bumped when what a state holds or how quiz uses it changes: older states are not restored. */
#define VMSTATE_FORMAT 1
/* A restoring QEMU reads the state from this descriptor (-incoming fd:N): no shell, no cat. */
#define VMSTATE_INCOMING_FD 3
#define VMSTATE_INCOMING "fd:" STRINGIFY(VMSTATE_INCOMING_FD)
/* The most states kept (about 55 MiB each): a new save removes the least recently used. */
#define VMSTATE_KEEP 12

/*
 * The slot of a QEMU argv: 16 hex digits of a hash of every word, the host paths of its 9p
 * shares left out (they are per run, and the parked guest has mounted none). Pure.
 */
void vmstate_slot(char *const *argv, char ret[17]);
/* The identity of what the state was made from (kernel, image, QEMU, host), as a hash. Pure. */
void vmstate_identity(const char *const *parts, size_t n, char ret[17]);

/* argv, restoring a state from VMSTATE_INCOMING_FD (-incoming). Pure. */
int vmstate_restore_argv(char *const *argv, struct strv *ret);

/* Why a run boots cold, or NULL when it may use a saved state. Pure. */
struct vmstate_case {
	const struct arch *arch;
	bool cold;	     /* --cold, QUIZ_COLD=1 */
	size_t n_extra_args; /* QEMU arguments of profiles, hooks and the user: disks, gdb... */
};
const char *vmstate_cold_reason(const struct vmstate_case *c);

/* What the cache holds for a run's slot, as the host found it. */
struct vmstate_facts {
	const char *cold_reason; /* vmstate_cold_reason's, or why the slot has no key: cold */
	int folder;		 /* states/: 0, -EPERM (not private), another -errno */
	int saved; /* the slot's state: 0 there and trusted, -ENOENT, -EPERM, -ENOMEM */
	bool seen; /* the slot ran before (its .seen marker) */
};
/*
 * Restore the slot's state, save one (the slot's second run), or boot cold, and why: a cold
 * reason forced, a folder not private or not there, an untrusted state, the slot's first run
 * (a kernel run once, a bisect step, would pay ~0.4 s under TCG for a save nothing restores).
 * *ret_reason: VM_PARK_GO's why, else NULL. Pure.
 */
enum vm_park vmstate_choose(const struct vmstate_facts *f, const char **ret_reason);
#define VMSTATE_FIRST_RUN "the first run of this kernel and layout (the next one saves its state)"

/* How a start from the park point went, as the host saw it. */
struct vmstate_start {
	enum vm_park park;
	bool resumed;	  /* the guest said STATUS_RESUMED: it went past the park point */
	bool no_status;	  /* QEMU ended without a status (not -t, a signal, a failed output) */
	bool guest_error; /* the guest reported an error status */
};
/*
 * The guest stopped at the park point and said why: an error status before STATUS_RESUMED
 * (contract.h STATUS_UNSEEDED). A state it was saved from is not kept. Pure.
 */
bool vmstate_start_refused(const struct vmstate_start *s);
/*
 * A restore that nothing of the run came after, to be booted again, cold, without the state:
 * QEMU could not load the state (it ended without a status), or the guest refused to go on from
 * it. Pure.
 */
bool vmstate_boot_cold_again(const struct vmstate_start *s);
