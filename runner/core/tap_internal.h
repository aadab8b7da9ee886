/* SPDX-License-Identifier: MIT */
/* What tap_line.c (one line), tap_parse.c (nesting) and tap_tree.c share; not a public API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "tap_parse.h"

/* A kernel log's tag before a version keyword ("kunit: ") is short; a long one is a sentence. */
#define TAP_MAX_LOG_TAG 64
/* The largest plan and test number read as numbers. */
#define TAP_MAX_COUNT 1000000000UL

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool has_prefix(const char *s, size_t len, const char *prefix, size_t prefix_len)
{
	return len >= prefix_len && memcmp(s, prefix, prefix_len) == 0;
}

static inline void trim(const char **s, size_t *len)
{
	while (*len && is_blank(**s))
		(*s)++, (*len)--;
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

static inline bool is_blank_line(const char *s, size_t len)
{
	trim(&s, &len);
	return len == 0;
}

enum line_kind { LINE_TEXT, LINE_VERSION, LINE_PLAN, LINE_TEST, LINE_SUBTEST, LINE_BAIL_OUT };

/* Appends s with NUL bytes as U+FFFD and, when unescape, "\\" and "\#" as '\' and '#'. */
int tap_put_text(struct buf *b, const char *s, size_t len, bool unescape);
/* The same as a malloc'd string; NULL on ENOMEM. */
char *tap_dup_text(const char *s, size_t len, bool unescape);

/* Whether all of s is indentation: blanks, and "# " as kselftest's runner nests with. */
bool tap_is_indentation(const char *s, size_t len);
/* The length of "[    1.234567] " and "[    T1] " at the start of a kernel log's line. */
size_t tap_log_prefix_length(const char *s, size_t len);

/* What the line is, and in *ret_indent how long its indentation is. */
enum line_kind tap_line_classify(const char *s, size_t len, size_t *ret_indent);
/* "1..N", then nothing or a '#' comment: *ret_count is N, *ret_comment where the comment's text
 * starts (len when there is none); either may be NULL. */
bool tap_line_plan(const char *s, size_t len, unsigned long *ret_count, size_t *ret_comment);
/* Where a version line starts in s ("KTAP version 1" after a log's prefix), if it is one. */
bool tap_line_find_version(const char *s, size_t len, size_t *ret_at);
/* Fills n's number, name, ok, result, directive and reason from a test point's text ("ok" or
 * "not ok" first); -ENOMEM leaves what it set for the caller to free. */
int tap_line_test_point(const char *s, size_t len, struct tap_node *n);
/* Whether directive d is the keyword (any case), and the reason after TAP 14's KEYWORD\S*\s+. */
bool tap_directive_is(const char *d, const char *keyword, const char **ret_reason);

/* Frees what n holds, its subtests included, and empties it. */
void tap_node_free_contents(struct tap_node *n);
