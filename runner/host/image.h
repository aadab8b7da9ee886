/* SPDX-License-Identifier: MIT */
/* The guest image: found in the cache, its init1 refreshed when quiz's own is newer. */
#pragma once

#include "arch.h"
#include "paths.h"

/* home/images/SUITE-DEBIANARCH.ext2 */
int image_path(const char *home, const struct arch *a, char **ret);
/* The quiz-init of arch a that quiz has (libexec/quiz-init-ARCH, or the native quiz-init). */
int image_init1(const struct quiz_paths *p, const struct arch *a, char **ret);
/* *ret_path: the image of arch a to boot, its init1 refreshed when quiz's own differs. Logs
 * and returns -errno when there is none. */
int image_prepare(const struct quiz_paths *p, const struct arch *a, char **ret_path);
