/* SPDX-License-Identifier: MIT */
/* Whole files in and out (I/O: not part of the pure core). */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/*
 * A DIR of its own over the folder fd, which stays open (and keeps its offset): closedir()
 * closes only the copy. NULL and errno on failure.
 */
DIR *opendir_fd(int fd);

/* Is path dir itself or below it, as strings ("/" holds every absolute path)? Both should be
 * real paths: no "..", no doubled or trailing '/'. Pure. */
bool path_is_under(const char *path, const char *dir);
/* All of data to fd (EINTR retried): 0 or -errno. */
int write_all(int fd, const void *data, size_t len);
/* What is left to read of fd into a NUL-terminated malloc'd buffer (ret_size may be NULL). */
int read_fd(int fd, char **ret_data, size_t *ret_size);
/* A whole file into a NUL-terminated malloc'd buffer; ret_size (may be NULL) gets its length. */
int read_file(const char *path, char **ret_data, size_t *ret_size);

/*
 * A new file for writing beside path (dirfd-relative), named PATH.RANDOM.tmp, made with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode (less the umask): never a file or a link that was there
 * before. Returns its fd (O_CLOEXEC) and its name in *ret_name, or -errno.
 */
int file_create_beside(int dirfd, const char *path, mode_t mode, char **ret_name);
/*
 * data as dirfd/path, whole or not at all: written to file_create_beside's file, then renamed
 * over path (a link at path is replaced, never followed; concurrent writers: the last rename
 * wins). For the cache: mode 0600.
 */
int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode);
int write_file_replace(const char *path, const void *data, size_t len, mode_t mode);
/* A file the user named (--junit, --results): opened as given (links followed), truncated,
 * written; made 0644 less the umask. */
int write_file_follow(const char *path, const void *data, size_t len);
