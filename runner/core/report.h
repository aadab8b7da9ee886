/* SPDX-License-Identifier: MIT */
/* A matrix run's results as a human table, TAP or JUnit XML, and its exit status. */
/* Host half: host/matrix.c. */
#pragma once

/*
 * Pure formatting: the functions append to a struct buf and print nothing. On failure (-EINVAL
 * for a row with an unknown kind, -ENOMEM) they leave the buffer as it was.
 *
 * Text that comes from outside (names, captured output) is made safe for each format: bytes
 * that are not valid UTF-8 and control characters (other than tab and newline where the format
 * keeps them) become U+FFFD; JUnit escapes & < > " ' and keeps \t \n \r in attributes and \r in
 * text as character references. A row's "output" is its stdout followed by its stderr; the
 * reports quote the last REPORT_TAIL_LINES lines of it.
 *
 * Subtests: a row may carry the TAP its program printed (stdout_tap) and the KTAP its kernel
 * printed (console_tap, e.g. KUnit's), as report_row_parse_tap reads them. Each report then
 * also shows the tests inside the run; "its subtests" below are the listed tests of both trees
 * (tap_node_listed: every test without subtests, and a test that failed although its subtests
 * did not), stdout's first, and "its problems" both trees' problems (a missing plan, a plan
 * that does not match, a subtest without its result line, Bail out!). Subtests never change a
 * row's kind, exit code or output, nor the matrix's exit status. A row with neither tree is
 * reported exactly as before subtests existed, and so is a matrix with no tree at all.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "exit_status.h"
#include "run_result.h"
#include "tap_parse.h"

#define REPORT_TAIL_LINES 20

enum result_kind {
	RESULT_PASS,
	RESULT_FAIL,
	RESULT_TIMEOUT,
	RESULT_PANIC,
	RESULT_VM_ERROR,
	RESULT_SPLAT, /* the program passed, its kernel reported a splat (verdict.h) */
	/* --each's tests (a run of a suite's one test): */
	RESULT_SKIP,  /* the suite said it skipped the test (suite_skipped) */
	RESULT_FLAKY, /* it failed (first_kind), then passed when run again */
	RESULT_XFAIL, /* it failed, and --known-failures expected that (known_why) */
	RESULT_XPASS, /* --known-failures expected a failure, and it passed */
};

/* Whether a row of this kind fails a matrix: fail, timeout, splat, panic, vm-error (flaky only
 * when flaky_fails, --flaky-fails). */
bool result_kind_fails(enum result_kind k, bool flaky_fails);

/* Where the failure text of a splat row starts quoting the run's stderr (runner/host/verdict.c
 * prints each report so), at most REPORT_SPLAT_LINES lines of it: text to read, never a verdict
 * (that is the row's run_result). */
#define REPORT_SPLAT_START "quiz: kernel report ("
#define REPORT_SPLAT_LINES 200

struct run_result_row {
	const char *name;   /* the target: kernel release, or a targets-file name like "ext4-6.1" */
	const char *kernel; /* kernel release booted, e.g. "6.1.192"; NULL when none was */
	int exit_code;	    /* quiz's exit status for this run */
	enum result_kind kind; /* derived by result_classify */
	double seconds;
	const char *stdout_text, *stderr_text; /* captured output (may be NULL) */
	struct tap_tree *stdout_tap;	       /* TAP in stdout_text; NULL when none */
	struct tap_tree *console_tap;	       /* KTAP in the run's console log; NULL when none */
	/* The architecture when the report names them ("s390x"), else NULL: an ARCH column,
	 * "(KERNEL, ARCH)" in TAP, JUnit class "quiz.ARCH". */
	const char *arch;
	/* The run's profiles for the JSON reports, each a -p value ("blockdev:count=2"). */
	char *const *profiles;
	size_t n_profiles;
	/* The run's typed result (its kernel's reports for the JSON); NULL when its run gave none
	 * (a child that died before it wrote one). */
	const struct run_result *result;
	/* --each: the target the test ran on (its kernel's or targets file's name: JUnit's class,
	 * the table's TARGET with name as TEST); NULL for a row of a whole run. */
	const char *target;
	unsigned attempts;	     /* --each: how many times it ran (0 reads as 1) */
	enum result_kind first_kind; /* RESULT_FLAKY: what its first run came to */
	int first_exit_code;	     /* and with which exit status */
	const char *known_why;	     /* RESULT_XFAIL, RESULT_XPASS: the known-failures line's why */
};

