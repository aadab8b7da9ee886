/* SPDX-License-Identifier: MIT */
/* The TAP / KTAP parser: real kselftest and KUnit output, the specs' examples, odd input. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "tap.h"
#include "tap_parse.h"

static const char *const result_word[] = {"pass", "fail", "skip", "todo"};

/* One line per test, indented by 2 per level: "RESULT NUMBER NAME[ # DIRECTIVE][ [1..N]]". */
static void describe_node(struct buf *b, const struct tap_node *n, int depth)
{
	for (size_t i = 0; i < n->n_children; i++) {
		const struct tap_node *c = &n->children[i];
		buf_printf(b, "%*s%s %lu %s", 2 * depth, "", result_word[c->result], c->number,
			   c->name);
		if (c->directive)
			buf_printf(b, " # %s", c->directive);
		if (c->planned >= 0)
			buf_printf(b, " [1..%ld]", c->planned);
		if (c->no_result_line)
			buf_puts(b, " (no result line)");
		buf_puts(b, "\n");
		describe_node(b, c, depth + 1);
	}
}

/* The tree as text, then its problems as "line: message", or "(no TAP)" / "ERROR(r)". */
static char *describe(const char *text, size_t len, enum tap_input input)
{
	struct tap_tree *t = NULL;
	struct buf b = {0};
	int r = tap_parse(text, len, input, &t);
	if (r < 0) {
		buf_printf(&b, "ERROR(%d)", r);
		return b.data;
	}
	if (!t) {
		buf_puts(&b, "(no TAP)");
		return b.data;
	}
	buf_printf(&b, "plan %ld\n", t->root.planned);
	describe_node(&b, &t->root, 0);
	for (size_t i = 0; i < t->n_problems; i++)
		buf_printf(&b, "%u: %s\n", t->problems[i].line, t->problems[i].message);
	tap_tree_free(t);
	return b.data;
}

static char *describe_str(const char *text, enum tap_input input)
{
	return describe(text, strlen(text), input);
}

/* Parses text, which must hold TAP; NULL (and a failed check) otherwise. */
static struct tap_tree *parse(const char *text, size_t len, enum tap_input input)
{
	struct tap_tree *t = NULL;
	int r = tap_parse(text, len, input, &t);
	CHECK(r == 0 && t, "parses (r=%d)", r);
	return r == 0 ? t : NULL;
}

static struct tap_tree *parse_str(const char *text)
{
	return parse(text, strlen(text), TAP_INPUT_PROGRAM);
}

/* The node at a path of child indexes ending in -1, e.g. at(t, 0, 2, -1). */
static const struct tap_node *at(const struct tap_tree *t, ...)
{
	const struct tap_node *n = t ? &t->root : NULL;
	va_list ap;
	va_start(ap, t);
	for (int i; n && (i = va_arg(ap, int)) >= 0;)
		n = (size_t)i < n->n_children ? &n->children[i] : NULL;
	va_end(ap);
	return n;
}

static const char *diagnostics(const struct tap_node *n)
{
	return !n ? "(no such test)" : n->diagnostics.data ? n->diagnostics.data : "";
}

static char *counts(const struct tap_tree *t)
{
	struct tap_counts c = {0};
	struct buf b = {0};
	tap_tree_count(t, &c);
	buf_printf(&b, "%zu passed, %zu failed, %zu skipped, %zu todo, %zu problems", c.passed,
		   c.failed, c.skipped, c.todo, c.problems);
	return b.data;
}

/* A file from tests/unit/data (the real samples; see its README.md). */
static char *data_file(const char *name, size_t *ret_len)
{
	const char *dir = getenv("QUIZ_TEST_DATA");
	char *path = NULL, *text = NULL;
	if (asprintf(&path, "%s/%s", dir ? dir : QUIZ_SOURCE_DIR "/tests/unit/data", name) < 0)
		return NULL;
	int r = read_file(path, &text, ret_len);
	if (r < 0)
		printf("# cannot read %s: %s\n", path, strerror(-r));
	free(path);
	return text;
}

/* ---- kselftest ---- */

