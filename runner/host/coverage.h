/* SPDX-License-Identifier: MIT */
/*
 * quiz --coverage DIR: the kernel lines a run's program reached, from gcov's counters.
 *
 * The guest zeroes the counters before the program and copies them after it into the share
 * COVERAGE_SHARE of the run folder, each at its object's path on the build host
 * (guest-init/coverage.h). Here they meet their notes (.gcno, written by the compiler beside the
 * object): lcov turns both into DIR/coverage.info, genhtml into DIR/html/. The guest names the
 * paths: a counter file is taken only for an object of the kernel's build tree (its notes in the
 * kernel's kbuild copy) or of the current directory (a module built there), and the notes are
 * read only there.
 */
#pragma once

#include <stddef.h>

#define COVERAGE_SHARE "coverage"     /* in the run folder */
#define COVERAGE_INFO "coverage.info" /* lcov's tracefile, in --coverage DIR */
#define COVERAGE_OF_RUN "coverage"    /* a matrix run's --coverage DIR, in its results folder */

struct coverage_job {
	int run_dir_fd;
	const char *run_dir;
	const char *out;	/* --coverage DIR */
	const char *filter;	/* --coverage-filter PATH, or NULL */
	const char *home;	/* quiz's cache, where the kernel's info names its build folder */
	const char *kernel_dir; /* the kernel's cache folder (info, kbuild); NULL for -K */
	const char *cwd;	/* the real path of quiz's current directory */
	const char *title;	/* the HTML report's */
};

/* The lines a tracefile counts (its DA records: lcov 1.16's capture writes no LF and LH), and
 * of them the ones run, summed over its files. */
struct coverage_sum {
	unsigned long long found, hit;
	size_t files;
};

/*
 * After the run: DIR/coverage.info and DIR/html/ from the counters that came back, and the
 * summary line on stderr ("coverage: fs/ext4 41.2% of lines (15123/36710)"). 0, or -errno after
 * logging why in one line (no counters, lcov missing or failing); -EINTR on a stop signal.
 */
int coverage_report(const struct coverage_job *j);

/*
 * Several runs' tracefiles (a matrix's, --each's) into one: OUT/coverage.info, the union of
 * their lines with their counts added, and OUT/html/; the summary line names what. Tracefiles
 * that are missing are skipped (their runs said why). 0 or -errno (logged).
 */
int coverage_merge(const char *out, char *const *infos, size_t n, const char *filter,
		   const char *title);

/* The sums of a tracefile's text. Pure. */
void coverage_sum_text(const char *info, struct coverage_sum *ret);

/* "coverage: fs/ext4 41.2% of lines (15123/36710)" for s and filter (NULL: all); ret holds
 * size bytes. Pure. */
void coverage_summary(const struct coverage_sum *s, const char *filter, char *ret, size_t size);
