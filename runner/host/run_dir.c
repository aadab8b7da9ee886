/* SPDX-License-Identifier: MIT */
/* Per-run directories: made and locked for the run's lifetime, removed after, or when stale. */
#include "run_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "buf.h"
#include "file.h"
#include "macro.h"

/* Present in a --keep run's folder: collection leaves it alone. */
#define KEPT_MARK "kept"

int mkdir_p_at(int dirfd, const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = p;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (p[0] && mkdirat(dirfd, p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

static int lock_wait(int fd, int how)
{
	while (flock(fd, how) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int run_dir_create(const char *home, struct run_dir *ret)
{
	_cleanup_free_ char *runs = NULL;
	if (asprintf(&runs, "%s/runs", home) < 0)
		return -ENOMEM;
	int r = mkdir_p_at(AT_FDCWD, runs, 0700);
	if (r < 0)
		return r;
	/*
	 * The lock on the folder says a live quiz owns it, and dies with that quiz. A collector
	 * that found the folder between mkdtemp and flock holds the lock while it removes it;
	 * flock waits for that, and the folder is gone (no links) when it returns: again.
	 */
	for (int tries = 0; tries < 8; tries++) {
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/run.XXXXXX", runs) < 0)
			return -ENOMEM;
		if (!mkdtemp(path))
			return -errno;
		_cleanup_close_ int fd =
			open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 && errno == ENOENT)
			continue; /* a collector took it before the lock: make another */
		/* Where flock fails (NFS wants a writable fd) the run goes on unlocked: a
		 * collector there cannot take the lock either, so it never removes the folder. */
		if (fd >= 0)
			(void)lock_wait(fd, LOCK_EX);
		if (fd < 0 || fstat(fd, &st) < 0) {
			r = -errno;
			(void)rmdir(path); /* just made, empty */
			return r;
		}
		if (st.st_nlink == 0)
			continue;
		ret->path = TAKE_PTR(path);
		ret->fd = TAKE_FD(fd);
		return 0;
	}
	return -EAGAIN;
}

int run_dir_mark_kept(const struct run_dir *d)
{
	int fd = openat(d->fd, KEPT_MARK, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	(void)close(fd); /* an empty file: its name is the mark */
	return 0;
}

void run_dir_close(struct run_dir *d)
{
	if (d->fd >= 0)
		(void)close(d->fd); /* read-only directory handle; the lock goes with it */
	d->fd = -1;
	free(d->path);
	d->path = NULL;
}

int run_dir_remove(struct run_dir *d, char **ret_left)
{
	/* Removed before the lock goes: a collector never sees it half-removed and unlocked. */
	int r = d->path ? remove_tree(d->path, ret_left) : 0;
	run_dir_close(d);
	return r;
}

/* One folder of runs_fd: removed if no live quiz holds its lock and it is not kept. */
static int collect_one(int runs_fd, const char *name, const char *shown, char **ret_left)
{
	_cleanup_close_ int fd =
		openat(runs_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* gone meanwhile, or not a folder: not a run's */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 0; /* a live run's (EWOULDBLOCK), or no flock on this filesystem */
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_nlink == 0)
		return 0; /* another quiz just removed it */
	if (faccessat(fd, KEPT_MARK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* --keep: the user's to remove */
	int r = remove_tree_at(runs_fd, name, shown, ret_left);
	return r < 0 ? r : 1;
}

int run_dirs_collect(const char *home, char **ret_left)
{
	_cleanup_free_ char *runs = NULL;
	if (asprintf(&runs, "%s/runs", home) < 0)
		return -ENOMEM;
	_cleanup_close_ int runs_fd = open(runs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (runs_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int dup_fd = fcntl(runs_fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		int r = -errno;
		if (dup_fd >= 0)
			(void)close(dup_fd); /* fdopendir did not take it */
		return r;
	}
	int removed = 0, first_error = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "run.", 4) != 0)
			continue;
		_cleanup_free_ char *shown = NULL;
		if (asprintf(&shown, "%s/%s", runs, de->d_name) < 0) {
			first_error = first_error ? first_error : -ENOMEM;
			break;
		}
		int r = collect_one(runs_fd, de->d_name, shown, first_error ? NULL : ret_left);
		if (r > 0)
			removed++;
		else if (r < 0 && !first_error)
			first_error = r;
	}
	closedir(d);
	return first_error ? first_error : removed;
}
