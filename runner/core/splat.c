/* SPDX-License-Identifier: MIT */
/* The kernel-log splat classifier: titles by table, extents by each kind's end marker. */
#include "splat.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_REPORT_LINES 200
#define GAP_SECONDS 1.0 /* a report comes in one burst: a longer pause is the log moving on */
#define RULER_MIN 20	/* KASAN's and KCSAN's "=====" rulers are 66, UBSAN's 80 */
/* Past this much held, a piece being fed is decided on before the rest of it is taken. */
#define DECIDE_BYTES (1 << 20)

struct line {
	const char *start; /* the whole line, without its LF and trailing CRs */
	size_t len;
	const char *msg; /* after the stamp (and caller id); the whole line when unstamped */
	size_t msg_len;
	bool stamped;
	double time;
};

/* A message prefix and, when set, a word it must also contain somewhere after it, or a test
 * of what follows the prefix. */
struct title_rule {
	const char *prefix;
	const char *contains;
	enum splat_kind kind;
	bool (*match)(const char *rest, size_t len);
};

static bool file_line_at(const char *s, size_t len);
static bool s390_die_line(const char *s, size_t len);

/* First match wins; the specific forms come before the general ones. The "watchdog: ",
 * "NMI watchdog: ", "rcu: " and "kmemleak: " forms are the kernel's pr_fmt prefixes. */
static const struct title_rule title_rules[] = {
	{"WARNING: CPU: ", " at ", SPLAT_WARNING},
	{"WARNING: at ", NULL, SPLAT_WARNING},
	/* lockdep's and PROVE_RCU's reports (kernel/locking/lockdep.c, lockdep_rcu_suspicious) */
	{"WARNING: possible circular locking dependency detected", NULL, SPLAT_LOCKDEP},
	{"WARNING: possible recursive locking detected", NULL, SPLAT_LOCKDEP},
	{"WARNING: inconsistent lock state", NULL, SPLAT_LOCKDEP},
	{"WARNING: possible irq lock inversion dependency detected", NULL, SPLAT_LOCKDEP},
	{"WARNING: ", "-safe -> ", SPLAT_LOCKDEP}, /* "HARDIRQ-safe -> HARDIRQ-unsafe lock order" */
	{"WARNING: bad unlock balance detected!", NULL, SPLAT_LOCKDEP},
	{"WARNING: bad contention detected!", NULL, SPLAT_LOCKDEP},
	{"WARNING: held lock freed!", NULL, SPLAT_LOCKDEP},
	{"WARNING: lock held when returning to user space!", NULL, SPLAT_LOCKDEP},
	{"WARNING: Nested lock was not taken", NULL, SPLAT_LOCKDEP},
	{"WARNING: suspicious RCU usage", NULL, SPLAT_LOCKDEP},
	{"WARNING: lock held at task exit time!", NULL, SPLAT_LOCKDEP},
	/* the newer form, "WARNING: kernel/x.c:12 at f+0x1/0x2, CPU#0: comm/1" */
	{"WARNING: ", NULL, SPLAT_WARNING, file_line_at},
	{"BUG: KASAN: ", NULL, SPLAT_KASAN},
	{"BUG: KFENCE: ", NULL, SPLAT_KFENCE},
	{"BUG: KCSAN: ", NULL, SPLAT_KCSAN},
	/* syzkaller prints this before kmemleak's objects */
	{"BUG: memory leak", NULL, SPLAT_KMEMLEAK},
	{"BUG: soft lockup", NULL, SPLAT_SOFT_LOCKUP},
	{"watchdog: BUG: soft lockup", NULL, SPLAT_SOFT_LOCKUP},
	{"NMI watchdog: BUG: soft lockup", NULL, SPLAT_SOFT_LOCKUP},
	{"BUG: kernel NULL pointer dereference", NULL, SPLAT_OOPS},
	{"BUG: unable to handle", NULL, SPLAT_OOPS}, /* page fault, kernel paging request */
	{"BUG: ", NULL, SPLAT_BUG},
	/* arm and arm64: "Unable to handle kernel NULL pointer dereference" / "paging request" */
	{"Unable to handle kernel ", NULL, SPLAT_OOPS},
	{"Watchdog detected hard LOCKUP on cpu", NULL, SPLAT_HARD_LOCKUP},
	{"watchdog: ", "Watchdog detected hard LOCKUP on cpu", SPLAT_HARD_LOCKUP},
	{"NMI watchdog: ", "Watchdog detected hard LOCKUP on cpu", SPLAT_HARD_LOCKUP},
	{"UBSAN: ", NULL, SPLAT_UBSAN},
	{"INFO: task ", " blocked for more than ", SPLAT_HUNG_TASK},
	{"rcu: INFO: ", " stall", SPLAT_RCU_STALL},
	{"INFO: rcu", " stall", SPLAT_RCU_STALL},
	{"kmemleak: ", " new suspected memory leak", SPLAT_KMEMLEAK},
	{"kmemleak: unreferenced object 0x", NULL, SPLAT_KMEMLEAK},
	{"unreferenced object 0x", NULL, SPLAT_KMEMLEAK},
	{"Oops: general protection fault", NULL, SPLAT_GPF},
	{"general protection fault", NULL, SPLAT_GPF},
	{"Oops: ", NULL, SPLAT_OOPS},
	{"Oops[#", NULL, SPLAT_OOPS},
	{"Internal error: Oops", NULL, SPLAT_OOPS},
	{"invalid opcode: ", NULL, SPLAT_OOPS},
	{"Kernel BUG at ", NULL, SPLAT_OOPS},
	/* s390's die(): "illegal operation: 0001 ilc:2 [#1]", "monitor event: 0040 ilc:2 [#1]" */
	{"", NULL, SPLAT_OOPS, s390_die_line},
	{"Kernel panic - not syncing: ", NULL, SPLAT_PANIC},
	{"kernel BUG at ", NULL, SPLAT_BUG},
};

