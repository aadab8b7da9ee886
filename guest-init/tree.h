/* SPDX-License-Identifier: MIT */
/* The current directory from its packed image (runner/host/tree_pack.h), in the guest. */
#pragma once

/*
 * Mount the disk TREE_SERIAL read-only at base, and write into lowerdir the overlay's lower
 * layers: the run layer's GUEST_TREE_DELTA (when there is one) over base.
 */
int tree_mount_base(const char *base, struct buf *lowerdir);

/* Remove, through the mounted overlay at cwd, what GUEST_TREE_GONE names. */
int tree_remove_gone(const char *cwd);
