/* SPDX-License-Identifier: MIT */
/* Signal sets shared by the run, the VM relay and matrix runs. */
#include "signals.h"

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

void child_reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
}
