/* SPDX-License-Identifier: MIT */
/* The guest's run stage: environment, guest hooks, tini, the program, its exit status. */
#include "run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "buf.h"
#include "coverage.h"
#include "exit_status.h"
#include "file.h"
#include "kmsg.h"
#include "layout.h"
#include "rc.h"
#include "relay.h"
#include "run_plan.h"

#define HOOKS GUEST_HOOKS

/* The child's stdio: the relay's pipes (stdin: in, /dev/null for hooks). */
static void child_stdio(const struct relay *r, int in, bool output_to_stderr)
{
	attach_child_signals(); /* PID 1 blocks SIGIO for its attach watch */
	/* dup2 clears O_CLOEXEC on the copies; failures leave the default console fds. */
	(void)dup2(in, 0);
	(void)dup2(r->child[output_to_stderr ? RELAY_STDERR : RELAY_STDOUT], 1);
	(void)dup2(r->child[RELAY_STDERR], 2);
}

static int run_hooks(const struct run_settings *s, struct relay *relay, char *const *env,
		     struct run_result *ret)
{
	for (size_t i = 0; i < s->hooks.len; i++) {
		const char *hook = s->hooks.items[i];
		_cleanup_strv_ struct strv henv = {0};
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, HOOKS "/%s", hook) < 0 ||
		    run_plan_hook_env(s, hook, env, &henv) < 0) {
			snprintf(ret->error, sizeof(ret->error), "out of memory for guest hooks");
			return -1;
		}
		log_info("guest hook %s at %llu ms", hook, uptime_ms());
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			/* A hook's output is diagnostics, never program output: to stderr. */
			child_stdio(relay, null, true);
			char *argv[] = {path, NULL};
			execve(path, argv, henv.items);
			fprintf(stderr, "quiz: profile %s: guest hook: %s\n", hook,
				strerror(errno));
			_exit(EXIT_NOT_FOUND);
		}
		int code = pid < 0 ? EXIT_QUIZ_FAILED : relay_wait(relay, pid, -1);
		if (code != 0) {
			snprintf(ret->error, sizeof(ret->error),
				 "profile %s: guest hook failed with status %d", hook, code);
			return -1;
		}
	}
	return 0;
}

/* Why execvp would fail for prog, as errno: tini maps only ENOENT and EACCES like a shell. */
static int lookup_errno(const char *prog, char *const *env)
{
	struct stat st;
	if (strchr(prog, '/')) {
		if (access(prog, X_OK) < 0)
			return errno;
		return stat(prog, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : 0;
	}
	const char *path = NULL;
	for (char *const *e = env; *e && !path; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	_cleanup_free_ char *copy = strdup(path ? path : "/usr/bin:/bin");
	int found = ENOENT;
	char *save = NULL;
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = NULL;
		if (asprintf(&full, "%s/%s", d, prog) < 0)
			return 0; /* let the exec tell */
		if (access(full, X_OK) == 0 && stat(full, &st) == 0 && !S_ISDIR(st.st_mode))
			return 0;
		if (errno == EACCES)
			found = EACCES;
	}
	return found;
}

/* The kernel's own limits on execve's arguments (fs/exec.c): else E2BIG, which tini gives 1. */
static int args_errno(char *const *argv, char *const *env)
{
	const size_t max_arg_strlen = 32 * 4096;
	size_t total = 0;
	for (int k = 0; k < 2; k++)
		for (char *const *s = k ? env : argv; *s; s++) {
			size_t len = strlen(*s) + 1;
			if (len > max_arg_strlen)
				return E2BIG;
			total += len + sizeof(char *);
		}
	struct rlimit rl;
	size_t limit = 6 << 20; /* _STK_LIM / 4 * 3 */
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < limit)
		limit = rl.rlim_cur / 4;
	return total > (limit > 131072 ? limit : 131072) ? E2BIG : 0;
}

