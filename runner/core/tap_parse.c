/* SPDX-License-Identifier: MIT */
/* TAP 13/14 and KTAP results, read from a program's output or a kernel log into a tree. */
#include "tap_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap_block.h"
#include "tap_internal.h"

/* ---- what each line does ---- */

static int on_version(struct parser *p, size_t i, const char *body)
{
	struct block *b = parser_top(p);
	bool empty = b->nodes.len == b->seg_start && b->seg_planned < 0 && !b->seg_version;
	int r = empty ? 0 : parser_close_segment(p, b, p->depth == 1, i);
	if (r < 0)
		return r;
	b->seg_version = b->seg_evidence = true;
	b->seg_first_line = (unsigned)i + 1;
	b->ktap = b->ktap || body[0] == 'K';
	b->diag_from = i + 1;
	return 0;
}

static int on_plan(struct parser *p, size_t i, const char *body, size_t len)
{
	struct block *b = parser_top(p);
	unsigned long count = 0;
	size_t comment = len;
	(void)tap_line_plan(body, len, &count, &comment); /* classify matched it */
	int r = b->seg_planned >= 0 ? parser_close_segment(p, b, p->depth == 1, i) : 0;
	if (r < 0)
		return r;
	if (!b->name && b->announced && b->nodes.len == b->seg_start)
		b->name = TAKE_PTR(b->announced); /* KUnit: version, "# Subtest: NAME", plan */
	b->seg_planned = (long)count;
	b->seg_plan_leading = b->nodes.len == b->seg_start;
	b->seg_plan_line = (unsigned)i + 1;
	b->seg_evidence = true;
	b->diag_from = i + 1;
	if (count > 0 || b->skip_all_reason)
		return 0;

	const char *reason;
	_cleanup_free_ char *text = tap_dup_text(body + comment, len - comment, true);
	if (!text)
		return -ENOMEM;
	const char *t = text;
	while (is_blank(*t))
		t++;
	if (!tap_directive_is(t, "skip", &reason))
		return 0;
	b->skip_all_reason = strdup(reason);
	return b->skip_all_reason ? 0 : -ENOMEM;
}

static int on_subtest(struct parser *p, size_t i, const char *body, size_t len)
{
	const char *s = body + 9;
	size_t n = len - 9;
	if (n && *s == ':')
		s++, n--;
	trim(&s, &n);
	char *name = tap_dup_text(s, n, true); /* escaped as the description it must match */
	if (!name)
		return -ENOMEM;
	struct block *b = parser_top(p);
	free(b->announced);
	b->announced = name;
	b->announced_at = i;
	return 0;
}

static int on_test(struct parser *p, size_t i, const char *body, size_t len)
{
	struct block *b = parser_top(p);
	struct tap_node n = {.line = (unsigned)i + 1, .planned = -1};
	size_t below = 0;
	int r = tap_line_test_point(body, len, &n);
	if (r >= 0 && n.number == 1 && p->depth == 1 && b->seg_plan_leading &&
	    b->nodes.len - b->seg_start == (size_t)b->seg_planned) {
		/* Test 1 again after all that was planned: another document without a header
		 * (a KUnit module loaded after the built-in suites prints none). */
		r = parser_close_segment(p, b, true, i);
		b->seg_implicit = b->seg_evidence = true;
	}
	if (r < 0) {
		tap_node_free_contents(&n);
		return r;
	}
	if (b->pending.present) {
		struct subtests s = b->pending;
		b->pending = (struct subtests){0};
		n.children = s.nodes.items;
		n.n_children = s.nodes.len;
		n.planned = s.planned;
		n.skip_all_reason = s.skip_all_reason;
		below = s.height;
		if (!*n.name && s.name) {
			free(n.name);
			n.name = TAKE_PTR(s.name);
		}
		free(s.name);
	}
	if (b->announced && !b->name && b->nodes.len == b->seg_start) {
		b->name = TAKE_PTR(b->announced); /* KUnit's parameters: no plan */
		if (b->diag_from <= b->announced_at)
			b->diag_from = b->announced_at + 1; /* the header is not the test's */
	} else if (b->announced) {
		if (!*n.name) {
			free(n.name);
			n.name = TAKE_PTR(b->announced);
		}
		free(b->announced);
		b->announced = NULL;
	}
	/* kselftest's runner says "TAP version 13", but its tests print diagnostics first. */
	if (strncmp(n.name, "selftests: ", 11) == 0)
		b->ktap = true;

	r = parser_add_node(p, b, &n, below, i);
	if (r < 0)
		return r;
	b->diag_from = i + 1;
	b->yaml_target = (long)b->nodes.len - 1;
	b->after = b->ktap ? -1 : b->yaml_target;
	return 0;
}

