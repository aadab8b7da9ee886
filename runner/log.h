/* SPDX-License-Identifier: MIT */
/* The runner's one place for messages: "quiz: <what failed>: <why>" on stderr. */
#pragma once

#include "macro.h"

extern const char *log_program; /* "quiz" or "quiz-kernel" */
extern int log_verbose;

void log_error(const char *fmt, ...) _printf_(1, 2);
void log_debug(const char *fmt, ...) _printf_(1, 2); /* only with -v */
