/* SPDX-License-Identifier: MIT */
/* A trace's frames as the kernel prints them, and nothing else; nm's and addr2line's answers. */
#include <stdlib.h>

#include "decode.h"
#include "tap.h"

/* The frame of a line (a string literal: its length is sizeof - 1, NULs in it kept). */
#define FIND(lit, f) frame_find((lit), sizeof(lit) - 1, (f))

static bool refused(const char *line, size_t len)
{
	struct frame f;
	return !frame_find(line, len, &f);
}
#define REFUSED(lit) refused((lit), sizeof(lit) - 1)

static void test_accepted(void)
{
	struct frame f;
	const char *line = "[    1.398421]  quiz_splat_init+0x3c/0x1000 [quiz_splat]";
	CHECK(frame_find(line, strlen(line), &f) && STREQ(f.symbol, "quiz_splat_init") &&
		      f.offset == 0x3c && f.size == 0x1000 && STREQ(f.module, "quiz_splat") &&
		      f.start == 16 && f.end == strlen(line),
	      "a module's frame: symbol, offset, size, module, where it is");
	CHECK(FIND("[    1.2]  do_one_initcall+0x50/0x1b0", &f) &&
		      STREQ(f.symbol, "do_one_initcall") && f.offset == 0x50 && f.size == 0x1b0 &&
		      STREQ(f.module, ""),
	      "the kernel's own frame: no module");
	CHECK(FIND("[    1.2] RIP: 0010:quiz_splat_oops+0x5/0x10 [quiz_splat]", &f) &&
		      STREQ(f.symbol, "quiz_splat_oops") && STREQ(f.module, "quiz_splat"),
	      "x86's RIP: 0010:symbol");
	CHECK(FIND("[   29.190504][    T1]  ? show_regs+0x8f/0xa0", &f) &&
		      STREQ(f.symbol, "show_regs") && f.offset == 0x8f,
	      "an unreliable frame: ? symbol (with a caller id)");
	CHECK(FIND("[    1.200211] pc : splat_null_do+0x8/0x1000 [splat_null]", &f) &&
		      STREQ(f.symbol, "splat_null_do") && STREQ(f.module, "splat_null"),
	      "arm64's pc : symbol");
	CHECK(FIND(" foo.isra.0+0x1/0x2", &f) && STREQ(f.symbol, "foo.isra.0"), "foo.isra.0");
	CHECK(FIND(" bar.cold+0x10/0x20", &f) && STREQ(f.symbol, "bar.cold") && f.offset == 0x10,
	      "bar.cold");
	CHECK(FIND(" f+0x1/0x2 [mod 0123456789abcdef0123456789ABCDEF01234567]", &f) &&
		      STREQ(f.module, "mod") &&
		      f.end == sizeof(" f+0x1/0x2 [mod "
				      "0123456789abcdef0123456789ABCDEF01234567]") -
				       1,
	      "[module buildid]: the module, the build id in the token");
	CHECK(FIND(" ([<00000000005c4702>] trace_event_buffer_reserve+0x36a/0x3e8)", &f) &&
		      STREQ(f.symbol, "trace_event_buffer_reserve") && f.offset == 0x36a,
	      "s390's (symbol+0x../0x..)");
	CHECK(FIND("Krnl PSW : 0404e00180000000 00000000005c4488 (tebr+0xf0/0x3e8)", &f) &&
		      STREQ(f.symbol, "tebr"),
	      "s390's PSW line");
	CHECK(FIND("WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2", &f) && STREQ(f.symbol, "f"),
	      "a WARN's title: its function");
	CHECK(FIND("a+0x1/0x2 (pid 51, state D) in quiz_splat_hang+0x13/0x15 [quiz_splat]", &f) &&
		      STREQ(f.symbol, "quiz_splat_hang") && STREQ(f.module, "quiz_splat"),
	      "the last frame of a line: a hang's task name comes before it");
	CHECK(FIND(" f+0xffffffffffffffff/0xFFFFFFFFFFFFFFFF", &f) && f.offset == ~0ULL &&
		      f.size == ~0ULL,
	      "16 hex digits, either case");
	CHECK(FIND(" f+0x1/0x2\r", &f) && FIND("\tf+0x1/0x2 [m]\t", &f), "CR and tabs are blanks");
	CHECK(FIND(" x\"||system(\"touch /tmp/P\")|| f+0x1/0x2", &f) && STREQ(f.symbol, "f") &&
		      f.start == sizeof(" x\"||system(\"touch /tmp/P\")|| ") - 1,
	      "a frame after junk: its symbol is the plain word, nothing of the junk");

	char sym[FRAME_SYMBOL_MAX + 16];
	memset(sym, 'a', sizeof(sym));
	memcpy(sym + FRAME_SYMBOL_MAX, "+0x1/0x2", 8);
	CHECK(frame_find(sym, FRAME_SYMBOL_MAX + 8, &f) && strlen(f.symbol) == FRAME_SYMBOL_MAX,
	      "a symbol of %d characters", FRAME_SYMBOL_MAX);
	memcpy(sym + FRAME_SYMBOL_MAX + 1, "+0x1/0x2", 8);
	CHECK(!frame_find(sym, FRAME_SYMBOL_MAX + 9, &f), "a symbol of %d: refused",
	      FRAME_SYMBOL_MAX + 1);
}

