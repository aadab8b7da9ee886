/* SPDX-License-Identifier: MIT */
/* quiz --doctor's verdict lines and exit status, for healthy and broken hosts. */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "tap.h"

static struct doctor_facts healthy(void)
{
	static char *kernels[] = {"6.1.192", "6.12.48", NULL};
	return (struct doctor_facts){
		.qemu = "qemu-system-x86_64",
		.qemu_path = "/usr/bin/qemu-system-x86_64",
		.qemu_version = "QEMU emulator version 7.2.22",
		.qemu_user_net = 1,
		.kvm_device = "/dev/kvm",
		.kvm = KVM_OPENS,
		.accel_known = true,
		.accel = ACCEL_KVM,
		.accel_why = "KVM booted the probe in 140 ms (probed now)",
		.user = "ann",
		.kernels_dir = "/h/kernels/x86_64",
		.kernels = {.items = kernels, .len = 2},
		.image = "/h/images/bookworm.ext2",
		.image_bytes = 270ULL << 20,
		.image_builder_ok = true,
		.home = "/h",
		.home_writable = true,
		.home_free_bytes = 80ULL << 30,
	};
}

static int report(const struct doctor_facts *f, struct buf *out)
{
	*out = (struct buf){0};
	return doctor_report(f, out);
}

static void test_healthy(void)
{
	struct doctor_facts f = healthy();
	_cleanup_buf_ struct buf out = {0};
	CHECK(report(&f, &out) == 0, "a healthy host: exit 0");
	CHECK_STR(out.data,
		  "ok      QEMU: QEMU emulator version 7.2.22 (/usr/bin/qemu-system-x86_64)\n"
		  "ok      network: QEMU has user-mode networking (-p net)\n"
		  "ok      KVM device: /dev/kvm opens\n"
		  "ok      accelerator: kvm: KVM booted the probe in 140 ms (probed now)\n"
		  "ok      kernels: 6.1.192, 6.12.48 (in /h/kernels/x86_64)\n"
		  "ok      image: /h/images/bookworm.ext2 (270 MiB)\n"
		  "ok      cache: /h: 80.0 GiB free\n"
		  "a run can work here\n",
		  "every line ok, the probe's time shown");
}

static void test_no_user_net(void)
{
	struct doctor_facts f = healthy();
	f.qemu_user_net = 0;
	_cleanup_buf_ struct buf out = {0};
	CHECK(report(&f, &out) == 0, "QEMU without user networking: runs work, exit 0");
	CHECK(strstr(out.data, "note    network: this QEMU has no user-mode networking (-netdev "
			       "user, libslirp): -p net works only with mode=join or mode=loop; "
			       "Debian's qemu-system-x86 has it\n") != NULL,
	      "a note says -p net's user mode cannot work, and where it can");
	f.qemu_user_net = -1;
	buf_free(&out);
	CHECK(report(&f, &out) == 0 && !strstr(out.data, "network:"),
	      "a QEMU that did not list its back ends: no network line");
}

static void test_broken_kvm(void)
{
	struct doctor_facts f = healthy();
	f.accel = ACCEL_TCG;
	f.accel_why = "KVM failed a probe boot on this host: QEMU aborted: failed to set MSR";
	_cleanup_buf_ struct buf out = {0};
	CHECK(report(&f, &out) == 0, "a broken KVM still lets runs work (TCG): exit 0");
	CHECK(strstr(out.data,
		     "note    accelerator: tcg: KVM failed a probe boot on this host: "
		     "QEMU aborted: failed to set MSR; QUIZ_ACCEL=kvm forces KVM\n") != NULL,
	      "a note with the reason and the override");
	CHECK(strstr(out.data, "a run can work here (see the notes above)\n") != NULL,
	      "the summary points at the notes");
}

static void test_no_kvm(void)
{
	struct doctor_facts f = healthy();
	f.kvm = KVM_ABSENT;
	f.kvm_errno = ENOENT;
	f.accel = ACCEL_TCG;
	f.accel_why = "no KVM on this host (/dev/kvm: No such file or directory)";
	_cleanup_buf_ struct buf out = {0};
	CHECK(report(&f, &out) == 0, "no /dev/kvm: exit 0");
	CHECK(strstr(out.data, "note    KVM device: /dev/kvm: No such file or directory (no "
			       "hardware virtualization for this host); runs use TCG") != NULL,
	      "a note on the device");
	CHECK(strstr(out.data, "ok      accelerator: tcg: no KVM") != NULL,
	      "TCG is what such a host has: ok");
}

