/* SPDX-License-Identifier: MIT */
/* Parses kernel release strings and picks the built kernel that a -k selector names. */
#include "kernel.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses a decimal number without leading zeros at *p and advances *p past it. */
static int parse_number(const char **p, unsigned *ret)
{
	const char *s = *p;
	unsigned long long v = 0;

	if (!is_digit(*s))
		return -EINVAL;
	if (s[0] == '0' && is_digit(s[1]))
		return -EINVAL;

	for (; is_digit(*s); s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT_MAX)
			return -EINVAL;
	}

	*ret = (unsigned)v;
	*p = s;
	return 0;
}

/* Keep in step with kconfig/flavour/ (the unit test checks). */
static const char *const flavour_names[] = {"bpf",  "gcov",    "kasan", "kcsan",   "kmemleak",
					    "llvm", "lockdep", "ubsan", "virtiofs"};

const char *kernel_flavour_name(unsigned i)
{
	return i < sizeof(flavour_names) / sizeof(flavour_names[0]) ? flavour_names[i] : NULL;
}

static int flavour_index(const char *word, size_t len)
{
	for (unsigned i = 0; kernel_flavour_name(i); i++)
		if (strlen(flavour_names[i]) == len && strncmp(flavour_names[i], word, len) == 0)
			return (int)i;
	return -1;
}

