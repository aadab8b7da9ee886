/* SPDX-License-Identifier: MIT */
/* TAP 13/14 and KTAP results, read from a program's output or a kernel log into a tree. */
/* Host half: host/matrix.c. */
#pragma once

/*
 * Pure: tap_parse reads bytes and builds a tree; it prints nothing and never fails on odd
 * input, only on -ENOMEM. What it understands:
 *
 *  - Documents: "TAP version 13", "TAP version 14", "KTAP version 1", or (program output only)
 *    a plan or test point with no version line before it; several documents in a row
 *    (kselftest's run_kselftest.sh prints one per folder) add their tests to the same level,
 *    and so does a top-level test 1 after all that a leading plan announced (a KUnit module
 *    loaded later prints no header). Lines before the first document, and other lines mixed
 *    in, are no test's structure.
 *  - Plans "1..N", leading or trailing, and "1..0 # SKIP reason".
 *  - Test points "ok" / "not ok", number and " - " optional; what follows the first unescaped
 *    '#' is the directive: "SKIP" and "TODO" (any case, TAP 14's "SKIP\S*\s+reason") make the
 *    result skip or todo whatever ok says; any other ("exit=1", "TIMEOUT 45 seconds", KTAP's
 *    "XFAIL") is kept as text and the result is ok's. "\#" and "\\" are unescaped.
 *  - "Bail out!": parsing stops there.
 *  - Nesting by indentation: a block of lines indented deeper than its parent's is the subtests
 *    of the parent's next test point. Any indentation counts (KTAP's 2 spaces, TAP 14's and
 *    KUnit's 4, old KUnit's tab), and so does a "# " prefix, which is how kselftest's runner
 *    nests each test's own TAP. "# Subtest: NAME" names the block, at the parent's indentation
 *    (TAP 14) or as the block's first line after its version line (KUnit). Nesting deeper than
 *    32 levels is read as text.
 *  - Diagnostics. In TAP, the lines after a test point up to the next line of structure are
 *    its diagnostics. In KTAP (a "KTAP version" document, a kernel log, kselftest's runner
 *    output known by its "selftests: " test names, and what is nested by "# ") they are the
 *    lines before it since the previous test point at its level, its subtests' lines included. A
 * YAML block ("  ---" to "  ...", 2 deeper than the test point) always belongs to the test point
 * before it. Blank lines at either end of a test's diagnostics are dropped.
 *  - A kernel log (TAP_INPUT_KERNEL_LOG): the "[    1.234567] " (and "[    T1] ") prefixes are
 *    dropped, and a document starts only at a version line; whatever precedes its version
 *    keyword (a "kunit: "-like tag) must start each of its lines and is dropped from them.
 *
 * Lines end at '\n'; trailing CRs are dropped; a last line needs no newline; a NUL byte in text
 * becomes U+FFFD so the strings below are plain C strings.
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum tap_input {
	TAP_INPUT_PROGRAM,    /* a program's stdout */
	TAP_INPUT_KERNEL_LOG, /* a kernel's console log (KUnit prints KTAP there) */
};

enum tap_result { TAP_PASS, TAP_FAIL, TAP_SKIP, TAP_TODO };

struct tap_node {
	char *name;		/* the description, " - " dropped, unescaped; "" when none */
	unsigned long number;	/* as printed; 0 when the line had none */
	bool ok;		/* "ok" rather than "not ok" */
	enum tap_result result; /* from ok and the directive */
	char *directive;	/* the text after '#', e.g. "SKIP no RTC", "exit=1"; NULL if none */
	char *reason;		/* SKIP's or TODO's reason ("" when none given); NULL otherwise */
	bool no_result_line;	/* its subtests ended without a result line for it (cut short);
				 * result is TAP_FAIL */
	unsigned line;		/* line of its result line (1-based); for no_result_line, where
				 * it was due */
	struct buf diagnostics; /* its diagnostic lines, each ending in '\n', less the indentation
				 * of its level; data is NULL when there were none */
	struct tap_node *children; /* its subtests, in order */
	size_t n_children;
	long planned;	       /* its subtests' plan; -1 when they had none */
	char *skip_all_reason; /* their plan was "1..0 # SKIP reason": the reason; else NULL */
};

enum tap_problem_kind {
	TAP_PROBLEM_NO_PLAN,	    /* a top-level document without "1..N" */
	TAP_PROBLEM_COUNT,	    /* a plan that does not match the tests seen */
	TAP_PROBLEM_NO_RESULT_LINE, /* subtests whose parent's result line never came */
	TAP_PROBLEM_BAIL_OUT,	    /* "Bail out!" */
};

struct tap_problem {
	enum tap_problem_kind kind;
	unsigned line; /* where it shows (1-based): the plan, the result line, or the end */
	long planned;  /* TAP_PROBLEM_COUNT: the plan's N; -1 otherwise */
	size_t seen;   /* TAP_PROBLEM_COUNT and _NO_PLAN: the tests seen at that level */
	char *message; /* one line, e.g. "example: planned 3 tests, saw 2", "no plan, saw 4
			* tests", "Bail out! no network" */
};

struct tap_tree {
	struct tap_node root;	      /* name "": its children are the documents' top-level tests;
				       * planned is the sum of their plans (-1 if one had none) */
	struct tap_problem *problems; /* in line order */
	size_t n_problems;
};

/*
 * Reads len bytes of text (need not be NUL-terminated). *ret_tree is the tree, or NULL when
 * the text holds no TAP (no document, or for program output only test points with neither a
 * version line nor a plan). Returns 0, or -ENOMEM with *ret_tree untouched.
 */
int tap_parse(const char *text, size_t len, enum tap_input input, struct tap_tree **ret_tree);

void tap_tree_free(struct tap_tree *tree);
static inline void tap_tree_freep(struct tap_tree **tree)
{
	tap_tree_free(*tree);
}
#define _cleanup_tap_tree_ _cleanup_(tap_tree_freep)

/*
 * Whether a report lists n as a test case of its own: a test without subtests, or one that
 * failed although none of its subtests did (it crashed after them, or exited 1 after they all
 * passed). A parent whose subtests carry a failure is summed up by them.
 */
bool tap_node_listed(const struct tap_node *n);

/* Appends n's name, or "#N" when it has none: N its number, else index + 1 (its place among
 * its siblings). */
int tap_node_put_name(const struct tap_node *n, size_t index, struct buf *out);

/* Appends n's name to path, after " / " unless path is empty: the path that problems and
 * reports name a test by, e.g. "example / example_simple_test". tap_path_cut takes path back
 * to len bytes (as it was before a push). */
int tap_path_push(struct buf *path, const struct tap_node *n, size_t index);
void tap_path_cut(struct buf *path, size_t len);

struct tap_counts {
	size_t passed, failed, skipped, todo; /* of the listed tests */
	size_t problems;
};

/* Adds the tree's listed tests (by result) and problems to *counts; tree may be NULL. */
void tap_tree_count(const struct tap_tree *tree, struct tap_counts *counts);
