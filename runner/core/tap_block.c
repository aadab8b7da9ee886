/* SPDX-License-Identifier: MIT */
/* The TAP reader's nesting: node lists, blocks at one indentation, the documents in them, and
 * the problems found, as the line handlers of tap_parse.c push and close them. */
#include "tap_block.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "tap_internal.h"

/* ---- nodes, blocks, problems ---- */

/* Moves *n to the end of l (leaving *n empty); on -ENOMEM *n is left as it was. */
int tap_node_list_push(struct node_list *l, struct tap_node *n)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct tap_node *items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = *n;
	*n = (struct tap_node){0};
	return 0;
}

void tap_node_list_free(struct node_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		tap_node_free_contents(&l->items[i]);
	free(l->items);
	*l = (struct node_list){0};
}

static void subtests_free(struct subtests *s)
{
	tap_node_list_free(&s->nodes);
	free(s->skip_all_reason);
	free(s->name);
	*s = (struct subtests){0};
}

void tap_block_free(struct block *b)
{
	tap_node_list_free(&b->nodes);
	free(b->name);
	free(b->announced);
	free(b->skip_all_reason);
	subtests_free(&b->pending);
}

void tap_block_init(struct block *b, const char *indent, size_t indent_len, bool ktap, size_t i)
{
	*b = (struct block){
		.indent = indent,
		.indent_len = indent_len,
		.ktap = ktap,
		.seg_planned = -1,
		.seg_first_line = (unsigned)i + 1,
		.diag_from = i,
		.after = -1,
		.yaml_target = -1,
	};
}

static long block_planned(const struct block *b)
{
	return b->n_segments && !b->plan_missing ? (long)b->plan_sum : -1;
}

/* Levels of tests b will hold, its pending subtests' stand-in included. */
static size_t block_height(const struct block *b)
{
	size_t pending = b->pending.present ? b->pending.height + 1 : 0;
	return b->height > pending ? b->height : pending;
}

struct block *parser_top(struct parser *p)
{
	return &p->stack[p->depth - 1];
}

