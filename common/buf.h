/* SPDX-License-Identifier: MIT */
/* Growable byte buffers and NULL-terminated string vectors (never fixed-size arrays). */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "macro.h"

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) _printf_(2, 0);
void buf_free(struct buf *b);
static inline void buf_freep(struct buf *b)
{
	buf_free(b);
}
#define _cleanup_buf_ _cleanup_(buf_freep)

struct strv {
	char **items; /* NULL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

int strv_push(struct strv *v, const char *s);
int strv_pushf(struct strv *v, const char *fmt, ...) _printf_(2, 3);
int strv_push_take(struct strv *v, char *s);
void strv_free(struct strv *v);
static inline void strv_freep(struct strv *v)
{
	strv_free(v);
}
#define _cleanup_strv_ _cleanup_(strv_freep)

/* A one-line message for the caller to show: *ret_error = the formatted text (ret_error may be
 * NULL; on ENOMEM it stays NULL). set_error_oom says "out of memory" and returns -ENOMEM. */
void set_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
int set_error_oom(char **ret_error);
