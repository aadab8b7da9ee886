/* SPDX-License-Identifier: MIT */
/* TAP unit test for version words (core/kernel.c): their grammar and normal forms (quiz-kernel
 * version), and the order a listing gives a source's words (quiz-kernel version-sort). */
#include "kernel.h"
#include "macro.h"
#include "tap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* A version word (quiz-kernel version WORD): its kind and normal form, "rc 7.3-rc7"; NULL: refused.
 */
struct word_case {
	const char *word;
	const char *expect;
};

static const struct word_case word_cases[] = {
	{"7.2", "series 7.2"},
	{"v7.2", "series 7.2"},
	{"7.0", "series 7.0"},
	{"10.0", "series 10.0"},
	{"0.0", "series 0.0"},
	{"7.2.13", "exact 7.2.13"},
	{"v7.2.13", "exact 7.2.13"},
	{"7.2.0", "exact 7.2"},
	{"v7.2.0", "exact 7.2"},
	{"7.3-rc7", "rc 7.3-rc7"},
	{"7.3.0-rc7", "rc 7.3-rc7"},
	{"v7.3-rc7", "rc 7.3-rc7"},
	{"v7.3.0-rc7", "rc 7.3-rc7"},
	{"7.3-rc10", "rc 7.3-rc10"},
	{"9999.9999.9999", "exact 9999.9999.9999"},
	{"9999.9999-rc9999", "rc 9999.9999-rc9999"},
	{"next-20261204", "next next-20261204"},
	{"next-20240229", "next next-20240229"},
	{"next-20000229", NULL},
	{"next-20080101", "next next-20080101"},
	{"next-20261231", "next next-20261231"},
	{"next", "next next"},
	{"mainline", "mainline mainline"},
	{"mainline-abcdef123456", "mainline mainline-abcdef123456"},
	{"mainline-0123456789ab", "mainline mainline-0123456789ab"},
	/* refused */
	{"", NULL},
	{"7", NULL},
	{"7.", NULL},
	{"7.x", NULL},
	{"x.2", NULL},
	{"7.2.", NULL},
	{"7..2", NULL},
	{".7.2", NULL},
	{"7.2.13.1", NULL},
	{"7.3-rc", NULL},
	{"7.3-rc0", NULL},
	{"7.3-rc07", NULL},
	{"7.3-rcx", NULL},
	{"7.3-rc7x", NULL},
	{"7.3-RC7", NULL},
	{"7.3rc7", NULL},
	{"7.3.1-rc1", NULL},
	{"7.3-rc7-next-20261204", NULL},
	{"07.2", NULL},
	{"7.02", NULL},
	{"7.2.013", NULL},
	{"7.2.00", NULL},
	{"10000.1", NULL},
	{"7.10000", NULL},
	{"7.2.10000", NULL},
	{"7.3-rc10000", NULL},
	{"4294967296.1", NULL},
	{"99999999999999999999.1", NULL},
	{" 7.2", NULL},
	{"7.2 ", NULL},
	{"7 .2", NULL},
	{"7.2\t", NULL},
	{"7.2\n", NULL},
	{"vv7.2", NULL},
	{"V7.2", NULL},
	{"v", NULL},
	{"-7.2", NULL},
	{"+7.2", NULL},
	{"7.2+", NULL},
	{"7.2-kasan", NULL},
	{"7.2.13-custom", NULL},
	{"next-2026", NULL},
	{"next-202612", NULL},
	{"next-202612041", NULL},
	{"next-20261399", NULL},
	{"next-20261300", NULL},
	{"next-20260001", NULL},
	{"next-20261232", NULL},
	{"next-20261200", NULL},
	{"next-20260230", NULL},
	{"next-20250229", NULL},
	{"next-21000229", NULL},
	{"next-20071231", NULL},
	{"next-2026120x", NULL},
	{"next-", NULL},
	{"next20261204", NULL},
	{"Next-20261204", NULL},
	{"vnext-20261204", NULL},
	{"next-20261204-kasan", NULL},
	{"next-20261204+", NULL},
	{"next-kasan", NULL},
	{"nextt", NULL},
	{"mainline-xyz", NULL},
	{"mainline-abcdef12345", NULL},
	{"mainline-abcdef1234567", NULL},
	{"mainline-ABCDEF123456", NULL},
	{"mainline-abcdeg123456", NULL},
	{"mainline-", NULL},
	{"mainlinex", NULL},
	{"mainline-abcdef123456-kasan", NULL},
	{"Mainline", NULL},
	{NULL, NULL},
};

