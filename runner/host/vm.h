/* SPDX-License-Identifier: MIT */
/* Starting QEMU and relaying stdio, console and status between it and the host until it ends. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "buf.h"
#include "run_decision.h"
#include "splat.h"
#include "vmstate.h"

/* A run past its -t: how the guest came to show what it was doing. */
enum vm_hang {
	VM_HANG_NONE,	/* not past -t */
	VM_HANG_SHOWN,	/* the guest showed its blocked tasks and CPUs (sysrq w and l) */
	VM_HANG_NMI,	/* it did not answer: an NMI made it panic with its stuck CPU's trace */
	VM_HANG_SILENT, /* neither worked */
};

struct vm_result {
	enum vm_outcome outcome;
	int exit_code;	  /* VM_STATUS: the program's status */
	int signal;	  /* VM_SIGNALED: which */
	char *message;	  /* VM_GUEST_ERROR: the guest's words; VM_KVM_FAILED: QEMU's */
	int output_error; /* VM_OUTPUT_ERROR: -errno */
	int output_fd;	  /* VM_OUTPUT_ERROR: 1 or 2 */
	int qemu_status;  /* waitpid status of QEMU, -1 if unknown */
	char *timeline;	  /* the guest's " stage=ms ..." (uptime), NULL if none came */
	enum vm_hang hang;
	/* --dump or --dump-on-panic: the file, when one was attempted; 0 or -errno, QMP's words. */
	const char *dump_file;
	int dump_status;
	char *dump_error;
	/* The park point: the guest went on past it; VM_PARK_SAVE: the state is saved (0), or
	 * -errno with QEMU's words, and how long that took. */
	bool resumed;
	bool restored; /* it started from a saved state (VM_PARK_RESTORE, and it resumed) */
	bool save_tried;
	int save_status;
	char *save_error;
	long long save_ms;
	unsigned long long console_at_save; /* console bytes before the park point */
	/* The console: every kernel report in it (all of it, whatever console.log kept), bytes
	 * console.log left out past its cap, and 0 or -errno when console.log is not whole. */
	struct splat_list splats;
	/* The loader's "NAME: cannot open shared object file" names on the program's stderr. */
	struct strv loader_libs;
	unsigned long long console_cut;
	int console_error;
	/* Host clock (CLOCK_MONOTONIC ms) at: QEMU forked, first console byte, status, QEMU gone.
	 */
	long long at_qemu, at_console, at_status, at_exit;
};

long long now_ms(void);

struct vm_options {
	int run_dir_fd;		/* sockets and logs live here; QEMU runs in it */
	char *const *argv;	/* QEMU argv */
	unsigned timeout_s;	/* 0 = none */
	bool verbose;		/* console to stderr as well */
	bool tty;		/* tmux mode: host terminal <-> the guest's hvc0, raw */
	bool watch_kvm;		/* under KVM: QEMU's "KVM internal error" (guest stopped) ends it */
	bool nmi;		/* past -t, a silent guest gets an NMI (arch nmi_backtrace) */
	const char *dump;	/* --dump: absolute path of the memory dump at the run's end */
	const char *panic_dump; /* --dump-on-panic: the same, when the guest panics (panic=0) */
	enum vm_park park;
	/* VM_PARK_SAVE: the file QEMU writes the state into (handed over QMP); VM_PARK_RESTORE:
	 * the state, QEMU's VMSTATE_INCOMING_FD. Unused with VM_PARK_GO. */
	int state_fd;
	const char *console_saved; /* VM_PARK_RESTORE: the saving boot's console, replayed */
	size_t console_saved_len;
};

/* Boots and relays until the end; QEMU is gone when this returns (also on error: -errno). */
int vm_run(const struct vm_options *o, struct vm_result *ret);
void vm_result_free(struct vm_result *r);
