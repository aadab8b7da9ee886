/* SPDX-License-Identifier: MIT */
/* The same run on many kernels (or a targets file): parallel runs, grouped output, reports. */
#pragma once

#include <stdbool.h>

#include "buf.h"
#include "options.h"
#include "run.h"
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
