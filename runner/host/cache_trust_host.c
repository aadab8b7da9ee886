/* SPDX-License-Identifier: MIT */
/* The cache's private folders and the files quiz reads back from them, checked on their fds. */
#include "cache_trust_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cache_trust.h"
#include "file.h"
#include "log.h"
#include "run_dir.h"

/* The folders said to be ignored: one line each per quiz, however often they are looked at. */
static struct strv said;

static void say_once(const char *what, const char *dir, const char *why)
{
	for (size_t i = 0; i < said.len; i++)
		if (STREQ(said.items[i], dir))
			return;
	(void)strv_push(&said, dir); /* ENOMEM: said again next time */
	log_error("%s in %s ignored: %s", what, dir, why);
}

/* fd's fstat against the rules (a link refused by O_NOFOLLOW comes as fd < 0, errno ELOOP). */
static int check_fd(int fd, int open_errno, const char *path, const char *subject, bool folder,
		    const char *what, const char *dir)
{
	struct stat st = {0};
	if (fd < 0 && open_errno != ELOOP && open_errno != ENOTDIR)
		return -open_errno;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return -errno;
	struct cache_entry e = {
		.path = path,
		.subject = subject,
		.folder = folder,
		.is_folder = fd >= 0 && S_ISDIR(st.st_mode),
		.is_regular = fd >= 0 && S_ISREG(st.st_mode),
		.owner = st.st_uid,
		.mode = st.st_mode,
	};
	_cleanup_buf_ struct buf why = {0};
	int r = cache_trust_check(&e, geteuid(), &why);
	if (r == -EPERM)
		say_once(what, dir, why.data);
	return r;
}

int cache_dir_open(const char *path, const char *what, int *ret_fd)
{
	int r = mkdir_p_at(AT_FDCWD, path, 0700);
	if (r < 0 && r != -EEXIST && r != -ENOTDIR)
		return r;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = check_fd(fd, errno, path, "it", true, what, path);
	if (r < 0) {
		if (fd >= 0)
			(void)close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int cache_file_open(int dir_fd, const char *dir, const char *name, const char *what, int *ret_fd)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	/* O_NONBLOCK: a FIFO planted there must not hang the open; it is refused after. */
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int r = check_fd(fd, errno, path, path, false, what, dir);
	if (r >= 0 && fcntl(fd, F_SETFL, 0) < 0)
		r = -errno;
	if (r < 0) {
		if (fd >= 0)
			(void)close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int cache_file_read(int dir_fd, const char *dir, const char *name, const char *what, char **ret,
		    size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	int r = cache_file_open(dir_fd, dir, name, what, &fd);
	if (r < 0)
		return r;
	return read_fd(fd, ret, ret_len);
}
