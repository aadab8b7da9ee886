/* SPDX-License-Identifier: MIT */
/* --each's suites: which adapter, the list parsed, each test's argv, skips and failures, the
 * test's folder, known failures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suite.h"
#include "tap.h"

/* CHECK_STR of a string made for the check, freed after it. */
#define IS(got, want, ...)                                                                         \
	do {                                                                                       \
		char *_s = (got);                                                                  \
		CHECK_STR(_s, want, __VA_ARGS__);                                                  \
		free(_s);                                                                          \
	} while (0)

/* The names a list text gives, joined by '|', or "ERROR: message". */
static char *names(enum suite_kind k, char *const *program, const char *text)
{
	struct strv v = {0};
	char *err = NULL, *out = NULL;
	int r = suite_parse_list(k, program, text, strlen(text), &v, &err);
	if (r < 0) {
		if (asprintf(&out, "ERROR: %s", err ? err : "?") < 0)
			out = NULL;
	} else {
		out = join(&v);
	}
	free(err);
	strv_free(&v);
	return out;
}

static char *test_argv(enum suite_kind k, char *const *program, const char *name)
{
	struct strv v = {0};
	char *out = suite_test_argv(k, program, name, &v) < 0 ? NULL : join(&v);
	strv_free(&v);
	return out;
}

static char *list_argv(enum suite_kind k, char *const *program, const char *cmd)
{
	struct strv v = {0}, c = {0};
	char *err = NULL, *out = NULL;
	if (cmd)
		strv_push(&c, cmd);
	int r = suite_list_argv(k, program, &c, &v, &err);
	if (r < 0 && asprintf(&out, "ERROR: %s", err ? err : "?") < 0)
		out = NULL;
	if (r >= 0)
		out = join(&v);
	free(err);
	strv_free(&v);
	strv_free(&c);
	return out;
}

static void test_detect(void)
{
	CHECK(suite_detect("./run_kselftest.sh", false) == SUITE_KSELFTEST, "run_kselftest.sh");
	CHECK(suite_detect("/x/ks/run_kselftest.sh", false) == SUITE_KSELFTEST, "by basename");
	CHECK(suite_detect("./check", true) == SUITE_FSTESTS, "check with common/rc: fstests");
	CHECK(suite_detect("./check", false) == SUITE_GENERIC, "check alone: generic");
	CHECK(suite_detect("./run_kselftest.sh.orig", false) == SUITE_GENERIC, "a near name");
	CHECK(suite_detect(NULL, false) == SUITE_GENERIC, "no program");
}

static void test_kselftest(void)
{
	char *all[] = {"./run_kselftest.sh", NULL};
	char *chosen[] = {"./run_kselftest.sh", "-c", "proc", "-o", "60", "-t",
			  "size:get_size",	NULL};
	const char *list = "proc:proc-loadavg-001\nproc:proc-self-map\nsize:get_size\n"
			   "sigaltstack:sas\nprocfs:x\n";
	IS(list_argv(SUITE_KSELFTEST, chosen, NULL), "./run_kselftest.sh|--list",
	   "kselftest lists with --list (it ignores -c there)");
	IS(names(SUITE_KSELFTEST, all, list),
	   "proc:proc-loadavg-001|proc:proc-self-map|size:get_size|sigaltstack:sas|procfs:x",
	   "kselftest: every listed test without -c/-t");
	IS(names(SUITE_KSELFTEST, chosen, list),
	   "proc:proc-loadavg-001|proc:proc-self-map|size:get_size",
	   "kselftest: -c proc takes proc's (not procfs'), -t takes one");
	IS(test_argv(SUITE_KSELFTEST, chosen, "proc:proc-self-map"),
	   "./run_kselftest.sh|-o|60|-t|proc:proc-self-map",
	   "kselftest: one test is -t C:T, the user's other words kept");
	IS(names(SUITE_KSELFTEST, all, "proc:a b\n"), "ERROR: line 1: not COLLECTION:TEST",
	   "kselftest: a name with a blank is refused");
	CHECK(suite_skipped(SUITE_KSELFTEST, 0,
			    "TAP version 13\n1..1\nok 1 selftests: size: get_size # SKIP\n"),
	      "kselftest: a SKIP result line is a skip");
	CHECK(!suite_failed(SUITE_KSELFTEST, 0, "1..1\nok 1 selftests: size: get_size\n"),
	      "kselftest: ok passes");
	CHECK(suite_failed(SUITE_KSELFTEST, 0,
			   "1..1\nnot ok 1 selftests: size: get_size # exit=1\n"),
	      "kselftest: not ok fails though the runner exits 0");
	CHECK(suite_failed(SUITE_KSELFTEST, 0, "TAP version 13\n1..1\n# selftests: x\n"),
	      "kselftest: no result line fails");
	CHECK(!suite_skipped(SUITE_KSELFTEST, 0, "not ok 1 a\nok 2 b # SKIP\n"),
	      "kselftest: a failure is no skip");
}

