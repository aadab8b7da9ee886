/* SPDX-License-Identifier: MIT */
/* The per-run directory: sockets, logs and the run layer; removed whole at the end. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct run_dir {
	char *path;
	int fd;
};
#define RUN_DIR_INIT                                                                               \
	{                                                                                          \
		.path = NULL, .fd = -1                                                             \
	}

/* mkdtemp under home/runs; concurrent runs never share one. */
int run_dir_create(const char *home, struct run_dir *ret);
/* Remove the directory and everything in it; safe to call on an empty struct. */
void run_dir_remove(struct run_dir *d);
void run_dir_close(struct run_dir *d);

int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode);
int copy_file_at(const char *src, int dirfd, const char *dst, mode_t mode);
int mkdir_p_at(int dirfd, const char *path);
int remove_tree(const char *path);
/* Copy a tree (files, folders, symlinks) into to_fd/to; hardlink files where it can. */
int copy_tree(const char *from, int to_fd, const char *to, bool hardlink);
