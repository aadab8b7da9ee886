/* SPDX-License-Identifier: MIT */
/* The guest's udev: systemd-udevd, started early in init2 and listening before the program. */
#pragma once

#include <sys/types.h>

/*
 * Starts systemd-udevd (--daemon) in the background; its pid, to give udev_wait(), or -1 when
 * the image has none or the kernel's words say quiz.udev=0. Needs /run, /sys and /dev mounted.
 */
pid_t udev_start(void);
/* Waits until the udevd started by udev_start(pid) listens (nothing for pid -1). */
void udev_wait(pid_t pid);
