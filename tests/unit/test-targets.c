/* SPDX-License-Identifier: MIT */
/* The targets file: parsing, each error with its line, shell-like program words, filtering. */
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "targets.h"

#define KEYS "keys: kernel, arch, profiles, program, list, timeout, memory"

/* ---- helpers ---- */

/* The words of s joined by '|', or "ERROR(r): message". */
static char *split(const char *s)
{
	struct strv v = {0};
	char *err = NULL, *out = NULL;
	int r = split_command_line(s, &v, &err);
	if (r < 0) {
		if (asprintf(&out, "ERROR(%d): %s", r, err ? err : "(no message)") < 0)
			out = NULL;
		free(err);
		return out;
	}
	if (err)
		printf("# split_command_line set a message on success: %s\n", err);
	out = join(&v);
	strv_free(&v);
	return out;
}

/* Every target as "name:line kernel profiles program timeout memory", one per line. */
static char *describe(const struct target_list *l)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < l->n; i++) {
		const struct target *t = &l->items[i];
		char *prog = join(&t->program);
		buf_printf(&b, "%s:%u k=%s p=%s prog=%s t=%u m=%s%s%s\n", t->name, t->line,
			   t->kernel, t->profiles ? t->profiles : "-", prog, t->timeout_s,
			   t->memory ? t->memory : "-", t->arch ? " a=" : "",
			   t->arch ? t->arch : "");
		free(prog);
	}
	return b.data;
}

/* The parse of text as "quiz.ini": describe()'s text, or "ERROR(r): message". */
static char *parse(const char *text)
{
	struct target_list l = {0};
	char *err = NULL, *out = NULL;
	int r = targets_parse("quiz.ini", text, &l, &err);
	if (r < 0) {
		if (asprintf(&out, "ERROR(%d): %s", r, err ? err : "(no message)") < 0)
			out = NULL;
		free(err);
		return out;
	}
	out = describe(&l);
	target_list_free(&l);
	free(err);
	return out;
}

#define CHECK_PARSE(text, want, ...)                                                               \
	do {                                                                                       \
		char *_s = parse(text);                                                            \
		CHECK_STR(_s, want, __VA_ARGS__);                                                  \
		free(_s);                                                                          \
	} while (0)

#define CHECK_ERROR(text, want, ...) CHECK_PARSE(text, "ERROR(-22): " want, __VA_ARGS__)

#define CHECK_SPLIT(s, want, ...)                                                                  \
	do {                                                                                       \
		char *_s = split(s);                                                               \
		CHECK_STR(_s, want, __VA_ARGS__);                                                  \
		free(_s);                                                                          \
	} while (0)

/* ---- split_command_line ---- */

