/* SPDX-License-Identifier: MIT */
/*
 * quiz --coverage on the host: the summary line's sums; which of the guest's counter files are
 * taken (an object under the current directory with its notes there) and which go (outside it,
 * notes through a link that leaves it, anything not a .gcda), with stand-ins for lcov and
 * genhtml that record how they were run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coverage.h"
#include "file.h"
#include "log.h"
#include "run_dir.h"
#include "tap.h"

static char scratch[] = "/tmp/test-coverage.XXXXXX";

static char *at(const char *rel)
{
	static char path[8][1024];
	static int next;
	char *p = path[next++ % 8];
	snprintf(p, sizeof(path[0]), "%s/%s", scratch, rel);
	return p;
}

static void put(const char *path, const char *text)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (mkdir_p_at(AT_FDCWD, dir, 0755) < 0 ||
	    write_file_at(AT_FDCWD, path, text, strlen(text), 0755) < 0)
		printf("# cannot write %s\n", path);
}

static void test_sums(void)
{
	struct coverage_sum s;
	coverage_sum_text("TN:\nSF:/a.c\nFN:1,f\nFNDA:1,f\nDA:1,1\nDA:2,0\nDA:3,12\nend_of_record\n"
			  "SF:/b.c\nDA:1,0\nDA:2,0\nDA:3,7,abcdef\nDA:4,0\nDA:5,0\nDA:6,0\nDA:7,0\n"
			  "LF:7\nLH:1\nend_of_record\n",
			  &s);
	CHECK(s.files == 2 && s.found == 10 && s.hit == 3,
	      "a tracefile's DA records counted: lines, and lines run");
	char line[256];
	coverage_summary(&s, "fs/ext4", line, sizeof(line));
	CHECK_STR(line, "coverage: fs/ext4 30.0% of lines (3/10)", "the summary line, filtered");
	coverage_summary(&s, NULL, line, sizeof(line));
	CHECK_STR(line, "coverage: 30.0% of lines (3/10)", "the summary line, all");
	s = (struct coverage_sum){0};
	coverage_summary(&s, "x", line, sizeof(line));
	CHECK_STR(line, "coverage: x no profiled lines", "no lines: said, no division");
}

/* The roots' test (common/file.c): the folder itself or below it, "/" holding everything. */
static void test_under(void)
{
	CHECK(path_is_under("/a/b", "/a") && path_is_under("/a", "/a") &&
		      path_is_under("/a/b/c", "/a/b"),
	      "a path below a folder, or the folder itself, is under it");
	CHECK(!path_is_under("/ab", "/a") && !path_is_under("/a", "/a/b") &&
		      !path_is_under("/b/a", "/a"),
	      "a sibling with the same start, a parent, another tree: not under it");
	CHECK(path_is_under("/x/y", "/") && path_is_under("/", "/"), "everything is under /");
}

/* lcov and genhtml stand-ins: their arguments into a log, lcov's output a fixed tracefile. */
static void fake_tools(void)
{
	put(at("bin/lcov"),
	    "#!/bin/sh\necho \"lcov $*\" >>\"$FAKE_LOG\"\n"
	    "while [ $# -gt 0 ]; do [ \"$1\" = --output-file ] && out=$2; shift; done\n"
	    "printf 'SF:/src/m.c\\nDA:1,1\\nDA:2,0\\nend_of_record\\n' >\"$out\"\n");
	put(at("bin/genhtml"), "#!/bin/sh\necho \"genhtml $*\" >>\"$FAKE_LOG\"\n");
	char path[2048];
	snprintf(path, sizeof(path), "%s:%s", at("bin"), getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("FAKE_LOG", at("tools.log"), 1);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void test_taken(void)
{
	char cwd[512], share[2048];
	snprintf(cwd, sizeof(cwd), "%s/work", scratch);
	snprintf(share, sizeof(share), "%s/run/" COVERAGE_SHARE "%s", scratch, cwd);
	/* The module's objects under the current directory: its notes beside them. */
	put(at("work/mod/m.gcno"), "notes");
	put(at("work/mod/m.gcda"), "host's own counters");
	/* What the guest wrote: at each object's host path below the share. */
	char p[4096];
	snprintf(p, sizeof(p), "%s/mod/m.gcda", share);
	put(p, "counters");
	snprintf(p, sizeof(p), "%s/mod/notes.txt", share);
	put(p, "not a counter file");
	snprintf(p, sizeof(p), "%s/run/" COVERAGE_SHARE "/etc/passwd.gcda", scratch);
	put(p, "outside the roots");
	/* Notes reached through a link that leaves the current directory: not read. */
	put(at("elsewhere/x.gcno"), "notes outside");
	if (symlink(at("elsewhere/x.gcno"), at("work/mod/x.gcno")) < 0)
		printf("# symlink failed\n");
	snprintf(p, sizeof(p), "%s/mod/x.gcda", share);
	put(p, "counters");

	int run_fd = open(at("run"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct coverage_job j = {.run_dir_fd = run_fd,
				 .run_dir = at("run"),
				 .out = at("out"),
				 .home = scratch,
				 .cwd = cwd,
				 .title = "t"};
	int r = coverage_report(&j);
	CHECK(r == 0, "a run's counters reported (%d)", r);
	char link[1024] = "";
	snprintf(p, sizeof(p), "%s/mod/m.gcno", share);
	ssize_t n = readlink(p, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	CHECK_STR(link, at("work/mod/m.gcno"), "the counters' notes: linked from the build");
	snprintf(p, sizeof(p), "%s/mod/x.gcda", share);
	CHECK(!exists(p), "a counter file whose notes leave the current directory: removed");
	snprintf(p, sizeof(p), "%s/mod/notes.txt", share);
	CHECK(!exists(p), "a file that is no counter file: removed");
	snprintf(p, sizeof(p), "%s/run/" COVERAGE_SHARE "/etc/passwd.gcda", scratch);
	CHECK(!exists(p), "a counter file outside the kernel's build and the cwd: removed");
	_cleanup_free_ char *info = NULL, *log = NULL;
	CHECK(read_file(at("out/coverage.info"), &info, NULL) >= 0 && info &&
		      strstr(info, "DA:2,0"),
	      "DIR/coverage.info is lcov's tracefile");
	CHECK(read_file(at("tools.log"), &log, NULL) >= 0 && log &&
		      strstr(log, "lcov --quiet --capture --directory ") &&
		      strstr(log, "genhtml --quiet --title t --output-directory "),
	      "lcov captured, genhtml made the pages: %s", log ? strtok(log, "\n") : "");
	_cleanup_free_ char *own = NULL;
	CHECK(read_file(at("work/mod/m.gcda"), &own, NULL) >= 0 && own &&
		      STREQ(own, "host's own counters"),
	      "the build's own files untouched");
	close(run_fd);
}

int main(void)
{
	if (!mkdtemp(scratch))
		return 1;
	test_sums();
	test_under();
	fake_tools();
	test_taken();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		printf("# %s left behind\n", scratch);
	return tap_done();
}