/*
 * Reads the TAP in r->stdout_text (as program output) and the KTAP in console_text (the run's
 * console log as a kernel log; may be NULL) into r->stdout_tap and r->console_tap, NULL where
 * there is none; trees the row held before are freed. Neither text is changed, nor anything
 * else in the row. Returns 0, or -ENOMEM with the row untouched. The caller frees the trees
 * with report_row_free_tap once the reports are written.
 */
int report_row_parse_tap(struct run_result_row *r, const char *console_text);
void report_row_free_tap(struct run_result_row *r);

/* From the run's typed result: 0 pass; a timeout; a program that passed while the kernel's
 * report failed the run, splat; a panic; any other failure of quiz or the VM, vm-error; the rest
 * (the program's status, a stop signal) fail. Without a result (r NULL), from the exit status
 * alone: 0 pass, 124 timeout, 125 vm-error, else fail. */
enum result_kind result_classify(int exit_code, const struct run_result *r);

/* "pass", "fail", "timeout", "splat", "panic", "vm-error"; NULL for an unknown kind. */
const char *result_kind_name(enum result_kind k);

/* "pass", "fail 3", "timeout", "splat", "panic", "vm-error" (from r->kind; "fail" adds the exit
 * code). */
int result_describe(const struct run_result_row *r, struct buf *out);

/*
 * Human table: a header line, one aligned line per row, then "N passed, M failed" ("failed"
 * counts everything that is not pass). A missing kernel shows as "-". Example:
 *
 *	TARGET  KERNEL   RESULT   TIME
 *	6.1     6.1.192  pass     4.2s
 *	6.12    6.12.48  fail 3  12.0s
 *	1 passed, 1 failed
 *
 * When a row has subtests, a SUBTESTS column says for each row "N passed, M failed, K skipped"
 * (todo counts as passed), then "; P TAP problems" when there were any, or "-" for a row
 * without subtests. The last line still counts the runs:
 *
 *	TARGET  KERNEL   RESULT  TIME  SUBTESTS
 *	6.1     6.1.192  pass    9.1s  7 passed, 0 failed, 2 skipped; 1 TAP problem
 *	6.12    6.12.48  pass    8.7s  -
 *	2 passed, 0 failed
 */
int report_table(const struct run_result_row *rows, size_t n, struct buf *out);

/*
 * TAP version 13: "TAP version 13", the plan "1..N", then per row "ok 1 - NAME (KERNEL)" or
 * "not ok 2 - NAME (KERNEL): fail 3" (no " (KERNEL)" when kernel is NULL; '#' and '\' in
 * NAME and KERNEL are backslash-escaped). A row that did not pass gets a YAML block:
 *
 *	  ---
 *	  exit: 3
 *	  seconds: 4.2
 *	  output: |
 *	    <the last 20 lines of stdout+stderr, indented by 4>
 *	  ...
 *
 * For a splat, "output" is quiz's report of it instead: stderr from its first REPORT_SPLAT_START
 * line on (at most REPORT_SPLAT_LINES lines), the kernel's report with its decoded trace.
 *
 * "output" is left out when there was none; it is "|2" when its first line that is not empty
 * starts with a space (YAML would otherwise take that line's indentation for the block's). A
 * line's trailing CR is dropped.
 *
 * When a row has subtests the report is "TAP version 14", and each row with subtests has them
 * as a TAP 14 subtest before its own line: "# Subtest: DESCRIPTION" (DESCRIPTION as on the
 * row's line, ": fail 3" included), then indented by 4, the plan "1..N" ("1..0 # SKIP reason"
 * for a skipped plan of nothing), the tests renumbered from 1 in order (stdout's, then the
 * kernel log's), each "ok N - NAME # DIRECTIVE" as it was printed ("#N" for a test without a
 * name, "# no result line" for one that never had its line), with its own subtests nested the
 * same way; a listed test that failed and has diagnostics gets a YAML block with their last 20
 * lines as "output"; then a comment per problem, "# TAP problem in stdout: MESSAGE" or "# TAP
 * problem in the kernel log: MESSAGE". Every test is shown here, listed or not. Example:
 *
 *	TAP version 14
 *	1..1
 *	# Subtest: 6.1 (6.1.192)
 *	    1..2
 *	    ok 1 - selftests: timers: posix_timers
 *	    not ok 2 - selftests: timers: nanosleep # exit=1
 *	      ---
 *	      output: |
 *	        # nanosleep: CLOCK_REALTIME ... FAILED
 *	      ...
 *	ok 1 - 6.1 (6.1.192)
 */
