/* SPDX-License-Identifier: MIT */
/* Stop signals during a run's set-up: a handler notes the first, blocking calls end with EINTR. */
#include "interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exit_status.h"
#include "macro.h"
#include "signals.h"

#define NUDGE_NS (20 * 1000 * 1000)
#define CHILD_TERM_MS 2000

static volatile sig_atomic_t stop_signo;
static timer_t nudge;
static bool have_nudge;
static struct sigaction saved[NSIG];
static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM};

static void on_stop(int sig)
{
	if (!stop_signo)
		stop_signo = sig;
	/*
	 * A signal that lands between a check and the blocking call after it would not interrupt
	 * that call: the timer goes on interrupting until the set-up sees the flag. timer_settime
	 * is async-signal-safe.
	 */
	struct itimerspec every = {{0, NUDGE_NS}, {0, NUDGE_NS}};
	if (have_nudge)
		(void)timer_settime(nudge, 0, &every, NULL);
}

static void on_nudge(int sig)
{
	(void)sig; /* only there to interrupt a blocking call */
}

int interrupt_begin(void)
{
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
	sigset_t set;
	stop_signo = 0;
	have_nudge = timer_create(CLOCK_MONOTONIC, &ev, &nudge) == 0;
	stop_signals(&set, false);
	sigaddset(&set, SIGALRM);
	for (size_t i = 0; i < ELEMENTSOF(caught); i++) {
		/* No SA_RESTART: a blocking call must return to see the flag. */
		struct sigaction sa = {.sa_handler = caught[i] == SIGALRM ? on_nudge : on_stop};
		sa.sa_mask = set;
		if (sigaction(caught[i], &sa, &saved[caught[i]]) < 0)
			return -errno;
	}
	return sigprocmask(SIG_UNBLOCK, &set, NULL) < 0 ? -errno : 0;
}

int interrupt_end(void)
{
	sigset_t set;
	stop_signals(&set, false);
	sigaddset(&set, SIGALRM);
	/* Blocked first: a signal after this stays pending for the relay, none is lost. */
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	if (have_nudge)
		(void)timer_delete(nudge);
	have_nudge = false;
	for (size_t i = 0; i < ELEMENTSOF(caught); i++)
		(void)sigaction(caught[i], &saved[caught[i]], NULL);
	/* A nudge already queued must not kill quiz once SIGALRM is back to its default. */
	sigset_t alarm;
	sigemptyset(&alarm);
	sigaddset(&alarm, SIGALRM);
	struct timespec now = {0, 0};
	while (sigtimedwait(&alarm, NULL, &now) == SIGALRM)
		;
	return stop_signo;
}

int interrupt_requested(void)
{
	return stop_signo;
}

static void group_kill(pid_t pid, int sig)
{
	/* Only while pid is not reaped: until then its number cannot be reused. */
	if (kill(-pid, sig) < 0)
		(void)kill(pid, sig); /* not yet its own group leader */
}

static bool exited(pid_t pid)
{
	siginfo_t si = {0};
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

int child_wait(pid_t pid, int *ret_status)
{
	int status;
	while (!stop_signo) {
		pid_t got = waitpid(pid, &status, 0);
		if (got == pid) {
			*ret_status = status;
			return 0;
		}
		if (got < 0 && errno != EINTR)
			return -errno;
	}
	group_kill(pid, SIGTERM);
	for (int waited = 0; waited < CHILD_TERM_MS && !exited(pid); waited += 20) {
		struct timespec tick = {0, 20 * 1000 * 1000};
		(void)nanosleep(&tick, NULL); /* EINTR from the nudge: just a shorter tick */
	}
	group_kill(pid, SIGKILL); /* a child that stayed, or what it left behind in its group */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -EINTR;
}

/* The keeper's life: the child's end is its own; quiz's death (SIGTERM, the death signal) is the
 * whole group's. A stop signal quiz sent the group while alive reached the child too: it waits. */
_noreturn_ static void keep(pid_t quiz, pid_t child, const sigset_t *waited)
{
	child_close_fds_from(0); /* quiz's, none of the keeper's business: pipes see their EOF */
	for (;;) {
		int status, sig = sigwaitinfo(waited, NULL);
		if (sig == SIGCHLD && waitpid(child, &status, WNOHANG) == child)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status)
						: EXIT_SIGNALED + WTERMSIG(status));
		if (sig > 0 && sig != SIGCHLD && getppid() != quiz) {
			(void)kill(0, SIGKILL); /* the group, the keeper with it */
			_exit(EXIT_SIGNALED + SIGKILL);
		}
	}
}

pid_t fork_group_child(void)
{
	pid_t quiz = getpid();
	pid_t keeper = fork();
	if (keeper != 0)
		return keeper < 0 ? -errno : keeper;
	sigset_t waited;
	stop_signals(&waited, true);
	(void)sigprocmask(SIG_BLOCK, &waited, NULL); /* read by sigwaitinfo only */
	/* Its own group, or its kill(0) would reach quiz's. */
	if (setpgid(0, 0) < 0)
		_exit(EXIT_QUIZ_FAILED);
	if (child_die_with_parent(quiz, SIGTERM) < 0)
		_exit(EXIT_SIGNALED + SIGKILL); /* quiz is gone already: nothing was started */
	keeper = getpid();
	pid_t child = fork();
	if (child == 0) {
		if (child_die_with_parent(keeper, SIGKILL) < 0)
			_exit(EXIT_QUIZ_FAILED);
		return 0;
	}
	if (child < 0)
		_exit(EXIT_QUIZ_FAILED);
	keep(quiz, child, &waited);
}
