/* SPDX-License-Identifier: MIT */
/*
 * Libraries the guest image lacks: its manifest (IMAGE.manifest, beside the image), the names a
 * library may have, the loader's "cannot open shared object file" in a guest's stream, and
 * dpkg-query's answer. Pure.
 */
/* Host half: host/libcheck_host.c (the files, the folders, dpkg-query, the messages). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "buf.h"

/* A manifest's longest line; a longer one is refused (the file is not one quiz wrote). */
#define LIBS_MANIFEST_LINE_MAX 4096
/* The longest library name quiz repeats; a longer one is not a name. */
#define LIB_NAME_MAX 200

/* A library's file name: ^[A-Za-z0-9._+-]{1,200}$ and not "." or "..". */
bool lib_name_valid(const char *s, size_t len);
/* A Debian package name: ^[a-z0-9][a-z0-9+.-]+$. */
bool package_name_valid(const char *s, size_t len);

struct libs_manifest {
	struct strv libs;     /* "lib NAME" lines */
	struct strv packages; /* "package NAME VERSION" lines: the names */
};

/*
 * Parse a manifest's text: "# comment", blank lines, "package NAME VERSION", "lib NAME"; other
 * words are skipped (a newer image's). A line past LIBS_MANIFEST_LINE_MAX, a NUL, or a bad
 * name is refused: -EBADMSG, with *ret_error saying which line. *ret is filled on success.
 */
int libs_manifest_parse(const char *text, size_t len, struct libs_manifest *ret, char **ret_error);
bool libs_manifest_has(const struct libs_manifest *m, const char *lib);
void libs_manifest_free(struct libs_manifest *m);

/*
 * A package list's text (image/NAME.list, a project's .quiz/image.list): one or more package names
 * a line, '#' starts a comment. A bad name is refused: -EBADMSG, *ret_error naming its line.
 */
int image_list_parse(const char *text, size_t len, struct strv *ret, char **ret_error);

/* The folders the loader searches, relative to a root ("usr/lib/x86_64-linux-gnu", "lib"...),
 * for architecture a. NULL-terminated strv in *ret. */
int libcheck_lib_dirs(const struct arch *a, struct strv *ret);

/*
 * The loader's "error while loading shared libraries: NAME: cannot open shared object file" in
 * a stream of guest bytes that comes in chunks: a bounded state machine, NAME kept only when
 * lib_name_valid, at most LOADER_WATCH_MAX different names.
 */
#define LOADER_WATCH_MAX 4
struct loader_watch {
	unsigned state; /* 0: the prefix, 1: the name, 2: the suffix */
	size_t at;	/* bytes of the prefix or suffix matched */
	char name[LIB_NAME_MAX + 1];
	size_t name_len;
	struct strv names;
};
void loader_watch_feed(struct loader_watch *w, const char *data, size_t len);
void loader_watch_free(struct loader_watch *w);

/*
 * dpkg-query -S's stdout for one path: "PKG[:ARCH][, PKG2...]: PATH" lines (diversions'
 * lines skipped). *ret gets the first package's name, without its architecture; -ENOENT when
 * no line names a valid one.
 */
int dpkg_owner_parse(const char *out, char **ret);
