/* SPDX-License-Identifier: MIT */
/*
 * The attach agent: quiz --attach's sessions in a running guest. PID 1 watches the attach port
 * (SIGIO, in its relay's poll) and forks the agent when a host first connects, so a run nobody
 * attaches to pays for one open port; the agent then runs one request at a time (a command, or a
 * login shell) in the program's root, environment and directory, relays its bytes as frames
 * (attach_frame.h) and sends its exit status. Nothing it does reaches the program, its output or
 * its status: its errors go to the kernel log only.
 */
#include "attach.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach_frame.h"
#include "exit_status.h"
#include "ports.h"
#include "run.h"
#include "run_plan.h"

/* Output read but not yet taken by the host, past which the command's output waits. */
#define OUT_HIGH (256 * 1024)
/* After the command ended: its background children's output is taken while it keeps coming. */
#define QUIET_MS 100
/* After the status: how long the host has to hang up before the port is opened afresh. */
#define HANGUP_WAIT_MS 10000

enum { OUT_STDOUT, OUT_STDERR, N_OUTPUTS };

struct session {
	int port; /* the attach port, non-blocking */
	unsigned char in[ATTACH_HEADER_SIZE + ATTACH_FRAME_MAX];
	size_t in_len;		  /* bytes of in not parsed yet */
	struct buf out;		  /* frames for the host */
	size_t out_done;	  /* of them, written */
	struct buf to_child;	  /* stdin bytes the command has not read yet */
	struct strv argv;	  /* the request: the command; empty: a login shell */
	char *term;		  /* ATTACH_TTY's: a pty, TERM set to this */
	unsigned rows, cols;	  /* ATTACH_WINSIZE's */
	size_t request_bytes;	  /* the argv's, with a NUL each */
	bool started, stdin_eof;  /* ATTACH_START and ATTACH_EOF came */
	pid_t pid;		  /* the command, the leader of its own session */
	int pidfd;		  /* readable once it ended */
	int input;		  /* its stdin's pipe, or the pty's master */
	int output[N_OUTPUTS];	  /* its stdout and stderr pipes, or the master (stdout) */
	int status;		  /* its exit status, -1 while it runs */
	long long quiet_since_ms; /* after it ended: when its output last came */
	bool hung_up, malformed;  /* the host hung up, or sent what is not a frame */
};

