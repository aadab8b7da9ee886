/* SPDX-License-Identifier: MIT */
/* The packed tree's manifest and diff: walk order, a round trip, what counts as changed. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "tap.h"
#include "tree_diff.h"

static struct tree_entry entry(const char *path, unsigned mode, long long mtime)
{
	return (struct tree_entry){.path = (char *)path,
				   .mode = mode,
				   .uid = 1000,
				   .gid = 1000,
				   .ino = 7,
				   .size = 3,
				   .mtime_s = mtime,
				   .mtime_ns = 5,
				   .ctime_s = mtime,
				   .ctime_ns = 6};
}

static void test_order(void)
{
	CHECK(tree_path_cmp("a", "a/b") < 0, "a folder before its entries");
	CHECK(tree_path_cmp("a/b", "a-b") < 0, "\"a/b\" before \"a-b\" (strcmp alone: after)");
	CHECK(tree_path_cmp("a/z", "a-b") < 0, "a folder's last entry before the next name");
	CHECK(tree_path_cmp("a.c", "a") > 0, "a longer name after its prefix");
	CHECK(tree_path_cmp("x/y", "x/y") == 0, "equal");
	CHECK(tree_path_cmp("\x01", "/") > 0, "a name's byte 1 ranks after the separator");
}

static char *joined(const struct tree_list *l, const size_t *idx, size_t n)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "|" : "", l->items[idx[i]].path);
	return b.data;
}

static bool first_file(const struct tree_entry *e)
{
	return strcmp(e->path, "a/b") == 0;
}

static void test_round_trip_and_diff(void)
{
	struct tree_list before = {0}, now = {0}, back = {0};
	const char *old_paths[] = {"a", "a/b", "a/c", "d", "d/e", "d/e/f", "g", "h", "h-i"};
	for (size_t i = 0; i < sizeof(old_paths) / sizeof(*old_paths); i++) {
		struct tree_entry e = entry(old_paths[i], S_IFREG | 0644, 100);
		if (strcmp(old_paths[i], "a") == 0 || strcmp(old_paths[i], "d") == 0 ||
		    strcmp(old_paths[i], "d/e") == 0 || strcmp(old_paths[i], "h") == 0)
			e.mode = S_IFDIR | 0755;
		tree_list_push(&before, &e);
	}
	before.items[0].mtime_s = -3; /* a time before 1970 */
	struct buf m = {0};
	CHECK(tree_manifest_encode(&before, NULL, &m) == 0, "encode");
	CHECK(tree_manifest_decode(m.data, m.len, &back) == 0, "decode");
	bool same = back.n == before.n;
	for (size_t i = 0; same && i < back.n; i++)
		same = strcmp(back.items[i].path, before.items[i].path) == 0 &&
		       back.items[i].mode == before.items[i].mode &&
		       back.items[i].mtime_s == before.items[i].mtime_s &&
		       back.items[i].ctime_ns == before.items[i].ctime_ns;
	CHECK(same, "the round trip keeps every entry, a negative time too");
	CHECK(back.bytes == 5 * 3, "the files' bytes are summed (%llu)",
	      (unsigned long long)back.bytes);

	/* Now: a/c's content changed, d/ went (with d/e, d/e/f), g became a folder with g/x, a
	 * new h/new, h-i unchanged. */
	for (size_t i = 0; i < before.n; i++) {
		const char *p = before.items[i].path;
		if (p[0] == 'd')
			continue;
		struct tree_entry e = before.items[i];
		if (strcmp(p, "a/c") == 0)
			e.mtime_ns++;
		if (strcmp(p, "g") == 0)
			e.mode = S_IFDIR | 0755;
		tree_list_push(&now, &e);
		if (strcmp(p, "g") == 0) {
			struct tree_entry x = entry("g/x", S_IFREG | 0600, 1);
			tree_list_push(&now, &x);
		}
		if (strcmp(p, "h") == 0) {
			struct tree_entry x = entry("h/new", S_IFLNK | 0777, 1);
			tree_list_push(&now, &x);
		}
	}
	struct tree_diff d = {0};
	CHECK(tree_diff(&before, &now, &d) == 0, "diff");
	_cleanup_free_ char *changed = joined(&now, d.changed, d.n_changed),
			    *gone = joined(&before, d.gone, d.n_gone);
	CHECK_STR(changed, "a/c|g|g/x|h/new", "changed: content, type, new entries");
	CHECK_STR(gone, "d", "gone: only the topmost of a gone folder");
	tree_diff_free(&d);
	struct buf whole = {0};
	struct tree_list back2 = {0};
	CHECK(tree_manifest_encode(&now, first_file, &whole) == 0 &&
		      tree_manifest_decode(whole.data, whole.len, &back2) == 0 &&
		      tree_diff(&back2, &now, &d) == 0,
	      "a manifest with whole seconds for one entry");
	_cleanup_free_ char *whole_changed = joined(&now, d.changed, d.n_changed);
	CHECK_STR(whole_changed, "a/b", "that entry differs from the tree: a run hands it over");
	tree_diff_free(&d);
	buf_free(&whole);
	tree_list_free(&back2);
	CHECK(tree_diff(&now, &now, &d) == 0 && d.n_changed == 0 && d.n_gone == 0,
	      "a tree against itself: nothing");
	tree_diff_free(&d);

	/* Malformed manifests. */
	struct tree_list bad = {0};
	CHECK(tree_manifest_decode("nope\n", 5, &bad) == -EINVAL, "another header");
	struct buf swapped = {0};
	struct tree_list rev = {0};
	struct tree_entry e1 = entry("b", S_IFREG, 1), e2 = entry("a", S_IFREG, 1);
	tree_list_push(&rev, &e1);
	tree_list_push(&rev, &e2);
	tree_manifest_encode(&rev, NULL, &swapped);
	CHECK(tree_manifest_decode(swapped.data, swapped.len, &bad) == -EINVAL,
	      "entries out of walk order");
	CHECK(tree_manifest_decode(m.data, m.len - 1, &bad) == -EINVAL, "a cut last record");
	size_t head = strlen("quiz-tree-manifest 1\n");
	CHECK(tree_manifest_decode(m.data, head, &bad) == 0 && bad.n == 0, "no entries: empty");
	buf_free(&swapped);
	buf_free(&m);
	tree_list_free(&rev);
	tree_list_free(&bad);
	tree_list_free(&before);
	tree_list_free(&now);
	tree_list_free(&back);
}

int main(void)
{
	test_order();
	test_round_trip_and_diff();
	return tap_done();
}
