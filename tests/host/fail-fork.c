/* SPDX-License-Identifier: MIT */
/* LD_PRELOAD for the host tests: the process that loads it fails its forks (EAGAIN) past the
 * first FAIL_FORK_AFTER; its children, and the programs they run, fork as usual. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static pid_t loader;

__attribute__((constructor)) static void fail_fork_init(void)
{
	loader = getpid();
	unsetenv("LD_PRELOAD"); /* not into what its children run */
}

pid_t fork(void)
{
	static int forks;
	const char *after = getenv("FAIL_FORK_AFTER");
	if (getpid() == loader && after && ++forks > atoi(after)) {
		errno = EAGAIN;
		return -1;
	}
	pid_t (*real_fork)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
	return real_fork();
}
