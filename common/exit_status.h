/* SPDX-License-Identifier: MIT */
/*
 * The exit statuses quiz gives, on both sides of the VM: the program's own (0-255), else one
 * of these. The same as a shell's where a shell has one (126, 127, 128+S), none of the values
 * git bisect run treats specially (125 skips: quiz cannot tell) unless meant.
 */
#pragma once

/* quiz --attach: the run has an attached session already (sysexits' EX_TEMPFAIL: try later). */
#define EXIT_ATTACH_BUSY 75
#define EXIT_SPLAT 123		/* the program passed, the kernel reported a splat */
#define EXIT_TIMEOUT 124	/* -t ran out (as timeout(1)) */
#define EXIT_QUIZ_FAILED 125	/* quiz, QEMU or the guest's set-up failed: stderr says which */
#define EXIT_CANNOT_EXECUTE 126 /* the program is there but cannot be run */
#define EXIT_NOT_FOUND 127	/* the program is not there */
#define EXIT_SIGNALED 128	/* + the signal's number: killed by it */