static void test_split(void)
{
	CHECK_SPLIT("a 'b c' \"d \\\"e\\\"\" f\\ g", "a|b c|d \"e\"|f g",
		    "split: a 'b c' \"d \\\"e\\\"\" f\\ g");
	CHECK_SPLIT("", "", "split: empty string, no words");
	CHECK_SPLIT(" \t \n ", "", "split: only blanks, no words");
	CHECK_SPLIT(
		"  ./test.sh\t--quick \n x  ", "./test.sh|--quick|x",
		"split: runs of blanks (space, tab, newline) separate, leading/trailing ignored");
	CHECK_SPLIT("''", "", "split: '' is one empty word (joined: nothing)");
	CHECK_SPLIT("a '' \"\" b", "a|||b", "split: '' and \"\" are empty words");
	CHECK_SPLIT("a'b c'\"d e\"f", "ab cd ef", "split: adjacent quoted parts make one word");
	CHECK_SPLIT("'a\\b \"c\" $x'", "a\\b \"c\" $x",
		    "split: nothing is special inside '...' (backslash, double quote, $)");
	CHECK_SPLIT("\"a\\b \\$x \\` \\\\ \\\" 'q'\"", "a\\b $x ` \\ \" 'q'",
		    "split: in \"...\" backslash escapes only $ ` \\ \" (else kept), ' is literal");
	CHECK_SPLIT("\\'x \\\\ \\a \\\"", "'x|\\|a|\"",
		    "split: outside quotes a backslash keeps the next character");
	CHECK_SPLIT("$HOME *.c ~ a;b x|y >out `id` $(id)", "$HOME|*.c|~|a;b|x|y|>out|`id`|$(id)",
		    "split: no expansion, no operators: all literal");
	CHECK_SPLIT("ab\\\ncd \"e\\\nf\"", "abcd|ef",
		    "split: backslash-newline disappears, outside and inside \"...\"");
	CHECK_SPLIT("a \\\n b", "a|b", "split: backslash-newline between words makes no word");
	CHECK_SPLIT("caf\xc3\xa9 'na\xc3\xafve'", "caf\xc3\xa9|na\xc3\xafve",
		    "split: UTF-8 passes through");

	CHECK_SPLIT("a 'b c", "ERROR(-22): unbalanced quote: the ' at character 3 has no closing '",
		    "split: unbalanced single quote");
	CHECK_SPLIT("x \"d \\\"e",
		    "ERROR(-22): unbalanced quote: the \" at character 3 has no closing \"",
		    "split: unbalanced double quote (the escaped one does not close it)");
	CHECK_SPLIT("it's", "ERROR(-22): unbalanced quote: the ' at character 3 has no closing '",
		    "split: an apostrophe is a quote");
	CHECK_SPLIT("\"a\" 'b' \"c",
		    "ERROR(-22): unbalanced quote: the \" at character 9 has no closing \"",
		    "split: the unclosed one is named, not the earlier closed ones");
	CHECK_SPLIT("abc\\",
		    "ERROR(-22): the '\\' at character 4 escapes nothing (it ends the command "
		    "line); write \\\\ for a backslash",
		    "split: a backslash at the very end");

	struct strv v = {0};
	char *err = NULL;
	strv_push(&v, "keep");
	CHECK(split_command_line("'open", &v, &err) == -EINVAL, "split: error is -EINVAL");
	CHECK(v.len == 1 && STREQ(v.items[0], "keep"), "split: *ret untouched on failure");
	free(err);
	strv_free(&v);
}

/* ---- targets_parse ---- */

static const char *const full_example =
	"\xef\xbb\xbf# The ext4 matrix.\n"
	"; another comment\n"
	"\n"
	"[ext4-6.1]\n"
	"kernel = 6.1\n"
	"profiles = blockdev:count=2,memdev\n"
	"program = ./test.sh --fs ext4 'two words' \"say \\\"hi\\\"\" a ; b\n"
	"timeout = 300\n"
	"memory = 1G\n"
	"\n"
	"  [xfs_6.12+rc]  \r\n"
	"\tprogram   =   sh -c 'echo $HOME; exit 3'   \r\n"
	"kernel: 6.12\n"
	"[B.2]\n"
	"memory=2048\n"
	"kernel=/boot/vmlinuz-6.6.1\n"
	"timeout=1000000\n"
	"program=x\n";

static void test_parse(void)
{
	/* A caller (profile.c, or anyone) may have left inih's global switches otherwise. */
	ini_allow_inline_comments = true;
	ini_allow_multiline = true;
	ini_stop_on_first_error = false;
	CHECK_PARSE(full_example,
		    "ext4-6.1:4 k=6.1 p=blockdev:count=2,memdev "
		    "prog=./test.sh|--fs|ext4|two words|say \"hi\"|a|;|b t=300 m=1G\n"
		    "xfs_6.12+rc:11 k=6.12 p=- prog=sh|-c|echo $HOME; exit 3 t=0 m=-\n"
		    "B.2:14 k=/boot/vmlinuz-6.6.1 p=- prog=x t=1000000 m=2048\n",
		    "full example: order, lines, BOM, comments, CRLF, indentation, ':' separator, "
		    "' ;' kept in a value whatever inih's switches were");

	struct target_list keep = {.items = (struct target *)&keep, .n = 7};
	char *err = NULL;
	CHECK(targets_parse("quiz.ini", "[a]\nkernel=1\n", &keep, &err) == -EINVAL,
	      "failure is -EINVAL");
	CHECK(keep.items == (struct target *)&keep && keep.n == 7, "*ret untouched on failure");
	CHECK(err && strstr(err, "no program"), "failure message set (%s)", err ? err : "NULL");
	free(err);

	CHECK_PARSE("[m]\nkernel=1\nprogram=p\nmemory=512m\n[n]\nkernel=1\nprogram=p\nmemory=1t\n",
		    "m:1 k=1 p=- prog=p t=0 m=512m\nn:5 k=1 p=- prog=p t=0 m=1t\n",
		    "memory: suffix in either case");
	CHECK_PARSE("\xef\xbb\xbf[bom]\r\nkernel = 1\r\nprogram = p\r\n",
		    "bom:1 k=1 p=- prog=p t=0 m=-\n", "a UTF-8 BOM right before the first header");
	CHECK_PARSE(
		"[be]\nkernel = 6.1\narch = s390x\nprogram = p\n[arm]\nkernel = 6.1\narch = "
		"arm64\nprogram = p\n",
		"be:1 k=6.1 p=- prog=p t=0 m=- a=s390x\narm:5 k=6.1 p=- prog=p t=0 m=- a=arm64\n",
		"arch: a target's architecture, by name or alias");
	CHECK_ERROR("[a]\nkernel = 6.1\narch = mips\nprogram = p\n",
		    "quiz.ini line 3: target a: arch 'mips' is not one quiz boots: x86_64, aarch64 "
		    "(arm64), s390x, riscv64, ppc64le (ppc64el), ppc64",
		    "arch: an unknown one is refused with the names there are");
	CHECK_PARSE("[a]\nprogram = ./t.sh x=1 'a=b'\nkernel = 6.1\n",
		    "a:1 k=6.1 p=- prog=./t.sh|x=1|a=b t=0 m=-\n",
		    "program: '=' in the value is kept (only the first one separates)");
}

