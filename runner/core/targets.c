/* SPDX-License-Identifier: MIT */
/* The targets file: [NAME] sections through inih, shell-like program words, name filtering. */
#include "targets.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "ini_setup.h"
#include "macro.h"
#include "qemu_argv.h"

#define BLANKS " \t\n\r\f\v"
#define LINE_BLANKS " \t\r\f\v" /* what inih strips around a line (isspace, within it) */
#define KEYS "kernel, arch, profiles, program, list, timeout, memory"
#define NAME_RULE "letters, digits, '.', '-', '_' and '+'"
#define NO_LINE UINT_MAX

/* ---- program words ---- */

int split_command_line(const char *s, struct strv *ret, char **ret_error)
{
	_cleanup_strv_ struct strv words = {0};
	_cleanup_buf_ struct buf word = {0};
	bool in_word = false;
	size_t i = 0;
	int k = 0;

	while (k >= 0) {
		char c = s[i];
		if (c == '\\' && s[i + 1] == '\n') { /* line continuation: nothing at all */
			i += 2;
			continue;
		}
		if (!c || strchr(BLANKS, c)) {
			if (in_word)
				k = strv_push(&words, word.data ? word.data : "");
			buf_free(&word);
			in_word = false;
			if (!c)
				break;
			i++;
			continue;
		}
		in_word = true;
		if (c == '\\') {
			if (!s[i + 1]) {
				set_error(ret_error,
					  "the '\\' at character %zu escapes nothing (it ends the "
					  "command line); write \\\\ for a backslash",
					  i + 1);
				return -EINVAL;
			}
			k = buf_append(&word, s + i + 1, 1);
			i += 2;
		} else if (c == '\'') {
			const char *close = strchr(s + i + 1, '\'');
			if (!close) {
				set_error(
					ret_error,
					"unbalanced quote: the ' at character %zu has no closing '",
					i + 1);
				return -EINVAL;
			}
			k = buf_append(&word, s + i + 1, (size_t)(close - (s + i + 1)));
			i = (size_t)(close - s) + 1;
		} else if (c == '"') {
			size_t open = i++;
			while (k >= 0 && s[i] != '"') {
				if (!s[i]) {
					set_error(
						ret_error,
						"unbalanced quote: the \" at character %zu has no "
						"closing \"",
						open + 1);
					return -EINVAL;
				}
				if (s[i] == '\\' && s[i + 1] == '\n') {
					i += 2;
				} else if (s[i] == '\\' && s[i + 1] && strchr("\"\\$`", s[i + 1])) {
					k = buf_append(&word, s + i + 1, 1);
					i += 2;
				} else {
					k = buf_append(&word, s + i, 1);
					i++;
				}
			}
			i++;
		} else {
			k = buf_append(&word, s + i, 1);
			i++;
		}
	}
	if (k < 0)
		return set_error_oom(ret_error);
	*ret = words;
	words = (struct strv){0};
	return 0;
}

/* ---- the list ---- */

static void target_free(struct target *t)
{
	free(t->name);
	free(t->kernel);
	free(t->arch);
	free(t->profiles);
	free(t->memory);
	strv_free(&t->program);
	strv_free(&t->list_cmd);
	*t = (struct target){0};
}

void target_list_free(struct target_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		target_free(&l->items[i]);
	free(l->items);
	*l = (struct target_list){0};
}

static struct target *list_find(const struct target_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (STREQ(l->items[i].name, name))
			return &l->items[i];
	return NULL;
}

/* ---- the file ---- */

struct parse_state {
	struct target_list list; /* every [NAME] the scan accepted, in file order */
	unsigned *ends;		 /* per target: the line of the next [ header; 0 = end of file */
	unsigned err_line;	 /* the first error: its line (NO_LINE: none), */
	char *err_target;	 /* its target (NULL: not about one), */
	char *err_msg;		 /* and what is wrong (NULL: inih found the line malformed) */
	int r;			 /* the handler's error, -EINVAL or -ENOMEM; 0 while none */
	bool scan_failed;	 /* scan_lines stopped at an error (at err_line) */
};

static void state_free(struct parse_state *s)
{
	target_list_free(&s->list);
	free(s->ends);
	free(s->err_target);
	free(s->err_msg);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == '+';
}

/* One "[...]" line (start: after leading blanks, end: before trailing ones); appends the
 * target, or sets s->err_msg. */