static bool is_leap_year(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A linux-next tag's date, YYYYMMDD: a day of the calendar, from the year linux-next began. */
static bool date_plausible(unsigned ymd)
{
	static const unsigned char days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned year = ymd / 10000, month = ymd / 100 % 100, day = ymd % 100;

	if (year < 2008 || year > 9999 || month < 1 || month > 12 || day < 1)
		return false;
	if (month == 2 && !is_leap_year(year))
		return day <= 28;
	return day <= days[month - 1];
}

/* Exactly n decimal digits at p, in len bytes: their value (n <= 9). */
static bool digits_exactly(const char *p, size_t len, size_t n, unsigned *ret)
{
	unsigned v = 0;

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*ret = v;
	return true;
}

/* Exactly 12 lowercase hex digits in len bytes: a commit as the mainline source names it. */
static bool is_commit(const char *p, size_t len)
{
	if (len != 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(p[i]) && !(p[i] >= 'a' && p[i] <= 'f'))
			return false;
	return true;
}

/* "next" then a date, or "mainline" then a commit, as the words at p and next (lengths len and
 * next_len): a linux-next or a mainline build. Fills v's fields; false if they are not. */
static bool source_words(struct kernel_version *v, const char *p, size_t len, const char *next,
			 size_t next_len)
{
	unsigned date;

	if (v->next_date || v->mainline_commit[0])
		return false;
	if (len == 4 && strncmp(p, "next", 4) == 0 && digits_exactly(next, next_len, 8, &date) &&
	    date_plausible(date)) {
		v->next_date = date;
		return true;
	}
	if (len == 8 && strncmp(p, "mainline", 8) == 0 && is_commit(next, next_len)) {
		memcpy(v->mainline_commit, next, 12);
		v->mainline_commit[12] = '\0';
		return true;
	}
	return false;
}

/* Sorts the words of extra ("-kasan-lockdep+", "-next-20261204") into flavours, the source's
 * words and the rest. */
static void extra_classify(struct kernel_version *v)
{
	v->flavours = 0;
	v->local = false;
	v->next_date = 0;
	v->mainline_commit[0] = '\0';
	for (const char *p = v->extra; *p;) {
		if (*p != '-') { /* '+', or what follows it */
			v->local = true;
			p++;
			continue;
		}
		size_t len = strcspn(++p, "-+");
		int i = flavour_index(p, len);
		if (i >= 0) {
			v->flavours |= 1u << i;
		} else if (p[len] == '-' &&
			   source_words(v, p, len, p + len + 1, strcspn(p + len + 1, "-+"))) {
			p += len + 1;
			len = strcspn(p, "-+");
		} else {
			v->local = true;
		}
		p += len;
	}
}

int kernel_version_parse(const char *s, struct kernel_version *ret)
{
	struct kernel_version v = {.extra = ""};
	const char *p = s;
	int r;

	if (!s || !ret)
		return -EINVAL;

	r = parse_number(&p, &v.major);
	if (r < 0)
		return r;
	if (*p++ != '.')
		return -EINVAL;
	r = parse_number(&p, &v.minor);
	if (r < 0)
		return r;

	if (*p == '.') {
		p++;
		r = parse_number(&p, &v.patch);
		if (r < 0)
			return r;
		v.has_patch = true;
	}

	/* "-rc" without a number is left to extra: "-rcu-test" is a plausible local version. */
	if (strncmp(p, "-rc", 3) == 0 && is_digit(p[3])) {
		p += 3;
		r = parse_number(&p, &v.rc);
		if (r < 0)
			return r;
		if (v.rc == 0)
			return -EINVAL;
	}

	if (*p != '\0' && *p != '-' && *p != '+')
		return -EINVAL;
	v.extra = p;
	extra_classify(&v);

	*ret = v;
	return 0;
}

static int compare_unsigned(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

static int compare_numbers(const struct kernel_version *a, const struct kernel_version *b)
{
	int r;

	r = compare_unsigned(a->major, b->major);
	if (r != 0)
		return r;
	r = compare_unsigned(a->minor, b->minor);
	if (r != 0)
		return r;
	return compare_unsigned(a->patch, b->patch);
}

/* The version alone: numbers, then a final release is newer than its rcs, a higher rc newer. */
static int compare_release(const struct kernel_version *a, const struct kernel_version *b)
{
	int r = compare_numbers(a, b);

	if (r != 0 || a->rc == b->rc)
		return r;
	if (a->rc == 0)
		return 1;
	if (b->rc == 0)
		return -1;
	return compare_unsigned(a->rc, b->rc);
}

int kernel_version_compare(const struct kernel_version *a, const struct kernel_version *b)
{
	int r = compare_release(a, b);

	if (r != 0)
		return r;
	r = strcmp(a->extra, b->extra);
	return (r > 0) - (r < 0);
}

/* A number of a version word: decimal, no leading zero, at most 4 digits (9999). */
static int word_number(const char **p, const char *end, unsigned *ret)
{
	const char *s = *p;
	unsigned v = 0;

	for (; s < end && is_digit(*s); s++) {
		if (s - *p == 4)
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (s == *p || (s - *p > 1 && **p == '0'))
		return -EINVAL;
	*ret = v;
	*p = s;
	return 0;
}

/* [v]X.Y[.Z][-rcN] at *p: a release or a release candidate of mainline (Z is 0 then). */
static int word_version(const char **p, const char *end, struct kernel_word *w)
{
	bool has_patch = false;
	int r;

	if (*p < end && **p == 'v')
		(*p)++;
	r = word_number(p, end, &w->major);
	if (r < 0)
		return r;
	if (*p >= end || *(*p)++ != '.')
		return -EINVAL;
	r = word_number(p, end, &w->minor);
	if (r < 0)
		return r;
	if (*p < end && **p == '.') {
		(*p)++;
		r = word_number(p, end, &w->patch);
		if (r < 0)
			return r;
		has_patch = true;
	}
	w->kind = has_patch ? KERNEL_WORD_EXACT : KERNEL_WORD_SERIES;
	if (end - *p < 3 || strncmp(*p, "-rc", 3) != 0)
		return 0;
	*p += 3;
	r = word_number(p, end, &w->rc);
	if (r < 0)
		return r;
	/* A stable review's rc (6.1.193-rc1) is not something a source gives. */
	if (w->rc == 0 || w->patch != 0)
		return -EINVAL;
	w->kind = KERNEL_WORD_RC;
	return 0;
}

/* The length of the word at p: up to end, '-' or '+'. */
static size_t word_length(const char *p, const char *end)
{
	const char *s = p;

	while (s < end && *s != '-' && *s != '+')
		s++;
	return (size_t)(s - p);
}

/* The word at the start of s (len bytes); *ret_used: its length. What follows is the caller's
 * (the end of the word, or a selector's flavours). */
static int word_take(const char *s, size_t len, struct kernel_word *ret, size_t *ret_used)
{
	struct kernel_word w = {0};
	const char *p = s, *end = s + len;
	int r;

	if (len >= 4 && strncmp(s, "next", 4) == 0) {
		w.kind = KERNEL_WORD_NEXT;
		p += 4;
		if (end - p >= 2 && p[0] == '-' && is_digit(p[1])) {
			size_t n = word_length(p + 1, end);
			if (!digits_exactly(p + 1, n, 8, &w.next_date) ||
			    !date_plausible(w.next_date))
				return -EINVAL;
			p += 1 + n;
		}
	} else if (len >= 8 && strncmp(s, "mainline", 8) == 0) {
		w.kind = KERNEL_WORD_MAINLINE;
		p += 8;
		if (end - p >= 13 && p[0] == '-' && is_commit(p + 1, 12) &&
		    (end - p == 13 || p[13] == '-' || p[13] == '+')) {
			memcpy(w.mainline_commit, p + 1, 12);
			p += 13;
		}
	} else {
		r = word_version(&p, end, &w);
		if (r < 0)
			return r;
	}

	switch (w.kind) {
	case KERNEL_WORD_SERIES:
		snprintf(w.normal, sizeof(w.normal), "%u.%u", w.major, w.minor);
		break;
	case KERNEL_WORD_EXACT: /* upstream calls x.y.0 "x.y" (linux-7.2.tar.xz, v7.2) */
		snprintf(w.normal, sizeof(w.normal), w.patch ? "%u.%u.%u" : "%u.%u", w.major,
			 w.minor, w.patch);
		break;
	case KERNEL_WORD_RC:
		snprintf(w.normal, sizeof(w.normal), "%u.%u-rc%u", w.major, w.minor, w.rc);
		break;
	case KERNEL_WORD_NEXT:
		snprintf(w.normal, sizeof(w.normal), w.next_date ? "next-%08u" : "next",
			 w.next_date);
		break;
	case KERNEL_WORD_MAINLINE:
		snprintf(w.normal, sizeof(w.normal), "mainline%s%s",
			 w.mainline_commit[0] ? "-" : "", w.mainline_commit);
		break;
	}

	*ret = w;
	*ret_used = (size_t)(p - s);
	return 0;
}

int kernel_word_parse(const char *word, struct kernel_word *ret)
{
	struct kernel_word w;
	size_t len, used;
	int r;

	if (!word || !ret)
		return -EINVAL;
	len = strlen(word);
	r = word_take(word, len, &w, &used);
	if (r < 0)
		return r;
	if (used != len)
		return -EINVAL;
	*ret = w;
	return 0;
}

const char *kernel_word_kind_name(enum kernel_word_kind kind)
{
	static const char *const names[] = {
		[KERNEL_WORD_SERIES] = "series",
		[KERNEL_WORD_EXACT] = "exact",
		[KERNEL_WORD_RC] = "rc",
		[KERNEL_WORD_NEXT] = "next",
		[KERNEL_WORD_MAINLINE] = "mainline",
	};
	return (unsigned)kind < ELEMENTSOF(names) ? names[kind] : NULL;
}

/* Where a word goes in a listing: releases and rcs, then next tags, then mainline. */
static unsigned word_group(const struct kernel_word *w)
{
	switch (w->kind) {
	case KERNEL_WORD_NEXT: return 1;
	case KERNEL_WORD_MAINLINE: return 0;
	default: return 2;
	}
}

int kernel_word_compare(const struct kernel_word *a, const struct kernel_word *b)
{
	int r = compare_unsigned(word_group(a), word_group(b));

	if (r != 0)
		return r;
	switch (a->kind) {
	case KERNEL_WORD_NEXT: return compare_unsigned(a->next_date, b->next_date);
	case KERNEL_WORD_MAINLINE: return 0; /* a commit says nothing of its age */
	default: break;
	}
	struct kernel_version
		va = {.major = a->major, .minor = a->minor, .patch = a->patch, .rc = a->rc},
		vb = {.major = b->major, .minor = b->minor, .patch = b->patch, .rc = b->rc};
	return compare_release(&va, &vb);
}

struct word_line {
	struct kernel_word word;
	size_t index;
};

/* Newest first; equal words in their given order. */
static int word_line_compare(const void *a, const void *b)
{
	const struct word_line *la = a, *lb = b;
	int r = kernel_word_compare(&lb->word, &la->word);

	return r != 0 ? r : (la->index > lb->index) - (la->index < lb->index);
}

int kernel_word_lines_sort(char *const *lines, size_t n, size_t **ret_order, size_t *ret_n)
{
	_cleanup_free_ struct word_line *parsed = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t kept = 0, used;

	if ((n > 0 && !lines) || !ret_order || !ret_n)
		return -EINVAL;
	parsed = calloc(n ? n : 1, sizeof(*parsed));
	order = calloc(n ? n : 1, sizeof(*order));
	if (!parsed || !order)
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		size_t len = lines[i] ? strcspn(lines[i], "\t") : 0;

		if (!lines[i] || word_take(lines[i], len, &parsed[kept].word, &used) < 0 ||
		    used != len)
			continue;
		parsed[kept++].index = i;
	}
	qsort(parsed, kept, sizeof(*parsed), word_line_compare);
	for (size_t i = 0; i < kept; i++)
		order[i] = parsed[i].index;

	*ret_order = TAKE_PTR(order);
	*ret_n = kept;
	return 0;
}

/* "-kasan-lockdep": flavours only, in any order; "" is none. */
static int flavours_parse(const char *s, unsigned *ret)
{
	unsigned flavours = 0;

	while (*s) {
		if (*s != '-')
			return -EINVAL;
		size_t len = strcspn(++s, "-+");
		int i = flavour_index(s, len);
		if (i < 0)
			return -EINVAL;
		flavours |= 1u << i;
		s += len;
	}
	*ret = flavours;
	return 0;
}

enum selector_kind {
	SELECT_VERSION,	 /* "6.1", "6.1.192", "6.12-rc3": kernel_version_parse's grammar */
	SELECT_NEXT,	 /* "next", "next-20261204": linux-next builds */
	SELECT_MAINLINE, /* "mainline", "mainline-abcdef123456": builds of mainline's head */
};

/* A -k selector: what it names, with the flavours the kernel must have exactly. */
struct selector {
	enum selector_kind kind;
	struct kernel_version v;  /* SELECT_VERSION: the version; every kind: v.flavours */
	unsigned next_date;	  /* SELECT_NEXT: that tag's; 0: any (the newest) */
	char mainline_commit[13]; /* SELECT_MAINLINE: that commit; "": any (the newest) */
	const char *word;	  /* the selector without 'v' and flavours: quiz-kernel build's */
	size_t word_len;
};

/*
 * A version, optionally prefixed by 'v', whose extra is flavours only; or a next or mainline
 * word (kernel_word_parse's), then flavours.
 */
static int selector_parse(const char *want, struct selector *ret)
{
	struct selector sel = {.kind = SELECT_VERSION};
	int r;

	if (!want)
		return -EINVAL;

	if (strncmp(want, "next", 4) == 0 || strncmp(want, "mainline", 8) == 0) {
		struct kernel_word w;
		size_t used;

		r = word_take(want, strlen(want), &w, &used);
		if (r < 0)
			return r;
		r = flavours_parse(want + used, &sel.v.flavours);
		if (r < 0)
			return r;
		sel.kind = w.kind == KERNEL_WORD_NEXT ? SELECT_NEXT : SELECT_MAINLINE;
		sel.next_date = w.next_date;
		memcpy(sel.mainline_commit, w.mainline_commit, sizeof(sel.mainline_commit));
		sel.word = want;
		sel.word_len = used;
		*ret = sel;
		return 0;
	}

	if (want[0] == 'v')
		want++;
	r = kernel_version_parse(want, &sel.v);
	if (r < 0)
		return r;
	/* A next or mainline build is named by its source's word, or by its full name. */
	if (sel.v.local || sel.v.next_date || sel.v.mainline_commit[0])
		return -EINVAL;
	sel.word = want;
	sel.word_len = (size_t)(sel.v.extra - want);
	*ret = sel;
	return 0;
}

static bool selector_matches(const struct selector *sel, const struct kernel_version *v)
{
	if (v->flavours != sel->v.flavours)
		return false;

	switch (sel->kind) {
	case SELECT_NEXT:
		return v->next_date && (!sel->next_date || v->next_date == sel->next_date);
	case SELECT_MAINLINE:
		return v->mainline_commit[0] && (!sel->mainline_commit[0] ||
						 STREQ(v->mainline_commit, sel->mainline_commit));
	case SELECT_VERSION: break;
	}

	/* "7.3-rc7" is the rc's own build, not linux-next's or mainline's of the same version. */
	if (v->next_date || v->mainline_commit[0])
		return false;
	if (v->major != sel->v.major || v->minor != sel->v.minor || v->rc != sel->v.rc)
		return false;

	/* "6.1" names a whole series; "6.1.192" and every rc selector name one patch level
	 * ("6.12-rc3" is 6.12.0-rc3, the patch defaults to 0). */
	if (sel->v.has_patch || sel->v.rc > 0)
		return v->patch == sel->v.patch;
	return true;
}

/* Orders two matches of sel: >0 if a is the better pick. */
static int pick_compare(const struct selector *sel, const struct kernel_version *a,
			const struct kernel_version *b)
{
	int r;

	switch (sel->kind) {
	case SELECT_NEXT:
		/* The newest tag; then, of one tag, as for mainline. */
		r = compare_unsigned(a->next_date, b->next_date);
		if (r != 0)
			return r;
		/* fall through */
	case SELECT_MAINLINE:
		/* The newest version, a plain build over a local variant ("+": a git tree's), then
		 * by name: two commits of one version do not say which is newer. */
		r = compare_release(a, b);
		if (r == 0 && a->local != b->local)
			r = a->local ? -1 : 1;
		return r != 0 ? r : kernel_version_compare(a, b);
	case SELECT_VERSION: break;
	}

	/* For a final release, a plain build beats a local variant of the same x.y.z
	 * ("6.1.192" over "6.1.192-custom", "6.1.192-kasan" over "6.1.192-kasan+"). For an rc,
	 * the extra of a git-describe build ("-00012-gabcdef") means newer than the tag, so
	 * kernel_version_compare decides. */
	if (sel->v.rc == 0 && compare_numbers(a, b) == 0 && a->local != b->local)
		return a->local ? -1 : 1;

	return kernel_version_compare(a, b);
}

int kernel_ref_select(const char *want, char *const *releases, size_t n_releases, size_t *ret_index)
{
	struct kernel_version best = {};
	struct selector sel;
	size_t best_index = 0;
	bool found = false;
	int r;

	r = selector_parse(want, &sel);
	if (r < 0)
		return r;
	if (n_releases > 0 && !releases)
		return -EINVAL;

	for (size_t i = 0; i < n_releases; i++) {
		struct kernel_version v;

		if (!releases[i] || kernel_version_parse(releases[i], &v) < 0)
			continue;
		if (!selector_matches(&sel, &v))
			continue;

		if (found) {
			r = pick_compare(&sel, &v, &best);
			/* Equal versions spelled differently ("6.1" and "6.1.0"): decide by
			 * name so the pick does not depend on directory listing order. */
			if (r == 0)
				r = strcmp(releases[i], releases[best_index]);
			if (r <= 0)
				continue;
		}

		best = v;
		best_index = i;
		found = true;
	}

	if (!found)
		return -ENOENT;

	if (ret_index)
		*ret_index = best_index;
	return 0;
}

char *kernel_ref_build_args(const char *want)
{
	struct selector sel;
	if (!want || selector_parse(want, &sel) < 0 || !sel.v.flavours)
		return strdup(want ? want : "");

	_cleanup_buf_ struct buf b = {0};
	int r = buf_puts(&b, "--with ");
	for (unsigned i = 0, first = 1; r >= 0 && kernel_flavour_name(i); i++)
		if (sel.v.flavours & (1u << i)) {
			r = buf_printf(&b, "%s%s", first ? "" : ",", kernel_flavour_name(i));
			first = 0;
		}
	/* build takes 6.1, not v6.1; next-20261204, not next-20261204-kasan */
	if (r >= 0)
		r = buf_printf(&b, " %.*s", (int)sel.word_len, sel.word);
	return r < 0 ? NULL : TAKE_PTR(b.data);
}
