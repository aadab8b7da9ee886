/* SPDX-License-Identifier: MIT */
/* Where things are: the cache root, the guest binaries, the shipped data (scripts, profiles). */
#pragma once

#include <stddef.h>

struct quiz_paths {
	char *home;    /* cache root: kernels/, images/, runs/ */
	char *libexec; /* quiz-init (the guest image's init) and quiz-init.sha256 */
	char *data;    /* scripts/, kconfig/, profiles/, image/ */
};

int paths_init(struct quiz_paths *ret);
void paths_free(struct quiz_paths *p);

/* Value of "key=" in a key=value file's text, malloc'd; NULL if absent. */
char *kv_get(const char *text, const char *key);
