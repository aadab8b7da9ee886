/* SPDX-License-Identifier: MIT */
/* A matrix run's results as a human table, TAP or JUnit XML, and its exit status. */
#include "report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"
#include "macro.h"
#include "safe_text.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for what a format cannot carry */

/* How put_clean writes text: which characters are kept, escaped or replaced. */
enum clean_mode {
	CLEAN_LINE,	 /* one line of plain text: tab, CR and LF are replaced too */
	CLEAN_TAP_DESC,	 /* a TAP description: like CLEAN_LINE, and '#', '\' backslash-escaped */
	CLEAN_YAML_LINE, /* a line of a YAML block scalar: tab kept */
	CLEAN_XML_TEXT,	 /* XML character data: tab and LF kept, CR as &#13; */
	CLEAN_XML_ATTR,	 /* a double-quoted XML attribute: tab, LF, CR as references */
};

/* C0 and C1 controls, DEL and the noncharacters XML excludes. */
static bool cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff;
}

/* Appends len bytes of s made safe for mode. */
static int put_clean(struct buf *b, const char *s, size_t len, enum clean_mode mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int r = 0;

	while (r >= 0 && i < len) {
		/* A run of bytes that go out as they are. */
		size_t start = i;
		for (;;) {
			uint32_t cp;
			size_t k = i < len ? utf8_decode(p + i, len - i, &cp) : 0;
			if (k == 0 || cp_is_control(cp) ||
			    (cp < 0x80 && strchr("&<>\"'#\\", (int)cp)))
				break;
			i += k;
		}
		if (i > start)
			r = buf_append(b, s + start, i - start);
		if (r < 0 || i >= len)
			break;

		uint32_t cp;
		size_t k = utf8_decode(p + i, len - i, &cp);
		const char *rep = NULL;
		if (k == 0) {
			k = 1;
			rep = REPLACEMENT;
		} else if (mode == CLEAN_XML_TEXT || mode == CLEAN_XML_ATTR) {
			switch (cp) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&apos;"; break;
			case '\t': rep = mode == CLEAN_XML_ATTR ? "&#9;" : "\t"; break;
			case '\n': rep = mode == CLEAN_XML_ATTR ? "&#10;" : "\n"; break;
			case '\r': rep = "&#13;"; break;
			}
		} else if (mode == CLEAN_TAP_DESC && (cp == '#' || cp == '\\')) {
			rep = cp == '#' ? "\\#" : "\\\\";
		} else if (mode == CLEAN_YAML_LINE && cp == '\t') {
			rep = "\t";
		}
		if (!rep)
			rep = cp_is_control(cp) ? REPLACEMENT : NULL;
		r = rep ? buf_puts(b, rep) : buf_append(b, s + i, k);
		i += k;
	}
	return r;
}

static int put_clean_str(struct buf *b, const char *s, enum clean_mode mode)
{
	return put_clean(b, s, strlen(s), mode);
}

/* Negative or NaN durations print as 0. */
static double row_seconds(const struct run_result_row *r)
{
	return r->seconds >= 0 ? r->seconds : 0;
}

enum result_kind result_classify(int exit_code, const struct run_result *r)
{
	if (exit_code == 0)
		return RESULT_PASS;
	if (!r)
		return exit_code == EXIT_TIMEOUT       ? RESULT_TIMEOUT
		       : exit_code == EXIT_QUIZ_FAILED ? RESULT_VM_ERROR
						       : RESULT_FAIL;
	if (r->end == RUN_END_TIMEOUT)
		return RESULT_TIMEOUT;
	if (r->splat_failed)
		return RESULT_SPLAT;
	if (r->end == RUN_END_PANIC)
		return RESULT_PANIC;
	return r->end == RUN_END_FAILED ? RESULT_VM_ERROR : RESULT_FAIL;
}

const char *result_kind_name(enum result_kind k)
{
	switch (k) {
	case RESULT_PASS: return "pass";
	case RESULT_FAIL: return "fail";
	case RESULT_TIMEOUT: return "timeout";
	case RESULT_SPLAT: return "splat";
	case RESULT_PANIC: return "panic";
	case RESULT_VM_ERROR: return "vm-error";
	case RESULT_SKIP: return "skip";
	case RESULT_FLAKY: return "flaky";
	case RESULT_XFAIL: return "xfail";
	case RESULT_XPASS: return "xpass";
	}
	return NULL;
}

