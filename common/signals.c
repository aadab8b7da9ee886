/* SPDX-License-Identifier: MIT */
/* Signal sets shared by the run, the VM relay and matrix runs; the clean state of children. */
#include "signals.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

void stop_signals(sigset_t *ret, bool with_sigchld)
{
	sigemptyset(ret);
	sigaddset(ret, SIGINT);
	sigaddset(ret, SIGTERM);
	sigaddset(ret, SIGHUP);
	sigaddset(ret, SIGQUIT);
	if (with_sigchld)
		sigaddset(ret, SIGCHLD);
}

int child_die_with_parent(pid_t parent, int sig)
{
	if (prctl(PR_SET_PDEATHSIG, sig) < 0)
		return -errno;
	return getppid() == parent ? 0 : -ESRCH; /* reparented: no death signal will come */
}

void child_reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
}

void child_close_fds(void)
{
	child_close_fds_from(3);
}

void child_close_fds_from(int first)
{
	if (close_range((unsigned)first, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: what /proc says is open, except the listing's own descriptor. */
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = first; fd < 1024; fd++)
			(void)close(fd); /* most are not open: EBADF */
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd >= first && fd != dirfd(d))
			(void)close(fd); /* nothing to do if it fails: the child execs next */
	}
	closedir(d);
}
