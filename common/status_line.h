/* SPDX-License-Identifier: MIT */
/*
 * The status line, guest→host on the status port: "exit N out=BYTES err=BYTES" or
 * "error MESSAGE out=BYTES err=BYTES". The counts are what the guest wrote on the program's
 * stdout and stderr ports: quiz answers once it has them all (see runner/host/vm.c).
 */
#pragma once

#include <stdbool.h>

#include "buf.h"

struct status_line {
	bool error;	     /* "error MESSAGE": the run failed around the program (exit 125) */
	int exit_code;	     /* !error: the program's status, 0-255 */
	const char *message; /* error: one line */
	bool counted;	     /* the counts were there (a guest before them sent none) */
	unsigned long long out, err;
};

/* The line, with its newline; a message's own newlines become blanks. -EINVAL: a code out of
 * range. */
int status_line_format(const struct status_line *s, struct buf *out);
/* Does this line (up to its newline) say the status, rather than something before it? */
bool status_line_is(const char *line);
/* Does text (host→guest or guest→host lines, each ending in '\n') hold this whole line? */
bool status_text_has_line(const char *text, const char *line);
/* The park point's go line (contract.h STATUS_GO): the host's clock and its seed, as hex. */
int status_go_format(long long sec, long nsec, const unsigned char *seed, size_t n,
		     struct buf *out);
/* Parse one (no newline): the clock, and exactly n bytes of seed. -EINVAL when it is not one. */
int status_go_parse(const char *line, long long *ret_sec, long *ret_nsec, unsigned char *seed,
		    size_t n);

/*
 * Parse one line (no newline; modified in place: the message ends where the counts begin, and
 * ret->message points into it). -EINVAL when it is no status line or its code is not 0-255.
 */
int status_line_parse(char *line, struct status_line *ret);
