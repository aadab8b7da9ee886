/* SPDX-License-Identifier: MIT */
/* quiz --doctor: what a first run needs from this host, each problem with its fix. */
/* Host half: host/doctor_host.c. */
#pragma once

#include <stdbool.h>

#include "accel.h"
#include "buf.h"

/* What doctor_gather found; doctor_report turns it into lines. */
struct doctor_facts {
	const char *arch;	  /* the guest architecture checked for */
	bool foreign;		  /* not the host's: its commands take -a */
	const char *qemu;	  /* the binary quiz runs (name or path) */
	const char *qemu_package; /* the Debian package that has it */
	char *qemu_path;	  /* where it is; NULL: not found */
	char *qemu_version;	  /* first line of its --version; NULL if it did not say */
	int qemu_user_net;	  /* it has -netdev user (-p net's default): 1, 0, -1 unknown */
	const char *kvm_device;
	enum kvm_access kvm;
	int kvm_errno;		/* why it did not open */
	const char *kvm_group;	/* the device's group, NULL when unknown */
	bool kvm_group_rw;	/* ... which may open it */
	bool kvm_group_listed;	/* the user is in the device's group in /etc/group */
	bool kvm_group_session; /* ... and in this session's groups */
	const char *accel_mode; /* QUIZ_ACCEL, NULL when unset */
	bool accel_known;	/* a verdict (or a choice) was made */
	bool accel_failed;	/* QUIZ_ACCEL cannot be honoured: accel_why says why */
	enum accel accel;	/* what runs will use */
	char *accel_why;	/* why, in one line */
	char *user;		/* for the hints */
	char *kernels_dir;
	struct strv kernels; /* releases built */
	char *image;	     /* the image runs boot; NULL: none */
	unsigned long long image_bytes;
	bool image_builder_ok; /* quiz-image build can work here */
	char *image_builder_why;
	char *home;
	bool home_writable;
	int home_errno;
	unsigned long long home_free_bytes;
};

/* Below this, a kernel build (sources, objects, the kernel) may not fit. */
#define DOCTOR_FREE_MIN (4ULL << 30)

/*
 * One line per check: "ok      WHAT: ...", "note    WHAT: ..." (runs work, but see this) or
 * "problem WHAT: ...; FIX", then a summary line. Returns 0 when a run can work, 1 when it
 * cannot, -ENOMEM. Pure.
 */
int doctor_report(const struct doctor_facts *f, struct buf *out);

/* Gather the facts of this host (runs a probe boot when KVM opens and a kernel is there). */
int doctor_gather(const char *home, const char *scripts_dir, const struct arch *a,
		  struct doctor_facts *ret);
void doctor_facts_free(struct doctor_facts *f);
