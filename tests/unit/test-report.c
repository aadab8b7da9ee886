/* SPDX-License-Identifier: MIT */
/* Matrix reports: classification, the table, TAP, JUnit (exact text and well-formedness), and
 * each of them with the subtests of runs that printed TAP or KTAP. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "report.h"
#include "tap.h"

#define BAD_KIND ((enum result_kind)42)

/* The two-row matrix of the examples: one pass, one failure with output on both streams. */
static const struct run_result_row two[] = {
	{"6.1", "6.1.192", 0, RESULT_PASS, 4.2, "hello\n", ""},
	{"6.12", "6.12.48", 3, RESULT_FAIL, 12.04, "out1\nout2", "err1\n"},
};

/* Formats with f into a fresh buffer; returns the text, or "ERROR(r)". */
static char *render(int (*f)(const struct run_result_row *, size_t, struct buf *),
		    const struct run_result_row *rows, size_t n)
{
	struct buf b = {0};
	int r = f(rows, n, &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	} else if (!b.data) {
		buf_puts(&b, "");
	}
	return b.data;
}

static char *junit(const char *suite, const struct run_result_row *rows, size_t n)
{
	struct buf b = {0};
	int r = report_junit(suite, rows, n, &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	}
	return b.data;
}

static char *describe(const struct run_result_row *row)
{
	struct buf b = {0};
	int r = result_describe(row, &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	}
	return b.data;
}

/* ---- classification, description, exit status ---- */

/* A result as run_decide makes it. */
static struct run_result result_of(enum run_end end, int status, bool splat)
{
	return (struct run_result){.end = end, .exit_status = status, .splat_failed = splat};
}

static void test_classify(void)
{
	struct run_result r;
	CHECK(result_classify(0, NULL) == RESULT_PASS, "0 is pass");
	r = result_of(RUN_END_PROGRAM, 0, false);
	CHECK(result_classify(0, &r) == RESULT_PASS, "0 is pass");
	r = result_of(RUN_END_PROGRAM, 3, false);
	CHECK(result_classify(3, &r) == RESULT_FAIL, "the program's 3 is fail");
	r = result_of(RUN_END_PROGRAM, 123, false);
	CHECK(result_classify(123, &r) == RESULT_FAIL, "a program's own 123 is fail");
	r = result_of(RUN_END_PROGRAM, 123, true);
	CHECK(result_classify(123, &r) == RESULT_SPLAT,
	      "123 of a report that failed the run: splat");
	r = result_of(RUN_END_PROGRAM, 124, false);
	CHECK(result_classify(124, &r) == RESULT_FAIL,
	      "a program's own 124 is fail, not a timeout (its result says so)");
	r = result_of(RUN_END_TIMEOUT, 124, false);
	CHECK(result_classify(124, &r) == RESULT_TIMEOUT, "a timeout");
	r = result_of(RUN_END_PANIC, 125, false);
	CHECK(result_classify(125, &r) == RESULT_PANIC, "a panic");
	r = result_of(RUN_END_FAILED, 125, false);
	CHECK(result_classify(125, &r) == RESULT_VM_ERROR, "quiz or the VM failed: vm-error");
	r = result_of(RUN_END_PROGRAM, 125, false);
	CHECK(result_classify(125, &r) == RESULT_FAIL, "a program's own 125 is fail");
	r = result_of(RUN_END_SIGNALED, 143, false);
	CHECK(result_classify(143, &r) == RESULT_FAIL, "quiz stopped by SIGTERM: fail");
	CHECK(result_classify(124, NULL) == RESULT_TIMEOUT, "no result: 124 is timeout");
	CHECK(result_classify(125, NULL) == RESULT_VM_ERROR, "no result: 125 is vm-error");
	CHECK(result_classify(123, NULL) == RESULT_FAIL, "no result: 123 is fail");
	CHECK(result_classify(137, NULL) == RESULT_FAIL, "no result: 137 is fail");
}