static long long mono_ms(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static void session_free(struct session *s)
{
	close_fd(&s->input);
	for (int i = 0; i < N_OUTPUTS; i++)
		close_fd(&s->output[i]);
	close_fd(&s->pidfd);
	buf_free(&s->out);
	buf_free(&s->to_child);
	strv_free(&s->argv);
	free(s->term);
}

/* A frame of the request (before ATTACH_START) or of the session; false: not one that fits. */
static bool on_frame(struct session *s, const struct attach_frame *f)
{
	if (f->type == ATTACH_WINSIZE) {
		attach_winsize_decode(f, &s->rows, &s->cols);
		struct winsize ws = {.ws_row = (unsigned short)s->rows,
				     .ws_col = (unsigned short)s->cols};
		if (s->started && s->term && s->input >= 0)
			(void)ioctl(s->input, TIOCSWINSZ, &ws); /* a wrong size is cosmetic */
		return true;
	}
	if (s->started) {
		if (f->type == ATTACH_STDIN && !s->stdin_eof)
			return buf_append(&s->to_child, f->data, f->len) >= 0;
		if (f->type == ATTACH_EOF)
			return (s->stdin_eof = true);
		return false;
	}
	switch (f->type) {
	case ATTACH_ARG:
		s->request_bytes += f->len + 1;
		if (s->argv.len >= ATTACH_ARGS_MAX || s->request_bytes > ATTACH_REQUEST_MAX ||
		    memchr(f->data, '\0', f->len))
			return false;
		return strv_pushf(&s->argv, "%.*s", (int)f->len, (const char *)f->data) >= 0;
	case ATTACH_TTY:
		if (s->term || memchr(f->data, '\0', f->len))
			return false;
		s->term = strndup((const char *)f->data, f->len);
		return s->term != NULL;
	case ATTACH_START: return (s->started = true);
	default: return false;
	}
}

/* What the port has: each whole frame acted on, the rest kept. */
static void read_port(struct session *s)
{
	ssize_t n = read(s->port, s->in + s->in_len, sizeof(s->in) - s->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		s->hung_up = true; /* 0: the host is gone, the port has nothing left */
		return;
	}
	s->in_len += (size_t)n;
	size_t at = 0;
	for (;;) {
		struct attach_frame f;
		ssize_t k = attach_frame_parse(s->in + at, s->in_len - at, &f);
		if (k == 0)
			break;
		if (k < 0 || !on_frame(s, &f)) {
			s->malformed = true;
			return;
		}
		at += (size_t)k;
	}
	memmove(s->in, s->in + at, s->in_len - at);
	s->in_len -= at;
}

/* What is queued for the host, written as far as the port takes it; 1 when all went. */
static int write_port(struct session *s)
{
	while (s->out_done < s->out.len) {
		ssize_t n = write(s->port, s->out.data + s->out_done, s->out.len - s->out_done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			s->hung_up = true;
			return 0;
		}
		s->out_done += (size_t)n;
	}
	s->out.len = s->out_done = 0;
	return 1;
}

/* The environment, with the host's TERM under a pty. */
static int session_env(const struct session *s, char *const *base, struct strv *ret)
{
	int r = 0;
	for (char *const *e = base; r >= 0 && *e; e++)
		if (!s->term || strncmp(*e, "TERM=", 5) != 0)
			r = strv_push(ret, *e);
	if (r >= 0 && s->term)
		r = strv_pushf(ret, "TERM=%s", s->term[0] ? s->term : "dumb");
	return r;
}

/* In the command's child: its own session, the terminal or pipes as stdio, then exec. */
_noreturn_ static void child_exec(struct session *s, const char *pty, int pipes[3][2], char **env,
				  const char *cwd)
{
	sigset_t none;
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL); /* the agent blocks SIGIO */
	for (int sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL); /* nothing PID 1 ignores is ignored here */
	(void)setsid();
	if (pty) {
		int fd = open(pty, O_RDWR); /* the session leader's first terminal: its own */
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
			_exit(EXIT_QUIZ_FAILED);
		for (int i = 0; i < 3; i++)
			(void)dup2(fd, i);
	} else {
		(void)dup2(pipes[0][0], 0);
		(void)dup2(pipes[1][1], 1);
		(void)dup2(pipes[2][1], 2);
	}
	if (chdir(cwd) < 0)
		fprintf(stderr, "quiz: cannot enter %s: %s\n", cwd, strerror(errno));
	environ = env;
	if (s->argv.len)
		_exit(run_exec((int)s->argv.len, s->argv.items));
	execl(RUN_SHELL, RUN_SHELL, "-l", (char *)NULL);
	execl("/bin/sh", "/bin/sh", "-l", (char *)NULL);
	_exit(run_exec(1, (char *[]){"/bin/sh", NULL}));
}

static int open_pty(struct session *s, char *name, size_t size)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	struct winsize ws = {.ws_row = (unsigned short)(s->rows ? s->rows : 24),
			     .ws_col = (unsigned short)(s->cols ? s->cols : 80)};
	if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, size) != 0 ||
	    ioctl(master, TIOCSWINSZ, &ws) < 0) {
		int r = -errno;
		(void)close(master);
		return r;
	}
	return master;
}

