/* SPDX-License-Identifier: MIT */
/* Where things are: the cache root, the guest binaries, the shipped data (tools, profiles). */
#pragma once

#include <stddef.h>

struct quiz_paths {
	char *home;    /* cache root: kernels/, images/, runs/ */
	char *libexec; /* quiz-init (the guest image's init) and quiz-init.sha256 */
	char *data;    /* kconfig/, profiles/, image/ */
	char *tools;   /* the helpers quiz-kernel-build and quiz-image (tools/) */
};

/* Installed, the folders are found from the executable's own prefix (PREFIX/bin/quiz gives
 * PREFIX/libexec/quiz and PREFIX/share/quiz, as meson's options said), so that a tree moved
 * or installed with DESTDIR still works; in the build tree, beside it and in the sources. */
int paths_init(struct quiz_paths *ret);
/* PREFIX/REL for an executable in PREFIX/BINDIR (exe_dir), malloc'd; REL itself when it is
 * absolute; -ENOENT when exe_dir does not end in /BINDIR (or BINDIR is absolute). */
int paths_from_prefix(const char *exe_dir, const char *bindir, const char *rel, char **ret);
void paths_free(struct quiz_paths *p);
