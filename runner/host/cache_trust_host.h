/* SPDX-License-Identifier: MIT */
/*
 * The cache's folders whose files quiz reads back as its own (saved VM states, accelerator
 * verdicts): private (0700, files 0600), opened without following links, and ignored with one
 * line on stderr when another user owns them or may write to them (core/cache_trust.h).
 */
#pragma once

#include <stddef.h>

/*
 * path, made (0700) when missing, opened O_DIRECTORY|O_NOFOLLOW into *ret_fd. -EPERM when it
 * is not to be trusted: "quiz: WHAT in PATH ignored: WHY" said on stderr first. Other -errno
 * (it cannot be made or opened) are the caller's to say or not.
 */
int cache_dir_open(const char *path, const char *what, int *ret_fd);
/*
 * name in the folder dir_fd (path dir), opened O_RDONLY|O_NOFOLLOW into *ret_fd, checked on
 * that descriptor (no check-then-open race): -EPERM as cache_dir_open's (one line) when it is
 * not a regular file of the user's that only they may write, -ENOENT when it is not there.
 */
int cache_file_open(int dir_fd, const char *dir, const char *name, const char *what, int *ret_fd);
/* The same, its whole content into a NUL-terminated malloc'd *ret (length in *ret_len, may be
 * NULL). */
int cache_file_read(int dir_fd, const char *dir, const char *name, const char *what, char **ret,
		    size_t *ret_len);
