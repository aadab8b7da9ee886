/* SPDX-License-Identifier: MIT */
/* Messages of the host tools, formatted here and handed to the sink the main set. */
#include "log.h"

#include <stdarg.h>

#include "buf.h"
#include "safe_text.h"

const char *log_program = "quiz";
int log_verbose;
static log_sink_fn *log_sink;

void log_set_sink(log_sink_fn *sink)
{
	log_sink = sink;
}

/* Messages quote what a guest wrote (titles, console lines): never a terminal's escape. */
static void log_line(const char *fmt, va_list ap)
{
	_cleanup_buf_ struct buf b = {0}, safe = {0};
	if (!log_sink || buf_printf(&b, "%s: ", log_program) < 0 || buf_vprintf(&b, fmt, ap) < 0 ||
	    safe_text_append(&safe, b.data, b.len, true, NULL) < 0)
		return;
	log_sink(safe.data);
}

void log_text(const char *text, size_t len)
{
	_cleanup_buf_ struct buf safe = {0};
	if (!log_sink || safe_text_append(&safe, text, len, true, NULL) < 0 || !safe.data)
		return;
	while (safe.len && safe.data[safe.len - 1] == '\n')
		safe.data[--safe.len] = '\0'; /* the sink ends it */
	log_sink(safe.data);
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
