/* SPDX-License-Identifier: MIT */
/* The architecture table: names as users type them, and every row complete. */
#include <stdlib.h>

#include "arch.h"
#include "qemu_argv.h"
#include "tap.h"

static void test_names(void)
{
	CHECK(arch_find("x86_64") && STREQ(arch_find("x86_64")->name, "x86_64"), "x86_64");
	CHECK(arch_find("aarch64") == arch_find("arm64"), "arm64 is an alias of aarch64");
	CHECK(arch_find("s390x") && STREQ(arch_find("s390x")->debian_arch, "s390x"), "s390x");
	CHECK(arch_find("ppc64le") == arch_find("ppc64el"),
	      "ppc64el (Debian's) is an alias of ppc64le");
	CHECK(arch_find("ppc64") && arch_find("ppc64") != arch_find("ppc64le"),
	      "ppc64 (big-endian) is not ppc64le");
	CHECK(!arch_find("riscv32") && !arch_find("") && !arch_find(NULL), "unknown names: NULL");
	CHECK(!arch_find("X86_64"), "names are exact (no case folding)");
#if defined(__x86_64__)
	CHECK(arch_host() == arch_find("x86_64"), "this host is x86_64");
#endif
	CHECK_STR(arch_names(), "x86_64, aarch64 (arm64), s390x, riscv64, ppc64le (ppc64el), ppc64",
		  "the names for messages");
}

static void test_rows(void)
{
	size_t n = 0;
	for (const struct arch *a = arch_table; a->name; a++, n++) {
		bool complete = a->kernel_arch && a->cross_prefix && a->debian_arch &&
				a->kernel_image && a->qemu && a->qemu_package && a->machine &&
				a->kvm_cpu && a->tcg_cpu && a->virtio_suffix && a->max_cpus &&
				a->kernel_words && a->kernel_words[0] && a->gdb_arch;
		CHECK(complete, "%s: every field set", a->name);
		CHECK(strncmp(a->kernel_words[0], "console=", 8) == 0,
		      "%s: its first word is the console", a->name);
		CHECK(a->cross_prefix[strlen(a->cross_prefix) - 1] == '-',
		      "%s: the cross prefix ends in '-'", a->name);
		_cleanup_free_ char *dev = NULL;
		CHECK(arch_virtio_device(a, "virtio-blk", &dev) == 0 &&
			      strncmp(dev, "virtio-blk-", 11) == 0,
		      "%s: virtio-blk is %s", a->name, dev);
	}
	CHECK(n == 6, "six architectures");
	const struct arch *le = arch_find("ppc64le"), *be = arch_find("ppc64");
	CHECK(le->elf_machine == be->elf_machine && !le->big_endian && be->big_endian &&
		      STREQ(le->machine, be->machine) && !STREQ(le->cross_prefix, be->cross_prefix),
	      "ppc64le and ppc64: one machine, told apart by byte order and compiler");
	CHECK(arch_find("s390x")->big_endian && !arch_find("x86_64")->big_endian &&
		      !arch_find("aarch64")->big_endian && !arch_find("riscv64")->big_endian,
	      "s390x is big-endian, x86_64, aarch64 and riscv64 are not");
	CHECK_STR(arch_image_suite(arch_find("riscv64")), "trixie",
		  "riscv64's image is trixie's (bookworm has no riscv64 port)");
	CHECK_STR(arch_image_suite(arch_find("ppc64le")), "bookworm", "ppc64le's is bookworm's");
	CHECK(arch_find("riscv64")->virtio_slots == 8 && !arch_find("riscv64")->root_disk_last,
	      "riscv64's virt: 8 virtio-mmio slots, the first disk given is /dev/vda");
	CHECK(arch_find("x86_64")->tcg_timing_words && !arch_find("aarch64")->tcg_timing_words &&
		      !arch_find("s390x")->tcg_timing_words,
	      "only x86 takes the TSC words under TCG");
	CHECK(arch_find("x86_64")->virtio_slots == 8 && arch_find("s390x")->virtio_slots == 0,
	      "microvm has 8 virtio slots, channel I/O no limit of that kind");
}

int main(void)
{
	test_names();
	test_rows();
	return tap_done();
}