bool result_kind_fails(enum result_kind k, bool flaky_fails)
{
	switch (k) {
	case RESULT_PASS:
	case RESULT_SKIP:
	case RESULT_XFAIL:
	case RESULT_XPASS: return false;
	case RESULT_FLAKY: return flaky_fails;
	default: return true;
	}
}

/* Passed, as TAP's "ok" and JUnit's lack of a failure see it. */
static bool row_ok(const struct run_result_row *r)
{
	return !result_kind_fails(r->kind, false);
}

int result_describe(const struct run_result_row *r, struct buf *out)
{
	const char *name = result_kind_name(r->kind);
	if (!name)
		return -EINVAL;
	if (r->kind == RESULT_FAIL) /* a suite's failure of a test that exited 0: "fail" */
		return r->exit_code ? buf_printf(out, "%s %d", name, r->exit_code)
				    : buf_puts(out, name);
	if (r->kind == RESULT_FLAKY || r->kind == RESULT_XFAIL) {
		/* What failed: the first run's result, or this one's. */
		struct run_result_row what = *r;
		if (r->kind == RESULT_FLAKY)
			what = (struct run_result_row){.kind = r->first_kind,
						       .exit_code = r->first_exit_code};
		else
			what.kind = result_classify(r->exit_code, r->result);
		_cleanup_buf_ struct buf inner = {0};
		int k = what.kind == RESULT_FLAKY || what.kind == RESULT_XFAIL
				? buf_puts(&inner, "fail")
				: result_describe(&what, &inner);
		return k < 0 ? k
			     : buf_printf(out, "%s (%s%s)", name, inner.data,
					  r->kind == RESULT_FLAKY ? ", then pass" : "");
	}
	return buf_puts(out, name);
}

/* Appends what out holds to dst and frees it; dst is unchanged on failure. */
static int commit(struct buf *dst, struct buf *out)
{
	int r = buf_append(dst, out->data ? out->data : "", out->len);
	buf_free(out);
	return r;
}

/* ---- subtests ---- */

static const char *const tap_source[] = {"stdout", "the kernel log"};

/* The row's trees, stdout's first, as tap_source names them; entries may be NULL. */
static void row_trees(const struct run_result_row *r, const struct tap_tree *trees[2])
{
	trees[0] = r->stdout_tap;
	trees[1] = r->console_tap;
}

static bool row_has_subtests(const struct run_result_row *r)
{
	return r->stdout_tap || r->console_tap;
}

static bool any_subtests(const struct run_result_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (row_has_subtests(&rows[i]))
			return true;
	return false;
}

static struct tap_counts row_counts(const struct run_result_row *r)
{
	struct tap_counts c = {0};
	tap_tree_count(r->stdout_tap, &c);
	tap_tree_count(r->console_tap, &c);
	return c;
}

int report_row_parse_tap(struct run_result_row *r, const char *console_text)
{
	_cleanup_tap_tree_ struct tap_tree *out = NULL, *log = NULL;
	int k = 0;
	if (r->stdout_text)
		k = tap_parse(r->stdout_text, strlen(r->stdout_text), TAP_INPUT_PROGRAM, &out);
	if (k >= 0 && console_text)
		k = tap_parse(console_text, strlen(console_text), TAP_INPUT_KERNEL_LOG, &log);
	if (k < 0)
		return k;
	report_row_free_tap(r);
	r->stdout_tap = TAKE_PTR(out);
	r->console_tap = TAKE_PTR(log);
	return 0;
}

void report_row_free_tap(struct run_result_row *r)
{
	tap_tree_free(r->stdout_tap);
	tap_tree_free(r->console_tap);
	r->stdout_tap = r->console_tap = NULL;
}

/* Each problem of the row's trees as a line: before, "TAP problem in SOURCE: ", the message
 * made safe for mode, after. */
static int put_problems(const struct run_result_row *r, struct buf *out, const char *before,
			const char *after, enum clean_mode mode)
{
	const struct tap_tree *trees[2];
	row_trees(r, trees);
	int k = 0;
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; k >= 0 && trees[t] && i < trees[t]->n_problems; i++) {
			k = buf_printf(out, "%sTAP problem in %s: ", before, tap_source[t]);
			if (k >= 0)
				k = put_clean_str(out, trees[t]->problems[i].message, mode);
			if (k >= 0)
				k = buf_puts(out, after);
		}
	return k;
}

