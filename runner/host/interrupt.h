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
