/* SPDX-License-Identifier: MIT */
/* The runner's one place for messages: "quiz: <what failed>: <why>". The core formats them;
 * where they go is the host's business (log_set_sink: stderr in the mains, a buffer in tests),
 * so that the core writes nothing itself. */
/* Host half: host/log_stderr.c (the sink). */
#pragma once

#include <stddef.h>

#include "macro.h"

extern const char *log_program; /* "quiz" or "quiz-kernel" */
extern int log_verbose;

/* Gets each whole message, "PROGRAM: TEXT" without the newline, its control characters but tab
 * and newline written as \xNN (safe_text.h): messages quote what guests wrote. */
typedef void log_sink_fn(const char *line);
void log_set_sink(log_sink_fn *sink);

void log_error(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2); /* only with -v */
/* Lines of text as they are, without the program's name: a kernel report, console lines. */
void log_text(const char *text, size_t len);