static void test_module_bounds(void)
{
	struct frame f;
	struct buf b = {0};
	buf_printf(&b, " f+0x1/0x2 [%0*d]", FRAME_MODULE_MAX, 0);
	CHECK(frame_find(b.data, b.len, &f) && strlen(f.module) == FRAME_MODULE_MAX,
	      "a module name of %d characters", FRAME_MODULE_MAX);
	b.len = 0;
	buf_printf(&b, " f+0x1/0x2 [%0*d]", FRAME_MODULE_MAX + 1, 0);
	CHECK(!frame_find(b.data, b.len, &f), "one of %d: refused", FRAME_MODULE_MAX + 1);
	b.len = 0;
	buf_printf(&b, " f+0x1/0x2 [m %0*d]", FRAME_BUILD_ID_MAX, 0);
	CHECK(frame_find(b.data, b.len, &f), "a build id of %d digits", FRAME_BUILD_ID_MAX);
	b.len = 0;
	buf_printf(&b, " f+0x1/0x2 [m %0*d]", FRAME_BUILD_ID_MAX + 1, 0);
	CHECK(!frame_find(b.data, b.len, &f), "one of %d: refused", FRAME_BUILD_ID_MAX + 1);
	buf_free(&b);
}

static void test_refused(void)
{
	CHECK(REFUSED("[    1.5] x\"||!a++&&system(\"touch${IFS}/tmp/PWNED\")||\"+0x1/0x2"),
	      "the awk payload of issue 27 is no frame");
	CHECK(REFUSED("x\"||!a++&&system(\"touch${IFS}/tmp/PWNED\")||\"+0x1/0x2 [m]"),
	      "nor with a module");
	CHECK(REFUSED(" $(touch /tmp/x)+0x1/0x2"), "a shell substitution before +0x");
	CHECK(REFUSED(" `id`+0x1/0x2"), "backquotes");
	CHECK(REFUSED(" a/f+0x1/0x2"), "a slash before the symbol");
	CHECK(REFUSED(" $f+0x1/0x2"), "a $ before the symbol");
	CHECK(REFUSED(" \xc3\xa9"
		      "f+0x1/0x2"),
	      "a UTF-8 byte before the symbol");
	CHECK(REFUSED(" f\xc3\xa9+0x1/0x2"), "a UTF-8 byte in the symbol");
	CHECK(REFUSED(" f+0x10000000000000000/0x2"), "an offset of 17 hex digits");
	CHECK(REFUSED(" f+0x1/0x10000000000000000"), "a size of 17 hex digits");
	CHECK(REFUSED(" f+0x/0x2"), "no offset digits");
	CHECK(REFUSED(" f+0x1/0x"), "no size digits");
	CHECK(REFUSED(" f+0x1"), "no size");
	CHECK(REFUSED(" f+1/0x2"), "an offset without 0x");
	CHECK(REFUSED(" f+0xg/0x2"), "a non-hex offset");
	CHECK(REFUSED(" f+0x1/0x2junk"), "junk after the size");
	CHECK(REFUSED(" f+0x1/0x2;id"), "a ; after the size");
	CHECK(REFUSED(" f+0x1/0x2 [mod"), "an unclosed module");
	CHECK(REFUSED(" f+0x1/0x2 [mo$d]"), "a $ in the module");
	CHECK(REFUSED(" f+0x1/0x2 [mo-d]"), "a - in the module (the kernel prints _)");
	CHECK(REFUSED(" f+0x1/0x2 [../x]"), "a path as the module");
	CHECK(REFUSED(" f+0x1/0x2 []"), "an empty module");
	CHECK(REFUSED(" f+0x1/0x2 [mod zz]"), "a build id that is not hex");
	CHECK(REFUSED(" f+0x1/0x2 [mod 12 34]"), "two build ids");
	CHECK(REFUSED(" f+0x1/0x2 [mod]x"), "junk after the module");
	CHECK(REFUSED(" +0x1/0x2"), "no symbol");
	CHECK(REFUSED("f\0+0x1/0x2"), "a NUL before +0x");
	CHECK(REFUSED("\0f+0x1/0x2"), "a NUL before the symbol");
	CHECK(REFUSED(" f+0x1\0/0x2"), "a NUL in the offset");
	CHECK(REFUSED(" f+0x1/0x2\0"), "a NUL after the size");
	CHECK(REFUSED(" f+0x1/0x2 [m\0]"), "a NUL in the module");
	CHECK(REFUSED(""), "an empty line");
	CHECK(REFUSED("++++0x+0x/0x+"), "plus signs");
	CHECK(refused("f+0x1/0x2", 5), "a line cut in the frame");

	/* Random bytes: whatever is found is in the grammar and inside the line. */
	unsigned seed = 27;
	bool sane = true;
	for (int i = 0; i < 20000; i++) {
		char line[64];
		for (size_t j = 0; j < sizeof(line); j++) {
			seed = seed * 1103515245 + 12345;
			line[j] = "f+0x1/[] m\0z\"$.9"[(seed >> 16) % 17];
		}
		struct frame f;
		if (frame_find(line, sizeof(line), &f))
			sane &= f.start < f.end && f.end <= sizeof(line) && f.symbol[0] &&
				strspn(f.symbol, "f.9zm") == strlen(f.symbol) &&
				strspn(f.module, "f.9zm") == strlen(f.module);
	}
	CHECK(sane, "20000 random lines: every frame found is of the grammar");
}

