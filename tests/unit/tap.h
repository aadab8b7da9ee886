/* SPDX-License-Identifier: MIT */
/* A minimal TAP producer for the unit tests: ok/not ok lines, a plan at the end. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

static int tap_n, tap_failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		tap_n++;                                                                           \
		bool _ok = (cond);                                                                 \
		tap_failed += !_ok;                                                                \
		printf("%sok %d - ", _ok ? "" : "not ", tap_n);                                    \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		if (!_ok)                                                                          \
			printf("#   failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);             \
	} while (0)

#define CHECK_STR(got, want, ...)                                                                  \
	do {                                                                                       \
		const char *_g = (got), *_w = (want);                                              \
		CHECK(_g &&_w &&strcmp(_g, _w) == 0, __VA_ARGS__);                                 \
		if (!(_g && _w && strcmp(_g, _w) == 0))                                            \
			printf("#   got:  %s\n#   want: %s\n", _g ? _g : "(null)",                 \
			       _w ? _w : "(null)");                                                \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* The items of v joined by '|' (malloc'd), for comparing vectors as one string. */
static inline char *join(const struct strv *v)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < v->len; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", v->items[i]);
	return b.data;
}