static void test_kselftest_runner(void)
{
	size_t len = 0;
	char *text = data_file("kselftest-runner-6.1.txt", &len), *s;
	CHECK_STR(s = describe(text, len, TAP_INPUT_PROGRAM),
		  "plan 7\n"
		  "pass 1 selftests: sigaltstack: sas [1..3]\n"
		  "  pass 1 Initial sigaltstack state was SS_DISABLE\n"
		  "  pass 2 sigaltstack is disabled in sighandler\n"
		  "  pass 3 sigaltstack is still SS_AUTODISARM after signal\n"
		  "pass 1 selftests: kcmp: kcmp_test [1..3]\n"
		  "pass 1 selftests: timers: posix_timers\n"
		  "skip 2 selftests: timers: rtcpie # SKIP\n"
		  "pass 1 selftests: size: get_size [1..1]\n"
		  "  pass 1 get runtime memory use\n"
		  "skip 1 selftests: splice: short_splice_read.sh # SKIP\n"
		  "pass 2 selftests: splice: default_file_splice_read.sh\n"
		  "26: selftests: kcmp: kcmp_test: planned 3 tests, saw 0\n",
		  "kselftest runner (real, 6.1): one document per folder, each test's own TAP "
		  "nested by a hash prefix, skips, kcmp's plan that its test points never follow");
	free(s);

	struct tap_tree *t = parse(text, len, TAP_INPUT_PROGRAM);
	CHECK_STR(s = counts(t), "7 passed, 0 failed, 2 skipped, 0 todo, 1 problems",
		  "kselftest runner: the listed tests are the leaves (sas by its 3 subtests)");
	free(s);
	CHECK_STR(diagnostics(at(t, 0, 2, -1)),
		  "# [RUN]\tswitched to user ctx\n# [RUN]\tsignal USR2\n# [OK]\tStack preserved\n",
		  "kselftest: a nested test's diagnostics are the lines before it, less the hash "
		  "prefix");
	CHECK_STR(diagnostics(at(t, 3, -1)),
		  "# selftests: timers: rtcpie\n"
		  "# Default RTC /dev/rtc0 does not exist. Test Skipped!\n",
		  "kselftest: a runner's test has its header and output as diagnostics");
	CHECK(at(t, 3, -1) && at(t, 3, -1)->reason && !*at(t, 3, -1)->reason,
	      "kselftest: SKIP with no reason has reason \"\"");
	const struct tap_node *sas = at(t, 0, -1);
	CHECK(sas && sas->diagnostics.data &&
		      strstr(sas->diagnostics.data,
			     "# ok 2 sigaltstack is disabled in sighandler\n"),
	      "kselftest: the parent's diagnostics hold its subtests' lines (KTAP)");
	CHECK(t && t->n_problems == 1 && t->problems[0].kind == TAP_PROBLEM_COUNT &&
		      t->problems[0].planned == 3 && t->problems[0].seen == 0,
	      "kselftest: kcmp's mismatch is a COUNT problem with planned 3, seen 0");
	tap_tree_free(t);
	free(text);

	text = data_file("kunit-parser-kselftest.log", &len);
	CHECK_STR(s = describe(text, len, TAP_INPUT_PROGRAM),
		  "plan 2\n"
		  "pass 1 selftests: membarrier: membarrier_test_single_thread [1..2]\n"
		  "  pass 1 sys_membarrier available\n"
		  "  pass 2 sys membarrier invalid command test: command = -1, flags = 0, errno = "
		  "22. Failed as expected\n"
		  "pass 2 selftests: membarrier: membarrier_test_multi_thread [1..2]\n"
		  "  pass 1 sys_membarrier available\n"
		  "  pass 2 sys membarrier invalid command test: command = -1, flags = 0, errno = "
		  "22. Failed as expected\n",
		  "kselftest runner (kunit_tool's sample): membarrier's two tests, nested");
	free(s);
	free(text);

	/* The runner's other result lines, as runner.sh (6.1) echoes them. */
	CHECK_STR(s = describe_str(
			  "TAP version 13\n"
			  "1..3\n"
			  "# selftests: timers: nanosleep\n"
			  "# nanosleep: CLOCK_REALTIME ... FAILED\n"
			  "not ok 1 selftests: timers: nanosleep # exit=1\n"
			  "# selftests: timers: inconsistency-check\n"
			  "#\n"
			  "not ok 2 selftests: timers: inconsistency-check # TIMEOUT 45 seconds\n"
			  "# selftests: timers: gone\n"
			  "# Warning: file gone is missing!\n"
			  "not ok 3 selftests: timers: gone\n",
			  TAP_INPUT_PROGRAM),
		  "plan 3\n"
		  "fail 1 selftests: timers: nanosleep # exit=1\n"
		  "fail 2 selftests: timers: inconsistency-check # TIMEOUT 45 seconds\n"
		  "fail 3 selftests: timers: gone\n",
		  "kselftest runner: exit=N and TIMEOUT are failures, the name stays the same");
	free(s);
}

/* ---- KUnit ---- */