static const char *const kind_names[] = {
	[SPLAT_WARNING] = "warning",
	[SPLAT_BUG] = "bug",
	[SPLAT_OOPS] = "oops",
	[SPLAT_GPF] = "gpf",
	[SPLAT_KASAN] = "kasan",
	[SPLAT_UBSAN] = "ubsan",
	[SPLAT_KCSAN] = "kcsan",
	[SPLAT_KFENCE] = "kfence",
	[SPLAT_LOCKDEP] = "lockdep",
	[SPLAT_HUNG_TASK] = "hung-task",
	[SPLAT_SOFT_LOCKUP] = "soft-lockup",
	[SPLAT_HARD_LOCKUP] = "hard-lockup",
	[SPLAT_RCU_STALL] = "rcu-stall",
	[SPLAT_KMEMLEAK] = "kmemleak",
	[SPLAT_PANIC] = "panic",
};

const char *splat_kind_name(enum splat_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]) || !kind_names[kind])
		return "unknown";
	return kind_names[kind];
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool contains(const char *s, size_t len, const char *word)
{
	return memmem(s, len, word, strlen(word)) != NULL;
}

static size_t skip_digits(const char *s, size_t len, size_t i)
{
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	return i;
}

/* "[    1.234567]" with an optional "<N>" before it and "[  T83]" / "[C0]" after it, then one
 * blank: sets msg and time. The seconds are digits '.' digits, as CONFIG_PRINTK_TIME prints. */
static void parse_stamp(struct line *l)
{
	const char *s = l->start;
	size_t len = l->len, i = 0;
	if (i < len && s[i] == '<') {
		size_t d = skip_digits(s, len, i + 1);
		if (d == i + 1 || d >= len || s[d] != '>')
			return;
		i = d + 1;
	}
	if (i >= len || s[i] != '[')
		return;
	for (i++; i < len && s[i] == ' '; i++)
		;
	size_t secs = i, dot = skip_digits(s, len, i);
	if (dot == secs || dot >= len || s[dot] != '.')
		return;
	size_t end = skip_digits(s, len, dot + 1);
	if (end == dot + 1 || end >= len || s[end] != ']')
		return;
	i = end + 1;
	if (i < len && s[i] == '[') {
		size_t j = i + 1;
		while (j < len && s[j] == ' ')
			j++;
		if (j < len && (s[j] == 'T' || s[j] == 'C')) {
			size_t k = skip_digits(s, len, j + 1);
			if (k > j + 1 && k < len && s[k] == ']')
				i = k + 1;
		}
	}
	if (i < len && s[i] == ' ')
		i++;
	l->stamped = true;
	l->time = strtod(s + secs, NULL); /* stops at ']' */
	l->msg = s + i;
	l->msg_len = len - i;
}

