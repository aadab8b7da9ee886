/* SPDX-License-Identifier: MIT */
/* decode_report against an object with DWARF: frames placed, the rest as it is, no tool fooled. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "decode.h"
#include "decode_host.h"
#include "file.h"
#include "remove_tree.h"
#include "run_dir.h"
#include "tap.h"

static char tmp[] = "/tmp/quiz-test-decode.XXXXXX";
static int kernel_line, module_line; /* the fixture's lines of kernel_init, quiz_fixture_init */

static char *in_tmp(const char *name)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", tmp, name) < 0)
		abort();
	return path;
}

static char *decoded(const struct kernel *k, const char *system_dir, const char *text)
{
	struct buf out = {0};
	if (decode_report(k, system_dir, text, NULL, &out) < 0)
		buf_free(&out);
	return out.data;
}

/* The line of "int NAME(int x) {" in the fixture's source. */
static int line_of(const char *source, const char *name)
{
	_cleanup_free_ char *key = NULL;
	if (asprintf(&key, "int %s(int x) {", name) < 0)
		return -1;
	const char *p = strstr(source, key);
	int line = 1;
	for (const char *c = source; p && c < p; c++)
		line += *c == '\n';
	return p ? line : -1;
}

/* A report; "CANARY" in a line stands for a file the guest would like the host to create. */
static const char *const report[] = {
	"[    1.000000] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2",
	"[    1.100000]  kernel_init+0x1/0x10",
	"[    1.200000]  quiz_fixture_init+0x2/0x10 [quiz_fixture]",
	"[    1.300000] RIP: 0010:quiz_fixture_init+0x0/0x10 [quiz_fixture 0123abcd]",
	"[    1.400000] Code: 48 89 e5 kernel_init+0x0/0x10",
	"[    1.500000]  x\"||!a++&&system(\"touch${IFS}CANARY\")||\"+0x1/0x2",
	"[    1.510000]  $(touch CANARY)+0x1/0x2",
	"[    1.600000]  no_such_symbol+0x0/0x10",
	"[    1.700000]  quiz_fixture_init+0x0/0x10 [not_there]",
	"[    1.800000]  kernel_init+0xffffffffffffffff/0x10",
	"[    2.000000] ---[ end trace 0000000000000000 ]---",
};

static void test_report(const struct kernel *k, const char *sys)
{
	_cleanup_free_ char *canary = in_tmp("PWNED");
	_cleanup_buf_ struct buf text = {0}, want = {0};
	for (size_t i = 0; i < ELEMENTSOF(report); i++) {
		const char *l = report[i], *c = strstr(l, "CANARY");
		int before = c ? (int)(c - l) : (int)strlen(l);
		buf_printf(&text, "%.*s%s%s\n", before, l, c ? canary : "", c ? c + 6 : "");
		buf_printf(&want, "%.*s%s%s", before, l, c ? canary : "", c ? c + 6 : "");
		if (i == 1)
			buf_printf(&want, " (init/main.c:%d)", kernel_line);
		if (i == 2 || i == 3)
			buf_printf(&want, " (init/main.c:%d)", module_line);
		buf_puts(&want, "\n");
	}
	_cleanup_free_ char *got = decoded(k, sys, text.data);
	CHECK_STR(got, want.data,
		  "the kernel's frames and the module's (quiz-fixture.ko for quiz_fixture, with or "
		  "without a build id) placed, the source tree left out; the payloads, Code:, "
		  "unknown symbols and modules, an overflowing address: as they are");
	CHECK(access(canary, F_OK) < 0, "the payloads' touch did not run: %s", canary);
}

/* System.map is read when it is there: a name only it has. */
static void test_system_map(const struct kernel *k)
{
	_cleanup_free_ char *map = in_tmp("k/System.map"), *cmd = NULL, *text = NULL;
	_cleanup_buf_ struct buf symbols = {0};
	if (asprintf(&cmd, "nm %s/k/vmlinux", tmp) < 0)
		abort();
	FILE *nm = popen(cmd, "r"); /* the test's own command: no guest byte in it */
	char chunk[4096];
	size_t n;
	while (nm && (n = fread(chunk, 1, sizeof(chunk), nm)) > 0)
		buf_append(&symbols, chunk, n);
	if (nm)
		(void)pclose(nm);
	const char *names[] = {"kernel_init"};
	unsigned long long addr = 0;
	bool found = false;
	nm_find(symbols.data ? symbols.data : "", symbols.len, names, 1, &addr, &found);
	CHECK(found &&
		      asprintf(&text, "%016llx T only_in_the_map\n%016llx T kernel_init\n", addr,
			       addr) > 0 &&
		      write_file_replace(map, text, strlen(text), 0644) >= 0,
	      "a System.map that calls kernel_init only_in_the_map too, and has nothing else");
	_cleanup_free_ char *got =
		decoded(k, NULL, "  only_in_the_map+0x0/0x10\n  quiz_fixture_init+0x0/0x10\n");
	_cleanup_free_ char *want = NULL;
	if (asprintf(&want,
		     "  only_in_the_map+0x0/0x10 (init/main.c:%d)\n  quiz_fixture_init+0x0/0x10\n",
		     kernel_line) < 0)
		abort();
	CHECK_STR(got, want, "System.map, not nm, gives the kernel's symbols when it is there");
	(void)unlink(map);
}

