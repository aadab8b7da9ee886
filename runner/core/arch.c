/* SPDX-License-Identifier: MIT */
/* The guest architectures quiz boots, one row each. Pure. */
#include "arch.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

/*
 * x86_64 on microvm: console=ttyS0 (the ISA serial, up before any driver, survives a panic);
 * reboot=t (a triple fault needs no ACPI; -no-reboot turns it into QEMU's exit);
 * noreplace-smp: a 1-CPU kernel would rewrite every LOCK prefix at boot (70 ms under TCG);
 * panic_on_unrecovered_nmi: quiz's NMI into a stuck guest (nmi_backtrace; microvm has no NMI
 * reason port, so the kernel takes it for a PCI SERR) panics it with the stuck CPU's trace.
 */
static const char *const x86_64_words[] = {"console=ttyS0", "reboot=t", "noreplace-smp",
					   "sysctl.kernel.panic_on_unrecovered_nmi=1", NULL};
/* aarch64 on virt: the PL011; reboot() goes out through PSCI. */
static const char *const aarch64_words[] = {"console=ttyAMA0", NULL};
/* s390x on s390-ccw-virtio: the SCLP line-mode console. */
static const char *const s390x_words[] = {"console=ttysclp0", NULL};
/* riscv64 on virt: the NS16550A; reboot() goes out through OpenSBI's SRST to sifive_test. */
static const char *const riscv64_words[] = {"console=ttyS0", NULL};
/* Power on pseries: the hypervisor's virtual terminal (spapr-vty) is hvc0; reboot() is RTAS. */
static const char *const pseries_words[] = {"console=hvc0", NULL};

/*
 * pseries under TCG: QEMU cannot give the Spectre mitigations its default capabilities ask for
 * and warns of each on every start; "broken" is what TCG has. x-vof: QEMU's Virtual Open
 * Firmware (vof.bin) instead of SLOF: it only hands the kernel the device tree, where SLOF
 * probes every device first (seconds under TCG).
 */
#define PSERIES "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off"

/* Both byte orders of Power: one machine, one kernel fragment but for the byte order; 31
 * virtio slots, those of the default PCI host bridge. */
#define PSERIES_FIELDS                                                                             \
	.kernel_arch = "powerpc", .elf_machine = EM_PPC64, .kernel_image = "vmlinux",              \
	.qemu = "qemu-system-ppc64", .qemu_package = "qemu-system-ppc", .machine = PSERIES,        \
	.kvm_cpu = "host", .tcg_cpu = "power9", .virtio_suffix = "pci", .virtio_slots = 31,        \
	.max_cpus = 4096, .kernel_words = pseries_words, .gdb_arch = "powerpc:common64",           \
	.saved_state = true

