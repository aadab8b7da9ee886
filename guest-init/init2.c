/* SPDX-License-Identifier: MIT */
/* init2: the second stage, PID 1 of the overlay root. Prepares the guest, runs tini, reports. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "attach.h"
#include "coverage.h"
#include "guest.h"
#include "layout.h"
#include "ports.h"
#include "rc.h"
#include "run.h"
#include "stages.h"
#include "tree.h"
#include "udev.h"

static const struct mount_op system_mounts[] = {
	{"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	 MOUNT_FATAL | MOUNT_MKDIR},
	{"devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666",
	 MOUNT_FATAL | MOUNT_MKDIR},
	{"tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", MOUNT_MKDIR},
	{"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", MOUNT_MKDIR},
	/* Debugging filesystems: a kernel built without one still runs the program. */
	{"tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0},
	{"debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0},
	{"configfs", "/sys/kernel/config", "configfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0},
	{"bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700", 0},
	{"cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0},
};

static const struct {
	const char *target;
	const char *path;
} dev_links[] = {
	{"/proc/self/fd", "/dev/fd"},
	{"/proc/self/fd/0", "/dev/stdin"},
	{"/proc/self/fd/1", "/dev/stdout"},
	{"/proc/self/fd/2", "/dev/stderr"},
};

static int setup_devices(void)
{
	for (size_t i = 0; i < ELEMENTSOF(dev_links); i++)
		if (symlink(dev_links[i].target, dev_links[i].path) < 0 && errno != EEXIST)
			return -errno;
	return 0;
}

static int setup_network(void)
{
	if (sethostname("quiz", 4) < 0)
		return -errno;
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct ifreq ifr = {.ifr_name = "lo"};
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/*
 * The host's current directory at the same path, under a throwaway tmpfs layer: read-only 9p,
 * or its packed image with what changed since the pack stacked over it (and what went removed).
 */
static int mount_cwd(const char *cwd, bool image)
{
	static const struct mount_op ninep = {
		TAG_CWD,   GUEST_CWD "/lower",	 "9p",
		MS_RDONLY, NINEP ",cache=loose", MOUNT_FATAL | MOUNT_MKDIR};
	static const struct mount_op rw = {"tmpfs", GUEST_CWD "/rw", "tmpfs",
					   0,	    "mode=0755",     MOUNT_FATAL | MOUNT_MKDIR};
	_cleanup_buf_ struct buf opts = {0};
	int r = buf_puts(&opts, "lowerdir=");
	if (r >= 0 && image)
		r = tree_mount_base(GUEST_CWD "/base", &opts);
	else if (r >= 0 && (r = mount_one(&ninep)) >= 0)
		r = buf_puts(&opts, GUEST_CWD "/lower");
	if (r >= 0)
		r = mount_one(&rw);
	if (r >= 0)
		r = mkdir_p(GUEST_CWD "/rw/upper", 0755);
	if (r >= 0)
		r = mkdir_p(GUEST_CWD "/rw/work", 0755);
	if (r >= 0)
		r = buf_puts(&opts, ",upperdir=" GUEST_CWD "/rw/upper,workdir=" GUEST_CWD
				    "/rw/work," OVERLAY_FAST);
	if (r < 0)
		return r;
	struct mount_op overlay = {"overlay", cwd,	 "overlay",
				   0,	      opts.data, MOUNT_FATAL | MOUNT_MKDIR};
	r = mount_one(&overlay);
	return r >= 0 && image ? tree_remove_gone(cwd) : r;
}

static int mount_shared(void)
{
	struct mount_op op = {TAG_SHARED, GUEST_SHARED,	       "9p",
			      0,	  NINEP ",cache=mmap", MOUNT_FATAL | MOUNT_MKDIR};
	return mount_one(&op);
}

#define MODPROBE_SYSCTL "/proc/sys/kernel/modprobe"

static void set_modprobe(const char *path)
{
	_cleanup_close_ int fd = open(MODPROBE_SYSCTL, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, path, strlen(path)) < 0)
		log_err(MODPROBE_SYSCTL ": %s", strerror(errno)); /* only costs time */
}

/* /proc and /dev come from init1, moved into this root. */
static int prepare_system(void)
{
	guest_log_open("quiz-init2");
	timeline_mark(STAGE_INIT2);
	/*
	 * Mounting bpffs asks for a bpf_preload module through request_module(), which runs
	 * modprobe as a usermode helper: 115 ms under TCG, for a module no quiz kernel has. An
	 * empty modprobe path makes the kernel skip the helper while init2 mounts.
	 */
	set_modprobe("\n");
	int r = mount_all(system_mounts, ELEMENTSOF(system_mounts));
	set_modprobe("/sbin/modprobe\n");
	if (r < 0)
		return r;
	timeline_mark(STAGE_MOUNTED);
	r = setup_devices();
	if (r < 0) {
		log_err("/dev links: %s", strerror(-r));
		return r;
	}
	r = setup_network();
	if (r < 0)
		log_err("hostname and loopback: %s",
			strerror(-r)); /* the program may not need them */
	return 0;
}

static int prepare_layers(const struct run_settings *s)
{
	int r;
	if (s->cwd) {
		r = mount_cwd(s->cwd, s->cwd_image);
		if (r < 0)
			return r;
	}
	if (s->shared) {
		r = mount_shared();
		if (r < 0)
			return r;
	}
	return 0;
}

void init2_main(int status_fd)
{
	_cleanup_run_settings_ struct run_settings settings = {0};
	struct ports ports = PORTS_INIT;
	ports.status = status_fd;
	int r;

	r = prepare_system();
	if (r >= 0)
		udev_links(); /* the tools that need udevd start it */
	if (r >= 0)
		r = run_settings_load(CONTRACT_GUEST_PATH, &settings);
	if (r >= 0)
		r = prepare_layers(&settings);
	timeline_mark(STAGE_LAYERS);
	if (r >= 0)
		r = ports_open(&ports);
	timeline_mark(STAGE_PORTS);
	if (r < 0) {
		log_err("guest set-up failed: %s", strerror(-r));
		ports_report_error(&ports, "guest set-up failed (see the kernel log)");
		guest_poweroff();
	}

	/* quiz --attach's agent, forked when a host connects, sees the program's root and layers.
	 */
	struct attach_watch watch;
	attach_watch_start(&watch, &settings, &ports);
	struct run_result result = {0};
	run_program(&settings, &ports, &watch, &result);
	if (settings.coverage)
		(void)coverage_collect(); /* it logged what failed; the host says what it found */
	ports_report(&ports, &result);
	guest_poweroff();
}
