/* SPDX-License-Identifier: MIT */
/* Whole files in and out: the I/O that common/buf.c's pure helpers leave to their callers. */
#include "file.h"

#include <fcntl.h>
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

int read_file(const char *path, char **ret_data, size_t *ret_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
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
