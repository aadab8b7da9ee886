/* SPDX-License-Identifier: MIT */
/* A run's typed result, and its file between a matrix's child and parent. */
#include "run_result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"
#include "macro.h"

static const char *const end_names[] = {
	[RUN_END_PROGRAM] = "program",	 [RUN_END_TIMEOUT] = "timeout", [RUN_END_PANIC] = "panic",
	[RUN_END_SIGNALED] = "signaled", [RUN_END_FAILED] = "failed",
};
static const char *const hang_names[] = {
	[RUN_HANG_NONE] = "none",
	[RUN_HANG_SHOWN] = "shown",
	[RUN_HANG_NMI] = "nmi",
	[RUN_HANG_SILENT] = "silent",
};

const char *run_end_name(enum run_end end)
{
	return (size_t)end < ELEMENTSOF(end_names) ? end_names[end] : "?";
}

void run_result_failed(struct run_result *r, int status)
{
	*r = (struct run_result){
		.end = RUN_END_FAILED, .exit_status = status, .program_status = -1};
}

int run_result_add_report(struct run_result *r, enum splat_kind kind, bool allowed,
			  const char *title)
{
	char *copy = strdup(title ? title : "");
	struct run_report *items =
		copy ? realloc(r->reports, (r->n_reports + 1) * sizeof(*items)) : NULL;
	if (!items) {
		free(copy);
		return -ENOMEM;
	}
	r->reports = items;
	items[r->n_reports++] = (struct run_report){kind, allowed, copy};
	return 0;
}

static int put_escaped(struct buf *b, const char *s)
{
	int r = 0;
	for (; r >= 0 && *s; s++)
		r = *s == '\\'	 ? buf_puts(b, "\\\\")
		    : *s == '\n' ? buf_puts(b, "\\n")
		    : *s == '\t' ? buf_puts(b, "\\t")
				 : buf_append(b, s, 1);
	return r;
}

/* The escaped text of s..s+len back; NULL on a stray backslash or ENOMEM (errno says which). */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *w = out;
	for (size_t i = 0; out && i < len; i++) {
		if (s[i] != '\\') {
			*w++ = s[i];
			continue;
		}
		char c = ++i < len ? s[i] : 0;
		if (c != '\\' && c != 'n' && c != 't') {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		*w++ = c == 'n' ? '\n' : c == 't' ? '\t' : '\\';
	}
	if (out)
		*w = '\0';
	else
		errno = ENOMEM;
	return out;
}

int run_result_encode(const struct run_result *r, struct buf *ret)
{
	_cleanup_buf_ struct buf b = {0};
	if ((size_t)r->end >= ELEMENTSOF(end_names) || (size_t)r->hang >= ELEMENTSOF(hang_names))
		return -EINVAL;
	int k = buf_printf(&b,
			   "end=%s\nexit=%d\nprogram=%d\nsignal=%d\nhang=%s\nsplat-failed=%d\n"
			   "restored=%d\n",
			   end_names[r->end], r->exit_status, r->program_status, r->signal,
			   hang_names[r->hang], r->splat_failed, r->restored);
	if (k >= 0 && r->cold_reason) {
		k = buf_puts(&b, "cold=");
		if (k >= 0)
			k = put_escaped(&b, r->cold_reason);
		if (k >= 0)
			k = buf_puts(&b, "\n");
	}
	for (size_t i = 0; k >= 0 && i < r->n_reports; i++) {
		k = buf_printf(&b, "report=%s\t%d\t", splat_kind_name(r->reports[i].kind),
			       r->reports[i].allowed);
		if (k >= 0)
			k = put_escaped(&b, r->reports[i].title);
		if (k >= 0)
			k = buf_puts(&b, "\n");
	}
	if (k < 0)
		return k;
	*ret = b;
	b = (struct buf){0};
	return 0;
}

static int name_index(const char *const *names, size_t n, const char *v, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strlen(names[i]) == len && !memcmp(names[i], v, len))
			return (int)i;
	return -1;
}

/* A whole number in min..max, all of v. */
static int parse_int(const char *v, size_t len, long min, long max, int *ret)
{
	char buf[24];
	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	long n = strtol(buf, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*ret = (int)n;
	return 0;
}

static int decode_report(struct run_result *r, const char *v, size_t len)
{
	const char *tab1 = memchr(v, '\t', len);
	const char *tab2 = tab1 ? memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - v)) : NULL;
	int kind = -1, allowed;
	for (int k = 0; tab1 && k <= SPLAT_PANIC; k++)
		if (strlen(splat_kind_name(k)) == (size_t)(tab1 - v) &&
		    !memcmp(splat_kind_name(k), v, (size_t)(tab1 - v)))
			kind = k;
	if (kind < 0 || !tab2 || parse_int(tab1 + 1, (size_t)(tab2 - tab1 - 1), 0, 1, &allowed) < 0)
		return -EINVAL;
	_cleanup_free_ char *title = unescape(tab2 + 1, len - (size_t)(tab2 + 1 - v));
	if (!title)
		return -errno;
	return run_result_add_report(r, (enum splat_kind)kind, allowed, title);
}

static int decode_line(struct run_result *r, const char *key, size_t klen, const char *v,
		       size_t len, unsigned *seen)
{
	int n, k;
#define KEY(s) (klen == sizeof(s) - 1 && !memcmp(key, s, klen))
	if (KEY("end")) {
		*seen |= 1;
		k = name_index(end_names, ELEMENTSOF(end_names), v, len);
		r->end = (enum run_end)k;
		return k < 0 ? -EINVAL : 0;
	}
	if (KEY("exit")) {
		*seen |= 2;
		return parse_int(v, len, 0, 255, &r->exit_status);
	}
	if (KEY("program"))
		return parse_int(v, len, -1, 255, &r->program_status);
	if (KEY("signal"))
		return parse_int(v, len, 0, 64, &r->signal);
	if (KEY("hang")) {
		k = name_index(hang_names, ELEMENTSOF(hang_names), v, len);
		r->hang = (enum run_hang)k;
		return k < 0 ? -EINVAL : 0;
	}
	if (KEY("splat-failed") || KEY("restored")) {
		int err = parse_int(v, len, 0, 1, &n);
		if (KEY("restored"))
			r->restored = n;
		else
			r->splat_failed = n;
		return err;
	}
	if (KEY("cold")) {
		free(r->cold_reason);
		r->cold_reason = unescape(v, len);
		return r->cold_reason ? 0 : -errno;
	}
	if (KEY("report"))
		return decode_report(r, v, len);
#undef KEY
	return -EINVAL;
}

int run_result_decode(const char *data, size_t len, struct run_result *ret)
{
	struct run_result r = {.program_status = -1};
	unsigned seen = 0;
	int k = 0;
	for (size_t i = 0; k >= 0 && i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *eq = memchr(data + i, '=', end - i);
		k = eq ? decode_line(&r, data + i, (size_t)(eq - data - i), eq + 1,
				     end - (size_t)(eq + 1 - data), &seen)
		       : -EINVAL;
		i = end + 1;
	}
	if (k >= 0 && seen != 3)
		k = -EINVAL;
	if (k < 0) {
		run_result_free(&r);
		return k;
	}
	*ret = r;
	return 0;
}

void run_result_free(struct run_result *r)
{
	for (size_t i = 0; i < r->n_reports; i++)
		free(r->reports[i].title);
	free(r->reports);
	free(r->cold_reason);
	*r = (struct run_result){.program_status = -1};
}