/* "kernel/x.c:12 at ": a word ending in ':' and digits, then " at " (newer WARN lines). */
static bool file_line_at(const char *s, size_t len)
{
	size_t word = 0;
	while (word < len && s[word] != ' ')
		word++;
	size_t digits = word;
	while (digits > 0 && isdigit((unsigned char)s[digits - 1]))
		digits--;
	return digits < word && digits > 1 && s[digits - 1] == ':' &&
	       has_prefix(s + word, len - word, " at ");
}

/* "monitor event: 0040 ilc:2 [#1]": words, ": ", four hex digits, " ilc:", a digit, " [#". */
static bool s390_die_line(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	if (!colon || colon == s)
		return false;
	size_t i = (size_t)(colon - s) + 1;
	if (len < i + 14 || s[i] != ' ')
		return false;
	for (size_t k = i + 1; k < i + 5; k++)
		if (!isxdigit((unsigned char)s[k]))
			return false;
	return memcmp(s + i + 5, " ilc:", 5) == 0 && isdigit((unsigned char)s[i + 10]) &&
	       memcmp(s + i + 11, " [#", 3) == 0;
}

static bool title_kind(const struct line *l, enum splat_kind *ret_kind)
{
	if (!l->stamped)
		return false;
	for (size_t i = 0; i < sizeof(title_rules) / sizeof(title_rules[0]); i++) {
		const struct title_rule *r = &title_rules[i];
		if (!has_prefix(l->msg, l->msg_len, r->prefix))
			continue;
		size_t skip = strlen(r->prefix);
		const char *rest = l->msg + skip;
		size_t rest_len = l->msg_len - skip;
		if (r->contains && !contains(rest, rest_len, r->contains))
			continue;
		if (r->match && !r->match(rest, rest_len))
			continue;
		*ret_kind = r->kind;
		return true;
	}
	return false;
}

/* The message, blanks around it dropped, equals s (the trace's " </TASK>" is indented). */
static bool message_is(const struct line *l, const char *s)
{
	const char *m = l->msg;
	size_t n = l->msg_len;
	while (n > 0 && isspace((unsigned char)m[n - 1]))
		n--;
	while (n > 0 && isspace((unsigned char)*m))
		m++, n--;
	return n == strlen(s) && memcmp(m, s, n) == 0;
}

static bool is_ruler(const struct line *l)
{
	size_t n = 0;
	while (n < l->msg_len && l->msg[n] == '=')
		n++;
	while (n < l->msg_len && isspace((unsigned char)l->msg[n]))
		n++;
	return n == l->msg_len && l->msg_len >= RULER_MIN;
}

static bool is_end(enum splat_kind kind, const struct line *l)
{
	const char *m = l->msg;
	size_t n = l->msg_len;
	switch (kind) {
	case SPLAT_PANIC: return has_prefix(m, n, "---[ end Kernel panic");
	case SPLAT_KASAN:
	case SPLAT_KCSAN:
	case SPLAT_KFENCE: return is_ruler(l);
	case SPLAT_UBSAN: return is_ruler(l) || has_prefix(m, n, "---[ end trace");
	case SPLAT_KMEMLEAK:
		return has_prefix(m, n, "kmemleak: ") &&
		       contains(m, n, " new suspected memory leak");
	case SPLAT_LOCKDEP:
	case SPLAT_HUNG_TASK:
	case SPLAT_SOFT_LOCKUP:
	case SPLAT_HARD_LOCKUP:
	case SPLAT_RCU_STALL: return message_is(l, "</TASK>") || has_prefix(m, n, "---[ end trace");
	default:
		return has_prefix(m, n, "---[ end trace") ||
		       has_prefix(m, n, "---[ end Kernel panic");
	}
}

