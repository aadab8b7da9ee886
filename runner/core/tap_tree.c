/* SPDX-License-Identifier: MIT */
/* A parsed TAP tree: freeing it, and what reports list and count in it. */
#include <stdlib.h>

#include "tap_internal.h"

void tap_node_free_contents(struct tap_node *n)
{
	for (size_t i = 0; i < n->n_children; i++)
		tap_node_free_contents(&n->children[i]);
	free(n->children);
	free(n->name);
	free(n->directive);
	free(n->reason);
	free(n->skip_all_reason);
	buf_free(&n->diagnostics);
	*n = (struct tap_node){0};
}

void tap_tree_free(struct tap_tree *t)
{
	if (!t)
		return;
	tap_node_free_contents(&t->root);
	for (size_t i = 0; i < t->n_problems; i++)
		free(t->problems[i].message);
	free(t->problems);
	free(t);
}

static bool any_failure_below(const struct tap_node *n)
{
	for (size_t i = 0; i < n->n_children; i++)
		if (n->children[i].result == TAP_FAIL || any_failure_below(&n->children[i]))
			return true;
	return false;
}

bool tap_node_listed(const struct tap_node *n)
{
	return n->n_children == 0 || (n->result == TAP_FAIL && !any_failure_below(n));
}

int tap_node_put_name(const struct tap_node *n, size_t index, struct buf *out)
{
	if (n->name && *n->name)
		return buf_puts(out, n->name);
	return buf_printf(out, "#%lu", n->number ? n->number : (unsigned long)index + 1);
}

int tap_path_push(struct buf *path, const struct tap_node *n, size_t index)
{
	int r = buf_puts(path, path->len ? " / " : "");
	return r < 0 ? r : tap_node_put_name(n, index, path);
}

void tap_path_cut(struct buf *path, size_t len)
{
	if (path->data && len < path->len) {
		path->len = len;
		path->data[len] = '\0';
	}
}

static void count_node(const struct tap_node *n, struct tap_counts *c)
{
	for (size_t i = 0; i < n->n_children; i++)
		count_node(&n->children[i], c);
	if (!tap_node_listed(n))
		return;
	switch (n->result) {
	case TAP_PASS: c->passed++; break;
	case TAP_FAIL: c->failed++; break;
	case TAP_SKIP: c->skipped++; break;
	case TAP_TODO: c->todo++; break;
	}
}

void tap_tree_count(const struct tap_tree *t, struct tap_counts *c)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->root.n_children; i++)
		count_node(&t->root.children[i], c);
	c->problems += t->n_problems;
}
