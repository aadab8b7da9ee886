/* SPDX-License-Identifier: MIT */
/* --dmesg: the kernel log records of one stretch of the run, formatted like dmesg. */
#pragma once

#include "buf.h"

/* Start reading at the log's current end; -errno if /dev/kmsg cannot be opened. */
int kmsg_capture_start(void);
/* Every record since the start as "[ seconds] message" lines appended to out, then stop. */
void kmsg_capture_finish(int capture_fd, struct buf *out);

/*
 * A stuck run, before the host stops it: blocked tasks (sysrq w) and every CPU's backtrace
 * (sysrq l) on the console, at a console level that lets their lines through, then SYSRQ_DONE.
 */
void kmsg_show_stuck(void);
