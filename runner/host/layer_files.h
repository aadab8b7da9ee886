/* SPDX-License-Identifier: MIT */
/* Writing into the run layer without leaving it or writing through a link into the cache. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"

/*
 * Every path here is relative to root_fd (the run layer) and is walked one component at a time
 * with O_NOFOLLOW: a symlink on the way fails with -ELOOP, a file where a folder should be with
 * -ENOTDIR, and ".." with -EINVAL, so nothing outside the layer is ever touched. A file is
 * written by unlinking what is at its name first (a hard link into the kernel cache, a symlink)
 * and creating it anew with O_EXCL, never by truncating what is there.
 */

/* Open (with create: make, 0755) the folder rel below root_fd; "" is root_fd itself. */
int layer_open_dir(int root_fd, const char *rel, bool create, int *ret_fd);
int layer_mkdir_p(int root_fd, const char *rel);
int layer_write_file(int root_fd, const char *rel, const void *data, size_t len, mode_t mode);
/* in: an open regular file (-EISDIR for a folder, -EINVAL for another kind); its bytes into
 * name in dir_fd, created anew with mode. */
int layer_copy_fd(int in, int dir_fd, const char *name, mode_t mode);
/* src is a host path (followed as given); it must be a regular file (-EISDIR for a folder). */
int layer_copy_file(const char *src, int root_fd, const char *rel, mode_t mode);
/*
 * Copy the tree at the host folder from (files, folders, symlinks; nothing else) into the layer
 * folder to. With hardlink, files are hard-linked where the kernel allows it. On failure
 * *ret_where (may be NULL) gets the entry's path relative to from ("data/x").
 */
int layer_copy_tree(const char *from, int root_fd, const char *to, bool hardlink, char **ret_where);