/* The last n lines of text (len > 0), each ending in '\n'. */
static int last_lines(const char *text, size_t len, unsigned n, struct buf *ret_tail)
{
	size_t end = text[len - 1] == '\n' ? len - 1 : len, start = end;
	for (unsigned lines = 0; start > 0; start--)
		if (text[start - 1] == '\n' && ++lines == n)
			break;
	int k = buf_append(ret_tail, text + start, end - start);
	return k < 0 ? k : buf_puts(ret_tail, "\n");
}

/* The last n lines of the row's stdout followed by its stderr, each line ending in '\n';
 * *ret_tail is left empty (data may stay NULL) when there was no output. */
static int output_tail(const struct run_result_row *r, unsigned n, struct buf *ret_tail)
{
	_cleanup_buf_ struct buf all = {0};
	const char *o = r->stdout_text ? r->stdout_text : "",
		   *e = r->stderr_text ? r->stderr_text : "";
	int k = buf_puts(&all, o);
	if (k >= 0 && *o && o[strlen(o) - 1] != '\n' && *e)
		k = buf_puts(&all, "\n");
	if (k >= 0)
		k = buf_puts(&all, e);
	if (k < 0 || all.len == 0)
		return k;
	return last_lines(all.data, all.len, n, ret_tail);
}

/* What a failure quotes: a splat's report as quiz printed it (from its first "quiz: kernel
 * report" line on, at most REPORT_SPLAT_LINES lines), else the output's last n lines. */
static int failure_text(const struct run_result_row *r, unsigned n, struct buf *ret)
{
	const char *e = r->stderr_text;
	const char *report = r->kind == RESULT_SPLAT && e ? strstr(e, REPORT_SPLAT_START) : NULL;
	while (report && report > e && report[-1] != '\n')
		report = strstr(report + 1, REPORT_SPLAT_START);
	if (!report)
		return output_tail(r, n, ret);
	size_t len = 0;
	for (unsigned lines = 0; report[len] && lines < REPORT_SPLAT_LINES; len++)
		lines += report[len] == '\n';
	return buf_append(ret, report, len);
}

/* ---- the table ---- */

#define TABLE_COLUMNS 6 /* ARCH only when a row names one; SUBTESTS when a row has subtests */

/* Characters on screen, taking each UTF-8 sequence (put_clean's output is valid) as one. */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* "N passed, M failed, K skipped", and "; P TAP problems" when there were any; "-" for none. */
static int subtests_cell(const struct run_result_row *r, struct strv *cells)
{
	if (!row_has_subtests(r))
		return strv_push(cells, "-");
	struct tap_counts c = row_counts(r);
	if (c.problems == 0)
		return strv_pushf(cells, "%zu passed, %zu failed, %zu skipped", c.passed + c.todo,
				  c.failed, c.skipped);
	return strv_pushf(cells, "%zu passed, %zu failed, %zu skipped; %zu TAP problem%s",
			  c.passed + c.todo, c.failed, c.skipped, c.problems,
			  c.problems == 1 ? "" : "s");
}

static bool any_arch(const struct run_result_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].arch)
			return true;
	return false;
}

static bool any_target(const struct run_result_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].target)
			return true;
	return false;
}

static int table_cells(const struct run_result_row *r, bool target, bool arch, bool subtests,
		       struct strv *cells)
{
	_cleanup_buf_ struct buf name = {0}, kernel = {0}, result = {0}, tname = {0};
	int k = put_clean_str(&name, r->name ? r->name : "", CLEAN_LINE);
	if (k >= 0 && target)
		k = put_clean_str(&tname, r->target ? r->target : "-", CLEAN_LINE);
	if (k >= 0 && target)
		k = strv_push(cells, tname.data ? tname.data : "");
	if (k >= 0)
		k = put_clean_str(&kernel, r->kernel ? r->kernel : "-", CLEAN_LINE);
	if (k >= 0)
		k = result_describe(r, &result);
	if (k >= 0)
		k = strv_push(cells, name.data ? name.data : "");
	if (k >= 0)
		k = strv_push(cells, kernel.data ? kernel.data : "");
	if (k >= 0 && arch)
		k = strv_push(cells, r->arch ? r->arch : "-");
	if (k >= 0)
		k = strv_push(cells, result.data);
	if (k >= 0)
		k = strv_pushf(cells, "%.1fs", row_seconds(r));
	if (k >= 0 && subtests)
		k = subtests_cell(r, cells);
	return k;
}

