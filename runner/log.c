/* SPDX-License-Identifier: MIT */
/* stderr messages of the host tools. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

const char *log_program = "quiz";
int log_verbose;

static void log_line(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", log_program);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}
