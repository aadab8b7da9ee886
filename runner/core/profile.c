/* SPDX-License-Identifier: MIT */
/* Profiles: profile.ini through inih, and the -p/-o requests (the merge: profile_resolve.c). */
#include "profile.h"

#include <errno.h>
#include <ini.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini_setup.h"
#include "macro.h"
#include "profile_internal.h"

/* Between tokens of a requires/kconfig value or a -p argument. */
#define SEPARATORS ", \t\n\r\f\v"
#define WHITESPACE " \t\n\r\f\v"

#define NAME_RULE "letters, digits, '-' and '_'"

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool ident_valid_n(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ident_char(s[i]))
			return false;
	return true;
}

static bool ident_valid(const char *s)
{
	return ident_valid_n(s, strlen(s));
}

/* "blockdev's options are: count, size" or "blockdev has no options". */
int options_phrase(const char *name, const struct profile_option *o, size_t n, struct buf *out)
{
	if (n == 0)
		return buf_printf(out, "%s has no options", name);
	int r = buf_printf(out, "%s's options are: ", name);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = buf_printf(out, "%s%s", i ? ", " : "", o[i].name);
	return r;
}

/* ---- requests ---- */

static void request_free(struct profile_request *q)
{
	free(q->name);
	strv_free(&q->settings);
}

void profile_requests_free(struct profile_requests *r)
{
	for (size_t i = 0; i < r->n; i++)
		request_free(&r->items[i]);
	free(r->items);
	*r = (struct profile_requests){0};
}

static struct profile_request *requests_find(const struct profile_requests *r, const char *name,
					     size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->items[i].name) == len && strncmp(r->items[i].name, name, len) == 0)
			return &r->items[i];
	return NULL;
}

/* The request for name (first len bytes), appended if there is none yet. */
static int requests_get(struct profile_requests *r, const char *name, size_t len,
			struct profile_request **ret)
{
	struct profile_request *q = requests_find(r, name, len);
	if (q) {
		*ret = q;
		return 0;
	}
	char *dup = strndup(name, len);
	if (!dup)
		return -ENOMEM;
	q = realloc(r->items, (r->n + 1) * sizeof(*q));
	if (!q) {
		free(dup);
		return -ENOMEM;
	}
	r->items = q;
	q = &r->items[r->n++];
	*q = (struct profile_request){.name = dup};
	*ret = q;
	return 0;
}

/* "key=value" (s, len bytes) for q; what is the whole token, for messages. */
static int request_add_setting(struct profile_request *q, const char *s, size_t len,
			       const char *what, char **ret_msg)
{
	const char *eq = memchr(s, '=', len);
	if (!eq) {
		set_error(ret_msg, "'%.*s' after '%s:' is not KEY=VALUE", (int)len, s, q->name);
		return -EINVAL;
	}
	if (eq == s) {
		set_error(ret_msg, "'%s' has no option name before '='", what);
		return -EINVAL;
	}
	if (!ident_valid_n(s, (size_t)(eq - s))) {
		set_error(ret_msg, "'%.*s' in '%s' is not a valid option name (%s)", (int)(eq - s),
			  s, what, NAME_RULE);
		return -EINVAL;
	}
	return strv_pushf(&q->settings, "%.*s", (int)len, s);
}

/*
 * Parses tokens separated by commas/whitespace: "name", "name:k=v" start a profile, "k=v" adds
 * to the current one. Requests merge into r (one item per name). Errors: -EINVAL with a
 * message about the token (no prefix), -ENOMEM. Zero tokens is not an error here.
 */
int requests_parse(struct profile_requests *r, const char *text, char **ret_msg)
{
	struct profile_request *cur = NULL;
	const char *p = text;
	int k;

	for (;;) {
		p += strspn(p, SEPARATORS);
		if (!*p)
			return 0;
		size_t len = strcspn(p, SEPARATORS);
		_cleanup_free_ char *tok = strndup(p, len);
		if (!tok)
			return -ENOMEM;
		p += len;

		char *eq = strchr(tok, '='), *colon = strchr(tok, ':');
		if (eq && !(colon && colon < eq)) {
			if (!cur) {
				set_error(ret_msg,
					  "'%s' comes before any profile name; write PROFILE:%s",
					  tok, tok);
				return -EINVAL;
			}
			k = request_add_setting(cur, tok, len, tok, ret_msg);
			if (k < 0)
				return k;
			continue;
		}

		size_t name_len = colon ? (size_t)(colon - tok) : len;
		if (name_len == 0) {
			set_error(ret_msg, "'%s' has no profile name before ':'", tok);
			return -EINVAL;
		}
		if (!ident_valid_n(tok, name_len)) {
			set_error(ret_msg, "'%.*s' is not a valid profile name (%s)", (int)name_len,
				  tok, NAME_RULE);
			return -EINVAL;
		}
		k = requests_get(r, tok, name_len, &cur);
		if (k < 0)
			return k;
		if (colon) {
			if (!colon[1]) {
				set_error(
					ret_msg,
					"'%s' has nothing after ':'; write %s:KEY=VALUE or just %s",
					tok, cur->name, cur->name);
				return -EINVAL;
			}
			k = request_add_setting(cur, colon + 1, strlen(colon + 1), tok, ret_msg);
			if (k < 0)
				return k;
		}
	}
}