/* "N passed, M failed", then the --each kinds there were: ", K skipped, F flaky, X known
 * failures, Y known failures passed". failed: every row that is none of those. */
static int table_summary(const size_t *count, size_t n, struct buf *out)
{
	static const struct {
		enum result_kind kind;
		const char *one, *many;
	} extra[] = {{RESULT_SKIP, "skipped", "skipped"},
		     {RESULT_FLAKY, "flaky", "flaky"},
		     {RESULT_XFAIL, "known failure", "known failures"},
		     {RESULT_XPASS, "known failure passed", "known failures passed"}};
	size_t failed = n - count[RESULT_PASS];
	for (size_t i = 0; i < ELEMENTSOF(extra); i++)
		failed -= count[extra[i].kind];
	int k = buf_printf(out, "%zu passed, %zu failed", count[RESULT_PASS], failed);
	for (size_t i = 0; k >= 0 && i < ELEMENTSOF(extra); i++)
		if (count[extra[i].kind])
			k = buf_printf(out, ", %zu %s", count[extra[i].kind],
				       count[extra[i].kind] == 1 ? extra[i].one : extra[i].many);
	return k < 0 ? k : buf_puts(out, "\n");
}

int report_table(const struct run_result_row *rows, size_t n, struct buf *dst)
{
	_cleanup_strv_ struct strv cells = {0};
	_cleanup_buf_ struct buf out = {0};
	size_t width[TABLE_COLUMNS] = {0}, count[RESULT_XPASS + 1] = {0};
	bool arch = any_arch(rows, n), subtests = any_subtests(rows, n),
	     target = any_target(rows, n);
	size_t columns = 4 + target + arch + subtests, time_column = 2 + target + arch + 1;
	int k = strv_push(&cells, "TARGET");
	if (k >= 0 && target)
		k = strv_push(&cells, "TEST");
	if (k >= 0)
		k = strv_push(&cells, "KERNEL");
	if (k >= 0 && arch)
		k = strv_push(&cells, "ARCH");
	if (k >= 0)
		k = strv_push(&cells, "RESULT");
	if (k >= 0)
		k = strv_push(&cells, "TIME");
	if (k >= 0 && subtests)
		k = strv_push(&cells, "SUBTESTS");
	for (size_t i = 0; k >= 0 && i < n; i++) {
		k = table_cells(&rows[i], target, arch, subtests, &cells);
		if ((size_t)rows[i].kind < ELEMENTSOF(count))
			count[rows[i].kind]++;
	}
	if (k < 0)
		return k;
	for (size_t i = 0; i < cells.len; i++) {
		size_t w = display_width(cells.items[i]);
		if (w > width[i % columns])
			width[i % columns] = w;
	}

	/* Left-aligned text columns, the time right-aligned; no trailing blanks. */
	for (size_t i = 0; k >= 0 && i < cells.len; i++) {
		size_t c = i % columns, pad = width[c] - display_width(cells.items[i]);
		const char *end = c == columns - 1 ? "\n" : "  ";
		if (c == time_column)
			k = buf_printf(&out, "%*s%s%s", (int)pad, "", cells.items[i], end);
		else if (c == columns - 1)
			k = buf_printf(&out, "%s\n", cells.items[i]);
		else
			k = buf_printf(&out, "%s%*s  ", cells.items[i], (int)pad, "");
	}
	if (k >= 0)
		k = table_summary(count, n, &out);
	return k < 0 ? k : commit(dst, &out);
}

/* ---- TAP ---- */

/* "output: |" and the lines of tail (each ending in '\n'; none when empty) as a YAML block
 * scalar, the key indent spaces further in than a test point's YAML block. */
static int yaml_output(struct buf *out, int indent, const struct buf *tail)
{
	if (tail->len == 0)
		return 0;
	int k = buf_printf(out, "%*s  output: |%s\n", indent, "",
			   tail->data[strspn(tail->data, "\r\n")] == ' ' ? "2" : "");
	for (size_t i = 0; k >= 0 && i < tail->len;) {
		size_t len = strcspn(tail->data + i, "\n");
		size_t keep = len > 0 && tail->data[i + len - 1] == '\r' ? len - 1 : len; /* CRLF */
		k = keep ? buf_printf(out, "%*s    ", indent, "") : 0;
		if (k >= 0)
			k = put_clean(out, tail->data + i, keep, CLEAN_YAML_LINE);
		if (k >= 0)
			k = buf_puts(out, "\n");
		i += len + 1;
	}
	return k;
}