static void test_parse_errors(void)
{
	CHECK_ERROR("[ext4]\nkernel = 6.1\nprogram = ./t.sh\n\n# c\n\nkernal = 6.1\n",
		    "quiz.ini line 7: target ext4: unknown key 'kernal'; " KEYS, "unknown key");
	CHECK_ERROR("[a]\nKernel = 6.1\n", "quiz.ini line 2: target a: unknown key 'Kernel'; " KEYS,
		    "keys are case-sensitive");
	CHECK_ERROR("[a]\n= 6.1\n",
		    "quiz.ini line 2: target a: no key before '='; write KEY = VALUE", "no key");
	CHECK_ERROR("[a]\nprogram = x\n\n[b]\nkernel = 1\nprogram = y\n",
		    "quiz.ini line 1: target a: no kernel; add e.g. kernel = 6.1",
		    "missing kernel: at the section's line");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = x\n\n[b]\nkernel = 2\n# end\n",
		    "quiz.ini line 5: target b: no program; add e.g. program = ./test.sh",
		    "missing program in the last target");
	CHECK_ERROR("[a]\n", "quiz.ini line 1: target a: no kernel; add e.g. kernel = 6.1",
		    "empty section: kernel is named first");
	CHECK_ERROR(
		"[a]\nkernel = 1\nprogram = x\n[b]\nkernel = 1\nprogram = y\n\n[a]\nkernel = 2\n",
		"quiz.ini line 8: target a: defined again (first at line 1); keep one [a]",
		"duplicate section");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = x\n[a]\n",
		    "quiz.ini line 4: target a: defined again (first at line 1); keep one [a]",
		    "duplicate empty section (inih never reports it)");
	CHECK_ERROR("[a]\nkernel = 1\nkernel = 2\n",
		    "quiz.ini line 3: target a: kernel is given twice; keep one", "duplicate key");
	CHECK_ERROR("[a]\nprogram = x\nprogram = y\n",
		    "quiz.ini line 3: target a: program is given twice; keep one",
		    "duplicate program");
	CHECK_ERROR("[a]\ntimeout = 5\ntimeout = 5\n",
		    "quiz.ini line 3: target a: timeout is given twice; keep one",
		    "duplicate timeout");
	CHECK_ERROR("[a]\nlist = ./s --list\nlist = ./s -l\n",
		    "quiz.ini line 3: target a: list is given twice; keep one", "duplicate list");
	CHECK_ERROR("[a]\nlist = ''\n",
		    "quiz.ini line 2: target a: list: name the suite's list command, e.g. list = "
		    "./suite --list",
		    "an empty list command");
	CHECK_ERROR(
		"[a]\nlist = './s\n",
		"quiz.ini line 2: target a: list: unbalanced quote: the ' at character 1 has no "
		"closing '",
		"a list command with an unclosed quote");
	{
		struct target_list l = {0};
		char *err = NULL;
		int r = targets_parse("quiz.ini",
				      "[a]\nkernel = 6.1\nprogram = ./s --run {}\nlist = ./s "
				      "--list 'x y'\n",
				      &l, &err);
		char *words = r == 0 && l.n == 1 ? join(&l.items[0].list_cmd) : NULL;
		CHECK(words && strcmp(words, "./s|--list|x y") == 0,
		      "list: the suite's list command, split as program is");
		free(words);
		free(err);
		target_list_free(&l);
	}
	CHECK_ERROR("[a]\nmemory = 1G\nmemory = 2G\n",
		    "quiz.ini line 3: target a: memory is given twice; keep one",
		    "duplicate memory");
	CHECK_ERROR("[a]\nprofiles = x\nprofiles = y\n",
		    "quiz.ini line 3: target a: profiles is given twice; keep one",
		    "duplicate profiles");

	static const char *const bad_timeouts[] = {
		"0",	"-5",	       "+5", "10s", "1.5", "1000001", "99999999999999999999999",
		"0x10", "30 ; seconds"};
	for (size_t i = 0; i < ELEMENTSOF(bad_timeouts); i++) {
		char *text = NULL, *want = NULL;
		if (asprintf(&text, "[t]\nkernel = 1\n\ntimeout = %s\n", bad_timeouts[i]) < 0 ||
		    asprintf(&want,
			     "ERROR(-22): quiz.ini line 4: target t: timeout '%s' is not a whole "
			     "number of seconds from 1 to 1000000",
			     bad_timeouts[i]) < 0)
			return;
		CHECK_PARSE(text, want, "bad timeout '%s'", bad_timeouts[i]);
		free(text);
		free(want);
	}
	static const char *const bad_memory[] = {"512MB", "0M",	 "0",	"M",
						 "1.5G",  "-1G", "1 G", "512X"};
	for (size_t i = 0; i < ELEMENTSOF(bad_memory); i++) {
		char *text = NULL, *want = NULL;
		if (asprintf(&text, "[m]\nmemory = %s\n", bad_memory[i]) < 0 ||
		    asprintf(&want,
			     "ERROR(-22): quiz.ini line 2: target m: memory '%s' is not a size "
			     "like 512M or 2G (digits, then K, M, G or T)",
			     bad_memory[i]) < 0)
			return;
		CHECK_PARSE(text, want, "bad memory '%s'", bad_memory[i]);
		free(text);
		free(want);
	}

	static const char *const huge_or_tiny[] = {"2T", "1025G",  "31M",
						   "1",	 "32767K", "99999999999999999999999T"};
	for (size_t i = 0; i < ELEMENTSOF(huge_or_tiny); i++) {
		char *text = NULL, *want = NULL;
		if (asprintf(&text, "[m]\nmemory = %s\n", huge_or_tiny[i]) < 0 ||
		    asprintf(&want,
			     "ERROR(-22): quiz.ini line 2: target m: memory '%s' is out of range: "
			     "32M to 1T",
			     huge_or_tiny[i]) < 0)
			return;
		CHECK_PARSE(text, want, "17.20: memory '%s' out of range, as for -m",
			    huge_or_tiny[i]);
		free(text);
		free(want);
	}

	CHECK_ERROR("[a]\nkernel =\n",
		    "quiz.ini line 2: target a: kernel is empty; write e.g. kernel = 6.1",
		    "empty kernel");
	CHECK_ERROR("[a]\nprofiles =   \n",
		    "quiz.ini line 2: target a: profiles is empty; write e.g. profiles = "
		    "blockdev:count=2,memdev",
		    "empty profiles");
	CHECK_ERROR("[a]\nmemory =\n",
		    "quiz.ini line 2: target a: memory is empty; write e.g. memory = 512M",
		    "empty memory");
	CHECK_ERROR("[a]\ntimeout =\n",
		    "quiz.ini line 2: target a: timeout '' is not a whole number of seconds from 1 "
		    "to 1000000",
		    "empty timeout");
	CHECK_ERROR("[a]\nkernel = 1\nprogram =\n",
		    "quiz.ini line 3: target a: program is empty; write e.g. program = ./test.sh",
		    "empty program");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = '' x\n",
		    "quiz.ini line 3: target a: program: its first word, the command, is empty",
		    "program with an empty command word");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = echo 'oops\n",
		    "quiz.ini line 3: target a: program: unbalanced quote: the ' at character 6 "
		    "has no closing '",
		    "program with an unbalanced quote");

	CHECK_ERROR("# top\nkernel = 6.1\n[a]\n",
		    "quiz.ini line 2: 'kernel' comes before any target; start one with a [NAME] "
		    "line",
		    "key before any section");
	CHECK_ERROR("[a]\nkernel 6.1\n",
		    "quiz.ini line 2: not a KEY = VALUE line, a [NAME] line or a comment",
		    "a line inih cannot read");
	ini_allow_multiline = true; /* else the next line would continue kernel's value */
	CHECK_ERROR("[a]\nkernel = 1\n  indented continuation\n",
		    "quiz.ini line 3: not a KEY = VALUE line, a [NAME] line or a comment",
		    "no multi-line values");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = x\n[b\n",
		    "quiz.ini line 4: '[' starts a target but there is no ']'; write [NAME]",
		    "header without ']'");
	CHECK_ERROR("[a b]\nkernel = 1\n",
		    "quiz.ini line 1: [a b]: not a valid target name (letters, digits, '.', '-', "
		    "'_' and '+')",
		    "name with a space");
	CHECK_ERROR("[ a]\n",
		    "quiz.ini line 1: [ a]: not a valid target name (letters, digits, '.', "
		    "'-', '_' and '+')",
		    "name with a leading space (inih would keep it)");
	static const char *const dot_names[] = {".", "..", ".hidden", "...", ".6.1"};
	for (size_t i = 0; i < ELEMENTSOF(dot_names); i++) {
		char *text = NULL, *want = NULL;
		if (asprintf(&text,
			     "[ok]\nkernel = 1\nprogram = x\n[%s]\nkernel = 1\nprogram = x\n",
			     dot_names[i]) < 0 ||
		    asprintf(&want,
			     "ERROR(-22): quiz.ini line 4: [%s]: a target name must not start with "
			     "'.' (it names a folder under --results); rename it",
			     dot_names[i]) < 0)
			return;
		CHECK_PARSE(text, want, "17.5: target name '%s' refused, naming the file and line",
			    dot_names[i]);
		free(text);
		free(want);
	}
	CHECK_ERROR("[../x]\nkernel = 1\n",
		    "quiz.ini line 1: [../x]: not a valid target name (letters, digits, '.', '-', "
		    "'_' and '+')",
		    "17.5: a name with '/' is refused");
	CHECK_ERROR("[summary.json]\nkernel = 1\nprogram = x\n",
		    "quiz.ini line 1: [summary.json]: the name of --results' summary file, which a "
		    "target's folder would take; rename it",
		    "27.9: the name of --results' summary is refused");
	CHECK_ERROR("[a/b]\nkernel = 1\n",
		    "quiz.ini line 1: [a/b]: not a valid target name (letters, digits, '.', '-', "
		    "'_' and '+')",
		    "17.5: a name with '/' inside is refused");
	CHECK_PARSE("[a..b]\nkernel=1\nprogram=p\n[v6.1.]\nkernel=1\nprogram=p\n",
		    "a..b:1 k=1 p=- prog=p t=0 m=-\nv6.1.:4 k=1 p=- prog=p t=0 m=-\n",
		    "17.5: '.' inside or at the end of a name is fine");
	CHECK_ERROR("[]\n", "quiz.ini line 1: []: a target name has 1 to 49 characters",
		    "empty name");
	CHECK_ERROR(
		"[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n",
		"quiz.ini line 1: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]: a target "
		"name has 1 to 49 characters",
		"a 50-character name (inih would cut it)");
	CHECK_PARSE("[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\nkernel=1\nprogram=p\n",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1 k=1 p=- prog=p t=0 m=-\n",
		    "a 49-character name is fine");
	CHECK_ERROR("[a] ; comment\nkernel = 1\n",
		    "quiz.ini line 1: '; comment' after ']'; a [NAME] line holds nothing else "
		    "(comments go on their own line)",
		    "text after a header");
	CHECK_ERROR("",
		    "quiz.ini: no targets; add one, e.g. [ext4-6.1] with kernel = 6.1 and "
		    "program = ./test.sh on the lines below",
		    "empty file");
	CHECK_ERROR("# nothing\n\n; here\n",
		    "quiz.ini: no targets; add one, e.g. [ext4-6.1] with kernel = 6.1 and program "
		    "= ./test.sh on the lines below",
		    "only comments");

	/* A line inih could not hold. */
	struct buf text = {0};
	buf_puts(&text, "[a]\nkernel = 1\nprogram = ");
	for (int i = 0; i < TARGETS_INI_MAX_LINE; i++)
		buf_puts(&text, "x");
	buf_puts(&text, "\n");
	CHECK_ERROR(text.data, "quiz.ini line 3: longer than 16381 characters; shorten it",
		    "a line longer than inih's buffer");
	/* Cut to the longest line that fits: 16381 characters. */
	text.len = strlen("[a]\nkernel = 1\n") + 16381;
	text.data[text.len] = '\0';
	char *got = parse(text.data);
	CHECK(got && strncmp(got, "a:1 k=1 p=- prog=xxx", 20) == 0 &&
		      strlen(got) ==
			      strlen("a:1 k=1 p=- prog= t=0 m=-\n") + 16381 - strlen("program = "),
	      "a line of 16381 characters is read whole");
	free(got);
	buf_free(&text);

	/* The first error in file order wins. */
	CHECK_ERROR("[a]\nprogram = x\n[b]\nbogus = 1\n",
		    "quiz.ini line 1: target a: no kernel; add e.g. kernel = 6.1",
		    "order: a finished target's missing key before a later bad key");
	CHECK_ERROR("[a]\nbogus = 1\n", "quiz.ini line 2: target a: unknown key 'bogus'; " KEYS,
		    "order: a bad key inside the target before its missing keys");
	CHECK_ERROR("[a]\nprogram = x\n[a]\n",
		    "quiz.ini line 1: target a: no kernel; add e.g. kernel = 6.1",
		    "order: a missing key before a later duplicate header");
	CHECK_ERROR("[a]\nkernal = 1\n[a b]\n",
		    "quiz.ini line 2: target a: unknown key 'kernal'; " KEYS,
		    "order: a bad key before a later bad header");
	CHECK_ERROR("[a b]\nkernal = 1\n",
		    "quiz.ini line 1: [a b]: not a valid target name (letters, digits, '.', '-', "
		    "'_' and '+')",
		    "order: a bad header before a bad key under it");
	CHECK_ERROR("[a]\nkernel = 1\nprogram = x\n[a]\nkernel = 2\n",
		    "quiz.ini line 4: target a: defined again (first at line 1); keep one [a]",
		    "order: the duplicate header, not the repeated key under it");

	char *err = NULL;
	struct target_list l = {0};
	CHECK(targets_parse("/srv/t/quiz.ini", "[a]\n", &l, &err) == -EINVAL && err &&
		      strncmp(err, "/srv/t/quiz.ini line 1: ", 24) == 0,
	      "messages use the file name as given (%s)", err ? err : "NULL");
	free(err);
}

