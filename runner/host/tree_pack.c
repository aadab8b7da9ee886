/* SPDX-License-Identifier: MIT */
/* A big current directory from a packed image, kept in step with the tree (tree_pack.h). */
#include "tree_pack.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_trust_host.h"
#include "file.h"
#include "fnv.h"
#include "interrupt.h"
#include "layer_files.h"
#include "log.h"
#include "macro.h"
#include "remove_tree.h"
#include "signals.h"
#include "tool.h"
#include "tree_walk.h"
#include "vm.h" /* now_ms */

#define WHAT "packed trees"
#define IMAGE "tree.img"
#define MANIFEST "manifest"
#define DELTA "quiz/run/tree" /* GUEST_TREE_DELTA in the run layer */
#define GONE "quiz/run/tree.gone"

/* One tree's place in the cache, locked while a run reads or packs it. */
struct tree_cache {
	char *dir;
	int fd, lock_fd;
};

static void tree_cache_close(struct tree_cache *c)
{
	free(c->dir);
	if (c->fd >= 0)
		(void)close(c->fd);
	if (c->lock_fd >= 0)
		(void)close(c->lock_fd); /* and the lock with it */
}

/* "1.4 GiB", "310 MiB". */
static void human_bytes(unsigned long long n, char buf[32])
{
	if (n >= 1ULL << 30)
		snprintf(buf, 32, "%.1f GiB", (double)n / (1 << 30));
	else
		snprintf(buf, 32, "%llu MiB", n >> 20);
}

/*
 * The ext2 image's size for now's entries: their blocks, folders' names, inode tables, a
 * twentieth more; rounded up to a power of two, so that a pack anew mostly keeps the size (the
 * guest's disk, and with it the saved VM state's slot).
 */
static unsigned long long image_bytes(const struct tree_list *now, unsigned long long *ret_need)
{
	unsigned long long blocks = 0, names = 0;
	for (size_t i = 0; i < now->n; i++) {
		const struct tree_entry *e = &now->items[i];
		const char *base = strrchr(e->path, '/');
		names += 12 + strlen(base ? base + 1 : e->path);
		unsigned long long b = (e->size + 4095) / 4096;
		if (S_ISREG(e->mode))
			blocks += b + b / 1000 + (b > 12);
		else if (S_ISDIR(e->mode) || (S_ISLNK(e->mode) && e->size > 59))
			blocks++;
	}
	unsigned long long need = (blocks + names / 4096) * 4096 + (now->n + 64) * 256;
	need += need / 20 + (16ULL << 20);
	unsigned long long size = 64ULL << 20;
	while (size < need)
		size <<= 1;
	*ret_need = need;
	return size;
}

static bool has_top_entry(const struct tree_list *now, const char *name)
{
	for (size_t i = 0; i < now->n; i++)
		if (STREQ(now->items[i].path, name))
			return true;
	return false;
}

/* An entry whose time keeps whole seconds in the image: debugfs cannot quote its path (a '"',
 * a '\\', a newline). */
static bool whole_seconds(const struct tree_entry *e)
{
	return e->mtime_ns && strpbrk(e->path, "\"\\\n");
}

/*
 * What mke2fs -d leaves to debugfs, as a command file in the run folder: lost+found goes (a
 * tree without one must not show one), and the times' nanoseconds come in (mke2fs 1.47.0
 * keeps whole seconds: make and rsync compare the rest).
 */
static int debugfs_commands(const struct tree_list *now, int run_dir_fd, char **ret_path)
{
	_cleanup_buf_ struct buf b = {0};
	int r = has_top_entry(now, "lost+found") ? buf_puts(&b, "")
						 : buf_puts(&b, "rmdir lost+found\n");
	for (size_t i = 0; r >= 0 && i < now->n; i++) {
		const struct tree_entry *e = &now->items[i];
		if (!e->mtime_ns || whole_seconds(e))
			continue;
		/* ext4's extra time: the nanoseconds over the seconds' bits 32 and 33. */
		uint32_t extra =
			e->mtime_ns << 2 |
			(uint32_t)(((uint64_t)(e->mtime_s - (int32_t)e->mtime_s) >> 32) & 3);
		r = buf_printf(&b, "sif \"/%s\" mtime_extra %" PRIu32 "\n", e->path, extra);
	}
	if (r >= 0)
		r = write_file_at(run_dir_fd, "pack.debugfs", b.data, b.len, 0600);
	/* debugfs runs with none of quiz's descriptors: the folder's own path. */
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", run_dir_fd);
	_cleanup_free_ char *dir = realpath(self, NULL);
	if (r >= 0 && (!dir || asprintf(ret_path, "%s/pack.debugfs", dir) < 0))
		r = -ENOMEM;
	return r;
}

