/* SPDX-License-Identifier: MIT */
/* quiz's command line: what -m, -c and --append accept, and the one line a refusal gives
 * (17.20); the options' table against getopt, --help and man/quiz.1 (28.4). */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "log.h"
#include "options.h"
#include "tap.h"

/* What the core logged: its lines, each with its newline (the sink's, not stderr's). */
static struct buf logged;
static void log_capture(const char *line)
{
	buf_printf(&logged, "%s\n", line);
}

/* options_parse on "quiz ARGS... true" (args NULL-terminated, at most 13); *ret_err gets what
 * it logged (malloc'd). */
static int parse_args(struct quiz_options *o, char **ret_err, char *const *args)
{
	char *argv[16] = {"quiz"};
	int argc = 1;
	for (; argc < 14 && args[argc - 1]; argc++)
		argv[argc] = args[argc - 1];
	argv[argc++] = "true";

	buf_free(&logged);
	log_set_sink(log_capture);
	int r = options_parse(argc, argv, getenv("QUIZ_KERNEL"), o);
	log_set_sink(NULL);
	*ret_err = strdup(logged.data ? logged.data : "");
	return r;
}

static int parse(struct quiz_options *o, char **ret_err, ...)
{
	char *args[14] = {0};
	va_list ap;
	va_start(ap, ret_err);
	for (size_t i = 0; i < 13; i++)
		if (!(args[i] = va_arg(ap, char *)))
			break;
	va_end(ap);
	return parse_args(o, ret_err, args);
}

#define CHECK_REFUSED(want, desc, ...)                                                             \
	do {                                                                                       \
		struct quiz_options _o;                                                            \
		char *_err = NULL;                                                                 \
		int _r = parse(&_o, &_err, __VA_ARGS__, NULL);                                     \
		CHECK(_r == -EINVAL, "%s: refused (got %d)", desc, _r);                            \
		CHECK_STR(_err, want "\n", "%s: one line says why", desc);                         \
		free(_err);                                                                        \
		options_free(&_o);                                                                 \
	} while (0)

static void test_memory(void)
{
	static const char *const good[] = {"512M", "2G", "1024", "1g", "65536K", "1T"};
	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		struct quiz_options o;
		char *err = NULL;
		int r = parse(&o, &err, "-m", good[i], NULL);
		CHECK(r == 0 && STREQ(o.memory, good[i]) && err && !err[0],
		      "17.20: -m %s is accepted and passed on as given", good[i]);
		free(err);
		options_free(&o);
	}
	CHECK_REFUSED("quiz: -m 512MB: expected a size like 512M or 2G (digits, then K, M, G or T; "
		      "no suffix is M), from 32M to 1T",
		      "17.20: -m 512MB", "-m", "512MB");
	CHECK_REFUSED("quiz: -m lots: expected a size like 512M or 2G (digits, then K, M, G or T; "
		      "no suffix is M), from 32M to 1T",
		      "17.20: -m lots", "-m", "lots");
	CHECK_REFUSED("quiz: -m 1.5G: expected a size like 512M or 2G (digits, then K, M, G or T; "
		      "no suffix is M), from 32M to 1T",
		      "17.20: -m 1.5G", "-m", "1.5G");
	CHECK_REFUSED("quiz: -m 100T: guest memory must be from 32M to 1T", "17.20: -m 100T", "-m",
		      "100T");
	CHECK_REFUSED("quiz: -m 16: guest memory must be from 32M to 1T", "17.20: -m 16 (MiB)",
		      "-m", "16");
}

static void test_cpus(void)
{
	struct quiz_options o;
	char *err = NULL;
	CHECK(parse(&o, &err, "-c", "255", NULL) == 0 && o.cpus == 255,
	      "17.20: -c 255 is accepted");
	free(err);
	options_free(&o);
	CHECK_REFUSED("quiz: -c 1000000: expected a whole number from 1 to 255 (x86_64's microvm "
		      "without ACPI; other machines take fewer)",
		      "17.20: -c 1000000", "-c", "1000000");
	CHECK_REFUSED("quiz: -c 256: expected a whole number from 1 to 255 (x86_64's microvm "
		      "without ACPI; other machines take fewer)",
		      "17.20: -c 256", "-c", "256");
	CHECK_REFUSED("quiz: -c 0: expected a whole number from 1 to 255 (x86_64's microvm "
		      "without ACPI; other machines take fewer)",
		      "-c 0", "-c", "0");
	CHECK_REFUSED("quiz: -c +2: expected a whole number from 1 to 255 (x86_64's microvm "
		      "without ACPI; other machines take fewer)",
		      "-c +2", "-c", "+2");
	CHECK_REFUSED("quiz: -t 0: expected a whole number from 1 to 1000000", "-t 0", "-t", "0");
}

