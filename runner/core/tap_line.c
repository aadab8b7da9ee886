/* SPDX-License-Identifier: MIT */
/* The grammar of one TAP / KTAP line: version, plan, test point, subtest, bail out, or text. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap_internal.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for a NUL byte */

int tap_put_text(struct buf *b, const char *s, size_t len, bool unescape)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < len;) {
		size_t run = i;
		while (run < len && s[run] != '\0' && !(unescape && s[run] == '\\'))
			run++;
		r = buf_append(b, s + i, run - i);
		if (r < 0 || run >= len)
			break;
		if (s[run] == '\0') {
			r = buf_puts(b, REPLACEMENT);
			i = run + 1;
		} else if (run + 1 < len && (s[run + 1] == '\\' || s[run + 1] == '#')) {
			r = buf_append(b, s + run + 1, 1);
			i = run + 2;
		} else {
			r = buf_append(b, "\\", 1);
			i = run + 1;
		}
	}
	return r;
}

char *tap_dup_text(const char *s, size_t len, bool unescape)
{
	struct buf b = {0};
	if (tap_put_text(&b, s, len, unescape) < 0 || buf_append(&b, "", 0) < 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

bool tap_is_indentation(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (is_blank(s[i]))
			i++;
		else if (s[i] == '#' && i + 1 < len && is_blank(s[i + 1]))
			i += 2;
		else
			return false;
	}
	return true;
}

size_t tap_log_prefix_length(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == '[') {
		const char *close = memchr(s + i, ']', len - i);
		if (!close)
			break;
		i = (size_t)(close - s) + 1;
	}
	return i > 0 && i < len && s[i] == ' ' ? i + 1 : i;
}

static bool match_version(const char *s, size_t len)
{
	size_t i = has_prefix(s, len, "KTAP version ", 13)  ? 13
		   : has_prefix(s, len, "TAP version ", 12) ? 12
							    : 0;
	size_t digits = i;
	if (!i)
		return false;
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i == digits)
		return false;
	while (i < len && is_blank(s[i]))
		i++;
	return i == len;
}

bool tap_line_plan(const char *s, size_t len, unsigned long *ret_count, size_t *ret_comment)
{
	unsigned long n = 0;
	size_t i = 3;
	if (!has_prefix(s, len, "1..", 3) || len == 3 || !isdigit((unsigned char)s[3]))
		return false;
	for (; i < len && isdigit((unsigned char)s[i]); i++) {
		n = n * 10 + (unsigned long)(s[i] - '0');
		if (n > TAP_MAX_COUNT)
			return false;
	}
	while (i < len && is_blank(s[i]))
		i++;
	if (i < len && s[i] != '#')
		return false;
	if (ret_count)
		*ret_count = n;
	if (ret_comment)
		*ret_comment = i < len ? i + 1 : len;
	return true;
}

static bool match_test(const char *s, size_t len)
{
	size_t k = has_prefix(s, len, "ok", 2) ? 2 : has_prefix(s, len, "not ok", 6) ? 6 : 0;
	return k && (k == len || is_blank(s[k]));
}

static bool match_subtest(const char *s, size_t len)
{
	return has_prefix(s, len, "# Subtest", 9) && (len == 9 || s[9] == ':' || is_blank(s[9]));
}

static bool match_bail_out(const char *s, size_t len)
{
	return len >= 9 && strncasecmp(s, "Bail out!", 9) == 0;
}

enum line_kind tap_line_classify(const char *s, size_t len, size_t *ret_indent)
{
	for (size_t i = 0;;) {
		while (i < len && is_blank(s[i]))
			i++;
		const char *p = s + i;
		size_t n = len - i;
		enum line_kind kind = match_version(p, n)		? LINE_VERSION
				      : tap_line_plan(p, n, NULL, NULL) ? LINE_PLAN
				      : match_test(p, n)		? LINE_TEST
				      : match_subtest(p, n)		? LINE_SUBTEST
				      : match_bail_out(p, n)		? LINE_BAIL_OUT
									: LINE_TEXT;
		if (kind != LINE_TEXT) {
			*ret_indent = i;
			return kind;
		}
		if (n < 2 || p[0] != '#' || !is_blank(p[1]))
			return LINE_TEXT;
		i++; /* "# " nests, as kselftest's runner prefixes each test's output */
	}
}

bool tap_line_find_version(const char *s, size_t len, size_t *ret_at)
{
	static const char key[] = "TAP version ";
	const char *hit = memmem(s, len, key, sizeof(key) - 1);
	if (!hit)
		return false;
	size_t at = (size_t)(hit - s);
	if (at > 0 && s[at - 1] == 'K')
		at--;
	if (at > TAP_MAX_LOG_TAG * 2 || !match_version(s + at, len - at))
		return false;
	*ret_at = at;
	return true;
}

bool tap_directive_is(const char *d, const char *keyword, const char **ret_reason)
{
	size_t n = strlen(keyword);
	if (strncasecmp(d, keyword, n) != 0)
		return false;
	for (d += n; *d && !is_blank(*d);)
		d++;
	while (is_blank(*d))
		d++;
	*ret_reason = d;
	return true;
}

int tap_line_test_point(const char *s, size_t len, struct tap_node *n)
{
	n->ok = s[0] == 'o';
	size_t i = n->ok ? 2 : 6;
	while (i < len && is_blank(s[i]))
		i++;

	size_t digits = i;
	unsigned long number = 0;
	while (i < len && isdigit((unsigned char)s[i]) && number <= TAP_MAX_COUNT)
		number = number * 10 + (unsigned long)(s[i++] - '0');
	if (i > digits && number <= TAP_MAX_COUNT && (i == len || is_blank(s[i])))
		n->number = number;
	else
		i = digits; /* "ok 1a": no number, all description */
	while (i < len && is_blank(s[i]))
		i++;
	if (i < len && s[i] == '-' && (i + 1 == len || is_blank(s[i + 1])))
		for (i++; i < len && is_blank(s[i]);)
			i++;

	/* The first '#' not escaped by a backslash starts the directive. */
	size_t hash = i;
	while (hash < len && s[hash] != '#')
		hash += s[hash] == '\\' && hash + 1 < len ? 2 : 1;
	size_t end = hash;
	while (end > i && is_blank(s[end - 1]))
		end--;
	n->name = tap_dup_text(s + i, end - i, true);
	if (!n->name)
		return -ENOMEM;
	n->result = n->ok ? TAP_PASS : TAP_FAIL;
	if (hash >= len)
		return 0;

	const char *d = s + hash + 1, *reason;
	size_t dlen = len - hash - 1;
	trim(&d, &dlen);
	n->directive = tap_dup_text(d, dlen, true);
	if (!n->directive)
		return -ENOMEM;
	if (tap_directive_is(n->directive, "skip", &reason))
		n->result = TAP_SKIP;
	else if (tap_directive_is(n->directive, "todo", &reason))
		n->result = TAP_TODO;
	else
		return 0; /* KTAP: an unknown directive falls back to ok / not ok */
	n->reason = strdup(reason);
	return n->reason ? 0 : -ENOMEM;
}
