/* SPDX-License-Identifier: MIT */
/* -k lists for matrix runs: which releases "6.1,6.12", "all" and "6.*" name, and errors. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "kernel_host.h"
#include "tap.h"

static char *plain[] = {"6.1.150", "6.1.192", "6.10.3", "6.12.0-rc3", "6.12.117"};
/* With debug flavours (quiz-kernel build --with), sorted as kernels_list sorts them. */
static char *flavoured[] = {
	"6.1.150",  "6.1.192",	     "6.1.192+", "6.1.192-kasan", "6.1.192-kasan-lockdep",
	"6.12.117", "6.12.117-kasan"};
static char **releases = plain;
static size_t n_releases = ELEMENTSOF(plain);

static void expect(const char *arg, int want_r, const char *want, const char *want_bad)
{
	struct strv got = {0};
	char *bad = NULL;
	int r = kernel_selectors_expand(arg, releases, n_releases, &got, &bad);
	struct buf joined = {0};
	for (size_t i = 0; i < got.len; i++)
		buf_printf(&joined, "%s%s", i ? " " : "", got.items[i]);
	CHECK(r == want_r, "-k %s returns %d (got %d)", arg, want_r, r);
	if (want)
		CHECK_STR(joined.data ? joined.data : "", want, "-k %s names %s", arg, want);
	if (want_bad)
		CHECK_STR(bad, want_bad, "-k %s: the bad item is %s", arg, want_bad);
	free(bad);
	buf_free(&joined);
	strv_free(&got);
}

/* 17.20: with nothing built and no -k, the answer is "none built", not "bad selector (null)". */
static void test_nothing_built(void)
{
	char home[] = "/tmp/test-matrix.XXXXXX";
	if (!mkdtemp(home)) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	static const char *const selectors[] = {NULL, "", "6.1"};
	for (size_t i = 0; i < ELEMENTSOF(selectors); i++) {
		struct kernel k = {0};
		int r = kernel_resolve(home, arch_host(), selectors[i], &k);
		CHECK(r == -ENOENT, "17.20: nothing built, -k %s: -ENOENT (got %d)",
		      !selectors[i]	? "not given"
		      : selectors[i][0] ? selectors[i]
					: "''",
		      r);
		kernel_free(&k);
	}
	rmdir(home);
}

/* A run without -k takes the newest plain kernel; a debug kernel only when it is all there is. */
static void test_default(void)
{
	char *only_flavoured[] = {"6.1.192-kasan", "6.12.117-kasan"};
	char *older_plain[] = {"6.1.192", "6.12.117-kasan"};
	CHECK_STR(flavoured[kernels_default(flavoured, ELEMENTSOF(flavoured))], "6.12.117",
		  "no -k: the newest plain kernel, not 6.12.117-kasan");
	CHECK_STR(older_plain[kernels_default(older_plain, ELEMENTSOF(older_plain))], "6.1.192",
		  "no -k: an older plain kernel before a newer flavoured one");
	CHECK_STR(only_flavoured[kernels_default(only_flavoured, ELEMENTSOF(only_flavoured))],
		  "6.12.117-kasan", "no -k, only flavoured kernels: the newest of them");
}