static void test_coverage(void)
{
	CHECK_REFUSED("quiz: --coverage-filter goes with --coverage: quiz --coverage DIR "
		      "--coverage-filter fs/ext4 PROGRAM",
		      "--coverage-filter alone", "--coverage-filter", "fs/ext4", "true");
	static const char *const bad[] = {"fs/*", "..", "fs/../..", "a/..", "fs/ext[4]", ""};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char want[256];
		snprintf(want, sizeof(want),
			 "quiz: --coverage-filter '%s': expected a source path such as fs/ext4 or "
			 "drivers/net/veth.c (no wildcards, no '..')\n",
			 bad[i]);
		struct quiz_options o;
		char *err = NULL;
		int r = parse(&o, &err, "--coverage", "c", "--coverage-filter", bad[i], NULL);
		CHECK(r == -EINVAL && err && STREQ(err, want),
		      "--coverage-filter '%s' refused, in one line that says why", bad[i]);
		if (!err || !STREQ(err, want))
			printf("#   logged: %s", err ? err : "nothing\n");
		free(err);
		options_free(&o);
	}
	struct quiz_options o;
	char *err = NULL;
	CHECK(parse(&o, &err, "--coverage", "c", "--coverage-filter", "fs/..x/a.c", "true", NULL) ==
			      0 &&
		      STREQ(o.coverage_filter, "fs/..x/a.c") && STREQ(o.coverage, "c"),
	      "--coverage-filter takes a name that only starts with '..'");
	free(err);
	options_free(&o);
}

static void test_append(void)
{
	CHECK_REFUSED("quiz: --append: 'quiet=\"x' holds a '\"', which would make the kernel read "
		      "the rest of its command line (microvm's device words too) as one quoted "
		      "value; leave the quotes out",
		      "17.20: --append with a '\"'", "--append", "nokaslr quiet=\"x");
	CHECK_REFUSED("quiz: --append: '--' would hide microvm's device words from the kernel; "
		      "leave it out",
		      "--append with '--'", "--append", "a -- b");
	struct quiz_options o;
	char *err = NULL;
	CHECK(parse(&o, &err, "--append", "nokaslr  quiz.x=1", NULL) == 0 && o.append.len == 2,
	      "--append splits plain words");
	free(err);
	options_free(&o);
}

