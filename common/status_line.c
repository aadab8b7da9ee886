/* SPDX-License-Identifier: MIT */
/* The status line's encoder (guest) and parser (host). Pure. */
#include "status_line.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"

int status_line_format(const struct status_line *s, struct buf *out)
{
	int r;
	if (s->error) {
		r = buf_puts(out, STATUS_ERROR);
		for (const char *p = s->message ? s->message : ""; r >= 0 && *p; p++)
			r = buf_append(out, *p == '\n' || *p == '\r' ? " " : p, 1);
	} else if (s->exit_code < 0 || s->exit_code > 255) {
		return -EINVAL;
	} else {
		r = buf_printf(out, STATUS_EXIT "%d", s->exit_code);
	}
	if (r >= 0)
		r = buf_printf(out, " out=%llu err=%llu\n", s->out, s->err);
	return r;
}

bool status_line_is(const char *line)
{
	return strncmp(line, STATUS_EXIT, strlen(STATUS_EXIT)) == 0 ||
	       strncmp(line, STATUS_ERROR, strlen(STATUS_ERROR)) == 0;
}

/* " KEY=DIGITS" ending at end: its value; false when the line does not end so. */
static bool trailing_count(char *line, char **end, const char *key, unsigned long long *ret)
{
	size_t klen = strlen(key), digits = 0;
	char *p = *end;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--, digits++;
	if (!digits || digits > 20 || (size_t)(p - line) < klen ||
	    strncmp(p - klen, key, klen) != 0)
		return false;
	*ret = strtoull(p, NULL, 10);
	*end = p - klen;
	return true;
}

int status_line_parse(char *line, struct status_line *ret)
{
	if (!status_line_is(line))
		return -EINVAL;
	struct status_line s = {.error = strncmp(line, STATUS_ERROR, strlen(STATUS_ERROR)) == 0};
	/* The counts from the end: a message may hold anything, " out=1" too. */
	char *end = line + strlen(line);
	char *before = end;
	if (trailing_count(line, &end, " err=", &s.err) &&
	    trailing_count(line, &end, " out=", &s.out))
		s.counted = true;
	else
		end = before;
	*end = '\0';
	if (s.error) {
		s.message = line + strlen(STATUS_ERROR);
	} else {
		char *tail;
		const char *code = line + strlen(STATUS_EXIT);
		long v = strtol(code, &tail, 10);
		if (tail == code || *tail || v < 0 || v > 255)
			return -EINVAL;
		s.exit_code = (int)v;
	}
	*ret = s;
	return 0;
}

bool status_text_has_line(const char *text, const char *word)
{
	size_t len = strlen(word);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			return false;
		if ((size_t)(end - line) == len && strncmp(line, word, len) == 0)
			return true;
		line = end + 1;
	}
	return false;
}

int status_go_format(long long sec, long nsec, const unsigned char *seed, size_t n, struct buf *out)
{
	int r = buf_printf(out, STATUS_GO "%lld %ld ", sec, nsec);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = buf_printf(out, "%02x", seed[i]);
	return r < 0 ? r : buf_puts(out, "\n");
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int status_go_parse(const char *line, long long *ret_sec, long *ret_nsec, unsigned char *seed,
		    size_t n)
{
	if (strncmp(line, STATUS_GO, strlen(STATUS_GO)) != 0)
		return -EINVAL;
	char *end;
	const char *p = line + strlen(STATUS_GO);
	long long sec = strtoll(p, &end, 10);
	if (end == p || *end != ' ')
		return -EINVAL;
	p = end + 1;
	long nsec = strtol(p, &end, 10);
	if (end == p || *end != ' ' || nsec < 0 || nsec > 999999999)
		return -EINVAL;
	p = end + 1;
	if (strlen(p) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		seed[i] = (unsigned char)(hi << 4 | lo);
	}
	*ret_sec = sec;
	*ret_nsec = nsec;
	return 0;
}
