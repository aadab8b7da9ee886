/* SPDX-License-Identifier: MIT */
/* The per-run directory: sockets, logs and the run layer; removed whole at the end. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "remove_tree.h"

/* fd holds an exclusive flock on the folder for as long as the run lives. */
struct run_dir {
	char *path;
	int fd;
};
#define RUN_DIR_INIT                                                                               \
	{                                                                                          \
		.path = NULL, .fd = -1                                                             \
	}

/* mkdtemp under home/runs, locked; concurrent runs never share one. */
int run_dir_create(const char *home, struct run_dir *ret);
/* --keep: mark it so that no later quiz collects it once this one is gone. */
int run_dir_mark_kept(const struct run_dir *d);
/* Remove the directory (remove_tree: never below a mount point), then close it; safe to call
 * on an empty struct. -EBUSY and *ret_left (may be NULL) when something stayed. */
int run_dir_remove(struct run_dir *d, char **ret_left);
void run_dir_close(struct run_dir *d);
/*
 * Remove the run directories under home/runs that a crash or SIGKILL left: those whose lock no
 * process holds and that are not kept. Returns how many went, or the first failure's -errno
 * (-EBUSY: a mount point stayed; *ret_left, may be NULL, names it) after trying them all.
 */
int run_dirs_collect(const char *home, char **ret_left);

/* path and the folders above it that are missing, made with mode (less the umask): 0700 in the
 * cache, 0755 for the user's own folders (--results). */
int mkdir_p_at(int dirfd, const char *path, mode_t mode);