/* Appends everything of from to r (merging per name). */
static int requests_merge(struct profile_requests *r, const struct profile_requests *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct profile_request *q;
		int k = requests_get(r, from->items[i].name, strlen(from->items[i].name), &q);
		if (k < 0)
			return k;
		for (size_t j = 0; j < from->items[i].settings.len; j++) {
			k = strv_push(&q->settings, from->items[i].settings.items[j]);
			if (k < 0)
				return k;
		}
	}
	return 0;
}

int profile_requests_add(struct profile_requests *r, const char *arg, char **ret_error)
{
	_cleanup_free_ char *msg = NULL;
	struct profile_requests tmp = {0};

	int k = requests_parse(&tmp, arg, &msg);
	if (k == 0 && tmp.n == 0) {
		set_error(ret_error,
			  "-p '%s': names no profile; write e.g. -p blockdev:count=4,memdev", arg);
		k = -EINVAL;
	} else if (k == -EINVAL) {
		set_error(ret_error, "-p '%s': %s; write e.g. -p blockdev:count=4,memdev", arg,
			  msg ? msg : "invalid");
	} else if (k == 0) {
		k = requests_merge(r, &tmp);
		if (k < 0)
			set_error_oom(ret_error);
	} else {
		set_error_oom(ret_error);
	}
	profile_requests_free(&tmp);
	return k;
}

int profile_requests_add_option(struct profile_requests *r, const char *arg, char **ret_error)
{
	const char *eq = strchr(arg, '=');
	const char *dot = eq ? memchr(arg, '.', (size_t)(eq - arg)) : NULL;
	struct profile_request *q;

	if (!dot) {
		set_error(ret_error,
			  "-o '%s': expected PROFILE.OPTION=VALUE; write e.g. -o blockdev.count=4",
			  arg);
		return -EINVAL;
	}
	if (!ident_valid_n(arg, (size_t)(dot - arg))) {
		set_error(ret_error, "-o '%s': '%.*s' is not a valid profile name (%s)", arg,
			  (int)(dot - arg), arg, NAME_RULE);
		return -EINVAL;
	}
	if (!ident_valid_n(dot + 1, (size_t)(eq - dot - 1))) {
		set_error(ret_error, "-o '%s': '%.*s' is not a valid option name (%s)", arg,
			  (int)(eq - dot - 1), dot + 1, NAME_RULE);
		return -EINVAL;
	}
	int k = requests_get(r, arg, (size_t)(dot - arg), &q);
	if (k >= 0)
		k = strv_push(&q->settings, dot + 1);
	if (k < 0)
		return set_error_oom(ret_error);
	return 0;
}

/* ---- profile.ini ---- */

void profile_options_free(struct profile_option *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].value);
	}
	free(o);
}

void profile_free(struct profile *p)
{
	free(p->name);
	free(p->dir);
	free(p->source);
	free(p->found_at);
	free(p->shadows);
	free(p->description);
	strv_free(&p->requires);
	profile_options_free(p->options, p->n_options);
	strv_free(&p->qemu_args);
	strv_free(&p->kernel_words);
	strv_free(&p->kconfig);
	strv_free(&p->splat_allow);
	*p = (struct profile){0};
}

struct ini_state {
	struct profile *p;
	char *msg; /* the first error, without the "profile X: FILE line N: " prefix */
	int r;	   /* that error's -errno */
};