static void test_kunit_logs(void)
{
	size_t len = 0;
	char *text = data_file("kunit-failure.log", &len), *s;
	CHECK_STR(
		s = describe(text, len, TAP_INPUT_KERNEL_LOG),
		"plan 2\n"
		"pass 1 sysctl_test [1..8]\n"
		"  pass 1 sysctl_test_dointvec_null_tbl_data\n"
		"  pass 2 sysctl_test_dointvec_table_maxlen_unset\n"
		"  pass 3 sysctl_test_dointvec_table_len_is_zero\n"
		"  pass 4 sysctl_test_dointvec_table_read_but_position_set\n"
		"  pass 5 sysctl_test_dointvec_happy_single_positive\n"
		"  pass 6 sysctl_test_dointvec_happy_single_negative\n"
		"  pass 7 sysctl_test_dointvec_single_less_int_min\n"
		"  pass 8 sysctl_test_dointvec_single_greater_int_max\n"
		"fail 2 example [1..2]\n"
		"  fail 1 example_simple_test\n"
		"  pass 2 example_mock_test\n",
		"KUnit (real): tab-indented suites, ' - ' dropped, a failed case fails its suite");
	free(s);
	struct tap_tree *t = parse(text, len, TAP_INPUT_KERNEL_LOG);
	CHECK_STR(diagnostics(at(t, 1, 0, -1)),
		  "init_suite\n"
		  "# example_simple_test: initializing\n"
		  "# example_simple_test: EXPECTATION FAILED at lib/kunit/example-test.c:30\n"
		  "Expected 1 + 1 == 3, but\n"
		  "\t1 + 1 == 2\n"
		  "\t3 == 3\n"
		  "# example_simple_test: example_simple_test failed\n",
		  "KUnit: the failed case's diagnostics are the lines before its result, unknown "
		  "unindented ones too");
	CHECK_STR(s = counts(t), "9 passed, 1 failed, 0 skipped, 0 todo, 0 problems",
		  "KUnit: counts are of the cases, not the suites");
	free(s);
	tap_tree_free(t);
	free(text);

	text = data_file("kunit-multiple-prefixes.log", &len);
	CHECK_STR(s = describe(text, len, TAP_INPUT_KERNEL_LOG),
		  "plan 3\n"
		  "pass 1 kunit-resource-test [1..5]\n"
		  "  pass 1 kunit_resource_test_init_resources\n"
		  "  pass 2 kunit_resource_test_alloc_resource\n"
		  "  pass 3 kunit_resource_test_destroy_resource\n"
		  "  pass 4 kunit_resource_test_cleanup_resources\n"
		  "  pass 5 kunit_resource_test_proper_free_ordering\n"
		  "pass 2 kunit-try-catch-test [1..2]\n"
		  "  pass 1 kunit_test_try_catch_successful_try_no_catch\n"
		  "  pass 2 kunit_test_try_catch_unsuccessful_try_does_catch\n"
		  "pass 3 string-stream-test [1..3]\n"
		  "  pass 1 string_stream_test_empty_on_creation\n"
		  "  pass 2 string_stream_test_not_empty_after_add\n"
		  "  pass 3 string_stream_test_get_string\n",
		  "KUnit kernel log (real): '[    0.060000][    T1] ' prefixes dropped, the boot "
		  "and panic around it ignored");
	free(s);
	CHECK_STR(s = describe(text, len, TAP_INPUT_PROGRAM), "(no TAP)",
		  "the same log read as program output holds no TAP (no line starts with it)");
	free(s);
	free(text);

	text = data_file("kunit-panic-interrupt.log", &len);
	CHECK_STR(s = describe(text, len, TAP_INPUT_KERNEL_LOG),
		  "plan 3\n"
		  "pass 1 kunit-resource-test [1..5]\n"
		  "  pass 1 kunit_resource_test_init_resources\n"
		  "  pass 2 kunit_resource_test_alloc_resource\n"
		  "  pass 3 kunit_resource_test_destroy_resource\n"
		  "  pass 4 kunit_resource_test_cleanup_resources\n"
		  "  pass 5 kunit_resource_test_proper_free_ordering\n"
		  "pass 2 kunit-try-catch-test [1..2]\n"
		  "  pass 1 kunit_test_try_catch_successful_try_no_catch\n"
		  "  pass 2 kunit_test_try_catch_unsuccessful_try_does_catch\n"
		  "fail 0 string-stream-test [1..3] (no result line)\n"
		  "  pass 1 string_stream_test_empty_on_creation\n"
		  "27: string-stream-test: no result line after its subtests\n"
		  "27: string-stream-test: planned 3 tests, saw 1\n",
		  "KUnit cut short by a panic (real, no final newline): the suite without a result "
		  "line fails, named by its Subtest comment, and the missing cases are a problem");
	free(s);
	t = parse(text, len, TAP_INPUT_KERNEL_LOG);
	CHECK_STR(s = counts(t), "8 passed, 1 failed, 0 skipped, 0 todo, 2 problems",
		  "KUnit cut short: the suite counts as a failure of its own");
	free(s);
	tap_tree_free(t);
	free(text);

	text = data_file("kunit-skip-tests.log", &len);
	CHECK_STR(s = describe(text, len, TAP_INPUT_PROGRAM),
		  "plan 2\n"
		  "pass 1 string-stream-test [1..3]\n"
		  "  pass 1 string_stream_test_empty_on_creation\n"
		  "  pass 2 string_stream_test_not_empty_after_add\n"
		  "  pass 3 string_stream_test_get_string\n"
		  "pass 2 example [1..2]\n"
		  "  pass 1 example_simple_test\n"
		  "  skip 2 example_skip_test # SKIP this test should be skipped\n",
		  "KUnit 4-space suites (real): a skipped case");
	free(s);
	t = parse(text, len, TAP_INPUT_PROGRAM);
	const struct tap_node *skipped = at(t, 1, 1, -1);
	CHECK_STR(skipped ? skipped->reason : NULL, "this test should be skipped",
		  "KUnit: the SKIP reason");
	CHECK_STR(diagnostics(skipped), "",
		  "TAP 14 document: a case's diagnostics follow it (none here)");
	CHECK_STR(diagnostics(at(t, 1, 0, -1)), "# example_skip_test: initializing\n",
		  "TAP 14 document: the line after a test point is its diagnostic");
	tap_tree_free(t);
	free(text);

	text = data_file("kunit-6.12-attributes.log", &len);
	CHECK_STR(s = describe(text, len, TAP_INPUT_KERNEL_LOG),
		  "plan 1\n"
		  "pass 1 suite [1..1]\n"
		  "  pass 1 test\n",
		  "KTAP version 1 with 2-space nesting (real, 6.12)");
	free(s);
	t = parse(text, len, TAP_INPUT_KERNEL_LOG);
	CHECK_STR(diagnostics(at(t, 0, 0, -1)), "# test.speed: slow\n",
		  "KTAP: the attribute line before a case is its diagnostic");
	CHECK_STR(diagnostics(at(t, 0, -1)),
		  "  KTAP version 1\n  # Subtest: suite\n  # module: example\n  1..1\n"
		  "  # test.speed: slow\n  ok 1 test\n",
		  "KTAP: a suite's diagnostics are its subtests' lines, indented");
	tap_tree_free(t);
	free(text);
}

