/* SPDX-License-Identifier: MIT */
/* The guest image: found in the cache, its init1 refreshed when quiz's own is newer. */
#pragma once

#include "paths.h"

#define IMAGE_SUITE "bookworm"

/* *ret_path: the image to boot. Logs and returns -errno when there is none. */
int image_prepare(const struct quiz_paths *p, char **ret_path);
