/* SPDX-License-Identifier: MIT */
/* Builds the QEMU argv and the kernel command line for the guest's architecture. Pure. */
#include "qemu_argv.h"

#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Fixed kernel words of every architecture (after the arch's own, arch.c), each for a reason:
 * - root=/dev/vda ro: the image is the first virtio-blk disk; init1 stacks layers over it.
 * - panic=-1: a panic reboots at once (QEMU's -no-reboot makes that its exit): no hang;
 *   panic=0 instead when quiz dumps the guest's memory on a panic (it waits for the dump).
 * - loglevel=5: only warnings and worse reach the (slow, byte-per-exit) serial console: a
 *   clean boot prints none, and a WARN splat is there whole for quiz's splat check.
 * - printk.devkmsg=on: /dev/kmsg writes are not rate-limited (10 per 5 s by default): quiz-init
 *   logs each stage of a run there, and a program's own log lines must not vanish either.
 */
static const char *const base_words[] = {
	"root=/dev/vda", "rootfstype=ext2",   "ro", "init=/sbin/init", "panic=-1",
	"loglevel=5",	 "printk.devkmsg=on",
};

const char *kernel_word_problem(const char *w)
{
	if (!w[0])
		return "is empty";
	if (strpbrk(w, " \t\n"))
		return "holds a blank; give one word at a time";
	/* microvm appends virtio_mmio.device= words: a "--" would hand them to init instead. */
	if (STREQ(w, "--"))
		return "would hide microvm's device words from the kernel; leave it out";
	/*
	 * The kernel's parser takes a '"' as the start of a quoted value that runs to the next
	 * '"': an odd one swallows the rest of the line, microvm's device words too, and the
	 * guest panics without its disks. Quoting is not worth it: no quiz word needs a blank.
	 */
	if (strchr(w, '"'))
		return "holds a '\"', which would make the kernel read the rest of its command "
		       "line "
		       "(microvm's device words too) as one quoted value; leave the quotes out";
	return NULL;
}

int kernel_cmdline_build(const struct qemu_plan *plan, struct buf *ret)
{
	_cleanup_buf_ struct buf b = {0};
	int r = 0;
	for (const char *const *w = plan->arch->kernel_words; r >= 0 && *w; w++)
		r = buf_printf(&b, "%s%s", b.len ? " " : "", *w);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(base_words); i++) {
		const char *w = plan->panic_wait && STREQ(base_words[i], "panic=-1")
					? "panic=0"
					: base_words[i];
		r = buf_printf(&b, "%s%s", b.len ? " " : "", w);
	}
	if (r >= 0 && plan->arch->tcg_timing_words && plan->tsc_khz && plan->hz) {
		/*
		 * TCG's TSC runs at the host's rate: skip calibration; udelay stays right.
		 * tsc=reliable: under TCG timer interrupts come late, jiffies lag, and the
		 * clocksource watchdog would wrongly swap the TSC for jiffies mid-boot.
		 * nolapic_timer: TCG's CPUs have no TSC-deadline timer and Linux has no word
		 * for the LAPIC timer's rate, so it would calibrate and verify it for 215 ms;
		 * the PIT (one CPU: no broadcast needed) serves as the tick instead.
		 * no_timer_check: as Linux sets itself on KVM; else it waits 4 ticks to see
		 * that QEMU's timer interrupt works (17 ms).
		 */
		r = buf_printf(
			&b, " tsc_early_khz=%lu lpj=%lu tsc=reliable nolapic_timer no_timer_check",
			plan->tsc_khz, plan->tsc_khz * 1000 / plan->hz);
	}
	for (size_t i = 0; r >= 0 && i < plan->n_kernel_words; i++) {
		if (kernel_word_problem(plan->kernel_words[i]))
			return -EINVAL;
		r = buf_printf(&b, " %s", plan->kernel_words[i]);
	}
	if (r < 0)
		return r;
	*ret = b;
	b = (struct buf){0};
	return 0;
}