static int add_requires(struct ini_state *s, const char *value)
{
	_cleanup_free_ char *msg = NULL;
	struct profile_requests tmp = {0};

	int k = requests_parse(&tmp, value, &msg);
	if (k == -EINVAL)
		set_error(&s->msg, "requires: %s; write e.g. requires = memdev, blockdev:count=2",
			  msg ? msg : "invalid");
	for (size_t i = 0; k >= 0 && i < tmp.n; i++) {
		_cleanup_buf_ struct buf b = {0};
		k = buf_puts(&b, tmp.items[i].name);
		for (size_t j = 0; k >= 0 && j < tmp.items[i].settings.len; j++)
			k = buf_printf(&b, "%c%s", j ? ',' : ':', tmp.items[i].settings.items[j]);
		if (k >= 0)
			k = strv_push_take(&s->p->requires, TAKE_PTR(b.data));
	}
	profile_requests_free(&tmp);
	return k;
}

/* A kernel report whose first line matches (an extended regex, as --splat-allow) passes. */
static int add_splat_allow(struct ini_state *s, const char *value)
{
	regex_t re;
	int r = regcomp(&re, value, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		char why[128];
		(void)regerror(r, &re, why, sizeof(why));
		set_error(&s->msg, "splat-allow '%s': not an extended regular expression (%s)",
			  value, why);
		return -EINVAL;
	}
	regfree(&re);
	return strv_push(&s->p->splat_allow, value);
}

static int add_kconfig(struct ini_state *s, const char *value)
{
	struct strv *v = &s->p->kconfig;

	for (const char *p = value;;) {
		p += strspn(p, SEPARATORS);
		if (!*p)
			return 0;
		size_t len = strcspn(p, SEPARATORS);
		const char *tok = p;
		p += len;

		const char *eq = memchr(tok, '=', len);
		size_t sym_len = eq ? (size_t)(eq - tok) : len;
		if (sym_len <= strlen("CONFIG_") ||
		    strncmp(tok, "CONFIG_", strlen("CONFIG_")) != 0 ||
		    !ident_valid_n(tok, sym_len) || memchr(tok, '-', sym_len)) {
			set_error(&s->msg,
				  "kconfig '%.*s' is not a CONFIG_ symbol; write e.g. "
				  "CONFIG_VIRTIO_BLK or CONFIG_VIRTIO_BLK=m",
				  (int)len, tok);
			return -EINVAL;
		}
		if (eq && eq + 1 == tok + len) {
			set_error(&s->msg,
				  "kconfig '%.*s' has no value after '='; write %.*s=y, =m or "
				  "leave out '='",
				  (int)len, tok, (int)sym_len, tok);
			return -EINVAL;
		}
		_cleanup_free_ char *norm = NULL;
		if (asprintf(&norm, "%.*s%s", (int)len, tok, eq ? "" : "=y") < 0)
			return -ENOMEM;
		bool dup = false;
		for (size_t i = 0; i < v->len; i++) {
			if (strncmp(v->items[i], norm, sym_len + 1) != 0)
				continue;
			if (!STREQ(v->items[i], norm)) {
				set_error(&s->msg,
					  "kconfig %.*s is given as %s and as %s; keep one",
					  (int)sym_len, tok, v->items[i], norm);
				return -EINVAL;
			}
			dup = true;
		}
		if (!dup) {
			int k = strv_push_take(v, TAKE_PTR(norm));
			if (k < 0)
				return k;
		}
	}
}