static void test_fstests(void)
{
	char *prog[] = {"./check", "-s",	"ext4", "-g",	 "quick",
			"-x",	   "dangerous", "-R",	"xunit", "generic/00[1-3]",
			"-r",	   NULL};
	char *got = list_argv(SUITE_FSTESTS, prog, NULL);
	const char *tail = "|quiz-fstests|./check|-n|-s|ext4|-g|quick|-x|dangerous|-R|xunit|"
			   "generic/00[1-3]|-r";
	CHECK(got && strncmp(got, "sh|-c|mkdir -p \"$TEST_DIR\" ", 25) == 0 &&
		      strlen(got) > strlen(tail) &&
		      strcmp(got + strlen(got) - strlen(tail), tail) == 0,
	      "fstests lists with check -n and the user's words, after sh -c PREPARE");
	free(got);
	got = test_argv(SUITE_FSTESTS, prog, "generic/002");
	tail = "|quiz-fstests|./check|-s|ext4|-R|xunit|generic/002";
	CHECK(got && strncmp(got, "sh|-c|", 6) == 0 && strlen(got) > strlen(tail) &&
		      strcmp(got + strlen(got) - strlen(tail), tail) == 0,
	      "fstests: one test with the words that configure, not those that choose");
	CHECK(got && strstr(got, "blkid -p \"$TEST_DEV\"") && strstr(got, "exec \"$@\""),
	      "fstests: a blank TEST_DEV gets a filesystem, then check runs");
	free(got);
	const char *out = "SECTION       -- ext4\nFSTYP         -- ext4\n"
			  "PLATFORM      -- Linux/x86_64 quiz 6.1.192\n"
			  "MKFS_OPTIONS  -- /dev/quizb1\n\ngeneric/001\ngeneric/002\next4/003\n"
			  "Passed all 0 tests\n";
	IS(names(SUITE_FSTESTS, prog, out), "generic/001|generic/002|ext4/003",
	   "fstests: the test names of check -n, not its header");
	CHECK(suite_skipped(SUITE_FSTESTS, 0, "generic/050 [not run] no\nNot run: generic/050\n"),
	      "fstests: Not run is a skip");
	CHECK(suite_failed(SUITE_FSTESTS, 1, "Failures: generic/001\n"), "fstests: exit 1 fails");
	CHECK(!suite_failed(SUITE_FSTESTS, 0, "Passed all 1 tests\n"), "fstests: exit 0 passes");
}

