/* SPDX-License-Identifier: MIT */
/* Removing a folder tree without ever leaving its mount (a bind mount inside stays whole). */
#pragma once

/*
 * Remove path and everything below it, walking with openat/unlinkat and O_NOFOLLOW. A folder
 * on another mount than path's own (a bind mount or any other mount left inside) is neither
 * entered nor removed, and neither is path itself when it is a mount point: -EBUSY then, and
 * *ret_left (may be NULL) names the first thing that stayed; other failures give their -errno
 * (and *ret_left) after removing what could be. A missing path is 0.
 */
int remove_tree(const char *path, char **ret_left);

/* The same for name in parent_fd; shown is how messages name it (its path, for *ret_left). */
int remove_tree_at(int parent_fd, const char *name, const char *shown, char **ret_left);
