/* SPDX-License-Identifier: MIT */
/*
 * --each: a suite's tests, each in its own VM. What the suite's list command printed becomes
 * test names; a name becomes the per-test command, its folder under --results, and (with the
 * run's result) its verdict; a known-failures file turns expected failures into xfail. Pure.
 */
/* Host half: host/each.c (the list run in a guest, the entries), host/matrix.c (the runs). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * How quiz talks to a suite, from the program's name:
 *	kselftest  run_kselftest.sh: lists with --list; runs one test with -t COLLECTION:TEST; the
 *	           user's -c C and -t C:T choose among the listed (its --list ignores them)
 *	fstests    check (with common/rc beside it): lists with check -n ARGS; runs one test as
 *	           check CONFIG-ARGS TEST, where CONFIG-ARGS are ARGS without the words that choose
 *	           tests (-g -x -e -E -X and their values, -r, --exact-order, test names); both
 *	           through "sh -c PREPARE quiz-fstests", which makes TEST_DIR and SCRATCH_MNT and
 *	           gives a TEST_DEV without a filesystem one of FSTYP (check mounts it first)
 *	generic    --list-cmd CMD: its stdout's lines (blank ones and '#' comments left out);
 *	           the program's words with each "{}" in them replaced by the name, or the name
 *	           added as the last word when no word holds "{}"
 */
enum suite_kind { SUITE_GENERIC, SUITE_KSELFTEST, SUITE_FSTESTS };

/* "generic", "kselftest", "fstests". */
const char *suite_kind_name(enum suite_kind k);

/* The kind a program's path names (basename run_kselftest.sh; check, when has_common_rc: the
 * host found common/rc beside it), else SUITE_GENERIC. */
enum suite_kind suite_detect(const char *program, bool has_common_rc);

#define SUITE_NAME_MAX 255

/*
 * The argv that lists the tests: kselftest "PROGRAM --list"; fstests "PROGRAM -n ARGS";
 * generic the --list-cmd words (list_cmd, required). 0, -ENOMEM, or -EINVAL (generic without
 * list_cmd) with *ret_error.
 */
int suite_list_argv(enum suite_kind k, char *const *program, const struct strv *list_cmd,
		    struct strv *ret, char **ret_error);

/*
 * The test names in a list command's stdout (text, len bytes; not NUL-terminated), in order,
 * each once. kselftest: lines COLLECTION:TEST, kept when the user's -c/-t (in program) choose
 * them or choose nothing; fstests: lines that are a test's name (DIR/NAME, no blanks; check's
 * header lines are not); generic: every line but blank ones and '#' comments, trimmed of
 * blanks. A name is UTF-8 with no control character (C0, DEL, C1; nor, fstests and
 * kselftest, a blank), and it and its folder (suite_folder_name) are at most SUITE_NAME_MAX
 * bytes: a line that breaks that is -EINVAL with "line N: ..." in *ret_error. 0 (maybe no
 * names), -ENOMEM or -EINVAL.
 */
int suite_parse_list(enum suite_kind k, char *const *program, const char *text, size_t len,
		     struct strv *ret, char **ret_error);

/* The argv of one test (see enum suite_kind). 0 or -ENOMEM. */
int suite_test_argv(enum suite_kind k, char *const *program, const char *name, struct strv *ret);

/*
 * Whether a test the suite ran was skipped, from its exit status and stdout: kselftest, its
 * result line "ok N selftests: C: T # SKIP"; fstests, a "Not run: " line; generic, exit status
 * 77 (Automake's) or a TAP plan "1..0 # SKIP". A test fails with a status other than 0, and
 * (kselftest's runner exits 0 either way) with a TAP line "not ok" that is no TODO at the start
 * of a line of its stdout (kselftest and generic: a group of tests run as one, e.g.
 * run_kselftest.sh -c {}), or (kselftest) with no result line at all.
 */
bool suite_skipped(enum suite_kind k, int exit_code, const char *stdout_text);
bool suite_failed(enum suite_kind k, int exit_code, const char *stdout_text);

/* The folder under --results for a test name: bytes outside [A-Za-z0-9._+:@=,-] (and a
 * leading '.') as %XX, so "generic/013" is "generic%2F013". 0 or -ENOMEM. */
int suite_folder_name(const char *name, char **ret);

/* A known-failures file (--known-failures): one test a line, "PATTERN [WHY...]"; PATTERN a
 * shell glob on the test's name (fnmatch, '*' also across '/'), WHY the rest of the line;
 * blank lines and lines starting with '#' are left out. */
struct known_failure {
	char *pattern, *why; /* why: "" when the line gives none */
	unsigned line;
};
struct known_failures {
	struct known_failure *items;
	size_t n;
};
/* 0, -ENOMEM, or -EINVAL ("FILE line N: ...") for a line with a control character. */
int known_failures_parse(const char *file_name, const char *text, struct known_failures *ret,
			 char **ret_error);
/* The first entry whose pattern matches name, or NULL. */
const struct known_failure *known_failures_match(const struct known_failures *k, const char *name);
void known_failures_free(struct known_failures *k);