static const char system_map[] = "ffffffff81000000 T _stext\n"
				 "ffffffff81001000 t cmp\n"
				 "ffffffff81002000 t cmp\n"
				 "ffffffff81003000 D data_sym\n"
				 "ffffffff81004000 W weak_fn\n"
				 "                 U printk\n"
				 "ffffffff81005000 T foo.isra.0\n"
				 "1ffffffff81000000 T overflow\n"
				 "zzzz T junk\n"
				 "ffffffff81006000 T\n"
				 "ffffffff81007000 T  spaced\n"
				 "ffffffff81008000 t foo_long\n"
				 "0000000000000040 t quiz_splat_init";

static void test_nm(void)
{
	const char *names[] = {
		"cmp",	"data_sym", "weak_fn", "printk", "foo.isra.0",	    "overflow",
		"junk", "spaced",   "foo",     "_stext", "quiz_splat_init", ""};
	size_t n = ELEMENTSOF(names);
	unsigned long long addrs[ELEMENTSOF(names)] = {0};
	bool found[ELEMENTSOF(names)];
	size_t hits = nm_find(system_map, sizeof(system_map) - 1, names, n, addrs, found);
	CHECK(hits == 4, "4 of the names are text symbols (%zu)", hits);
	CHECK(found[0] && addrs[0] == 0xffffffff81001000ULL, "a name twice: the first");
	CHECK(!found[1] && !found[2] && !found[3], "D, W and U are not text symbols");
	CHECK(found[4] && addrs[4] == 0xffffffff81005000ULL, "foo.isra.0");
	CHECK(!found[5] && !found[6], "an address of 17 digits, a non-hex one: skipped");
	CHECK(!found[7] && !found[8], "a name is the whole rest of its line");
	CHECK(found[9] && addrs[9] == 0xffffffff81000000ULL, "the first line");
	CHECK(found[10] && addrs[10] == 0x40, "the last line, with no newline (nm of a module)");
	CHECK(!found[11], "an empty name is not found");
	CHECK(nm_find("", 0, names, n, addrs, found) == 0 && !found[0], "an empty map");
}