/* ---- targets_filter ---- */

static const char *const filter_example = "[ext4-6.1]\nkernel=6.1\nprogram=t\n"
					  "[ext4-6.12]\nkernel=6.12\nprogram=t\n"
					  "[xfs-6.1]\nkernel=6.1\nprogram=t\n"
					  "[btrfs]\nkernel=6.6\nprogram=t\n";

static char *filtered(const char *regex)
{
	struct target_list l = {0};
	char *err = NULL, *out = NULL;
	if (targets_parse("quiz.ini", filter_example, &l, &err) < 0) {
		printf("# filter example does not parse: %s\n", err);
		free(err);
		return NULL;
	}
	int r = targets_filter(&l, regex, &err);
	if (r < 0) {
		if (asprintf(&out, "ERROR(%d): %s", r, err ? err : "(no message)") < 0)
			out = NULL;
	} else {
		struct buf b = {0};
		buf_puts(&b, "");
		for (size_t i = 0; i < l.n; i++)
			buf_printf(&b, "%s%s:%u", i ? " " : "", l.items[i].name, l.items[i].line);
		out = b.data;
	}
	free(err);
	target_list_free(&l);
	return out;
}

#define CHECK_FILTER(regex, want, ...)                                                             \
	do {                                                                                       \
		char *_s = filtered(regex);                                                        \
		CHECK_STR(_s, want, __VA_ARGS__);                                                  \
		free(_s);                                                                          \
	} while (0)

