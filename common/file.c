/* SPDX-License-Identifier: MIT */
/* Whole files in and out: the I/O that common/buf.c's pure helpers leave to their callers. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int write_all(int fd, const void *data, size_t len)
{
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

int read_fd(int fd, char **ret_data, size_t *ret_size)
{
	_cleanup_buf_ struct buf b = {0};
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (buf_append(&b, chunk, (size_t)n) < 0)
			return -ENOMEM;
	}
	if (!b.data && buf_append(&b, "", 0) < 0)
		return -ENOMEM;
	if (ret_size)
		*ret_size = b.len;
	*ret_data = TAKE_PTR(b.data);
	return 0;
}

int read_file(const char *path, char **ret_data, size_t *ret_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd(fd, ret_data, ret_size);
}

int file_create_beside(int dirfd, const char *path, mode_t mode, char **ret_name)
{
	for (int tries = 0; tries < 16; tries++) {
		unsigned char r[8];
		_cleanup_free_ char *name = NULL;
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -EIO;
		if (asprintf(&name, "%s.%02x%02x%02x%02x%02x%02x%02x%02x.tmp", path, r[0], r[1],
			     r[2], r[3], r[4], r[5], r[6], r[7]) < 0)
			return -ENOMEM;
		/* O_EXCL: a name someone made first (a link to elsewhere, say) is never opened. */
		int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				mode);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -errno;
		*ret_name = TAKE_PTR(name);
		return fd;
	}
	return -EEXIST;
}

int write_file_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = file_create_beside(dirfd, path, mode, &tmp);
	if (fd < 0)
		return fd;
	int r = write_all(fd, data, len);
	if (r >= 0 && renameat(dirfd, tmp, dirfd, path) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, tmp, 0); /* ours: nothing left behind */
	return r;
}

int write_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	return write_file_at(AT_FDCWD, path, data, len, mode);
}

int write_file_follow(const char *path, const void *data, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	return write_all(fd, data, len);
}

DIR *opendir_fd(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d && dup_fd >= 0) {
		int saved = errno;
		(void)close(dup_fd); /* fdopendir did not take it */
		errno = saved;
	}
	return d;
}

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || STREQ(dir, "/"));
}
