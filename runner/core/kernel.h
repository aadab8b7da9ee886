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
	bool local;	   /* extra holds more than flavours: "+", "-custom", "-00012-gabc" */
};

/* The debug flavours quiz builds, in release-name order (kconfig/flavour/NAME.config): "kasan",
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
 * "6.12.0-rc3-00012-gabcdef", "6.1.192-custom"; NULL entries and names that do not parse are
 * ignored) the one a user's selector names:
 *   "6.1"         the newest 6.1.x final release (6.10.x and 6.100.x are other series)
 *   "6.1.192"     exactly 6.1.192; a local variant ("6.1.192-custom") only when no plain one exists
 *   "6.12-rc3"    the newest 6.12.0-rc3 build, with or without extra; same as "6.12.0-rc3"
 *   "6.1-kasan"   as "6.1", among kernels of exactly that flavour set ("6.1-lockdep-kasan" is
 *                 "6.1-kasan-lockdep"); without flavours, only kernels without any: a debug
 *                 kernel is chosen by naming its flavours, never by "6.1" alone
 * An optional leading 'v' is accepted. Release candidates are only chosen by rc selectors. Among
 * several final-release matches a plain build beats local variants of the same x.y.z; otherwise
 * the newest by kernel_version_compare wins.
 * Returns 0 and *ret_index, -ENOENT if nothing matches, -EINVAL if want is not a valid selector.
 */
int kernel_ref_select(const char *want, char *const *releases, size_t n_releases,
		      size_t *ret_index);

/* What quiz-kernel build takes to build what a selector names: "--with kasan,lockdep 6.1" for
 * "6.1-lockdep-kasan", the selector itself when it names no flavour or is not one. Allocated;
 * NULL when out of memory. */
char *kernel_ref_build_args(const char *want);