static int spawn(struct session *s, char **env, const char *cwd)
{
	int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	char pty[64] = "";
	int master = -1, r = 0;
	if (s->term && (master = open_pty(s, pty, sizeof(pty))) < 0)
		r = master;
	for (int i = 0; !s->term && r >= 0 && i < 3; i++)
		if (pipe2(pipes[i], O_CLOEXEC) < 0)
			r = -errno;
	pid_t pid = r < 0 ? -1 : fork();
	if (pid == 0)
		child_exec(s, s->term ? pty : NULL, pipes, env, cwd);
	if (pid < 0 && r >= 0)
		r = -errno;
	if (pid > 0) {
		s->pid = pid;
		s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		s->input = s->term ? master : pipes[0][1];
		s->output[OUT_STDOUT] = s->term ? fcntl(master, F_DUPFD_CLOEXEC, 3) : pipes[1][0];
		s->output[OUT_STDERR] = s->term ? -1 : pipes[2][0];
		pipes[0][1] = pipes[1][0] = pipes[2][0] = master = -1; /* the session's now */
		for (int i = 0; i < N_OUTPUTS; i++)
			if (s->output[i] >= 0)
				(void)fcntl(s->output[i], F_SETFL, O_NONBLOCK);
		(void)fcntl(s->input, F_SETFL, O_NONBLOCK);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			close_fd(&pipes[i][j]);
	close_fd(&master);
	return r;
}

static void reap(struct session *s)
{
	int st;
	if (s->status >= 0 || waitpid(s->pid, &st, WNOHANG) != s->pid)
		return;
	s->status = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_SIGNALED + WTERMSIG(st);
	s->quiet_since_ms = mono_ms();
}

static void on_output(struct session *s, int i)
{
	static unsigned char chunk[ATTACH_FRAME_MAX];
	ssize_t n = read(s->output[i], chunk, sizeof(chunk));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* EOF, or EIO: a pty whose every slave closed */
		close_fd(&s->output[i]);
		return;
	}
	if (attach_frame_append(&s->out, i == OUT_STDOUT ? ATTACH_STDOUT : ATTACH_STDERR, chunk,
				(size_t)n) < 0)
		s->malformed = true; /* out of memory: the session cannot go on */
	s->quiet_since_ms = mono_ms();
}

static void on_input(struct session *s)
{
	ssize_t n = write(s->input, s->to_child.data, s->to_child.len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		s->to_child.len = 0; /* it closed its stdin: what it did not read is dropped */
		s->stdin_eof = true;
	} else {
		memmove(s->to_child.data, s->to_child.data + n, s->to_child.len - (size_t)n);
		s->to_child.len -= (size_t)n;
	}
}

/* The command's output is all there: both streams ended, or quiet a while after it ended. */
static bool outputs_done(const struct session *s)
{
	if (s->status < 0)
		return false;
	return (s->output[0] < 0 && s->output[1] < 0) || mono_ms() - s->quiet_since_ms >= QUIET_MS;
}

static int add_poll(struct pollfd *pfd, int *who, int n, int fd, short events, int what)
{
	pfd[n] = (struct pollfd){.fd = fd, .events = events};
	who[n] = what;
	return n + 1;
}

enum { WHO_PORT = -1, WHO_INPUT = -2, WHO_DONE = -3 };

/* Bytes both ways until the command ended and its output went, or the host left. */
static void relay(struct session *s)
{
	while (!s->hung_up && !s->malformed && !outputs_done(s)) {
		struct pollfd pfd[5];
		int who[5], n = 0;
		bool backlog = s->out.len - s->out_done >= OUT_HIGH;
		short port = (s->to_child.len < OUT_HIGH ? POLLIN : 0) |
			     (s->out.len > s->out_done ? POLLOUT : 0);
		n = add_poll(pfd, who, n, s->port, port, WHO_PORT); /* POLLHUP comes anyway */
		if (s->to_child.len && s->input >= 0)
			n = add_poll(pfd, who, n, s->input, POLLOUT, WHO_INPUT);
		for (int i = 0; i < N_OUTPUTS; i++)
			if (s->output[i] >= 0 && !backlog)
				n = add_poll(pfd, who, n, s->output[i], POLLIN, i);
		if (s->status < 0 && s->pidfd >= 0)
			n = add_poll(pfd, who, n, s->pidfd, POLLIN, WHO_DONE);
		int timeout = s->status >= 0 ? QUIET_MS : s->pidfd < 0 ? 100 : -1;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (who[i] == WHO_PORT && (pfd[i].revents & (POLLHUP | POLLERR)))
				s->hung_up = true;
			else if (who[i] == WHO_PORT && (pfd[i].revents & POLLOUT))
				(void)write_port(s);
			if (who[i] == WHO_PORT && (pfd[i].revents & POLLIN))
				read_port(s);
			else if (who[i] == WHO_INPUT && pfd[i].revents)
				on_input(s);
			else if (who[i] >= 0 && pfd[i].revents)
				on_output(s, who[i]);
		}
		reap(s);
		if (s->stdin_eof && !s->to_child.len && !s->term)
			close_fd(&s->input); /* the host's stdin ended: the command's too */
	}
}

