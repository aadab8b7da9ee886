/* SPDX-License-Identifier: MIT */
/* Kernel release strings: parsing, ordering, and choosing a built kernel for a -k selector. */
/* Host half: host/kernel_host.c (and kernel_cache.c, kernel_tree.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * A parsed kernel release such as "6.12.0-rc3-00012-gabcdef":
 * major.minor[.patch][-rcN][extra], where extra is empty or starts with '-' or '+'.
 * Numbers are plain decimal without leading zeros.
 * A debug kernel's flavours (quiz-kernel build --with, kconfig/flavour/) are words of extra:
 * "6.1.192-kasan-lockdep", "6.1.192-kasan+" (a git tree's build).
 */
struct kernel_version {
	unsigned major, minor, patch;
	bool has_patch;	   /* "6.1" has none, "6.1.0" and "6.1.192" have one */
	unsigned rc;	   /* 0 = not a release candidate; "6.12-rc3" and "6.12.0-rc3" -> 3 */
	const char *extra; /* points into the parsed string: what follows (e.g. "-00012-gabc",
			      "-quiz"), "" if none */
	unsigned flavours; /* bit i: kernel_flavour_name(i) is a word of extra; 0: a plain kernel */
	bool local;	   /* extra holds more than flavours and the source's words below: "+",
			      "-custom", "-00012-gabc" */
	/* What a build of linux-next or of mainline's head adds after the version (the tree's
	 * localversion-next; the git source's localversion): "7.3.0-rc7-next-20261204" has
	 * next_date 20261204, "7.3.0-rc7-mainline-abcdef123456" mainline_commit "abcdef123456".
	 * 0 and "" for any other kernel; a release is one or the other, never both. */
	unsigned next_date;
	char mainline_commit[13];
};

/* The flavours quiz builds, in release-name order (kconfig/flavour/NAME.config): "bpf", "kasan",
 * ...; NULL past the last. */
const char *kernel_flavour_name(unsigned i);

/* Parses s into *ret; -EINVAL if s is not a kernel release string. */
int kernel_version_parse(const char *s, struct kernel_version *ret);

/*
 * <0, 0, >0 like strcmp: numeric major/minor/patch (a missing patch counts as 0), then a final
 * release is newer than any rc of the same x.y.z, a higher rc is newer, then extra lexically.
 */
int kernel_version_compare(const struct kernel_version *a, const struct kernel_version *b);

/*
 * Chooses among the names of built kernels (directory names such as "6.1.192", "6.12.0-rc3",
 * "6.12.0-rc3-00012-gabcdef", "6.1.192-custom", "7.3.0-rc7-next-20261204"; NULL entries and
 * names that do not parse are ignored) the one a user's selector names:
 *   "6.1"         the newest 6.1.x final release (6.10.x and 6.100.x are other series)
 *   "6.1.192"     exactly 6.1.192; a local variant ("6.1.192-custom") only when no plain one exists
 *   "6.12-rc3"    the newest 6.12.0-rc3 build, with or without extra; same as "6.12.0-rc3"
 *   "next-20261204"  a build of that linux-next tag ("7.3.0-rc7-next-20261204")
 *   "next"        the build of the newest linux-next tag
 *   "mainline"    the newest build of mainline's head ("7.3.0-rc7-mainline-abcdef123456"; of
 *                 one version, the last by name: a commit does not say how new it is)
 *   "mainline-abcdef123456"  a build of that commit
 *   "6.1-kasan"   as "6.1", among kernels of exactly that flavour set ("6.1-lockdep-kasan" is
 *                 "6.1-kasan-lockdep"); without flavours, only kernels without any: a debug
 *                 kernel is chosen by naming its flavours, never by "6.1" alone. The same for
 *                 the others: "next-kasan", "mainline-abcdef123456-kasan"
 * An optional leading 'v' before a version is accepted. Release candidates are only chosen by rc
 * selectors, next and mainline builds only by theirs ("7.3-rc7" is not 7.3.0-rc7-next-...).
 * Among several final-release matches a plain build beats local variants of the same x.y.z;
 * otherwise the newest by kernel_version_compare wins.
 * Returns 0 and *ret_index, -ENOENT if nothing matches, -EINVAL if want is not a valid selector.
 */
int kernel_ref_select(const char *want, char *const *releases, size_t n_releases,
		      size_t *ret_index);

/*
 * A version word: what a user names to build (quiz-kernel build WORD) and what a source lists
 * (tools/quiz-kernel-fetch). Its kind and normal form:
 *   "7.2"            series    the newest 7.2.x (in a source's list: the 7.2 release itself)
 *   "7.2.13"         exact     that release; "7.2.0" is "7.2" (upstream's name for it)
 *   "7.3-rc7"        rc        a release candidate of mainline; "7.3.0-rc7" is "7.3-rc7"
 *   "next-20261204"  next      that linux-next tag, a day of the calendar from 2008 on;
 *                              "next": the newest tag
 *   "mainline"       mainline  mainline's head; "mainline-<12 lowercase hex>": that commit
 * A number may follow a 'v' ("v7.3-rc7" is "7.3-rc7"). Numbers are decimal, without leading
 * zeros, at most 4 digits; an rc is 1 or more, of an x.y.0 only. Nothing else: no spaces, no
 * flavours (kernel_ref_build_args turns "6.1-kasan" into "--with kasan 6.1").
 */
enum kernel_word_kind {
	KERNEL_WORD_SERIES,
	KERNEL_WORD_EXACT,
	KERNEL_WORD_RC,
	KERNEL_WORD_NEXT,
	KERNEL_WORD_MAINLINE,
};

struct kernel_word {
	enum kernel_word_kind kind;
	unsigned major, minor, patch, rc; /* series, exact and rc (patch 0 for series and rc) */
	unsigned next_date;		  /* next: YYYYMMDD; 0 for "next" */
	char mainline_commit[13];	  /* mainline: its 12 hex digits; "" for "mainline" */
	char normal[24]; /* the normal form (the grammar bounds it): "7.3-rc7", "next-20261204" */
};

/* Parses word into *ret (untouched on failure); -EINVAL if it is not a version word. */
int kernel_word_parse(const char *word, struct kernel_word *ret);

/* "series", "exact", "rc", "next", "mainline"; NULL for a kind that is none of them. */
const char *kernel_word_kind_name(enum kernel_word_kind kind);

/*
 * Orders a source's words as a listing does, >0 if a comes first (is newer): releases and rcs
 * by version (7.3-rc7 < 7.3-rc10 < 7.3 < 7.3.1 < 7.10; a series word counts as its x.y.0
 * release), then next tags by date, then mainline's (equal among themselves: a commit's name
 * says nothing of its age).
 */
int kernel_word_compare(const struct kernel_word *a, const struct kernel_word *b);

/*
 * The order to list lines "WORD" or "WORD<TAB>rest" in: newest first by their word
 * (kernel_word_compare), equal words in their given order; lines whose word is not a version
 * word (and NULL ones) are left out. *ret_order (the caller frees it) holds *ret_n indices of
 * lines. 0, -EINVAL or -ENOMEM.
 */
int kernel_word_lines_sort(char *const *lines, size_t n, size_t **ret_order, size_t *ret_n);

/* What quiz-kernel build takes to build what a selector names: "--with kasan,lockdep 6.1" for
 * "6.1-lockdep-kasan", "--with kasan next-20261204" for "next-20261204-kasan", the selector
 * itself when it names no flavour or is not one. Allocated; NULL when out of memory. */
char *kernel_ref_build_args(const char *want);
