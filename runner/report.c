/* SPDX-License-Identifier: MIT */
/* A matrix run's results as a human table, TAP version 13 or JUnit XML, and its exit status. */
#include "report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, for what a format cannot carry */

/* How put_clean writes text: which characters are kept, escaped or replaced. */
enum clean_mode {
	CLEAN_LINE,	 /* one line of plain text: tab, CR and LF are replaced too */
	CLEAN_TAP_DESC,	 /* a TAP description: like CLEAN_LINE, and '#', '\' backslash-escaped */
	CLEAN_YAML_LINE, /* a line of a YAML block scalar: tab kept */
	CLEAN_XML_TEXT,	 /* XML character data: tab and LF kept, CR as &#13; */
	CLEAN_XML_ATTR,	 /* a double-quoted XML attribute: tab, LF, CR as references */
};

/* Length of the valid UTF-8 sequence at s (at most len bytes) and its code point; 0 if invalid
 * (overlong forms, surrogates and values past U+10FFFF included). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t cp;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned char d = s[i];
		if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xbf))
			return 0;
		cp = (cp << 6) | (d & 0x3f);
	}
	*ret_cp = cp;
	return n;
}

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

enum result_kind result_classify(int exit_code, const char *stderr_text)
{
	if (exit_code == 0)
		return RESULT_PASS;
	if (exit_code == 124)
		return RESULT_TIMEOUT;
	if (exit_code == 125)
		return stderr_text && strstr(stderr_text, "panicked") ? RESULT_PANIC
								      : RESULT_VM_ERROR;
	return RESULT_FAIL;
}

static const char *kind_name(enum result_kind k)
{
	switch (k) {
	case RESULT_PASS: return "pass";
	case RESULT_FAIL: return "fail";
	case RESULT_TIMEOUT: return "timeout";
	case RESULT_PANIC: return "panic";
	case RESULT_VM_ERROR: return "vm-error";
	}
	return NULL;
}

int result_describe(const struct run_result_row *r, struct buf *out)
{
	const char *name = kind_name(r->kind);
	if (!name)
		return -EINVAL;
	if (r->kind == RESULT_FAIL)
		return buf_printf(out, "%s %d", name, r->exit_code);
	return buf_puts(out, name);
}

/* Appends what out holds to dst and frees it; dst is unchanged on failure. */
static int commit(struct buf *dst, struct buf *out)
{
	int r = buf_append(dst, out->data ? out->data : "", out->len);
	buf_free(out);
	return r;
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

/* ---- the table ---- */

#define TABLE_COLUMNS 4

/* Characters on screen, taking each UTF-8 sequence (put_clean's output is valid) as one. */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static int table_cells(const struct run_result_row *r, struct strv *cells)
{
	_cleanup_buf_ struct buf name = {0}, kernel = {0}, result = {0};
	int k = put_clean_str(&name, r->name ? r->name : "", CLEAN_LINE);
	if (k >= 0)
		k = put_clean_str(&kernel, r->kernel ? r->kernel : "-", CLEAN_LINE);
	if (k >= 0)
		k = result_describe(r, &result);
	if (k >= 0)
		k = strv_push(cells, name.data ? name.data : "");
	if (k >= 0)
		k = strv_push(cells, kernel.data ? kernel.data : "");
	if (k >= 0)
		k = strv_push(cells, result.data);
	if (k >= 0)
		k = strv_pushf(cells, "%.1fs", row_seconds(r));
	return k;
}

int report_table(const struct run_result_row *rows, size_t n, struct buf *dst)
{
	static const char *const header[TABLE_COLUMNS] = {"TARGET", "KERNEL", "RESULT", "TIME"};
	_cleanup_strv_ struct strv cells = {0};
	_cleanup_buf_ struct buf out = {0};
	size_t width[TABLE_COLUMNS] = {0}, passed = 0;
	int k = 0;

	for (size_t c = 0; k >= 0 && c < TABLE_COLUMNS; c++)
		k = strv_push(&cells, header[c]);
	for (size_t i = 0; k >= 0 && i < n; i++) {
		k = table_cells(&rows[i], &cells);
		passed += rows[i].kind == RESULT_PASS;
	}
	if (k < 0)
		return k;
	for (size_t i = 0; i < cells.len; i++) {
		size_t w = display_width(cells.items[i]);
		if (w > width[i % TABLE_COLUMNS])
			width[i % TABLE_COLUMNS] = w;
	}

	/* Left-aligned text columns, the time right-aligned; no trailing blanks. */
	for (size_t i = 0; k >= 0 && i < cells.len; i++) {
		size_t c = i % TABLE_COLUMNS, pad = width[c] - display_width(cells.items[i]);
		if (c == TABLE_COLUMNS - 1)
			k = buf_printf(&out, "%*s%s\n", (int)pad, "", cells.items[i]);
		else
			k = buf_printf(&out, "%s%*s  ", cells.items[i], (int)pad, "");
	}
	if (k >= 0)
		k = buf_printf(&out, "%zu passed, %zu failed\n", passed, n - passed);
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
	int k = output_tail(r, REPORT_TAIL_LINES, &tail);
	if (k >= 0)
		k = buf_printf(out, "  ---\n  exit: %d\n  seconds: %.1f\n", r->exit_code,
			       row_seconds(r));
	if (k >= 0)
		k = yaml_output(out, 0, &tail);
	return k < 0 ? k : buf_puts(out, "  ...\n");
}

int report_tap(const struct run_result_row *rows, size_t n, struct buf *dst)
{
	_cleanup_buf_ struct buf out = {0};
	int k = buf_printf(&out, "TAP version 13\n1..%zu\n", n);

	for (size_t i = 0; k >= 0 && i < n; i++) {
		const struct run_result_row *r = &rows[i];
		bool pass = r->kind == RESULT_PASS;
		k = buf_printf(&out, "%sok %zu - ", pass ? "" : "not ", i + 1);
		if (k >= 0)
			k = put_clean_str(&out, r->name ? r->name : "", CLEAN_TAP_DESC);
		if (k >= 0 && r->kernel) {
			k = buf_puts(&out, " (");
			if (k >= 0)
				k = put_clean_str(&out, r->kernel, CLEAN_TAP_DESC);
			if (k >= 0)
				k = buf_puts(&out, ")");
		}
		if (k >= 0 && !pass) {
			k = buf_puts(&out, ": ");
			if (k >= 0)
				k = result_describe(r, &out);
		}
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

static int junit_testcase(const struct run_result_row *r, struct buf *out)
{
	const char *kind = kind_name(r->kind);
	if (!kind)
		return -EINVAL;

	bool has_out = r->stdout_text && *r->stdout_text,
	     has_err = r->stderr_text && *r->stderr_text;
	bool empty = r->kind == RESULT_PASS && !has_out && !has_err;
	int k = buf_puts(out, "  <testcase classname=\"quiz\" name=\"");
	if (k >= 0)
		k = put_clean_str(out, r->name ? r->name : "", CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_printf(out, "\" time=\"%.3f\"%s>\n", row_seconds(r), empty ? "/" : "");
	if (k < 0 || empty)
		return k;

	if (r->kind != RESULT_PASS) {
		const char *tag =
			r->kind == RESULT_FAIL || r->kind == RESULT_TIMEOUT ? "failure" : "error";
		_cleanup_buf_ struct buf tail = {0};
		k = output_tail(r, REPORT_TAIL_LINES, &tail);
		if (k >= 0)
			k = buf_printf(out, "    <%s message=\"exit status %d\" type=\"%s\">", tag,
				       r->exit_code, kind);
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

int report_junit(const char *suite, const struct run_result_row *rows, size_t n, struct buf *dst)
{
	_cleanup_buf_ struct buf out = {0};
	size_t failures = 0, errors = 0;
	double total = 0;

	for (size_t i = 0; i < n; i++) {
		failures += rows[i].kind == RESULT_FAIL || rows[i].kind == RESULT_TIMEOUT;
		errors += rows[i].kind == RESULT_PANIC || rows[i].kind == RESULT_VM_ERROR;
		total += row_seconds(&rows[i]);
	}
	int k = buf_puts(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"");
	if (k >= 0)
		k = put_clean_str(&out, suite ? suite : "quiz", CLEAN_XML_ATTR);
	if (k >= 0)
		k = buf_printf(&out,
			       "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
			       n, failures, errors, total);
	for (size_t i = 0; k >= 0 && i < n; i++)
		k = junit_testcase(&rows[i], &out);
	if (k >= 0)
		k = buf_puts(&out, "</testsuite>\n");
	return k < 0 ? k : commit(dst, &out);
}

int report_exit_status(const struct run_result_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].kind != RESULT_PASS)
			return rows[i].exit_code ? rows[i].exit_code : 1;
	return 0;
}