const char *tap_plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int parser_add_problem(struct parser *p, enum tap_problem_kind kind, unsigned line, long planned,
		       size_t seen, const char *fmt, ...)
{
	if (p->n_problems == p->cap_problems) {
		size_t cap = p->cap_problems ? p->cap_problems * 2 : 8;
		struct tap_problem *items = realloc(p->problems, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		p->problems = items;
		p->cap_problems = cap;
	}
	char *message;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	p->problems[p->n_problems++] = (struct tap_problem){kind, line, planned, seen, message};
	return 0;
}

/* Line j as seen from block b: without the document's tag and b's indentation. */
int parser_put_line(struct parser *p, const struct block *b, size_t j, struct buf *out)
{
	const char *s = p->lines[j].s;
	size_t len = p->lines[j].len;
	if (has_prefix(s, len, p->tag, p->tag_len))
		s += p->tag_len, len -= p->tag_len;
	/* All of b's indentation, or as much as the line has (KUnit prints some diagnostics of a
	 * parameter less indented than the parameter's result line). */
	size_t k = 0;
	while (k < len && k < b->indent_len && s[k] == b->indent[k])
		k++;
	int r = tap_put_text(out, s + k, len - k, false);
	return r < 0 ? r : buf_append(out, "\n", 1);
}

/* Appends *n, whose subtests are below levels deep, to b (taking it); in KTAP with lines
 * [b->diag_from, end) as its diagnostics. */
int parser_add_node(struct parser *p, struct block *b, struct tap_node *n, size_t below, size_t end)
{
	size_t height = below + 1;
	int r = 0;
	for (size_t j = b->diag_from; b->ktap && r >= 0 && j < end; j++)
		r = parser_put_line(p, b, j, &n->diagnostics);
	if (r >= 0)
		r = tap_node_list_push(&b->nodes, n);
	if (r < 0) {
		tap_node_free_contents(n);
		return r;
	}
	if (height > b->height)
		b->height = height;
	return 0;
}

/* b's pending subtests got no result line before line i: a failed test stands in for it. */
int parser_pending_to_node(struct parser *p, struct block *b, size_t i)
{
	struct subtests s = b->pending;
	b->pending = (struct subtests){0};
	struct tap_node n = {
		.name = s.name ? s.name : strdup(""),
		.result = TAP_FAIL,
		.no_result_line = true,
		.line = (unsigned)i + 1,
		.children = s.nodes.items,
		.n_children = s.nodes.len,
		.planned = s.planned,
		.skip_all_reason = s.skip_all_reason,
	};
	if (!n.name) {
		tap_node_free_contents(&n);
		return -ENOMEM;
	}
	b->after = b->yaml_target = -1;
	int r = parser_add_node(p, b, &n, s.height, i);
	b->diag_from = i; /* line i is still to be read */
	return r;
}

/*
 * Ends the document now being read in b at line i. At the top level it is checked against its
 * plan; program output with neither a version line nor a plan is dropped as not TAP.
 */
int parser_close_segment(struct parser *p, struct block *b, bool top_level, size_t i)
{
	size_t seen = b->nodes.len - b->seg_start;
	int r = 0;
	if (seen == 0 && b->seg_planned < 0 && !b->seg_version && !b->seg_implicit)
		goto reset;
	if (top_level && p->input == TAP_INPUT_PROGRAM && !b->seg_evidence) {
		while (b->nodes.len > b->seg_start)
			tap_node_free_contents(&b->nodes.items[--b->nodes.len]);
		goto reset;
	}
	if (top_level) {
		if (b->seg_planned >= 0 && (size_t)b->seg_planned != seen)
			r = parser_add_problem(p, TAP_PROBLEM_COUNT, b->seg_plan_line,
					       b->seg_planned, seen, "planned %ld test%s, saw %zu",
					       b->seg_planned, tap_plural((size_t)b->seg_planned),
					       seen);
		else if (b->seg_planned < 0 && !b->seg_implicit)
			r = parser_add_problem(p, TAP_PROBLEM_NO_PLAN, b->seg_first_line, -1, seen,
					       "no plan, saw %zu test%s", seen, tap_plural(seen));
		p->kept++;
	}
	b->n_segments++;
	if (b->seg_planned >= 0)
		b->plan_sum += (unsigned long)b->seg_planned;
	else
		b->plan_missing = true;
reset:
	b->seg_start = b->nodes.len;
	b->seg_version = b->seg_evidence = b->seg_implicit = false;
	b->seg_planned = -1;
	b->seg_first_line = (unsigned)i + 1;
	return r;
}

/* Ends block b at line i; *ret takes its tests, to wait for their parent's result line. */
static int block_end(struct parser *p, struct block *b, size_t i, struct subtests *ret)
{
	int r = b->pending.present ? parser_pending_to_node(p, b, i) : 0;
	if (r >= 0)
		r = parser_close_segment(p, b, false, i);
	if (r < 0)
		return r;
	*ret = (struct subtests){
		.present = true,
		.nodes = b->nodes,
		.planned = block_planned(b),
		.skip_all_reason = TAKE_PTR(b->skip_all_reason),
		.name = TAKE_PTR(b->name),
		.indent = b->indent,
		.indent_len = b->indent_len,
		.height = b->height,
	};
	b->nodes = (struct node_list){0};
	return 0;
}

int parser_pop_block(struct parser *p, size_t i)
{
	struct subtests s;
	int r = block_end(p, parser_top(p), i, &s);
	if (r < 0)
		return r;
	tap_block_free(parser_top(p));
	p->depth--;
	struct block *parent = parser_top(p);
	r = parent->pending.present ? parser_pending_to_node(p, parent, i) : 0;
	if (r < 0) {
		subtests_free(&s);
		return r;
	}
	parent->pending = s;
	parent->after = parent->yaml_target = -1;
	return 0;
}

/* How indentation a stands to b. */
enum relation tap_compare_indent(const char *a, size_t alen, const char *b, size_t blen)
{
	if (memcmp(a, b, alen < blen ? alen : blen) != 0)
		return INDENT_UNRELATED;
	return alen == blen ? INDENT_SAME : alen > blen ? INDENT_DEEPER : INDENT_SHALLOWER;
}

int parser_push_block(struct parser *p, size_t i, const char *indent, size_t indent_len)
{
	struct block *parent = parser_top(p);
	bool carry = false;
	int r = 0;
	if (parent->pending.present) {
		/* TAP 14 nests twice at once: the inner block ended, the middle one starts now. */
		carry = tap_compare_indent(parent->pending.indent, parent->pending.indent_len,
					   indent, indent_len) == INDENT_DEEPER &&
			p->depth + 1 + parent->pending.height <= MAX_DEPTH;
		if (!carry)
			r = parser_pending_to_node(p, parent, i);
	}
	if (r < 0)
		return r;
	if (p->depth == p->cap) {
		size_t cap = p->cap * 2;
		struct block *stack = realloc(p->stack, cap * sizeof(*stack));
		if (!stack)
			return -ENOMEM;
		p->stack = stack;
		p->cap = cap;
		parent = parser_top(p);
	}
	/* kselftest's runner nests with "# ", and its tests print their diagnostics first. */
	bool ktap = parent->ktap || memchr(indent + parent->indent_len, '#',
					   indent_len - parent->indent_len) != NULL;
	struct block *child = &p->stack[p->depth++];
	tap_block_init(child, indent, indent_len, ktap, i);
	child->name = TAKE_PTR(parent->announced);
	if (carry) {
		child->pending = parent->pending;
		parent->pending = (struct subtests){0};
	}
	parent->after = parent->yaml_target = -1;
	return 0;
}

/* A line less indented than the document's first: the document so far was a subtest. 1 when
 * that would nest too deep. */
int parser_wrap_top_level(struct parser *p, size_t i, const char *indent, size_t indent_len)
{
	struct block *old = &p->stack[0];
	bool evidence = old->seg_evidence || old->seg_start > 0;
	if (block_height(old) + 1 > MAX_DEPTH)
		return 1; /* too deep to wrap: the line is text */
	bool ktap = old->ktap;
	struct subtests s;
	int r = block_end(p, old, i, &s);
	if (r < 0)
		return r;
	tap_block_free(old);
	tap_block_init(old, indent, indent_len, ktap, p->doc_start);
	old->seg_implicit = true;
	old->seg_evidence = evidence;
	old->pending = s;
	return 0;
}
