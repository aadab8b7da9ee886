/* SPDX-License-Identifier: MIT */
/* A mount-safe rm -rf: openat/unlinkat from one folder fd, never across a mount point. */
#include "remove_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "buf.h"
#include "file.h"
#include "macro.h"

/* Which mount a folder is on. */
struct mount_key {
	dev_t dev;
	uint64_t mnt_id;
	bool have_id;
	bool mount_root; /* the kernel says it is the root of a mount */
};

/* The mount id from a file handle (2.6.39): for kernels whose statx has no STATX_MNT_ID (5.8). */
static bool handle_mount_id(int fd, uint64_t *ret)
{
	union {
		struct file_handle fh;
		char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h = {.fh.handle_bytes = MAX_HANDLE_SZ};
	int id;
	if (name_to_handle_at(fd, "", &h.fh, &id, AT_EMPTY_PATH) < 0)
		return false; /* a filesystem without handles: only its st_dev is compared */
	*ret = (uint64_t)id;
	return true;
}

static int mount_key_of(int fd, struct mount_key *ret)
{
	struct statx stx;
	struct mount_key k = {0};
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) == 0) {
		k.dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
		k.mnt_id = stx.stx_mnt_id;
		k.have_id = stx.stx_mask & STATX_MNT_ID;
		k.mount_root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
			       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	} else {
		struct stat st; /* before 4.11 there is no statx */
		if (fstat(fd, &st) < 0)
			return -errno;
		k.dev = st.st_dev;
	}
	if (!k.have_id)
		k.have_id = handle_mount_id(fd, &k.mnt_id);
	*ret = k;
	return 0;
}

/*
 * A bind mount of a folder of the same filesystem has the same st_dev: only the mount id or the
 * mount-root attribute tells it apart, so all three are compared.
 */
static bool other_mount(const struct mount_key *top, const struct mount_key *k)
{
	return k->dev != top->dev || k->mount_root ||
	       (k->have_id && top->have_id && k->mnt_id != top->mnt_id);
}

struct walk {
	struct mount_key top;
	struct buf where; /* the path being looked at, as messages show it */
	char *left;	  /* the first thing that stayed */
	int r;		  /* the first failure: -EBUSY for a mount point, else its -errno */
};

static void stayed(struct walk *w, int r)
{
	if (!w->left)
		w->left = strdup(w->where.data ? w->where.data : "");
	if (!w->r || (r == -EBUSY && w->r != -EBUSY))
		w->r = r;
}

static void remove_below(struct walk *w, int dir_fd);

/* name in dir_fd, whatever it is; where already names it. */
static void remove_entry(struct walk *w, int dir_fd, const char *name)
{
	struct stat st;
	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			stayed(w, -errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* A file with a mount on it gives EBUSY here: the mounted file is not touched. */
		if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
			stayed(w, -errno);
		return;
	}
	/* A folder of ours that we may not list or change (a copy of a read-only one): made so. */
	if ((st.st_mode & 0700) != 0700 && st.st_uid == geteuid())
		(void)fchmodat(dir_fd, name, (st.st_mode | 0700) & 07777, 0);
	_cleanup_close_ int fd =
		openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct mount_key k;
	if (fd < 0 || mount_key_of(fd, &k) < 0) {
		stayed(w, -errno);
		return;
	}
	if (other_mount(&w->top, &k)) {
		stayed(w, -EBUSY);
		return;
	}
	remove_below(w, fd);
	if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		stayed(w, -errno);
}

static void remove_below(struct walk *w, int dir_fd)
{
	DIR *d = opendir_fd(dir_fd);
	if (!d) {
		stayed(w, -errno);
		return;
	}
	size_t len = w->where.len;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		if (buf_printf(&w->where, "/%s", de->d_name) < 0) {
			stayed(w, -ENOMEM);
			break;
		}
		remove_entry(w, dir_fd, de->d_name);
		w->where.len = len;
		w->where.data[len] = '\0';
	}
	closedir(d);
}

int remove_tree_at(int parent_fd, const char *name, const char *shown, char **ret_left)
{
	struct walk w = {0};
	_cleanup_close_ int fd =
		openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP)) /* a file or a symlink: just it */
		return unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	struct mount_key parent;
	if (buf_puts(&w.where, shown) < 0)
		return -ENOMEM;
	if (fd < 0 || mount_key_of(fd, &w.top) < 0 || mount_key_of(parent_fd, &parent) < 0)
		stayed(&w, -errno);
	else if (other_mount(&parent, &w.top))
		stayed(&w, -EBUSY); /* a mount point itself: its contents are not ours to remove */
	else
		remove_below(&w, fd);
	if (!w.r && unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		stayed(&w, -errno);
	buf_free(&w.where);
	if (w.r && ret_left)
		*ret_left = TAKE_PTR(w.left);
	free(w.left);
	return w.r;
}

int remove_tree(const char *path, char **ret_left)
{
	_cleanup_free_ char *copy = strdup(path), *copy2 = strdup(path);
	if (!copy || !copy2)
		return -ENOMEM;
	const char *parent = dirname(copy), *name = basename(copy2);
	if (STREQ(name, "/") || STREQ(name, ".") || STREQ(name, ".."))
		return -EINVAL;
	_cleanup_close_ int parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	return remove_tree_at(parent_fd, name, path, ret_left);
}
