/* SPDX-License-Identifier: MIT */
/* The running runs of this user: their info files written and found (quiz --ps, --attach). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "run_info.h"

/* The run's info file in its folder (dirfd), written whole or not at all. */
int run_info_write(int run_dir_fd, const char *arch, const char *release, char *const *program);

/* A run folder that a live quiz holds. */
struct live_run {
	char *name; /* its folder's suffix, "AelbQg" of run.AelbQg: --attach's RUN */
	struct run_info info;
};

/*
 * The live runs under home/runs (folders run.* whose lock a quiz holds, with an info file), in
 * the order of their start; none when there is no runs folder. 0 or -errno.
 */
int live_runs_find(const char *home, struct live_run **ret, size_t *ret_n);
void live_runs_free(struct live_run *runs, size_t n);

/* Whether the run folder dirfd is held by a live quiz (its lock is taken). */
bool run_dir_is_live(int dirfd);
