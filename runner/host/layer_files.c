/* SPDX-License-Identifier: MIT */
/* Run-layer writes walked from the layer's fd with O_NOFOLLOW; files replaced, never truncated. */
#include "layer_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "file.h"
#include "macro.h"

/* Why name in dir_fd is not a folder we may enter: -ELOOP for a symlink, else -ENOTDIR. */
static int not_a_dir(int dir_fd, const char *name)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -ENOTDIR;
}

/* One component: the folder name in dir_fd, never through a symlink. */
static int open_child_dir(int dir_fd, const char *name, bool create)
{
	if (STREQ(name, ".."))
		return -EINVAL;
	for (int tries = 0; tries < 2; tries++) {
		int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno == ENOTDIR || errno == ELOOP)
			return not_a_dir(dir_fd, name);
		if (errno != ENOENT || !create)
			return -errno;
		if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	return -ENOENT;
}

int layer_open_dir(int root_fd, const char *rel, bool create, int *ret_fd)
{
	_cleanup_free_ char *copy = strdup(rel);
	if (!copy)
		return -ENOMEM;
	if (copy[0] == '/')
		return -EINVAL;
	_cleanup_close_ int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (STREQ(c, "."))
			continue;
		int next = open_child_dir(fd, c, create);
		if (next < 0)
			return next;
		(void)close(fd); /* a read-only directory handle */
		fd = next;
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int layer_mkdir_p(int root_fd, const char *rel)
{
	_cleanup_close_ int fd = -1;
	return layer_open_dir(root_fd, rel, true, &fd);
}

/* The folder holding rel (made as needed) and rel's last component. */
static int open_parent(int root_fd, const char *rel, int *ret_fd, char **ret_name)
{
	_cleanup_free_ char *dir = strdup(rel);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	char *name = strdup(slash ? slash + 1 : dir);
	if (!name)
		return -ENOMEM;
	if (!name[0] || STREQ(name, ".") || STREQ(name, "..")) {
		free(name);
		return -EINVAL;
	}
	if (slash)
		*slash = '\0';
	int r = layer_open_dir(root_fd, slash ? dir : "", true, ret_fd);
	if (r < 0) {
		free(name);
		return r;
	}
	*ret_name = name;
	return 0;
}

/* Whatever is at name goes (a hard link into the cache, a symlink); a folder there is -EISDIR. */
static int unlink_entry(int dir_fd, const char *name)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

static int create_new(int dir_fd, const char *name, mode_t mode)
{
	int r = unlink_entry(dir_fd, name);
	if (r < 0)
		return r;
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

int layer_write_file(int root_fd, const char *rel, const void *data, size_t len, mode_t mode)
{
	_cleanup_close_ int dir_fd = -1;
	_cleanup_free_ char *name = NULL;
	int r = open_parent(root_fd, rel, &dir_fd, &name);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = create_new(dir_fd, name, mode);
	return fd < 0 ? fd : write_all(fd, data, len);
}

int layer_copy_fd(int in, int dir_fd, const char *name, mode_t mode)
{
	struct stat st;
	if (fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	_cleanup_close_ int out = create_new(dir_fd, name, mode);
	if (out < 0)
		return out;
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

int layer_copy_file(const char *src, int root_fd, const char *rel, mode_t mode)
{
	/* O_NONBLOCK: a FIFO given as the program must not hang the open; it is refused below. */
	_cleanup_close_ int in = open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return -errno;
	_cleanup_close_ int dir_fd = -1;
	_cleanup_free_ char *name = NULL;
	int r = open_parent(root_fd, rel, &dir_fd, &name);
	return r < 0 ? r : layer_copy_fd(in, dir_fd, name, mode);
}

static int copy_entry(int src_fd, int dst_fd, const char *name, bool hardlink, struct buf *where);

/* Every entry of src_fd into dst_fd; where holds the path so far (relative to the tree's top). */
static int copy_dir(int src_fd, int dst_fd, bool hardlink, struct buf *where)
{
	DIR *d = opendir_fd(src_fd);
	if (!d)
		return -errno;
	int r = 0;
	struct dirent *de;
	size_t len = where->len;
	while (r >= 0 && (de = readdir(d))) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		r = buf_printf(where, "%s%s", len ? "/" : "", de->d_name);
		if (r >= 0)
			r = copy_entry(src_fd, dst_fd, de->d_name, hardlink, where);
		if (r >= 0) {
			where->len = len; /* back to this folder's path */
			where->data[len] = '\0';
		}
	}
	closedir(d);
	return r;
}

static int copy_entry(int src_fd, int dst_fd, const char *name, bool hardlink, struct buf *where)
{
	struct stat st;
	if (fstatat(src_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int from =
			openat(src_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (from < 0)
			return -errno;
		_cleanup_close_ int to = open_child_dir(dst_fd, name, true);
		if (to < 0)
			return to;
		return copy_dir(from, to, hardlink, where);
	}
	if (S_ISLNK(st.st_mode)) {
		_cleanup_free_ char *target = calloc(1, (size_t)st.st_size + 2);
		if (!target)
			return -ENOMEM;
		ssize_t n = readlinkat(src_fd, name, target, (size_t)st.st_size + 1);
		if (n < 0)
			return -errno;
		if (n > st.st_size)
			return -EAGAIN; /* it changed under us */
		int r = unlink_entry(dst_fd, name);
		if (r < 0)
			return r;
		return symlinkat(target, dst_fd, name) < 0 ? -errno : 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0; /* devices, FIFOs and sockets have no place in a layer */
	if (hardlink) {
		int r = unlink_entry(dst_fd, name);
		if (r < 0)
			return r;
		if (linkat(src_fd, name, dst_fd, name, 0) == 0)
			return 0;
		/* EXDEV, or EPERM from protected_hardlinks: a copy serves as well */
	}
	_cleanup_close_ int in = openat(src_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	return layer_copy_fd(in, dst_fd, name, st.st_mode & 07777);
}

int layer_copy_tree(const char *from, int root_fd, const char *to, bool hardlink, char **ret_where)
{
	_cleanup_buf_ struct buf where = {0};
	_cleanup_close_ int src_fd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src_fd < 0)
		return -errno;
	_cleanup_close_ int dst_fd = -1;
	int r = layer_open_dir(root_fd, to, true, &dst_fd);
	if (r >= 0 && (r = buf_puts(&where, "")) >= 0)
		r = copy_dir(src_fd, dst_fd, hardlink, &where);
	if (r < 0 && ret_where && where.len)
		*ret_where = TAKE_PTR(where.data);
	return r;
}