/*
 * KUnit as 6.1 prints it, built from lib/kunit/test.c's and executor.c's format strings (no
 * kernel ran here): 4-space suites with "KTAP version 1" and "# Subtest:", a parameterised
 * case one level deeper with no plan, the stats lines, then a suite loaded as a module later,
 * which prints no top-level header.
 */
static const char kunit_61[] =
	"[    0.312345] Run /init as init process\n"
	"[    0.400001] KTAP version 1\n"
	"[    0.400002] 1..2\n"
	"[    0.400003]     KTAP version 1\n"
	"[    0.400004]     # Subtest: example\n"
	"[    0.400005]     1..3\n"
	"[    0.400006]     # example_simple_test: initializing\n"
	"[    0.400007]     ok 1 example_simple_test\n"
	"[    0.400008]     # example_skip_test: initializing\n"
	"[    0.400009]     # example_skip_test: You should not see a line like this in the log\n"
	"[    0.400010]     ok 2 example_skip_test # SKIP this test should be skipped\n"
	"[    0.400011]         KTAP version 1\n"
	"[    0.400012]         # Subtest: example_params_test\n"
	"[    0.400013]         ok 1 example value 1\n"
	"[    0.400014]     # example_params_test: EXPECTATION FAILED at kunit-example-test.c:90\n"
	"[    0.400015]         not ok 2 example value 0\n"
	"[    0.400016]     # example_params_test: pass:1 fail:1 skip:0 total:2\n"
	"[    0.400017]     not ok 3 example_params_test\n"
	"[    0.400018] # example: pass:1 fail:1 skip:1 total:3\n"
	"[    0.400019] # Totals: pass:2 fail:1 skip:1 total:4\n"
	"[    0.400020] not ok 1 example\n"
	"[    0.400021]     KTAP version 1\n"
	"[    0.400022]     # Subtest: empty\n"
	"[    0.400023]     1..0\n"
	"[    0.400024] ok 2 empty\n"
	"[    3.000000] random: crng init done\n"
	"[    5.000001]     KTAP version 1\n"
	"[    5.000002]     # Subtest: loaded_later\n"
	"[    5.000003]     1..1\n"
	"[    5.000004]     ok 1 case\n"
	"[    5.000005] ok 1 loaded_later\n";

static void test_kunit_61(void)
{
	char *s;
	CHECK_STR(s = describe_str(kunit_61, TAP_INPUT_KERNEL_LOG),
		  "plan -1\n"
		  "fail 1 example [1..3]\n"
		  "  pass 1 example_simple_test\n"
		  "  skip 2 example_skip_test # SKIP this test should be skipped\n"
		  "  fail 3 example_params_test\n"
		  "    pass 1 example value 1\n"
		  "    fail 2 example value 0\n"
		  "pass 2 empty [1..0]\n"
		  "pass 1 loaded_later [1..1]\n"
		  "  pass 1 case\n",
		  "KUnit 6.1 format: parameters without a plan are no problem; a module's suite "
		  "after the built-in ones (test 1 again, no header) is a document of its own");
	free(s);

	struct tap_tree *t = parse(kunit_61, sizeof(kunit_61) - 1, TAP_INPUT_KERNEL_LOG);
	CHECK_STR(diagnostics(at(t, 0, 2, 1, -1)),
		  "# example_params_test: EXPECTATION FAILED at kunit-example-test.c:90\n",
		  "KUnit: a parameter's diagnostics, though printed less indented");
	CHECK_STR(diagnostics(at(t, 0, 1, -1)),
		  "# example_skip_test: initializing\n"
		  "# example_skip_test: You should not see a line like this in the log\n",
		  "KUnit: the skipped case's diagnostics");
	CHECK(at(t, 0, 2, -1) && at(t, 0, 2, -1)->planned == -1,
	      "KUnit: parameters have no plan (-1)");
	tap_tree_free(t);
}

