/* SPDX-License-Identifier: MIT */
/* The image's manifest, library names, the loader's message in a hostile stream, dpkg-query's
 * answer and the words of the fix. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "libcheck.h"
#include "libcheck_host.h"
#include "tap.h"

static void check_manifest(void)
{
	static const char good[] = "# quiz image manifest\n"
				   "\n"
				   "package libc6 2.36-9+deb12u4\n"
				   "package liburing2 2.3-3\n"
				   "lib libc.so.6\n"
				   "lib ld-linux-x86-64.so.2\n"
				   "  lib\tlibstdc++.so.6  \n"
				   "future-word whatever it says\n"
				   "lib liburing.so.2"; /* no newline at the end */
	struct libs_manifest m = {0};
	_cleanup_free_ char *error = NULL;
	int r = libs_manifest_parse(good, sizeof(good) - 1, &m, &error);
	CHECK(r == 0, "a manifest parses (%s)", error ? error : "");
	_cleanup_free_ char *libs = join(&m.libs), *packages = join(&m.packages);
	CHECK_STR(libs, "libc.so.6|ld-linux-x86-64.so.2|libstdc++.so.6|liburing.so.2",
		  "its lib lines, in order");
	CHECK_STR(packages, "libc6|liburing2", "its packages' names");
	CHECK(libs_manifest_has(&m, "liburing.so.2") && !libs_manifest_has(&m, "liburing.so") &&
		      !libs_manifest_has(&m, "libz.so.1"),
	      "libs_manifest_has: exact names only");
	libs_manifest_free(&m);

	static const struct {
		const char *text, *what, *error;
	} bad[] = {
		{"lib ../../etc/passwd\n", "a path for a name", "line 1"},
		{"# x\nlib a b\n", "two names", "line 2"},
		{"lib lib$(reboot).so\n", "a shell word", "line 1"},
		{"lib \x1b]0;x\x07.so\n", "a terminal escape", "line 1"},
		{"lib ..\n", "\"..\"", "line 1"},
		{"package Libc6 1\n", "an upper-case package", "line 1"},
		{"package libc6\n", "a package without its version", "line 1"},
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct libs_manifest t = {0};
		_cleanup_free_ char *e = NULL;
		r = libs_manifest_parse(bad[i].text, strlen(bad[i].text), &t, &e);
		CHECK(r == -EBADMSG && !t.libs.len && e && strstr(e, bad[i].error),
		      "a manifest with %s is refused, on its line (%s)", bad[i].what, e ? e : "");
		libs_manifest_free(&t);
	}
	char nul[] = "lib libc.so.6\nlib a\0b\n";
	_cleanup_free_ char *e2 = NULL;
	CHECK(libs_manifest_parse(nul, sizeof(nul) - 1, &m, &e2) == -EBADMSG,
	      "a NUL in a line is refused");
	_cleanup_free_ char *lng = malloc(LIBS_MANIFEST_LINE_MAX + 16), *e3 = NULL;
	memset(lng, '#', LIBS_MANIFEST_LINE_MAX + 15);
	lng[LIBS_MANIFEST_LINE_MAX + 15] = '\n';
	CHECK(libs_manifest_parse(lng, LIBS_MANIFEST_LINE_MAX + 16, &m, &e3) == -EBADMSG,
	      "a line past %d bytes is refused, even a comment", LIBS_MANIFEST_LINE_MAX);
}

static void check_names(void)
{
	CHECK(lib_name_valid("libstdc++.so.6", 14) && lib_name_valid("ld-linux-x86-64.so.2", 20),
	      "library names with + - . _ are names");
	CHECK(!lib_name_valid("", 0) && !lib_name_valid(".", 1) && !lib_name_valid("..", 2) &&
		      !lib_name_valid("a/b", 3) && !lib_name_valid("a b", 3) &&
		      !lib_name_valid("a;b", 3) && !lib_name_valid("a*", 2) &&
		      !lib_name_valid("\x1b[m", 3),
	      "empty, dots, slashes, spaces, shell and glob characters, controls are not");
	char long_name[LIB_NAME_MAX + 2];
	memset(long_name, 'a', sizeof(long_name));
	CHECK(lib_name_valid(long_name, LIB_NAME_MAX) &&
		      !lib_name_valid(long_name, LIB_NAME_MAX + 1),
	      "%d characters at most", LIB_NAME_MAX);
}

