/* SPDX-License-Identifier: MIT */
/* Per-run directory handling and small file helpers. */
#include "run_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

int mkdir_p_at(int dirfd, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = p;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (p[0] && mkdirat(dirfd, p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

int run_dir_create(const char *home, struct run_dir *ret)
{
	_cleanup_free_ char *runs = NULL, *path = NULL;
	if (asprintf(&runs, "%s/runs", home) < 0 || asprintf(&path, "%s/run.XXXXXX", runs) < 0)
		return -ENOMEM;
	int r = mkdir_p_at(AT_FDCWD, runs);
	if (r < 0)
		return r;
	if (!mkdtemp(path))
		return -errno;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		(void)rmdir(path); /* just made, empty */
		return r;
	}
	ret->path = TAKE_PTR(path);
	ret->fd = fd;
	return 0;
}

void run_dir_close(struct run_dir *d)
{
	if (d->fd >= 0)
		(void)close(d->fd); /* read-only directory handle */
	d->fd = -1;
	free(d->path);
	d->path = NULL;
}

int run_dir_remove(struct run_dir *d, char **ret_left)
{
	int r = d->path ? remove_tree(d->path, ret_left) : 0;
	run_dir_close(d);
	return r;
}

int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_close_ int fd =
		openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	for (const char *p = data; len > 0;) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