/* ---- the specs' examples ---- */

/* Documentation/dev-tools/ktap.rst (6.1), "Example KTAP output". */
static const char ktap_example[] = "KTAP version 1\n"
				   "1..1\n"
				   "  KTAP version 1\n"
				   "  1..3\n"
				   "    KTAP version 1\n"
				   "    1..1\n"
				   "    # test_1: initializing test_1\n"
				   "    ok 1 test_1\n"
				   "  ok 1 example_test_1\n"
				   "    KTAP version 1\n"
				   "    1..2\n"
				   "    ok 1 test_1 # SKIP test_1 skipped\n"
				   "    ok 2 test_2\n"
				   "  ok 2 example_test_2\n"
				   "    KTAP version 1\n"
				   "    1..3\n"
				   "    ok 1 test_1\n"
				   "    # test_2: FAIL\n"
				   "    not ok 2 test_2\n"
				   "    ok 3 test_3 # SKIP test_3 skipped\n"
				   "  not ok 3 example_test_3\n"
				   "not ok 1 main_test\n";

static void test_ktap_spec(void)
{
	char *s;
	CHECK_STR(s = describe_str(ktap_example, TAP_INPUT_PROGRAM),
		  "plan 1\n"
		  "fail 1 main_test [1..3]\n"
		  "  pass 1 example_test_1 [1..1]\n"
		  "    pass 1 test_1\n"
		  "  pass 2 example_test_2 [1..2]\n"
		  "    skip 1 test_1 # SKIP test_1 skipped\n"
		  "    pass 2 test_2\n"
		  "  fail 3 example_test_3 [1..3]\n"
		  "    pass 1 test_1\n"
		  "    fail 2 test_2\n"
		  "    skip 3 test_3 # SKIP test_3 skipped\n",
		  "ktap.rst's example: the hierarchy it describes");
	free(s);
	struct tap_tree *t = parse(ktap_example, sizeof(ktap_example) - 1, TAP_INPUT_PROGRAM);
	CHECK_STR(diagnostics(at(t, 0, 0, 0, -1)), "# test_1: initializing test_1\n",
		  "ktap.rst: test_1 'outputs the diagnostic message test_1: initializing test_1'");
	CHECK_STR(diagnostics(at(t, 0, 2, 1, -1)), "# test_2: FAIL\n",
		  "ktap.rst: test_2 'outputs the diagnostic line test_2: FAIL'");
	CHECK_STR(at(t, 0, 1, 0, -1) ? at(t, 0, 1, 0, -1)->reason : NULL, "test_1 skipped",
		  "ktap.rst: the skip's explanation");
	CHECK_STR(s = counts(t), "3 passed, 1 failed, 2 skipped, 0 todo, 0 problems",
		  "ktap.rst: counts of the leaves");
	free(s);
	tap_tree_free(t);

	CHECK_STR(s = describe_str("KTAP version 1\n1..1\n  KTAP version 1\n  1..2\n  ok 1 test_1\n"
				   "  not ok 2 test_2\n# example failed\nnot ok 1 example\n",
				   TAP_INPUT_PROGRAM),
		  "plan 1\nfail 1 example [1..2]\n  pass 1 test_1\n  fail 2 test_2\n",
		  "ktap.rst: the two-subtest example");
	free(s);
}