static int on_bail_out(struct parser *p, size_t i, const char *body, size_t len)
{
	const char *s = body + 9;
	size_t n = len - 9;
	trim(&s, &n);
	_cleanup_free_ char *reason = tap_dup_text(s, n, true);
	if (!reason)
		return -ENOMEM;
	p->stop = true;
	return parser_add_problem(p, TAP_PROBLEM_BAIL_OUT, (unsigned)i + 1, -1, 0, "Bail out!%s%s",
				  *reason ? " " : "", reason);
}

/* "  ---" or "  ..." (marker) at the start of s, then only blanks. */
static bool is_yaml_marker(const char *s, size_t len, const char *marker)
{
	return has_prefix(s, len, "  ", 2) && has_prefix(s + 2, len - 2, marker, 3) &&
	       is_blank_line(s + 5, len - 5);
}

/* Text at the innermost block: the start of a YAML block, or TAP diagnostics. */
static int on_text(struct parser *p, size_t i, const char *s, size_t len)
{
	struct block *b = parser_top(p);
	if (has_prefix(s, len, b->indent, b->indent_len))
		s += b->indent_len, len -= b->indent_len;
	if (b->yaml_target >= 0) {
		if (is_yaml_marker(s, len, "---")) {
			b->in_yaml = true;
			return parser_put_line(p, b, i,
					       &b->nodes.items[b->yaml_target].diagnostics);
		}
		/* Only comments and blank lines may come between a test point and its YAML. */
		trim(&s, &len);
		if (len > 0 && s[0] != '#')
			b->yaml_target = -1;
	}
	return b->after >= 0 ? parser_put_line(p, b, i, &b->nodes.items[b->after].diagnostics) : 0;
}

/* A line inside a YAML block: 1 when it was taken, 0 when it ends the block unannounced. */
static int on_yaml(struct parser *p, size_t i, const char *s, size_t len)
{
	struct block *b = parser_top(p);
	bool inside = has_prefix(s, len, b->indent, b->indent_len) &&
		      has_prefix(s + b->indent_len, len - b->indent_len, "  ", 2);
	if (!inside && !is_blank_line(s, len)) {
		b->in_yaml = false;
		b->yaml_target = -1;
		if (b->ktap)
			b->diag_from = i;
		return 0;
	}
	int r = parser_put_line(p, b, i, &b->nodes.items[b->yaml_target].diagnostics);
	if (r < 0)
		return r;
	if (inside && is_yaml_marker(s + b->indent_len, len - b->indent_len, "...")) {
		b->in_yaml = false;
		b->yaml_target = -1;
		if (b->ktap)
			b->diag_from = i + 1;
	}
	return 1;
}

/* A version line, plan, test point, "# Subtest" or "Bail out!" with indent bytes of
 * indentation: finds its level (opening or closing blocks), then does what it says. */
static int on_structure(struct parser *p, size_t i, enum line_kind kind, const char *s, size_t len,
			size_t indent)
{
	const char *body = s + indent;
	size_t body_len = len - indent;
	int r = 0;
	if (kind == LINE_BAIL_OUT)
		return on_bail_out(p, i, body, body_len);
	for (;;) {
		struct block *b = parser_top(p);
		enum relation rel = tap_compare_indent(s, indent, b->indent, b->indent_len);
		if (rel == INDENT_SAME)
			break;
		if (rel == INDENT_DEEPER && p->depth >= MAX_DEPTH)
			return on_text(p, i, s, len);
		if (rel == INDENT_DEEPER) {
			r = parser_push_block(p, i, s, indent);
			if (r < 0)
				return r;
			break;
		}
		if (p->depth > 1)
			r = parser_pop_block(p, i);
		else if (rel == INDENT_SHALLOWER)
			r = parser_wrap_top_level(p, i, s, indent);
		else
			return on_text(p, i, s, len); /* beside the document's indentation */
		if (r < 0)
			return r;
		if (r > 0)
			return on_text(p, i, s, len);
	}

	struct block *b = parser_top(p);
	b->after = b->yaml_target = -1;
	if (kind != LINE_TEST && b->pending.present) {
		r = parser_pending_to_node(p, b, i);
		if (r < 0)
			return r;
	}
	switch (kind) {
	case LINE_VERSION: return on_version(p, i, body);
	case LINE_PLAN: return on_plan(p, i, body, body_len);
	case LINE_SUBTEST: return on_subtest(p, i, body, body_len);
	case LINE_TEST: return on_test(p, i, body, body_len);
	default: return 0;
	}
}

