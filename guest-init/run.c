/* SPDX-License-Identifier: MIT */
/* The guest's run stage: environment, guest hooks, tini, the program, its exit status. */
#include "run.h"

#include <ctype.h>
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
#include "exit_status.h"
#include "file.h"
#include "kmsg.h"
#include "layout.h"
#include "rc.h"
#include "relay.h"

/* The static build: no dynamic linking before the program's own (30 ms under TCG). */
#define TINI "/usr/bin/tini-static"
#define SELF "/sbin/init" /* quiz-init, for its roles under tini */
#define HOOKS GUEST_HOOKS
#define SHELL "/bin/bash"

static int build_env(const struct contract_entry *c, size_t n, struct strv *env)
{
	static const char *const base[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"USER=root",
		"LOGNAME=root",
		"SHELL=" SHELL,
		"LANG=C.UTF-8",
	};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(base); i++)
		r = strv_push(env, base[i]);
	const char *kernel = contract_get(c, n, CONTRACT_KERNEL);
	const char *profiles = contract_get(c, n, CONTRACT_PROFILES);
	if (r >= 0)
		r = strv_pushf(env, "QUIZ_KERNEL=%s", kernel ? kernel : "");
	if (r >= 0)
		r = strv_pushf(env, "QUIZ_PROFILES=%s", profiles ? profiles : "");
	const char *term = contract_get(c, n, CONTRACT_TERM);
	if (r >= 0 && term)
		r = strv_pushf(env, "TERM=%s", term);
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (STREQ(c[i].key, CONTRACT_ENV))
			r = strv_push(env, c[i].value);
	return r;
}

/* The child's stdio: the relay's pipes (stdin: in, /dev/null for hooks). */
static void child_stdio(const struct relay *r, int in, bool output_to_stderr)
{
	/* dup2 clears O_CLOEXEC on the copies; failures leave the default console fds. */
	(void)dup2(in, 0);
	(void)dup2(r->child[output_to_stderr ? RELAY_STDERR : RELAY_STDOUT], 1);
	(void)dup2(r->child[RELAY_STDERR], 2);
}

/* The environment of one profile's guest hook: the program's, plus QUIZ_OPT_<NAME>. */
static int hook_env(const struct contract_entry *c, size_t n, const char *profile,
		    char *const *base, struct strv *env)
{
	size_t plen = strlen(profile);
	int r = 0;
	for (size_t i = 0; r >= 0 && base[i]; i++)
		r = strv_push(env, base[i]);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const char *v = c[i].value;
		if (!STREQ(c[i].key, CONTRACT_OPTION) || strncmp(v, profile, plen) != 0 ||
		    v[plen] != '.')
			continue;
		_cleanup_free_ char *kv = strdup(v + plen + 1);
		if (!kv)
			return -ENOMEM;
		for (char *p = kv; *p && *p != '='; p++)
			*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
		r = strv_pushf(env, "QUIZ_OPT_%s", kv);
	}
	return r;
}

static int run_hooks(const struct contract_entry *c, size_t n, struct relay *relay,
		     char *const *env, struct run_result *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (!STREQ(c[i].key, CONTRACT_HOOK))
			continue;
		_cleanup_strv_ struct strv henv = {0};
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, HOOKS "/%s", c[i].value) < 0 ||
		    hook_env(c, n, c[i].value, env, &henv) < 0) {
			snprintf(ret->error, sizeof(ret->error), "out of memory for guest hooks");
			return -1;
		}
		log_info("guest hook %s at %llu ms", c[i].value, uptime_ms());
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			/* A hook's output is diagnostics, never program output: to stderr. */
			child_stdio(relay, null, true);
			char *argv[] = {path, NULL};
			execve(path, argv, henv.items);
			fprintf(stderr, "quiz: profile %s: guest hook: %s\n", c[i].value,
				strerror(errno));
			_exit(EXIT_NOT_FOUND);
		}
		int code = pid < 0 ? EXIT_QUIZ_FAILED : relay_wait(relay, pid, -1);
		if (code != 0) {
			snprintf(ret->error, sizeof(ret->error),
				 "profile %s: guest hook failed with status %d", c[i].value, code);
			return -1;
		}
	}
	return 0;
}

/* tini's argv: the program itself, or quiz-init's rc role (-S) or tmux role. */
/* tini's own words before the program's: "tini -s --". */
#define TINI_ARGS 3

