/* SPDX-License-Identifier: MIT */
/* Running the host's tools (e2fsprogs' for a packed tree, lcov's for coverage), no shell. */
#pragma once

/* NAME's path, malloc'd, into *ret: in PATH, else in the sbin folders an ordinary user's PATH
 * lacks. -ENOENT when none is there, -ENOMEM. */
int tool_find(const char *name, char **ret);

/* argv (argv[0] a path), its stdout and stderr into log_fd, stdin /dev/null, in a process group
 * of its own that a stop signal reaches; 0 when it exits 0, -EIO otherwise, -EINTR on a stop
 * signal. */
int tool_run(char *const argv[], int log_fd);

/* The last line a tool wrote into log_fd, malloc'd ("no words" when it wrote none), for a
 * message; NULL only on ENOMEM. */
char *tool_last_line(int log_fd);