int report_tap(const struct run_result_row *rows, size_t n, struct buf *out);

/*
 * JUnit XML: <?xml version="1.0" encoding="UTF-8"?>, one <testsuite name=SUITE tests= failures=
 * errors= time=> (suite NULL means "quiz") with one <testcase classname="quiz" name=NAME time=>
 * per row. fail, timeout and splat are <failure message="exit status N"
 * type="fail|timeout|splat">, panic and vm-error are <error message="exit status N"
 * type="panic|vm-error">, both with the last 20 lines of stdout+stderr as their text (a splat:
 * its report, as in TAP); then <system-out> and <system-err> when there was such output. Times
 * are seconds with three decimals.
 *
 * Subtests: after its own testcase (which stays, so a run that crashed before its TAP still
 * fails), a row has one <testcase classname=NAME name=PATH> per subtest, PATH the names from
 * its top-level test down joined by " / " (e.g. "selftests: timers: posix_timers" or "example
 * / example_simple_test"), with no time. A failed one has <failure message=DIRECTIVE type=
 * "fail"> (the directive's text such as "exit=1", else "not ok", or "no result line") with its
 * diagnostics as text; a skipped one <skipped message=REASON/> (<skipped/> without a reason);
 * a todo one passes with <system-out>"TODO: REASON" and its diagnostics</system-out>; the
 * others have their diagnostics as <system-out> when they had any. The testsuite's tests and
 * failures count the subtests too, and it gets skipped=K. A row that did not pass and has
 * problems starts its failure's or error's text with "TAP problem in stdout: MESSAGE" (or "in
 * the kernel log") lines.
 */
int report_junit(const char *suite, const struct run_result_row *rows, size_t n, struct buf *out);

/* The matrix's exit status: 0 if all passed, else the exit_code of the first row (in the order
 * given) that did not pass; 1 if that row's exit_code is 0 (a non-pass must not read as pass). */
int report_exit_status(const struct run_result_row *rows, size_t n);
/* The same, where flaky rows fail when flaky_fails (--flaky-fails). */
int report_exit_status_each(const struct run_result_row *rows, size_t n, bool flaky_fails);

/*
 * JSON (report_json.c), for programs to read: UTF-8 text where strings escape " and \ and
 * write \b \f \n \r \t, the other controls (below U+0020, and U+007F) as \u00XX, and bytes
 * that are not UTF-8 as U+FFFD; the rest as it is. The formats are the README's ("Results a
 * machine reads").
 *
 * --list --json: an array, one object a line:
 *	[
 *	{"name": "ext4-6.1", "kernel": "6.1", "arch": "x86_64", "profiles": ["blockdev:count=2"],
 *	 "program": ["./test.sh", "--fs", "ext4"], "timeout": 300}
 *	]
 * ("timeout": null without one, "program": [] for a shell; on one line each).
 */
struct report_target {
	const char *name, *kernel, *arch;
	char *const *profiles;
	size_t n_profiles;
	char *const *program; /* NULL-terminated; NULL: a shell */
	unsigned timeout_s;   /* 0: none */
};
int report_targets_json(const struct report_target *t, size_t n, struct buf *out);

/*
 * --results DIR/NAME/result.json: one run,
 *	{"name": "6.1", "kernel": "6.1.192", "arch": "x86_64", "profiles": [], "exit_status": 0,
 *	 "result": "pass", "seconds": 4.213, "splats": [], "subtests": null}
 * "result" one of pass, fail, timeout, splat, panic, vm-error (result_classify); "arch" null
 * when the row names none; "splats" the kernel's reports that failed the run, each
 * {"kind": "warning", "title": "WARNING: CPU: 0 PID: 1 at ..."} (quiz's "kernel report (KIND):
 * TITLE" lines on stderr); "subtests" null, or {"passed": N, "failed": N, "skipped": N,
 * "problems": N} counted as the table counts them.
 */
int report_result_json(const struct run_result_row *r, struct buf *out);

/*
 * --results DIR/summary.json: the matrix,
 *	{"quiz": "0.1.0", "shard": "2/5", "exit_status": 1, "passed": 3, "failed": 1,
 *	 "seconds": 20.5, "runs": [RESULT, ...]}
 * "shard" null without --shard; each RESULT as in result.json, in the runs' order.
 */
int report_summary_json(const struct run_result_row *rows, size_t n, const char *version,
			const char *shard, int exit_status, struct buf *out);
