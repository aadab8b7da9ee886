/* SPDX-License-Identifier: MIT */
/*
 * The decisions that make a run's exit status, each a pure function: what ended the VM's run
 * and what the kernel reported go in, quiz's exit status and what ended the run come out.
 * host/vm.c finds the facts, host/run.c asks here, host/outcome.c and host/verdict.c say why.
 */
/* Host half: host/run.c (the facts) and host/vm.c (the relay's stop). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "run_result.h"

/* What ended the VM's run, as the relay found it (one place: host/vm.c's vm_outcome_of). */
enum vm_outcome {
	VM_STATUS,	/* the guest reported "exit N" */
	VM_GUEST_ERROR, /* the guest reported "error MESSAGE" */
	VM_TIMEOUT,
	VM_SIGNALED,	 /* quiz got SIGINT/SIGTERM/SIGHUP */
	VM_NO_STATUS,	 /* QEMU ended (or could not start) without a status */
	VM_OUTPUT_ERROR, /* writing to quiz's stdout or stderr failed (not EPIPE: VM_SIGNALED) */
	VM_KVM_FAILED,	 /* QEMU said KVM cannot run the guest (message: its line); QEMU killed */
};

/* What the relay saw when it stopped; vm_outcome_of turns it into the outcome. */
enum vm_stop {
	VM_STOP_QEMU_GONE,     /* QEMU exited, or the status came and QEMU was let go */
	VM_STOP_SIGNAL,	       /* a stop signal came (while relaying, or writing the rest out) */
	VM_STOP_DEADLINE,      /* -t passed (while relaying, or writing the rest out) */
	VM_STOP_PANIC,	       /* the console showed a panic's end (--dump-on-panic) */
	VM_STOP_KVM_FAILED,    /* QEMU's log showed KVM stop the guest */
	VM_STOP_OUTPUT_FAILED, /* a write to quiz's stdout or stderr failed */
};

struct vm_stop_facts {
	enum vm_stop stop;
	bool hang_steps;    /* past -t, the guest was asked to show its hang (sysrq, NMI) */
	bool output_broken; /* EPIPE on stdout or stderr: the reader left */
	bool status_line;   /* the guest's status line came whole and parsed */
	bool guest_error;   /* ... and it was an "error MESSAGE" */
};
/* What ended the run: the one place it is decided. Pure. */
enum vm_outcome vm_outcome_of(const struct vm_stop_facts *f);

/* What the run's end and its kernel's verdict came to. */
struct run_facts {
	enum vm_outcome outcome;
	int exit_code;	      /* VM_STATUS: the program's */
	int signal;	      /* VM_SIGNALED: which */
	bool panicked;	      /* the kernel's reports include a panic */
	size_t reports_shown; /* reports no allow pattern let pass */
	enum splat_mode splat;
	bool console_failed; /* console.log could not be written whole */
};

/*
 * quiz's exit status and what ended the run: the program's status; 128+S when quiz was
 * stopped by S; 124 past -t; 125 when the VM or quiz failed (a panic, no status, a guest's
 * error, KVM, a failed output, a console.log that could not be kept); EXIT_SPLAT when the
 * program passed and the kernel reported what no allow pattern lets pass, under --splat=fail.
 * Pure; fills *ret's end, exit_status, program_status, signal and splat_failed.
 */
void run_decide(const struct run_facts *f, struct run_result *ret);