static const char a2l[] = "0x0000000000000040\n"
			  "/src/mod/quiz_splat.c:39\n"
			  "0xffffffff81234567\n"
			  "/src/linux/include/linux/list.h:13 (discriminator 1)\n"
			  "/src/linux/kernel/fork.c:45\n"
			  "0x0000000000000100\n"
			  "??:0\n"
			  "0x0000000000000200\n"
			  "/src/a.c:?\n"
			  "??:?\n";

static void test_addr2line(void)
{
	unsigned long long addrs[] = {0x40, 0xffffffff81234567ULL, 0x100, 0x200};
	struct strv places[4] = {{0}};
	CHECK(addr2line_parse(a2l, sizeof(a2l) - 1, addrs, 4, places) == 0, "four groups parse");
	char *s[4];
	for (int i = 0; i < 4; i++)
		s[i] = join(&places[i]);
	CHECK_STR(s[0], "/src/mod/quiz_splat.c:39", "one place");
	CHECK_STR(s[1], "/src/linux/include/linux/list.h:13|/src/linux/kernel/fork.c:45",
		  "an inlined frame: two places, innermost first, no discriminator");
	CHECK_STR(s[2], "", "??:0: nothing");
	CHECK_STR(s[3], "", "file:? and ??:?: nothing");
	for (int i = 0; i < 4; i++) {
		free(s[i]);
		strv_free(&places[i]);
	}

	unsigned long long swapped[] = {0xffffffff81234567ULL, 0x40, 0x100, 0x200};
	CHECK(addr2line_parse(a2l, sizeof(a2l) - 1, swapped, 4, places) == -EBADMSG &&
		      places[0].len == 0 && places[1].len == 0,
	      "groups not in the order asked: refused, nothing filled");
	CHECK(addr2line_parse(a2l, sizeof(a2l) - 1, addrs, 3, places) == -EBADMSG,
	      "more groups than addresses: refused");
	const char before[] = "junk:1\n0x0000000000000040\na.c:1\n";
	CHECK(addr2line_parse(before, sizeof(before) - 1, addrs, 1, places) == -EBADMSG,
	      "a place before any address: refused");
	const char cut[] = "0x0000000000000040\na.c:1\n";
	CHECK(addr2line_parse(cut, sizeof(cut) - 1, addrs, 2, places) == 0 && places[0].len == 1 &&
		      places[1].len == 0,
	      "fewer groups (addr2line stopped): the others have no place");
	strv_free(&places[0]);
	const char nul[] = "0x0000000000000040\na\0.c:1\n0x40junk\n";
	CHECK(addr2line_parse(nul, sizeof(nul) - 1, addrs, 1, places) == 0 && places[0].len == 1,
	      "a NUL or junk in a place line stays in that line");
	strv_free(&places[0]);
}

static void test_format(void)
{
	_cleanup_free_ char *root = frame_source_root("/src/linux/init/main.c:1543");
	CHECK_STR(root, "/src/linux/", "the source tree of kernel_init's place");
	CHECK(!frame_source_root("init/main.c:1") && !frame_source_root("/x/kernel/fork.c:1") &&
		      !frame_source_root(NULL),
	      "no source tree in a relative or another place");
	struct strv places = {0};
	strv_push(&places, "/src/linux/include/linux/list.h:13");
	strv_push(&places, "/src/mod/quiz_splat.c:45");
	struct buf out = {0};
	CHECK(frame_places_format(&places, root, &out) == 0, "places format");
	CHECK_STR(out.data, " (include/linux/list.h:13 /src/mod/quiz_splat.c:45)",
		  "the source tree left out where a place starts with it");
	strv_free(&places);
	out.len = 0;
	CHECK(frame_places_format(&places, NULL, &out) == 0 && out.len == 0, "no place: nothing");
	buf_free(&out);
}

int main(void)
{
	test_accepted();
	test_module_bounds();
	test_refused();
	test_nm();
	test_addr2line();
	test_format();
	return tap_done();
}