static void test_describe(void)
{
	static const struct {
		int code;
		enum result_kind kind;
		const char *want;
	} cases[] = {
		{0, RESULT_PASS, "pass"},     {3, RESULT_FAIL, "fail 3"},
		{1, RESULT_FAIL, "fail 1"},   {124, RESULT_TIMEOUT, "timeout"},
		{125, RESULT_PANIC, "panic"}, {125, RESULT_VM_ERROR, "vm-error"},
		{-2, RESULT_FAIL, "fail -2"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct run_result_row row = {"t", "k", cases[i].code, cases[i].kind, 0, NULL, NULL};
		char *s = describe(&row);
		CHECK_STR(s, cases[i].want, "describe: %s", cases[i].want);
		free(s);
	}

	struct buf b = {0};
	buf_puts(&b, "x=");
	struct run_result_row row = {"t", "k", 3, RESULT_FAIL, 0, NULL, NULL};
	CHECK(result_describe(&row, &b) == 0, "describe appends");
	CHECK_STR(b.data, "x=fail 3", "describe appends to what the buffer holds");
	row.kind = BAD_KIND;
	CHECK(result_describe(&row, &b) == -EINVAL, "describe: unknown kind is -EINVAL");
	CHECK_STR(b.data, "x=fail 3", "describe: buffer untouched on failure");
	buf_free(&b);
}

static void test_exit_status(void)
{
	const struct run_result_row pass = {"a", "k", 0, RESULT_PASS, 0, NULL, NULL},
				    fail3 = {"b", "k", 3, RESULT_FAIL, 0, NULL, NULL},
				    timeout = {"c", "k", 124, RESULT_TIMEOUT, 0, NULL, NULL},
				    panic = {"d", "k", 125, RESULT_PANIC, 0, NULL, NULL},
				    odd = {"e", "k", 0, RESULT_FAIL, 0, NULL, NULL};

	CHECK(report_exit_status(NULL, 0) == 0, "exit status: no rows is 0");
	CHECK(report_exit_status((struct run_result_row[]){pass, pass}, 2) == 0,
	      "exit status: all passed is 0");
	CHECK(report_exit_status((struct run_result_row[]){pass, fail3, timeout}, 3) == 3,
	      "exit status: the first non-pass row's (fail 3 before timeout)");
	CHECK(report_exit_status((struct run_result_row[]){timeout, fail3}, 2) == 124,
	      "exit status: the first non-pass row's (timeout before fail 3)");
	CHECK(report_exit_status((struct run_result_row[]){pass, panic, fail3}, 3) == 125,
	      "exit status: panic's 125");
	CHECK(report_exit_status((struct run_result_row[]){pass, odd, fail3}, 3) == 1,
	      "exit status: a non-pass row with exit code 0 still fails the matrix (1)");
}

/* ---- the table ---- */

static void test_table(void)
{
	char *s;

	CHECK_STR(s = render(report_table, two, 2),
		  "TARGET  KERNEL   RESULT   TIME\n"
		  "6.1     6.1.192  pass     4.2s\n"
		  "6.12    6.12.48  fail 3  12.0s\n"
		  "1 passed, 1 failed\n",
		  "table: two-row pass/fail matrix");
	free(s);

	const struct run_result_row more[] = {
		{"ext4-6.1", "6.1.192", 124, RESULT_TIMEOUT, 600, NULL, NULL},
		{"p\xc3\xa4nic", "6.6.1", 125, RESULT_PANIC, 0.94, NULL, "panicked"},
		{"vm", NULL, 125, RESULT_VM_ERROR, -3, NULL, NULL},
		{"x\ty\x01", "6.1.1", 0, RESULT_PASS, 1, NULL, NULL},
	};
	CHECK_STR(s = render(report_table, more, ELEMENTSOF(more)),
		  "TARGET    KERNEL   RESULT      TIME\n"
		  "ext4-6.1  6.1.192  timeout   600.0s\n"
		  "p\xc3\xa4nic     6.6.1    panic       0.9s\n"
		  "vm        -        vm-error    0.0s\n"
		  "x\xef\xbf\xbdy\xef\xbf\xbd      6.1.1    pass        1.0s\n"
		  "1 passed, 3 failed\n",
		  "table: every kind; UTF-8 counts as one column; no kernel is '-'; "
		  "negative time 0; tab and control characters replaced");
	free(s);

	CHECK_STR(s = render(report_table, NULL, 0),
		  "TARGET  KERNEL  RESULT  TIME\n0 passed, 0 failed\n", "table: no rows");
	free(s);

	struct buf b = {0};
	buf_puts(&b, "keep\n");
	struct run_result_row bad[] = {two[0], two[1]};
	bad[1].kind = BAD_KIND;
	CHECK(report_table(bad, 2, &b) == -EINVAL, "table: unknown kind is -EINVAL");
	CHECK_STR(b.data, "keep\n", "table: buffer untouched on failure");
	CHECK(report_table(two, 1, &b) == 0, "table appends");
	CHECK_STR(b.data,
		  "keep\n"
		  "TARGET  KERNEL   RESULT  TIME\n"
		  "6.1     6.1.192  pass    4.2s\n"
		  "1 passed, 0 failed\n",
		  "table: appended after what the buffer held");
	buf_free(&b);
}

/* ---- TAP ---- */

static void test_tap(void)
{
	char *s;

	CHECK_STR(s = render(report_tap, two, 2),
		  "TAP version 13\n"
		  "1..2\n"
		  "ok 1 - 6.1 (6.1.192)\n"
		  "not ok 2 - 6.12 (6.12.48): fail 3\n"
		  "  ---\n"
		  "  exit: 3\n"
		  "  seconds: 12.0\n"
		  "  output: |\n"
		  "    out1\n"
		  "    out2\n"
		  "    err1\n"
		  "  ...\n",
		  "TAP: two-row matrix, output is stdout then stderr");
	free(s);

	/* 25 lines: the last 20 are 6..25; 15 + 10: stdout's last 10 and all of stderr. */
	struct buf lines25 = {0}, out15 = {0}, err10 = {0}, want = {0};
	for (int i = 1; i <= 25; i++)
		buf_printf(&lines25, "line %d\n", i);
	for (int i = 1; i <= 15; i++)
		buf_printf(&out15, "%so%d", i > 1 ? "\n" : "", i); /* no final newline */
	for (int i = 1; i <= 10; i++)
		buf_printf(&err10, "e%d\n", i);
	const struct run_result_row rows[] = {
		{"long", "6.1.1", 1, RESULT_FAIL, 2, lines25.data, NULL},
		{"both", "6.1.1", 2, RESULT_FAIL, 2, out15.data, err10.data},
		{"ext4 #1 \\", NULL, 124, RESULT_TIMEOUT, 60, NULL, ""},
		{"p\xc3\xa4nic", "6.6.1", 125, RESULT_PANIC, 1.04, "\n  indented\r\nx\r\n",
		 "quiz: the guest kernel panicked\n"},
		{"bin\x01", "6.1.1", 125, RESULT_VM_ERROR, 0, "a\tb\x1b[1m\xff\r\n", NULL},
		{"ok", "6.1.1", 0, RESULT_PASS, 0, "ignored\n", "ignored\n"},
	};
	buf_puts(&want, "TAP version 13\n1..6\nnot ok 1 - long (6.1.1): fail 1\n"
			"  ---\n  exit: 1\n  seconds: 2.0\n  output: |\n");
	for (int i = 6; i <= 25; i++)
		buf_printf(&want, "    line %d\n", i);
	buf_puts(&want, "  ...\nnot ok 2 - both (6.1.1): fail 2\n"
			"  ---\n  exit: 2\n  seconds: 2.0\n  output: |\n");
	for (int i = 6; i <= 15; i++)
		buf_printf(&want, "    o%d\n", i);
	for (int i = 1; i <= 10; i++)
		buf_printf(&want, "    e%d\n", i);
	buf_puts(&want, "  ...\n"
			"not ok 3 - ext4 \\#1 \\\\: timeout\n"
			"  ---\n  exit: 124\n  seconds: 60.0\n  ...\n"
			"not ok 4 - p\xc3\xa4nic (6.6.1): panic\n"
			"  ---\n  exit: 125\n  seconds: 1.0\n  output: |2\n"
			"\n"
			"      indented\n"
			"    x\n"
			"    quiz: the guest kernel panicked\n"
			"  ...\n"
			"not ok 5 - bin\xef\xbf\xbd (6.1.1): vm-error\n"
			"  ---\n  exit: 125\n  seconds: 0.0\n  output: |\n"
			"    a\tb\xef\xbf\xbd[1m\xef\xbf\xbd\n"
			"  ...\n"
			"ok 6 - ok (6.1.1)\n");
	CHECK_STR(s = render(report_tap, rows, ELEMENTSOF(rows)), want.data,
		  "TAP: last 20 lines, stdout+stderr joined, no output, '#' and '\\' escaped, "
		  "no kernel, |2 for an indented first line, CRLF, control bytes, no block on ok");
	free(s);
	buf_free(&lines25);
	buf_free(&out15);
	buf_free(&err10);
	buf_free(&want);

	CHECK_STR(s = render(report_tap, NULL, 0), "TAP version 13\n1..0\n", "TAP: no rows");
	free(s);

	struct buf b = {0};
	buf_puts(&b, "keep\n");
	struct run_result_row bad[] = {two[0], two[1]};
	bad[0].kind = BAD_KIND;
	CHECK(report_tap(bad, 2, &b) == -EINVAL, "TAP: unknown kind is -EINVAL");
	CHECK_STR(b.data, "keep\n", "TAP: buffer untouched on failure");
	buf_free(&b);
}

/* ---- JUnit ---- */

/* 0 when python3's minidom parses text, its exit status otherwise; -1 when it could not run. */
static int minidom_parse(const char *text)
{
	FILE *p = popen("python3 -c 'import sys, xml.dom.minidom; "
			"xml.dom.minidom.parseString(sys.stdin.buffer.read())' 2>/dev/null",
			"w");
	if (!p)
		return -1;
	fputs(text, p);
	int st = pclose(p);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static void test_junit(void)
{
	char *s;
	const struct run_result_row rows[] = {
		{"6.1", "6.1.192", 0, RESULT_PASS, 4.2, "hello\n", ""},
		{"quiet", "6.1.192", 0, RESULT_PASS, 0.5, NULL, NULL},
		{"a<b>&\"c'd", "6.12.48", 3, RESULT_FAIL, 12.04, "x < y && z > \"w\" 'v'\n",
		 "]]> <![CDATA[\n"},
		{"t", "6.1.1", 124, RESULT_TIMEOUT, 60, NULL, NULL},
		{"ctl\x01\x1f", "6.6.1", 125, RESULT_PANIC, 1.25,
		 "esc\x1b[0m nul-ish\x7f \xff\xfe cr\r\n", "quiz: the guest kernel panicked\n"},
		{"tab\there\nnl", NULL, 125, RESULT_VM_ERROR, 0,
		 "\xc3\xa9t\xc3\xa9 \xe2\x82\xac\t\n",
		 "quiz: qemu: \x0c bad \xe0\x80\xaf \xed\xa0\x80 \xef\xbf\xbe \xf0\x9f\x98\x80\n"},
	};
	const char *want =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"m&amp;&lt;x&gt;\" tests=\"6\" failures=\"2\" errors=\"2\" "
		"time=\"77.990\">\n"
		"  <testcase classname=\"quiz\" name=\"6.1\" time=\"4.200\">\n"
		"    <system-out>hello\n</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"quiet\" time=\"0.500\"/>\n"
		"  <testcase classname=\"quiz\" name=\"a&lt;b&gt;&amp;&quot;c&apos;d\" "
		"time=\"12.040\">\n"
		"    <failure message=\"exit status 3\" type=\"fail\">"
		"x &lt; y &amp;&amp; z &gt; &quot;w&quot; &apos;v&apos;\n]]&gt; &lt;![CDATA[\n"
		"</failure>\n"
		"    <system-out>x &lt; y &amp;&amp; z &gt; &quot;w&quot; "
		"&apos;v&apos;\n</system-out>\n"
		"    <system-err>]]&gt; &lt;![CDATA[\n</system-err>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"t\" time=\"60.000\">\n"
		"    <failure message=\"exit status 124\" type=\"timeout\"></failure>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"ctl\xef\xbf\xbd\xef\xbf\xbd\" "
		"time=\"1.250\">\n"
		"    <error message=\"exit status 125\" type=\"panic\">"
		"esc\xef\xbf\xbd[0m nul-ish\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd cr&#13;\n"
		"quiz: the guest kernel panicked\n</error>\n"
		"    <system-out>esc\xef\xbf\xbd[0m nul-ish\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
		"cr&#13;\n</system-out>\n"
		"    <system-err>quiz: the guest kernel panicked\n</system-err>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"tab&#9;here&#10;nl\" time=\"0.000\">\n"
		"    <error message=\"exit status 125\" type=\"vm-error\">"
		"\xc3\xa9t\xc3\xa9 \xe2\x82\xac\t\n"
		"quiz: qemu: \xef\xbf\xbd bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd \xf0\x9f\x98\x80\n</error>\n"
		"    <system-out>\xc3\xa9t\xc3\xa9 \xe2\x82\xac\t\n</system-out>\n"
		"    <system-err>quiz: qemu: \xef\xbf\xbd bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd "
		"\xf0\x9f\x98\x80\n</system-err>\n"
		"  </testcase>\n"
		"</testsuite>\n";
	CHECK_STR(s = junit("m&<x>", rows, ELEMENTSOF(rows)), want,
		  "JUnit: escaping; control characters, invalid UTF-8 (overlong, surrogate) and "
		  "U+FFFE "
		  "replaced, 4-byte UTF-8 kept; kinds, counts");

	/* python3 is one of scripts/setup's packages: without it these fail, never skip. */
	bool have_python = system("command -v python3 >/dev/null 2>&1") == 0;
	if (!have_python) {
		CHECK(false, "JUnit output is well-formed XML: python3 not found");
		CHECK(false, "minidom rejects a raw control character: python3 not found");
	} else {
		CHECK(minidom_parse(s) == 0, "JUnit output is well-formed XML (python3 minidom)");
		CHECK(minidom_parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\x01</a>\n") >
			      0,
		      "minidom rejects a raw control character (the check above can fail)");
	}
	free(s);

	CHECK_STR(
		s = junit(NULL, NULL, 0),
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"quiz\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0.000\">\n"
		"</testsuite>\n",
		"JUnit: no rows, default suite name");
	free(s);

	struct buf b = {0};
	buf_puts(&b, "keep\n");
	struct run_result_row bad[] = {two[0], two[1]};
	bad[1].kind = BAD_KIND;
	CHECK(report_junit("s", bad, 2, &b) == -EINVAL, "JUnit: unknown kind is -EINVAL");
	CHECK_STR(b.data, "keep\n", "JUnit: buffer untouched on failure");
	buf_free(&b);
}

/* ---- subtests ---- */

/* kselftest's runner with a test that prints its own TAP (nested by "# "), one that fails and
 * one that skips, as runner.sh prints them. */
static const char selftests_out[] = "TAP version 13\n"
				    "1..3\n"
				    "# selftests: timers: posix_timers\n"
				    "# Check itimer virtual... [OK]\n"
				    "ok 1 selftests: timers: posix_timers\n"
				    "# selftests: timers: nanosleep\n"
				    "# TAP version 13\n"
				    "# 1..2\n"
				    "# ok 1 CLOCK_REALTIME\n"
				    "# # CLOCK_TAI: <FAILED> & \"gone\"\n"
				    "# not ok 2 CLOCK_TAI\n"
				    "not ok 2 selftests: timers: nanosleep # exit=1\n"
				    "# selftests: timers: rtcpie\n"
				    "# Default RTC /dev/rtc0 does not exist. Test Skipped!\n"
				    "ok 3 selftests: timers: rtcpie # SKIP no RTC\n";

/* KUnit in the kernel log: a suite that planned 3 cases and printed 2, one of them todo. */
static const char kunit_console[] = "[    0.100000] Run /init as init process\n"
				    "[    0.500000] KTAP version 1\n"
				    "[    0.500001] 1..1\n"
				    "[    0.500002]     KTAP version 1\n"
				    "[    0.500003]     # Subtest: example\n"
				    "[    0.500004]     1..3\n"
				    "[    0.500005]     ok 1 example_simple_test\n"
				    "[    0.500006]     ok 2 example_todo_test # TODO not yet\n"
				    "[    0.500007] ok 1 example\n";

static const char cut_short_out[] = "TAP version 13\n1..3\nok 1 - a\n";

/* Row 0 has both trees, row 1 none, row 2 (timed out) a tree with a problem. */
static void subtest_rows(struct run_result_row rows[3])
{
	rows[0] = (struct run_result_row){"6.1", "6.1.192", 0, RESULT_PASS, 9.1, selftests_out, ""};
	rows[1] = (struct run_result_row){"6.12", "6.12.48", 3, RESULT_FAIL, 8.7, NULL, NULL};
	rows[2] = (struct run_result_row){"trunc", "6.1.192",	  124, RESULT_TIMEOUT,
					  60,	   cut_short_out, NULL};
	CHECK(report_row_parse_tap(&rows[0], kunit_console) == 0 && rows[0].stdout_tap &&
		      rows[0].console_tap,
	      "subtests: stdout's TAP and the console's KTAP parsed");
	CHECK(report_row_parse_tap(&rows[1], "[    0.1] no KTAP here\n") == 0 &&
		      !rows[1].stdout_tap && !rows[1].console_tap,
	      "subtests: a row without TAP gets no trees");
	CHECK(report_row_parse_tap(&rows[2], NULL) == 0 && rows[2].stdout_tap &&
		      !rows[2].console_tap,
	      "subtests: no console log, no console tree");
}

static void test_subtests_parse(void)
{
	struct run_result_row rows[3];
	subtest_rows(rows);
	CHECK(rows[0].stdout_text == selftests_out && rows[0].kind == RESULT_PASS &&
		      rows[0].exit_code == 0 && strcmp(rows[0].name, "6.1") == 0,
	      "subtests: parsing leaves the row's text, kind and exit code");
	CHECK(report_exit_status(rows, 1) == 0,
	      "subtests: a failed subtest does not change the matrix's exit status");
	CHECK(report_exit_status(rows, 3) == 3, "subtests: exit status as without subtests");
	struct tap_tree *before = rows[0].stdout_tap;
	CHECK(report_row_parse_tap(&rows[0], kunit_console) == 0 && rows[0].stdout_tap &&
		      rows[0].stdout_tap != before,
	      "subtests: parsing again replaces the trees (the old ones freed)");
	for (int i = 0; i < 3; i++)
		report_row_free_tap(&rows[i]);
	CHECK(!rows[0].stdout_tap && !rows[0].console_tap, "subtests: freed trees are NULL");
	report_row_free_tap(&rows[0]); /* twice is harmless */
}

static void test_subtests_table(void)
{
	struct run_result_row rows[3];
	char *s;
	subtest_rows(rows);
	CHECK_STR(s = render(report_table, rows, 3),
		  "TARGET  KERNEL   RESULT    TIME  SUBTESTS\n"
		  "6.1     6.1.192  pass      9.1s  4 passed, 1 failed, 1 skipped; 1 TAP problem\n"
		  "6.12    6.12.48  fail 3    8.7s  -\n"
		  "trunc   6.1.192  timeout  60.0s  1 passed, 0 failed, 0 skipped; 1 TAP problem\n"
		  "1 passed, 2 failed\n",
		  "table: a SUBTESTS column (todo counts as passed, both trees summed), '-' for a "
		  "row without; the last line still counts runs");
	free(s);
	CHECK_STR(s = render(report_table, &rows[1], 1),
		  "TARGET  KERNEL   RESULT  TIME\n6.12    6.12.48  fail 3  8.7s\n0 passed, 1 "
		  "failed\n",
		  "table: no SUBTESTS column when no row has subtests");
	free(s);
	for (int i = 0; i < 3; i++)
		report_row_free_tap(&rows[i]);
}

static void test_subtests_tap(void)
{
	struct run_result_row rows[3];
	char *s;
	subtest_rows(rows);
	const char *want = "TAP version 14\n"
			   "1..3\n"
			   "# Subtest: 6.1 (6.1.192)\n"
			   "    1..4\n"
			   "    ok 1 - selftests: timers: posix_timers\n"
			   "    # Subtest: selftests: timers: nanosleep\n"
			   "        1..2\n"
			   "        ok 1 - CLOCK_REALTIME\n"
			   "        not ok 2 - CLOCK_TAI\n"
			   "          ---\n"
			   "          output: |\n"
			   "            # CLOCK_TAI: <FAILED> & \"gone\"\n"
			   "          ...\n"
			   "    not ok 2 - selftests: timers: nanosleep # exit=1\n"
			   "    ok 3 - selftests: timers: rtcpie # SKIP no RTC\n"
			   "    # Subtest: example\n"
			   "        1..2\n"
			   "        ok 1 - example_simple_test\n"
			   "        ok 2 - example_todo_test # TODO not yet\n"
			   "    ok 4 - example\n"
			   "    # TAP problem in the kernel log: example: planned 3 tests, saw 2\n"
			   "ok 1 - 6.1 (6.1.192)\n"
			   "not ok 2 - 6.12 (6.12.48): fail 3\n"
			   "  ---\n"
			   "  exit: 3\n"
			   "  seconds: 8.7\n"
			   "  ...\n"
			   "# Subtest: trunc (6.1.192): timeout\n"
			   "    1..1\n"
			   "    ok 1 - a\n"
			   "    # TAP problem in stdout: planned 3 tests, saw 1\n"
			   "not ok 3 - trunc (6.1.192): timeout\n"
			   "  ---\n"
			   "  exit: 124\n"
			   "  seconds: 60.0\n"
			   "  output: |\n"
			   "    TAP version 13\n"
			   "    1..3\n"
			   "    ok 1 - a\n"
			   "  ...\n";
	CHECK_STR(s = render(report_tap, rows, 3), want,
		  "TAP: version 14, each run's subtests (stdout's, then the kernel log's) as a "
		  "subtest before its line, renumbered, nested, a listed failure's diagnostics in "
		  "YAML, problems as comments");

	/* The report is TAP 14 itself: read back, it has the same tests. */
	struct tap_tree *t = NULL;
	struct tap_counts c = {0};
	CHECK(s && tap_parse(s, strlen(s), TAP_INPUT_PROGRAM, &t) == 0 && t,
	      "TAP: the report parses as TAP");
	tap_tree_count(t, &c);
	CHECK(c.passed == 4 && c.failed == 3 && c.skipped == 1 && c.todo == 1 && c.problems == 0,
	      "TAP: read back, 4 passed (3 subtests and the timed-out run's a), 3 failed "
	      "(CLOCK_TAI, the failed run, the timed-out run), 1 skipped, 1 todo, no problem "
	      "(got %zu %zu %zu %zu %zu)",
	      c.passed, c.failed, c.skipped, c.todo, c.problems);
	tap_tree_free(t);
	free(s);

	/* A plan of nothing, a test without a name, escaping, a subtest without its line. */
	struct run_result_row odd = {"odd", NULL, 0, RESULT_PASS, 1, NULL, NULL};
	odd.stdout_tap = NULL;
	CHECK(tap_parse("1..0 # SKIP no KVM\n", strlen("1..0 # SKIP no KVM\n"), TAP_INPUT_PROGRAM,
			&odd.stdout_tap) == 0 &&
		      odd.stdout_tap,
	      "TAP: a plan of nothing parses");
	CHECK_STR(s = render(report_tap, &odd, 1),
		  "TAP version 14\n1..1\n# Subtest: odd\n    1..0 # SKIP no KVM\nok 1 - odd\n",
		  "TAP: a run whose TAP skipped everything");
	free(s);
	tap_tree_free(odd.stdout_tap);
	static const char odd_out[] = "TAP version 14\n"
				      "1..2\n"
				      "ok\n"
				      "# Subtest: a \\# b\n"
				      "    1..2\n"
				      "    ok 1 - x\n";
	CHECK(tap_parse(odd_out, sizeof(odd_out) - 1, TAP_INPUT_PROGRAM, &odd.stdout_tap) == 0,
	      "TAP: the odd output parses");
	CHECK_STR(s = render(report_tap, &odd, 1),
		  "TAP version 14\n"
		  "1..1\n"
		  "# Subtest: odd\n"
		  "    1..2\n"
		  "    ok 1 - \\#1\n"
		  "    # Subtest: a \\# b\n"
		  "        1..1\n"
		  "        ok 1 - x\n"
		  "    not ok 2 - a \\# b # no result line\n"
		  "    # TAP problem in stdout: a # b: no result line after its subtests\n"
		  "    # TAP problem in stdout: a # b: planned 2 tests, saw 1\n"
		  "ok 1 - odd\n",
		  "TAP: a nameless test as hash-number, '#' escaped, a subtest cut short");
	free(s);
	tap_tree_free(odd.stdout_tap);
	for (int i = 0; i < 3; i++)
		report_row_free_tap(&rows[i]);
}

static void test_subtests_junit(void)
{
	struct run_result_row rows[3];
	char *s;
	subtest_rows(rows);
	const char *want =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"quiz\" tests=\"10\" failures=\"3\" errors=\"0\" skipped=\"1\" "
		"time=\"77.800\">\n"
		"  <testcase classname=\"quiz\" name=\"6.1\" time=\"9.100\">\n"
		"    <system-out>TAP version 13\n"
		"1..3\n"
		"# selftests: timers: posix_timers\n"
		"# Check itimer virtual... [OK]\n"
		"ok 1 selftests: timers: posix_timers\n"
		"# selftests: timers: nanosleep\n"
		"# TAP version 13\n"
		"# 1..2\n"
		"# ok 1 CLOCK_REALTIME\n"
		"# # CLOCK_TAI: &lt;FAILED&gt; &amp; &quot;gone&quot;\n"
		"# not ok 2 CLOCK_TAI\n"
		"not ok 2 selftests: timers: nanosleep # exit=1\n"
		"# selftests: timers: rtcpie\n"
		"# Default RTC /dev/rtc0 does not exist. Test Skipped!\n"
		"ok 3 selftests: timers: rtcpie # SKIP no RTC\n"
		"</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"6.1\" name=\"selftests: timers: posix_timers\">\n"
		"    <system-out># selftests: timers: posix_timers\n"
		"# Check itimer virtual... [OK]\n"
		"</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"6.1\" name=\"selftests: timers: nanosleep / "
		"CLOCK_REALTIME\"/>\n"
		"  <testcase classname=\"6.1\" name=\"selftests: timers: nanosleep / CLOCK_TAI\">\n"
		"    <failure message=\"not ok\" type=\"fail\"># CLOCK_TAI: &lt;FAILED&gt; &amp; "
		"&quot;gone&quot;\n</failure>\n"
		"  </testcase>\n"
		"  <testcase classname=\"6.1\" name=\"selftests: timers: rtcpie\">\n"
		"    <skipped message=\"no RTC\"/>\n"
		"    <system-out># selftests: timers: rtcpie\n"
		"# Default RTC /dev/rtc0 does not exist. Test Skipped!\n"
		"</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"6.1\" name=\"example / example_simple_test\"/>\n"
		"  <testcase classname=\"6.1\" name=\"example / example_todo_test\">\n"
		"    <system-out>TODO: not yet\n</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"6.12\" time=\"8.700\">\n"
		"    <failure message=\"exit status 3\" type=\"fail\"></failure>\n"
		"  </testcase>\n"
		"  <testcase classname=\"quiz\" name=\"trunc\" time=\"60.000\">\n"
		"    <failure message=\"exit status 124\" type=\"timeout\">"
		"TAP problem in stdout: planned 3 tests, saw 1\n"
		"TAP version 13\n1..3\nok 1 - a\n</failure>\n"
		"    <system-out>TAP version 13\n1..3\nok 1 - a\n</system-out>\n"
		"  </testcase>\n"
		"  <testcase classname=\"trunc\" name=\"a\"/>\n"
		"</testsuite>\n";
	CHECK_STR(s = junit(NULL, rows, 3), want,
		  "JUnit: the run's testcase, then one per listed subtest (path joined by ' / '), "
		  "failure with its diagnostics, skipped with its reason, todo as a note; counts "
		  "include them; a failed run's problems lead its failure text");
	if (system("command -v python3 >/dev/null 2>&1") != 0)
		CHECK(false, "JUnit with subtests is well-formed XML: python3 not found");
	else
		CHECK(minidom_parse(s) == 0, "JUnit with subtests is well-formed XML (minidom)");
	free(s);

	/* A run that failed after all its subtests passed: that failure is listed too. */
	struct run_result_row exited = {"x", "6.1.1", 1, RESULT_FAIL, 2, NULL, NULL};
	static const char exited_out[] = "TAP version 13\n1..1\n# selftests: a: b\n"
					 "# TAP version 13\n# 1..1\n# ok 1 c\n"
					 "not ok 1 selftests: a: b # exit=1\n";
	CHECK(tap_parse(exited_out, sizeof(exited_out) - 1, TAP_INPUT_PROGRAM,
			&exited.stdout_tap) == 0 &&
		      exited.stdout_tap,
	      "JUnit: kselftest output whose test exits 1 after its subtests passed parses");
	s = junit("s", &exited, 1);
	CHECK(s && strstr(s, "tests=\"3\" failures=\"2\"") &&
		      strstr(s,
			     "<testcase classname=\"x\" name=\"selftests: a: b\">\n"
			     "    <failure message=\"exit=1\" type=\"fail\"># selftests: a: b\n") &&
		      strstr(s, "<testcase classname=\"x\" name=\"selftests: a: b / c\"/>"),
	      "JUnit: the test that exited 1 fails as a testcase of its own, beside its passed "
	      "subtest");
	free(s);
	report_row_free_tap(&exited);
	for (int i = 0; i < 3; i++)
		report_row_free_tap(&rows[i]);
}

/* Rows that name their architecture: an ARCH column, "(KERNEL, ARCH)", JUnit "quiz.ARCH". */
static void test_arch(void)
{
	const struct run_result_row rows[] = {
		{.name = "x86_64-6.1.192",
		 .kernel = "6.1.192",
		 .kind = RESULT_PASS,
		 .seconds = 1,
		 .arch = "x86_64"},
		{.name = "s390x-6.1.192",
		 .kernel = "6.1.192",
		 .exit_code = 3,
		 .kind = RESULT_FAIL,
		 .seconds = 2.5,
		 .arch = "s390x"},
	};
	char *s = render(report_table, rows, 2);
	CHECK_STR(s,
		  "TARGET          KERNEL   ARCH    RESULT  TIME\n"
		  "x86_64-6.1.192  6.1.192  x86_64  pass    1.0s\n"
		  "s390x-6.1.192   6.1.192  s390x   fail 3  2.5s\n"
		  "1 passed, 1 failed\n",
		  "table: an ARCH column when the rows name one");
	free(s);
	s = render(report_tap, rows, 2);
	CHECK(s && strstr(s, "ok 1 - x86_64-6.1.192 (6.1.192, x86_64)\n") &&
		      strstr(s, "not ok 2 - s390x-6.1.192 (6.1.192, s390x): fail 3\n"),
	      "TAP: (KERNEL, ARCH)");
	free(s);
	s = junit(NULL, rows, 2);
	CHECK(s && strstr(s, "<testcase classname=\"quiz.x86_64\" name=\"x86_64-6.1.192\"") &&
		      strstr(s, "<testcase classname=\"quiz.s390x\" name=\"s390x-6.1.192\""),
	      "JUnit: the architecture is the class under quiz");
	free(s);
}

/* A splat row: "splat" in the table, TAP and JUnit, quoting quiz's report, not the tail. */
static void test_splat(void)
{
	struct buf err = {0};
	buf_puts(
		&err,
		"the program's own line\n"
		"quiz: kernel report (warning): WARNING: CPU: 0 PID: 31 at m.c:24 f+0x9/0xd [m]\n");
	for (int i = 0; i < 30; i++)
		buf_printf(&err, "[    1.%06d]  frame%d+0x1/0x2\n", i, i);
	buf_puts(&err, "quiz: the program passed, but the kernel did not: exit 123\n");
	struct run_result_row row = {"6.1", "6.1.192", 123, RESULT_PASS, 2.0, "loaded\n", err.data};
	struct run_result res = result_of(RUN_END_PROGRAM, 123, true);
	row.kind = result_classify(row.exit_code, &res);
	CHECK(row.kind == RESULT_SPLAT, "the row is a splat");
	char *d = describe(&row);
	CHECK_STR(d, "splat", "described as splat");
	free(d);
	char *t = render(report_tap, &row, 1);
	CHECK(t && strstr(t, "not ok 1 - 6.1 (6.1.192): splat\n"), "TAP: not ok ...: splat");
	CHECK(t && strstr(t, "    quiz: kernel report (warning): WARNING: CPU: 0 PID: 31") &&
		      strstr(t, "frame0+0x1/0x2") && strstr(t, "frame29+0x1/0x2") &&
		      !strstr(t, "the program's own line"),
	      "TAP: the output block is the whole report, from its first line");
	free(t);
	char *j = junit(NULL, &row, 1);
	CHECK(j && strstr(j, "failures=\"1\" errors=\"0\""), "JUnit: counted as a failure");
	CHECK(j && strstr(j, "<failure message=\"exit status 123\" type=\"splat\">quiz: kernel "
			     "report (warning): WARNING: CPU: 0 PID: 31"),
	      "JUnit: a failure of type splat whose text starts with the report");
	CHECK(j && strstr(j, "frame0+0x1/0x2\n[    1.000001]"), "JUnit: the report whole");
	free(j);
	char *tab = render(report_table, &row, 1);
	CHECK(tab && strstr(tab, " splat ") && strstr(tab, "0 passed, 1 failed"),
	      "table: splat, counted as failed");
	free(tab);
	CHECK(report_exit_status(&row, 1) == 123, "the matrix exits 123");
	buf_free(&err);
}

int main(void)
{
	test_arch();
	test_splat();
	test_classify();
	test_describe();
	test_exit_status();
	test_table();
	test_tap();
	test_junit();
	test_subtests_parse();
	test_subtests_table();
	test_subtests_tap();
	test_subtests_junit();
	return tap_done();
}
