/* SPDX-License-Identifier: MIT */
/* The big current directory's walk, and the run layer's copy of what changed since its pack. */
#pragma once

#include <stddef.h>

#include "tree_diff.h"

/*
 * Every entry below root (a folder's fd), lstat'ed, in walk order, into *ret. -E2BIG once
 * there are more than limit; -errno for a folder that cannot be read or an entry that cannot
 * be lstat'ed, its path (relative) in *ret_where.
 */
int tree_walk(int root_fd, size_t limit, struct tree_list *ret, char **ret_where);

/*
 * The changed entries of now (d->changed) at their paths below to_fd, with the folders on their
 * way, each folder's mode and times (and owner, as root) the tree's: files hard-linked where
 * the kernel allows it, else copied (-EFBIG once the copies pass max_copy bytes), symlinks
 * and FIFOs made anew. -errno (a device node as another user than root: -EPERM) when one
 * cannot be made; its path in *ret_where.
 */
int tree_delta_write(int root_fd, const struct tree_list *now, const struct tree_diff *d, int to_fd,
		     unsigned long long max_copy, char **ret_where);