/* The TAP 14 specification's subtest examples. */
static void test_tap14_spec(void)
{
	static const char harness[] = "TAP version 14\n"
				      "1..2\n"
				      "\n"
				      "# Subtest: foo.tap\n"
				      "    1..2\n"
				      "    ok 1\n"
				      "    ok 2 - this passed\n"
				      "ok 1 - foo.tap\n"
				      "\n"
				      "# Subtest: bar.tap\n"
				      "    ok 1 - object should be a Bar\n"
				      "    not ok 2 - object.isBar should return true\n"
				      "      ---\n"
				      "      found: false\n"
				      "      wanted: true\n"
				      "      at:\n"
				      "        file: test/bar.ts\n"
				      "        line: 43\n"
				      "        column: 8\n"
				      "      ...\n"
				      "    ok 3 - object can bar bears # TODO\n"
				      "    1..3\n"
				      "not ok 2 - bar.tap\n"
				      "  ---\n"
				      "  fail: 1\n"
				      "  todo: 1\n"
				      "  ...\n";
	char *s;
	CHECK_STR(s = describe_str(harness, TAP_INPUT_PROGRAM),
		  "plan 2\n"
		  "pass 1 foo.tap [1..2]\n"
		  "  pass 1 \n"
		  "  pass 2 this passed\n"
		  "fail 2 bar.tap [1..3]\n"
		  "  pass 1 object should be a Bar\n"
		  "  fail 2 object.isBar should return true\n"
		  "  todo 3 object can bar bears # TODO\n",
		  "TAP 14: commented subtests, a trailing plan in a subtest, TODO");
	free(s);
	struct tap_tree *t = parse(harness, sizeof(harness) - 1, TAP_INPUT_PROGRAM);
	CHECK_STR(diagnostics(at(t, 1, 1, -1)),
		  "  ---\n  found: false\n  wanted: true\n  at:\n    file: test/bar.ts\n"
		  "    line: 43\n    column: 8\n  ...\n",
		  "TAP 14: a YAML block belongs to the test point before it");
	CHECK_STR(diagnostics(at(t, 1, -1)), "  ---\n  fail: 1\n  todo: 1\n  ...\n",
		  "TAP 14: the parent's YAML after its result line");
	CHECK_STR(diagnostics(at(t, 0, -1)), "", "TAP 14: a blank line is no diagnostic");
	CHECK_STR(s = counts(t), "3 passed, 1 failed, 0 skipped, 1 todo, 0 problems",
		  "TAP 14: counts");
	free(s);
	tap_tree_free(t);

	CHECK_STR(s = describe_str("TAP version 14\n"
				   "        ok 1 - nested twice\n"
				   "        1..1\n"
				   "    ok 1 - nested parent\n"
				   "    1..1\n"
				   "ok 1 - double nest passing\n"
				   "1..1\n",
				   TAP_INPUT_PROGRAM),
		  "plan 1\n"
		  "pass 1 double nest passing [1..1]\n"
		  "  pass 1 nested parent [1..1]\n"
		  "    pass 1 nested twice\n",
		  "TAP 14: bare subtests nested twice at once");
	free(s);

	CHECK_STR(s = describe_str("TAP version 14\n"
				   "ok 1 - in the parent\n"
				   "# Subtest: nested\n"
				   "    1..1\n"
				   "    ok 1 - in the subtest\n"
				   "ok 2 - nested\n"
				   "# Subtest: empty\n"
				   "    1..0\n"
				   "ok 3 - empty\n"
				   "# Subtest\n"
				   "    ok 1 - name is optional\n"
				   "    1..1\n"
				   "ok 4\n"
				   "1..4\n",
				   TAP_INPUT_PROGRAM),
		  "plan 4\n"
		  "pass 1 in the parent\n"
		  "pass 2 nested [1..1]\n"
		  "  pass 1 in the subtest\n"
		  "pass 3 empty [1..0]\n"
		  "pass 4  [1..1]\n"
		  "  pass 1 name is optional\n",
		  "TAP 14: commented subtests, an empty one, one without a name");
	free(s);

	/* The spec's escaping examples: "\#" is no directive, "\\" is a backslash. */
	CHECK_STR(s = describe_str("TAP version 14\n"
				   "ok 1 - hello # todo\n"
				   "ok 2 - hello \\# todo\n"
				   "ok 3 - hello # todo hash \\# character\n"
				   "ok 4 - hello \\\\# todo hash # character\n"
				   "ok 5 - hello \\\\\\\\\\\\\\# todo\n"
				   "ok 6 - back\\slash\n"
				   "1..6\n",
				   TAP_INPUT_PROGRAM),
		  "plan 6\n"
		  "todo 1 hello # todo\n"
		  "pass 2 hello # todo\n"
		  "todo 3 hello # todo hash # character\n"
		  "todo 4 hello \\ # todo hash # character\n"
		  "pass 5 hello \\\\\\# todo\n"
		  "pass 6 back\\slash\n",
		  "TAP 14 escaping: escaped hashes and backslashes, the first bare hash starts the "
		  "directive");
	free(s);
	t = parse_str("TAP version 14\nok 1 - hello # todo hash \\# character\n1..1\n");
	CHECK_STR(at(t, 0, -1) ? at(t, 0, -1)->reason : NULL, "hash # character",
		  "TAP 14: the todo's reason, unescaped");
	tap_tree_free(t);
}

/* ---- program output as it comes ---- */

