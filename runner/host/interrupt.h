/* SPDX-License-Identifier: MIT */
/* Stop signals during a run's set-up: noted by a handler, and blocking calls end with EINTR. */
#pragma once

#include <sys/types.h>

/*
 * From interrupt_begin() to interrupt_end(), SIGINT, SIGTERM, SIGHUP and SIGQUIT are caught:
 * the first is noted, and any blocking call (an open() of a FIFO, a wait for a hook) fails
 * with EINTR, also one that started just after the signal, since a timer nudges every 20 ms
 * from then on. interrupt_end() blocks them again (later ones stay pending for the VM relay's
 * signalfd) and says which came, 0 if none.
 */
int interrupt_begin(void);
int interrupt_end(void);
/* The stop signal noted since interrupt_begin(), or 0. */
int interrupt_requested(void);

/*
 * Wait for a child that leads its own process group. On a stop signal (see above) its group
 * gets SIGTERM, then SIGKILL after 2 s, it is reaped and -EINTR returned.
 */
int child_wait(pid_t pid, int *ret_status);

/*
 * fork() for a child that leads its own process group and goes, with everything it started,
 * when quiz dies, even by SIGKILL (a hook's shell would die alone and leave its children). The
 * group's leader is a keeper between quiz and the child: it exits with the child's status (128+S
 * when a signal S killed it) and kills the whole group once quiz is gone. Returns as fork()
 * does: the keeper's pid in quiz (wait for it with child_wait, signal its group), 0 in the
 * child, which goes on to exec (with the stop signals and SIGCHLD blocked: child_reset_signals
 * first); -errno.
 */
pid_t fork_group_child(void);