/* Line i outside any document: does one start here? */
static int start_document(struct parser *p, size_t i)
{
	const char *s = p->lines[i].s;
	size_t len = p->lines[i].len, tag = 0, at, indent;
	if (p->input == TAP_INPUT_KERNEL_LOG) {
		if (!tap_line_find_version(s, len, &at))
			return 0;
		for (tag = 0; tag < at && !tap_is_indentation(s + tag, at - tag);)
			tag++;
		if (tag > TAP_MAX_LOG_TAG)
			return 0;
	}
	enum line_kind kind = tap_line_classify(s + tag, len - tag, &indent);
	if (p->input == TAP_INPUT_PROGRAM &&
	    ((kind != LINE_VERSION && kind != LINE_PLAN && kind != LINE_TEST) ||
	     memchr(s, '#', indent)))
		return 0;
	if (!p->stack) {
		p->stack = calloc(4, sizeof(*p->stack));
		if (!p->stack)
			return -ENOMEM;
		p->cap = 4;
	}
	p->in_doc = true;
	p->tag = s;
	p->tag_len = tag;
	p->doc_start = i;
	tap_block_init(&p->stack[0], s + tag, indent, p->input == TAP_INPUT_KERNEL_LOG, i);
	p->depth = 1;
	return on_structure(p, i, kind, s + tag, len - tag, indent);
}

/* Ends the document at line i: its open blocks end, its top-level tests join p->top. */
static int end_document(struct parser *p, size_t i)
{
	int r = 0;
	while (r >= 0 && p->depth > 1)
		r = parser_pop_block(p, i);
	struct block *b = &p->stack[0];
	if (r >= 0 && b->pending.present)
		r = parser_pending_to_node(p, b, i);
	if (r >= 0)
		r = parser_close_segment(p, b, true, i);
	for (size_t k = 0; r >= 0 && k < b->nodes.len; k++)
		r = tap_node_list_push(&p->top, &b->nodes.items[k]);
	if (r < 0)
		return r;
	p->n_segments += b->n_segments;
	p->plan_sum += b->plan_sum;
	p->plan_missing = p->plan_missing || b->plan_missing;
	if (!p->skip_all_reason)
		p->skip_all_reason = TAKE_PTR(b->skip_all_reason);
	tap_block_free(b);
	p->depth = 0;
	p->in_doc = false;
	return 0;
}

