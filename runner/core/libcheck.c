/* SPDX-License-Identifier: MIT */
/* The image's manifest, library names, the loader's message in a stream, dpkg-query's answer. */
#include "libcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool lib_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

bool lib_name_valid(const char *s, size_t len)
{
	if (!len || len > LIB_NAME_MAX || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!lib_char(s[i]))
			return false;
	return true;
}

bool package_name_valid(const char *s, size_t len)
{
	if (len < 2 || len > LIB_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  (i && (c == '+' || c == '.' || c == '-'));
		if (!ok)
			return false;
	}
	return true;
}

/* The words of one line (spaces and tabs between), at most max of them; the count. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	for (char *p = line; *p && n < max;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		words[n++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_line(char *line, size_t lineno, struct libs_manifest *m, char **ret_error)
{
	char *w[4];
	size_t n = split_words(line, w, ELEMENTSOF(w));
	if (!n || w[0][0] == '#')
		return 0;
	if (STREQ(w[0], "lib")) {
		if (n != 2 || !lib_name_valid(w[1], strlen(w[1]))) {
			set_error(ret_error,
				  "line %zu: not \"lib NAME\" with a library's file name", lineno);
			return -EBADMSG;
		}
		return strv_push(&m->libs, w[1]);
	}
	if (STREQ(w[0], "package")) {
		if (n != 3 || !package_name_valid(w[1], strlen(w[1]))) {
			set_error(ret_error, "line %zu: not \"package NAME VERSION\"", lineno);
			return -EBADMSG;
		}
		return strv_push(&m->packages, w[1]);
	}
	return 0; /* a word a newer quiz-image writes */
}

int libs_manifest_parse(const char *text, size_t len, struct libs_manifest *ret, char **ret_error)
{
	struct libs_manifest m = {0};
	_cleanup_free_ char *line = malloc(LIBS_MANIFEST_LINE_MAX + 1);
	if (!line)
		return set_error_oom(ret_error);
	int r = 0;
	size_t lineno = 0;
	for (size_t at = 0; r >= 0 && at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		lineno++;
		if (n > LIBS_MANIFEST_LINE_MAX || memchr(text + at, '\0', n)) {
			set_error(ret_error, "line %zu: longer than %d bytes, or holds a NUL",
				  lineno, LIBS_MANIFEST_LINE_MAX);
			r = -EBADMSG;
			break;
		}
		memcpy(line, text + at, n);
		line[n] = '\0';
		r = parse_line(line, lineno, &m, ret_error);
		at += n + 1;
	}
	if (r < 0) {
		if (r == -ENOMEM)
			(void)set_error_oom(ret_error);
		libs_manifest_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

bool libs_manifest_has(const struct libs_manifest *m, const char *lib)
{
	for (size_t i = 0; i < m->libs.len; i++)
		if (STREQ(m->libs.items[i], lib))
			return true;
	return false;
}

void libs_manifest_free(struct libs_manifest *m)
{
	strv_free(&m->libs);
	strv_free(&m->packages);
}

int libcheck_lib_dirs(const struct arch *a, struct strv *ret)
{
	/* The triplet is the cross prefix without its '-': "x86_64-linux-gnu". */
	size_t t = strlen(a->cross_prefix);
	t -= t && a->cross_prefix[t - 1] == '-';
	int r = 0;
	static const char *const roots[] = {"usr/lib", "lib"};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(roots); i++) {
		r = strv_pushf(ret, "%s/%.*s", roots[i], (int)t, a->cross_prefix);
		if (r >= 0)
			r = strv_push(ret, roots[i]);
	}
	static const char *const more[] = {"usr/local/lib", "usr/lib64", "lib64"};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(more); i++)
		r = strv_push(ret, more[i]);
	return r;
}

/* glibc's elf/dl-load.c (_dl_signal_error's words, through _dl_exception_create). */
static const char loader_prefix[] = "error while loading shared libraries: ";
static const char loader_suffix[] = " cannot open shared object file";

