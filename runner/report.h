/* SPDX-License-Identifier: MIT */
/* A matrix run's results as a human table, TAP version 13 or JUnit XML, and its exit status. */
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
 */

#include <stddef.h>

#include "buf.h"

#define REPORT_TAIL_LINES 20

enum result_kind { RESULT_PASS, RESULT_FAIL, RESULT_TIMEOUT, RESULT_PANIC, RESULT_VM_ERROR };

struct run_result_row {
	const char *name;   /* the target: kernel release, or a targets-file name like "ext4-6.1" */
	const char *kernel; /* kernel release booted, e.g. "6.1.192"; NULL when none was */
	int exit_code;	    /* quiz's exit status for this run */
	enum result_kind kind; /* derived by result_classify */
	double seconds;
	const char *stdout_text, *stderr_text; /* captured output (may be NULL) */
};

/* 0 pass; 124 timeout; 125 with stderr containing "panicked" panic, else vm-error; anything else
 * fail. */
enum result_kind result_classify(int exit_code, const char *stderr_text);

/* "pass", "fail 3", "timeout", "panic", "vm-error" (from r->kind; "fail" adds the exit code). */
int result_describe(const struct run_result_row *r, struct buf *out);

/*
 * Human table: a header line, one aligned line per row, then "N passed, M failed" ("failed"
 * counts everything that is not pass). A missing kernel shows as "-". Example:
 *
 *	TARGET  KERNEL   RESULT   TIME
 *	6.1     6.1.192  pass     4.2s
 *	6.12    6.12.48  fail 3  12.0s
 *	1 passed, 1 failed
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
 * "output" is left out when there was none; it is "|2" when its first line that is not empty
 * starts with a space (YAML would otherwise take that line's indentation for the block's). A
 * line's trailing CR is dropped.
 */
int report_tap(const struct run_result_row *rows, size_t n, struct buf *out);

/*
 * JUnit XML: <?xml version="1.0" encoding="UTF-8"?>, one <testsuite name=SUITE tests= failures=
 * errors= time=> (suite NULL means "quiz") with one <testcase classname="quiz" name=NAME time=>
 * per row. fail and timeout are <failure message="exit status N" type="fail|timeout">, panic
 * and vm-error are <error message="exit status N" type="panic|vm-error">, both with the last 20
 * lines of stdout+stderr as their text; then <system-out> and <system-err> when there was such
 * output. Times are seconds with three decimals.
 */
int report_junit(const char *suite, const struct run_result_row *rows, size_t n, struct buf *out);

/* The matrix's exit status: 0 if all passed, else the exit_code of the first row (in the order
 * given) that did not pass; 1 if that row's exit_code is 0 (a non-pass must not read as pass). */
int report_exit_status(const struct run_result_row *rows, size_t n);
