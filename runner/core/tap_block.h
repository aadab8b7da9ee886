/* SPDX-License-Identifier: MIT */
/* tap_block.c's nesting (blocks of test points, the documents in them, problems) as tap_parse.c's
 * line handlers drive it; not a public API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "macro.h"
#include "tap_parse.h"

/* Deeper nesting is read as text, or left flatter: it keeps the recursion over the tree (free,
 * reports) short. */
#define MAX_DEPTH 32

struct line {
	const char *s; /* after a kernel log's timestamps; without the CRs and LF */
	size_t len;
};

struct node_list {
	struct tap_node *items;
	size_t len, cap;
};

/* A block that ended and waits for its parent's test point (its correlated result line). */
struct subtests {
	bool present;
	struct node_list nodes;
	long planned;
	char *skip_all_reason;
	char *name;
	const char *indent;
	size_t indent_len;
	size_t height; /* levels of tests in nodes */
};

/* One level of nesting: the test points at one indentation. */
struct block {
	const char *indent; /* points into the line that opened the block */
	size_t indent_len;
	struct node_list nodes;
	size_t height;	 /* levels of tests in nodes */
	char *name;	 /* from "# Subtest: NAME" */
	char *announced; /* a "# Subtest: NAME" here that no block or plan has claimed yet */
	size_t announced_at;
	bool ktap; /* diagnostics come before the result line */

	/* The document now being read at this level (one block may hold several in a row). */
	size_t seg_start;      /* its first node */
	bool seg_version;      /* it began with a version line */
	bool seg_evidence;     /* a version line or a plan says it is TAP */
	bool seg_implicit;     /* a level wrapped around a document that began indented */
	long seg_planned;      /* -1: no plan yet */
	bool seg_plan_leading; /* the plan came before the tests */
	unsigned seg_plan_line;
	unsigned seg_first_line;

	/* Over its documents. */
	unsigned long plan_sum;
	bool plan_missing;
	size_t n_segments;
	char *skip_all_reason;

	size_t diag_from; /* KTAP: the next test point's diagnostics begin at this line */
	long after;	  /* TAP: the node that takes the lines after it; -1 when none */
	long yaml_target; /* the node a YAML block here belongs to; -1 when none */
	bool in_yaml;
	struct subtests pending;
};

struct parser {
	const struct line *lines;
	size_t n_lines;
	enum tap_input input;
	bool in_doc, stop;
	const char *tag; /* what precedes the version keyword on each line of the document */
	size_t tag_len;
	size_t doc_start;
	struct block *stack;
	size_t depth, cap;
	/* Finished documents. */
	struct node_list top;
	unsigned long plan_sum;
	bool plan_missing;
	size_t n_segments, kept;
	char *skip_all_reason;
	struct tap_problem *problems;
	size_t n_problems, cap_problems;
};

/* tap_block.c; each function says there what it does. */
int tap_node_list_push(struct node_list *l, struct tap_node *n);
void tap_node_list_free(struct node_list *l);
void tap_block_free(struct block *b);
void tap_block_init(struct block *b, const char *indent, size_t indent_len, bool ktap, size_t i);
struct block *parser_top(struct parser *p);
const char *tap_plural(size_t n);
int parser_add_problem(struct parser *p, enum tap_problem_kind kind, unsigned line, long planned,
		       size_t seen, const char *fmt, ...) _printf_(6, 7);
int parser_put_line(struct parser *p, const struct block *b, size_t j, struct buf *out);
int parser_add_node(struct parser *p, struct block *b, struct tap_node *n, size_t below,
		    size_t end);
int parser_pending_to_node(struct parser *p, struct block *b, size_t i);
int parser_close_segment(struct parser *p, struct block *b, bool top_level, size_t i);
int parser_pop_block(struct parser *p, size_t i);
int parser_push_block(struct parser *p, size_t i, const char *indent, size_t indent_len);
int parser_wrap_top_level(struct parser *p, size_t i, const char *indent, size_t indent_len);

/* How one indentation stands to another. */
enum relation { INDENT_SAME, INDENT_DEEPER, INDENT_SHALLOWER, INDENT_UNRELATED };
enum relation tap_compare_indent(const char *a, size_t alen, const char *b, size_t blen);
