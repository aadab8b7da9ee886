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
