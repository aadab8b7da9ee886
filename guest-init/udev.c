/* SPDX-License-Identifier: MIT */
/*
 * The guest's udev. Tools call it as on any Debian system: dmsetup, cryptsetup and LVM wait for
 * it to make /dev/mapper/NAME (Debian's dm rules make those links), fstests waits with `udevadm
 * wait` for a node it just made, and scripts end with `udevadm settle`. Without a udevd, the
 * first gets no link and the second never returns. So init2 starts the image's systemd-udevd
 * and, once it listens, replays the "add" events of the block devices there are (the root
 * image, the blockdev disks), so that `udevadm wait /dev/quizb0` returns too. Both happen in
 * one background child: the program starts at once. A device the program makes before udevd
 * listens is replayed with the rest; one made after it is udevd's own event.
 */
#include "udev.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "guest.h"

#define UDEVD "/lib/systemd/systemd-udevd"
#define UDEVADM "/bin/udevadm"

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

static int spawn_wait(char *const *argv, char *const *env)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execve(argv[0], argv, env);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

_noreturn_ static void udev_child(void)
{
	/* Its errors reach the kernel log (udevd writes there without a journal); no chatter. */
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_LOG_LEVEL=err", NULL};
	char *udevd[] = {UDEVD, "--daemon", NULL};
	/* --daemon returns once udevd listens on its control socket and the kernel's uevents. */
	int r = spawn_wait(udevd, env);
	if (r != 0) {
		log_err("systemd-udevd did not start (%d): no /dev/mapper links, no udevadm wait",
			r);
		_exit(1);
	}
	char *trigger[] = {UDEVADM, "trigger", "--action=add", "--subsystem-match=block", NULL};
	r = spawn_wait(trigger, env);
	if (r != 0)
		log_err("udevadm trigger failed (%d)", r);
	_exit(r != 0);
}

void udev_start(void)
{
	if (access(UDEVD, X_OK) < 0 || access(UDEVADM, X_OK) < 0 || !udev_wanted())
		return;
	pid_t pid = fork();
	if (pid < 0) {
		log_err("udev: fork: %s", strerror(errno));
		return;
	}
	if (pid > 0)
		return; /* reaped with the other orphans while the program runs */
	/* Nothing of init2's (the status port) stays open in udevd; its stdio is /dev/null. */
	for (int fd = 3; fd < 1024; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
	}
	udev_child();
}