static void test_filter(void)
{
	CHECK_FILTER(NULL, "ext4-6.1:1 ext4-6.12:4 xfs-6.1:7 btrfs:10", "filter: NULL keeps all");
	CHECK_FILTER("", "ext4-6.1:1 ext4-6.12:4 xfs-6.1:7 btrfs:10", "filter: '' matches all");
	CHECK_FILTER("^ext4", "ext4-6.1:1 ext4-6.12:4", "filter: anchored prefix, order kept");
	CHECK_FILTER("ext4-6.1", "ext4-6.1:1 ext4-6.12:4", "filter: unanchored search");
	CHECK_FILTER("^ext4-6\\.1$", "ext4-6.1:1", "filter: whole name");
	CHECK_FILTER("6\\.1$", "ext4-6.1:1 xfs-6.1:7", "filter: suffix");
	CHECK_FILTER("^(xfs|btrfs)", "xfs-6.1:7 btrfs:10", "filter: extended syntax (|, groups)");
	CHECK_FILTER("[0-9]+\\.[0-9]{2}$", "ext4-6.12:4", "filter: extended syntax (+, {n})");
	CHECK_FILTER("nomatch", "", "filter: no match leaves an empty list");

	static const char bad_prefix[] =
		"ERROR(-22): 'a(' is not a valid extended regular expression: ";
	char *s = filtered("a(");
	CHECK(s && strncmp(s, bad_prefix, strlen(bad_prefix)) == 0 &&
		      strlen(s) > strlen(bad_prefix),
	      "filter: bad regex is -EINVAL with a message (%s)", s ? s : "NULL");
	free(s);

	struct target_list l = {0};
	char *err = NULL;
	if (targets_parse("quiz.ini", filter_example, &l, &err) == 0) {
		struct target *items = l.items;
		CHECK(targets_filter(&l, "[", &err) == -EINVAL, "filter: '[' is a bad regex");
		CHECK(l.items == items && l.n == 4 && STREQ(l.items[3].name, "btrfs"),
		      "filter: list untouched on a bad regex");
		target_list_free(&l);
		CHECK(l.items == NULL && l.n == 0, "target_list_free resets the list");
	}
	free(err);
}

