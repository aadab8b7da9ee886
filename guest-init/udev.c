/* SPDX-License-Identifier: MIT */
/*
 * The guest's udev. Tools call it as on any Debian system: dmsetup, cryptsetup and LVM wait for
 * it to make /dev/mapper/NAME (Debian's dm rules make those links), fstests waits with `udevadm
 * wait` for a node it just made, and scripts end with `udevadm settle`. Without a udevd, the
 * first gets no link and the second never returns. So init2 starts the image's systemd-udevd
 * as soon as /run and /sys are there, mounts the run's shares meanwhile, and waits for it to
 * listen before the hooks and the program: what they make is udevd's own event, never a race.
 * The block devices there were before (the root image, the blockdev disks) are not replayed:
 * under TCG the rules cost about 0.4 s a device (`udevadm trigger --settle /dev/quizb0` does
 * it for one, and gives it its /dev/disk links).
 */
#include "udev.h"

#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "guest.h"

#define UDEVD "/lib/systemd/systemd-udevd"

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

pid_t udev_start(void)
{
	if (access(UDEVD, X_OK) < 0 || !udev_wanted())
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		log_err("udev: fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		return pid;
	/*
	 * udevd and its workers run when the guest's CPU is otherwise idle (SCHED_IDLE, which
	 * they inherit): init2 mostly waits on the host meanwhile, a busy program keeps its CPU,
	 * and one that waits for udev (udevadm wait, dmsetup's udev sync) leaves the CPU to it.
	 */
	struct sched_param idle = {0};
	if (sched_setscheduler(0, SCHED_IDLE, &idle) < 0)
		log_err("udev: SCHED_IDLE: %s", strerror(errno));
	/* Nothing of init2's (the status port) stays open in udevd; its stdio is /dev/null. */
	for (int fd = 3; fd < 1024; fd++)
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
	}
	/* Its errors reach the kernel log (udevd writes there without a journal); no chatter.
	 * --daemon returns once udevd listens on its control socket and the kernel's uevents. */
	char *argv[] = {UDEVD, "--daemon", NULL};
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_LOG_LEVEL=err", NULL};
	execve(argv[0], argv, env);
	_exit(127);
}

void udev_wait(pid_t pid)
{
	if (pid < 0)
		return;
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			log_err("udev: waitpid: %s", strerror(errno));
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_err("systemd-udevd did not start (status %d): no /dev/mapper links, and "
			"udevadm "
			"wait does not return",
			status);
}