/* In the program's child, before tini: a program that cannot run exits as a shell says. */
static void exec_precheck(char *const *argv, char *const *env)
{
	int e = lookup_errno(argv[0], env);
	if (!e)
		e = args_errno(argv, env);
	if (!e)
		return;
	fprintf(stderr, "quiz: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}

/*
 * tmux mode's terminal: the virtio console, the last hvc the kernel made. It is hvc0, but for
 * pseries, whose hypervisor terminal (the kernel's console) takes hvc0 first. The hvc driver
 * has nodes for all eight; one no console backs fails with ENODEV.
 */
static int open_tty(int flags)
{
	char path[] = "/dev/hvcN";
	for (char n = '7'; n >= '0'; n--) {
		path[sizeof(path) - 2] = n;
		int fd = open(path, flags);
		if (fd >= 0 || (errno != ENODEV && errno != ENXIO && errno != ENOENT))
			return fd;
	}
	return -1;
}

/* tmux mode: the virtio console is the program's terminal, sized like the host's. */
static void child_tty(const struct run_settings *s)
{
	int fd = open_tty(O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		return;
	/* The decoder keeps the sizes within a winsize's fields. */
	struct winsize ws = {.ws_row = (unsigned short)(s->rows ? s->rows : SETTINGS_DEFAULT_ROWS),
			     .ws_col = (unsigned short)(s->cols ? s->cols : SETTINGS_DEFAULT_COLS)};
	(void)ioctl(fd, TIOCSWINSZ, &ws); /* a wrong size is cosmetic */
	(void)dup2(fd, 0);
	(void)dup2(fd, 1);
	(void)dup2(fd, 2);
	if (fd > 2)
		(void)close(fd); /* the copies are the terminal now */
}

static int rc_status(int fallback)
{
	_cleanup_free_ char *text = NULL;
	size_t size;
	if (read_file(RC_STATUS_FILE, &text, &size) < 0)
		return fallback;
	return atoi(text);
}

/* --dmesg: the run's kernel log on the program's stderr, counted like its own output. */
static void dmesg_finish(int capture, struct relay *relay)
{
	_cleanup_buf_ struct buf text = {0};
	if (capture < 0)
		return;
	kmsg_capture_finish(capture, &text);
	relay_write(relay, RELAY_STDERR, text.data, text.len);
}

static void run_with_relay(const struct run_settings *s, struct relay *relay,
			   struct run_result *ret)
{
	_cleanup_strv_ struct strv env = {0}, argv = {0};
	bool tty = false, plain = false;

	int r = run_plan_env(s, &env);
	if (r >= 0)
		r = run_plan_argv(s, &argv, &tty, &plain);
	if (r < 0) {
		snprintf(ret->error, sizeof(ret->error), "out of memory preparing the program");
		return;
	}
	/* --dmesg covers the profiles' hooks too: a module they load logs its messages there. */
	int capture = s->dmesg ? kmsg_capture_start() : -1;
	if (run_hooks(s, relay, env.items, ret) < 0) {
		dmesg_finish(capture, relay);
		return;
	}

	const char *cwd = s->cwd ? s->cwd : "/root";
	if (s->coverage)
		(void)coverage_reset(); /* it logged why; the host finds no counters */
	timeline_mark(STAGE_PROGRAM);
	pid_t pid = fork();
	if (pid == 0) {
		(void)setsid(); /* its own session: the program's signals never reach PID 1 */
		child_stdio(relay, relay->child[RELAY_STDIN], false);
		if (tty)
			child_tty(s);
		if (chdir(cwd) < 0)
			fprintf(stderr, "quiz: cannot enter %s: %s\n", cwd, strerror(errno));
		if (plain)
			exec_precheck(argv.items + RUN_TINI_ARGS, env.items);
		execve(RUN_TINI, argv.items, env.items);
		fprintf(stderr, "quiz: cannot run " RUN_TINI ": %s\n", strerror(errno));
		_exit(EXIT_QUIZ_FAILED);
	}
	if (pid < 0) {
		snprintf(ret->error, sizeof(ret->error), "fork: %s", strerror(errno));
		return;
	}
	/* Only the program holds its ends now: its EOF and its exit are its own. */
	relay_close_child_ends(relay);
	_cleanup_close_ int resize = tty ? open_tty(O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	int code = relay_wait(relay, pid, resize);
	/* In tmux mode a session left early has no rc status: the program got SIGHUP. */
	ret->exit_code = rc_status(tty && code != EXIT_QUIZ_FAILED ? EXIT_SIGNALED + SIGHUP : code);
	timeline_mark(STAGE_ENDED);
	dmesg_finish(capture, relay);
	log_info("program status %d", ret->exit_code);
}

void run_program(const struct run_settings *s, struct ports *p, struct attach_watch *attach,
		 struct run_result *ret)
{
	struct relay relay;
	*ret = (struct run_result){0};
	int r = relay_open(&relay, p);
	relay.attach = attach;
	if (r < 0)
		snprintf(ret->error, sizeof(ret->error), "pipes for the program: %s", strerror(-r));
	else
		run_with_relay(s, &relay, ret);
	relay_free(&relay);
}

int run_exec(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "quiz: nothing to run\n");
		return EXIT_QUIZ_FAILED;
	}
	execvp(argv[0], argv);
	int saved = errno;
	fprintf(stderr, "quiz: %s: %s\n", argv[0], strerror(saved));
	return saved == ENOENT || saved == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
}
