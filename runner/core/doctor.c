/* SPDX-License-Identifier: MIT */
/* quiz --doctor's verdict lines, from the facts gathered about the host. Pure. */
#include "doctor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct tally {
	unsigned problems, notes;
};

static int line(struct buf *out, struct tally *t, const char *level, const char *what,
		const char *fmt, ...) _printf_(5, 6);
static int line(struct buf *out, struct tally *t, const char *level, const char *what,
		const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	t->problems += STREQ(level, "problem");
	t->notes += STREQ(level, "note");
	return buf_printf(out, "%-8s%s: %s\n", level, what, text);
}

static int report_qemu(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	if (!f->qemu_path)
		return line(out, t, "problem", "QEMU",
			    "%s not found; install it: sudo apt-get install %s", f->qemu,
			    f->qemu_package ? f->qemu_package : "qemu-system-x86");
	int r = line(out, t, "ok", "QEMU", "%s (%s)",
		     f->qemu_version ? f->qemu_version : "version unknown", f->qemu_path);
	if (r >= 0 && f->qemu_user_net == 0)
		r = line(out, t, "note", "network",
			 "this QEMU has no user-mode networking (-netdev user, libslirp): -p net "
			 "works only with mode=join or mode=loop; Debian's %s has it",
			 f->qemu_package ? f->qemu_package : "qemu-system-x86");
	else if (r >= 0 && f->qemu_user_net > 0)
		r = line(out, t, "ok", "network", "QEMU has user-mode networking (-p net)");
	return r;
}

static int report_kvm(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	const char *dev = f->kvm_device ? f->kvm_device : "/dev/kvm";
	if (f->kvm == KVM_OPENS)
		return line(out, t, "ok", "KVM device", "%s opens", dev);
	if (f->kvm == KVM_ABSENT)
		return line(out, t, "note", "KVM device",
			    "%s: %s (no hardware virtualization for this host); runs use TCG, "
			    "several times slower",
			    dev, strerror(f->kvm_errno));
	if (!f->kvm_group_rw)
		return line(
			out, t, "note", "KVM device",
			"%s: %s; runs use TCG; it is root's alone: to use KVM, let group kvm open "
			"it (sudo chown root:kvm %s; sudo chmod 660 %s) and join that group "
			"(sudo adduser %s kvm, then log in again)",
			dev, strerror(f->kvm_errno), dev, dev, f->user ? f->user : "$USER");
	if (f->kvm_group_listed && !f->kvm_group_session)
		return line(out, t, "note", "KVM device",
			    "%s: %s; %s is in its group, but not in this session yet: log out "
			    "and in again (or run: newgrp kvm)",
			    dev, strerror(f->kvm_errno), f->user ? f->user : "you");
	return line(out, t, "note", "KVM device",
		    "%s: %s; runs use TCG; to use KVM: sudo adduser %s %s, then log in again", dev,
		    strerror(f->kvm_errno), f->user ? f->user : "$USER",
		    f->kvm_group ? f->kvm_group : "kvm");
}

static int report_accel(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	if (f->accel_failed)
		return line(out, t, "problem", "accelerator", "%s", f->accel_why);
	if (!f->accel_known)
		return line(out, t, "note", "accelerator", "%s",
			    f->accel_why ? f->accel_why : "unknown until a kernel is built");
	if (f->accel == ACCEL_KVM)
		return line(out, t, "ok", "accelerator", "kvm: %s", f->accel_why);
	/* TCG is a note when KVM could be there; with no /dev/kvm the device line said it. */
	bool expected = f->kvm == KVM_ABSENT || (f->accel_mode && STREQ(f->accel_mode, "tcg"));
	return line(out, t, expected ? "ok" : "note", "accelerator", "tcg: %s%s", f->accel_why,
		    expected ? "" : "; QUIZ_ACCEL=kvm forces KVM");
}

static int report_kernels(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	if (!f->kernels.len)
		return line(out, t, "problem", "kernels",
			    "none built in %s; build one: quiz-kernel build%s%s 6.1",
			    f->kernels_dir, f->foreign ? " -a " : "", f->foreign ? f->arch : "");
	_cleanup_buf_ struct buf names = {0};
	for (size_t i = 0; i < f->kernels.len; i++)
		if (buf_printf(&names, "%s%s", i ? ", " : "", f->kernels.items[i]) < 0)
			return -ENOMEM;
	return line(out, t, "ok", "kernels", "%s (in %s)", names.data, f->kernels_dir);
}

static int report_image(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	int r;
	if (f->image)
		r = line(out, t, "ok", "image", "%s (%llu MiB)", f->image, f->image_bytes >> 20);
	else if (f->image_builder_ok)
		r = line(out, t, "problem", "image", "none yet; build it: quiz-image build%s%s",
			 f->foreign ? " -a " : "", f->foreign ? f->arch : "");
	else
		r = line(out, t, "problem", "image",
			 "none yet, and quiz-image build cannot work: %s",
			 f->image_builder_why ? f->image_builder_why : "unknown reason");
	if (r >= 0 && f->image && !f->image_builder_ok)
		r = line(out, t, "note", "image builder", "quiz-image build would fail: %s",
			 f->image_builder_why ? f->image_builder_why : "unknown reason");
	return r;
}

static int report_cache(const struct doctor_facts *f, struct buf *out, struct tally *t)
{
	if (!f->home_writable)
		return line(out, t, "problem", "cache",
			    "%s: not writable: %s; set QUIZ_HOME to a folder you own", f->home,
			    strerror(f->home_errno));
	double gib = (double)f->home_free_bytes / (1 << 30);
	if (f->home_free_bytes < DOCTOR_FREE_MIN)
		return line(out, t, "note", "cache",
			    "%s: %.1f GiB free; a kernel build needs about %llu GiB", f->home, gib,
			    DOCTOR_FREE_MIN >> 30);
	return line(out, t, "ok", "cache", "%s: %.1f GiB free", f->home, gib);
}

int doctor_report(const struct doctor_facts *f, struct buf *dst)
{
	_cleanup_buf_ struct buf out = {0};
	struct tally t = {0};
	int r = report_qemu(f, &out, &t);
	if (r >= 0)
		r = report_kvm(f, &out, &t);
	if (r >= 0)
		r = report_accel(f, &out, &t);
	if (r >= 0)
		r = report_kernels(f, &out, &t);
	if (r >= 0)
		r = report_image(f, &out, &t);
	if (r >= 0)
		r = report_cache(f, &out, &t);
	if (r >= 0 && t.problems)
		r = buf_printf(&out, "%u problem%s: a run cannot work until %s fixed\n", t.problems,
			       t.problems == 1 ? "" : "s", t.problems == 1 ? "it is" : "they are");
	else if (r >= 0)
		r = buf_printf(&out, "a run can work here%s\n",
			       t.notes ? " (see the notes above)" : "");
	if (r >= 0)
		r = buf_append(dst, out.data, out.len);
	return r < 0 ? r : t.problems ? 1 : 0;
}