/* The listing's order of a source's words: the sign of kernel_word_compare(a, b). */
struct order_case {
	const char *a, *b;
	int expect;
};

static const struct order_case order_cases[] = {
	{"7.3-rc7", "7.3", -1},
	{"7.3", "7.3.1", -1},
	{"7.3-rc7", "7.3.1", -1},
	{"7.3-rc10", "7.3-rc9", 1},
	{"7.3-rc1", "7.2.13", 1},
	{"7.10", "7.9", 1},
	{"7.10", "7.9.20", 1},
	{"8.0-rc1", "7.99.9", 1},
	{"7.2.13", "7.2", 1},
	{"7.2", "7.2.0", 0},
	{"7.3.0-rc7", "v7.3-rc7", 0},
	{"7.2.13", "7.2.13", 0},
	{"next-20261204", "0.0", -1},
	{"next-20261204", "7.3-rc1", -1},
	{"next-20261205", "next-20261204", 1},
	{"next-20270101", "next-20261231", 1},
	{"next-20261204", "next-20261204", 0},
	{"mainline-abcdef123456", "next-20080101", -1},
	{"mainline-abcdef123456", "0.0", -1},
	{"mainline-abcdef123456", "mainline-000000000000", 0},
};

/* quiz-kernel version-sort: lines in, the kept ones out in order. */
static const char *const sort_in[] = {
	"next-20261204\tgit linux-next",
	"7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)",
	"mainline-abcdef123456\tgit mainline",
	"7.3-rc7\tdebian experimental (linux-source-7.3 7.3~rc7-1~exp1)",
	"7.10\tkernel.org",
	"bogus\tkernel.org",
	"7.2\tkernel.org",
	"7.3-rc10",
	"7.9.3\tkernel.org\twith a second tab",
	"next-20261130\tgit linux-next",
	"",
	"7.3\tkernel.org",
	"7.2.13 \ta space after the word",
	"7.3.1",
	"\t7.3.2",
	"7.3-rc9\t",
	"next-20261399\tgit linux-next",
	"7.3.0-rc8\tgit",
};

static const char *const sort_out[] = {
	"7.10\tkernel.org",
	"7.9.3\tkernel.org\twith a second tab",
	"7.3.1",
	"7.3\tkernel.org",
	"7.3-rc10",
	"7.3-rc9\t",
	"7.3.0-rc8\tgit",
	"7.3-rc7\tdebian experimental (linux-source-7.3 7.3~rc7-1~exp1)",
	"7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)",
	"7.2\tkernel.org",
	"next-20261204\tgit linux-next",
	"next-20261130\tgit linux-next",
	"mainline-abcdef123456\tgit mainline",
};

/* Equal words keep the order they came in (the dispatcher lists its preferred source first). */
static const char *const stable_in[] = {
	"7.2.13\tdebian sid", "mainline-000000000000\tgit",
	"7.2.13\tkernel.org", "7.2.0\tkernel.org",
	"7.2\tdebian",	      "mainline-ffffffffffff\tgit",
	"v7.2.13\tgit",
};

static const char *const stable_out[] = {
	"7.2.13\tdebian sid",	      "7.2.13\tkernel.org", "v7.2.13\tgit",
	"7.2.0\tkernel.org",	      "7.2\tdebian",	    "mainline-000000000000\tgit",
	"mainline-ffffffffffff\tgit",
};

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* The word as TAP's one line can show it: "7.2\n" as "7.2\x0a". */
static const char *shown(const char *word, char *buf, size_t size)
{
	size_t len = 0;

	for (const char *p = word ?: "(null)"; *p && len + 5 < size; p++)
		len += (size_t)snprintf(buf + len, size - len,
					(unsigned char)*p < 0x20 ? "\\x%02x" : "%c", *p);
	buf[len] = '\0';
	return buf;
}