/* Whether a title inside the open report (opened by first, of kind) belongs to it. */
static bool continues(const struct line *first, enum splat_kind kind, enum splat_kind next)
{
	if (kind == SPLAT_KMEMLEAK && next == SPLAT_KMEMLEAK)
		return true;
	/* "BUG: kernel NULL pointer dereference", "kernel BUG at x.c:1!": then the oops they cause
	 */
	bool bug_line = has_prefix(first->msg, first->msg_len, "BUG: ") ||
			has_prefix(first->msg, first->msg_len, "kernel BUG at ") ||
			has_prefix(first->msg, first->msg_len, "Unable to handle kernel ");
	return bug_line && (kind == SPLAT_BUG || kind == SPLAT_OOPS) &&
	       (next == SPLAT_OOPS || next == SPLAT_GPF);
}

/*
 * One past the report's last line, for the report whose title is lines[first]. On 3.x kernels a
 * hard lockup was a WARN whose next line names it: one report, of kind hard lockup. *ret_decided:
 * false when the lines ran out before anything ended the report (more of the log may extend it).
 */
static size_t report_end(const struct line *lines, size_t n, size_t first, enum splat_kind *kindp,
			 bool *ret_decided)
{
	enum splat_kind kind = *kindp;
	size_t last_stamped = first;
	*ret_decided = true;
	if (is_end(kind, &lines[first])) /* kmemleak's summary line alone */
		return first + 1;
	size_t j;
	for (j = first + 1; j < n && j - first < MAX_REPORT_LINES; j++) {
		const struct line *l = &lines[j];
		enum splat_kind next;
		if (!l->stamped)
			continue;
		bool is_title = title_kind(l, &next);
		if (is_title && kind == SPLAT_WARNING && next == SPLAT_HARD_LOCKUP &&
		    last_stamped == first)
			*kindp = next; /* and the WARN's end marker still ends it */
		else if (is_title && !continues(&lines[first], kind, next))
			return last_stamped + 1;
		if (l->time - lines[last_stamped].time > GAP_SECONDS)
			return last_stamped + 1;
		last_stamped = j;
		if (is_end(kind, l))
			return j + 1;
	}
	*ret_decided = j - first >= MAX_REPORT_LINES;
	return last_stamped + 1;
}

static int add_report(struct splat_list *list, const struct line *lines, size_t first, size_t end,
		      enum splat_kind kind)
{
	_cleanup_buf_ struct buf text = {0};
	for (size_t i = first; i < end; i++) {
		const char *p = lines[i].start, *stop = p + lines[i].len;
		while (p < stop) { /* a CR inside the line (a console's redraw) goes too */
			const char *cr = memchr(p, '\r', (size_t)(stop - p));
			const char *run_end = cr ? cr : stop;
			if (buf_append(&text, p, (size_t)(run_end - p)) < 0)
				return -ENOMEM;
			p = cr ? cr + 1 : stop;
		}
		if (buf_append(&text, "\n", 1) < 0)
			return -ENOMEM;
	}
	size_t tlen = lines[first].msg_len;
	while (tlen > 0 && isspace((unsigned char)lines[first].msg[tlen - 1]))
		tlen--;
	_cleanup_free_ char *title = strndup(lines[first].msg, tlen);
	if (!title)
		return -ENOMEM;
	char *w = title;
	for (const char *c = title; *c; c++)
		if (*c != '\r')
			*w++ = *c;
	*w = '\0';
	struct splat *items = realloc(list->items, (list->n + 1) * sizeof(*items));
	if (!items)
		return -ENOMEM;
	list->items = items;
	items[list->n++] = (struct splat){kind, TAKE_PTR(title), TAKE_PTR(text.data)};
	return 0;
}