/* The names the watch keeps from text fed piece bytes at a time. */
static char *watched(const char *text, size_t len, size_t piece)
{
	struct loader_watch w = {0};
	for (size_t i = 0; i < len; i += piece)
		loader_watch_feed(&w, text + i, len - i < piece ? len - i : piece);
	char *s = join(&w.names);
	loader_watch_free(&w);
	return s;
}

#define LOADER(name)                                                                               \
	"./prog: error while loading shared libraries: " name                                      \
	": cannot open shared object file: No such file or directory\n"

static void check_watch(void)
{
	static const struct {
		const char *text, *want, *what;
	} cases[] = {
		{LOADER("liburing.so.2"), "liburing.so.2", "glibc's line"},
		{"noise\n" LOADER("libz.so.1") "more\n" LOADER("libz.so.1") LOADER("libfoo.so"),
		 "libz.so.1|libfoo.so", "among other output, each name once"},
		{"error while error while loading shared libraries: liba.so: cannot open shared "
		 "object file",
		 "liba.so", "a false start before the real prefix"},
		{LOADER("lib$(reboot).so"), "", "a name with a shell word: nothing"},
		{LOADER("lib\x1b]0;pwned\x07.so"), "", "a name with a terminal escape: nothing"},
		{LOADER("lib\nfoo.so"), "", "a name cut by a newline: nothing"},
		{LOADER(".."), "", "\"..\": nothing"},
		{"error while loading shared libraries: libx.so: version `X' not found\n", "",
		 "another loader error: nothing"},
		{LOADER("a1.so") LOADER("a2.so") LOADER("a3.so") LOADER("a4.so") LOADER("a5.so"),
		 "a1.so|a2.so|a3.so|a4.so", "at most 4 names"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		size_t len = strlen(cases[i].text);
		_cleanup_free_ char *whole = watched(cases[i].text, len, len);
		_cleanup_free_ char *bytes = watched(cases[i].text, len, 1);
		_cleanup_free_ char *sevens = watched(cases[i].text, len, 7);
		CHECK_STR(whole, cases[i].want, "loader watch: %s", cases[i].what);
		CHECK(STREQ(bytes, whole) && STREQ(sevens, whole),
		      "loader watch: %s, the same across chunk borders", cases[i].what);
	}
	/* A name past 200 characters is no name; the watch keeps no more of it. */
	struct buf b = {0};
	buf_puts(&b, "error while loading shared libraries: ");
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "a");
	buf_puts(&b, ".so: cannot open shared object file\n" LOADER("ok.so"));
	_cleanup_free_ char *flood = watched(b.data, b.len, 4096);
	CHECK_STR(flood, "ok.so",
		  "loader watch: a 100000-character name is dropped, the next kept");
	buf_free(&b);
}

