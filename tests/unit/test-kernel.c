/* SPDX-License-Identifier: MIT */
/* TAP unit test for kernel release parsing, ordering and -k selection (core/kernel.c). */
#include "kernel.h"
#include "macro.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST(...)                                                                                  \
	.releases = (char *const[]){__VA_ARGS__},                                                  \
	.n_releases = ELEMENTSOF(((char *const[]){__VA_ARGS__}))

struct select_case {
	const char *desc;
	const char *want;
	char *const *releases;
	size_t n_releases;
	int expect_r;
	const char *expect; /* the chosen release name when expect_r is 0 */
};

/* Every case runs on the list as given and reversed, so "first match wins" cannot pass. */
static const struct select_case select_cases[] = {
	{"6.1 is not 6.10 or 6.100", "6.1", LIST("6.10.5", "6.1.9", "6.100.0"), 0, "6.1.9"},
	{"6.10 is not 6.1 or 6.100", "6.10", LIST("6.10.5", "6.1.9", "6.100.0"), 0, "6.10.5"},
	{"6.100 is not 6.1 or 6.10", "6.100", LIST("6.10.5", "6.1.9", "6.100.0"), 0, "6.100.0"},
	{"6.1 with only 6.10/6.100 built", "6.1", LIST("6.10.5", "6.100.0", "6.11.1"), -ENOENT,
	 NULL},
	{"6.1 picks newest of several", "6.1", LIST("6.1.9", "6.1.192", "6.1.10"), 0, "6.1.192"},
	{"6.1 compares patch numerically", "6.1", LIST("6.1.9", "6.1.10"), 0, "6.1.10"},
	{"6.1 skips a newer stable rc", "6.1", LIST("6.1.192", "6.1.193-rc1"), 0, "6.1.192"},
	{"6.12 with only rcs built", "6.12", LIST("6.12.0-rc3", "6.12.0-rc7"), -ENOENT, NULL},
	{"6.12 picks final over rcs", "6.12", LIST("6.11.5", "6.12.0-rc3", "6.12.1", "6.13.0-rc1"),
	 0, "6.12.1"},
	{"6.1 newer patch beats plainness", "6.1", LIST("6.1.192-custom", "6.1.150"), 0,
	 "6.1.192-custom"},
	{"6.1 prefers plain at same patch", "6.1", LIST("6.1.192-custom", "6.1.192", "6.1.100"), 0,
	 "6.1.192"},
	{"6.1 matches a release named 6.1", "6.1", LIST("6.1", "6.0.19"), 0, "6.1"},
	{"6.1 ignores an overflowing patch", "6.1", LIST("6.1.4294967295", "6.1.4294967296"), 0,
	 "6.1.4294967295"},
	{"exact 6.1.192", "6.1.192", LIST("6.1.9", "6.1.192", "6.1.193", "6.1.1920"), 0, "6.1.192"},
	{"exact is not a prefix match", "6.1.19", LIST("6.1.192", "6.1.190", "6.1.1"), -ENOENT,
	 NULL},
	{"exact falls back to suffixed", "6.1.192", LIST("6.1.192-custom", "6.1.193", "6.1.191"), 0,
	 "6.1.192-custom"},
	{"exact prefers the plain build", "6.1.192",
	 LIST("6.1.192-custom", "6.1.192", "6.1.192-zzz", "6.1.192+"), 0, "6.1.192"},
	{"exact never picks an rc", "6.1.193", LIST("6.1.193-rc1", "6.1.192"), -ENOENT, NULL},
	{"exact 6.12.0 is not 6.12.0-rc3", "6.12.0", LIST("6.12.0-rc3", "6.12.0"), 0, "6.12.0"},
	{"rc short form", "6.12-rc3", LIST("6.12.0-rc2", "6.12.0-rc3", "6.12.0-rc10", "6.12.0"), 0,
	 "6.12.0-rc3"},
	{"rc long form", "6.12.0-rc3", LIST("6.12.0-rc2", "6.12.0-rc3", "6.12.0-rc10", "6.12.0"), 0,
	 "6.12.0-rc3"},
	{"rc with git extra is newest", "6.12-rc3",
	 LIST("6.12.0-rc3", "6.12.0-rc3-00012-gabcdef", "6.12.0-rc3-00005-g123456", "6.12.0-rc4"),
	 0, "6.12.0-rc3-00012-gabcdef"},
	{"rc only as git build", "6.12.0-rc3", LIST("6.12.0-rc3-00012-gabcdef", "6.12.0"), 0,
	 "6.12.0-rc3-00012-gabcdef"},
	{"rc3 is not rc30 or rc4", "6.12-rc3", LIST("6.12.0-rc30", "6.12.0-rc4", "6.12.0"), -ENOENT,
	 NULL},
	{"short rc form means patch 0", "6.12-rc3", LIST("6.12.1-rc3", "6.1.0-rc3"), -ENOENT, NULL},
	{"stable rc selector", "6.1.193-rc1", LIST("6.1.193-rc1", "6.1.193-rc2", "6.1.193"), 0,
	 "6.1.193-rc1"},
	{"absent series", "6.2", LIST("6.1.192", "6.3.1", "6.20.0"), -ENOENT, NULL},
	{"absent major", "5.15", LIST("6.1.192", "6.15.1", "15.5.0"), -ENOENT, NULL},
	{"empty list", "5.15", NULL, 0, -ENOENT, NULL},
	{"unparsable names ignored", "6.1",
	 LIST("foo", "6.1.x", "build", "6.1.999.1", "v6.1.500", "6.1.600x", "6.01.700", NULL,
	      "6.1.5", ""),
	 0, "6.1.5"},
	{"only unparsable names", "6.1", LIST("foo", "6.1.", "v6.1.2", "6.1.3 "), -ENOENT, NULL},
	{"leading v series", "v6.1", LIST("6.1.9", "6.10.1", "6.1.10"), 0, "6.1.10"},
	{"leading v exact", "v6.1.192", LIST("6.1.192-custom", "6.1.192"), 0, "6.1.192"},
	{"leading v rc", "v6.12-rc3", LIST("6.12.0-rc3", "6.12.0"), 0, "6.12.0-rc3"},
	{"invalid: empty", "", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: major only", "6", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: letters", "abc", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: 6.x", "6.x", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: trailing dot", "6.1.", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: double dot", "6..1", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: four numbers", "6.1.2.3", LIST("6.1.2"), -EINVAL, NULL},
	{"invalid: negative", "-1.2", LIST("1.2.0"), -EINVAL, NULL},
	{"invalid: rc without number", "6.12-rc", LIST("6.12.0-rc3"), -EINVAL, NULL},
	{"invalid: rc0", "6.12-rc0", LIST("6.12.0"), -EINVAL, NULL},
	{"invalid: rc with junk", "6.12-rc3x", LIST("6.12.0-rc3"), -EINVAL, NULL},
	{"invalid: double v", "vv6.1", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: bare v", "v", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: capital V", "V6.1", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: leading zero", "6.01", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: whitespace", " 6.1", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: trailing space", "6.1 ", LIST("6.1.1"), -EINVAL, NULL},
	{"invalid: local suffix", "6.1.192-custom", LIST("6.1.192-custom"), -EINVAL, NULL},
	/* Debug flavours (quiz-kernel build --with): chosen by naming them, never by "6.1". */
	{"6.1 never picks the only kernel, a kasan one", "6.1", LIST("6.1.192-kasan"), -ENOENT,
	 NULL},
	{"6.1 skips newer flavoured ones", "6.1",
	 LIST("6.1.192-kasan", "6.1.150", "6.1.192-kasan-lockdep", "6.1.193-ubsan+"), 0, "6.1.150"},
	{"6.1.192 is not 6.1.192-kasan", "6.1.192", LIST("6.1.192-kasan", "6.1.191"), -ENOENT,
	 NULL},
	{"6.1 takes a git tree's plain 6.1.192+", "6.1", LIST("6.1.192-kasan", "6.1.192+"), 0,
	 "6.1.192+"},
	{"6.1-kasan: the newest kasan 6.1.x", "6.1-kasan",
	 LIST("6.1.192", "6.1.150-kasan", "6.1.192-kasan", "6.1.193-kasan-lockdep", "6.12.1-kasan"),
	 0, "6.1.192-kasan"},
	{"6.1-kasan is not kasan with lockdep", "6.1-kasan",
	 LIST("6.1.192-kasan-lockdep", "6.1.192"), -ENOENT, NULL},
	{"6.1-kasan-lockdep: that pair", "6.1-kasan-lockdep",
	 LIST("6.1.192-kasan", "6.1.192-lockdep", "6.1.192-kasan-lockdep"), 0,
	 "6.1.192-kasan-lockdep"},
	/* A clang build (quiz-kernel build --llvm) is a flavour: gcc's and clang's side by side. */
	{"6.1 takes gcc's, not a newer clang one", "6.1", LIST("6.1.150", "6.1.192-llvm"), 0,
	 "6.1.150"},
	{"6.1-llvm: the clang one", "6.1-llvm", LIST("6.1.192", "6.1.192-llvm", "6.1.192-kasan"), 0,
	 "6.1.192-llvm"},
	{"6.1-llvm-kasan: clang with kasan", "6.1-llvm-kasan",
	 LIST("6.1.192-llvm", "6.1.192-kasan", "6.1.192-kasan-llvm"), 0, "6.1.192-kasan-llvm"},
	/* The BPF selftests' kernel (quiz-kernel build --with bpf) is a flavour like the others. */
	{"6.1-bpf: the bpf one", "6.1-bpf", LIST("6.1.192", "6.1.192-bpf", "6.1.193-bpf-kasan"), 0,
	 "6.1.192-bpf"},
	{"flavours in any order", "6.1-lockdep-kasan",
	 LIST("6.1.192-kasan", "6.1.192-kasan-lockdep"), 0, "6.1.192-kasan-lockdep"},
	{"6.1-kasan: a tarball's beats a git tree's", "6.1-kasan",
	 LIST("6.1.192-kasan+", "6.1.192-kasan", "6.1.192"), 0, "6.1.192-kasan"},
	{"6.1-kasan: a git tree's when alone", "6.1-kasan",
	 LIST("6.1.192-kasan+", "6.1.192+", "6.1.192"), 0, "6.1.192-kasan+"},
	{"6.1.192-kasan exactly", "6.1.192-kasan",
	 LIST("6.1.193-kasan", "6.1.192-kasan", "6.1.192"), 0, "6.1.192-kasan"},
	{"v6.1-ubsan", "v6.1-ubsan", LIST("6.1.192-ubsan", "6.1.192"), 0, "6.1.192-ubsan"},
	{"rc with a flavour", "6.12-rc3-kcsan", LIST("6.12.0-rc3", "6.12.0-rc3-kcsan"), 0,
	 "6.12.0-rc3-kcsan"},
	{"6.1-kcsan with only kasan built", "6.1-kcsan", LIST("6.1.192-kasan"), -ENOENT, NULL},
	{"invalid: unknown flavour", "6.1-kasn", LIST("6.1.192-kasan"), -EINVAL, NULL},
	{"invalid: flavour and local", "6.1-kasan-custom", LIST("6.1.192-kasan-custom"), -EINVAL,
	 NULL},
	{"invalid: flavour and plus", "6.1-kasan+", LIST("6.1.192-kasan+"), -EINVAL, NULL},
	{"invalid: capital flavour", "6.1-KASAN", LIST("6.1.192-kasan"), -EINVAL, NULL},
	{"invalid: empty flavour", "6.1-", LIST("6.1.192"), -EINVAL, NULL},
	{"invalid: overflow", "4294967296.1", LIST("0.1.0"), -EINVAL, NULL},
	{"invalid: NULL", NULL, LIST("6.1.1"), -EINVAL, NULL},
	{"invalid wins over empty list", "6", NULL, 0, -EINVAL, NULL},
	/* linux-next builds ("-next-YYYYMMDD", the tree's localversion-next) and mainline's
	 * ("-mainline-<12 hex>", the git source's): chosen by their words only. */
	{"next-20261204: that tag's build", "next-20261204",
	 LIST("7.3.0-rc7", "7.3.0-rc7-next-20261204", "7.3.0-rc7-next-20261203",
	      "7.3.0-rc7-mainline-abcdef123456", "7.3.0-rc7-next-20261205"),
	 0, "7.3.0-rc7-next-20261204"},
	{"next-20261204 not built", "next-20261204",
	 LIST("7.3.0-rc7-next-20261203", "7.3.0-rc7", "7.3.0-rc7-20261204"), -ENOENT, NULL},
	{"next: the newest tag", "next",
	 LIST("7.3.0-rc7-next-20261204", "7.3.0-next-20261215", "7.3.0-rc7-next-20261130",
	      "7.4.0-rc1", "7.4.0-rc1-mainline-abcdef123456"),
	 0, "7.3.0-next-20261215"},
	{"next: the date decides, not the version", "next",
	 LIST("6.9.0-next-20270101", "7.3.0-rc1-next-20261231"), 0, "6.9.0-next-20270101"},
	{"next: none built", "next", LIST("7.3.0-rc7", "7.3.0", "7.3.0-rc7-mainline-abcdef123456"),
	 -ENOENT, NULL},
	{"next: a plain build beats a git tree's", "next",
	 LIST("7.3.0-rc7-next-20261204+", "7.3.0-rc7-next-20261204"), 0, "7.3.0-rc7-next-20261204"},
	{"next: a git tree's when alone", "next-20261204",
	 LIST("7.3.0-rc7-next-20261204+", "7.3.0-rc7"), 0, "7.3.0-rc7-next-20261204+"},
	{"next skips a flavoured build", "next",
	 LIST("7.3.0-rc7-next-20261204-kasan", "7.3.0-rc7-next-20261130"), 0,
	 "7.3.0-rc7-next-20261130"},
	{"next-kasan: the newest kasan one", "next-kasan",
	 LIST("7.3.0-rc7-next-20261204", "7.3.0-rc7-next-20261130-kasan",
	      "7.3.0-rc7-next-20261204-kasan-lockdep"),
	 0, "7.3.0-rc7-next-20261130-kasan"},
	{"next-20261204-kasan", "next-20261204-kasan",
	 LIST("7.3.0-rc7-next-20261204", "7.3.0-rc7-next-20261204-kasan", "7.3.0-rc7-kasan"), 0,
	 "7.3.0-rc7-next-20261204-kasan"},
	{"next: a date that is no day is not a next build", "next",
	 LIST("7.3.0-rc7-next-20261399", "7.3.0-rc7-next-2026120"), -ENOENT, NULL},
	{"mainline: the newest version", "mainline",
	 LIST("7.3.0-rc6-mainline-ffffffffffff", "7.3.0-rc7-mainline-000000000000", "7.3.0-rc7",
	      "7.3.0-rc7-next-20261204", "7.3.0-rc6"),
	 0, "7.3.0-rc7-mainline-000000000000"},
	{"mainline in the merge window", "mainline",
	 LIST("7.3.0-rc7-mainline-ffffffffffff", "7.3.0-mainline-000000000000"), 0,
	 "7.3.0-mainline-000000000000"},
	{"mainline: a plain build beats a git tree's", "mainline",
	 LIST("7.3.0-rc7-mainline-abcdef123456+", "7.3.0-rc7-mainline-abcdef123456"), 0,
	 "7.3.0-rc7-mainline-abcdef123456"},
	{"mainline-<commit>: that build", "mainline-ffffffffffff",
	 LIST("7.3.0-rc6-mainline-ffffffffffff", "7.3.0-rc7-mainline-000000000000"), 0,
	 "7.3.0-rc6-mainline-ffffffffffff"},
	{"mainline-<commit> not built", "mainline-abcdef123456",
	 LIST("7.3.0-rc7-mainline-abcdef123457", "7.3.0-rc7"), -ENOENT, NULL},
	{"mainline: none built", "mainline", LIST("7.3.0-rc7", "7.3.0-rc7-next-20261204"), -ENOENT,
	 NULL},
	{"mainline: a commit of 11 digits is not mainline's", "mainline",
	 LIST("7.3.0-rc7-mainline-abcdef12345", "7.3.0-rc7-mainline-ABCDEF123456"), -ENOENT, NULL},
	{"mainline-kasan", "mainline-kasan",
	 LIST("7.3.0-rc7-mainline-abcdef123456", "7.3.0-rc7-mainline-abcdef123456-kasan"), 0,
	 "7.3.0-rc7-mainline-abcdef123456-kasan"},
	{"7.3-rc7 is the rc's own build", "7.3-rc7",
	 LIST("7.3.0-rc7-next-20261204", "7.3.0-rc7-mainline-abcdef123456", "7.3.0-rc7"), 0,
	 "7.3.0-rc7"},
	{"7.3.0-rc7 neither next's nor mainline's", "7.3.0-rc7",
	 LIST("7.3.0-rc7-next-20261204", "7.3.0-rc7-mainline-abcdef123456"), -ENOENT, NULL},
	{"7.3-rc7 still takes a git-describe build", "7.3-rc7",
	 LIST("7.3.0-rc7-00012-gabcdef", "7.3.0-rc7-next-20261204",
	      "7.3.0-rc7-mainline-abcdef123456"),
	 0, "7.3.0-rc7-00012-gabcdef"},
	{"7.3 is not next's or mainline's 7.3.0", "7.3",
	 LIST("7.3.0-next-20261215", "7.3.0-mainline-abcdef123456", "7.3.0-rc7"), -ENOENT, NULL},
	{"7.3 takes the release over a newer next", "7.3",
	 LIST("7.3.0-next-20261215", "7.3.1-next-20261220", "7.3.0"), 0, "7.3.0"},
	{"exact 7.3.0 is not a next build", "7.3.0", LIST("7.3.0-next-20261215"), -ENOENT, NULL},
	{"7.3-kasan is not a kasan next build", "7.3-kasan", LIST("7.3.0-next-20261215-kasan"),
	 -ENOENT, NULL},
	{"invalid: next-2026", "next-2026", LIST("7.3.0-rc7-next-20261204"), -EINVAL, NULL},
	{"invalid: next-20261399", "next-20261399", LIST("7.3.0-rc7-next-20261204"), -EINVAL, NULL},
	{"invalid: next with a local word", "next-20261204-custom",
	 LIST("7.3.0-rc7-next-20261204-custom"), -EINVAL, NULL},
	{"invalid: next+", "next+", LIST("7.3.0-rc7-next-20261204+"), -EINVAL, NULL},
	{"invalid: nextx", "nextx", LIST("7.3.0-rc7-next-20261204"), -EINVAL, NULL},
	{"invalid: vnext", "vnext", LIST("7.3.0-rc7-next-20261204"), -EINVAL, NULL},
	{"invalid: next-", "next-", LIST("7.3.0-rc7-next-20261204"), -EINVAL, NULL},
	{"invalid: mainline-xyz", "mainline-xyz", LIST("7.3.0-rc7-mainline-abcdef123456"), -EINVAL,
	 NULL},
	{"invalid: mainline-ABCDEF123456", "mainline-ABCDEF123456",
	 LIST("7.3.0-rc7-mainline-abcdef123456"), -EINVAL, NULL},
	{"invalid: a version with next's words", "7.3-next-20261204", LIST("7.3.0-next-20261204"),
	 -EINVAL, NULL},
	{"invalid: a version with mainline's words", "7.3.0-rc7-mainline-abcdef123456",
	 LIST("7.3.0-rc7-mainline-abcdef123456"), -EINVAL, NULL},
};

struct compare_case {
	const char *a, *b;
	int expect; /* sign */
};

static const struct compare_case compare_cases[] = {
	{"6.12.0-rc3", "6.12.0", -1},
	{"6.12.0-rc10", "6.12.0", -1},
	{"6.12.0-rc2", "6.12.0-rc10", -1},
	{"6.12-rc3", "6.12.0-rc3", 0},
	{"6.12.0-rc1", "6.11.9", 1},
	{"6.1.9", "6.1.10", -1},
	{"6.1.192", "6.10.0", -1},
	{"6.10.0", "6.100.0", -1},
	{"5.19.17", "6.0.0", -1},
	{"6.1", "6.1.0", 0},
	{"6.1.192", "6.1.192", 0},
	{"6.1.192-custom", "6.1.192", 1},
	{"6.12.0-rc3", "6.12.0-rc3-00012-gabc", -1},
	{"6.12.0-rc3-00013-gabc", "6.12.0-rc3-00012-gdef", 1},
	{"6.12.0-rc3-00012-gabc", "6.12.0-rc4", -1},
};

struct parse_case {
	const char *s;
	int expect_r;
	unsigned major, minor, patch;
	bool has_patch;
	unsigned rc;
	const char *extra;
};

static const struct parse_case parse_cases[] = {
	{"6.1", 0, 6, 1, 0, false, 0, ""},
	{"6.1.192", 0, 6, 1, 192, true, 0, ""},
	{"6.1.0", 0, 6, 1, 0, true, 0, ""},
	{"6.12-rc3", 0, 6, 12, 0, false, 3, ""},
	{"6.12.0-rc3-00012-gabcdef", 0, 6, 12, 0, true, 3, "-00012-gabcdef"},
	{"6.1.192-custom", 0, 6, 1, 192, true, 0, "-custom"},
	{"6.1.0+", 0, 6, 1, 0, true, 0, "+"},
	{"6.1.0-rcu-test", 0, 6, 1, 0, true, 0, "-rcu-test"},
	{"0.0", 0, 0, 0, 0, false, 0, ""},
	{"6.1.", -EINVAL, 0, 0, 0, false, 0, NULL},
	{"6.1.2.3", -EINVAL, 0, 0, 0, false, 0, NULL},
	{"6.12.0-rc0", -EINVAL, 0, 0, 0, false, 0, NULL},
	{"6.12.0-rc03", -EINVAL, 0, 0, 0, false, 0, NULL},
	{"v6.1", -EINVAL, 0, 0, 0, false, 0, NULL},
	{"6.1x", -EINVAL, 0, 0, 0, false, 0, NULL},
};

struct flavour_case {
	const char *s;
	/* bits: 1 bpf, 2 kasan, 4 kcsan, 8 kmemleak, 16 llvm, 32 lockdep, 64 ubsan */
	unsigned flavours;
	bool local;
	unsigned next_date;
	const char *mainline_commit; /* NULL: "" */
};

static const struct flavour_case flavour_cases[] = {
	{"6.1.192", 0, false},
	{"6.1.192+", 0, true},
	{"6.1.192-custom", 0, true},
	{"6.1.192-kasan", 4, false},
	{"6.1.192-kasan+", 4, true},
	{"6.1.192-kasan-kcsan-kmemleak-lockdep-ubsan", 220, false},
	{"6.1.192-llvm", 32, false},
	{"6.1.192-bpf", 1, false},
	{"6.1.192-bpf-kasan", 5, false},
	{"6.1.192-gcov", 2, false},
	{"6.1.192-bpf-gcov-kasan", 7, false},
	{"6.1.192-bpfx", 0, true},
	{"6.1.192-kasan-llvm", 36, false},
	{"6.12.0-rc3-kmemleak-00012-gabc", 16, true},
	{"6.1.192-kasanx", 0, true},
	{"6.1.192-rcu-lockdep", 64, true},
	{"7.3.0-rc7-next-20261204", 0, false, 20261204},
	{"7.3.0-next-20240229", 0, false, 20240229},
	{"7.3.0-rc7-next-20261204+", 0, true, 20261204},
	{"7.3.0-rc7-next-20261204-kasan", 4, false, 20261204},
	{"7.3.0-rc7-next-20261204-00012-gabc", 0, true, 20261204},
	{"7.3.0-rc7-next", 0, true},
	{"7.3.0-rc7-next-20261399", 0, true},
	{"7.3.0-rc7-next-20250229", 0, true},
	{"7.3.0-rc7-next-2026120", 0, true},
	{"7.3.0-rc7-next-202612041", 0, true},
	{"7.3.0-rc7-next-20261204x", 0, true},
	{"7.3.0-rc7-mainline-abcdef123456", 0, false, 0, "abcdef123456"},
	{"7.3.0-rc7-mainline-abcdef123456-llvm", 32, false, 0, "abcdef123456"},
	{"7.3.0-rc7-mainline-abcdef123456+", 0, true, 0, "abcdef123456"},
	{"7.3.0-rc7-mainline-abcdef12345", 0, true},
	{"7.3.0-rc7-mainline-abcdef1234567", 0, true},
	{"7.3.0-rc7-mainline-abcdeg123456", 0, true},
	{"7.3.0-rc7-mainline", 0, true},
	{"7.3.0-rc7-next-20261204-mainline-abcdef123456", 0, true, 20261204},
};

/* The fix a "no such kernel built" error suggests: quiz-kernel build's arguments. */
static const char *const build_args_cases[][2] = {
	{"6.1-lockdep-kasan", "--with kasan,lockdep 6.1"},
	{"v6.1.192-ubsan", "--with ubsan 6.1.192"},
	{"6.12-rc3-kcsan", "--with kcsan 6.12-rc3"},
	{"6.1", "6.1"},
	{"6.1-custom", "6.1-custom"},
	{"6.1-llvm", "--with llvm 6.1"},
	{"6.1-kasan-bpf", "--with bpf,kasan 6.1"},
	{"7.3.0-rc7", "7.3.0-rc7"},
	{"next", "next"},
	{"next-kasan", "--with kasan next"},
	{"next-20261204-kasan", "--with kasan next-20261204"},
	{"mainline-abcdef123456-lockdep-kasan", "--with kasan,lockdep mainline-abcdef123456"},
	{"mainline-xyz", "mainline-xyz"},
};

static unsigned test_number;
static unsigned failures;

static void report(bool ok, const char *what, const char *desc)
{
	test_number++;
	if (!ok)
		failures++;
	printf("%s %u - %s: %s\n", ok ? "ok" : "not ok", test_number, what, desc);
}

static const char *errno_name(int r)
{
	switch (r) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ENOENT: return "-ENOENT";
	default: return "other";
	}
}