/* The log's lines, each without its LF and trailing CRs, stamps parsed. */
static int split_lines(const char *log, size_t len, struct line **ret_lines, size_t *ret_n)
{
	size_t cap = 1;
	for (const char *p = log; (p = memchr(p, '\n', len - (size_t)(p - log))); p++)
		cap++;
	struct line *lines = calloc(cap, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		const char *lf = memchr(log + i, '\n', len - i);
		size_t end = lf ? (size_t)(lf - log) : len, l = end - i;
		while (l > 0 && log[i + l - 1] == '\r')
			l--;
		lines[n] = (struct line){.start = log + i, .len = l, .msg = log + i, .msg_len = l};
		parse_stamp(&lines[n++]);
		i = end + 1;
	}
	*ret_lines = lines;
	*ret_n = n;
	return 0;
}

/*
 * The reports that the whole lines in s->pending decide (all of them once the log ended), moved
 * to s->found; what is left is the lines from a title whose report may go on, and the line not
 * ended yet.
 */
static int stream_decide(struct splat_stream *s, bool ended)
{
	char *data = s->pending.data;
	char *last_lf = data ? memrchr(data, '\n', s->pending.len) : NULL;
	size_t whole = ended ? s->pending.len : last_lf ? (size_t)(last_lf - data) + 1 : 0;
	if (!whole)
		return 0;
	_cleanup_free_ struct line *lines = NULL;
	size_t n, i = 0, keep_from = whole;
	int r = split_lines(data, whole, &lines, &n);
	while (r >= 0 && i < n) {
		enum splat_kind kind;
		if (!title_kind(&lines[i], &kind)) {
			i++;
			continue;
		}
		bool decided;
		size_t end = report_end(lines, n, i, &kind, &decided);
		if (!decided && !ended) {
			keep_from = (size_t)(lines[i].start - data);
			break;
		}
		r = add_report(&s->found, lines, i, end, kind);
		i = end;
	}
	if (r < 0)
		return r;
	memmove(data, data + keep_from, s->pending.len - keep_from);
	s->pending.len -= keep_from;
	data[s->pending.len] = '\0';
	return 0;
}

int splat_stream_feed(struct splat_stream *s, const char *data, size_t len)
{
	for (size_t i = 0; i < len;) {
		const char *lf = memchr(data + i, '\n', len - i);
		size_t run = lf ? (size_t)(lf - data) - i + 1 : len - i;
		/* A line longer than any the kernel prints keeps its start: the rest cannot matter.
		 */
		size_t room = s->line_len < SPLAT_LINE_MAX ? SPLAT_LINE_MAX - s->line_len : 0;
		size_t take = run < room ? run : room;
		if (take && buf_append(&s->pending, data + i, take) < 0)
			return -ENOMEM;
		if (lf && take < run && buf_append(&s->pending, "\n", 1) < 0)
			return -ENOMEM;
		s->line_len = lf ? 0 : s->line_len + run;
		i += run;
		if (lf && s->pending.len >= DECIDE_BYTES) { /* a big piece: memory stays bounded */
			int r = stream_decide(s, false);
			if (r < 0)
				return r;
		}
	}
	return stream_decide(s, false);
}

int splat_stream_finish(struct splat_stream *s, struct splat_list *ret)
{
	int r = stream_decide(s, true);
	if (r < 0)
		return r;
	*ret = s->found;
	s->found = (struct splat_list){0};
	buf_free(&s->pending);
	s->line_len = 0;
	return 0;
}

void splat_stream_free(struct splat_stream *s)
{
	buf_free(&s->pending);
	splat_list_free(&s->found);
	*s = (struct splat_stream){0};
}

int splat_scan(const char *log, size_t len, struct splat_list *ret)
{
	struct splat_stream s = {0};
	int r = splat_stream_feed(&s, log, len);
	if (r >= 0)
		r = splat_stream_finish(&s, ret);
	splat_stream_free(&s);
	return r;
}

void splat_list_free(struct splat_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].title);
		free(l->items[i].text);
	}
	free(l->items);
	*l = (struct splat_list){0};
}
