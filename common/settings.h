/* SPDX-License-Identifier: MIT */
/*
 * The run's settings for the guest, typed: the host fills a struct run_settings and encodes it
 * into the run layer's contract file (contract.h's records); the guest decodes the file back.
 * Only settings.c knows the records' keys. Pure: no I/O.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* How the program meets its terminal. */
enum guest_mode {
	GUEST_MODE_RAW,	 /* stdio on the virtio-serial ports */
	GUEST_MODE_TMUX, /* a tmux session on the virtio console, sized like the host's */
};

/*
 * What "absent" means is the zero value of each field: a zeroed struct is a run of an
 * interactive shell in /root, raw mode, no layers, hooks or options. The lists keep their order.
 */
struct run_settings {
	struct strv args;    /* the program's argv; empty: an interactive shell */
	struct strv env;     /* VAR=VALUE for the program, after quiz's own */
	struct strv layers;  /* lower layer tags after "run", top first: user, system */
	struct strv hooks;   /* profiles with a guest hook, in the order they run */
	struct strv options; /* PROFILE.OPTION=VALUE, for that profile's guest hook */
	char *cwd;	     /* host directory shown at the same path, the program runs there;
				NULL: not shown, the program runs in /root */
	bool cwd_image;	     /* cwd from the packed image (the disk TREE_SERIAL, the changes
				since the pack in GUEST_TREE_DELTA and GUEST_TREE_GONE), not 9p */
	char *kernel;	     /* release of the booted kernel; NULL: QUIZ_KERNEL is empty */
	char *profiles;	     /* comma-separated profile names, as applied; NULL: QUIZ_PROFILES is
				empty */
	char *term;	     /* TERM for the program (tmux mode); NULL: none set */
	enum guest_mode mode;
	bool shared;	     /* a read-write host folder at /shared */
	bool shell;	     /* a shell after the program */
	bool dmesg;	     /* the run's kernel log on stderr after it */
	bool coverage;	     /* gcov's counters zeroed before the program, copied into the share
				TAG_COVERAGE after it (guest-init/coverage.h) */
	bool verbose;	     /* -v: guest hooks say what they set up (QUIZ_VERBOSE=1) */
	bool attach;	     /* the attach port is there: the guest starts its agent */
	unsigned rows, cols; /* the host terminal's size (tmux mode), 1..65535; 0: not given */
};

/* A terminal's size when none is known: the host's fallback, the guest's when none was given. */
#define SETTINGS_DEFAULT_ROWS 24
#define SETTINGS_DEFAULT_COLS 80

/*
 * The contract file's bytes for s, into *ret (a fresh buffer; untouched on failure). -EINVAL
 * when s holds what the decoder would refuse (a size over 65535, a mode out of range, a layer or
 * hook that is not a plain name).
 */
int run_settings_encode(const struct run_settings *s, struct buf *ret);

/*
 * Fill *ret (untouched on failure) from a contract file's bytes. -EINVAL on a malformed record,
 * an unknown key, a repeated single-valued key, a flag other than "1", a size that is not a
 * number from 1 to 65535, a mode other than raw or tmux, a layer or hook that is not a plain
 * name (letters, digits, '-', '_': they become guest paths); -ENOMEM.
 */
int run_settings_decode(const char *data, size_t size, struct run_settings *ret);

void run_settings_free(struct run_settings *s);
static inline void run_settings_freep(struct run_settings *s)
{
	run_settings_free(s);
}
#define _cleanup_run_settings_ _cleanup_(run_settings_freep)
