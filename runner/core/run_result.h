/* SPDX-License-Identifier: MIT */
/*
 * What one run came to, typed: what ended it, quiz's exit status and the program's, how a hang
 * was shown, the kernel's reports, whether it started from a saved state. A run returns it; a
 * matrix's child hands it to its parent in a file (run_result_encode/decode), and the reports
 * (table, TAP, JUnit, JSON) take their verdicts from it: nothing is read back out of the words
 * quiz prints. Pure.
 */
/* Host half: host/run.c (made) and host/matrix.c (handed over). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "splat.h"

enum run_end {
	RUN_END_PROGRAM,  /* the program ended in the guest: program_status is its status */
	RUN_END_TIMEOUT,  /* the run passed -t */
	RUN_END_PANIC,	  /* the guest kernel panicked */
	RUN_END_SIGNALED, /* quiz was stopped by a signal (signal) */
	RUN_END_FAILED,	  /* quiz, QEMU or the guest failed otherwise (bad input included) */
};

/* Past -t, how the guest came to show what it was doing (as vm.h's enum vm_hang). */
enum run_hang { RUN_HANG_NONE, RUN_HANG_SHOWN, RUN_HANG_NMI, RUN_HANG_SILENT };

struct run_report {
	enum splat_kind kind;
	bool allowed; /* an allow pattern let it pass */
	char *title;  /* the kernel's first line of it, as splat.h gives it */
};

struct run_result {
	enum run_end end;
	int exit_status;    /* quiz's */
	int program_status; /* RUN_END_PROGRAM: the program's (0..255, 128+S); else -1 */
	int signal;	    /* RUN_END_SIGNALED: which */
	enum run_hang hang;
	bool splat_failed; /* the program passed, a report did not (exit_status EXIT_SPLAT) */
	struct run_report *reports;
	size_t n_reports;
	bool restored;	   /* it started from a saved VM state */
	char *cold_reason; /* it booted cold: why (NULL when restored or unknown) */
};

/* A result for a run that failed before it booted: RUN_END_FAILED, exit_status status. */
void run_result_failed(struct run_result *r, int status);
/* Appends a report; 0 or -ENOMEM. */
int run_result_add_report(struct run_result *r, enum splat_kind kind, bool allowed,
			  const char *title);

/* "program", "timeout", "panic", "signaled", "failed". */
const char *run_end_name(enum run_end end);

/*
 * r as lines of KEY=VALUE (a title's or reason's backslash, tab and newline escaped), into *ret
 * (a fresh buffer, untouched on failure); run_result_decode reads them back into *ret (zeroed
 * first; untouched on failure): -EINVAL on an unknown key, a missing end or exit, a value out of
 * range; -ENOMEM.
 */
int run_result_encode(const struct run_result *r, struct buf *ret);
int run_result_decode(const char *data, size_t len, struct run_result *ret);

void run_result_free(struct run_result *r);
