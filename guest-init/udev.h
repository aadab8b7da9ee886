/* SPDX-License-Identifier: MIT */
/* The guest's udev: systemd-udevd, started by the first tool that needs it. */
#pragma once

#include <stdbool.h>

/*
 * Puts the tools that need udev (dmsetup, cryptsetup, LVM's commands, udevadm) behind quiz-init
 * in /usr/local/sbin, first in the guest's PATH: nothing when the image has no udevd or the
 * kernel's words say quiz.udev=0. Needs /run and /proc.
 */
void udev_links(void);
/* Whether argv0 names one of those tools: quiz-init runs as that tool (udev_tool_main). */
bool udev_tool_named(const char *argv0);
/* Starts udevd unless it listens already, waits until it does, then runs the real tool. */
int udev_tool_main(int argc, char **argv);
