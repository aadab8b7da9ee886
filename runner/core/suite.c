/* SPDX-License-Identifier: MIT */
/* --each's suites: list parsing, per-test commands, skips, folders, known failures. */
#include "suite.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "safe_text.h"

const char *suite_kind_name(enum suite_kind k)
{
	switch (k) {
	case SUITE_KSELFTEST: return "kselftest";
	case SUITE_FSTESTS: return "fstests";
	default: return "generic";
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

enum suite_kind suite_detect(const char *program, bool has_common_rc)
{
	if (!program)
		return SUITE_GENERIC;
	const char *base = base_name(program);
	if (STREQ(base, "run_kselftest.sh"))
		return SUITE_KSELFTEST;
	if (STREQ(base, "check") && has_common_rc)
		return SUITE_FSTESTS;
	return SUITE_GENERIC;
}

/* fstests' check: the words that choose tests, with how many values each takes. */
static int fstests_selector(const char *w)
{
	static const char *const with_value[] = {"-g", "-x", "-e", "-E", "-X"};
	static const char *const alone[] = {"-r", "--exact-order"};
	for (size_t i = 0; i < ELEMENTSOF(with_value); i++)
		if (STREQ(w, with_value[i]))
			return 2;
	for (size_t i = 0; i < ELEMENTSOF(alone); i++)
		if (STREQ(w, alone[i]))
			return 1;
	return w[0] != '-' ? 1 : 0; /* a test's name (or a glob of them) */
}

/* check's options that take a value (kept with it): -s SECTION, -S, -R FMT, -L N, -i N, ... */
static bool fstests_takes_value(const char *w)
{
	static const char *const with_value[] = {"-s", "-S", "-R", "-L", "-i", "-I", "-T"};
	for (size_t i = 0; i < ELEMENTSOF(with_value); i++)
		if (STREQ(w, with_value[i]))
			return !STREQ(w, "-T"); /* -T (timestamps) takes none */
	return false;
}

/*
 * fstests' check mounts TEST_DEV before anything (check -n too), and a fresh disk holds no
 * filesystem: in the guest, before check, the mount points are made and a TEST_DEV without
 * any filesystem (blkid finds none) gets one of FSTYP. check compares the devices in
 * /proc/mounts with TEST_DEV and SCRATCH_DEV by name: links (/dev/quizb0) become the devices
 * they name. Then check, with its words.
 */
#define FSTESTS_PREPARE                                                                            \
	"mkdir -p \"$TEST_DIR\" \"$SCRATCH_MNT\" || exit 125; "                                    \
	"TEST_DEV=$(readlink -f \"$TEST_DEV\") && SCRATCH_DEV=$(readlink -f \"$SCRATCH_DEV\") && " \
	"export TEST_DEV SCRATCH_DEV || exit 125; "                                                \
	"if ! blkid -p \"$TEST_DEV\" >/dev/null 2>&1; then "                                       \
	"mkfs -t \"$FSTYP\" \"$TEST_DEV\" >/dev/null 2>&1 || "                                     \
	"{ echo \"quiz: mkfs -t $FSTYP $TEST_DEV failed\" >&2; exit 125; }; fi; "                  \
	"exec \"$@\""

static int fstests_wrap(struct strv *v)
{
	static const char *const words[] = {"sh", "-c", FSTESTS_PREPARE, "quiz-fstests"};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(words); i++)
		r = strv_push(v, words[i]);
	return r;
}

int suite_list_argv(enum suite_kind k, char *const *program, const struct strv *list_cmd,
		    struct strv *ret, char **ret_error)
{
	struct strv v = {0};
	int r = 0;
	if (k == SUITE_GENERIC) {
		if (!list_cmd || !list_cmd->len) {
			*ret_error = strdup("--each needs the suite's list command: --list-cmd "
					    "'CMD' (quiz knows run_kselftest.sh and fstests' check "
					    "without one)");
			return -EINVAL;
		}
		for (size_t i = 0; r >= 0 && i < list_cmd->len; i++)
			r = strv_push(&v, list_cmd->items[i]);
	} else {
		r = k == SUITE_FSTESTS ? fstests_wrap(&v) : 0;
		if (r >= 0)
			r = strv_push(&v, program[0]);
		if (r >= 0)
			r = strv_push(&v, k == SUITE_KSELFTEST ? "--list" : "-n");
		for (size_t i = 1; r >= 0 && k == SUITE_FSTESTS && program[i]; i++)
			r = strv_push(&v, program[i]);
	}
	if (r < 0) {
		strv_free(&v);
		return r;
	}
	strv_free(ret);
	*ret = v;
	return 0;
}

/* kselftest: the user's -c C / -t C:T choose; none chooses every listed test. */
static bool kselftest_chosen(char *const *program, const char *name)
{
	bool any = false;
	for (size_t i = 1; program[i] && program[i + 1]; i++) {
		const char *w = program[i], *v = program[i + 1];
		bool coll = STREQ(w, "-c") || STREQ(w, "--collection");
		bool test = STREQ(w, "-t") || STREQ(w, "--test");
		if (!coll && !test)
			continue;
		any = true;
		size_t n = strlen(v);
		if (test ? STREQ(name, v) : strncmp(name, v, n) == 0 && name[n] == ':')
			return true;
		i++;
	}
	return !any;
}

/* fstests: a line of check -n that is a test's name: DIR/NAME of [A-Za-z0-9_.-]. */
static bool fstests_name(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (const char *p = s; *p; p++)
		if (!(p == slash || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool has_name(const struct strv *v, const char *name)
{
	for (size_t i = 0; i < v->len; i++)
		if (STREQ(v->items[i], name))
			return true;
	return false;
}

static bool folder_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c == '.' && !first) || (c && strchr("_+:@=,-", c));
}

/* The length of name's folder (suite_folder_name): a folder is at most NAME_MAX bytes too. */
static size_t folder_length(const char *name)
{
	size_t n = 0;
	for (const char *p = name; *p; p++)
		n += folder_char(*p, p == name) ? 1 : 3;
	return n;
}

/* One trimmed line: 1 a name to keep, 0 none, -EINVAL a bad line (message in *why). */
static int list_line(enum suite_kind k, char *const *program, char *line, const char **why)
{
	/* Names reach the terminal (--list) and the reports: C1 controls (U+009B is a CSI) and
	 * bytes that are not UTF-8 are refused with C0's. */
	size_t len = strlen(line);
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp = 0;
		n = utf8_decode((const unsigned char *)line + i, len - i, &cp);
		if (!n || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			*why = n ? "a control character" : "a byte that is not UTF-8";
			return -EINVAL;
		}
	}
	if (!line[0] || (k == SUITE_GENERIC && line[0] == '#'))
		return 0;
	if (k == SUITE_FSTESTS)
		return fstests_name(line) ? 1 : 0;
	if (strlen(line) > SUITE_NAME_MAX) {
		*why = "a name longer than 255 bytes";
		return -EINVAL;
	}
	if (folder_length(line) > SUITE_NAME_MAX) {
		*why = "a name whose folder (bytes outside [A-Za-z0-9._+:@=,-] as %XX) is longer "
		       "than 255 bytes";
		return -EINVAL;
	}
	if (k == SUITE_KSELFTEST) {
		if (strpbrk(line, " \t") || !strchr(line, ':')) {
			*why = "not COLLECTION:TEST";
			return -EINVAL;
		}
		return kselftest_chosen(program, line) ? 1 : 0;
	}
	return 1;
}

int suite_parse_list(enum suite_kind k, char *const *program, const char *text, size_t len,
		     struct strv *ret, char **ret_error)
{
	struct strv v = {0};
	int r = 0;
	unsigned line_no = 0;
	for (size_t at = 0; r >= 0 && at < len; line_no++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, b = at, e = end;
		at = end + 1;
		while (b < e && is_blank(text[b]))
			b++;
		while (e > b && is_blank(text[e - 1]))
			e--;
		_cleanup_free_ char *line = strndup(text + b, e - b);
		const char *why = NULL;
		if (!line) {
			r = -ENOMEM;
			break;
		}
		if (memchr(text + b, '\0', e - b)) {
			why = "a NUL byte";
			r = -EINVAL;
		} else {
			r = list_line(k, program, line, &why);
		}
		if (r == -EINVAL) {
			if (asprintf(ret_error, "line %u: %s", line_no + 1, why) < 0)
				*ret_error = NULL;
			break;
		}
		if (r > 0 && !has_name(&v, line))
			r = strv_push(&v, line);
	}
	if (r < 0) {
		strv_free(&v);
		return r;
	}
	strv_free(ret);
	*ret = v;
	return 0;
}

/* generic: each "{}" in word replaced by name. */
static int replace_braces(const char *word, const char *name, struct strv *v, bool *found)
{
	_cleanup_buf_ struct buf b = {0};
	int r = buf_append(&b, "", 0);
	for (const char *p = word; r >= 0 && *p;) {
		const char *at = strstr(p, "{}");
		if (!at) {
			r = buf_puts(&b, p);
			break;
		}
		*found = true;
		r = buf_append(&b, p, (size_t)(at - p));
		if (r >= 0)
			r = buf_puts(&b, name);
		p = at + 2;
	}
	return r < 0 ? r : strv_push(v, b.data);
}

int suite_test_argv(enum suite_kind k, char *const *program, const char *name, struct strv *ret)
{
	struct strv v = {0};
	int r = k == SUITE_FSTESTS ? fstests_wrap(&v) : 0;
	if (r >= 0)
		r = strv_push(&v, program[0]);
	bool found = false;
	for (size_t i = 1; r >= 0 && program[i]; i++) {
		const char *w = program[i];
		if (k == SUITE_KSELFTEST && program[i + 1] &&
		    (STREQ(w, "-c") || STREQ(w, "--collection") || STREQ(w, "-t") ||
		     STREQ(w, "--test"))) {
			i++;
			continue;
		}
		if (k == SUITE_FSTESTS) {
			if (fstests_takes_value(w) && program[i + 1]) {
				r = strv_push(&v, w);
				if (r >= 0)
					r = strv_push(&v, program[++i]);
				continue;
			}
			int skip = fstests_selector(w);
			if (skip) {
				i += (size_t)skip - 1;
				if (!program[i])
					break;
				continue;
			}
		}
		r = k == SUITE_GENERIC ? replace_braces(w, name, &v, &found) : strv_push(&v, w);
	}
	if (r >= 0 && k == SUITE_KSELFTEST)
		r = strv_push(&v, "-t");
	if (r >= 0 && (k != SUITE_GENERIC || !found))
		r = strv_push(&v, name);
	if (r < 0) {
		strv_free(&v);
		return r;
	}
	strv_free(ret);
	*ret = v;
	return 0;
}

/* A line of text that starts with prefix (text NUL-terminated; NULL: no text). */
static bool has_line(const char *text, const char *prefix, const char *also)
{
	size_t n = strlen(prefix);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= n && strncmp(p, prefix, n) == 0 &&
		    (!also || (memmem(p, len, also, strlen(also)) != NULL)))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

bool suite_skipped(enum suite_kind k, int exit_code, const char *stdout_text)
{
	switch (k) {
	case SUITE_KSELFTEST:
		return exit_code == 0 && has_line(stdout_text, "ok ", "# SKIP") &&
		       !suite_failed(k, exit_code, stdout_text);
	case SUITE_FSTESTS: return exit_code == 0 && has_line(stdout_text, "Not run: ", NULL);
	default: return exit_code == 77 || has_line(stdout_text, "1..0 # SKIP", NULL);
	}
}

/* A TAP line "not ok ..." at the start of a line that is no TODO. */
static bool tap_not_ok(const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= 7 && strncmp(p, "not ok ", 7) == 0 && !memmem(p, len, "# TODO", 6))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

bool suite_failed(enum suite_kind k, int exit_code, const char *stdout_text)
{
	if (exit_code != 0)
		return true;
	switch (k) {
	case SUITE_KSELFTEST: return tap_not_ok(stdout_text) || !has_line(stdout_text, "ok ", NULL);
	case SUITE_GENERIC: return tap_not_ok(stdout_text);
	default: return false;
	}
}

int suite_folder_name(const char *name, char **ret)
{
	_cleanup_buf_ struct buf b = {0};
	int r = buf_append(&b, "", 0);
	for (const char *p = name; r >= 0 && *p; p++)
		r = folder_char(*p, p == name) ? buf_append(&b, p, 1)
					       : buf_printf(&b, "%%%02X", (unsigned char)*p);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(b.data);
	return 0;
}

void known_failures_free(struct known_failures *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->items[i].pattern);
		free(k->items[i].why);
	}
	free(k->items);
	*k = (struct known_failures){0};
}

