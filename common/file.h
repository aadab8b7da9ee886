/* SPDX-License-Identifier: MIT */
/* Whole files in and out (I/O: not part of the pure core). */
#pragma once

#include <stddef.h>

#include "buf.h"

/* All of data to fd (EINTR retried): 0 or -errno. */
int write_all(int fd, const void *data, size_t len);
/* A whole file into a NUL-terminated malloc'd buffer; ret_size (may be NULL) gets its length. */
int read_file(const char *path, char **ret_data, size_t *ret_size);
