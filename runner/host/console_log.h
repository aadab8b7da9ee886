/* SPDX-License-Identifier: MIT */
/*
 * The guest's console as it comes: kept in the run's console.log within a cap (its first and
 * last CONSOLE_LOG_PART bytes, the cut said in the file), scanned whole for kernel reports as a
 * stream, its last bytes at hand for the relay's checks. A guest may write without end: memory
 * and the file stay bounded, and no report is missed for it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "splat.h"

#define CONSOLE_LOG_PART (4ULL << 20)

struct console_log {
	int fd;			  /* console.log, -1 when closed */
	unsigned long long seen;  /* bytes the guest wrote */
	unsigned long long head;  /* of them, written to the file from its start */
	struct buf tail;	  /* past the head: the latest bytes (at most twice the part) */
	int error;		  /* -errno of a write that failed: the file is not whole */
	struct splat_stream scan; /* every report, whatever the file keeps */
	struct buf recent;	  /* the last bytes, where the relay looks for a panic's end */
};
#define CONSOLE_LOG_INIT                                                                           \
	{                                                                                          \
		.fd = -1                                                                           \
	}

/* Creates console.log in the run directory, anew. 0 or -errno. */
int console_log_open(struct console_log *c, int run_dir_fd);
/* What the guest wrote next; a failed write is kept in c->error, a full memory ends the scan. */
void console_log_add(struct console_log *c, const char *data, size_t len);
/* Did the last bytes hold needle? */
bool console_log_seen(const struct console_log *c, const char *needle);
/*
 * Ends the file: past the cap, a line saying how much was cut, then the tail. *ret_splats: every
 * report the console held; *ret_cut: bytes left out of the file. 0, or -errno when the file
 * could not be kept (c->error, or the last writes), or -ENOMEM from the scan.
 */
int console_log_close(struct console_log *c, struct splat_list *ret_splats,
		      unsigned long long *ret_cut);
void console_log_free(struct console_log *c);
