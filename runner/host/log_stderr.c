/* SPDX-License-Identifier: MIT */
#include "log_stderr.h"

#include <stdio.h>

void log_to_stderr(const char *line)
{
	fprintf(stderr, "%s\n", line);
}