/* --shard I/N over a parsed list: slice I keeps positions I-1, I-1+N, ... in file order, so
 * for N = 1..5 every target is in exactly one slice, and slicing again gives the same. */
static void test_shard(void)
{
	static const char seven[] = "[t0]\nkernel=1\nprogram=x\n[t1]\nkernel=1\nprogram=x\n"
				    "[t2]\nkernel=1\nprogram=x\n[t3]\nkernel=1\nprogram=x\n"
				    "[t4]\nkernel=1\nprogram=x\n[t5]\nkernel=1\nprogram=x\n"
				    "[t6]\nkernel=1\nprogram=x\n";
	for (unsigned n = 1; n <= 5; n++) {
		unsigned seen[7] = {0};
		bool in_order = true, stable = true;
		for (unsigned i = 1; i <= n; i++) {
			struct target_list a = {0}, b = {0};
			char *err = NULL;
			if (targets_parse("quiz.ini", seven, &a, &err) < 0 ||
			    targets_parse("quiz.ini", seven, &b, &err) < 0)
				break;
			targets_shard(&a, i, n);
			targets_shard(&b, i, n);
			stable &= a.n == b.n;
			for (size_t k = 0; k < a.n; k++) {
				unsigned pos = (unsigned)(a.items[k].name[1] - '0');
				seen[pos]++;
				in_order &= pos == i - 1 + k * n;
				stable &= STREQ(a.items[k].name, b.items[k].name);
			}
			target_list_free(&a);
			target_list_free(&b);
		}
		bool once = true;
		for (size_t k = 0; k < 7; k++)
			once &= seen[k] == 1;
		CHECK(once, "--shard I/%u for I = 1..%u: each of 7 targets in exactly one slice", n,
		      n);
		CHECK(in_order && stable,
		      "...slice I holds positions I-1, I-1+%u, ... in file order, "
		      "the same each time",
		      n);
	}
	struct target_list one = {0};
	char *err = NULL;
	if (targets_parse("quiz.ini", "[a]\nkernel=1\nprogram=x\n", &one, &err) == 0) {
		targets_shard(&one, 2, 3);
		CHECK(one.n == 0, "a slice past the targets is empty (2/3 of one target)");
		target_list_free(&one);
	}
	CHECK(shard_takes(5, 1, 0) && shard_takes(0, 1, 1), "no --shard (N = 0) takes every run");
}

int main(void)
{
	test_shard();
	test_split();
	test_parse();
	test_parse_errors();
	test_filter();
	return tap_done();
}