/* Runs one selection; returns the chosen name, or NULL with *ret_r set to the error. */
static const char *run_select(const char *want, char *const *releases, size_t n, int *ret_r,
			      bool *ret_index_ok)
{
	size_t index = SIZE_MAX;
	int r;

	r = kernel_ref_select(want, releases, n, &index);
	*ret_r = r;
	if (r < 0) {
		*ret_index_ok = index == SIZE_MAX; /* untouched on failure */
		return NULL;
	}
	*ret_index_ok = index < n;
	return *ret_index_ok ? releases[index] : NULL;
}

static void test_select(const struct select_case *c)
{
	_cleanup_free_ char **reversed = NULL;
	const char *got, *got_rev = NULL;
	bool index_ok, index_ok_rev = true, ok;
	int r, r_rev;

	got = run_select(c->want, c->releases, c->n_releases, &r, &index_ok);
	r_rev = r;

	if (c->n_releases > 0) {
		reversed = calloc(c->n_releases, sizeof(char *));
		if (!reversed) {
			report(false, "select", c->desc);
			printf("# out of memory\n");
			return;
		}
		for (size_t i = 0; i < c->n_releases; i++)
			reversed[i] = c->releases[c->n_releases - 1 - i];
		got_rev = run_select(c->want, reversed, c->n_releases, &r_rev, &index_ok_rev);
	} else {
		got_rev = got;
	}

	ok = r == c->expect_r && r_rev == c->expect_r && index_ok && index_ok_rev;
	if (ok && c->expect_r == 0)
		ok = got && got_rev && STREQ(got, c->expect) && STREQ(got_rev, c->expect);

	report(ok, "select", c->desc);
	if (!ok)
		printf("# want \"%s\": got %s \"%s\" (reversed list: %s \"%s\"%s) expected %s "
		       "\"%s\"\n",
		       c->want ?: "(null)", errno_name(r), got ?: "-", errno_name(r_rev),
		       got_rev ?: "-", index_ok && index_ok_rev ? "" : ", bad index",
		       errno_name(c->expect_r), c->expect ?: "-");
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_compare(const struct compare_case *c)
{
	struct kernel_version a, b;
	char desc[128];
	int got = 2, got_rev = 2;
	bool ok;

	snprintf(desc, sizeof(desc), "%s vs %s", c->a, c->b);
	ok = kernel_version_parse(c->a, &a) == 0 && kernel_version_parse(c->b, &b) == 0;
	if (ok) {
		got = sign(kernel_version_compare(&a, &b));
		got_rev = sign(kernel_version_compare(&b, &a));
		ok = got == c->expect && got_rev == -c->expect;
	}

	report(ok, "compare", desc);
	if (!ok)
		printf("# got %d (reversed %d) expected %d\n", got, got_rev, c->expect);
}

static void test_parse(const struct parse_case *c)
{
	struct kernel_version v, untouched;
	bool ok;
	int r;

	memset(&v, 0xa5, sizeof(v));
	untouched = v;

	r = kernel_version_parse(c->s, &v);
	ok = r == c->expect_r;
	if (ok && r == 0)
		ok = v.major == c->major && v.minor == c->minor && v.patch == c->patch &&
		     v.has_patch == c->has_patch && v.rc == c->rc &&
		     v.extra == c->s + strlen(c->s) - strlen(c->extra) && STREQ(v.extra, c->extra);
	else if (ok)
		ok = memcmp(&v, &untouched, sizeof(v)) == 0;

	report(ok, "parse", c->s);
	if (!ok) {
		if (r == 0)
			printf("# got 0 %u.%u.%u has_patch=%d rc=%u extra=\"%s\" ", v.major,
			       v.minor, v.patch, v.has_patch, v.rc, v.extra);
		else
			printf("# got %s ", errno_name(r));
		printf("expected %s %u.%u.%u has_patch=%d rc=%u extra=\"%s\"\n",
		       errno_name(c->expect_r), c->major, c->minor, c->patch, c->has_patch, c->rc,
		       c->extra ?: "-");
	}
}

static void test_flavours(const struct flavour_case *c)
{
	struct kernel_version v;
	const char *commit = c->mainline_commit ?: "";
	bool ok = kernel_version_parse(c->s, &v) == 0 && v.flavours == c->flavours &&
		  v.local == c->local && v.next_date == c->next_date &&
		  STREQ(v.mainline_commit, commit);

	report(ok, "flavours", c->s);
	if (!ok)
		printf("# got flavours %u local %d next %u mainline \"%s\", expected %u %d %u "
		       "\"%s\"\n",
		       v.flavours, v.local, v.next_date, v.mainline_commit, c->flavours, c->local,
		       c->next_date, commit);
}

static void test_build_args(const char *const c[2])
{
	_cleanup_free_ char *got = kernel_ref_build_args(c[0]);

	report(got && STREQ(got, c[1]), "build args", c[0]);
	if (!got || !STREQ(got, c[1]))
		printf("# got \"%s\", expected \"%s\"\n", got ?: "(null)", c[1]);
}

/* The names runner/core/kernel.c knows are kconfig/flavour/'s, no more, no fewer. */
static void test_flavour_dir(void)
{
	const char *data = getenv("QUIZ_TEST_DATA");
	_cleanup_free_ char *path = NULL;
	unsigned known = 0, found = 0;
	bool ok = data && asprintf(&path, "%s/../../../kconfig/flavour", data) >= 0;
	DIR *d = ok ? opendir(path) : NULL;

	while (kernel_flavour_name(known))
		known++;
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		bool named = false;

		if (len <= 7 || strcmp(de->d_name + len - 7, ".config") != 0)
			continue;
		found++;
		for (unsigned i = 0; kernel_flavour_name(i); i++)
			named |= strlen(kernel_flavour_name(i)) == len - 7 &&
				 strncmp(kernel_flavour_name(i), de->d_name, len - 7) == 0;
		if (!named)
			printf("# kconfig/flavour/%s: not in kernel.c's flavour_names\n",
			       de->d_name);
		ok &= named;
	}
	if (d)
		closedir(d);
	ok &= d && found == known;
	report(ok, "flavours", "kernel.c names the flavours of kconfig/flavour/");
	if (!ok)
		printf("# %s: %u fragments, %u names\n", path ?: "(no QUIZ_TEST_DATA)", found,
		       known);
}

int main(void)
{
	printf("1..%zu\n", ELEMENTSOF(select_cases) + ELEMENTSOF(compare_cases) +
				   ELEMENTSOF(parse_cases) + ELEMENTSOF(flavour_cases) +
				   ELEMENTSOF(build_args_cases) + 1);

	for (size_t i = 0; i < ELEMENTSOF(select_cases); i++)
		test_select(&select_cases[i]);
	for (size_t i = 0; i < ELEMENTSOF(compare_cases); i++)
		test_compare(&compare_cases[i]);
	for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++)
		test_parse(&parse_cases[i]);
	for (size_t i = 0; i < ELEMENTSOF(flavour_cases); i++)
		test_flavours(&flavour_cases[i]);
	for (size_t i = 0; i < ELEMENTSOF(build_args_cases); i++)
		test_build_args(build_args_cases[i]);
	test_flavour_dir();
	return failures > 0 ? 1 : 0;
}