static int parse_line(struct parser *p, size_t i)
{
	const char *s = p->lines[i].s;
	size_t len = p->lines[i].len, indent, at;
	int r;
	if (!p->in_doc)
		return start_document(p, i);
	if (!has_prefix(s, len, p->tag, p->tag_len)) {
		/* Not this document's line: the kernel's own, or the next document's start. */
		if (p->input == TAP_INPUT_KERNEL_LOG && tap_line_find_version(s, len, &at)) {
			r = end_document(p, i);
			return r < 0 ? r : start_document(p, i);
		}
		struct block *b = parser_top(p);
		if (b->after >= 0 && !b->in_yaml)
			return parser_put_line(p, b, i, &b->nodes.items[b->after].diagnostics);
		return 0;
	}
	s += p->tag_len;
	len -= p->tag_len;
	if (parser_top(p)->in_yaml) {
		r = on_yaml(p, i, s, len);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	enum line_kind kind = tap_line_classify(s, len, &indent);
	return kind == LINE_TEXT ? on_text(p, i, s, len) : on_structure(p, i, kind, s, len, indent);
}

/* ---- the whole text ---- */

static int split_lines(const char *text, size_t len, enum tap_input input, struct line **ret,
		       size_t *ret_n)
{
	size_t count = 1, n = 0;
	for (const char *s = text; s && (s = memchr(s, '\n', len - (size_t)(s - text))); s++)
		count++;
	struct line *lines = calloc(count, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t l = end - pos;
		while (l && s[l - 1] == '\r')
			l--;
		if (input == TAP_INPUT_KERNEL_LOG) {
			size_t k = tap_log_prefix_length(s, l);
			s += k;
			l -= k;
		}
		lines[n++] = (struct line){s, l};
		pos = end + 1;
	}
	*ret = lines;
	*ret_n = n;
	return 0;
}

/* Drops the blank lines at the start and end of a test's diagnostics (TAP ignores them). */
static void trim_blank_lines(struct buf *b)
{
	size_t start = 0, end = b->len;
	for (size_t eol; start < end; start = eol + 1) {
		eol = (size_t)((char *)memchr(b->data + start, '\n', end - start) - b->data);
		if (!is_blank_line(b->data + start, eol - start))
			break;
	}
	while (end > start) {
		size_t bol = end - 1;
		while (bol > start && b->data[bol - 1] != '\n')
			bol--;
		if (!is_blank_line(b->data + bol, end - 1 - bol))
			break;
		end = bol;
	}
	if (start == end) {
		buf_free(b);
		return;
	}
	memmove(b->data, b->data + start, end - start);
	b->len = end - start;
	b->data[b->len] = '\0';
}

/* The finished tree's last pass: tidy diagnostics, and the problems inside it: plans that do
 * not match, result lines that never came. */
static int finish_nodes(struct parser *p, struct tap_node *n, struct buf *path)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n->n_children; i++) {
		struct tap_node *c = &n->children[i];
		size_t mark = path->len;
		trim_blank_lines(&c->diagnostics);
		r = tap_path_push(path, c, i);
		if (r >= 0 && c->no_result_line)
			r = parser_add_problem(p, TAP_PROBLEM_NO_RESULT_LINE, c->line, -1,
					       c->n_children,
					       "%s: no result line after its subtests", path->data);
		if (r >= 0 && c->planned >= 0 && (size_t)c->planned != c->n_children)
			r = parser_add_problem(p, TAP_PROBLEM_COUNT, c->line, c->planned,
					       c->n_children, "%s: planned %ld test%s, saw %zu",
					       path->data, c->planned,
					       tap_plural((size_t)c->planned), c->n_children);
		if (r >= 0)
			r = finish_nodes(p, c, path);
		tap_path_cut(path, mark);
	}
	return r;
}

/* Stable, so problems on one line keep the order they were found in. */
static void sort_problems(struct tap_problem *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct tap_problem x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].line > x.line; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void parser_free(struct parser *p)
{
	for (size_t i = 0; i < p->depth; i++)
		tap_block_free(&p->stack[i]);
	free(p->stack);
	tap_node_list_free(&p->top);
	free(p->skip_all_reason);
	for (size_t i = 0; i < p->n_problems; i++)
		free(p->problems[i].message);
	free(p->problems);
}

int tap_parse(const char *text, size_t len, enum tap_input input, struct tap_tree **ret_tree)
{
	_cleanup_free_ struct line *lines = NULL;
	struct parser p = {.input = input};
	size_t n = 0, i = 0;
	int r = split_lines(text, len, input, &lines, &n);
	p.lines = lines;
	p.n_lines = n;
	for (; r >= 0 && !p.stop && i < n; i += !p.stop)
		r = parse_line(&p, i);
	if (r >= 0 && p.in_doc)
		r = end_document(&p, i);
	if (r < 0 || p.kept == 0) {
		parser_free(&p);
		if (r >= 0)
			*ret_tree = NULL;
		return r;
	}

	struct tap_tree *t = calloc(1, sizeof(*t));
	if (!t) {
		parser_free(&p);
		return -ENOMEM;
	}
	t->root = (struct tap_node){
		.name = strdup(""),
		.ok = true,
		.children = p.top.items,
		.n_children = p.top.len,
		.planned = p.n_segments && !p.plan_missing ? (long)p.plan_sum : -1,
		.skip_all_reason = TAKE_PTR(p.skip_all_reason),
	};
	p.top = (struct node_list){0};
	_cleanup_buf_ struct buf path = {0};
	r = t->root.name ? finish_nodes(&p, &t->root, &path) : -ENOMEM;
	t->problems = TAKE_PTR(p.problems);
	t->n_problems = p.n_problems;
	p.n_problems = 0;
	parser_free(&p);
	if (r < 0) {
		tap_tree_free(t);
		return r;
	}
	sort_problems(t->problems, t->n_problems);
	*ret_tree = t;
	return 0;
}
