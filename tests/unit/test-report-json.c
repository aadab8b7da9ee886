/* SPDX-License-Identifier: MIT */
/* The JSON reports (--list --json, result.json, summary.json): exact text, and the string
 * escaping of whatever names, profiles, programs and stderr hold. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tap.h"

static char *targets(const struct report_target *t, size_t n)
{
	struct buf b = {0};
	int r = report_targets_json(t, n, &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	}
	return b.data;
}

static char *result(const struct run_result_row *row)
{
	struct buf b = {0};
	int r = report_result_json(row, &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	}
	return b.data;
}

static char *summary(const struct run_result_row *rows, size_t n, const char *shard)
{
	struct buf b = {0};
	int r = report_summary_json(rows, n, "0.1.0", shard, report_exit_status(rows, n), &b);
	if (r < 0) {
		buf_free(&b);
		buf_printf(&b, "ERROR(%d)", r);
	}
	return b.data;
}

static void test_targets(void)
{
	char *profiles[] = {"blockdev:count=2,size=1G", "memdev"};
	char *program[] = {"./test.sh", "--fs", "ext4", NULL};
	struct report_target t[] = {
		{"ext4-6.1", "6.1", "x86_64", profiles, 2, program, 300},
		{"shell", "6.12.48", "s390x", NULL, 0, NULL, 0},
	};
	char *s = targets(t, 2);
	CHECK_STR(
		s,
		"[\n"
		"{\"name\": \"ext4-6.1\", \"kernel\": \"6.1\", \"arch\": \"x86_64\", \"profiles\": "
		"[\"blockdev:count=2,size=1G\", \"memdev\"], \"program\": [\"./test.sh\", "
		"\"--fs\", \"ext4\"], \"timeout\": 300},\n"
		"{\"name\": \"shell\", \"kernel\": \"6.12.48\", \"arch\": \"s390x\", \"profiles\": "
		"[], \"program\": [], \"timeout\": null}\n"
		"]\n",
		"--list --json: one object a line, profiles and program as arrays, null timeout");
	free(s);
	s = targets(NULL, 0);
	CHECK_STR(s, "[\n]\n", "no targets (an empty shard): an empty array");
	free(s);
}

static void test_escaping(void)
{
	/* Quote, backslash, the short escapes, other controls, DEL, UTF-8 kept (2 and 4 bytes), a
	 * lone continuation byte, a truncated sequence, an overlong '/', a surrogate. */
	char *program[] = {"say \"hi\" \\ \b\f\n\r\t\x01\x1f\x7f/",
			   "caf\xc3\xa9 \xf0\x9f\x90\xa7 \x80 \xe2\x82 \xc0\xaf \xed\xa0\x80",
			   NULL};
	struct report_target t = {"n", NULL, "x86_64", NULL, 0, program, 0};
	char *s = targets(&t, 1);
	CHECK_STR(
		s,
		"[\n{\"name\": \"n\", \"kernel\": null, \"arch\": \"x86_64\", \"profiles\": [], "
		"\"program\": [\"say \\\"hi\\\" \\\\ \\b\\f\\n\\r\\t\\u0001\\u001f\\u007f/\", "
		"\"caf\xc3\xa9 \xf0\x9f\x90\xa7 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
		"\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"], "
		"\"timeout\": null}\n]\n",
		"strings: \\\" \\\\ \\b \\f \\n \\r \\t, \\u00XX for other controls and DEL, UTF-8 "
		"kept, each byte that is not UTF-8 one U+FFFD");
	free(s);
}

static const char splat_stderr[] =
	"quiz: the program passed, but the kernel did not: 2 reports\n"
	"quiz: kernel report (warning): WARNING: CPU: 0 PID: 1 at fs/\"x\".c:12 f+0x1/0x2\n"
	"[   1.0] trace line\n"
	"quiz: allowed kernel report (--splat-allow): WARNING: other\n"
	"quiz: kernel report (oops): Oops: general protection fault\tsomething";

/* The result of the run splat_stderr came from: two reports fail it, one is allowed. */
static struct run_result splat_result(void)
{
	struct run_result r = {.end = RUN_END_PROGRAM, .exit_status = 123, .splat_failed = true};
	run_result_add_report(&r, SPLAT_WARNING, false,
			      "WARNING: CPU: 0 PID: 1 at fs/\"x\".c:12 f+0x1/0x2");
	run_result_add_report(&r, SPLAT_WARNING, true, "WARNING: other");
	run_result_add_report(&r, SPLAT_OOPS, false, "Oops: general protection fault\tsomething");
	return r;
}

