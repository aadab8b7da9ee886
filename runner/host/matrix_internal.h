/* SPDX-License-Identifier: MIT */
/* What matrix.c, matrix_run.c, matrix_report.c and each.c share. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "matrix.h"
#include "report.h"
#include "run_result.h"

/* One entry's runs: the one running or the last one that ended. */
struct slot {
	pid_t pid;
	bool done;    /* its last run ended, and no other is due */
	bool running; /* a run of it is under way */
	int status;
	long long started, ended;
	char *dir; /* where its stdout, stderr and console.log are captured */
	bool has_result;
	struct run_result result; /* what the child's run came to (RESULT_FILE) */
	/* --each: what its runs came to so far. */
	unsigned attempts;
	enum result_kind kind; /* the last run's (judge_attempt) */
	int exit_code;
	enum result_kind first_kind;
	int first_exit_code;
};

/* The child's typed result, for its parent (run_result.h's codec): the verdicts come from it. */
#define RESULT_FILE "run.result"

/* The most of one run's stdout, stderr or console a matrix holds (and writes into JUnit). */
#define MATRIX_TEXT_MAX (1 << 20)

/* In a child: stdin /dev/null, stdout and stderr into DIR/stdout and DIR/stderr (made with
 * mode); *ret_console is DIR/console.log, for the run's console_copy. 0 or -errno. */
int matrix_child_stdio(const char *dir, mode_t mode, char **ret_console);

/* The entry's -p and -o as one -p value per profile: "blockdev:count=2,size=1G". */
int entry_profiles(struct matrix_entry *e);

/* A captured file, whole up to max bytes (else its two ends), NUL-terminated; NULL if none. */
char *matrix_slurp(const struct quiz_options *o, const char *dir, const char *name, size_t max);

/* What the slot's last run came to: its result file read, its kind (a suite's skip and
 * failure words for --each) and exit status set. */
void matrix_judge_attempt(const struct quiz_options *o, const struct matrix_entry *e,
			  struct slot *s);

/* The entry's row from its slot (texts[0..1]: its stdout and stderr, the caller frees them). */
void matrix_fill_row(const struct quiz_options *o, const struct matrix_entry *e, struct slot *s,
		     struct run_result_row *row, char **texts);
/* "==> NAME: RESULT (TIME)", then the run's stdout and stderr. 0 or -errno of a write. */
int matrix_print_group(const struct matrix_entry *e, const struct slot *s,
		       const struct run_result_row *row);
/* The table or TAP on stdout, --junit, --results' JSON (and, for --each, DIR/failed). */
int matrix_write_reports(const struct quiz_options *o, struct run_result_row *rows,
			 const struct slot *slots, size_t n, int exit_status);