/* The prefix matched so far, extended by c: the longest prefix of it that is a suffix of
 * prefix[0..at) + c (the pattern is short: a direct search, no table). */
static size_t prefix_step(size_t at, char c)
{
	size_t plen = sizeof(loader_prefix) - 1;
	if (at < plen && loader_prefix[at] == c)
		return at + 1;
	for (size_t k = at; k > 0; k--) {
		/* Does loader_prefix[0..k) end (with c) the text matched: prefix[at-k+1..at) + c?
		 */
		if (loader_prefix[k - 1] != c)
			continue;
		if (memcmp(loader_prefix, loader_prefix + at - (k - 1), k - 1) == 0)
			return k;
	}
	return 0;
}

static void watch_keep_name(struct loader_watch *w)
{
	w->name[w->name_len] = '\0';
	for (size_t i = 0; i < w->names.len; i++)
		if (STREQ(w->names.items[i], w->name))
			return;
	if (w->names.len < LOADER_WATCH_MAX)
		(void)strv_push(&w->names, w->name); /* ENOMEM: one name fewer is said */
}

static void watch_byte(struct loader_watch *w, char c)
{
	switch (w->state) {
	case 1:
		if (c == ':' && w->name_len) {
			w->state = 2, w->at = 0;
			return;
		}
		if (lib_char(c) && w->name_len < LIB_NAME_MAX) {
			w->name[w->name_len++] = c;
			return;
		}
		break; /* not a name: look for the prefix again, from this byte */
	case 2:
		if (c == loader_suffix[w->at]) {
			if (++w->at == sizeof(loader_suffix) - 1) {
				if (lib_name_valid(w->name, w->name_len))
					watch_keep_name(w);
				w->state = 0, w->at = 0;
			}
			return;
		}
		break;
	}
	if (w->state != 0)
		w->state = 0, w->at = 0;
	w->at = prefix_step(w->at, c);
	if (w->at == sizeof(loader_prefix) - 1)
		w->state = 1, w->at = 0, w->name_len = 0;
}

void loader_watch_feed(struct loader_watch *w, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		watch_byte(w, data[i]);
}

void loader_watch_free(struct loader_watch *w)
{
	strv_free(&w->names);
}

int dpkg_owner_parse(const char *out, char **ret)
{
	for (const char *line = out; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memmem(line, n, ": ", 2);
		if (colon && strncmp(line, "diversion by ", 13) != 0) {
			size_t pkg = strcspn(line, ":, ");
			if (pkg <= (size_t)(colon - line) && package_name_valid(line, pkg)) {
				char *s = strndup(line, pkg);
				if (!s)
					return -ENOMEM;
				*ret = s;
				return 0;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int image_list_parse(const char *text, size_t len, struct strv *ret, char **ret_error)
{
	_cleanup_strv_ struct strv out = {0};
	size_t line_no = 1;
	for (size_t i = 0; i < len; line_no++) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		if (memchr(text + i, '\0', end - i) || end - i > LIBS_MANIFEST_LINE_MAX) {
			set_error(ret_error, "line %zu is not a package list's", line_no);
			return -EBADMSG;
		}
		const char *hash = memchr(text + i, '#', end - i);
		size_t stop = hash ? (size_t)(hash - text) : end;
		for (size_t w = i; w < stop;) {
			while (w < stop && (text[w] == ' ' || text[w] == '\t' || text[w] == '\r'))
				w++;
			size_t we = w;
			while (we < stop && text[we] != ' ' && text[we] != '\t' && text[we] != '\r')
				we++;
			if (we == w)
				break;
			if (!package_name_valid(text + w, we - w)) {
				set_error(ret_error,
					  "line %zu: '%.*s' is not a Debian package name", line_no,
					  (int)(we - w > 64 ? 64 : we - w), text + w);
				return -EBADMSG;
			}
			int r = strv_pushf(&out, "%.*s", (int)(we - w), text + w);
			if (r < 0)
				return r;
			w = we;
		}
		i = end + 1;
	}
	*ret = out;
	out = (struct strv){0};
	return 0;
}