/* kernel_resolve over a cache folder holding 6.1.192 and 6.1.192-kasan. */
static void test_resolve_flavoured(void)
{
	char home[] = "/tmp/test-matrix.XXXXXX";
	static const char *const names[] = {"6.1.192", "6.1.192-kasan", "6.1.192-kasan-lockdep"};
	static const char *const cases[][2] = {
		{NULL, "6.1.192"},
		{"6.1", "6.1.192"},
		{"6.1.192", "6.1.192"},
		{"6.1-kasan", "6.1.192-kasan"},
		{"6.1.192-kasan", "6.1.192-kasan"},
		{"6.1-lockdep-kasan", "6.1.192-kasan-lockdep"},
	};
	const char *image = strrchr(arch_host()->kernel_image, '/');
	char path[512];
	if (!mkdtemp(home)) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < ELEMENTSOF(names); i++) { /* kernels_list wants the boot image */
		FILE *f = NULL;
		snprintf(path, sizeof(path), "%s/kernels", home);
		(void)mkdir(path, 0755); /* exists after the first */
		snprintf(path, sizeof(path), "%s/kernels/%s", home, arch_host()->name);
		(void)mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/kernels/%s/%s", home, arch_host()->name, names[i]);
		if (mkdir(path, 0755) == 0) {
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s",
				 image ? image + 1 : arch_host()->kernel_image);
			f = fopen(path, "w");
		}
		CHECK(f, "a fake %s in %s", names[i], home);
		if (f)
			fclose(f);
	}
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct kernel k = {0};
		int r = kernel_resolve(home, arch_host(), cases[i][0], &k);
		CHECK(r == 0 && STREQ(k.release, cases[i][1]), "-k %s takes %s (got %s)",
		      cases[i][0] ? cases[i][0] : "not given", cases[i][1], r ? "none" : k.release);
		kernel_free(&k);
	}
	char *cmd = NULL;
	if (asprintf(&cmd, "rm -rf '%s'", home) >= 0 && system(cmd) != 0)
		CHECK(false, "rm -rf %s", home);
	free(cmd);
}

/* A KASAN kernel boots its bzImage: 6.1's PVH entry faults under KASAN before it prints. */
static void test_pvh(void)
{
	CHECK(kernel_boots_pvh("# x\nCONFIG_PVH=y\nCONFIG_X=y\n"), "a PVH kernel boots PVH");
	CHECK(!kernel_boots_pvh("# x\nCONFIG_X=y\n"), "one without PVH does not");
	CHECK(!kernel_boots_pvh("# x\nCONFIG_PVH=y\nCONFIG_KASAN=y\n"),
	      "a KASAN kernel does not, PVH or not");
	CHECK(kernel_boots_pvh("# x\nCONFIG_PVH=y\n# CONFIG_KASAN is not set\n"), "KASAN off: PVH");
}

int main(void)
{
	test_nothing_built();
	CHECK(kernel_selector_is_matrix("6.1,6.12"), "a comma list is a matrix");
	CHECK(kernel_selector_is_matrix("all"), "all is a matrix");
	CHECK(kernel_selector_is_matrix("6.*"), "a glob is a matrix");
	CHECK(!kernel_selector_is_matrix("6.1"), "one version is not");
	CHECK(!kernel_selector_is_matrix(NULL), "no -k is not");

	expect("6.1,6.12", 0, "6.1.192 6.12.117", NULL);
	expect("6.12,6.1", 0, "6.12.117 6.1.192", NULL);
	expect("6.1,6.1.192", 0, "6.1.192", NULL);
	expect("all", 0, "6.1.150 6.1.192 6.10.3 6.12.0-rc3 6.12.117", NULL);
	expect("6.1.*", 0, "6.1.150 6.1.192", NULL);
	expect("6.1.150,6.1.*", 0, "6.1.150 6.1.192", NULL);
	expect("6.12-rc3,6.10", 0, "6.12.0-rc3 6.10.3", NULL);
	expect("6.1,9.9", -ENOENT, NULL, "9.9");
	expect("7.*", -ENOENT, NULL, "7.*");
	expect("6.1,abc", -EINVAL, NULL, "abc");
	expect(",", -EINVAL, NULL, NULL);

	test_default();
	test_pvh();
	test_resolve_flavoured();
	releases = flavoured;
	n_releases = ELEMENTSOF(flavoured);
	expect("all", 0, "6.1.150 6.1.192 6.1.192+ 6.12.117", NULL);
	expect("6.*", 0, "6.1.150 6.1.192 6.1.192+ 6.12.117", NULL);
	expect("6.1,6.1-kasan", 0, "6.1.192 6.1.192-kasan", NULL);
	expect("6.1-kasan,6.12-kasan", 0, "6.1.192-kasan 6.12.117-kasan", NULL);
	expect("6.1.192-kasan-lockdep,all", 0,
	       "6.1.192-kasan-lockdep 6.1.150 6.1.192 6.1.192+ 6.12.117", NULL);
	expect("6.12,6.12-lockdep", -ENOENT, NULL, "6.12-lockdep");
	return tap_done();
}
