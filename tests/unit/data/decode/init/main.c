/* SPDX-License-Identifier: MIT */
/* test-decode's "kernel" and "module", built with DWARF: init/main.c, like the kernel's own. */
int kernel_init(int x);
int quiz_fixture_init(int x);

int kernel_init(int x) { return x * 2; }

int quiz_fixture_init(int x) { return x + 1; }

int main(void)
{
	return kernel_init(0) + quiz_fixture_init(-1);
}
