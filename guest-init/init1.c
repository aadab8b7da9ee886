/* SPDX-License-Identifier: MIT */
/* init1: the first stage of the image's /sbin/init. Stacks the layers, then enters init2. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guest.h"
#include "layout.h"
#include "park.h"
#include "stages.h"

#define LAYERS GUEST_LAYERS
#define UPPER GUEST_UPPER
#define NEW_ROOT GUEST_NEW_ROOT

/* 9p read-only layers: the host files do not change under a run, so the cache may keep them. */
#define NINEP_RO NINEP ",cache=loose"

static const struct mount_op boot_mounts[] = {
	{"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, MOUNT_FATAL},
	{"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755", MOUNT_FATAL | MOUNT_TOLERATE_BUSY},
};

static const struct mount_op stack_mounts[] = {
	{TAG_RUN, LAYERS "/run", "9p", MS_RDONLY, NINEP_RO, MOUNT_FATAL},
	{"tmpfs", UPPER, "tmpfs", 0, "mode=0755", MOUNT_FATAL},
	/* The image itself becomes the bottom layer: a plain (non-recursive) bind of "/". */
	{"/", GUEST_IMAGE, NULL, MS_BIND, NULL, MOUNT_FATAL},
};

_noreturn_ static void fail(const char *what, int r)
{
	log_err("%s: %s; the run cannot start", what, strerror(-r));
	guest_poweroff();
}

static int mount_lower_layers(const struct run_settings *s, struct buf *lowerdir)
{
	int r = buf_puts(lowerdir, LAYERS "/run");
	for (size_t i = 0; r >= 0 && i < s->layers.len; i++) {
		const char *layer = s->layers.items[i];
		_cleanup_free_ char *tag = NULL, *target = NULL;
		if (asprintf(&tag, TAG_PREFIX "%s", layer) < 0 ||
		    asprintf(&target, LAYERS "/%s", layer) < 0)
			return -ENOMEM;
		struct mount_op op = {tag,	 target,   "9p",
				      MS_RDONLY, NINEP_RO, MOUNT_FATAL | MOUNT_MKDIR};
		r = mount_one(&op);
		if (r < 0)
			return r;
		r = buf_puts(lowerdir, ":");
		if (r >= 0)
			r = mount_option_escape(target, lowerdir);
	}
	if (r >= 0)
		r = buf_puts(lowerdir, ":" GUEST_IMAGE);
	return r;
}

/*
 * The image is usr-merged: /lib, /bin, /sbin, /lib64 are symlinks into /usr. A layer with a
 * lib/ directory (make modules_install INSTALL_MOD_PATH=DIR) would hide the symlink and with
 * it every library. The symlinks go into the upper layer, which wins over all lower ones, and
 * each layer's own lib/ is stacked over /usr/lib by a second overlay (see fix_merged_dirs).
 */
static const char *const merged_dirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

static int keep_merged_links(void)
{
	for (size_t i = 0; i < ELEMENTSOF(merged_dirs); i++) {
		char image_path[64], upper_path[64], target[256];
		snprintf(image_path, sizeof(image_path), GUEST_IMAGE "/%s", merged_dirs[i]);
		snprintf(upper_path, sizeof(upper_path), UPPER "/root/%s", merged_dirs[i]);
		ssize_t n = readlink(image_path, target, sizeof(target) - 1);
		if (n < 0)
			continue; /* not a symlink in this image */
		target[n] = '\0';
		if (symlink(target, upper_path) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int fix_merged_dir(const struct run_settings *s, const char *name, const char *target)
{
	_cleanup_buf_ struct buf lower = {0}, opts = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < s->layers.len; i++) {
		_cleanup_free_ char *dir = NULL;
		struct stat st;
		if (asprintf(&dir, LAYERS "/%s/%s", s->layers.items[i], name) < 0)
			return -ENOMEM;
		if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		r = mount_option_escape(dir, &lower);
		if (r >= 0)
			r = buf_puts(&lower, ":");
	}
	if (r < 0 || !lower.len)
		return r;
	_cleanup_free_ char *merged = NULL, *up = NULL, *work = NULL;
	if (asprintf(&merged, NEW_ROOT "/%s", target) < 0 ||
	    asprintf(&up, UPPER "/fix-%s/upper", name) < 0 ||
	    asprintf(&work, UPPER "/fix-%s/work", name) < 0)
		return -ENOMEM;
	if ((r = mkdir_p(up, 0755)) < 0 || (r = mkdir_p(work, 0755)) < 0 ||
	    (r = mkdir_p(merged, 0755)) < 0)
		return r;
	r = buf_printf(&opts, "lowerdir=%s%s,upperdir=%s,workdir=%s", lower.data, merged, up, work);
	if (r < 0)
		return r;
	struct mount_op op = {"overlay", merged, "overlay", 0, opts.data, MOUNT_FATAL};
	return mount_one(&op);
}

static int fix_merged_dirs(const struct run_settings *s)
{
	for (size_t i = 0; i < ELEMENTSOF(merged_dirs); i++) {
		char image_path[64], target[256];
		snprintf(image_path, sizeof(image_path), GUEST_IMAGE "/%s", merged_dirs[i]);
		ssize_t len = readlink(image_path, target, sizeof(target) - 1);
		if (len < 0 || target[0] == '/')
			continue;
		target[len] = '\0';
		int r = fix_merged_dir(s, merged_dirs[i], target);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mount_overlay_root(const char *lowerdir)
{
	int r = mkdir_p(UPPER "/root", 0755);
	if (r >= 0)
		r = mkdir_p(UPPER "/work", 0755);
	if (r >= 0)
		r = keep_merged_links();
	if (r < 0)
		return r;
	_cleanup_buf_ struct buf opts = {0};
	r = buf_printf(&opts,
		       "lowerdir=%s,upperdir=" UPPER "/root,workdir=" UPPER "/work," OVERLAY_FAST,
		       lowerdir);
	if (r < 0)
		return r;
	struct mount_op op = {"overlay", NEW_ROOT, "overlay", 0, opts.data, MOUNT_FATAL};
	return mount_one(&op);
}

/*
 * Make NEW_ROOT the root, with the boot mounts moved along (init2 goes on with them); the layer
 * mounts stay reachable through the overlay only.
 */
static int switch_root(void)
{
	for (size_t i = 0; i < ELEMENTSOF(boot_mounts); i++) {
		char target[64];
		snprintf(target, sizeof(target), NEW_ROOT "%s", boot_mounts[i].target);
		int r = mkdir_p(target, 0755);
		if (r < 0)
			return r;
		if (mount(boot_mounts[i].target, target, NULL, MS_MOVE, NULL) < 0)
			return -errno;
	}
	if (chdir(NEW_ROOT) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	if (umount2(".", MNT_DETACH) < 0)
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

void init1_main(void)
{
	_cleanup_run_settings_ struct run_settings settings = {0};
	_cleanup_buf_ struct buf lowerdir = {0};
	int r;

	r = mount_all(boot_mounts, ELEMENTSOF(boot_mounts));
	guest_log_open("quiz-init1");
	if (r < 0)
		fail("boot mounts", r);
	timeline_mark(STAGE_INIT1);
	int status_fd = park(); /* a saved VM resumes here */
	if (status_fd < 0)
		fail("the park point", status_fd);

	r = mount_all(stack_mounts, ELEMENTSOF(stack_mounts));
	if (r < 0)
		fail("run layer, upper and image mounts", r);
	r = run_settings_load(CONTRACT_INIT1_PATH, &settings);
	if (r < 0)
		fail("reading " CONTRACT_INIT1_PATH, r);
	r = mount_lower_layers(&settings, &lowerdir);
	if (r < 0)
		fail("layer mounts", r);
	r = mount_overlay_root(lowerdir.data);
	if (r < 0)
		fail("overlay root", r);
	r = fix_merged_dirs(&settings);
	if (r < 0)
		fail("layers' lib/, bin/ over /usr", r);
	r = switch_root();
	if (r < 0)
		fail("switching to the overlay root", r);

	timeline_mark(STAGE_ROOT);
	/* The same process goes on as init2: an exec of this binary cost 20 ms under TCG. */
	init2_main(status_fd);
}
