/* SPDX-License-Identifier: MIT */
/* A timeout's explanation from the console: sysrq's blocked tasks, the frame that is not sleep. */
#include <stdlib.h>

#include "file.h"
#include "hang.h"
#include "tap.h"

static char *data_file(const char *name)
{
	const char *dir = getenv("QUIZ_TEST_DATA");
	char *path = NULL, *text = NULL;
	if (asprintf(&path, "%s/hang/%s", dir ? dir : "tests/unit/data", name) < 0)
		return NULL;
	if (read_file(path, &text, NULL) < 0)
		printf("# cannot read %s\n", path);
	free(path);
	return text;
}

/* A real 6.1.192 console: modprobe quiz_splat do=hang (tests/modules/splat) past -t 3. */
static void test_real(void)
{
	_cleanup_free_ char *console = data_file("sysrq-6.1.txt");
	struct buf section = {0}, summary = {0};
	CHECK(console && hang_explain(console, &section, &summary) == 0, "6.1: a section is found");
	CHECK_STR(summary.data,
		  "modprobe (pid 51, state D) in quiz_splat_hang+0x13/0x15 [quiz_splat]\n",
		  "6.1: the blocked task, past msleep and the scheduler, in the module's function");
	CHECK(section.data &&
		      strncmp(section.data, "[    2.819736] sysrq: Show Blocked State\n", 41) == 0,
	      "6.1: the section starts at sysrq's header, stamp kept, CR dropped");
	const char *end = section.data ? strstr(section.data, "quiz: sysrq done\n") : NULL;
	CHECK(end && end[strlen("quiz: sysrq done\n")] == '\0',
	      "6.1: and ends with quiz's done line");
	CHECK(section.data && strstr(section.data, "Show backtrace of all active CPUs") &&
		      !strchr(section.data, '\r'),
	      "6.1: every CPU's backtrace is in it");
	buf_free(&section);
	buf_free(&summary);
}

static void test_forms(void)
{
	struct buf section = {0}, summary = {0};
	CHECK(hang_explain("[ 1.0] a line\n[ 2.0] another\n", &section, &summary) == -ENOENT,
	      "no sysrq section: -ENOENT");
	CHECK(hang_explain(NULL, &section, &summary) == -ENOENT, "no console: -ENOENT");
	const char *two = "[ 1.0] sysrq: Show Blocked State\n"
			  "[ 1.0] sysrq: Show Blocked State\r\n"
			  "[ 1.1] task:cat             state:D stack:0     pid:7     ppid:1\r\n"
			  "[ 1.1] Call Trace:\r\n"
			  "[ 1.1]  <TASK>\r\n"
			  "[ 1.1]  __schedule+0x2c3/0x8a0\r\n"
			  "[ 1.1]  ? kthread+0x1/0x2\r\n"
			  "[ 1.1]  schedule+0x5e/0xd0\r\n"
			  "[ 1.1]  mutex_lock_nested+0x10/0x20\r\n"
			  "[ 1.1]  my_read+0x1c/0x30 [mymod]\r\n"
			  "[ 1.1]  vfs_read+0xa/0xb\r\n"
			  "[ 1.2] task:sync            state:D stack:0     pid:9     ppid:1\r\n"
			  "[ 1.2] Call Trace:\r\n"
			  "[ 1.2]  io_schedule+0x1/0x2\r\n"
			  "[ 1.2]  folio_wait_bit+0x1/0x2\r\n"
			  "[ 1.3] quiz: sysrq done\r\n"
			  "[ 1.4] after\r\n";
	CHECK(hang_explain(two, &section, &summary) == 0, "the last header counts");
	CHECK_STR(summary.data,
		  "cat (pid 7, state D) in my_read+0x1c/0x30 [mymod]\n"
		  "sync (pid 9, state D) in folio_wait_bit+0x1/0x2\n",
		  "one line per task; '?' frames and lock and sleep frames skipped");
	CHECK(section.data &&
		      strncmp(section.data, "[ 1.0] sysrq: Show Blocked State\n", 33) == 0 &&
		      !strstr(section.data, "after"),
	      "the section runs from the last header to the done line");
	buf_free(&section);
	buf_free(&summary);
}

int main(void)
{
	test_real();
	test_forms();
	return tap_done();
}
