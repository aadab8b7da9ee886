/* SPDX-License-Identifier: MIT */
/* The signals quiz handles itself, and the clean state its exec'd children start from. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT (and SIGCHLD when asked): what ends a run early. */
void stop_signals(sigset_t *ret, bool with_sigchld);

/*
 * In a child just forked from parent: sig (SIGKILL, or SIGTERM for one that cleans up after
 * itself) once the parent dies, even by SIGKILL. -ESRCH when the parent died already, between
 * the fork and this: the child is to _exit at once.
 */
int child_die_with_parent(pid_t parent, int sig);

/* In a child about to exec: no blocked signals, default SIGPIPE (quiz ignores it). */
void child_reset_signals(void);

/*
 * In a child about to exec, once 0, 1 and 2 are what it needs: every other descriptor closed,
 * quiz's own and those quiz inherited from its parent, so none leaks into QEMU or a hook.
 */
void child_close_fds(void);
/* The same, keeping first - 1 and below (a descriptor the child hands on at a known number). */
void child_close_fds_from(int first);
