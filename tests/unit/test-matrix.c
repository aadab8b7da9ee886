/* SPDX-License-Identifier: MIT */
/* -k lists for matrix runs: which releases "6.1,6.12", "all" and "6.*" name, and errors. */
#include <stdbool.h>
#include <stdlib.h>

#include "kernels.h"
#include "tap.h"

static char *releases[] = {"6.1.150", "6.1.192", "6.10.3", "6.12.0-rc3", "6.12.117"};

static void expect(const char *arg, int want_r, const char *want, const char *want_bad)
{
	struct strv got = {0};
	char *bad = NULL;
	int r = kernel_selectors_expand(arg, releases, ELEMENTSOF(releases), &got, &bad);
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
	return tap_done();
}