static void test_generic(void)
{
	char *prog[] = {"./suite", "--run", "{}", "--log={}.log", NULL};
	char *plain[] = {"./suite", "-v", NULL};
	IS(list_argv(SUITE_GENERIC, prog, "./suite --list"), "./suite --list",
	   "generic: the --list-cmd words");
	IS(list_argv(SUITE_GENERIC, prog, NULL),
	   "ERROR: --each needs the suite's list command: --list-cmd 'CMD' (quiz knows "
	   "run_kselftest.sh and fstests' check without one)",
	   "generic: no --list-cmd is an error that says what to give");
	IS(test_argv(SUITE_GENERIC, prog, "a/b"), "./suite|--run|a/b|--log=a/b.log",
	   "generic: {} replaced in every word");
	IS(test_argv(SUITE_GENERIC, plain, "t1"), "./suite|-v|t1",
	   "generic: without {} the name is the last word");
	IS(names(SUITE_GENERIC, prog, "  one  \n\n# comment\ntwo words\r\none\nthree"),
	   "one|two words|three", "generic: trimmed, blank and # lines out, each once");
	IS(names(SUITE_GENERIC, prog, "ok\nbad\033]0;x\007\n"),
	   "ERROR: line 2: a control character", "generic: a control character is refused");
	IS(names(SUITE_GENERIC, prog,
		 "ok\nt\xc2\x9b"
		 "2J\n"),
	   "ERROR: line 2: a control character",
	   "generic: a C1 control (U+009B, a CSI) is refused");
	IS(names(SUITE_GENERIC, prog, "t\xff\n"), "ERROR: line 1: a byte that is not UTF-8",
	   "generic: a byte that is not UTF-8 is refused");
	IS(names(SUITE_GENERIC, prog, "t\xc3\xa9\n"), "t\xc3\xa9", "generic: UTF-8 is a name");
	IS(names(SUITE_GENERIC, prog, ""), "", "generic: an empty list is no tests");
	CHECK(suite_skipped(SUITE_GENERIC, 77, ""), "generic: exit 77 is a skip");
	CHECK(suite_skipped(SUITE_GENERIC, 0, "1..0 # SKIP no device\n"),
	      "generic: a TAP skip plan");
	CHECK(!suite_skipped(SUITE_GENERIC, 1, "x"), "generic: exit 1 is no skip");
	CHECK(suite_failed(SUITE_GENERIC, 0, "1..2\nok 1 a\nnot ok 2 b\n"),
	      "generic: a TAP not ok line fails a group that exits 0");
	CHECK(!suite_failed(SUITE_GENERIC, 0,
			    "1..2\nok 1 a\nnot ok 2 b # TODO later\n  not ok 1 c\n"),
	      "generic: a TODO or an indented subtest's not ok does not");
	CHECK(!suite_failed(SUITE_GENERIC, 0, "no TAP at all\n"),
	      "generic: exit 0 without TAP passes");
	char long_name[300];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	IS(names(SUITE_GENERIC, prog, long_name), "ERROR: line 1: a name longer than 255 bytes",
	   "generic: a name past 255 bytes");
	memset(long_name, 'a', 200);
	memset(long_name + 1, ' ', 28); /* 200 bytes, its folder 256: "a%20%20...%20aaa..." */
	long_name[200] = '\0';
	IS(names(SUITE_GENERIC, prog, long_name),
	   "ERROR: line 1: a name whose folder (bytes outside [A-Za-z0-9._+:@=,-] as %XX) is "
	   "longer than 255 bytes",
	   "generic: a name whose folder would be past 255 bytes (NAME_MAX)");
	long_name[199] = '\0';
	IS(names(SUITE_GENERIC, prog, long_name), long_name,
	   "... and one whose folder is 255 bytes");
}

static char *folder(const char *name)
{
	char *f = NULL;
	return suite_folder_name(name, &f) < 0 ? NULL : f;
}

static void test_folders(void)
{
	IS(folder("generic/013"), "generic%2F013", "a '/' is escaped: one folder a test");
	IS(folder("proc:proc-loadavg-001"), "proc:proc-loadavg-001", "kselftest's as is");
	IS(folder(".."), "%2E.", "'..' cannot climb");
	IS(folder(".hidden"), "%2Ehidden", "a leading '.' is escaped");
	IS(folder("a b%c"), "a%20b%25c", "a blank and '%%' are escaped");
	IS(folder("t\xc3\xa9"), "t%C3%A9", "bytes past ASCII are escaped");
}

static void test_known(void)
{
	struct known_failures k = {0};
	char *err = NULL;
	CHECK(known_failures_parse("k.txt",
				   "# comment\n\ngeneric/0*  ext4 lacks it (bug 1)\n"
				   "  net:tls\t flaky on TCG\nsize:get_size\nxfs*  all of xfs\n",
				   &k, &err) == 0,
	      "a known-failures file parses");
	CHECK(k.n == 4, "four lines, comments and blanks out");
	const struct known_failure *f = known_failures_match(&k, "generic/013");
	CHECK(f && f->line == 3 && strcmp(f->why, "ext4 lacks it (bug 1)") == 0,
	      "a glob matches and gives its why and line");
	f = known_failures_match(&k, "net:tls");
	CHECK(f && strcmp(f->why, "flaky on TCG") == 0, "a tab between pattern and why");
	f = known_failures_match(&k, "size:get_size");
	CHECK(f && strcmp(f->why, "") == 0, "a line without why");
	f = known_failures_match(&k, "xfs/042");
	CHECK(f && f->line == 6, "'*' matches a '/' too: xfs* is every xfs/ test");
	CHECK(!known_failures_match(&k, "generic/113"), "generic/0* does not match generic/113");
	CHECK(!known_failures_match(&k, "ext4/001"), "no pattern: not known");
	known_failures_free(&k);
	CHECK(known_failures_parse("k.txt", "a\nb\033c\n", &k, &err) == -EINVAL && err &&
		      strcmp(err, "k.txt line 2: a control character; write one test a line: "
				  "PATTERN [WHY]") == 0,
	      "a control character: the file and line");
	free(err);
	known_failures_free(&k);
}

int main(void)
{
	test_detect();
	test_kselftest();
	test_fstests();
	test_generic();
	test_folders();
	test_known();
	return tap_done();
}
