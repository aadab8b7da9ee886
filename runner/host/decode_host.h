/* SPDX-License-Identifier: MIT */
/* A kernel report's frames placed in their source: file:line from the booted kernel's objects. */
#pragma once

#include "buf.h"
#include "kernel_host.h"

/*
 * text (a report's lines, guest bytes) into out: each line as it is, and after a frame of the
 * kernel's grammar (decode.h) whose object has DWARF, " (file:line)" (several places for an
 * inlined frame: "(a.h:13 b.c:45)"). The kernel's frames are found in its System.map (or nm's
 * view of its vmlinux), a module's in nm's view of NAME.ko under system_dir (may be NULL) or
 * the kernel's layer; addr2line places them. Nothing of the guest's reaches those tools but
 * addresses quiz formatted; they run with plain argv, killed after 60 s in all, at limits'
 * deadline or as soon as its stop_fd is readable (the frames left then go undecoded). A line
 * that is no frame, a Code: line, a frame not found: as it is. 0, or -ENOMEM.
 */
struct decode_limits {
	int stop_fd;	    /* readable when the decoding is to stop at once (a stop signal); -1 */
	long long deadline; /* now_ms() past which it stops (the run's -t); 0: none but its own */
};
int decode_report(const struct kernel *k, const char *system_dir, const char *text,
		  const struct decode_limits *limits, struct buf *out);
