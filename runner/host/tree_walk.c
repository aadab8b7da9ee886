/* SPDX-License-Identifier: MIT */
/* The big current directory's walk, and the run layer's copy of what changed since its pack. */
#include "tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "interrupt.h"
#include "layer_files.h"
#include "macro.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the folder fd, sorted by strcmp (the walk's order within a folder). */
static int sorted_names(int fd, struct strv *ret)
{
	DIR *d = opendir_fd(fd);
	if (!d)
		return -errno;
	int r = 0;
	errno = 0;
	for (struct dirent *de; r >= 0 && (de = readdir(d)); errno = 0)
		if (!STREQ(de->d_name, ".") && !STREQ(de->d_name, ".."))
			r = strv_push(ret, de->d_name);
	if (r >= 0 && errno)
		r = -errno;
	(void)closedir(d);
	if (r >= 0 && ret->len)
		qsort(ret->items, ret->len, sizeof(*ret->items), name_cmp);
	return r;
}

static struct tree_entry entry_of(const char *path, const struct stat *st)
{
	return (struct tree_entry){.path = (char *)path,
				   .mode = st->st_mode,
				   .uid = st->st_uid,
				   .gid = st->st_gid,
				   .ino = st->st_ino,
				   .size = (uint64_t)st->st_size,
				   .mtime_s = st->st_mtim.tv_sec,
				   .mtime_ns = (uint32_t)st->st_mtim.tv_nsec,
				   .ctime_s = st->st_ctim.tv_sec,
				   .ctime_ns = (uint32_t)st->st_ctim.tv_nsec};
}

static int walk_dir(int fd, const char *rel, size_t limit, struct tree_list *l, char **ret_where)
{
	if (interrupt_requested())
		return -EINTR; /* a stop signal: a big walk ends at once */
	_cleanup_strv_ struct strv names = {0};
	int r = sorted_names(fd, &names);
	if (r < 0) {
		*ret_where = strdup(rel[0] ? rel : ".");
		return r;
	}
	for (size_t i = 0; i < names.len; i++) {
		const char *name = names.items[i];
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s%s%s", rel, rel[0] ? "/" : "", name) < 0)
			return -ENOMEM;
		struct stat st;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			*ret_where = TAKE_PTR(path);
			return r;
		}
		if (l->n >= limit)
			return -E2BIG;
		struct tree_entry e = entry_of(path, &st);
		r = tree_list_push(l, &e);
		if (r < 0 || !S_ISDIR(st.st_mode))
			continue;
		_cleanup_close_ int sub =
			openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			r = -errno;
			*ret_where = TAKE_PTR(path);
			return r;
		}
		r = walk_dir(sub, path, limit, l, ret_where);
		if (r < 0)
			return r;
	}
	return r;
}

int tree_walk(int root_fd, size_t limit, struct tree_list *ret, char **ret_where)
{
	struct tree_list l = {0};
	*ret_where = NULL;
	int r = walk_dir(root_fd, "", limit, &l, ret_where);
	if (r < 0) {
		tree_list_free(&l);
		return r;
	}
	*ret = l;
	return 0;
}

/* The folders on path's way below to_fd ("a" and "a/b" for "a/b/c"), made where missing. */
static int make_parents(int to_fd, const char *path, struct strv *made)
{
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		_cleanup_free_ char *dir = strndup(path, (size_t)(slash - path));
		if (!dir)
			return -ENOMEM;
		if (mkdirat(to_fd, dir, 0700) < 0) {
			if (errno != EEXIST)
				return -errno;
			continue;
		}
		int r = strv_push(made, dir);
		if (r < 0)
			return r;
	}
	return 0;
}

/* path below to_fd gets an owner (as root: others may not give one away), a mode (not for a
 * symlink: it has none of its own) and times. */
static int set_attributes(int to_fd, const char *path, mode_t mode, uid_t uid, gid_t gid,
			  const struct timespec times[2])
{
	if (geteuid() == 0 && fchownat(to_fd, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISLNK(mode) && fchmodat(to_fd, path, mode & 07777, 0) < 0)
		return -errno;
	return utimensat(to_fd, path, times, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* A changed entry's own owner, mode and modification time (its access time is the copy's). */
static int set_entry_attributes(int to_fd, const struct tree_entry *e)
{
	const struct timespec times[2] = {{0, UTIME_OMIT}, {e->mtime_s, e->mtime_ns}};
	return set_attributes(to_fd, e->path, e->mode, e->uid, e->gid, times);
}

static int copy_file(int root_fd, const struct tree_entry *e, int to_fd, unsigned long long *budget)
{
	if (e->size > *budget)
		return -EFBIG;
	*budget -= e->size;
	_cleanup_close_ int in = openat(root_fd, e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int r = layer_copy_fd(in, to_fd, e->path, 0600);
	return r < 0 ? r : set_entry_attributes(to_fd, e);
}

static int make_symlink(int root_fd, const struct tree_entry *e, int to_fd)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(root_fd, e->path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	if (symlinkat(target, to_fd, e->path) < 0)
		return -errno;
	return set_entry_attributes(to_fd, e);
}

/* A FIFO or a socket: made anew, its mode exact (mknod's is less the umask). */
static int make_node(const struct tree_entry *e, int to_fd)
{
	if (mknodat(to_fd, e->path, e->mode, 0) < 0)
		return -errno;
	return set_entry_attributes(to_fd, e);
}

static int add_entry(int root_fd, const struct tree_entry *e, int to_fd, unsigned long long *budget,
		     struct strv *dirs)
{
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		if (mkdirat(to_fd, e->path, 0700) < 0 && errno != EEXIST)
			return -errno;
		return strv_push(dirs, e->path);
	case S_IFREG:
		if (linkat(root_fd, e->path, to_fd, e->path, 0) == 0)
			return 0;
		return copy_file(root_fd, e, to_fd, budget);
	case S_IFLNK: return make_symlink(root_fd, e, to_fd);
	case S_IFIFO:
	case S_IFSOCK: return make_node(e, to_fd);
	default: return -EPERM; /* a device node: its number is not in the walk */
	}
}

/* A folder of the delta gets its tree twin's mode and times (and owner, as root). */
static int copy_dir_attributes(int root_fd, const char *path, int to_fd)
{
	struct stat st;
	if (fstatat(root_fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	const struct timespec times[2] = {st.st_atim, st.st_mtim};
	return set_attributes(to_fd, path, st.st_mode, st.st_uid, st.st_gid, times);
}

int tree_delta_write(int root_fd, const struct tree_list *now, const struct tree_diff *d, int to_fd,
		     unsigned long long max_copy, char **ret_where)
{
	_cleanup_strv_ struct strv dirs = {0};
	unsigned long long budget = max_copy;
	int r = 0;
	const char *where = NULL;
	for (size_t i = 0; r >= 0 && i < d->n_changed; i++) {
		const struct tree_entry *e = &now->items[d->changed[i]];
		where = e->path;
		r = make_parents(to_fd, e->path, &dirs);
		if (r >= 0)
			r = add_entry(root_fd, e, to_fd, &budget, &dirs);
	}
	/* After their entries went in: making those changed the folders' times. */
	for (size_t i = 0; r >= 0 && i < dirs.len; i++) {
		where = dirs.items[i];
		r = copy_dir_attributes(root_fd, dirs.items[i], to_fd);
	}
	if (r < 0)
		*ret_where = where ? strdup(where) : NULL;
	return r;
}