static int tap_diagnostics(const struct run_result_row *r, struct buf *out)
{
	_cleanup_buf_ struct buf tail = {0};
	int k = failure_text(r, REPORT_TAIL_LINES, &tail);
	if (k >= 0)
		k = buf_printf(out, "  ---\n  exit: %d\n  seconds: %.1f\n", r->exit_code,
			       row_seconds(r));
	if (k >= 0)
		k = yaml_output(out, 0, &tail);
	return k < 0 ? k : buf_puts(out, "  ...\n");
}

/* "NAME (KERNEL)" or "NAME (KERNEL, ARCH)", and ": fail 3" when the row did not pass. */
static int tap_description(const struct run_result_row *r, struct buf *out)
{
	int k = 0;
	if (r->target) { /* --each: "TARGET: TEST (KERNEL)" */
		k = put_clean_str(out, r->target, CLEAN_TAP_DESC);
		if (k >= 0)
			k = buf_puts(out, ": ");
	}
	if (k >= 0)
		k = put_clean_str(out, r->name ? r->name : "", CLEAN_TAP_DESC);
	if (k >= 0 && r->kernel) {
		k = buf_puts(out, " (");
		if (k >= 0)
			k = put_clean_str(out, r->kernel, CLEAN_TAP_DESC);
		if (k >= 0 && r->arch)
			k = buf_puts(out, ", ");
		if (k >= 0 && r->arch)
			k = put_clean_str(out, r->arch, CLEAN_TAP_DESC);
		if (k >= 0)
			k = buf_puts(out, ")");
	}
	if (k >= 0 && r->kind != RESULT_PASS && r->kind != RESULT_SKIP) {
		k = buf_puts(out, ": ");
		if (k >= 0)
			k = result_describe(r, out);
	}
	return k;
}

/* TAP's directive for --each's kinds: " # SKIP", " # TODO known failure: WHY". */
static int tap_directive(const struct run_result_row *r, struct buf *out)
{
	if (r->kind == RESULT_SKIP)
		return buf_puts(out, " # SKIP");
	if (r->kind != RESULT_XFAIL && r->kind != RESULT_XPASS)
		return 0;
	int k = buf_puts(out, " # TODO known failure");
	if (k >= 0 && r->known_why && *r->known_why) {
		k = buf_puts(out, ": ");
		if (k >= 0)
			k = put_clean_str(out, r->known_why, CLEAN_TAP_DESC);
	}
	return k;
}

/* "1..N", or "1..0 # SKIP reason" for a skipped plan of nothing. */
static int tap_plan(struct buf *out, int indent, size_t n, const char *skip_reason)
{
	int k = buf_printf(out, "%*s1..%zu", indent, "", n);
	if (k >= 0 && n == 0 && skip_reason) {
		k = buf_puts(out, *skip_reason ? " # SKIP " : " # SKIP");
		if (k >= 0)
			k = put_clean_str(out, skip_reason, CLEAN_TAP_DESC);
	}
	return k < 0 ? k : buf_puts(out, "\n");
}

/* A subtest's line, after its own subtests as a TAP 14 subtest; a listed failure's
 * diagnostics in YAML. index is its place among its siblings, number its number here. */
static int tap_subtest(struct buf *out, int indent, const struct tap_node *n, size_t index,
		       size_t number)
{
	_cleanup_buf_ struct buf name = {0}, tail = {0};
	int k = tap_node_put_name(n, index, &name);
	if (k >= 0 && (n->n_children || n->skip_all_reason)) {
		k = buf_printf(out, "%*s# Subtest: ", indent, "");
		if (k >= 0)
			k = put_clean(out, name.data, name.len, CLEAN_TAP_DESC);
		if (k >= 0)
			k = buf_puts(out, "\n");
		if (k >= 0)
			k = tap_plan(out, indent + 4, n->n_children, n->skip_all_reason);
		for (size_t i = 0; k >= 0 && i < n->n_children; i++)
			k = tap_subtest(out, indent + 4, &n->children[i], i, i + 1);
	}
	if (k >= 0)
		k = buf_printf(out, "%*s%sok %zu - ", indent, "", n->ok ? "" : "not ", number);
	if (k >= 0)
		k = put_clean(out, name.data, name.len, CLEAN_TAP_DESC);
	if (k >= 0 && (n->no_result_line || n->directive)) {
		k = buf_puts(out, " # ");
		if (k >= 0)
			k = put_clean_str(out, n->no_result_line ? "no result line" : n->directive,
					  CLEAN_TAP_DESC);
	}
	if (k >= 0)
		k = buf_puts(out, "\n");
	if (k < 0 || n->result != TAP_FAIL || !tap_node_listed(n) || n->diagnostics.len == 0)
		return k; /* a parent's diagnostics repeat its subtests' */
	k = last_lines(n->diagnostics.data, n->diagnostics.len, REPORT_TAIL_LINES, &tail);
	if (k >= 0)
		k = buf_printf(out, "%*s  ---\n", indent, "");
	if (k >= 0)
		k = yaml_output(out, indent, &tail);
	return k < 0 ? k : buf_printf(out, "%*s  ...\n", indent, "");
}

