/* SPDX-License-Identifier: MIT */
/* Which host folders the guest can show at their own path without covering its own system. */
/* Host half: host/run_layer.c (the run layer it plans). */
#pragma once

#include <stdbool.h>

/*
 * The host's current directory is shown in the guest at the same path, over the image. Not
 * when that would cover what the guest itself runs on: "/", any folder holding /usr/bin,
 * /usr/sbin, /usr/lib or /etc (so /usr itself), or anything in /dev, /proc, /sys, /run or
 * quiz's own /quiz. Pure.
 */
bool cwd_shareable(const char *cwd);
