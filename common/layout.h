/* SPDX-License-Identifier: MIT */
/*
 * The guest's side of a run, as both sides name it: the 9p tags quiz gives its shares, the
 * folders init1 and init2 stack them in, and the boot stages of the timeline (--timings).
 */
#pragma once

/* 9p mount tags: "quiz." and the layer's name (run, user, kernel, system), the current
 * directory's, /shared's. */
#define TAG_PREFIX "quiz."
#define TAG_RUN TAG_PREFIX "run"
#define TAG_CWD TAG_PREFIX "cwd"
#define TAG_SHARED TAG_PREFIX "shared"
#define TAG_COVERAGE TAG_PREFIX "coverage"

/* Where init1 mounts the layers, the overlay's upper tmpfs, the new root and the image. */
#define GUEST_LAYERS "/quiz/layers"
#define GUEST_UPPER "/quiz/upper"
#define GUEST_NEW_ROOT "/quiz/root"
#define GUEST_IMAGE "/quiz/image"
/* In the overlay root: the current directory's layers, the profiles' guest hooks, --shared. */
#define GUEST_CWD "/quiz/cwd"
#define GUEST_HOOKS "/quiz/run/hooks"
#define GUEST_SHARED "/shared"
/* quiz --coverage: gcov's counters in the guest, and the share they are copied into after the
 * program, each at its path below GUEST_GCOV (the object's path where it was built). */
#define GUEST_GCOV "/sys/kernel/debug/gcov"
#define GUEST_COVERAGE "/quiz/coverage"
/*
 * A big current directory packed into an image (runner/host/tree_pack.c): the virtio disk of
 * that serial; in the run layer, what changed since the pack (a folder of those entries at their
 * paths) and what went (their paths, each ended by a NUL).
 */
#define TREE_SERIAL "quiz.tree"
#define GUEST_TREE_DELTA "/quiz/run/tree"
#define GUEST_TREE_GONE "/quiz/run/tree.gone"

/*
 * The folders the image must have for init1's and init2's mounts, space-separated. quiz-image
 * reads them from the quiz-init it installs (the LAYOUT_RECORD in its binary, for any
 * architecture without running it; `quiz-init --layout` prints them) instead of naming them.
 */
#define GUEST_MOUNT_POINTS                                                                         \
	GUEST_LAYERS "/run " GUEST_LAYERS "/user " GUEST_LAYERS "/kernel " GUEST_LAYERS            \
		     "/system " GUEST_IMAGE " " GUEST_UPPER " " GUEST_NEW_ROOT " " GUEST_SHARED
#define LAYOUT_RECORD_PREFIX "quiz-layout: "

/* Boot stages, in order (the guest's uptime at each goes to the host in its timeline line). */
#define STAGE_INIT1 "init1"
#define STAGE_PARK "park"
#define STAGE_GO "go"
#define STAGE_ROOT "root"
#define STAGE_INIT2 "init2"
#define STAGE_MOUNTED "mounted"
#define STAGE_LAYERS "layers"
#define STAGE_PORTS "ports"
#define STAGE_PROGRAM "program"
#define STAGE_ENDED "ended"
#define STAGE_REPORT "report"