/* The row's subtests as a TAP 14 subtest named description, for the row's line to follow. */
static int tap_row_subtests(const struct run_result_row *r, const char *description,
			    struct buf *out)
{
	const struct tap_tree *trees[2];
	const char *skip_reason = NULL;
	size_t total = 0, number = 0;
	row_trees(r, trees);
	for (size_t t = 0; t < 2; t++)
		if (trees[t]) {
			total += trees[t]->root.n_children;
			skip_reason = skip_reason ? skip_reason : trees[t]->root.skip_all_reason;
		}
	int k = buf_printf(out, "# Subtest: %s\n", description);
	if (k >= 0)
		k = tap_plan(out, 4, total, skip_reason);
	for (size_t t = 0; t < 2; t++)
		for (size_t i = 0; k >= 0 && trees[t] && i < trees[t]->root.n_children; i++)
			k = tap_subtest(out, 4, &trees[t]->root.children[i], i, ++number);
	return k < 0 ? k : put_problems(r, out, "    # ", "\n", CLEAN_LINE);
}

int report_tap(const struct run_result_row *rows, size_t n, struct buf *dst)
{
	_cleanup_buf_ struct buf out = {0};
	int k = buf_printf(&out, "TAP version %d\n1..%zu\n", any_subtests(rows, n) ? 14 : 13, n);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		const struct run_result_row *r = &rows[i];
		_cleanup_buf_ struct buf description = {0};
		/* A known failure is TAP's TODO: "not ok" when it failed, "ok" when it passed. */
		bool pass = row_ok(r) && r->kind != RESULT_XFAIL;
		k = tap_description(r, &description);
		if (k >= 0 && row_has_subtests(r))
			k = tap_row_subtests(r, description.data ? description.data : "", &out);
		if (k >= 0)
			k = buf_printf(&out, "%sok %zu - %s", pass ? "" : "not ", i + 1,
				       description.data ? description.data : "");
		if (k >= 0)
			k = tap_directive(r, &out);
		if (k >= 0)
			k = buf_puts(&out, "\n");
		if (k >= 0 && !pass)
			k = tap_diagnostics(r, &out);
	}
	return k < 0 ? k : commit(dst, &out);
}

/* ---- JUnit ---- */

/* <TAG>text</TAG> with the text escaped; nothing when text is NULL or empty. */
static int xml_element(struct buf *out, const char *indent, const char *tag, const char *text)
{
	if (!text || !*text)
		return 0;
	int k = buf_printf(out, "%s<%s>", indent, tag);
	if (k >= 0)
		k = put_clean_str(out, text, CLEAN_XML_TEXT);
	return k < 0 ? k : buf_printf(out, "</%s>\n", tag);
}

/* --each's kinds: <skipped/> for a skip, <skipped message="known failure: ..."/> for an xfail,
 * <flakyFailure message="first run: fail 1" type="fail"/> for a flaky test (surefire's). */