static void test_program_output(void)
{
	char *s;
	CHECK_STR(s = describe_str("building...\r\n"
				   "TAP version 13\r\n"
				   "1..5\r\n"
				   "ok 1 - first\r\n"
				   "random noise\r\n"
				   "not ok 2 second # Skip not on this arch\r\n"
				   "ok 3 third # ToDo later\r\n"
				   "# third's note\r\n"
				   "not ok - no number\r\n"
				   "ok 5",
				   TAP_INPUT_PROGRAM),
		  "plan 5\n"
		  "pass 1 first\n"
		  "skip 2 second # Skip not on this arch\n"
		  "todo 3 third # ToDo later\n"
		  "fail 0 no number\n"
		  "pass 5 \n",
		  "program output: lines before and among it, CRLF, no final newline, SKIP/TODO in "
		  "any case (not ok with SKIP is a skip), a test point without a number");
	free(s);

	struct tap_tree *t = parse_str("TAP version 13\n1..2\nok 1 - a\n# after a\nnoise\n"
				       "not ok 2 - b\n  ---\n  log: |\n    ok 9 - in YAML\n"
				       "    1..9\n  ...\n");
	CHECK_STR(diagnostics(at(t, 0, -1)), "# after a\nnoise\n",
		  "TAP 13: what follows a test point up to the next is its diagnostics");
	CHECK_STR(diagnostics(at(t, 1, -1)),
		  "  ---\n  log: |\n    ok 9 - in YAML\n    1..9\n  ...\n",
		  "TAP 13: inside YAML, lines that look like TAP are YAML");
	CHECK(at(t, 1, -1) && at(t, 1, -1)->n_children == 0 && t->n_problems == 0,
	      "TAP 13: YAML opens no subtest and holds no plan");
	tap_tree_free(t);

	t = parse_str("TAP version 13\n1..2\nok 1 - a\nnoise\n  ---\n    ok 1 - sub\n"
		      "    1..1\nok 2 - b\n");
	CHECK(at(t, 1, -1) && at(t, 1, -1)->n_children == 1,
	      "TAP 13: '  ---' after other text is no YAML: what follows is read as TAP");
	tap_tree_free(t);

	t = parse_str("TAP version 13\n1..1\nnot ok 1 - a\n# Failed test 'a'\n  ---\n  got: 1\n"
		      "  ...\n# trailing\n");
	CHECK_STR(diagnostics(at(t, 0, -1)),
		  "# Failed test 'a'\n  ---\n  got: 1\n  ...\n# trailing\n",
		  "TAP 13: comments, then YAML, then comments, all the test's");
	CHECK_STR(at(t, 0, -1) ? at(t, 0, -1)->reason ? "reason" : "no reason" : NULL, "no reason",
		  "a plain not ok has no reason");
	tap_tree_free(t);

	CHECK_STR(s = describe_str("ok 1 - a\nok 2 - b\n1..2\n", TAP_INPUT_PROGRAM),
		  "plan 2\npass 1 a\npass 2 b\n", "a trailing plan and no version line");
	free(s);
	CHECK_STR(s = describe_str("1..0 # SKIP no KVM here\n", TAP_INPUT_PROGRAM), "plan 0\n",
		  "1..0 with SKIP: a plan of nothing");
	free(s);
	t = parse_str("TAP version 14\n1..0 # skipped: no KVM here\n");
	CHECK_STR(t ? t->root.skip_all_reason : NULL, "no KVM here", "1..0 with SKIP: its reason");
	tap_tree_free(t);

	CHECK_STR(s = describe_str("TAP version 13\nok 1 - a\nnot ok 2 - b\n", TAP_INPUT_PROGRAM),
		  "plan -1\npass 1 a\nfail 2 b\n1: no plan, saw 2 tests\n",
		  "a missing plan is a problem, with the tests seen");
	free(s);
	CHECK_STR(s = describe_str("TAP version 13\n1..4\nok 1\nok 2\nok 3\n", TAP_INPUT_PROGRAM),
		  "plan 4\npass 1 \npass 2 \npass 3 \n2: planned 4 tests, saw 3\n",
		  "fewer tests than planned is a problem, at the plan's line");
	free(s);
	t = parse_str("TAP version 13\n1..1\nok 1\nok 2\n");
	CHECK(t && t->n_problems == 1 && t->problems[0].kind == TAP_PROBLEM_COUNT &&
		      t->problems[0].planned == 1 && t->problems[0].seen == 2 &&
		      t->problems[0].line == 2,
	      "more tests than planned: COUNT, planned 1, seen 2, line 2");
	tap_tree_free(t);

	CHECK_STR(s = describe_str("TAP version 13\n1..3\nok 1 - a\nBail out! no \\# network\n"
				   "ok 2 - b\nok 3 - c\n",
				   TAP_INPUT_PROGRAM),
		  "plan 3\npass 1 a\n2: planned 3 tests, saw 1\n4: Bail out! no # network\n",
		  "Bail out! stops the parse; the count says what did not run");
	free(s);
	CHECK_STR(s = describe_str("TAP version 14\n# Subtest: deep\n    1..2\n    ok 1\n"
				   "    bail OUT!\nok 1 - deep\n",
				   TAP_INPUT_PROGRAM),
		  "plan -1\nfail 0 deep [1..2] (no result line)\n  pass 1 \n"
		  "1: no plan, saw 1 test\n5: Bail out!\n"
		  "5: deep: no result line after its subtests\n5: deep: planned 2 tests, saw 1\n",
		  "a bail out in a subtest (any case) ends everything");
	free(s);

	CHECK_STR(s = describe_str("ok\nall is ok 1\nnot ok then\n", TAP_INPUT_PROGRAM), "(no TAP)",
		  "ok lines with neither a version line nor a plan are not TAP");
	free(s);
	CHECK_STR(s = describe_str("hello\nworld\n", TAP_INPUT_PROGRAM), "(no TAP)",
		  "text without TAP");
	free(s);
	CHECK_STR(s = describe("", 0, TAP_INPUT_PROGRAM), "(no TAP)", "empty output");
	free(s);
	CHECK_STR(s = describe(NULL, 0, TAP_INPUT_KERNEL_LOG), "(no TAP)", "no output at all");
	free(s);
	CHECK_STR(s = describe_str("+ echo TAP version 13\nTAP version 13\n1..1\nok 1\n",
				   TAP_INPUT_PROGRAM),
		  "plan 1\npass 1 \n", "program output: a version line must start its line");
	free(s);
	CHECK_STR(s = describe_str("# ok 1 - commented\nTAP version 13\n1..1\nok 1\n",
				   TAP_INPUT_PROGRAM),
		  "plan 1\npass 1 \n", "program output: a document does not start in a comment");
	free(s);
	CHECK_STR(s = describe_str("1..1\nok 1\nTAP version 13\n1..2\nok 1 - x\nok 2 - y\n",
				   TAP_INPUT_PROGRAM),
		  "plan 3\npass 1 \npass 1 x\npass 2 y\n",
		  "two documents in a row: their tests at one level, plans summed");
	free(s);

	static const char nul[] = "TAP version 13\n1..1\nnot ok 1 - a\0b\n# x\0y\n";
	t = parse(nul, sizeof(nul) - 1, TAP_INPUT_PROGRAM);
	CHECK_STR(at(t, 0, -1) ? at(t, 0, -1)->name : NULL,
		  "a\xef\xbf\xbd"
		  "b",
		  "a NUL byte in a name becomes U+FFFD");
	CHECK_STR(diagnostics(at(t, 0, -1)), "# x\xef\xbf\xbdy\n",
		  "a NUL byte in a diagnostic becomes U+FFFD");
	tap_tree_free(t);

	/* Nesting deeper than the parser follows is text, and does no harm. */
	struct buf deep = {0};
	buf_puts(&deep, "TAP version 14\n");
	for (int i = 100; i >= 0; i--)
		buf_printf(&deep, "%*sok 1 - level %d\n", 4 * i, "", i);
	buf_puts(&deep, "1..1\n");
	t = parse(deep.data, deep.len, TAP_INPUT_PROGRAM);
	size_t levels = 0;
	for (const struct tap_node *n = t ? &t->root : NULL; n && n->n_children;
	     n = &n->children[0])
		levels++;
	CHECK(levels > 1 && levels <= 32, "101 levels of nesting: the tree stops at 32 (got %zu)",
	      levels);
	tap_tree_free(t);
	buf_free(&deep);
}

