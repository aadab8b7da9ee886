/* SPDX-License-Identifier: MIT */
/* The mains' log sink: each message a line on stderr. */
#pragma once

void log_to_stderr(const char *line);
/*
 * The command's status, or failed (its failure status) when what it wrote to stdout (a listing,
 * --dry-run's command line, a matrix's table, a path) did not all get out: a script reading it must
 * not take a short list for the whole. Called once, as a main returns.
 */
int stdout_checked(int status, int failed);
