/* SPDX-License-Identifier: MIT */
/* quiz --ps (this user's running runs) and quiz --attach (a session in one of them). */
#pragma once

/* The live runs under home/runs, a line each; quiz's exit status. */
int attach_ps(const char *home);
/*
 * A session in run (NULL: the only live one) through its attach port: command (empty: a login
 * shell), the host terminal raw when stdin and stdout are terminals. Returns the command's
 * status (0-255, 128+S for a signal), EXIT_ATTACH_BUSY when another session holds the run,
 * EXIT_QUIZ_FAILED when there is no such run, it is not this user's, or the session broke.
 */
int attach_run(const char *home, const char *run, char *const *command);