static int junit_each_kind(const struct run_result_row *r, struct buf *out)
{
	_cleanup_buf_ struct buf what = {0};
	int k = 0;
	switch (r->kind) {
	case RESULT_SKIP: return buf_puts(out, "    <skipped/>\n");
	case RESULT_XFAIL:
	case RESULT_XPASS:
		k = buf_puts(&what,
			     r->kind == RESULT_XFAIL ? "known failure" : "known failure passed");
		if (k >= 0 && r->known_why && *r->known_why)
			k = buf_printf(&what, ": %s", r->known_why);
		if (k >= 0)
			k = buf_printf(out, "    <%s message=\"",
				       r->kind == RESULT_XFAIL ? "skipped"
							       : "properties><property "
								 "name=\"quiz\" value=\"");
		if (k >= 0)
			k = put_clean_str(out, what.data, CLEAN_XML_ATTR);
		return k < 0 ? k
			     : buf_puts(out,
					r->kind == RESULT_XFAIL ? "\"/>\n" : "\"/></properties>\n");
	case RESULT_FLAKY:
		k = buf_puts(out, "    <flakyFailure message=\"first run: ");
		if (k >= 0)
			k = buf_puts(out, result_kind_name(r->first_kind));
		return k < 0 ? k
			     : buf_printf(out, " (exit status %d)\" type=\"%s\"/>\n",
					  r->first_exit_code, result_kind_name(r->first_kind));
	default: return 0;
	}
}