static void test_result(void)
{
	struct run_result res = splat_result();
	char *profiles[] = {"memdev"};
	struct run_result_row pass = {.name = "6.1",
				      .kernel = "6.1.192",
				      .exit_code = 0,
				      .kind = RESULT_PASS,
				      .seconds = 4.2125,
				      .arch = "x86_64",
				      .profiles = profiles,
				      .n_profiles = 1};
	char *s = result(&pass);
	CHECK_STR(
		s,
		"{\"name\": \"6.1\", \"kernel\": \"6.1.192\", \"arch\": \"x86_64\", \"profiles\": "
		"[\"memdev\"], \"exit_status\": 0, \"result\": \"pass\", \"seconds\": 4.213, "
		"\"splats\": [], \"subtests\": null}\n",
		"result.json of a pass");
	free(s);

	struct run_result_row splat = {.name = "x",
				       .kernel = NULL,
				       .exit_code = 123,
				       .kind = RESULT_SPLAT,
				       .seconds = -1,
				       .stderr_text = splat_stderr,
				       .result = &res};
	s = result(&splat);
	CHECK_STR(
		s,
		"{\"name\": \"x\", \"kernel\": null, \"arch\": null, \"profiles\": [], "
		"\"exit_status\": 123, \"result\": \"splat\", \"seconds\": 0.000, \"splats\": "
		"[{\"kind\": \"warning\", \"title\": \"WARNING: CPU: 0 PID: 1 at fs/\\\"x\\\".c:12 "
		"f+0x1/0x2\"}, {\"kind\": \"oops\", \"title\": \"Oops: general protection "
		"fault\\tsomething\"}], \"subtests\": null}\n",
		"result.json of a splat: each failing kernel report's kind and title (not the "
		"allowed one), a negative time as 0");
	free(s);

	struct run_result_row fail = {.name = "t",
				      .exit_code = 3,
				      .kind = RESULT_FAIL,
				      .seconds = 1,
				      .stderr_text = splat_stderr,
				      .result = &res};
	s = result(&fail);
	CHECK(s && strstr(s, "\"result\": \"fail\"") && strstr(s, "\"splats\": []"),
	      "a failed run lists no splats (its status is the program's)");
	free(s);

	struct run_result_row bad = {.name = "t", .kind = (enum result_kind)42};
	s = result(&bad);
	CHECK_STR(s, "ERROR(-22)", "an unknown kind is -EINVAL");
	free(s);

	/* quiz's words on stderr are for people: reworded, or gone, no verdict changes. */
	static const char reworded[] = "quiz: KERNEL REPORT [warning] -- something else\n";
	struct run_result_row again = splat;
	again.stderr_text = reworded;
	again.kind = result_classify(again.exit_code, &res);
	char *before = result(&splat), *after = result(&again);
	CHECK(again.kind == RESULT_SPLAT, "a reworded stderr: still a splat");
	CHECK_STR(after, before, "a reworded stderr changes no JSON result");
	struct buf xb = {0}, xa = {0};
	CHECK(report_junit("quiz", &splat, 1, &xb) == 0 &&
		      report_junit("quiz", &again, 1, &xa) == 0,
	      "JUnit of both");
	const char *tb = xb.data ? strstr(xb.data, "<failure ") : NULL;
	const char *ta = xa.data ? strstr(xa.data, "<failure ") : NULL;
	CHECK(tb && ta && strncmp(tb, ta, strcspn(tb, ">")) == 0 &&
		      strstr(xa.data, "type=\"splat\"") && strstr(xa.data, "failures=\"1\""),
	      "nor JUnit's failure, its type or its counts (the quoted text may differ)");
	buf_free(&xb);
	buf_free(&xa);
	free(before);
	free(after);
	run_result_free(&res);
}

static void test_summary(void)
{
	struct run_result_row rows[] = {
		{.name = "a",
		 .kernel = "6.1.192",
		 .exit_code = 0,
		 .kind = RESULT_PASS,
		 .seconds = 1.5},
		{.name = "b",
		 .kernel = "6.12.48",
		 .exit_code = 124,
		 .kind = RESULT_TIMEOUT,
		 .seconds = 2.25,
		 .arch = "s390x"},
	};
	char *s = summary(rows, 2, "2/5");
	CHECK_STR(
		s,
		"{\"quiz\": \"0.1.0\", \"shard\": \"2/5\", \"exit_status\": 124, \"passed\": 1, "
		"\"failed\": 1, \"seconds\": 3.750, \"runs\": [\n"
		"{\"name\": \"a\", \"kernel\": \"6.1.192\", \"arch\": null, \"profiles\": [], "
		"\"exit_status\": 0, \"result\": \"pass\", \"seconds\": 1.500, \"splats\": [], "
		"\"subtests\": null},\n"
		"{\"name\": \"b\", \"kernel\": \"6.12.48\", \"arch\": \"s390x\", \"profiles\": [], "
		"\"exit_status\": 124, \"result\": \"timeout\", \"seconds\": 2.250, \"splats\": "
		"[], \"subtests\": null}\n"
		"]}\n",
		"summary.json: the matrix's exit status, counts, time, shard, then each run");
	free(s);
	s = summary(NULL, 0, NULL);
	CHECK_STR(s,
		  "{\"quiz\": \"0.1.0\", \"shard\": null, \"exit_status\": 0, \"passed\": 0, "
		  "\"failed\": 0, \"seconds\": 0.000, \"runs\": []}\n",
		  "summary.json of no runs (an empty shard)");
	free(s);
}

int main(void)
{
	test_targets();
	test_escaping();
	test_result();
	test_summary();
	return tap_done();
}