/* ---- what a report lists ---- */

static void test_listed(void)
{
	struct tap_tree *t = parse_str("TAP version 14\n"
				       "# Subtest: exits 1 after passing\n"
				       "    1..1\n"
				       "    ok 1 - a\n"
				       "not ok 1 - exits 1 after passing # exit=1\n"
				       "# Subtest: carries a failure\n"
				       "    1..2\n"
				       "    ok 1 - b\n"
				       "    not ok 2 - c\n"
				       "not ok 2 - carries a failure\n"
				       "# Subtest: skipped\n"
				       "    ok 1 - d # SKIP\n"
				       "ok 3 - skipped # SKIP\n"
				       "1..3\n");
	CHECK(at(t, 0, -1) && tap_node_listed(at(t, 0, -1)),
	      "listed: a failed parent whose subtests all passed");
	CHECK(at(t, 1, -1) && !tap_node_listed(at(t, 1, -1)),
	      "not listed: a failed parent whose subtest failed");
	CHECK(at(t, 2, -1) && !tap_node_listed(at(t, 2, -1)), "not listed: a skipped parent");
	CHECK(at(t, 1, 1, -1) && tap_node_listed(at(t, 1, 1, -1)), "listed: a leaf");
	char *s;
	CHECK_STR(s = counts(t), "2 passed, 2 failed, 1 skipped, 0 todo, 0 problems",
		  "counts: a and b pass; c and the parent that exited 1 fail; d skips");
	free(s);
	tap_tree_free(t);

	struct tap_counts c = {1, 2, 3, 4, 5};
	tap_tree_count(NULL, &c);
	CHECK(c.passed == 1 && c.failed == 2 && c.skipped == 3 && c.todo == 4 && c.problems == 5,
	      "counting no tree adds nothing");

	struct buf b = {0};
	struct tap_node unnamed = {.name = "", .number = 7}, unnumbered = {.name = ""},
			named = {.name = "x", .number = 3};
	tap_node_put_name(&unnamed, 0, &b);
	buf_puts(&b, "|");
	tap_node_put_name(&unnumbered, 4, &b);
	buf_puts(&b, "|");
	tap_node_put_name(&named, 0, &b);
	CHECK_STR(b.data, "#7|#5|x",
		  "a test without a name is hash NUMBER, or hash PLACE without one");
	buf_free(&b);

	tap_path_push(&b, &named, 0);
	tap_path_push(&b, &unnamed, 0);
	size_t mark = b.len;
	tap_path_push(&b, &named, 0);
	CHECK_STR(b.data, "x / #7 / x", "a path joins names with ' / '");
	tap_path_cut(&b, mark);
	CHECK_STR(b.data, "x / #7", "a cut path is as it was before the push");
	tap_path_cut(&b, 99);
	CHECK_STR(b.data, "x / #7", "cutting to more than the path's length changes nothing");
	buf_free(&b);
}

int main(void)
{
	test_kselftest_runner();
	test_kunit_logs();
	test_kunit_61();
	test_ktap_spec();
	test_tap14_spec();
	test_program_output();
	test_listed();
	tap_tree_free(NULL);
	return tap_done();
}