static void test_denied(void)
{
	struct doctor_facts f = healthy();
	f.kvm = KVM_DENIED;
	f.kvm_errno = EACCES;
	f.kvm_group = "kvm";
	f.kvm_group_rw = true;
	f.accel = ACCEL_TCG;
	f.accel_why = "/dev/kvm is there but this user may not open it";
	_cleanup_buf_ struct buf a = {0}, b = {0};
	CHECK(report(&f, &a) == 0, "a /dev/kvm the user may not open: exit 0");
	CHECK(strstr(a.data, "/dev/kvm: Permission denied; runs use TCG; to use KVM: sudo adduser "
			     "ann kvm, then log in again\n") != NULL,
	      "the fix names the user and the group");
	f.kvm_group_listed = true;
	CHECK(report(&f, &b) == 0 && strstr(b.data, "ann is in its group, but not in this session "
						    "yet: log out and in again"),
	      "in the group but not in the session: log in again");
	_cleanup_buf_ struct buf c = {0};
	f.kvm_group = "root";
	f.kvm_group_rw = false;
	f.kvm_group_listed = false;
	CHECK(report(&f, &c) == 0 && strstr(c.data, "/dev/kvm: Permission denied; runs use TCG; it "
						    "is root's alone: to use KVM, let group kvm "
						    "open it (sudo chown root:kvm /dev/kvm; sudo "
						    "chmod 660 /dev/kvm) and join that group (sudo "
						    "adduser ann kvm, then log in again)\n"),
	      "a device of root's alone: the group gets it first");
}

static void test_problems(void)
{
	struct doctor_facts f = healthy();
	f.qemu_path = NULL;
	f.kernels = (struct strv){0};
	f.image = NULL;
	f.home_writable = false;
	f.home_errno = EACCES;
	_cleanup_buf_ struct buf out = {0};
	CHECK(report(&f, &out) == 1, "missing QEMU, kernel, image, cache: exit 1");
	CHECK(strstr(out.data, "problem QEMU: qemu-system-x86_64 not found; install it: sudo "
			       "apt-get install qemu-system-x86\n") != NULL,
	      "QEMU: the package to install");
	CHECK(strstr(out.data, "problem kernels: none built in /h/kernels/x86_64; build one: "
			       "quiz-kernel build 6.1\n") != NULL,
	      "kernels: the command that builds one");
	CHECK(strstr(out.data, "problem image: none yet; build it: quiz-image build\n") != NULL,
	      "image: the command that builds it");
	CHECK(strstr(out.data, "problem cache: /h: not writable: Permission denied; set QUIZ_HOME "
			       "to a folder you own\n") != NULL,
	      "cache: QUIZ_HOME");
	CHECK(strstr(out.data, "4 problems: a run cannot work until they are fixed\n") != NULL,
	      "the summary counts them");

	struct doctor_facts g = healthy();
	g.image = NULL;
	g.image_builder_ok = false;
	g.image_builder_why = "mmdebstrap is missing; install it: sudo apt-get install mmdebstrap";
	_cleanup_buf_ struct buf o2 = {0};
	CHECK(report(&g, &o2) == 1 &&
		      strstr(o2.data, "problem image: none yet, and quiz-image build cannot work: "
				      "mmdebstrap is missing; install it"),
	      "no image and no way to build one: says why");
	CHECK(strstr(o2.data, "1 problem: a run cannot work until it is fixed\n") != NULL,
	      "one problem, singular");

	struct doctor_facts h = healthy();
	h.accel_failed = true;
	h.accel_why = "QUIZ_ACCEL=kvm, but /dev/kvm cannot be opened: No such file or directory";
	_cleanup_buf_ struct buf o3 = {0};
	CHECK(report(&h, &o3) == 1 && strstr(o3.data, "problem accelerator: QUIZ_ACCEL=kvm"),
	      "QUIZ_ACCEL=kvm without KVM is a problem");

	struct doctor_facts l = healthy();
	l.home_free_bytes = 1ULL << 30;
	_cleanup_buf_ struct buf o4 = {0};
	CHECK(report(&l, &o4) == 0 &&
		      strstr(o4.data,
			     "note    cache: /h: 1.0 GiB free; a kernel build needs about 4 "
			     "GiB\n"),
	      "little free space: a note with the need");
}

int main(void)
{
	test_healthy();
	test_no_user_net();
	test_broken_kvm();
	test_no_kvm();
	test_denied();
	test_problems();
	return tap_done();
}