/* Another architecture: its cross prefix's tools first, the plain ones when it has none. */
static void test_cross(const struct kernel *host_kernel, const char *sys)
{
	struct arch other = *arch_host();
	struct kernel k = *host_kernel;
	k.arch = &other;
	other.cross_prefix = "quiz-test-no-such-prefix-";
	_cleanup_free_ char *want = NULL;
	if (asprintf(&want, "  kernel_init+0x0/0x10 (init/main.c:%d)\n", kernel_line) < 0)
		abort();
	_cleanup_free_ char *got = decoded(&k, sys, "  kernel_init+0x0/0x10\n");
	CHECK_STR(got, want, "a cross prefix without tools: the plain nm and addr2line");

	_cleanup_free_ char *bin = in_tmp("bin"), *marker = in_tmp("cross-used"), *path = NULL;
	const char *tools[] = {"nm", "addr2line"};
	bool made = mkdir(bin, 0755) == 0;
	for (size_t i = 0; i < ELEMENTSOF(tools); i++) {
		_cleanup_free_ char *tool = NULL, *body = NULL;
		made &= asprintf(&tool, "%s/quiz-test-cross-%s", bin, tools[i]) > 0 &&
			asprintf(&body, "#!/bin/sh\necho %s >>%s\nexec %s \"$@\"\n", tools[i],
				 marker, tools[i]) > 0 &&
			write_file_replace(tool, body, strlen(body), 0755) >= 0;
	}
	const char *old_path = getenv("PATH");
	made &= asprintf(&path, "%s:%s", bin, old_path ? old_path : "/usr/bin:/bin") > 0 &&
		setenv("PATH", path, 1) == 0;
	other.cross_prefix = "quiz-test-cross-";
	free(got);
	got = decoded(&k, sys, "  kernel_init+0x0/0x10\n");
	CHECK_STR(got, want, "a cross prefix's tools: the same places");
	_cleanup_free_ char *used = NULL;
	CHECK(made && read_file(marker, &used, NULL) >= 0 && STREQ(used, "nm\naddr2line\n"),
	      "through the cross prefix: nm, then addr2line");
}

int main(void)
{
	const char *fixture = getenv("QUIZ_DECODE_FIXTURE"), *data = getenv("QUIZ_TEST_DATA");
	_cleanup_free_ char *source_path = NULL, *source = NULL, *elf = NULL;
	size_t elf_len;
	if (!fixture || !data || asprintf(&source_path, "%s/decode/init/main.c", data) < 0 ||
	    read_file(source_path, &source, NULL) < 0 || read_file(fixture, &elf, &elf_len) < 0 ||
	    !mkdtemp(tmp)) {
		printf("1..0 # SKIP no fixture (QUIZ_DECODE_FIXTURE, QUIZ_TEST_DATA) or no /tmp\n");
		return 0;
	}
	kernel_line = line_of(source, "kernel_init");
	module_line = line_of(source, "quiz_fixture_init");
	_cleanup_free_ char *kdir = in_tmp("k"), *vmlinux = in_tmp("k/vmlinux"),
			    *sys = in_tmp("sys"), *mdir = in_tmp("sys/lib/modules/6.1.0/extra"),
			    *ko = in_tmp("sys/lib/modules/6.1.0/extra/quiz-fixture.ko");
	/* The same ELF as the kernel and as the module: nm and addr2line read either. */
	CHECK(mkdir_p_at(AT_FDCWD, kdir, 0755) >= 0 && mkdir_p_at(AT_FDCWD, mdir, 0755) >= 0 &&
		      write_file_replace(vmlinux, elf, elf_len, 0644) >= 0 &&
		      write_file_replace(ko, elf, elf_len, 0644) >= 0,
	      "a kernel folder with a vmlinux, a --system folder with quiz-fixture.ko");
	struct kernel k = {.arch = arch_host(), .dir = kdir};

	test_report(&k, sys);
	test_system_map(&k);
	test_cross(&k, sys);
	(void)unlink(vmlinux);
	_cleanup_free_ char *got = decoded(&k, NULL, "  kernel_init+0x0/0x10");
	CHECK_STR(got, "  kernel_init+0x0/0x10\n", "no vmlinux: the line as it is");
	CHECK(remove_tree(tmp, NULL) == 0, "its folder removed");
	return tap_done();
}
