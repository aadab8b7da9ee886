/* SPDX-License-Identifier: MIT */
/*
 * A big current directory shown from a packed image (docs/big-trees.md): an ext2 image of the
 * tree in the cache (home/trees/KEY/), made by mke2fs -d once and kept in step by each run,
 * which walks the tree and hands the guest what changed since the pack (in the run layer,
 * stacked over the image) and what went. Over 9p, every lookup and every folder read is a
 * round trip to QEMU; from the image the guest's own ext2 driver reads its disk.
 */
#pragma once

#include <stdbool.h>

#include "options.h"

/* From how many entries --cwd-share=auto packs (see docs/big-trees.md for the numbers). */
#define TREE_AUTO_MIN 10000
/* Auto packs a tree whose files hold at most this (--cwd-share=image packs any). */
#define TREE_AUTO_MAX_BYTES (16ULL << 30)
/* Past it the walk stops: auto shows the tree over 9p, image fails. */
#define TREE_MAX_ENTRIES 4000000
/* A run's changes beyond max(TREE_REPACK_MIN, a twentieth of the tree) pack it anew. */
#define TREE_REPACK_MIN 2000
/* Changed files that cannot be hard-linked into the run layer are copied up to this. */
#define TREE_MAX_COPY (256ULL << 20)
/* Packed trees kept in the cache; the least recently used go first. */
#define TREE_KEEP 4

struct tree_share {
	bool image;	  /* shown from the image (false: over 9p) */
	char *image_name; /* its hard link in the run folder, QEMU's -drive file= */
};

/*
 * Decide how the guest sees cwd (a real path) and, for the image, pack it or bring its image
 * in step: link it into the run folder and write the changes into the run folder's layer
 * ("layer", made if missing). -v (log_debug) says which way and why. Returns 0 with ret->image
 * false for 9p; -errno after one line on stderr when mode is CWD_SHARE_IMAGE and the image
 * cannot be had (auto falls back to 9p and says why under -v); -EINTR on a stop signal.
 */
int tree_share_prepare(const char *home, const char *cwd, enum cwd_share mode, int run_dir_fd,
		       struct tree_share *ret);
void tree_share_free(struct tree_share *t);
