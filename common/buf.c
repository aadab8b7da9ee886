/* SPDX-License-Identifier: MIT */
/* Growable byte buffers and NULL-terminated string vectors. */
#include "buf.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *data, size_t len)
{
	int r = buf_reserve(b, len);
	if (r < 0)
		return r;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	int r = n < 0 ? -EINVAL : buf_reserve(b, (size_t)n);
	if (r >= 0) {
		(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again); /* size checked */
		b->len += (size_t)n;
	}
	va_end(again);
	return r < 0 ? r : 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

int strv_push_take(struct strv *v, char *s)
{
	if (!s)
		return -ENOMEM;
	if (v->len + 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		char **items = realloc(v->items, cap * sizeof(char *));
		if (!items) {
			free(s);
			return -ENOMEM;
		}
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = s;
	v->items[v->len] = NULL;
	return 0;
}

int strv_push(struct strv *v, const char *s)
{
	return strv_push_take(v, strdup(s));
}

int strv_pushf(struct strv *v, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return strv_push_take(v, s);
}

void strv_free(struct strv *v)
{
	for (size_t i = 0; i < v->len; i++)
		free(v->items[i]);
	free(v->items);
	*v = (struct strv){0};
}

void set_error(char **ret_error, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	if (!ret_error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*ret_error = s;
}

int set_error_oom(char **ret_error)
{
	set_error(ret_error, "out of memory");
	return -ENOMEM;
}