static void test_word(const struct word_case *c)
{
	struct kernel_word w, untouched;
	char got[64] = "refused", name[64];
	int r;

	memset(&w, 0xa5, sizeof(w));
	untouched = w;
	r = kernel_word_parse(c->word, &w);
	if (r == 0)
		snprintf(got, sizeof(got), "%s %s", kernel_word_kind_name(w.kind) ?: "?", w.normal);
	else if (r != -EINVAL)
		snprintf(got, sizeof(got), "error %d", r);
	else if (memcmp(&w, &untouched, sizeof(w)) != 0)
		snprintf(got, sizeof(got), "refused, but its result was written");
	CHECK_STR(got, c->expect ?: "refused", "word \"%s\"", shown(c->word, name, sizeof(name)));
}

static void test_order(const struct order_case *c)
{
	struct kernel_word a, b;
	bool parsed = kernel_word_parse(c->a, &a) == 0 && kernel_word_parse(c->b, &b) == 0;
	int got = parsed ? sign(kernel_word_compare(&a, &b)) : 2;
	int got_rev = parsed ? sign(kernel_word_compare(&b, &a)) : 2;

	CHECK(got == c->expect && got_rev == -c->expect, "order %s vs %s: %d", c->a, c->b,
	      c->expect);
	if (got != c->expect || got_rev != -c->expect)
		printf("#   got %d (reversed %d)\n", got, got_rev);
}

/* Sorts in (n lines, or them reversed): the lines kept, '|' between them, are out's. */
static void test_sort(const char *desc, const char *const *in, size_t n, bool reverse,
		      const char *const *out, size_t m)
{
	_cleanup_free_ char **lines = calloc(n ? n : 1, sizeof(char *));
	_cleanup_free_ size_t *order = NULL;
	_cleanup_strv_ struct strv got = {0}, want = {0};
	size_t kept = 0;
	int r = lines ? 0 : -ENOMEM;

	for (size_t i = 0; lines && i < n; i++)
		lines[i] = (char *)in[reverse ? n - 1 - i : i];
	if (r == 0)
		r = kernel_word_lines_sort(lines, n, &order, &kept);
	for (size_t i = 0; r == 0 && i < kept; i++)
		r = strv_push(&got, order[i] < n ? lines[order[i]] : "(bad index)");
	for (size_t i = 0; i < m; i++)
		(void)strv_push(&want, out[i]); /* a failure shows in the comparison */

	_cleanup_free_ char *got_s = join(&got), *want_s = join(&want);
	CHECK(r == 0, "sort %s: returns 0", desc);
	CHECK_STR(got_s, want_s, "sort %s", desc);
}

int main(void)
{
	for (size_t i = 0; i < ELEMENTSOF(word_cases); i++)
		test_word(&word_cases[i]);
	for (size_t i = 0; i < ELEMENTSOF(order_cases); i++)
		test_order(&order_cases[i]);
	/* sort_in has no two equal words: reversed, it sorts the same ("first wins" cannot pass).
	 */
	test_sort("newest first, unparsable lines left out", sort_in, ELEMENTSOF(sort_in), false,
		  sort_out, ELEMENTSOF(sort_out));
	test_sort("the same from the reversed list", sort_in, ELEMENTSOF(sort_in), true, sort_out,
		  ELEMENTSOF(sort_out));
	test_sort("equal words keep their order", stable_in, ELEMENTSOF(stable_in), false,
		  stable_out, ELEMENTSOF(stable_out));
	test_sort("no lines", NULL, 0, false, NULL, 0);
	test_sort("only unparsable lines", (const char *const[]){"", "x", "7", "next-1", NULL}, 5,
		  false, NULL, 0);
	return tap_done();
}
