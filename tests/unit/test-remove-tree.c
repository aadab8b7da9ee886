/* SPDX-License-Identifier: MIT */
/* remove_tree never enters a mount point: a bind mount left in a run directory keeps its files
 * (17.4). Needs root for the mounts; skips otherwise. */
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remove_tree.h"
#include "tap.h"

static char scratch[] = "/tmp/test-remove-tree.XXXXXX";

static char *at(const char *rel)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", scratch, rel);
	return p;
}

static void put(const char *rel)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

static bool exists(const char *rel)
{
	return access(at(rel), F_OK) == 0;
}

static void test_plain(void)
{
	mkdir(at("plain"), 0755);
	mkdir(at("plain/a"), 0755);
	mkdir(at("plain/a/b"), 0700);
	put("plain/a/b/f");
	put("outside");
	symlink(at("outside"), at("plain/link"));
	symlink(scratch, at("plain/a/dirlink"));
	CHECK(remove_tree(at("plain"), NULL) == 0, "a plain tree is removed");
	CHECK(!exists("plain"), "...all of it");
	CHECK(exists("outside"), "...and what its symlinks point to stays");
	CHECK(remove_tree(at("plain"), NULL) == 0, "a missing tree is 0");
}

/* Mounts happen in a mount namespace of our own: nothing leaks if the test dies. */
static const char *enter_private_mounts(void)
{
	if (geteuid() != 0)
		return "not root (bind mounts need it; CI runs as root)";
	if (unshare(CLONE_NEWNS) < 0)
		return "unshare(CLONE_NEWNS) failed (no CAP_SYS_ADMIN here?)";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "cannot make / private in the new mount namespace";
	return NULL;
}

static void test_mounts(void)
{
	const char *why = enter_private_mounts();
	if (why) {
		printf("ok %d - # SKIP 17.4 bind mounts: %s\n", ++tap_n, why);
		return;
	}
	/* The same filesystem bind-mounted: st_dev alone does not show it. */
	mkdir(at("data"), 0755);
	put("data/precious");
	mkdir(at("run"), 0755);
	mkdir(at("run/layer"), 0755);
	mkdir(at("run/layer/mnt"), 0755);
	put("run/layer/f");
	bool bound = mount(at("data"), at("run/layer/mnt"), NULL, MS_BIND, NULL) == 0;
	/* Another filesystem too, and a file bind-mounted over a file. */
	mkdir(at("run/tmp"), 0755);
	bool tmpfs = mount("tmpfs", at("run/tmp"), "tmpfs", 0, "size=1M") == 0;
	put("run/tmp/in-tmpfs");
	put("run/file-mnt");
	bool file_bound = mount(at("data/precious"), at("run/file-mnt"), NULL, MS_BIND, NULL) == 0;
	if (!bound || !tmpfs || !file_bound) {
		printf("ok %d - # SKIP 17.4 bind mounts: mount failed\n", ++tap_n);
		return;
	}
	char *left = NULL;
	int r = remove_tree(at("run"), &left);
	CHECK(r == -EBUSY, "17.4: a tree with mounts inside: -EBUSY (got %d)", r);
	CHECK(left && strstr(left, "/run/"), "17.4: ...and it says what stayed (%s)",
	      left ? left : "NULL");
	free(left);
	CHECK(exists("data/precious"), "17.4: the bind-mounted folder's file survives");
	CHECK(exists("run/tmp/in-tmpfs"), "17.4: a tmpfs mounted inside keeps its file");
	CHECK(!exists("run/layer/f"), "17.4: what is not below a mount point is removed");
	CHECK(exists("run/layer/mnt"), "17.4: the mount point itself stays");

	/* A mount point as the tree itself: not emptied either. */
	mkdir(at("top"), 0755);
	bool top_bound = mount(at("data"), at("top"), NULL, MS_BIND, NULL) == 0;
	r = remove_tree(at("top"), NULL);
	CHECK(top_bound && r == -EBUSY && exists("data/precious"),
	      "17.4: a tree that is itself a mount point is left whole (got %d)", r);

	(void)umount2(at("top"), MNT_DETACH);
	(void)umount2(at("run/layer/mnt"), MNT_DETACH);
	(void)umount2(at("run/tmp"), MNT_DETACH);
	(void)umount2(at("run/file-mnt"), MNT_DETACH);
	CHECK(remove_tree(at("run"), NULL) == 0 && !exists("run"),
	      "17.4: once unmounted, the rest goes");
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_plain();
	test_mounts();
	CHECK(remove_tree(scratch, NULL) == 0, "scratch removed");
	return tap_done();
}
