/* SPDX-License-Identifier: MIT */
/* The QEMU command line as an argv array, from a plan with no I/O behind it. */
/* Host half: host/run_setup.c (build_argv) and host/vm.c (the exec). */
#pragma once

#include <stdbool.h>

#include "arch.h"
#include "buf.h"
#include "contract.h"

struct share {
	const char *tag;  /* 9p mount tag, "quiz.<name>" */
	const char *path; /* host folder */
	bool writable;
	/* The guest's owners, modes and device numbers kept in xattrs
	 * (security_model=mapped-xattr), never applied to the host's files: what a writable share
	 * of a root quiz needs. */
	bool mapped;
};

struct qemu_plan {
	const struct arch *arch;  /* the guest's */
	const char *qemu;	  /* binary; NULL: the arch's */
	bool kvm;		  /* else TCG */
	const char *kernel_image; /* what QEMU boots (vmlinux.boot, Image, bzImage) */
	const char *root_image;	  /* ext2 guest image, attached read-only */
	const char *tree_image;	  /* the current directory's packed image (serial TREE_SERIAL),
				     read-only; NULL: none */
	const char *memory;	  /* "512M" */
	unsigned cpus;
	const struct share *shares;
	size_t n_shares;
	const char *const *kernel_words; /* extra kernel command-line words */
	size_t n_kernel_words;
	const char *const *extra_args; /* verbatim QEMU arguments, appended last */
	size_t n_extra_args;
	unsigned long tsc_khz; /* 0 = let the guest calibrate (only archs with tcg_timing_words) */
	unsigned hz;	       /* the kernel's CONFIG_HZ, for lpj */
	bool tty;	       /* a virtio console (the guest's hvc0) for tmux mode */
	bool panic_wait;       /* a panicking guest waits (panic=0) for quiz to dump it */
	bool attach;	       /* the attach port (quiz --attach), QEMU its socket's server */
};

/* Socket names, relative to QEMU's working directory (the run directory). */
#define SOCKET_CONSOLE "console.sock"
#define SOCKET_STDIN "stdin.sock"
#define SOCKET_STDOUT "stdout.sock"
#define SOCKET_STDERR "stderr.sock"
#define SOCKET_STATUS "status.sock"
#define SOCKET_TTY "tty.sock"
#define SOCKET_QMP "qmp.sock"
/* QEMU listens here, not quiz: quiz --attach connects to a run's, any time. */
#define SOCKET_ATTACH "attach.sock"

/* Why a kernel command-line word cannot be passed ("is empty", "holds a blank", "--", a '"'),
 * as words that follow it in a message; NULL when it is fine. */
const char *kernel_word_problem(const char *word);

/* The kernel command line, space-separated; -EINVAL if a word has a kernel_word_problem. */
int kernel_cmdline_build(const struct qemu_plan *plan, struct buf *ret);

/*
 * Guest memory as QEMU's -m takes it and quiz passes it on: digits, then nothing (MiB) or one of
 * K, M, G, T in either case ("512M", "2g", "1024", "65536K"). -EINVAL for another form, -ERANGE
 * outside QEMU_MEMORY_MIN_MIB..QEMU_MEMORY_MAX_MIB; *ret_mib gets the size in MiB, rounded down.
 */
int qemu_memory_parse(const char *s, unsigned long long *ret_mib);
/* Limits against typos, not measured needs: a quiz guest runs in 512M by default. */
#define QEMU_MEMORY_MIN_MIB 32ULL
#define QEMU_MEMORY_MAX_MIB (1ULL << 20) /* 1T */
#define QEMU_MEMORY_LIMITS "32M to 1T"

/*
 * -smp at most this: microvm's machine allows 288 CPUs, but APIC ids from 255 up need x2APIC
 * (QEMU's x86_cpus_init refuses them under KVM without its X2APIC API), and with acpi=off, as
 * quiz runs microvm, the guest finds its CPUs in the MP table, whose APIC ids are 8 bits.
 */
#define QEMU_MAX_CPUS 255

/* Full argv; -EINVAL on a plan that cannot be expressed (see kernel_cmdline_build). */
int qemu_argv_build(const struct qemu_plan *plan, struct strv *ret);

/* QEMU option values double their commas. */
int qemu_opt_escape(const char *value, struct buf *out);

/* Shell-quote one word for display (--dry-run): 'single quotes' unless plainly safe. */
int shell_quote(const char *word, struct buf *out);

/* How many virtio devices of the arch's transport ("-device virtio-*-device", "-ccw") an argv
 * asks for: what arch->virtio_slots limits. */
size_t qemu_virtio_devices(const struct arch *a, char *const *argv);