/* One key = value line; -EINVAL with s->msg set, or -ENOMEM. */
static int ini_entry(struct ini_state *s, const char *section, const char *key, const char *value)
{
	struct profile *p = s->p;

	if (!*section) {
		set_error(&s->msg,
			  "'%s' comes before any section; put it under [profile], [options], "
			  "[qemu] or [kernel]",
			  key);
		return -EINVAL;
	}
	if (!*key) {
		set_error(&s->msg, "no key before '='; write KEY = VALUE");
		return -EINVAL;
	}

	if (STREQ(section, "profile")) {
		if (STREQ(key, "description")) {
			if (p->description) {
				set_error(&s->msg, "description is given twice; keep one");
				return -EINVAL;
			}
			p->description = strdup(value);
			return p->description ? 0 : -ENOMEM;
		}
		if (STREQ(key, "requires"))
			return add_requires(s, value);
		if (STREQ(key, "kconfig"))
			return add_kconfig(s, value);
		if (STREQ(key, "splat-allow"))
			return add_splat_allow(s, value);
		if (STREQ(key, "saved-state")) {
			if (!STREQ(value, "yes") && !STREQ(value, "no")) {
				set_error(&s->msg, "saved-state = %s: expected yes or no", value);
				return -EINVAL;
			}
			p->saved_state = STREQ(value, "yes");
			return 0;
		}
		set_error(&s->msg,
			  "unknown key '%s' in [profile]; it takes description, requires, kconfig, "
			  "splat-allow and saved-state",
			  key);
		return -EINVAL;
	}

	if (STREQ(section, "options")) {
		if (!ident_valid(key)) {
			set_error(&s->msg, "option name '%s' is not valid (%s)", key, NAME_RULE);
			return -EINVAL;
		}
		for (size_t i = 0; i < p->n_options; i++)
			if (STREQ(p->options[i].name, key)) {
				set_error(&s->msg, "option '%s' is declared twice; keep one", key);
				return -EINVAL;
			}
		struct profile_option *o = realloc(p->options, (p->n_options + 1) * sizeof(*o));
		if (!o)
			return -ENOMEM;
		p->options = o;
		o = &p->options[p->n_options];
		o->name = strdup(key);
		o->value = strdup(value);
		if (!o->name || !o->value) {
			free(o->name);
			free(o->value);
			return -ENOMEM;
		}
		p->n_options++;
		return 0;
	}

	if (STREQ(section, "qemu")) {
		if (!STREQ(key, "arg")) {
			set_error(
				&s->msg,
				"unknown key '%s' in [qemu]; it takes only arg (one QEMU argument "
				"per line)",
				key);
			return -EINVAL;
		}
		if (!*value) {
			set_error(&s->msg, "arg is empty; give one QEMU argument or drop the line");
			return -EINVAL;
		}
		return strv_push(&p->qemu_args, value);
	}

	if (STREQ(section, "kernel")) {
		if (!STREQ(key, "word")) {
			set_error(&s->msg,
				  "unknown key '%s' in [kernel]; it takes only word (one kernel "
				  "command-line word per line)",
				  key);
			return -EINVAL;
		}
		if (!*value || value[strcspn(value, WHITESPACE)]) {
			set_error(&s->msg,
				  "word '%s' is not one word; put each kernel command-line word on "
				  "its own 'word =' line",
				  value);
			return -EINVAL;
		}
		return strv_push(&p->kernel_words, value);
	}

	set_error(&s->msg,
		  "unknown section [%s]; sections are [profile], [options], [qemu] and [kernel]",
		  section);
	return -EINVAL;
}

static int ini_handler_fn(void *user, const char *section, const char *key, const char *value)
{
	struct ini_state *s = user;

	if (s->r < 0)
		return 0;
	int k = ini_entry(s, section, key, value);
	if (k < 0) {
		s->r = k;
		return 0;
	}
	return 1;
}

int profile_parse_labeled(const char *name, const char *label, const char *text,
			  struct profile *ret, char **ret_error)
{
	struct profile p = {0};
	struct ini_state s = {.p = &p};
	unsigned line = 1;
	size_t col = 0;

	if (!ident_valid(name)) {
		set_error(ret_error,
			  "profile '%s': not a valid profile name; a profile's folder name may use "
			  "only %s",
			  name, NAME_RULE);
		return -EINVAL;
	}
	for (const char *c = text; *c; c++) {
		if (*c == '\n') {
			line++;
			col = 0;
		} else if (++col > PROFILE_INI_MAX_LINE - 3) {
			set_error(ret_error,
				  "profile %s: %s line %u: longer than %d characters; shorten it",
				  name, label, line, PROFILE_INI_MAX_LINE - 3);
			return -EINVAL;
		}
	}

	p.name = strdup(name);
	if (!p.name)
		return set_error_oom(ret_error);
	ini_setup(true, PROFILE_INI_MAX_LINE);
	int k = ini_parse_string(text, ini_handler_fn, &s);
	if (k < 0 || s.r == -ENOMEM || (s.r < 0 && !s.msg)) {
		free(s.msg);
		profile_free(&p);
		return set_error_oom(ret_error);
	}
	if (k > 0) {
		set_error(ret_error, "profile %s: %s line %d: %s", name, label, k,
			  s.msg ? s.msg : "not a 'KEY = VALUE' line or a [section] header");
		free(s.msg);
		profile_free(&p);
		return -EINVAL;
	}
	*ret = p;
	return 0;
}

int profile_parse(const char *name, const char *ini_text, struct profile *ret, char **ret_error)
{
	return profile_parse_labeled(name, "profile.ini", ini_text, ret, ret_error);
}
