/* SPDX-License-Identifier: MIT */
/* The current directory from its packed image (runner/host/tree_pack.h), in the guest. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "file.h"
#include "guest.h"
#include "layout.h"
#include "tree.h"

/* /dev/vdX of the virtio disk whose serial is TREE_SERIAL. */
static int find_disk(char *dev, size_t size)
{
	DIR *d = opendir("/sys/block");
	if (!d)
		return -errno;
	int r = -ENODEV;
	for (struct dirent *de; r < 0 && (de = readdir(d));) {
		char path[300], serial[64] = "";
		snprintf(path, sizeof(path), "/sys/block/%s/serial", de->d_name);
		_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, serial, sizeof(serial) - 1);
		if (n <= 0)
			continue;
		serial[strcspn(serial, "\n")] = '\0';
		if (STREQ(serial, TREE_SERIAL)) {
			snprintf(dev, size, "/dev/%s", de->d_name);
			r = 0;
		}
	}
	closedir(d);
	return r;
}

int tree_mount_base(const char *base, struct buf *lowerdir)
{
	char dev[300];
	int r = find_disk(dev, sizeof(dev));
	if (r < 0) {
		log_err("no disk with the serial " TREE_SERIAL ": %s", strerror(-r));
		return r;
	}
	/*
	 * ext4's driver reads the image's nanoseconds; ext2's would keep whole seconds. A guest
	 * restored from a saved VM state probed this disk at boot, when another pack may have been
	 * there: the partition scan's reads went with its last close (the kernel drops a disk's
	 * cache then), so the mount reads this pack (tests/vm/tree.sh restores after a pack of
	 * another layout).
	 */
	struct mount_op op = {dev, base, "ext4", MS_RDONLY, NULL, MOUNT_FATAL | MOUNT_MKDIR};
	r = mount_one(&op);
	if (r < 0)
		return r;
	struct stat st;
	if (stat(GUEST_TREE_DELTA, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = mount_option_escape(GUEST_TREE_DELTA, lowerdir);
		if (r >= 0)
			r = buf_puts(lowerdir, ":");
	}
	return r < 0 ? r : mount_option_escape(base, lowerdir);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		log_err("%s: cannot remove it: %s", path, strerror(errno));
	return 0;
}

/*
 * The removal changed the folder that held rel (its copy in the overlay's upper layer): it gets
 * back the times the host's folder has, which the delta holds (its change on the host put it
 * there).
 */
static void keep_parent_times(const char *cwd, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	if (!slash)
		return; /* the top folder shows the upper layer's own times, as over 9p */
	_cleanup_free_ char *host = NULL, *guest = NULL;
	int n = (int)(slash - rel);
	struct stat st;
	if (asprintf(&host, GUEST_TREE_DELTA "/%.*s", n, rel) < 0 ||
	    asprintf(&guest, "%s/%.*s", cwd, n, rel) < 0 || stat(host, &st) < 0)
		return;
	const struct timespec times[2] = {st.st_atim, st.st_mtim};
	(void)utimensat(AT_FDCWD, guest, times, AT_SYMLINK_NOFOLLOW);
}

int tree_remove_gone(const char *cwd)
{
	_cleanup_free_ char *list = NULL;
	size_t size;
	int r = read_file(GUEST_TREE_GONE, &list, &size);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (size_t at = 0; at < size;) {
		const char *rel = list + at;
		size_t n = strnlen(rel, size - at);
		at += n + 1;
		/* The host's own list; still, never a path out of the tree. */
		if (!n || rel[0] == '/' || STREQ(rel, "..") || !strncmp(rel, "../", 3) ||
		    strstr(rel, "/../") || (n >= 3 && STREQ(rel + n - 3, "/..")))
			continue;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s", cwd, rel) < 0)
			return -ENOMEM;
		(void)nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
		keep_parent_times(cwd, rel);
	}
	return 0;
}
