/* SPDX-License-Identifier: MIT */
/* quiz's command line: what -m, -c and --append accept, and the one line a refusal gives
 * (17.20). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "options.h"
#include "tap.h"

/* What the core logged: its lines, each with its newline (the sink's, not stderr's). */
static struct buf logged;
static void log_capture(const char *line)
{
	buf_printf(&logged, "%s\n", line);
}

/* options_parse on "quiz ARGS... true"; *ret_err gets what it logged (malloc'd). */
static int parse(struct quiz_options *o, char **ret_err, ...)
{
	char *argv[16] = {"quiz"};
	int argc = 1;
	va_list ap;
	va_start(ap, ret_err);
	for (char *a; argc < 14 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = "true";

	buf_free(&logged);
	log_set_sink(log_capture);
	int r = options_parse(argc, argv, getenv("QUIZ_KERNEL"), o);
	log_set_sink(NULL);
	*ret_err = strdup(logged.data ? logged.data : "");
	return r;
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

int main(void)
{
	test_shard();
	test_memory();
	test_cpus();
	test_append();
	buf_free(&logged);
	return tap_done();
}