/* Half-written images of a pack that quiz's death cut short (the lock is ours: none is live). */
static void remove_stale_images(int dir_fd)
{
	DIR *d = opendir_fd(dir_fd);
	if (!d)
		return;
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (!strncmp(de->d_name, IMAGE ".", strlen(IMAGE ".")) && n > 4 &&
		    STREQ(de->d_name + n - 4, ".tmp"))
			(void)unlinkat(dir_fd, de->d_name, 0);
	}
	(void)closedir(d);
}

/* mke2fs -d the tree into a new file beside IMAGE, then renamed over it; *why on failure. */
static int pack(const char *cwd, const struct stat *root, const struct tree_cache *c,
		const struct tree_list *now, int run_dir_fd, int log_fd, char **why)
{
	_cleanup_free_ char *mke2fs = NULL, *debugfs = NULL, *tmp = NULL, *path = NULL;
	if (tool_find("mke2fs", &mke2fs) < 0 || tool_find("debugfs", &debugfs) < 0) {
		*why = strdup("mke2fs or debugfs is missing (Debian's e2fsprogs)");
		return -ENOENT;
	}
	unsigned long long need, size = image_bytes(now, &need);
	struct statvfs vfs;
	if (fstatvfs(c->fd, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < need + (need >> 3) + (256ULL << 20)) {
		char h[32];
		human_bytes(need, h);
		if (asprintf(why, "%s has not the room for its image (about %s)", c->dir, h) < 0)
			*why = NULL;
		return -ENOSPC;
	}
	remove_stale_images(c->fd);
	int fd = file_create_beside(c->fd, IMAGE, 0600, &tmp);
	if (fd < 0)
		return fd;
	(void)close(fd);
	if (asprintf(&path, "%s/%s", c->dir, tmp) < 0)
		return -ENOMEM;
	char inodes[32], owner[64], kib[32];
	snprintf(inodes, sizeof(inodes), "%zu", now->n + 64);
	snprintf(owner, sizeof(owner), "root_owner=%u:%u,nodiscard", (unsigned)root->st_uid,
		 (unsigned)root->st_gid);
	snprintf(kib, sizeof(kib), "%lluk", size >> 10);
	char *mk[] = {mke2fs, "-q", "-F", "-t", "ext2", "-b", "4096",	   "-I", "256", "-N",
		      inodes, "-m", "0",  "-E", owner,	"-d", (char *)cwd, path, kib,	NULL};
	_cleanup_free_ char *cmds = NULL;
	int r = debugfs_commands(now, run_dir_fd, &cmds);
	char *fix[] = {debugfs, "-w", "-f", cmds, path, NULL};
	if (r >= 0)
		r = tool_run(mk, log_fd);
	if (r >= 0)
		r = tool_run(fix, log_fd);
	if (r >= 0 && renameat(c->fd, tmp, c->fd, IMAGE) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(c->fd, tmp, 0);
		if (r == -EIO)
			*why = tool_last_line(log_fd);
		return r;
	}
	/* The image is never older than the manifest: changes after the walk show as changes. */
	_cleanup_buf_ struct buf m = {0};
	r = tree_manifest_encode(now, whole_seconds, &m);
	if (r >= 0)
		r = write_file_at(c->fd, MANIFEST, m.data, m.len, 0600);
	if (r >= 0)
		r = write_file_at(c->fd, "path", cwd, strlen(cwd), 0600); /* for people */
	return r;
}

static int lock_wait(int fd)
{
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR || interrupt_requested())
			return -errno;
	}
	return 0;
}

