/* SPDX-License-Identifier: MIT */
/* quiz-kernel's side of the cache: a kernel's size on disk, removing one no run is using. */
#pragma once

#include "arch.h"

/* The disk space a folder tree takes (blocks, each file once however many links it has, not
 * across mounts): what du -s says. */
int tree_disk_usage(const char *path, unsigned long long *ret_bytes);

/* quiz-kernel remove: the kernel a selector names, refused while a run holds it (its shared
 * lock, see struct kernel). Logs and prints; returns the exit status. */
int kernel_remove(const char *home, const struct arch *a, const char *selector);
