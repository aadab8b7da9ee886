/* SPDX-License-Identifier: MIT */
/* test-decode's "kernel" and "module", built with DWARF: init/main.c, like the kernel's own. */
int kernel_init(int x);
int quiz_fixture_init(int x);

/* test-decode finds each function's line as "int NAME(int x) {": its entry's place. */
/* clang-format off */
int kernel_init(int x) { return x * 2; }

int quiz_fixture_init(int x) { return x + 1; }
/* clang-format on */

int main(void)
{
	return kernel_init(0) + quiz_fixture_init(-1);
}