int qemu_memory_parse(const char *s, unsigned long long *ret_mib)
{
	size_t digits = strspn(s, "0123456789");
	unsigned shift; /* the suffix, as a power of two of KiB */
	if (digits == 0 || (s[digits] && s[digits + 1]))
		return -EINVAL;
	switch (s[digits]) {
	case 'k':
	case 'K': shift = 0; break;
	case '\0': /* a bare number is MiB, as for QEMU's -m */
	case 'm':
	case 'M': shift = 10; break;
	case 'g':
	case 'G': shift = 20; break;
	case 't':
	case 'T': shift = 30; break;
	default: return -EINVAL;
	}
	unsigned long long n = strtoull(s, NULL, 10); /* too many digits: ULLONG_MAX, too big */
	const unsigned long long max_kib = QEMU_MEMORY_MAX_MIB << 10;
	if (n > max_kib >> shift || n << shift < QEMU_MEMORY_MIN_MIB << 10)
		return -ERANGE;
	*ret_mib = (n << shift) >> 10;
	return 0;
}

int qemu_opt_escape(const char *value, struct buf *out)
{
	for (const char *p = value; *p; p++) {
		int r = buf_append(out, p, 1);
		if (r >= 0 && *p == ',')
			r = buf_append(out, ",", 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int push_share(struct strv *v, const struct qemu_plan *plan, const struct share *s,
		      size_t index)
{
	_cleanup_buf_ struct buf path = {0};
	int r = qemu_opt_escape(s->path, &path);
	if (r >= 0)
		r = strv_push(v, "-fsdev");
	if (r >= 0)
		r = strv_pushf(v, "local,id=fs%zu,path=%s,security_model=%s%s", index, path.data,
			       s->mapped ? "mapped-xattr" : "none",
			       s->writable ? "" : ",readonly=on");
	if (r >= 0)
		r = strv_push(v, "-device");
	if (r >= 0)
		r = strv_pushf(v, "virtio-9p-%s,fsdev=fs%zu,mount_tag=%s",
			       plan->arch->virtio_suffix, index, s->tag);
	return r;
}

static int push_port(struct strv *v, const char *id, const char *socket, const char *name)
{
	int r = strv_push(v, "-chardev");
	if (r >= 0)
		r = strv_pushf(v, "socket,id=%s,path=%s", id, socket);
	if (r >= 0)
		r = strv_push(v, "-device");
	if (r >= 0)
		r = strv_pushf(v, "virtserialport,chardev=%s,name=%s", id, name);
	return r;
}

/*
 * One more port of the same bus (max_ports=8), so no device slot. QEMU listens on its socket
 * (wait=off: nobody needs to connect for the VM to start); a host that connects is announced
 * to the guest's agent (guest-init/attach.c).
 */
static int push_attach_port(struct strv *v)
{
	int r = strv_push(v, "-chardev");
	if (r >= 0)
		r = strv_push(v, "socket,id=attach,path=" SOCKET_ATTACH ",server=on,wait=off");
	if (r >= 0)
		r = strv_push(v, "-device");
	if (r >= 0)
		r = strv_push(v, "virtserialport,chardev=attach,name=" PORT_ATTACH);
	return r;
}

/*
 * A raw image as a read-only virtio disk: the guest image as the root disk (root=/dev/vda, no
 * serial), the current directory's packed image (found by its serial, TREE_SERIAL).
 */
static int push_disk(struct strv *v, const struct arch *a, const char *id, const char *path,
		     const char *serial)
{
	_cleanup_buf_ struct buf escaped = {0};
	int r = qemu_opt_escape(path, &escaped);
	if (r >= 0)
		r = strv_push(v, "-drive");
	if (r >= 0)
		r = strv_pushf(v, "file=%s,if=none,id=%s,format=raw,readonly=on", escaped.data, id);
	if (r >= 0)
		r = strv_push(v, "-device");
	if (r >= 0)
		r = strv_pushf(v, "virtio-blk-%s,drive=%s%s%s", a->virtio_suffix, id,
			       serial ? ",serial=" : "", serial ? serial : "");
	return r;
}

int qemu_argv_build(const struct qemu_plan *plan, struct strv *ret)
{
	_cleanup_strv_ struct strv v = {0};
	_cleanup_buf_ struct buf cmdline = {0};
	int r = kernel_cmdline_build(plan, &cmdline);
	if (r < 0)
		return r;

	const struct arch *a = plan->arch;
	const char *fixed[] = {
		plan->qemu ? plan->qemu : a->qemu,
		"-M",
		a->machine,
		"-accel",
		plan->kvm ? "kvm" : "tcg",
		"-cpu",
		plan->kvm ? a->kvm_cpu : a->tcg_cpu,
		"-nodefaults",
		"-no-user-config",
		"-display",
		"none",
		"-no-reboot",
		"-kernel",
		plan->kernel_image,
		"-append",
		cmdline.data,
		"-chardev",
		"socket,id=console,path=" SOCKET_CONSOLE,
		"-serial",
		"chardev:console",
	};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
		r = strv_push(&v, fixed[i]);
	if (r >= 0)
		r = strv_push(&v, "-m");
	if (r >= 0)
		r = strv_push(&v, plan->memory);
	if (r >= 0)
		r = strv_push(&v, "-smp");
	if (r >= 0)
		r = strv_pushf(&v, "%u", plan->cpus);
	if (r >= 0 && !a->root_disk_last)
		r = push_disk(&v, a, "root", plan->root_image, NULL);
	for (size_t i = 0; r >= 0 && i < plan->n_shares; i++)
		r = push_share(&v, plan, &plan->shares[i], i);
	if (r >= 0)
		r = strv_push(&v, "-device");
	if (r >= 0)
		r = strv_pushf(&v, "virtio-serial-%s,max_ports=8", a->virtio_suffix);
	if (r >= 0)
		r = push_port(&v, "stdin", SOCKET_STDIN, PORT_STDIN);
	if (r >= 0)
		r = push_port(&v, "stdout", SOCKET_STDOUT, PORT_STDOUT);
	if (r >= 0)
		r = push_port(&v, "stderr", SOCKET_STDERR, PORT_STDERR);
	if (r >= 0)
		r = push_port(&v, "status", SOCKET_STATUS, PORT_STATUS);
	if (r >= 0 && plan->attach)
		r = push_attach_port(&v);
	/* QMP, for what only QEMU can do: an NMI into a stuck guest, a dump of its memory. */
	if (r >= 0)
		r = strv_push(&v, "-chardev");
	if (r >= 0)
		r = strv_push(&v, "socket,id=qmp,path=" SOCKET_QMP);
	if (r >= 0)
		r = strv_push(&v, "-mon");
	if (r >= 0)
		r = strv_push(&v, "chardev=qmp,mode=control");
	if (r >= 0 && plan->tty) {
		r = strv_push(&v, "-chardev");
		if (r >= 0)
			r = strv_push(&v, "socket,id=tty,path=" SOCKET_TTY);
		if (r >= 0)
			r = strv_push(&v, "-device");
		if (r >= 0)
			r = strv_push(&v, "virtconsole,chardev=tty,name=quiz.tty");
	}
	/* Probed after the root disk and the profiles' disks (virt probes the last given first). */
	if (r >= 0 && plan->tree_image && a->root_disk_last)
		r = push_disk(&v, a, "tree", plan->tree_image, TREE_SERIAL);
	for (size_t i = 0; r >= 0 && i < plan->n_extra_args; i++)
		r = strv_push(&v, plan->extra_args[i]);
	if (r >= 0 && plan->tree_image && !a->root_disk_last)
		r = push_disk(&v, a, "tree", plan->tree_image, TREE_SERIAL);
	if (r >= 0 && a->root_disk_last)
		r = push_disk(&v, a, "root", plan->root_image,
			      NULL); /* after a profile's disks: it must be /dev/vda */
	if (r < 0)
		return r;
	*ret = v;
	v = (struct strv){0};
	return 0;
}

int shell_quote(const char *word, struct buf *out)
{
	if (word[0] && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_-+=/.,:@%") == strlen(word))
		return buf_puts(out, word);
	int r = buf_puts(out, "'");
	for (const char *p = word; r >= 0 && *p; p++)
		r = *p == '\'' ? buf_puts(out, "'\\''") : buf_append(out, p, 1);
	if (r >= 0)
		r = buf_puts(out, "'");
	return r;
}

size_t qemu_virtio_devices(const struct arch *a, char *const *argv)
{
	size_t n = 0, suffix = strlen(a->virtio_suffix);
	for (size_t i = 0; argv[i] && argv[i + 1]; i++) {
		if (!STREQ(argv[i], "-device") || strncmp(argv[i + 1], "virtio-", 7) != 0)
			continue;
		size_t len = strcspn(argv[i + 1], ",");
		n += len > suffix + 1 && argv[i + 1][len - suffix - 1] == '-' &&
		     strncmp(argv[i + 1] + len - suffix, a->virtio_suffix, suffix) == 0;
	}
	return n;
}
