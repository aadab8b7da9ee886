/* SPDX-License-Identifier: MIT */
/* The guest's udev: systemd-udevd, started beside the run (device nodes, /dev/mapper, db). */
#pragma once

/*
 * Starts systemd-udevd and then replays the block devices' "add" events, in the background: the
 * program does not wait for either. Nothing when the image has no udevd or the kernel's words
 * say quiz.udev=0. Needs /run, /sys and /dev mounted.
 */
void udev_start(void);