static int cache_open(const char *home, const char *cwd, struct tree_cache *ret)
{
	_cleanup_free_ char *trees = NULL;
	if (asprintf(&trees, "%s/trees", home) < 0 ||
	    asprintf(&ret->dir, "%s/%016llx", trees, (unsigned long long)fnv1a(FNV1A_INIT, cwd)) <
		    0)
		return -ENOMEM;
	int fd;
	int r = cache_dir_open(trees, WHAT, &fd);
	if (r < 0)
		return r;
	(void)close(fd);
	r = cache_dir_open(ret->dir, WHAT, &ret->fd);
	if (r < 0)
		return r;
	ret->lock_fd = openat(ret->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (ret->lock_fd < 0)
		return -errno;
	return lock_wait(ret->lock_fd);
}

/* The manifest of the last pack; -ENOENT when there is none (or no image). */
static int read_manifest(const struct tree_cache *c, struct tree_list *ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int fd;
	int r = cache_file_open(c->fd, c->dir, IMAGE, WHAT, &fd);
	if (r < 0)
		return r;
	(void)close(fd);
	r = cache_file_read(c->fd, c->dir, MANIFEST, WHAT, &text, &len);
	return r < 0 ? r : tree_manifest_decode(text, len, ret);
}

/* The changes into the run layer: DELTA (when anything changed) and GONE. */
static int write_delta(int root_fd, const struct tree_list *before, const struct tree_list *now,
		       const struct tree_diff *d, int run_dir_fd, char **why)
{
	_cleanup_close_ int layer_fd = -1, to_fd = -1;
	int r = layer_open_dir(run_dir_fd, "layer", true, &layer_fd);
	if (r >= 0 && d->n_changed)
		r = layer_open_dir(layer_fd, DELTA, true, &to_fd);
	if (r < 0)
		return r;
	_cleanup_free_ char *where = NULL;
	if (d->n_changed)
		r = tree_delta_write(root_fd, now, d, to_fd, TREE_MAX_COPY, &where);
	if (r < 0) {
		if (asprintf(why, "%s: %s", where ? where : "?",
			     r == -EFBIG ? "over 256 MiB to copy" : strerror(-r)) < 0)
			*why = NULL;
		(void)remove_tree_at(layer_fd, DELTA, DELTA, NULL);
		return r;
	}
	_cleanup_buf_ struct buf gone = {0};
	for (size_t i = 0; r >= 0 && i < d->n_gone; i++) {
		const char *p = before->items[d->gone[i]].path;
		r = buf_append(&gone, p, strlen(p) + 1);
	}
	if (r >= 0 && d->n_gone)
		r = layer_write_file(layer_fd, GONE, gone.data, gone.len, 0644);
	return r;
}

static int link_image(const struct tree_cache *c, int run_dir_fd, struct tree_share *ret)
{
	_cleanup_close_ int fd = -1;
	int r = cache_file_open(c->fd, c->dir, IMAGE, WHAT, &fd);
	struct stat st;
	if (r >= 0 && fstat(fd, &st) < 0)
		r = -errno;
	if (r < 0)
		return r;
	/* The size names it: the guest's disk size is part of the saved VM state's slot. */
	if (asprintf(&ret->image_name, "tree-%llu.img", (unsigned long long)st.st_size) < 0)
		return -ENOMEM;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, run_dir_fd, ret->image_name, AT_SYMLINK_FOLLOW) < 0)
		return -errno;
	(void)futimens(fd, NULL); /* its use, for TREE_KEEP */
	ret->image = true;
	return 0;
}

