/* SPDX-License-Identifier: MIT */
/* Profiles: the pure, dependency-ordered merge of requested profiles and option substitution. */
#include "profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "profile_internal.h"

/* ---- resolution ---- */

struct rnode {
	char *name;
	const struct profile *p;
	bool done; /* false while it is being visited (it is on the path) */
};

struct rsetting {
	size_t node;
	char *kv;     /* "key=value" */
	char *source; /* "profile raid"; NULL for the command line */
};

struct rctx {
	profile_lookup_fn lookup;
	void *userdata;
	struct rnode *nodes;
	size_t n_nodes;
	size_t *order; /* node indices, dependencies first */
	size_t n_order;
	struct rsetting *settings;
	size_t n_settings;
	struct strv path; /* names being visited, outermost first */
	char **ret_error;
};

static void rctx_free(struct rctx *c)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		free(c->nodes[i].name);
	free(c->nodes);
	free(c->order);
	for (size_t i = 0; i < c->n_settings; i++) {
		free(c->settings[i].kv);
		free(c->settings[i].source);
	}
	free(c->settings);
	strv_free(&c->path);
}

static int add_rsetting(struct rctx *c, size_t node, const char *kv, const char *requirer)
{
	struct rsetting *s = realloc(c->settings, (c->n_settings + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	c->settings = s;
	s = &c->settings[c->n_settings];
	*s = (struct rsetting){.node = node, .kv = strdup(kv)};
	if (requirer && asprintf(&s->source, "profile %s", requirer) < 0)
		s->source = NULL;
	if (!s->kv || (requirer && !s->source)) {
		free(s->kv);
		free(s->source);
		return -ENOMEM;
	}
	c->n_settings++;
	return 0;
}

static int cycle_error(struct rctx *c, const char *name)
{
	_cleanup_buf_ struct buf b = {0};
	size_t start = 0;

	for (size_t i = 0; i < c->path.len; i++)
		if (STREQ(c->path.items[i], name)) {
			start = i;
			break;
		}
	int k = buf_puts(&b, "profile cycle: ");
	for (size_t i = start; k >= 0 && i < c->path.len; i++)
		k = buf_printf(&b, "%s -> ", c->path.items[i]);
	if (k >= 0)
		k = buf_printf(&b, "%s; remove one of these requires", name);
	if (k < 0)
		return set_error_oom(c->ret_error);
	if (c->ret_error)
		*c->ret_error = TAKE_PTR(b.data);
	return -ELOOP;
}

static int visit(struct rctx *c, const char *name, size_t *ret_idx)
{
	size_t i;
	int k;

	for (i = 0; i < c->n_nodes; i++)
		if (STREQ(c->nodes[i].name, name))
			break;
	if (i < c->n_nodes) {
		if (!c->nodes[i].done)
			return cycle_error(c, name);
		*ret_idx = i;
		return 0;
	}

	const struct profile *p = NULL;
	char *err = NULL;
	k = c->lookup(name, c->userdata, &p, &err);
	if (k >= 0 && !p)
		k = -ENOENT;
	if (k < 0) {
		if (!err)
			set_error(&err, "profile %s: cannot load it: %s", name, strerror(-k));
		if (c->ret_error)
			*c->ret_error = err;
		else
			free(err);
		return k;
	}

	struct rnode *nodes = realloc(c->nodes, (c->n_nodes + 1) * sizeof(*nodes));
	if (!nodes)
		return set_error_oom(c->ret_error);
	c->nodes = nodes;
	size_t *order = realloc(c->order, (c->n_nodes + 1) * sizeof(*order)); /* room for it */
	if (!order)
		return set_error_oom(c->ret_error);
	c->order = order;
	i = c->n_nodes;
	c->nodes[i] = (struct rnode){.name = strdup(name), .p = p};
	if (!c->nodes[i].name)
		return set_error_oom(c->ret_error);
	c->n_nodes++;
	if (strv_push(&c->path, name) < 0)
		return set_error_oom(c->ret_error);

	for (size_t j = 0; j < p->requires.len; j++) {
		_cleanup_free_ char *msg = NULL;
		struct profile_requests tmp = {0};

		k = requests_parse(&tmp, p->requires.items[j], &msg);
		if (k == -EINVAL)
			set_error(c->ret_error, "profile %s: requires '%s': %s", name,
				  p->requires.items[j], msg ? msg : "invalid");
		else if (k < 0)
			set_error_oom(c->ret_error);
		for (size_t q = 0; k >= 0 && q < tmp.n; q++) {
			size_t dep;
			k = visit(c, tmp.items[q].name, &dep);
			for (size_t x = 0; k >= 0 && x < tmp.items[q].settings.len; x++) {
				k = add_rsetting(c, dep, tmp.items[q].settings.items[x], name);
				if (k < 0)
					set_error_oom(c->ret_error);
			}
		}
		profile_requests_free(&tmp);
		if (k < 0)
			return k;
	}

	c->path.len--;
	free(c->path.items[c->path.len]);
	c->path.items[c->path.len] = NULL;
	c->nodes[i].done = true;
	c->order[c->n_order++] = i;
	*ret_idx = i;
	return 0;
}

static void resolved_free(struct resolved_profile *r)
{
	profile_options_free(r->values, r->n_values);
	strv_free(&r->qemu_args);
	strv_free(&r->kernel_words);
	*r = (struct resolved_profile){0};
}

void profile_set_free(struct profile_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		resolved_free(&s->items[i]);
	free(s->items);
	*s = (struct profile_set){0};
}

const char *resolved_option(const struct resolved_profile *p, const char *name)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (STREQ(p->values[i].name, name))
			return p->values[i].value;
	return NULL;
}

static int unknown_option_error(struct rctx *c, const char *name, const struct profile *p,
				const char *key, size_t key_len, const char *source)
{
	_cleanup_buf_ struct buf b = {0};
	int k = buf_printf(&b, "profile %s: unknown option '%.*s' (set by %s); ", name,
			   (int)key_len, key, source);
	if (k >= 0)
		k = options_phrase(name, p->options, p->n_options, &b);
	if (k < 0)
		return set_error_oom(c->ret_error);
	if (c->ret_error)
		*c->ret_error = TAKE_PTR(b.data);
	return -EINVAL;
}

static int conflict_error(struct rctx *c, const char *name, const char *key, const char *v1,
			  const char *s1, const char *v2, const char *s2)
{
	set_error(c->ret_error, "profile %s: option %s set to %s by %s and to %s by %s; drop one",
		  name, key, v1, s1, v2, s2);
	return -EINVAL;
}

/* The final option values of node, into out->values. */
static int resolve_values(struct rctx *c, size_t node, struct resolved_profile *out)
{
	const struct rnode *n = &c->nodes[node];
	const struct profile *p = n->p;
	_cleanup_free_ const char **set_by = NULL;  /* the profile source behind values[i] */
	_cleanup_free_ const char **cmdline = NULL; /* the command line's value, last wins */

	out->values = calloc(p->n_options ? p->n_options : 1, sizeof(*out->values));
	set_by = calloc(p->n_options ? p->n_options : 1, sizeof(*set_by));
	cmdline = calloc(p->n_options ? p->n_options : 1, sizeof(*cmdline));
	if (!out->values || !set_by || !cmdline)
		return set_error_oom(c->ret_error);
	for (size_t i = 0; i < p->n_options; i++) {
		out->values[i].name = strdup(p->options[i].name);
		out->values[i].value = strdup(p->options[i].value);
		out->n_values++;
		if (!out->values[i].name || !out->values[i].value)
			return set_error_oom(c->ret_error);
	}

	/* Pass 0: settings from requires lines; pass 1: from the command line. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < c->n_settings; j++) {
			const struct rsetting *s = &c->settings[j];
			if (s->node != node || (pass == 0) != (s->source != NULL))
				continue;
			const char *eq = strchr(s->kv, '=');
			size_t key_len = eq ? (size_t)(eq - s->kv) : strlen(s->kv);
			const char *value = eq ? eq + 1 : "";
			size_t i;
			for (i = 0; i < p->n_options; i++)
				if (strlen(p->options[i].name) == key_len &&
				    strncmp(p->options[i].name, s->kv, key_len) == 0)
					break;
			if (i == p->n_options)
				return unknown_option_error(c, n->name, p, s->kv, key_len,
							    s->source ? s->source : CMDLINE_SOURCE);
			if (pass == 1) {
				cmdline[i] = value;
				continue;
			}
			if (set_by[i]) {
				if (!STREQ(out->values[i].value, value))
					return conflict_error(c, n->name, p->options[i].name,
							      out->values[i].value, set_by[i],
							      value, s->source);
				continue;
			}
			char *v = strdup(value);
			if (!v)
				return set_error_oom(c->ret_error);
			free(out->values[i].value);
			out->values[i].value = v;
			set_by[i] = s->source;
		}

	for (size_t i = 0; i < p->n_options; i++) {
		if (!cmdline[i])
			continue;
		if (set_by[i]) {
			if (!STREQ(out->values[i].value, cmdline[i]))
				return conflict_error(c, n->name, p->options[i].name,
						      out->values[i].value, set_by[i], cmdline[i],
						      CMDLINE_SOURCE);
			continue;
		}
		char *v = strdup(cmdline[i]);
		if (!v)
			return set_error_oom(c->ret_error);
		free(out->values[i].value);
		out->values[i].value = v;
	}
	return 0;
}

/* ${option} -> its value, $$ -> $, in one qemu arg or kernel word. */
static int substitute(struct rctx *c, const char *name, const struct resolved_profile *rp,
		      const char *what, const char *in, struct strv *out)
{
	_cleanup_buf_ struct buf b = {0};
	const char *s = in;
	int k = buf_append(&b, "", 0);

	while (k >= 0 && *s) {
		const char *d = strchr(s, '$');
		if (!d) {
			k = buf_puts(&b, s);
			break;
		}
		k = buf_append(&b, s, (size_t)(d - s));
		if (k < 0)
			break;
		if (d[1] == '$') {
			k = buf_puts(&b, "$");
			s = d + 2;
			continue;
		}
		const char *end = d[1] == '{' ? strchr(d + 2, '}') : NULL;
		if (!end) {
			set_error(c->ret_error,
				  "profile %s: %s '%s' has a '$' without {OPTION}; write ${OPTION} "
				  "for an option's value or $$ for a literal '$'",
				  name, what, in);
			return -EINVAL;
		}
		const char *key = d + 2;
		size_t key_len = (size_t)(end - key), i;
		for (i = 0; i < rp->n_values; i++)
			if (strlen(rp->values[i].name) == key_len &&
			    strncmp(rp->values[i].name, key, key_len) == 0)
				break;
		if (i == rp->n_values) {
			_cleanup_buf_ struct buf e = {0};
			k = buf_printf(&e,
				       "profile %s: %s '%s' uses ${%.*s}, which is not an option; ",
				       name, what, in, (int)key_len, key);
			if (k >= 0)
				k = options_phrase(name, rp->values, rp->n_values, &e);
			if (k < 0)
				break;
			if (c->ret_error)
				*c->ret_error = TAKE_PTR(e.data);
			return -EINVAL;
		}
		k = buf_puts(&b, rp->values[i].value);
		s = end + 1;
	}
	if (k >= 0)
		k = strv_push_take(out, TAKE_PTR(b.data));
	if (k < 0)
		return set_error_oom(c->ret_error);
	return 0;
}

static int resolve_one(struct rctx *c, size_t node, struct resolved_profile *out)
{
	const struct rnode *n = &c->nodes[node];
	int k;

	out->profile = n->p;
	k = resolve_values(c, node, out);
	for (size_t i = 0; k >= 0 && i < n->p->qemu_args.len; i++)
		k = substitute(c, n->name, out, "qemu arg", n->p->qemu_args.items[i],
			       &out->qemu_args);
	for (size_t i = 0; k >= 0 && i < n->p->kernel_words.len; i++)
		k = substitute(c, n->name, out, "kernel word", n->p->kernel_words.items[i],
			       &out->kernel_words);
	return k;
}

int profiles_resolve(const struct profile_requests *req, profile_lookup_fn lookup, void *userdata,
		     struct profile_set *ret, char **ret_error)
{
	struct rctx c = {.lookup = lookup, .userdata = userdata, .ret_error = ret_error};
	struct profile_set set = {0};
	int k = 0;

	for (size_t i = 0; k >= 0 && i < req->n; i++) {
		size_t idx;
		k = visit(&c, req->items[i].name, &idx);
		for (size_t j = 0; k >= 0 && j < req->items[i].settings.len; j++) {
			k = add_rsetting(&c, idx, req->items[i].settings.items[j], NULL);
			if (k < 0)
				set_error_oom(ret_error);
		}
	}
	if (k >= 0 && c.n_order) {
		set.items = calloc(c.n_order, sizeof(*set.items));
		if (!set.items)
			k = set_error_oom(ret_error);
	}
	for (size_t i = 0; k >= 0 && i < c.n_order; i++) {
		set.n++;
		k = resolve_one(&c, c.order[i], &set.items[i]);
	}
	rctx_free(&c);
	if (k < 0) {
		profile_set_free(&set);
		return k;
	}
	*ret = set;
	return 0;
}