/* The host left mid-command: the command's session is hung up, then killed. */
static void end_command(struct session *s)
{
	if (s->pid <= 0 || s->status >= 0)
		return;
	(void)kill(-s->pid, SIGHUP);
	close_fd(&s->input);
	for (int i = 0; i < N_OUTPUTS; i++)
		close_fd(&s->output[i]);
	struct pollfd pfd = {.fd = s->pidfd, .events = POLLIN};
	if (s->pidfd < 0 || poll(&pfd, 1, 1000) <= 0)
		(void)kill(-s->pid, SIGKILL);
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The status, then the host's hang-up (bounded): the port then holds nothing of this session. */
static void finish(struct session *s)
{
	unsigned char code = (unsigned char)s->status;
	if (attach_frame_append(&s->out, ATTACH_EXIT, &code, 1) < 0)
		return;
	long long deadline = mono_ms() + HANGUP_WAIT_MS;
	while (!s->hung_up && mono_ms() < deadline) {
		bool pending = s->out.len > s->out_done;
		struct pollfd pfd = {.fd = s->port, .events = pending ? POLLOUT : POLLIN};
		if (poll(&pfd, 1, (int)(deadline - mono_ms())) <= 0)
			break;
		if (pfd.revents & (POLLHUP | POLLERR))
			break;
		if (pfd.revents & POLLOUT)
			(void)write_port(s);
		if (pfd.revents & POLLIN) {
			unsigned char drop[256];
			(void)!read(s->port, drop,
				    sizeof(drop)); /* the host has nothing more to say */
		}
	}
}

static void serve(int port, char *const *base_env, const char *cwd)
{
	struct session s = {.port = port, .pid = -1, .pidfd = -1, .input = -1, .status = -1};
	s.output[0] = s.output[1] = -1;
	while (!s.started && !s.hung_up && !s.malformed) {
		struct pollfd pfd = {.fd = port, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		if (pfd.revents & (POLLHUP | POLLERR))
			s.hung_up = true;
		else if (pfd.revents & POLLIN)
			read_port(&s);
	}
	_cleanup_strv_ struct strv env = {0};
	int r = s.started ? session_env(&s, base_env, &env) : 0;
	if (r >= 0 && s.started)
		r = spawn(&s, env.items, cwd);
	if (r < 0) {
		log_err("attach: cannot start the session's command: %s", strerror(-r));
		s.status = EXIT_QUIZ_FAILED;
	}
	if (s.started && r >= 0)
		relay(&s);
	if (s.malformed)
		log_err("attach: the host sent what is not a frame; the session ends");
	if (s.hung_up || s.malformed)
		end_command(&s);
	else if (s.started)
		finish(&s);
	session_free(&s);
}

/* The port says POLLHUP while no host is connected. */
static bool host_connected(int port)
{
	struct pollfd pfd = {.fd = port, .events = POLLIN};
	return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

/* Blocked until the host connects: SIGIO comes on each change of the port. */
static void wait_for_host(int port, int sigio)
{
	while (!host_connected(port)) {
		struct signalfd_siginfo si;
		if (read(sigio, &si, sizeof(si)) < 0 && errno != EINTR)
			return; /* no signal to wait for: serve would fail at once, and log it */
	}
}

/* The port, non-blocking, with SIGIO to this process on the host's comings and goings. */
static int arm_port(void)
{
	int port = port_open(PORT_ATTACH, O_RDWR | O_NONBLOCK);
	if (port < 0)
		return -1; /* port_open logged it */
	if (fcntl(port, F_SETOWN, getpid()) < 0 ||
	    fcntl(port, F_SETFL, O_RDWR | O_NONBLOCK | O_ASYNC) < 0) {
		log_err("attach: cannot wait for the host on the port: %s", strerror(errno));
		(void)close(port);
		return -1;
	}
	return port;
}

/* Serves the session whose host is on port, then each later one; SIGIO is blocked already. */
_noreturn_ static void agent_main(const struct run_settings *settings, int port)
{
	_cleanup_strv_ struct strv env = {0};
	const char *cwd = settings->cwd ? settings->cwd : "/root";
	sigset_t io;
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	int sigio = signalfd(-1, &io, SFD_CLOEXEC);
	if (run_plan_env(settings, &env) < 0 || sigio < 0) {
		log_err("attach: cannot prepare the agent: %s", strerror(errno));
		_exit(0);
	}
	if (fcntl(port, F_SETOWN, getpid()) < 0) /* PID 1's SIGIO: this process's now */
		_exit(0);
	for (;;) {
		wait_for_host(port, sigio);
		serve(port, env.items, cwd);
		(void)close(port);
		/* Opened afresh for each session: the driver drops what an earlier one left. */
		port = arm_port();
		if (port < 0)
			_exit(0);
	}
}

void attach_watch_start(struct attach_watch *w, const struct run_settings *s,
			const struct ports *ports)
{
	*w = (struct attach_watch){.port = -1, .sigio = -1, .settings = s, .ports = ports};
	if (!s->attach)
		return;
	sigset_t io;
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	(void)sigprocmask(SIG_BLOCK, &io, NULL); /* attach_child_signals unblocks it in children */
	w->sigio = signalfd(-1, &io, SFD_CLOEXEC | SFD_NONBLOCK);
	w->port = w->sigio < 0 ? -1 : arm_port();
	if (w->sigio < 0)
		log_err("attach: cannot watch the port: %s", strerror(errno));
	if (w->port < 0)
		attach_watch_stop(w);
	else
		attach_watch_check(w); /* a host that came before the watch */
}

void attach_watch_check(struct attach_watch *w)
{
	struct signalfd_siginfo si;
	while (w->sigio >= 0 && read(w->sigio, &si, sizeof(si)) == sizeof(si))
		;
	if (w->port < 0 || !host_connected(w->port))
		return;
	pid_t pid = fork();
	if (pid < 0) {
		log_err("attach: cannot start the agent: %s", strerror(errno));
		return; /* the next SIGIO tries again */
	}
	if (pid == 0) {
		const int inherited[] = {w->ports->in, w->ports->out, w->ports->err,
					 w->ports->status, w->sigio};
		for (size_t i = 0; i < ELEMENTSOF(inherited); i++)
			if (inherited[i] >= 0)
				(void)close(inherited[i]); /* init2's, never the agent's */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int i = 0; null >= 0 && i < 3; i++)
			(void)dup2(null, i); /* nothing of the agent on the console */
		(void)setsid();
		(void)prctl(PR_SET_NAME, "quiz-attach");
		agent_main(w->settings, w->port);
	}
	attach_watch_stop(w); /* the agent has the port now */
}

void attach_watch_stop(struct attach_watch *w)
{
	if (w->port >= 0)
		(void)close(w->port);
	if (w->sigio >= 0)
		(void)close(w->sigio);
	w->port = w->sigio = -1;
}

void attach_child_signals(void)
{
	sigset_t io;
	sigemptyset(&io);
	sigaddset(&io, SIGIO);
	(void)sigprocmask(SIG_UNBLOCK, &io, NULL);
}