static int build_argv(const struct contract_entry *c, size_t n, struct strv *argv, bool *ret_tty,
		      bool *ret_plain)
{
	const char *mode = contract_get(c, n, CONTRACT_MODE);
	const char *shell = contract_get(c, n, CONTRACT_SHELL);
	bool tmux = mode && STREQ(mode, "tmux"), after = shell && STREQ(shell, "1");
	int r = strv_push(argv, TINI);
	if (r >= 0)
		r = strv_push(argv, "-s");
	if (r >= 0)
		r = strv_push(argv, "--");
	*ret_tty = tmux;
	*ret_plain = !tmux && !after;
	if (tmux || after) {
		if (r >= 0)
			r = strv_push(argv, SELF);
		return r >= 0 ? strv_push(argv, tmux ? "--tmux" : "--rc") : r;
	}
	/*
	 * The plain case: tini runs the program itself, and maps exec failures as a shell does
	 * (127 not found, 126 not executable). No hop through another exec: 30 ms under TCG.
	 */
	size_t nargs = 0;
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (STREQ(c[i].key, CONTRACT_ARG) && ++nargs)
			r = strv_push(argv, c[i].value);
	if (r >= 0 && nargs == 0)
		r = strv_push(argv, SHELL); /* no program: a shell reading stdin */
	return r;
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

/* tmux mode: the virtio console (hvc0) is the program's terminal, sized like the host's. */
static void child_tty(const struct contract_entry *c, size_t n)
{
	int fd = open("/dev/hvc0", O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		return;
	const char *rows = contract_get(c, n, CONTRACT_ROWS),
		   *cols = contract_get(c, n, CONTRACT_COLS);
	struct winsize ws = {.ws_row = rows ? (unsigned short)atoi(rows) : 24,
			     .ws_col = cols ? (unsigned short)atoi(cols) : 80};
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

static void run_with_relay(const struct contract_entry *c, size_t n, struct relay *relay,
			   struct run_result *ret)
{
	_cleanup_strv_ struct strv env = {0}, argv = {0};
	bool tty = false, plain = false;

	int r = build_env(c, n, &env);
	if (r >= 0)
		r = build_argv(c, n, &argv, &tty, &plain);
	if (r < 0) {
		snprintf(ret->error, sizeof(ret->error), "out of memory preparing the program");
		return;
	}
	/* --dmesg covers the profiles' hooks too: a module they load logs its messages there. */
	const char *dmesg = contract_get(c, n, CONTRACT_DMESG);
	int capture = dmesg && STREQ(dmesg, "1") ? kmsg_capture_start() : -1;
	if (run_hooks(c, n, relay, env.items, ret) < 0) {
		dmesg_finish(capture, relay);
		return;
	}

	const char *cwd = contract_get(c, n, CONTRACT_CWD);
	timeline_mark(STAGE_PROGRAM);
	pid_t pid = fork();
	if (pid == 0) {
		(void)setsid(); /* its own session: the program's signals never reach PID 1 */
		child_stdio(relay, relay->child[RELAY_STDIN], false);
		if (tty)
			child_tty(c, n);
		if (chdir(cwd ? cwd : "/root") < 0)
			fprintf(stderr, "quiz: cannot enter %s: %s\n", cwd, strerror(errno));
		if (plain)
			exec_precheck(argv.items + TINI_ARGS, env.items);
		execve(TINI, argv.items, env.items);
		fprintf(stderr, "quiz: cannot run " TINI ": %s\n", strerror(errno));
		_exit(EXIT_QUIZ_FAILED);
	}
	if (pid < 0) {
		snprintf(ret->error, sizeof(ret->error), "fork: %s", strerror(errno));
		return;
	}
	/* Only the program holds its ends now: its EOF and its exit are its own. */
	relay_close_child_ends(relay);
	_cleanup_close_ int resize = tty ? open("/dev/hvc0", O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
	int code = relay_wait(relay, pid, resize);
	/* In tmux mode a session left early has no rc status: the program got SIGHUP. */
	ret->exit_code = rc_status(tty && code != EXIT_QUIZ_FAILED ? EXIT_SIGNALED + SIGHUP : code);
	timeline_mark(STAGE_ENDED);
	dmesg_finish(capture, relay);
	log_info("program status %d", ret->exit_code);
}

void run_program(const struct contract_entry *c, size_t n, struct ports *p, struct run_result *ret)
{
	struct relay relay;
	*ret = (struct run_result){0};
	int r = relay_open(&relay, p);
	if (r < 0)
		snprintf(ret->error, sizeof(ret->error), "pipes for the program: %s", strerror(-r));
	else
		run_with_relay(c, n, &relay, ret);
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
