/* SPDX-License-Identifier: MIT */
/*
 * The guest's udev. Tools call it as on any Debian system: dmsetup, cryptsetup and LVM wait for
 * it to make /dev/mapper/NAME (Debian's dm rules make those links), fstests waits with `udevadm
 * wait` for a node it just made, and scripts end with `udevadm settle`. Without a udevd, the
 * first gets no link and the second never returns. A udevd in every run costs one under TCG
 * about 0.14 s (bench/bench-udev), which a run that never touches device-mapper should not pay.
 * So init2 puts those tools behind quiz-init, in /usr/local/sbin (first in PATH): the first one
 * called starts the image's systemd-udevd, waits until it listens, and runs the real tool,
 * whose devices are then udevd's own events. The block devices there were before (the root
 * image, the blockdev disks) are not replayed: under TCG the rules cost about 0.4 s a device
 * (`udevadm trigger --settle /dev/quizb0` does it for one, and gives it its /dev/disk links).
 */
#include "udev.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "guest.h"

#define UDEVD "/lib/systemd/systemd-udevd"
#define UDEV_CONTROL "/run/udev/control"
#define UDEV_LOCK "/run/quiz-udev.lock"
#define LINKS "/usr/local/sbin"
#define SELF "/sbin/init"

/* The tools that need a udevd, besides the LVM commands (links to lvm, found in the image). */
static const char *const tools[] = {
	"dmsetup", "dmstats", "cryptsetup", "veritysetup", "integritysetup", "udevadm", "lvm",
};
/* Where the real ones are (never LINKS). */
static const char *const real_dirs[] = {"/usr/sbin", "/usr/bin", "/sbin", "/bin"};

/* quiz.udev=0 among the kernel's words (--append quiz.udev=0) leaves udev out. */
static bool udev_wanted(void)
{
	_cleanup_free_ char *cmdline = NULL;
	if (read_file("/proc/cmdline", &cmdline, NULL) < 0)
		return true;
	for (char *w = strtok(cmdline, " \n"); w; w = strtok(NULL, " \n"))
		if (STREQ(w, "quiz.udev=0"))
			return false;
	return true;
}

static bool named_tool(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(tools); i++)
		if (STREQ(name, tools[i]))
			return true;
	return false;
}

/* An LVM command: a link to "lvm" beside it (Debian: /usr/sbin/lvcreate -> lvm). */
static bool lvm_command(const char *dir, const char *name)
{
	char path[PATH_MAX], target[8];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return false;
	ssize_t n = readlink(path, target, sizeof(target));
	return n == 3 && memcmp(target, "lvm", 3) == 0;
}

static void link_one(const char *name)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), LINKS "/%s", name) >= (int)sizeof(path))
		return;
	/* A layer's own /usr/local/sbin/NAME (-u, --system: a dmsetup the user built) wins. */
	if (symlink(SELF, path) < 0 && errno != EEXIST)
		log_err("udev: %s: %s", path, strerror(errno));
}

void udev_links(void)
{
	if (access(UDEVD, X_OK) < 0 || !udev_wanted())
		return;
	if (mkdir_p(LINKS, 0755) < 0)
		return;
	DIR *d = opendir("/usr/sbin");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    (named_tool(de->d_name) || lvm_command("/usr/sbin", de->d_name)))
			link_one(de->d_name);
	closedir(d);
	/* udevadm is in /usr/bin. */
	if (access("/usr/bin/udevadm", X_OK) == 0)
		link_one("udevadm");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

bool udev_tool_named(const char *argv0)
{
	const char *name = base_name(argv0);
	return named_tool(name) || lvm_command("/usr/sbin", name);
}

/* Starts udevd (at idle priority, which its workers inherit) and waits until it listens. */
static void udevd_start(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct sched_param idle = {0};
		(void)sched_setscheduler(0, SCHED_IDLE, &idle);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			(void)dup2(null, STDIN_FILENO);
			(void)dup2(null, STDOUT_FILENO);
			(void)dup2(null, STDERR_FILENO);
		}
		for (int fd = 3; fd < 1024; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		/* Its errors reach the kernel log (udevd writes there without a journal).
		 * --daemon returns once udevd listens on its control socket and the uevents. */
		char *argv[] = {UDEVD, "--daemon", NULL};
		char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_LOG_LEVEL=err", NULL};
		execve(argv[0], argv, env);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_err("systemd-udevd did not start (status %d)", status);
}

int udev_tool_main(int argc, char **argv)
{
	(void)argc;
	const char *name = base_name(argv[0]);
	if (access(UDEV_CONTROL, F_OK) < 0) {
		/* One udevd, however many tools start at once. */
		int lock = open(UDEV_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lock >= 0)
			(void)flock(lock, LOCK_EX);
		guest_log_open("quiz-udev");
		if (access(UDEV_CONTROL, F_OK) < 0)
			udevd_start();
		if (lock >= 0)
			(void)close(lock);
	}
	for (size_t i = 0; i < ELEMENTSOF(real_dirs); i++) {
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", real_dirs[i], name) >= (int)sizeof(path))
			break;
		if (access(path, X_OK) == 0) {
			execv(path, argv);
			break;
		}
	}
	fprintf(stderr, "%s: not found in the guest image\n", name);
	return 127;
}