/* Beyond TREE_KEEP packed trees, the least recently used go (not one a run holds locked). */
static void forget_old_trees(const char *home, const char *keep)
{
	_cleanup_free_ char *trees = NULL;
	if (asprintf(&trees, "%s/trees", home) < 0)
		return;
	_cleanup_close_ int fd = open(trees, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : opendir_fd(fd);
	if (!d)
		return;
	struct {
		char name[32];
		time_t used;
	} found[64];
	size_t n = 0;
	for (struct dirent *de; n < ELEMENTSOF(found) && (de = readdir(d));) {
		char image[64];
		struct stat st;
		snprintf(image, sizeof(image), "%.20s/" IMAGE, de->d_name);
		if (de->d_name[0] == '.' || strlen(de->d_name) > 20 || STREQ(de->d_name, keep) ||
		    fstatat(fd, image, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(found[n].name, sizeof(found[n].name), "%s", de->d_name);
		found[n++].used = st.st_mtime;
	}
	(void)closedir(d);
	/* Oldest first: keep the TREE_KEEP - 1 newest others. */
	for (size_t i = 0; i + (TREE_KEEP - 1) < n; i++) {
		size_t oldest = i;
		for (size_t j = i + 1; j < n; j++)
			if (found[j].used < found[oldest].used)
				oldest = j;
		char name[32];
		memcpy(name, found[oldest].name, sizeof(name));
		found[oldest] = found[i];
		char lock[64];
		snprintf(lock, sizeof(lock), "%s/lock", name);
		_cleanup_close_ int lock_fd = openat(fd, lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (lock_fd >= 0 && flock(lock_fd, LOCK_EX | LOCK_NB) == 0) {
			log_debug("current directory: forgetting the packed tree %s/%s (%d kept)",
				  trees, name, TREE_KEEP);
			(void)remove_tree_at(fd, name, name, NULL);
		}
	}
}

/* Auto: 9p, and -v says why. --cwd-share=image: an error that says why. */
static int no_image(enum cwd_share mode, const char *fmt, ...) _printf_(2, 3);
static int no_image(enum cwd_share mode, const char *fmt, ...)
{
	_cleanup_free_ char *why = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&why, fmt, ap);
	va_end(ap);
	if (n < 0)
		why = NULL;
	if (mode == CWD_SHARE_IMAGE) {
		log_error("--cwd-share=image: %s; --cwd-share=9p shows the folder over 9p",
			  why ? why : "out of memory");
		return -EIO;
	}
	log_debug("current directory: over 9p: %s", why ? why : "out of memory");
	return 0;
}

/*
 * The run layer's changes over the cache's pack; *why (and 0) when a new pack is better: none
 * yet, too many changes (when may_repack), a change that cannot be handed over.
 */
static int in_step(const struct tree_cache *c, int root_fd, const struct tree_list *now,
		   int run_dir_fd, bool may_repack, char **why)
{
	struct tree_list before = {0};
	struct tree_diff d = {0};
	size_t most = now->n / 20 > TREE_REPACK_MIN ? now->n / 20 : TREE_REPACK_MIN;
	int r = read_manifest(c, &before);
	if (r < 0)
		*why = strdup(r == -ENOENT ? "not packed yet" : "its last pack is unreadable");
	else if ((r = tree_diff(&before, now, &d)) < 0)
		*why = strdup(strerror(-r));
	else if (may_repack && d.n_changed + d.n_gone > most) {
		if (asprintf(why, "%zu changes since the last pack, over %zu",
			     d.n_changed + d.n_gone, most) < 0)
			*why = NULL;
	} else if ((r = write_delta(root_fd, &before, now, &d, run_dir_fd, why)) >= 0)
		log_debug(
			"current directory: from its packed image in %s: %zu entries, %zu changed "
			"and %zu gone since the pack",
			c->dir, now->n, d.n_changed, d.n_gone);
	tree_diff_free(&d);
	tree_list_free(&before);
	if (r < 0 && !*why)
		*why = strdup(strerror(-r));
	return *why ? 0 : r;
}

/* pack(), said first on a terminal or under -v (it takes a while), timed under -v. */
static int repack(const char *cwd, const struct stat *root, const struct tree_cache *c,
		  const struct tree_list *now, int run_dir_fd, const char *why, char **ret_error)
{
	char h[32];
	human_bytes(now->bytes, h);
	if (isatty(2) || log_verbose)
		log_error(
			"packing the current directory (%zu entries, %s; %s) for fast reads in the "
			"guest; later runs keep it in step; --cwd-share=9p skips it",
			now->n, h, why ? why : "?");
	_cleanup_close_ int log_fd =
		openat(run_dir_fd, "pack.log", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return -errno;
	long long start = now_ms();
	int r = pack(cwd, root, c, now, run_dir_fd, log_fd, ret_error);
	if (r >= 0)
		log_debug("current directory: packed into %s in %lld ms", c->dir, now_ms() - start);
	return r;
}

/* Bring the packed image in step with now (pack anew where the changes are many). */
static int bring_in_step(const char *home, const char *cwd, int root_fd, enum cwd_share mode,
			 const struct tree_list *now, int run_dir_fd, struct tree_share *ret)
{
	struct stat root;
	if (fstat(root_fd, &root) < 0)
		return -errno;
	_cleanup_(tree_cache_close) struct tree_cache c = {NULL, -1, -1};
	int r = cache_open(home, cwd, &c);
	if (r == -EINTR)
		return r;
	if (r < 0)
		return no_image(mode, "cannot use the cache's %s: %s", c.dir ? c.dir : "trees",
				strerror(-r));
	/* At most twice: the pack as it is, or (too many changes) a new one, with the entries
	 * whose times it cannot hold as changes. */
	for (bool packed = false;; packed = true) {
		_cleanup_free_ char *why = NULL;
		r = in_step(&c, root_fd, now, run_dir_fd, !packed, &why);
		if (r >= 0 && !why)
			break;
		if (packed)
			return no_image(mode, "its new pack: %s", why ? why : strerror(-r));
		_cleanup_free_ char *error = NULL;
		r = repack(cwd, &root, &c, now, run_dir_fd, why, &error);
		if (r == -EINTR)
			return r;
		if (r < 0)
			return no_image(mode, "packing it failed: %s",
					error ? error : strerror(-r));
		forget_old_trees(home, strrchr(c.dir, '/') + 1);
	}
	r = link_image(&c, run_dir_fd, ret);
	if (r < 0)
		return no_image(mode, "cannot link its image into the run folder: %s",
				strerror(-r));
	return 0;
}

/* The cache itself under the tree: a pack would read the image it writes. */
static bool holds_cache(const char *cwd, const char *home)
{
	_cleanup_free_ char *real = realpath(home, NULL);
	size_t n = strlen(cwd);
	return real && strncmp(real, cwd, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* 1 and the walk in *ret for a tree to show from its image; 0 for 9p; -errno. */
static int walk_big_tree(const char *home, const char *cwd, int root_fd, enum cwd_share mode,
			 struct tree_list *ret)
{
	if (holds_cache(cwd, home))
		return no_image(mode, "it holds quiz's cache (%s)", home);
	struct tree_list now = {0};
	_cleanup_free_ char *where = NULL;
	long long start = now_ms();
	int r = tree_walk(root_fd, TREE_MAX_ENTRIES, &now, &where);
	if (r == -E2BIG)
		return no_image(mode, "over %d entries", TREE_MAX_ENTRIES);
	if (r < 0)
		return no_image(mode, "cannot read %s/%s: %s", cwd, where ? where : "?",
				strerror(-r));
	log_debug("current directory: %zu entries, walked in %lld ms", now.n, now_ms() - start);
	if (mode == CWD_SHARE_AUTO && now.n < TREE_AUTO_MIN) {
		log_debug("current directory: over 9p (%zu entries; from %d on it is packed)",
			  now.n, TREE_AUTO_MIN);
	} else if (mode == CWD_SHARE_AUTO && now.bytes > TREE_AUTO_MAX_BYTES) {
		char h[32];
		human_bytes(now.bytes, h);
		log_debug("current directory: over 9p: its files hold %s, over the %llu GiB that "
			  "auto packs (--cwd-share=image packs it)",
			  h, TREE_AUTO_MAX_BYTES >> 30);
	} else {
		*ret = now;
		return 1;
	}
	tree_list_free(&now);
	return 0;
}

int tree_share_prepare(const char *home, const char *cwd, enum cwd_share mode, int run_dir_fd,
		       struct tree_share *ret)
{
	*ret = (struct tree_share){0};
	if (mode == CWD_SHARE_9P) {
		log_debug("current directory: over 9p (--cwd-share=9p)");
		return 0;
	}
	_cleanup_close_ int root_fd = open(cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		return no_image(mode, "cannot open %s: %s", cwd, strerror(errno));
	struct tree_list now = {0};
	int r = walk_big_tree(home, cwd, root_fd, mode, &now);
	if (r <= 0)
		return r;
	r = bring_in_step(home, cwd, root_fd, mode, &now, run_dir_fd, ret);
	tree_list_free(&now);
	if (r < 0)
		tree_share_free(ret);
	return r;
}

void tree_share_free(struct tree_share *t)
{
	free(t->image_name);
	*t = (struct tree_share){0};
}