const struct arch arch_table[] = {
	{
		.name = "x86_64",
		.kernel_arch = "x86",
		.cross_prefix = "x86_64-linux-gnu-",
		.debian_arch = "amd64",
		.elf_machine = EM_X86_64,
		.kernel_image = "arch/x86/boot/bzImage",
		.boots_vmlinux = true,
		.qemu = "qemu-system-x86_64",
		.qemu_package = "qemu-system-x86",
		/* acpi=off: a kernel without ACPI gets microvm's devices as command-line words. */
		.machine = "microvm,acpi=off",
		.kvm_cpu = "host",
		.tcg_cpu = "max",
		.virtio_suffix = "device",
		.virtio_slots = 8, /* QEMU's VIRTIO_NUM_TRANSPORTS on microvm */
		/* 255: APIC ids past 254 need x2APIC, and without ACPI the MP table has 8 bits. */
		.max_cpus = 255,
		.kernel_words = x86_64_words,
		.tcg_timing_words = true,
		.nmi_backtrace = true,
		.saved_state = true,
		.gdb_arch = "i386:x86-64",
	},
	{
		.name = "aarch64",
		.alias = "arm64",
		.kernel_arch = "arm64",
		.cross_prefix = "aarch64-linux-gnu-",
		.debian_arch = "arm64",
		.elf_machine = EM_AARCH64,
		.kernel_image = "arch/arm64/boot/Image",
		.qemu = "qemu-system-aarch64",
		.qemu_package = "qemu-system-arm",
		.machine = "virt",
		.kvm_cpu = "host",
		.tcg_cpu = "max",
		.virtio_suffix = "device",
		.virtio_slots = 32, /* virt's virtio-mmio transports */
		.root_disk_last = true,
		.max_cpus = 8, /* virt's default GICv2 */
		.kernel_words = aarch64_words,
		.gdb_arch = "aarch64",
		.saved_state = true,
	},
	{
		.name = "s390x",
		.kernel_arch = "s390",
		.cross_prefix = "s390x-linux-gnu-",
		.debian_arch = "s390x",
		.elf_machine = EM_S390,
		.kernel_image = "arch/s390/boot/bzImage",
		.qemu = "qemu-system-s390x",
		.qemu_package = "qemu-system-misc",
		.machine = "s390-ccw-virtio",
		.kvm_cpu = "host",
		.tcg_cpu = "max",
		.virtio_suffix = "ccw",
		.virtio_slots = 0,
		.max_cpus = 248, /* QEMU's s390-ccw-virtio */
		.kernel_words = s390x_words,
		.gdb_arch = "s390:64-bit",
		.saved_state = true,
		.big_endian = true,
	},
	{
		.name = "riscv64",
		.kernel_arch = "riscv",
		.cross_prefix = "riscv64-linux-gnu-",
		.debian_arch = "riscv64",
		.elf_machine = EM_RISCV,
		.kernel_image = "arch/riscv/boot/Image",
		.qemu = "qemu-system-riscv64",
		.qemu_package = "qemu-system-misc",
		.machine = "virt",
		.kvm_cpu = "host",
		.tcg_cpu = "rv64", /* QEMU 7.2 has no "max" for RISC-V */
		.virtio_suffix = "device",
		/* virt's virtio-mmio transports; unlike arm's, the first given is probed first. */
		.virtio_slots = 8,
		.max_cpus = 512, /* QEMU's virt */
		.kernel_words = riscv64_words,
		.gdb_arch = "riscv:rv64",
		.saved_state = true,
		.image_suite = "trixie", /* Debian's first release with a riscv64 port */
	},
	{
		.name = "ppc64le",
		.alias = "ppc64el",
		.cross_prefix = "powerpc64le-linux-gnu-",
		.debian_arch = "ppc64el",
		PSERIES_FIELDS,
	},
	{
		.name = "ppc64",
		.cross_prefix = "powerpc64-linux-gnu-",
		.debian_arch = "ppc64",
		PSERIES_FIELDS,
		.big_endian = true,
		/* No Debian release on the archive quiz reaches has a big-endian ppc64 userland:
		 * quiz makes one (tools/quiz-image-static: busybox, tini, quiz-init; static). */
		.image_suite = "static",
	},
	{0},
};

const struct arch *arch_find(const char *name)
{
	for (const struct arch *a = arch_table; name && a->name; a++)
		if (STREQ(a->name, name) || (a->alias && STREQ(a->alias, name)))
			return a;
	return NULL;
}

const struct arch *arch_host(void)
{
#if defined(__x86_64__)
	return arch_find("x86_64");
#elif defined(__aarch64__)
	return arch_find("aarch64");
#elif defined(__s390x__)
	return arch_find("s390x");
#elif defined(__riscv) && __riscv_xlen == 64
	return arch_find("riscv64");
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return arch_find("ppc64le");
#elif defined(__powerpc64__)
	return arch_find("ppc64");
#else
	return NULL;
#endif
}

const char *arch_names(void)
{
	return "x86_64, aarch64 (arm64), s390x, riscv64, ppc64le (ppc64el), ppc64";
}

int arch_virtio_device(const struct arch *a, const char *kind, char **ret)
{
	return asprintf(ret, "%s-%s", kind, a->virtio_suffix) < 0 ? -ENOMEM : 0;
}