static void check_dpkg(void)
{
	static const struct {
		const char *out, *want, *what;
	} cases[] = {
		{"liburing2:amd64: /usr/lib/x86_64-linux-gnu/liburing.so.2\n", "liburing2",
		 "PKG:ARCH: PATH"},
		{"zlib1g: /lib/x86_64-linux-gnu/libz.so.1\n", "zlib1g", "PKG: PATH"},
		{"diversion by foo from: /lib/x.so\ndiversion by foo to: /lib/x.so.real\n"
		 "libx1, liby1: /lib/x.so\n",
		 "libx1", "diversions skipped, the first of two packages"},
		{"", NULL, "nothing"},
		{"Bad$Pkg: /lib/x.so\n", NULL, "no valid package name"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char *pkg = NULL;
		int r = dpkg_owner_parse(cases[i].out, &pkg);
		if (cases[i].want)
			CHECK_STR(pkg, cases[i].want, "dpkg-query -S: %s", cases[i].what);
		else
			CHECK(r == -ENOENT && !pkg, "dpkg-query -S: %s: no package", cases[i].what);
		free(pkg);
	}
}

static void check_words(void)
{
	const struct arch *x86 = arch_find("x86_64"), *arm = arch_find("aarch64");
	_cleanup_strv_ struct strv dirs = {0};
	CHECK(libcheck_lib_dirs(arm, &dirs) == 0, "the loader's folders");
	_cleanup_free_ char *d = join(&dirs);
	CHECK_STR(d,
		  "usr/lib/aarch64-linux-gnu|usr/lib|lib/aarch64-linux-gnu|lib|usr/local/lib|"
		  "usr/lib64|lib64",
		  "the loader's folders of aarch64, with its triplet");

	struct libcheck_missing pkg = {"liburing.so.2", "/usr/lib/x86_64-linux-gnu/liburing.so.2",
				       "liburing2"},
				nopkg = {"libmine.so", "/home/u/lib/libmine.so", NULL},
				none = {"libgone.so", NULL, NULL};
	struct {
		const struct arch *a;
		struct libcheck_missing *m;
		const char *want;
	} cases[] = {
		{x86, &pkg, "Debian's liburing2 has it; add it: quiz-image build --add liburing2"},
		{arm, &pkg,
		 "Debian's liburing2 has it; add it: quiz-image build -a aarch64 --add liburing2"},
		{x86, &nopkg,
		 "not from a Debian package (/home/u/lib/libmine.so): carry it with --system DIR"},
		{x86, &none, "not on this host either: carry it with --system DIR"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_buf_ struct buf b = {0};
		CHECK(libcheck_fix_text(cases[i].a, cases[i].m, &b) == 0 && b.data,
		      "the fix is written");
		CHECK_STR(b.data, cases[i].want, "the fix's words");
	}
	struct libcheck_missing items[] = {pkg, nopkg, pkg, {"libz.so.1", NULL, "zlib1g"}};
	struct libcheck_list l = {items, ELEMENTSOF(items)};
	_cleanup_buf_ struct buf add = {0};
	CHECK(libcheck_add_command(x86, &l, &add) == 0, "the add command is written");
	CHECK_STR(add.data, "quiz-image build --add liburing2 zlib1g",
		  "the add command: each package once, none for a file of no package");
}

static void check_image_list(void)
{
	static const char good[] = "# a project's packages\n"
				   "liburing2   # io_uring\n"
				   "\tlibyaml-0-2 libnl-3-200\r\n"
				   "\n"
				   "g++-12"; /* no newline at the end */
	struct strv v = {0};
	_cleanup_free_ char *error = NULL;
	int r = image_list_parse(good, sizeof(good) - 1, &v, &error);
	CHECK(r == 0, "a package list parses (%s)", error ? error : "");
	_cleanup_free_ char *got = join(&v);
	CHECK_STR(got, "liburing2|libyaml-0-2|libnl-3-200|g++-12",
		  "its names, several a line, comments and CRs left out");
	strv_free(&v);
	static const struct {
		const char *text, *error;
	} bad[] = {
		{"ok-pkg\nBad_Name\n", "line 2: 'Bad_Name' is not a Debian package name"},
		{"$(touch x)\n", "line 1: '$(touch' is not"},
		{"a\n", "line 1: 'a' is not"},
		{"pkg\0x\n", "line 1 is not a package list's"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_free_ char *e = NULL;
		struct strv t = {0};
		size_t len = strlen(bad[i].text) + (strstr(bad[i].error, "list's") ? 3 : 0);
		r = image_list_parse(bad[i].text, len, &t, &e);
		CHECK(r == -EBADMSG && !t.len && e && strstr(e, bad[i].error),
		      "a bad list is refused, naming its line: %s (%s)", bad[i].error, e ? e : "");
		strv_free(&t);
	}
}

int main(void)
{
	check_manifest();
	check_image_list();
	check_names();
	check_watch();
	check_dpkg();
	check_words();
	return tap_done();
}
