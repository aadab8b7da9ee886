/* SPDX-License-Identifier: MIT */
/* --dmesg: the kernel log records of one stretch of the run, formatted like dmesg. */
#pragma once

/* Start reading at the log's current end; -errno if /dev/kmsg cannot be opened. */
int kmsg_capture_start(void);
/* Write every record since the start to fd as "[ seconds] message" lines, then stop. */
void kmsg_capture_finish(int capture_fd, int out_fd);
