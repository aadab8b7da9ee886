/* SPDX-License-Identifier: MIT */
#include "log_stderr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

void log_to_stderr(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

int stdout_checked(int status, int failed)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	log_error("writing to stdout failed: %s",
		  errno ? strerror(errno) : "part of it was not written");
	return failed;
}
