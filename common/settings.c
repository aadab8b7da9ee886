/* SPDX-License-Identifier: MIT */
/* The run's settings to and from the contract file's records: the one place with their keys. */
#include "settings.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "contract.h"

enum field_kind {
	FIELD_LIST,   /* struct strv: one record per item, repeated, in order */
	FIELD_NAMES,  /* the same, each a plain name (letters, digits, '-', '_'): it becomes a
			 path in the guest (a layer's mount point, a hook's file) */
	FIELD_STRING, /* char *: one record or none */
	FIELD_FLAG,   /* bool: "1", or no record */
	FIELD_SIZE,   /* unsigned, 1..USHRT_MAX (struct winsize's fields): decimal, or no record */
	FIELD_MODE,   /* enum guest_mode: "raw" or "tmux", always written */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t offset;
};

/* Every key of the contract, in the order the encoder writes them. */
static const struct field fields[] = {
	{"arg", FIELD_LIST, offsetof(struct run_settings, args)},
	{"env", FIELD_LIST, offsetof(struct run_settings, env)},
	{"cwd", FIELD_STRING, offsetof(struct run_settings, cwd)},
	{"cwd-image", FIELD_FLAG, offsetof(struct run_settings, cwd_image)},
	{"layer", FIELD_NAMES, offsetof(struct run_settings, layers)},
	{"shared", FIELD_FLAG, offsetof(struct run_settings, shared)},
	{"mode", FIELD_MODE, offsetof(struct run_settings, mode)},
	{"dmesg", FIELD_FLAG, offsetof(struct run_settings, dmesg)},
	{"coverage", FIELD_FLAG, offsetof(struct run_settings, coverage)},
	{"verbose", FIELD_FLAG, offsetof(struct run_settings, verbose)},
	{"shell", FIELD_FLAG, offsetof(struct run_settings, shell)},
	{"rows", FIELD_SIZE, offsetof(struct run_settings, rows)},
	{"cols", FIELD_SIZE, offsetof(struct run_settings, cols)},
	{"term", FIELD_STRING, offsetof(struct run_settings, term)},
	{"kernel", FIELD_STRING, offsetof(struct run_settings, kernel)},
	{"hook", FIELD_NAMES, offsetof(struct run_settings, hooks)},
	{"option", FIELD_LIST, offsetof(struct run_settings, options)},
	{"profiles", FIELD_STRING, offsetof(struct run_settings, profiles)},
	{"attach", FIELD_FLAG, offsetof(struct run_settings, attach)},
};

static const char *const mode_names[] = {
	[GUEST_MODE_RAW] = "raw",
	[GUEST_MODE_TMUX] = "tmux",
};

static void *field_at(const struct field *f, const struct run_settings *s)
{
	return (char *)s + f->offset;
}

/* Letters, digits, '-' and '_', at least one: never '/', never "..". */
static bool plain_name(const char *s)
{
	if (!s[0])
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

static int encode_field(const struct field *f, const struct run_settings *s, struct buf *b)
{
	void *at = field_at(f, s);
	switch (f->kind) {
	case FIELD_LIST:
	case FIELD_NAMES: {
		const struct strv *v = at;
		for (size_t i = 0; i < v->len; i++) {
			if (f->kind == FIELD_NAMES && !plain_name(v->items[i]))
				return -EINVAL;
			int r = contract_add(b, f->key, v->items[i]);
			if (r < 0)
				return r;
		}
		return 0;
	}
	case FIELD_STRING: {
		const char *v = *(char **)at;
		return v ? contract_add(b, f->key, v) : 0;
	}
	case FIELD_FLAG: return *(bool *)at ? contract_add(b, f->key, "1") : 0;
	case FIELD_SIZE: {
		unsigned v = *(unsigned *)at;
		char text[16]; /* a number of at most 5 digits */
		if (!v)
			return 0;
		if (v > USHRT_MAX)
			return -EINVAL;
		snprintf(text, sizeof(text), "%u", v);
		return contract_add(b, f->key, text);
	}
	case FIELD_MODE: {
		enum guest_mode m = *(enum guest_mode *)at;
		if ((unsigned)m >= ELEMENTSOF(mode_names))
			return -EINVAL;
		return contract_add(b, f->key, mode_names[m]);
	}
	}
	return -EINVAL;
}

int run_settings_encode(const struct run_settings *s, struct buf *ret)
{
	_cleanup_buf_ struct buf b = {0};
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		int r = encode_field(&fields[i], s, &b);
		if (r < 0)
			return r;
	}
	*ret = b;
	b = (struct buf){0};
	return 0;
}

/* Decimal digits only (no sign, no space), 1..USHRT_MAX. */
static int parse_size(const char *text, unsigned *ret)
{
	unsigned long v = 0;
	if (!text[0])
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > USHRT_MAX)
			return -EINVAL;
	}
	if (!v)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int decode_field(const struct field *f, const char *value, struct run_settings *s)
{
	void *at = field_at(f, s);
	switch (f->kind) {
	case FIELD_LIST: return strv_push(at, value);
	case FIELD_NAMES: return plain_name(value) ? strv_push(at, value) : -EINVAL;
	case FIELD_STRING: {
		char *copy = strdup(value);
		if (!copy)
			return -ENOMEM;
		*(char **)at = copy;
		return 0;
	}
	case FIELD_FLAG:
		if (!STREQ(value, "1"))
			return -EINVAL;
		*(bool *)at = true;
		return 0;
	case FIELD_SIZE: return parse_size(value, at);
	case FIELD_MODE:
		for (size_t m = 0; m < ELEMENTSOF(mode_names); m++)
			if (STREQ(value, mode_names[m])) {
				*(enum guest_mode *)at = (enum guest_mode)m;
				return 0;
			}
		return -EINVAL;
	}
	return -EINVAL;
}

int run_settings_decode(const char *data, size_t size, struct run_settings *ret)
{
	/* contract_parse splits in place: a copy, for a caller's const bytes. */
	_cleanup_free_ char *copy = malloc(size ? size : 1);
	_cleanup_free_ struct contract_entry *e = NULL;
	_cleanup_run_settings_ struct run_settings s = {0};
	bool seen[ELEMENTSOF(fields)] = {0};
	size_t n = 0;
	if (!copy)
		return -ENOMEM;
	if (size)
		memcpy(copy, data, size);
	int r = contract_parse(copy, size, &e, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < ELEMENTSOF(fields) && !STREQ(fields[k].key, e[i].key))
			k++;
		if (k == ELEMENTSOF(fields))
			return -EINVAL; /* a key this side does not know */
		if (seen[k] && fields[k].kind != FIELD_LIST && fields[k].kind != FIELD_NAMES)
			return -EINVAL; /* a single value given twice */
		seen[k] = true;
		r = decode_field(&fields[k], e[i].value, &s);
		if (r < 0)
			return r;
	}
	*ret = s;
	s = (struct run_settings){0};
	return 0;
}

void run_settings_free(struct run_settings *s)
{
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		void *at = field_at(&fields[i], s);
		if (fields[i].kind == FIELD_LIST || fields[i].kind == FIELD_NAMES)
			strv_free(at);
		else if (fields[i].kind == FIELD_STRING) {
			free(*(char **)at);
			*(char **)at = NULL;
		}
	}
	*s = (struct run_settings){0};
}