static int scan_header(struct parse_state *s, const char *start, const char *end, unsigned line)
{
	const char *close = memchr(start, ']', (size_t)(end - start));
	if (!close) {
		set_error(&s->err_msg, "'[' starts a target but there is no ']'; write [NAME]");
		return s->err_msg ? -EINVAL : -ENOMEM;
	}
	if (close + 1 != end) {
		const char *junk = close + 1 + strspn(close + 1, LINE_BLANKS);
		set_error(
			&s->err_msg,
			"'%.*s' after ']'; a [NAME] line holds nothing else (comments go on their "
			"own line)",
			(int)(end - junk), junk);
		return s->err_msg ? -EINVAL : -ENOMEM;
	}
	size_t len = (size_t)(close - start - 1);
	const char *name = start + 1;
	for (size_t i = 0; i < len; i++)
		if (!name_char(name[i])) {
			set_error(&s->err_msg, "[%.*s]: not a valid target name (%s)", (int)len,
				  name, NAME_RULE);
			return s->err_msg ? -EINVAL : -ENOMEM;
		}
	if (len > 0 && name[0] == '.') {
		/* The name is a folder under --results: "[..]" would write into its parent. */
		set_error(&s->err_msg,
			  "[%.*s]: a target name must not start with '.' (it names a folder under "
			  "--results); rename it",
			  (int)len, name);
		return s->err_msg ? -EINVAL : -ENOMEM;
	}
	if (len == strlen(TARGETS_SUMMARY_NAME) && !memcmp(name, TARGETS_SUMMARY_NAME, len)) {
		/* --results DIR/NAME/ beside DIR/summary.json: the folder would take its place. */
		set_error(&s->err_msg,
			  "[%s]: the name of --results' summary file, which a target's folder "
			  "would take; rename it",
			  TARGETS_SUMMARY_NAME);
		return s->err_msg ? -EINVAL : -ENOMEM;
	}
	if (len == 0 || len > TARGET_NAME_MAX) {
		set_error(&s->err_msg, "[%.*s]: a target name has 1 to %d characters", (int)len,
			  name, TARGET_NAME_MAX);
		return s->err_msg ? -EINVAL : -ENOMEM;
	}

	_cleanup_free_ char *dup = strndup(name, len);
	if (!dup)
		return -ENOMEM;
	const struct target *first = list_find(&s->list, dup);
	if (first) {
		s->err_target = TAKE_PTR(dup);
		set_error(&s->err_msg, "defined again (first at line %u); keep one [%s]",
			  first->line, s->err_target);
		return s->err_msg ? -EINVAL : -ENOMEM;
	}
	struct target *items = realloc(s->list.items, (s->list.n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	s->list.items = items;
	unsigned *ends = realloc(s->ends, (s->list.n + 1) * sizeof(*ends));
	if (!ends)
		return -ENOMEM;
	s->ends = ends;
	s->ends[s->list.n] = 0;
	s->list.items[s->list.n++] = (struct target){.name = TAKE_PTR(dup), .line = line};
	return 0;
}

/*
 * What inih will see, line by line, as far as this parser needs it: the [NAME] headers (which
 * inih passes to no callback, and cuts after 49 bytes) with their lines, and lines too long for
 * inih's buffer. Stops at the first error, with err_line and err_msg set.
 */
static int scan_lines(struct parse_state *s, const char *text)
{
	unsigned line = 0;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		const char *start = p, *end = p + len;
		p = *end ? end + 1 : end;
		line++;

		if (len > TARGETS_INI_MAX_LINE - 3) {
			s->err_line = line;
			set_error(&s->err_msg, "longer than %d characters; shorten it",
				  TARGETS_INI_MAX_LINE - 3);
			return s->err_msg ? -EINVAL : -ENOMEM;
		}
		if (line == 1 && len >= 3 && memcmp(start, "\xef\xbb\xbf", 3) == 0)
			start += 3; /* a UTF-8 BOM, as inih skips it */
		start += strspn(start, LINE_BLANKS);
		while (end > start && strchr(LINE_BLANKS, end[-1]))
			end--;
		if (start == end || *start != '[')
			continue;

		if (s->list.n > 0 && s->ends[s->list.n - 1] == 0)
			s->ends[s->list.n - 1] = line;
		int k = scan_header(s, start, end, line);
		if (k < 0) {
			s->err_line = line;
			return k;
		}
	}
	return 0;
}

/* "300" -> 300; whole seconds from 1 to TARGET_TIMEOUT_MAX. */
static bool parse_timeout(const char *v, unsigned *ret)
{
	unsigned long n = 0;

	if (!*v || v[strspn(v, "0123456789")])
		return false;
	for (; *v; v++) {
		n = n * 10 + (unsigned long)(*v - '0');
		if (n > TARGET_TIMEOUT_MAX)
			return false;
	}
	if (n == 0)
		return false;
	*ret = (unsigned)n;
	return true;
}

/* "512M", "1g", "2048": digits (not all zero), then at most one of K M G T in either case. */
static bool memory_valid(const char *v)
{
	size_t digits = strspn(v, "0123456789");
	if (digits == 0 || strspn(v, "0") == digits)
		return false;
	return !v[digits] || (strchr("KMGTkmgt", v[digits]) && !v[digits + 1]);
}

/* Keeps value in *field; "given twice" and "empty" are errors. */
static int set_string(struct parse_state *s, char **field, const char *key, const char *value,
		      const char *example)
{
	if (*field) {
		set_error(&s->err_msg, "%s is given twice; keep one", key);
		return -EINVAL;
	}
	if (!*value) {
		set_error(&s->err_msg, "%s is empty; write e.g. %s = %s", key, key, example);
		return -EINVAL;
	}
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

/* One key = value line of target t; -EINVAL with s->err_msg set, or -ENOMEM. */
static int target_entry(struct parse_state *s, struct target *t, const char *key, const char *value)
{
	if (STREQ(key, "kernel"))
		return set_string(s, &t->kernel, key, value, "6.1");
	if (STREQ(key, "arch")) {
		if (*value && !arch_find(value)) {
			set_error(&s->err_msg, "arch '%s' is not one quiz boots: %s", value,
				  arch_names());
			return -EINVAL;
		}
		return set_string(s, &t->arch, key, value, "aarch64");
	}
	if (STREQ(key, "profiles"))
		return set_string(s, &t->profiles, key, value, "blockdev:count=2,memdev");
	if (STREQ(key, "memory")) {
		unsigned long long mib;
		if (!t->memory && *value && !memory_valid(value)) {
			set_error(&s->err_msg,
				  "memory '%s' is not a size like 512M or 2G (digits, then K, M, G "
				  "or T)",
				  value);
			return -EINVAL;
		}
		if (!t->memory && *value && qemu_memory_parse(value, &mib) == -ERANGE) {
			set_error(&s->err_msg, "memory '%s' is out of range: " QEMU_MEMORY_LIMITS,
				  value);
			return -EINVAL;
		}
		return set_string(s, &t->memory, key, value, "512M");
	}
	if (STREQ(key, "timeout")) {
		if (t->timeout_s) {
			set_error(&s->err_msg, "timeout is given twice; keep one");
			return -EINVAL;
		}
		if (!parse_timeout(value, &t->timeout_s)) {
			set_error(&s->err_msg,
				  "timeout '%s' is not a whole number of seconds from 1 to %d",
				  value, TARGET_TIMEOUT_MAX);
			return -EINVAL;
		}
		return 0;
	}
	if (STREQ(key, "program")) {
		_cleanup_free_ char *msg = NULL;
		if (t->program.len) {
			set_error(&s->err_msg, "program is given twice; keep one");
			return -EINVAL;
		}
		int k = split_command_line(value, &t->program, &msg);
		if (k == -EINVAL)
			set_error(&s->err_msg, "program: %s", msg ? msg : "invalid");
		else if (k == 0 && t->program.len == 0) {
			set_error(&s->err_msg, "program is empty; write e.g. program = ./test.sh");
			k = -EINVAL;
		} else if (k == 0 && !*t->program.items[0]) {
			set_error(&s->err_msg, "program: its first word, the command, is empty");
			strv_free(&t->program);
			k = -EINVAL;
		}
		return k;
	}
	if (STREQ(key, "list")) {
		_cleanup_free_ char *msg = NULL;
		if (t->list_cmd.len) {
			set_error(&s->err_msg, "list is given twice; keep one");
			return -EINVAL;
		}
		int k = split_command_line(value, &t->list_cmd, &msg);
		if (k == -EINVAL)
			set_error(&s->err_msg, "list: %s", msg ? msg : "invalid");
		else if (k == 0 && (t->list_cmd.len == 0 || !*t->list_cmd.items[0])) {
			set_error(&s->err_msg, "list: name the suite's list command, e.g. list = "
					       "./suite --list");
			strv_free(&t->list_cmd);
			k = -EINVAL;
		}
		return k;
	}
	if (!*key)
		set_error(&s->err_msg, "no key before '='; write KEY = VALUE");
	else
		set_error(&s->err_msg, "unknown key '%s'; keys: " KEYS, key);
	return -EINVAL;
}

static int handler_fn(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *s = user;

	if (s->r < 0)
		return 0;
	int k;
	if (!*section) {
		set_error(&s->err_msg, "'%s' comes before any target; start one with a [NAME] line",
			  key);
		k = s->err_msg ? -EINVAL : -ENOMEM;
	} else {
		struct target *t = list_find(&s->list, section);
		if (t) {
			k = target_entry(s, t, key, value);
			if (k == -EINVAL && (!s->err_msg || !(s->err_target = strdup(t->name))))
				k = -ENOMEM; /* the message could not be made */
		} else if (s->scan_failed) {
			return 1; /* under a header at or after the scan's error: that wins */
		} else {
			set_error(&s->err_msg, "[%s] was not understood", section); /* can't be */
			k = s->err_msg ? -EINVAL : -ENOMEM;
		}
	}
	if (k < 0) {
		s->r = k;
		return 0;
	}
	return 1;
}

/* Target i's required keys; sets s->err_* when one is missing. */
static int check_required(struct parse_state *s, size_t i)
{
	const struct target *t = &s->list.items[i];
	const char *missing = !t->kernel ? "kernel" : t->program.len == 0 ? "program" : NULL;
	if (!missing)
		return 0;
	free(s->err_msg);
	free(s->err_target);
	s->err_line = t->line;
	s->err_target = strdup(t->name);
	set_error(&s->err_msg, "no %s; add e.g. %s = %s", missing, missing,
		  STREQ(missing, "kernel") ? "6.1" : "./test.sh");
	return s->err_target && s->err_msg ? -EINVAL : -ENOMEM;
}

int targets_parse(const char *file_name, const char *text, struct target_list *ret,
		  char **ret_error)
{
	struct parse_state s = {.err_line = NO_LINE};
	int k = scan_lines(&s, text);
	if (k == -ENOMEM) {
		state_free(&s);
		return set_error_oom(ret_error);
	}
	s.scan_failed = k < 0;

	/* The scan's error stands unless inih stops on an earlier line. */
	_cleanup_free_ char *scan_target = TAKE_PTR(s.err_target), *scan_msg = TAKE_PTR(s.err_msg);
	ini_setup(false, TARGETS_INI_MAX_LINE); /* no inline comments: a program may hold " ;" */
	k = ini_parse_string(text, handler_fn, &s);
	if (k < 0 || s.r == -ENOMEM) {
		state_free(&s);
		return set_error_oom(ret_error);
	}
	if (k > 0 && (unsigned)k < s.err_line) {
		s.err_line = (unsigned)k;
	} else if (s.err_line != NO_LINE) {
		free(s.err_target);
		free(s.err_msg);
		s.err_target = TAKE_PTR(scan_target);
		s.err_msg = TAKE_PTR(scan_msg);
	}

	/* A target read to its end (before the error) may lack a required key: an earlier line. */
	for (size_t i = 0; i < s.list.n && s.list.items[i].line < s.err_line; i++) {
		unsigned end = s.ends[i];
		if (end ? end > s.err_line : s.err_line != NO_LINE)
			break;
		k = check_required(&s, i);
		if (k == -ENOMEM) {
			state_free(&s);
			return set_error_oom(ret_error);
		}
		if (k < 0)
			break;
	}

	if (s.err_line != NO_LINE) {
		if (s.err_target)
			set_error(ret_error, "%s line %u: target %s: %s", file_name, s.err_line,
				  s.err_target, s.err_msg);
		else
			set_error(ret_error, "%s line %u: %s", file_name, s.err_line,
				  s.err_msg ? s.err_msg
					    : "not a KEY = VALUE line, a [NAME] line or a comment");
		state_free(&s);
		return -EINVAL;
	}
	if (s.list.n == 0) {
		set_error(
			ret_error,
			"%s: no targets; add one, e.g. [ext4-6.1] with kernel = 6.1 and program = "
			"./test.sh on the lines below",
			file_name);
		state_free(&s);
		return -EINVAL;
	}
	*ret = s.list;
	s.list = (struct target_list){0};
	state_free(&s);
	return 0;
}

/* ---- filtering ---- */

int targets_filter(struct target_list *list, const char *regex, char **ret_error)
{
	regex_t re;

	if (!regex)
		return 0;
	int k = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (k != 0) {
		char why[256];
		(void)regerror(k, &re, why, sizeof(why));
		set_error(ret_error, "'%s' is not a valid extended regular expression: %s", regex,
			  why);
		return k == REG_ESPACE ? -ENOMEM : -EINVAL;
	}
	size_t kept = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (regexec(&re, list->items[i].name, 0, NULL, 0) == 0)
			list->items[kept++] = list->items[i];
		else
			target_free(&list->items[i]);
	}
	list->n = kept;
	regfree(&re);
	return 0;
}

void targets_shard(struct target_list *list, unsigned index, unsigned count)
{
	size_t kept = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (shard_takes(i, index, count))
			list->items[kept++] = list->items[i];
		else
			target_free(&list->items[i]);
	}
	list->n = kept;
}
