/* SPDX-License-Identifier: MIT */
/* The packed tree's manifest and what changed since it. Pure. */
#include "tree_diff.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

#define MANIFEST_HEADER "quiz-tree-manifest 1\n"

int tree_list_push(struct tree_list *l, const struct tree_entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct tree_entry *items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	char *path = strdup(e->path);
	if (!path)
		return -ENOMEM;
	l->items[l->n] = *e;
	l->items[l->n++].path = path;
	if (S_ISREG(e->mode))
		l->bytes += e->size;
	return 0;
}

void tree_list_free(struct tree_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	*l = (struct tree_list){0};
}

/* A byte's rank in the walk's order: the end of the path, then '/', then the rest by value. */
static int rank(unsigned char c)
{
	return c == '\0' ? 0 : c == '/' ? 1 : c + 1;
}

int tree_path_cmp(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	return rank((unsigned char)a[i]) - rank((unsigned char)b[i]);
}

int tree_manifest_encode(const struct tree_list *l,
			 bool (*whole_seconds)(const struct tree_entry *), struct buf *out)
{
	int r = buf_puts(out, MANIFEST_HEADER);
	for (size_t i = 0; r >= 0 && i < l->n; i++) {
		struct tree_entry copy = l->items[i];
		const struct tree_entry *e = &copy;
		if (whole_seconds && whole_seconds(e))
			copy.mtime_ns = 0;
		r = buf_printf(out,
			       "%" PRIo32 " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRIu64
			       " %" PRId64 " %" PRIu32 " %" PRId64 " %" PRIu32 "\t",
			       e->mode, e->uid, e->gid, e->ino, e->size, e->mtime_s, e->mtime_ns,
			       e->ctime_s, e->ctime_ns);
		if (r >= 0)
			r = buf_append(out, e->path, strlen(e->path) + 1);
	}
	return r;
}

/* The next number of a record at *p, in base, followed by sep; false when there is none. */
static bool take_number(const char **p, const char *end, int base, char sep, bool is_signed,
			uint64_t *ret)
{
	const char *s = *p;
	bool neg = is_signed && s < end && *s == '-';
	s += neg;
	uint64_t v = 0;
	const char *digits = s;
	for (; s < end && *s >= '0' && *s < '0' + base; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)(*s - '0');
	}
	if (s == digits || s >= end || *s != sep)
		return false;
	*p = s + 1;
	*ret = neg ? (uint64_t) - (int64_t)v : v;
	return true;
}

static int decode_record(const char **p, const char *end, struct tree_entry *e)
{
	uint64_t v[9];
	static const struct {
		int base;
		char sep;
		bool is_signed;
	} fields[9] = {{8, ' ', false},	 {10, ' ', false}, {10, ' ', false},
		       {10, ' ', false}, {10, ' ', false}, {10, ' ', true},
		       {10, ' ', false}, {10, ' ', true},  {10, '\t', false}};
	for (size_t i = 0; i < ELEMENTSOF(fields); i++)
		if (!take_number(p, end, fields[i].base, fields[i].sep, fields[i].is_signed, &v[i]))
			return -EINVAL;
	const char *path = *p, *nul = memchr(path, '\0', (size_t)(end - path));
	if (!nul || nul == path || path[0] == '/')
		return -EINVAL;
	if (v[0] > UINT32_MAX || v[1] > UINT32_MAX || v[2] > UINT32_MAX || v[6] > 999999999 ||
	    v[8] > 999999999)
		return -EINVAL;
	*e = (struct tree_entry){.path = (char *)path,
				 .mode = (uint32_t)v[0],
				 .uid = (uint32_t)v[1],
				 .gid = (uint32_t)v[2],
				 .ino = v[3],
				 .size = v[4],
				 .mtime_s = (int64_t)v[5],
				 .mtime_ns = (uint32_t)v[6],
				 .ctime_s = (int64_t)v[7],
				 .ctime_ns = (uint32_t)v[8]};
	*p = nul + 1;
	return 0;
}

int tree_manifest_decode(const char *data, size_t size, struct tree_list *ret)
{
	const size_t head = strlen(MANIFEST_HEADER);
	if (size < head || memcmp(data, MANIFEST_HEADER, head) != 0)
		return -EINVAL;
	struct tree_list l = {0};
	const char *p = data + head, *end = data + size;
	int r = 0;
	while (r >= 0 && p < end) {
		struct tree_entry e;
		r = decode_record(&p, end, &e);
		if (r >= 0 && l.n && tree_path_cmp(l.items[l.n - 1].path, e.path) >= 0)
			r = -EINVAL;
		if (r >= 0)
			r = tree_list_push(&l, &e);
	}
	if (r < 0) {
		tree_list_free(&l);
		return r;
	}
	*ret = l;
	return 0;
}

static bool same_entry(const struct tree_entry *a, const struct tree_entry *b)
{
	return a->mode == b->mode && a->uid == b->uid && a->gid == b->gid && a->ino == b->ino &&
	       a->size == b->size && a->mtime_s == b->mtime_s && a->mtime_ns == b->mtime_ns &&
	       a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

/* Is path inside the folder dir ("a/b" in "a")? */
static bool is_inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static int push_index(size_t **v, size_t *n, size_t i)
{
	size_t *grown = realloc(*v, (*n + 1) * sizeof(**v));
	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = i;
	*v = grown;
	return 0;
}

int tree_diff(const struct tree_list *before, const struct tree_list *now, struct tree_diff *ret)
{
	struct tree_diff d = {0};
	const char *gone_dir = NULL; /* the last gone folder: what it held is gone with it */
	size_t i = 0, j = 0;
	int r = 0;
	while (r >= 0 && (i < before->n || j < now->n)) {
		int c = i == before->n ? 1
			: j == now->n  ? -1
				       : tree_path_cmp(before->items[i].path, now->items[j].path);
		if (c < 0) {
			const struct tree_entry *e = &before->items[i++];
			if (gone_dir && is_inside(e->path, gone_dir))
				continue;
			gone_dir = e->path;
			r = push_index(&d.gone, &d.n_gone, i - 1);
		} else if (c > 0) {
			r = push_index(&d.changed, &d.n_changed, j++);
		} else {
			if (!same_entry(&before->items[i], &now->items[j]))
				r = push_index(&d.changed, &d.n_changed, j);
			i++, j++;
		}
	}
	if (r < 0) {
		tree_diff_free(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void tree_diff_free(struct tree_diff *d)
{
	free(d->changed);
	free(d->gone);
	*d = (struct tree_diff){0};
}
