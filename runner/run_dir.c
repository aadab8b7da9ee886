/* SPDX-License-Identifier: MIT */
/* Per-run directory handling and small file helpers. */
#include "run_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
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

int copy_file_at(const char *src, int dirfd, const char *dst, mode_t mode)
{
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	_cleanup_close_ int out =
		openat(dirfd, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0)
		return -errno;
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(out, in, NULL, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

int copy_tree(const char *from, int to_fd, const char *to, bool hardlink)
{
	_cleanup_close_ int dir_fd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	DIR *d = fdopendir(TAKE_FD(dir_fd));
	if (!d)
		return -errno;
	int r = 0;
	struct dirent *de;
	while (r >= 0 && (de = readdir(d))) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		_cleanup_free_ char *src = NULL, *dst = NULL;
		struct stat st;
		if (asprintf(&src, "%s/%s", from, de->d_name) < 0 ||
		    asprintf(&dst, "%s%s%s", to, to[0] ? "/" : "", de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		if (lstat(src, &st) < 0) {
			r = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			r = mkdir_p_at(to_fd, dst);
			if (r >= 0)
				r = copy_tree(src, to_fd, dst, hardlink);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(src, target, sizeof(target) - 1);
			if (n < 0)
				r = -errno;
			else {
				target[n] = '\0';
				(void)unlinkat(to_fd, dst, 0); /* may not exist */
				r = symlinkat(target, to_fd, dst) < 0 ? -errno : 0;
			}
		} else if (S_ISREG(st.st_mode)) {
			r = hardlink && linkat(AT_FDCWD, src, to_fd, dst, 0) == 0
				    ? 0
				    : copy_file_at(src, to_fd, dst, st.st_mode & 07777);
		}
	}
	closedir(d);
	return r;
}
