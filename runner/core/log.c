/* SPDX-License-Identifier: MIT */
/* Messages of the host tools, formatted here and handed to the sink the main set. */
#include "log.h"

#include <stdarg.h>

#include "buf.h"

const char *log_program = "quiz";
int log_verbose;
static log_sink_fn *log_sink;

void log_set_sink(log_sink_fn *sink)
{
	log_sink = sink;
}

static void log_line(const char *fmt, va_list ap)
{
	_cleanup_buf_ struct buf b = {0};
	if (!log_sink || buf_printf(&b, "%s: ", log_program) < 0 || buf_vprintf(&b, fmt, ap) < 0)
		return;
	log_sink(b.data);
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
