/* SPDX-License-Identifier: MIT */
/* -K on a kernel source tree: quiz-kernel builds it (a no-op when it is current) into the cache. */
#pragma once

#include <stdbool.h>

#include "arch.h"

/* Is path a kernel source tree without a boot image of arch a (never built in place)? */
bool kernel_tree_is_source(const char *path, const struct arch *a);
/*
 * quiz-kernel build --again TREE: the tree's kernel built with its last build's options, or
 * found current. Its progress goes to stderr. The release it published in *ret_release;
 * -EIO when the build failed (it said why), -EINTR when stopped.
 */
int kernel_tree_build(const char *tree, const struct arch *a, char **ret_release);
