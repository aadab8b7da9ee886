/* SPDX-License-Identifier: MIT */
/* The same run on many kernels (or a targets file): parallel runs, grouped output, reports. */
#pragma once

#include <stdbool.h>

#include "buf.h"
#include "options.h"
#include "run.h"
#include "suite.h"
#include "targets.h"

/* One matrix entry: a name for the reports and the options its run uses. */
struct matrix_entry {
	char *name;
	struct quiz_options options; /* a shallow copy; kernel, program, profiles may differ */
	struct strv owned;	     /* strings the copy points to */
	bool owns_profiles;	     /* options.profiles is the entry's own (targets) */
	const char *report_kernel;   /* the release for the reports when options.kernel is not */
	const char *report_arch;     /* the architecture the reports name; NULL: none */
	struct strv report_profiles; /* its profiles as -p values, one a profile (JSON reports) */
	/* --each: one test of a suite on one target (each.c). */
	const char *target;		   /* the target's name; NULL: a whole run */
	char *folder;			   /* TARGET/TESTFOLDER under --results; NULL: name */
	enum suite_kind suite;		   /* how its result is read */
	const struct known_failure *known; /* --known-failures' line for it; NULL: none */
	bool own_share;			   /* /shared is its own folder, FOLDER/shared */
	struct strv program, env;	   /* its own argv and (fstests) environment */
	struct strv list_cmd;		   /* a target's list = ...: its --each list command */
};

/* Runs every entry (up to jobs at once: run_program in a child process with stdio captured,
 * its typed result handed back in a file), prints each entry's output grouped in entry order,
 * then the table (or TAP); writes the JUnit file and the results folder when asked. Images and
 * accelerators are prepared once per architecture first. Returns the matrix's exit status. */
int matrix_run(struct matrix_entry *entries, size_t n, const struct quiz_options *o,
	       const struct run_context *c);

/* Entries for a -k list (one for a single -k or -K: a report of one run), or for a targets
 * file (filtered). Logs its errors. */
int matrix_from_kernels(const struct quiz_options *o, const char *home, struct matrix_entry **ret,
			size_t *ret_n);
int matrix_from_targets(const struct quiz_options *o, const char *home, struct matrix_entry **ret,
			size_t *ret_n);
/* --list: the entries, one a line ("NAME KERNEL ARCH PROFILES"), or as JSON with --json
 * (report_targets_json). Returns the exit status. */
int matrix_list(struct matrix_entry *entries, size_t n, const struct quiz_options *o);
void matrix_entries_free(struct matrix_entry *e, size_t n);

/* Keeps the entries of --shard's slice (shard_takes), in order, freeing the others; returns
 * how many are kept. */
size_t matrix_entries_shard(struct matrix_entry *entries, size_t n, const struct quiz_options *o);

/* One entry's own memory freed (matrix_entries_free does it for each). */
void matrix_entry_clear(struct matrix_entry *e);

/* --each: the tests of each target's suite (its list command run in a guest, or
 * --rerun-failed's names), an entry each, in order, sharded by --shard. The entries borrow
 * the targets' strings and known's lines: free them after the entries. Logs its errors;
 * -EINTR when a stop signal (in *ret_signal) stopped a list command. (each.c) */
int matrix_each(const struct quiz_options *o, const struct run_context *c,
		struct matrix_entry *targets, size_t n_targets, const struct known_failures *known,
		struct matrix_entry **ret, size_t *ret_n, int *ret_signal);
/* --merge DIR...: one report of earlier --results folders; runs nothing. Returns the exit
 * status the merged runs give. (matrix_report.c) */
int matrix_merge(const struct quiz_options *o);
