/* SPDX-License-Identifier: MIT */
/*
 * A big current directory packed into an image (host/tree_pack.c): what a walk of the tree
 * saw, the manifest that keeps it beside the image, and what changed since. Pure.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* One file, folder, symlink or other entry of the tree, as lstat saw it. */
struct tree_entry {
	char *path; /* relative to the tree ("a/b"), never "" (the tree itself is no entry) */
	uint32_t mode, uid, gid;
	uint64_t ino, size;
	int64_t mtime_s, ctime_s;
	uint32_t mtime_ns, ctime_ns;
};

/* Entries in walk order (tree_path_cmp): a folder before what it holds, names by strcmp. */
struct tree_list {
	struct tree_entry *items;
	size_t n, cap;
	uint64_t bytes; /* the regular files' sizes, summed */
};

/* Push a copy of e (its path copied too). */
int tree_list_push(struct tree_list *l, const struct tree_entry *e);
void tree_list_free(struct tree_list *l);

/*
 * The walk's order on relative paths: component by component, each by strcmp, a folder before
 * its entries ("a" < "a/b" < "a-b", where strcmp alone puts "a-b" first).
 */
int tree_path_cmp(const char *a, const char *b);

/*
 * The manifest's bytes: a header line, then one record per entry (numbers, a tab, the path, a
 * NUL). An entry for which whole_seconds (may be NULL) says true is recorded with no
 * nanoseconds, as its image holds it: a run then finds it changed and hands the guest its own.
 */
int tree_manifest_encode(const struct tree_list *l,
			 bool (*whole_seconds)(const struct tree_entry *), struct buf *out);
/* *ret from a manifest's bytes; -EINVAL when they are malformed or not in walk order. */
int tree_manifest_decode(const char *data, size_t size, struct tree_list *ret);

/*
 * What differs from before (the manifest) to now (a fresh walk): changed holds indices into
 * now of the entries that are new or whose type, mode, owner, inode, size or times differ;
 * gone, indices into before of the entries no longer there, only the topmost of a gone folder
 * (its own entries go with it).
 */
struct tree_diff {
	size_t *changed, n_changed;
	size_t *gone, n_gone;
};
int tree_diff(const struct tree_list *before, const struct tree_list *now, struct tree_diff *ret);
void tree_diff_free(struct tree_diff *d);
