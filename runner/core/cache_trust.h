/* SPDX-License-Identifier: MIT */
/*
 * Whether quiz may read back what lies in its cache: a saved VM state, its console, an accelerator
 * verdict are restored as quiz's own, so a folder or a file that another user owns or may write
 * to is not trusted (on a cache shared by a group, one of them could have planted it). Pure.
 */
/* Host half: host/cache_trust_host.c. */
#pragma once

#include <stdbool.h>

#include "buf.h"

/* What fstat said of a folder or a file (opened with O_NOFOLLOW: a link never gets here). */
struct cache_entry {
	const char *path;    /* as shown to the user, in the fix */
	const char *subject; /* what the clause calls it: "it" (the folder named before), a path */
	bool folder;	     /* expected: a folder (else a regular file) */
	bool is_folder, is_regular;
	unsigned long owner; /* st_uid */
	unsigned mode;	     /* st_mode */
};

/*
 * 0 when e can be trusted by the user me (geteuid()): the kind expected, owned by me, not
 * writable by its group or others. Else -EPERM and *why, one clause with its fix, as in "it is
 * writable by others (mode 0775); make it private: chmod 700 PATH" (the caller says what was
 * ignored before it).
 */
int cache_trust_check(const struct cache_entry *e, unsigned long me, struct buf *why);
