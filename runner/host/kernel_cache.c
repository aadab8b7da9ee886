/* SPDX-License-Identifier: MIT */
/* quiz-kernel's side of the cache: a kernel's size on disk, removing one no run is using. */
#include "kernel_cache.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "buf.h"
#include "kernel_host.h"
#include "log.h"
#include "macro.h"
#include "remove_tree.h"

/* nftw has no user pointer: the walk's state. Files with several links (vmlinux is in the
 * kernel's folder, its layer's /boot and its kbuild) count once, as du counts them. */
static struct {
	unsigned long long bytes;
	struct {
		dev_t dev;
		ino_t ino;
	} * seen;
	size_t n_seen, cap_seen;
	bool oom;
} walk;

static bool seen_before(const struct stat *st)
{
	for (size_t i = 0; i < walk.n_seen; i++)
		if (walk.seen[i].dev == st->st_dev && walk.seen[i].ino == st->st_ino)
			return true;
	if (walk.n_seen == walk.cap_seen) {
		size_t cap = walk.cap_seen ? walk.cap_seen * 2 : 64;
		void *more = realloc(walk.seen, cap * sizeof(*walk.seen));
		if (!more) {
			walk.oom = true;
			return false;
		}
		walk.seen = more;
		walk.cap_seen = cap;
	}
	walk.seen[walk.n_seen].dev = st->st_dev;
	walk.seen[walk.n_seen++].ino = st->st_ino;
	return false;
}

static int add_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_NS)
		return 0; /* gone meanwhile */
	if (st->st_nlink > 1 && !S_ISDIR(st->st_mode) && seen_before(st))
		return 0;
	walk.bytes += (unsigned long long)st->st_blocks * 512;
	return 0;
}

int tree_disk_usage(const char *path, unsigned long long *ret_bytes)
{
	walk.bytes = 0;
	walk.n_seen = 0;
	walk.oom = false;
	int r = nftw(path, add_entry, 32, FTW_PHYS | FTW_MOUNT);
	free(walk.seen);
	walk.seen = NULL;
	walk.cap_seen = 0;
	if (r < 0)
		return -errno;
	if (walk.oom)
		return -ENOMEM;
	*ret_bytes = walk.bytes;
	return 0;
}

/* The release's link still names dir: a rebuild did not swap it meanwhile. */
static bool link_names(const char *link, const char *dir)
{
	_cleanup_free_ char *now = realpath(link, NULL);
	return now && STREQ(now, dir);
}

int kernel_remove(const char *home, const struct arch *a, const char *selector)
{
	_cleanup_free_ char *release = NULL, *dir = NULL, *link = NULL;
	{
		_cleanup_(kernel_free) struct kernel k = {0};
		int r = kernel_resolve(home, a, selector, &k);
		if (r < 0) {
			log_error("remove %s: no %s kernel %s built (quiz-kernel list shows them)",
				  selector, a->name, selector);
			return 1;
		}
		release = TAKE_PTR(k.release);
		dir = TAKE_PTR(k.dir);
	} /* its shared lock goes here: ours would stop our own exclusive one */
	if (asprintf(&link, "%s/kernels/%s/%s", home, a->name, release) < 0)
		return 1;
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			log_error("remove %s: %s is in use by a running quiz (it holds a lock on "
				  "%s); try again when that run has ended",
				  selector, release, dir);
		else
			log_error("remove %s: cannot lock %s: %s", selector, dir, strerror(errno));
		return 1;
	}
	if (!link_names(link, dir)) {
		log_error("remove %s: %s was rebuilt or removed meanwhile; run it again", selector,
			  release);
		return 1;
	}
	unsigned long long bytes = 0;
	(void)tree_disk_usage(dir, &bytes); /* only for the message */
	/* The link first: a run that resolves it from now on does not find the kernel, and one
	 * that resolved it before waits for our lock, then sees the folder gone. */
	if (unlink(link) < 0) {
		log_error("remove %s: cannot remove %s: %s", selector, link, strerror(errno));
		return 1;
	}
	_cleanup_free_ char *left = NULL;
	int r = remove_tree(dir, &left);
	if (r < 0) {
		log_error("remove %s: %s stayed: %s", selector, left ? left : dir, strerror(-r));
		return 1;
	}
	printf("removed %s (%.1f MiB): %s\n"
	       "its source and build tree stay for rebuilds; quiz-kernel cache clean removes "
	       "them\n",
	       release, (double)bytes / (1024 * 1024), dir);
	return 0;
}