static int known_add(struct known_failures *k, const char *line, unsigned no)
{
	size_t plen = strcspn(line, " \t");
	const char *why = line + plen;
	while (is_blank(*why))
		why++;
	struct known_failure *grown = realloc(k->items, (k->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	k->items = grown;
	struct known_failure *f = &grown[k->n];
	*f = (struct known_failure){.pattern = strndup(line, plen), .why = strdup(why), .line = no};
	if (!f->pattern || !f->why) {
		free(f->pattern);
		free(f->why);
		return -ENOMEM;
	}
	k->n++;
	return 0;
}

int known_failures_parse(const char *file_name, const char *text, struct known_failures *ret,
			 char **ret_error)
{
	struct known_failures k = {0};
	int r = 0;
	unsigned no = 0;
	for (const char *p = text; r >= 0 && p && *p; no++) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = strndup(p, len);
		p = nl ? nl + 1 : NULL;
		if (!line) {
			r = -ENOMEM;
			break;
		}
		char *s = line, *e = line + len;
		while (is_blank(*s))
			s++;
		while (e > s && is_blank(e[-1]))
			*--e = '\0';
		for (const unsigned char *c = (const unsigned char *)s; *c; c++)
			if (*c < 0x20 && *c != '\t') {
				r = -EINVAL;
				if (asprintf(ret_error,
					     "%s line %u: a control character; write one test a "
					     "line: PATTERN [WHY]",
					     file_name, no + 1) < 0)
					*ret_error = NULL;
				break;
			}
		if (r >= 0 && *s && *s != '#')
			r = known_add(&k, s, no + 1);
	}
	if (r < 0) {
		known_failures_free(&k);
		return r;
	}
	known_failures_free(ret);
	*ret = k;
	return 0;
}

const struct known_failure *known_failures_match(const struct known_failures *k, const char *name)
{
	for (size_t i = 0; k && i < k->n; i++)
		if (fnmatch(k->items[i].pattern, name, 0) == 0)
			return &k->items[i];
	return NULL;
}
