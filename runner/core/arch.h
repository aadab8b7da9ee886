/* SPDX-License-Identifier: MIT */
/* The guest architectures: one description each, the only place that knows how they differ. */
/* Host half: none (a table; the host's architecture is arch_host's uname). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Everything quiz does differently per architecture is a field here; adding one (riscv64,
 * ppc64le) is a row in arch.c and kconfig/arch/NAME.config, not new code paths.
 */
struct arch {
	const char *name;	   /* as quiz says it: "x86_64", "aarch64", "s390x", "ppc64le" */
	const char *alias;	   /* another name users type ("arm64"), or NULL */
	const char *kernel_arch;   /* the kernel's ARCH= ("x86", "arm64", "s390") */
	const char *cross_prefix;  /* Debian's cross toolchain, "aarch64-linux-gnu-" */
	const char *debian_arch;   /* the image's dpkg architecture ("amd64") */
	unsigned elf_machine;	   /* its programs' ELF e_machine (EM_X86_64) */
	const char *kernel_image;  /* in a build tree: "arch/arm64/boot/Image" */
	bool boots_vmlinux;	   /* QEMU boots vmlinux itself (x86's PVH entry) when it can */
	const char *qemu;	   /* "qemu-system-aarch64" */
	const char *qemu_package;  /* the Debian package that has it */
	const char *machine;	   /* -M */
	const char *kvm_cpu;	   /* -cpu under KVM */
	const char *tcg_cpu;	   /* -cpu under TCG */
	const char *virtio_suffix; /* "device" (virtio-mmio: virtio-blk-device) or "ccw" */
	unsigned virtio_slots;	   /* how many virtio devices the machine takes; 0: no limit */
	/* virt hands out its virtio-mmio transports from the top: the last virtio-blk device given
	 * is the guest's first disk, /dev/vda, which must be the root image. */
	bool root_disk_last;
	unsigned max_cpus;
	const char *const *kernel_words; /* the arch's fixed kernel command-line words */
	bool tcg_timing_words;		 /* x86: TSC and lpj from the host under TCG */
	/* An NMI through QEMU's monitor makes the guest show its stuck CPU (x86: it panics, with
	 * the backtrace, by its panic_on_unrecovered_nmi word): the last resort of a run past -t.
	 */
	bool nmi_backtrace;
	/* Runs may start from a saved VM state (core/vmstate.h): QEMU migrates its machine. */
	bool saved_state;
	const char *gdb_arch; /* for gdb's "set architecture" */
	bool big_endian;      /* s390x, ppc64: the byte order its programs and the image have */
	/* The Debian release of its image, when bookworm has no port for it (riscv64: trixie);
	 * NULL: IMAGE_SUITE. */
	const char *image_suite;
};

/* The table, x86_64 first; NULL-terminated by name. */
extern const struct arch arch_table[];

/* By name or alias ("arm64"); NULL when unknown. */
const struct arch *arch_find(const char *name);
/* The architecture quiz runs on, when it is in the table; else NULL. */
const struct arch *arch_host(void);
/* "x86_64, aarch64 (arm64), s390x, ...", for messages. */
const char *arch_names(void);
/*
 * For messages: another architecture is named, the host's is not. "no %s%skernel built; run:
 * quiz-kernel build%s%s 6.1" with arch_word, arch_space, arch_flag, arch_word gives "no aarch64
 * kernel built; run: quiz-kernel build -a aarch64 6.1", or without either for the host's.
 */
static inline const char *arch_word(const struct arch *a)
{
	return a == arch_host() ? "" : a->name;
}
static inline const char *arch_space(const struct arch *a)
{
	return a == arch_host() ? "" : " ";
}
static inline const char *arch_flag(const struct arch *a)
{
	return a == arch_host() ? "" : " -a ";
}

/* "an" x86_64, aarch64, s390x ("an ess"); "a" riscv64, ppc64le: for "an %s guest". */
static inline const char *arch_article(const struct arch *a)
{
	return a->name[0] == 'r' || a->name[0] == 'p' ? "a" : "an";
}

/* The Debian release of the image quiz boots for a: its own, else bookworm. */
#define IMAGE_SUITE "bookworm"
static inline const char *arch_image_suite(const struct arch *a)
{
	return a->image_suite ? a->image_suite : IMAGE_SUITE;
}

/* The device name of a virtio device on this arch: "virtio-blk" → "virtio-blk-ccw". Pure. */
int arch_virtio_device(const struct arch *a, const char *kind, char **ret);