static void test_shard(void)
{
	static const struct {
		const char *arg;
		unsigned index, count; /* 0: refused */
	} cases[] = {
		{"1/1", 1, 1},	 {"2/5", 2, 5},	 {"5/5", 5, 5},	      {"1/100000", 1, 100000},
		{"0/3", 0, 0},	 {"4/3", 0, 0},	 {"3", 0, 0},	      {"a/2", 0, 0},
		{"1/0", 0, 0},	 {"/2", 0, 0},	 {"2/", 0, 0},	      {"1/100001", 0, 0},
		{"-1/2", 0, 0},	 {"+1/2", 0, 0}, {"1/2x", 0, 0},      {"1 /2", 0, 0},
		{"1/2/3", 0, 0}, {"", 0, 0},	 {"0000001/2", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned index = 77, count = 77;
		const char *why = NULL;
		int r = options_parse_shard(cases[i].arg, &index, &count, &why);
		if (cases[i].count)
			CHECK(r == 0 && index == cases[i].index && count == cases[i].count,
			      "--shard %s is slice %u of %u", cases[i].arg, cases[i].index,
			      cases[i].count);
		else
			CHECK(r == -EINVAL && why && index == 77 && count == 77,
			      "--shard '%s' is refused with a reason, the outputs untouched",
			      cases[i].arg);
	}
}

/* --each and the options that go with it. */
static void test_each(void)
{
	struct quiz_options q;
	char *err = NULL;
	int r = parse(&q, &err, "--each", NULL);
	CHECK(r == 0 && q.each && q.retries == 1 && !q.flaky_fails, "--each: one retry by default");
	options_free(&q);
	free(err);
	r = parse(&q, &err, "--list-cmd", "./suite --list 'a b'", NULL);
	CHECK(r == 0 && q.each && q.list_cmd.len == 3 && STREQ(q.list_cmd.items[2], "a b"),
	      "--list-cmd implies --each and is split like a shell would");
	options_free(&q);
	free(err);
	r = parse(&q, &err, "--list-cmd", "'unclosed", NULL);
	CHECK(r == -EINVAL && err && strstr(err, "--list-cmd ''unclosed': "),
	      "--list-cmd: an unclosed quote is refused, naming the value");
	options_free(&q);
	free(err);
	r = parse(&q, &err, "--retries", "2", NULL);
	CHECK(r == -EINVAL && err &&
		      STREQ(err,
			    "quiz: --retries goes with --each (each test of a suite in its own "
			    "VM)\n"),
	      "--retries without --each is refused, saying what it goes with");
	options_free(&q);
	free(err);
	r = parse(&q, &err, "--each", "--retries", "11", NULL);
	CHECK(r == -EINVAL, "--retries: at most 10");
	options_free(&q);
	free(err);
	r = parse(&q, &err, "--each", "--retries", "0", NULL);
	CHECK(r == 0 && q.retries == 0, "--retries 0: no second run");
	options_free(&q);
	free(err);
}

/* A value each option takes (any word where the parser keeps what it is given). */
static char *sample_value(const char *name)
{
	static const char *const samples[][2] = {
		{"kernel", "6.1"},     {"mode", "raw"},
		{"memory", "1G"},      {"cpus", "2"},
		{"timeout", "5"},      {"env", "A=1"},
		{"append", "nokaslr"}, {"splat", "warn"},
		{"jobs", "2"},	       {"splat-allow", "^x"},
		{"shard", "1/2"},      {"retries", "2"},
		{"cwd-share", "9p"},   {"coverage-filter", "fs/ext4"},
	};
	for (size_t i = 0; i < ELEMENTSOF(samples); i++)
		if (STREQ(samples[i][0], name))
			return (char *)samples[i][1];
	return "x";
}

/* "quiz [--list] FORM [VALUE] true" parses, logs nothing and leaves "true" the program. */
static void check_accepted(const struct option_spec *o, char *form)
{
	struct quiz_options q;
	char *err = NULL;
	char *value = o->has_arg == required_argument ? sample_value(o->name) : NULL;
	char *args[6] = {0}, **a = args;
	static const char *const with_each[] = {"retries", "known-failures", "flaky-fails",
						"rerun-failed"};
	if (STREQ(o->name, "json")) /* it goes with --list */
		*a++ = "--list";
	if (STREQ(o->name, "coverage-filter")) { /* it goes with --coverage */
		*a++ = "--coverage";
		*a++ = "cov";
	}
	for (size_t i = 0; i < ELEMENTSOF(with_each); i++)
		if (STREQ(o->name, with_each[i]))
			*a++ = "--each";
	*a++ = form;
	*a = value;
	int r = parse_args(&q, &err, args);
	if (STREQ(o->name, "ps")) { /* it lists, runs nothing: a program is refused */
		CHECK(r == -EINVAL && q.ps,
		      "28.4: getopt takes %s, and a program after it is refused", form);
		free(err);
		options_free(&q);
		return;
	}
	if (STREQ(o->name, "attach")) { /* the word after it is RUN; a command follows "--" */
		CHECK(r == 0 && q.attach && q.attach_run && STREQ(q.attach_run, "true") &&
			      !q.program[0],
		      "28.4: getopt takes %s, the word after it is RUN", form);
		free(err);
		options_free(&q);
		return;
	}
	if (STREQ(o->name, "merge")) { /* it runs nothing: a program is refused */
		CHECK(r == -EINVAL && q.merge.len == 1,
		      "28.4: getopt takes %s %s, and a program after it is refused", form, value);
		free(err);
		options_free(&q);
		return;
	}
	CHECK(r == 0 && err && !err[0] && q.program[0] && STREQ(q.program[0], "true"),
	      "28.4: getopt takes %s%s%s, the program after it stays the program", form,
	      value ? " " : "", value ? value : "");
	if (err && err[0])
		printf("#   logged: %s", err);
	free(err);
	options_free(&q);
}

/* Each row of the table: its long and short forms parse, and no other row has its name or
 * letter. */
/* --attach [RUN] [-- COMMAND...]: "--" right after it means no RUN ("true" ends each argv). */
static void test_attach(void)
{
	struct quiz_options o;
	char *err = NULL;
	int r = parse(&o, &err, "--attach", "--", "ps", NULL);
	CHECK(r == 0 && !o.attach_run && STREQ(o.program[0], "ps") && STREQ(o.program[1], "true"),
	      "--attach -- ps: no RUN, the command ps");
	free(err), options_free(&o);
	r = parse(&o, &err, "--attach", "XRf2kq", "--", NULL);
	CHECK(r == 0 && STREQ(o.attach_run, "XRf2kq") && STREQ(o.program[0], "true") &&
		      !o.program[1],
	      "--attach RUN -- true: RUN, then the command");
	free(err), options_free(&o);
	r = parse(&o, &err, "--attach", "XRf2kq", NULL);
	CHECK(r == -EINVAL, "--attach RUN COMMAND without -- is refused");
	CHECK_STR(err,
		  "quiz: --attach XRf2kq true: put -- before the command: quiz --attach XRf2kq -- "
		  "COMMAND\n",
		  "in one line that shows how");
	free(err), options_free(&o);
	r = parse(&o, &err, "--ps", "--attach", NULL);
	CHECK(r == -EINVAL, "--ps and --attach together are refused");
	free(err), options_free(&o);
}

static void test_table_parses(void)
{
	for (const struct option_spec *o = options_table; o->name; o++) {
		CHECK((o->arg != NULL) == (o->has_arg == required_argument),
		      "--%s names its value in --help exactly when it takes one", o->name);
		bool unique = true;
		for (const struct option_spec *p = options_table; p->name; p++)
			unique &= p == o || (!STREQ(p->name, o->name) && p->key != o->key);
		CHECK(unique, "--%s: no other option has its name or key", o->name);
		_cleanup_free_ char *long_form = NULL;
		if (asprintf(&long_form, "--%s", o->name) < 0)
			abort();
		check_accepted(o, long_form);
		if (o->key < OPTION_KEY_LONG_ONLY) {
			char short_form[3] = {'-', (char)o->key, '\0'};
			check_accepted(o, short_form);
		}
	}
}

/* --help names each option with its value's name and the first line of its help, in the
 * table's order. */
static void test_usage(void)
{
	_cleanup_free_ char *usage = NULL;
	CHECK(options_usage(&usage) == 0 && usage, "options_usage makes --help's text");
	if (!usage)
		return;
	const char *last = usage;
	for (const struct option_spec *o = options_table; o->name; o++) {
		_cleanup_buf_ struct buf head = {0};
		if (o->key < OPTION_KEY_LONG_ONLY)
			buf_printf(&head, "\n  -%c, --%s", o->key, o->name);
		else
			buf_printf(&head, "\n      --%s", o->name);
		if (o->arg)
			buf_printf(&head, " %s", o->arg);
		buf_puts(&head, " ");
		const char *at = strstr(usage, head.data);
		const char *help = at ? at + head.len + strspn(at + head.len, " ") : NULL;
		CHECK(at && at > last && strncmp(help, o->help, strcspn(o->help, "\n")) == 0,
		      "28.4: --help lists '%s' and its help after the option before",
		      head.data + 1);
		last = at ? at : last;
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The options a tag line names: each \-\-NAME as --NAME, each \-X as -X. */
static void tag_options(const char *line, struct strv *ret)
{
	for (const char *p = line; *p;) {
		if (starts_with(p, "\\-\\-")) {
			_cleanup_buf_ struct buf name = {0};
			buf_puts(&name, "--");
			for (p += 4; isalnum((unsigned char)*p) || starts_with(p, "\\-");)
				if (*p == '\\') {
					buf_puts(&name, "-");
					p += 2;
				} else {
					buf_append(&name, p++, 1);
				}
			strv_push(ret, name.data);
		} else if (starts_with(p, "\\-") && isalpha((unsigned char)p[2]) &&
			   !isalnum((unsigned char)p[3]) && !starts_with(p + 3, "\\-")) {
			strv_pushf(ret, "-%c", p[2]);
			p += 3;
		} else {
			p++;
		}
	}
}

/* The options a man page's OPTIONS section lists, in order: those each entry's tag (the line
 * after .TP) names. Mentions in an entry's text do not count. */
static void man_options(const char *page, struct strv *ret)
{
	_cleanup_free_ char *copy = strdup(page);
	bool in_options = false, tag = false;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (starts_with(line, ".SH")) {
			in_options = STREQ(line, ".SH OPTIONS");
			continue;
		}
		if (in_options && tag)
			tag_options(line, ret);
		tag = in_options && STREQ(line, ".TP");
	}
}

static const struct option_spec *table_find(const char *word)
{
	for (const struct option_spec *o = options_table; o->name; o++)
		if (word[1] == '-' ? STREQ(word + 2, o->name) : word[1] == o->key)
			return o;
	return NULL;
}

/* man/quiz.1 lists exactly the table's options, each long and short form once, in the table's
 * (--help's) order. */
static void test_man_page(void)
{
	_cleanup_free_ char *page = NULL;
	int r = read_file(QUIZ_SOURCE_DIR "/man/quiz.1", &page, NULL);
	CHECK(r >= 0, "man/quiz.1 is read");
	if (r < 0)
		return;
	_cleanup_strv_ struct strv listed = {0}, unknown = {0}, missing = {0}, twice = {0},
				   order = {0}, want_order = {0};
	man_options(page, &listed);
	size_t rows = 0;
	while (options_table[rows].name)
		rows++;
	_cleanup_free_ unsigned *seen_long = calloc(rows, sizeof(unsigned));
	_cleanup_free_ unsigned *seen_short = calloc(rows, sizeof(unsigned));
	const struct option_spec *previous = NULL;
	for (size_t i = 0; i < listed.len; i++) {
		const struct option_spec *o = table_find(listed.items[i]);
		if (!o) {
			strv_push(&unknown, listed.items[i]);
			continue;
		}
		(listed.items[i][1] == '-' ? seen_long : seen_short)[o - options_table]++;
		if (o != previous)
			strv_push(&order, o->name);
		previous = o;
	}
	for (const struct option_spec *o = options_table; o->name; o++) {
		size_t i = (size_t)(o - options_table);
		bool has_short = o->key < OPTION_KEY_LONG_ONLY;
		if (!seen_long[i])
			strv_pushf(&missing, "--%s", o->name);
		if (has_short && !seen_short[i])
			strv_pushf(&missing, "-%c", o->key);
		if (seen_long[i] > 1 || seen_short[i] > 1)
			strv_pushf(&twice, "--%s", o->name);
		if (seen_long[i] || seen_short[i])
			strv_push(&want_order, o->name);
	}
	_cleanup_free_ char *unknown_s = join(&unknown), *missing_s = join(&missing),
			    *twice_s = join(&twice), *order_s = join(&order),
			    *want_order_s = join(&want_order);
	CHECK_STR(unknown_s, "",
		  "28.4: options.c's table has every option man/quiz.1 lists (got: what the "
		  "table lacks)");
	CHECK_STR(missing_s, "",
		  "28.4: man/quiz.1 lists every option of options.c's table, long and short "
		  "(got: what the man page lacks)");
	CHECK_STR(twice_s, "", "28.4: man/quiz.1 lists each option once");
	CHECK_STR(order_s, want_order_s, "28.4: man/quiz.1 lists the options in --help's order");
}

int main(void)
{
	test_attach();
	test_shard();
	test_each();
	test_memory();
	test_cpus();
	test_append();
	test_coverage();
	test_table_parses();
	test_usage();
	test_man_page();
	buf_free(&logged);
	return tap_done();
}