static int junit_testcase(const struct run_result_row *r, struct buf *out)
{
	const char *kind = result_kind_name(r->kind);
	if (!kind)
		return -EINVAL;

	bool has_out = r->stdout_text && *r->stdout_text,
	     has_err = r->stderr_text && *r->stderr_text;
	bool empty = r->kind == RESULT_PASS && !has_out && !has_err;
	/* The architecture, when a row names one, is the class under quiz: "quiz.s390x"; a
	 * test's class is its target ("6.1"). */
	int k = buf_puts(out, "  <testcase classname=\"");
	if (k >= 0)
		k = put_clean_str(out, r->target ? r->target : "quiz", CLEAN_XML_ATTR);
	if (k >= 0 && r->arch && !r->target)
		k = buf_puts(out, ".");
	if (k >= 0 && r->arch)
		k = put_clean_str(out, r->arch, CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_puts(out, "\" name=\"");
	if (k >= 0)
		k = put_clean_str(out, r->name ? r->name : "", CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_printf(out, "\" time=\"%.3f\"%s>\n", row_seconds(r), empty ? "/" : "");
	if (k < 0 || empty)
		return k;

	if (k >= 0)
		k = junit_each_kind(r, out);
	if (k >= 0 && !row_ok(r)) {
		const char *tag = r->kind == RESULT_FAIL || r->kind == RESULT_TIMEOUT ||
						  r->kind == RESULT_SPLAT
					  ? "failure"
					  : "error";
		_cleanup_buf_ struct buf tail = {0};
		k = failure_text(r, REPORT_TAIL_LINES, &tail);
		if (k >= 0)
			k = buf_printf(out, "    <%s message=\"exit status %d\" type=\"%s\">", tag,
				       r->exit_code, kind);
		if (k >= 0)
			k = put_problems(r, out, "", "\n", CLEAN_XML_TEXT);
		if (k >= 0)
			k = put_clean(out, tail.data, tail.len, CLEAN_XML_TEXT);
		if (k >= 0)
			k = buf_printf(out, "</%s>\n", tag);
	}
	if (k >= 0)
		k = xml_element(out, "    ", "system-out", r->stdout_text);
	if (k >= 0)
		k = xml_element(out, "    ", "system-err", r->stderr_text);
	return k < 0 ? k : buf_puts(out, "  </testcase>\n");
}

/* A listed subtest of row r as a testcase named path. */
static int junit_subtest(const struct run_result_row *r, const struct tap_node *n, const char *path,
			 struct buf *out)
{
	const char *reason = n->reason && *n->reason ? n->reason : NULL;
	const char *diagnostics = n->diagnostics.data;
	bool empty = n->result == TAP_PASS && !diagnostics;
	int k = buf_puts(out, "  <testcase classname=\"");
	if (k >= 0)
		k = put_clean_str(out, r->name ? r->name : "", CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_puts(out, "\" name=\"");
	if (k >= 0)
		k = put_clean_str(out, path, CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_puts(out, empty ? "\"/>\n" : "\">\n");
	if (k < 0 || empty)
		return k;

	if (n->result == TAP_FAIL) {
		const char *message = n->no_result_line ? "no result line"
				      : n->directive	? n->directive
							: "not ok";
		k = buf_puts(out, "    <failure message=\"");
		if (k >= 0)
			k = put_clean_str(out, message, CLEAN_XML_ATTR);
		if (k >= 0)
			k = buf_puts(out, "\" type=\"fail\">");
		if (k >= 0 && diagnostics)
			k = put_clean_str(out, diagnostics, CLEAN_XML_TEXT);
		if (k >= 0)
			k = buf_puts(out, "</failure>\n");
		diagnostics = NULL; /* they were the failure's text */
	} else if (n->result == TAP_SKIP) {
		k = buf_puts(out, reason ? "    <skipped message=\"" : "    <skipped/>\n");
		if (k >= 0 && reason)
			k = put_clean_str(out, reason, CLEAN_XML_ATTR);
		if (k >= 0 && reason)
			k = buf_puts(out, "\"/>\n");
	}
	if (k >= 0 && (n->result == TAP_TODO || diagnostics)) {
		k = buf_puts(out, "    <system-out>");
		if (k >= 0 && n->result == TAP_TODO)
			k = buf_printf(out, "TODO%s", reason ? ": " : "\n");
		if (k >= 0 && n->result == TAP_TODO && reason) {
			k = put_clean_str(out, reason, CLEAN_XML_TEXT);
			if (k >= 0)
				k = buf_puts(out, "\n");
		}
		if (k >= 0 && diagnostics)
			k = put_clean_str(out, diagnostics, CLEAN_XML_TEXT);
		if (k >= 0)
			k = buf_puts(out, "</system-out>\n");
	}
	return k < 0 ? k : buf_puts(out, "  </testcase>\n");
}

/* The listed tests under parent, path holding parent's path (restored on return). */
static int junit_subtests(const struct run_result_row *r, const struct tap_node *parent,
			  struct buf *path, struct buf *out)
{
	int k = 0;
	for (size_t i = 0; k >= 0 && i < parent->n_children; i++) {
		const struct tap_node *c = &parent->children[i];
		size_t mark = path->len;
		k = tap_path_push(path, c, i);
		if (k >= 0 && tap_node_listed(c))
			k = junit_subtest(r, c, path->data, out);
		if (k >= 0)
			k = junit_subtests(r, c, path, out);
		tap_path_cut(path, mark);
	}
	return k;
}

int report_junit(const char *suite, const struct run_result_row *rows, size_t n, struct buf *dst)
{
	_cleanup_buf_ struct buf out = {0};
	size_t tests = n, failures = 0, errors = 0, skipped = 0;
	bool subtests = any_subtests(rows, n);
	double total = 0;

	for (size_t i = 0; i < n; i++) {
		struct tap_counts c = row_counts(&rows[i]);
		tests += c.passed + c.failed + c.skipped + c.todo;
		failures += rows[i].kind == RESULT_FAIL || rows[i].kind == RESULT_TIMEOUT ||
			    rows[i].kind == RESULT_SPLAT;
		failures += c.failed;
		errors += rows[i].kind == RESULT_PANIC || rows[i].kind == RESULT_VM_ERROR;
		skipped +=
			c.skipped + (rows[i].kind == RESULT_SKIP || rows[i].kind == RESULT_XFAIL);
		subtests |= rows[i].kind == RESULT_SKIP || rows[i].kind == RESULT_XFAIL;
		total += row_seconds(&rows[i]);
	}
	int k = buf_puts(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"");
	if (k >= 0)
		k = put_clean_str(&out, suite ? suite : "quiz", CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_printf(&out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", tests,
			       failures, errors);
	if (k >= 0 && subtests)
		k = buf_printf(&out, " skipped=\"%zu\"", skipped);
	if (k >= 0)
		k = buf_printf(&out, " time=\"%.3f\">\n", total);
	for (size_t i = 0; k >= 0 && i < n; i++) {
		const struct tap_tree *trees[2];
		_cleanup_buf_ struct buf path = {0};
		k = junit_testcase(&rows[i], &out);
		row_trees(&rows[i], trees);
		for (size_t t = 0; k >= 0 && t < 2; t++)
			if (trees[t])
				k = junit_subtests(&rows[i], &trees[t]->root, &path, &out);
	}
	if (k >= 0)
		k = buf_puts(&out, "</testsuite>\n");
	return k < 0 ? k : commit(dst, &out);
}

int report_exit_status_each(const struct run_result_row *rows, size_t n, bool flaky_fails)
{
	for (size_t i = 0; i < n; i++)
		if (result_kind_fails(rows[i].kind, flaky_fails))
			return rows[i].exit_code ? rows[i].exit_code : 1;
	return 0;
}

int report_exit_status(const struct run_result_row *rows, size_t n)
{
	return report_exit_status_each(rows, n, false);
}
