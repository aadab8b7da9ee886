/* SPDX-License-Identifier: MIT */
/*
 * A running run's info file (RUN_INFO_FILE in its folder), for quiz --ps and --attach: who runs
 * it, since when, on what, running what. Records as the contract's (contract.h: "key=value",
 * each NUL-terminated), so no value needs escaping. Pure: no I/O.
 */
/* Host half: host/run_info_host.c (written at the run's start, read by --ps and --attach). */
#pragma once

#include "buf.h"

#define RUN_INFO_FILE "info"
/* Beside it: held (flock) by the one quiz --attach of the run. */
#define RUN_ATTACH_LOCK "attach.lock"

struct run_info {
	long long pid;	   /* the quiz that runs it */
	long long started; /* seconds since the epoch */
	char *arch;	   /* the guest's architecture */
	char *kernel;	   /* the kernel's release */
	char *command;	   /* the program's words, shell-quoted and joined; "": a shell */
};

/* The file's bytes for info, into *ret (a fresh buffer); -EINVAL where a value holds a NUL. */
int run_info_format(const struct run_info *info, struct buf *ret);
/* The program's words, shell-quoted, joined with blanks, into *ret (a fresh string). */
int run_info_command(char *const *program, char **ret);
/*
 * A file's bytes (not modified) into *ret (run_info_free it; untouched on failure). -EINVAL on
 * a malformed record, a pid or start time that is no whole number, a missing key; unknown
 * keys (a later quiz's) are skipped.
 */
int run_info_parse(const char *data, size_t size, struct run_info *ret);
void run_info_free(struct run_info *info);

/*
 * Text from a run's folder (a command is the user's, the rest came from a file) as one line of
 * a terminal: safe_text's escapes, and newline and tab as \x0a and \x09 too.
 */
int run_info_escape(const char *s, struct buf *out);
