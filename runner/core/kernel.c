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
static const char *const flavour_names[] = {"kasan", "kcsan",	"kmemleak",
					    "llvm",  "lockdep", "ubsan"};

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

/* Sorts the words of extra ("-kasan-lockdep+") into flavours and the rest. */
static void extra_classify(struct kernel_version *v)
{
	v->flavours = 0;
	v->local = false;
	for (const char *p = v->extra; *p;) {
		if (*p != '-') { /* '+', or what follows it */
			v->local = true;
			p++;
			continue;
		}
		size_t len = strcspn(++p, "-+");
		int i = flavour_index(p, len);
		if (i >= 0)
			v->flavours |= 1u << i;
		else
			v->local = true;
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

int kernel_version_compare(const struct kernel_version *a, const struct kernel_version *b)
{
	int r;

	r = compare_numbers(a, b);
	if (r != 0)
		return r;

	if (a->rc != b->rc) {
		if (a->rc == 0)
			return 1;
		if (b->rc == 0)
			return -1;
		return compare_unsigned(a->rc, b->rc);
	}

	r = strcmp(a->extra, b->extra);
	return (r > 0) - (r < 0);
}

/* A selector is a version, optionally prefixed by 'v', whose extra is flavours only. */
static int selector_parse(const char *want, struct kernel_version *ret)
{
	struct kernel_version v;
	int r;

	if (!want)
		return -EINVAL;
	if (want[0] == 'v')
		want++;

	r = kernel_version_parse(want, &v);
	if (r < 0)
		return r;
	if (v.local)
		return -EINVAL;

	*ret = v;
	return 0;
}

static bool selector_matches(const struct kernel_version *sel, const struct kernel_version *v)
{
	if (v->major != sel->major || v->minor != sel->minor || v->rc != sel->rc ||
	    v->flavours != sel->flavours)
		return false;

	/* "6.1" names a whole series; "6.1.192" and every rc selector name one patch level
	 * ("6.12-rc3" is 6.12.0-rc3, the patch defaults to 0). */
	if (sel->has_patch || sel->rc > 0)
		return v->patch == sel->patch;
	return true;
}

/* Orders two matches of sel: >0 if a is the better pick. */
static int pick_compare(const struct kernel_version *sel, const struct kernel_version *a,
			const struct kernel_version *b)
{
	/* For a final release, a plain build beats a local variant of the same x.y.z
	 * ("6.1.192" over "6.1.192-custom", "6.1.192-kasan" over "6.1.192-kasan+"). For an rc,
	 * the extra of a git-describe build ("-00012-gabcdef") means newer than the tag, so
	 * kernel_version_compare decides. */
	if (sel->rc == 0 && compare_numbers(a, b) == 0 && a->local != b->local)
		return a->local ? -1 : 1;

	return kernel_version_compare(a, b);
}

int kernel_ref_select(const char *want, char *const *releases, size_t n_releases, size_t *ret_index)
{
	struct kernel_version sel, best = {};
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
	struct kernel_version sel;
	if (!want || selector_parse(want, &sel) < 0 || !sel.flavours)
		return strdup(want ? want : "");

	_cleanup_buf_ struct buf b = {0};
	int r = buf_puts(&b, "--with ");
	for (unsigned i = 0, first = 1; r >= 0 && kernel_flavour_name(i); i++)
		if (sel.flavours & (1u << i)) {
			r = buf_printf(&b, "%s%s", first ? "" : ",", kernel_flavour_name(i));
			first = 0;
		}
	const char *version = want[0] == 'v' ? want + 1 : want; /* build takes 6.1, not v6.1 */
	if (r >= 0)
		r = buf_printf(&b, " %.*s", (int)(sel.extra - version), version);
	return r < 0 ? NULL : TAKE_PTR(b.data);
}
