/* SPDX-License-Identifier: MIT */
/*
 * quiz --ps and quiz --attach: this user's running runs, and a session in one of them through
 * its attach port (QEMU listens on the run folder's attach.sock; the guest's agent answers).
 * The guest's bytes are the command's output, passed on raw as quiz passes on a program's; the
 * frames around them are checked, and a malformed one ends the session.
 */
#include "attach_host.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "attach_frame.h"
#include "exit_status.h"
#include "file.h"
#include "log.h"
#include "qemu_argv.h"
#include "run_info_host.h"

/* Why a session whose socket closed or failed has no status. */
#define SESSION_ENDED                                                                              \
	"the session ended without the command's status (the run ended, or its agent failed)"

/* What the host's stdin may queue for the guest before quiz stops reading it. */
#define STDIN_HIGH (256 * 1024)

int attach_ps(const char *home)
{
	struct live_run *runs = NULL;
	size_t n = 0;
	int r = live_runs_find(home, &runs, &n);
	if (r < 0) {
		log_error("--ps: cannot read %s/runs: %s", home, strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	_cleanup_buf_ struct buf out = {0};
	r = buf_printf(&out, "%-8s %-8s %-19s %-8s %-14s %s\n", "RUN", "PID", "STARTED", "ARCH",
		       "KERNEL", "COMMAND");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct run_info *info = &runs[i].info;
		char started[32] = "?";
		struct tm tm;
		time_t t = (time_t)info->started;
		if (localtime_r(&t, &tm))
			(void)strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S", &tm);
		_cleanup_buf_ struct buf name = {0}, arch = {0}, kernel = {0}, command = {0};
		r = run_info_escape(runs[i].name, &name);
		if (r >= 0)
			r = run_info_escape(info->arch, &arch);
		if (r >= 0)
			r = run_info_escape(info->kernel, &kernel);
		if (r >= 0)
			r = run_info_escape(info->command[0] ? info->command : "(a shell)",
					    &command);
		if (r >= 0)
			r = buf_printf(&out, "%-8s %-8lld %-19s %-8s %-14s %s\n", name.data,
				       info->pid, started, arch.data, kernel.data, command.data);
	}
	live_runs_free(runs, n);
	if (r < 0) {
		log_error("--ps: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	fputs(out.data, stdout);
	return 0;
}

/* RUN when given (a suffix, run.SUFFIX, or a run folder's path), else the only live run. */
static int find_run(const char *home, const char *run, char **ret_path, char **ret_shown)
{
	if (run && strchr(run, '/')) {
		*ret_path = strdup(run);
		*ret_shown = strdup(run);
	} else if (run) {
		const char *suffix = strncmp(run, "run.", 4) == 0 ? run + 4 : run;
		if (!suffix[0] || STREQ(suffix, ".") || STREQ(suffix, "..")) {
			log_error("--attach %s: not a run; quiz --ps lists the running ones", run);
			return -EINVAL;
		}
		if (asprintf(ret_path, "%s/runs/run.%s", home, suffix) < 0)
			return -ENOMEM;
		*ret_shown = strdup(suffix);
	} else {
		struct live_run *runs = NULL;
		size_t n = 0;
		int r = live_runs_find(home, &runs, &n);
		if (r < 0) {
			log_error("--attach: cannot read %s/runs: %s", home, strerror(-r));
			return r;
		}
		_cleanup_buf_ struct buf names = {0};
		for (size_t i = 0; r >= 0 && i < n; i++)
			r = buf_printf(&names, "%s%s", i ? ", " : "", runs[i].name);
		if (n == 1 && r >= 0 &&
		    asprintf(ret_path, "%s/runs/run.%s", home, runs[0].name) < 0)
			r = -ENOMEM;
		if (n == 1 && r >= 0)
			*ret_shown = strdup(runs[0].name);
		live_runs_free(runs, n);
		if (r < 0)
			return r;
		if (n == 0)
			log_error("--attach: no run of yours is running (quiz --ps lists them)");
		else if (n > 1)
			log_error(
				"--attach: %zu runs are running (%s); name one: quiz --attach RUN",
				n, names.data);
		if (n != 1)
			return -ESRCH;
	}
	return *ret_path && *ret_shown ? 0 : -ENOMEM;
}

/* A run that is starting has no socket yet: QEMU makes it at its start. */
#define CONNECT_WAIT_MS 10000

/* The run's attach.sock, connected into *ret_sock; 0 or an errno. */
static int connect_port(int dir, int *ret_sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	/* Through /proc/self/fd the path stays short whatever the run folder's length. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" SOCKET_ATTACH, dir);
	for (int waited = 0;; waited += 50) {
		_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (sock < 0)
			return errno;
		if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			*ret_sock = TAKE_FD(sock);
			return 0;
		}
		int e = errno;
		if ((e != ENOENT && e != ECONNREFUSED) || waited >= CONNECT_WAIT_MS ||
		    !run_dir_is_live(dir))
			return e;
		(void)nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
	}
}

/* Its folder or its socket refused us: another user's run (both are theirs alone). */
static void not_yours(const char *shown, int e)
{
	log_error("--attach: run %s is not yours (%s); attach as the user who started it", shown,
		  strerror(e));
}

/* The run's folder, alive, locked for this session, and its port connected. */
static int open_session(const char *path, const char *shown, int *ret_lock, int *ret_sock)
{
	_cleanup_close_ int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0 && (errno == EACCES || errno == EPERM)) {
		not_yours(shown, errno);
		return -EACCES;
	}
	if (dir < 0 || !run_dir_is_live(dir)) {
		log_error("--attach: no run %s is running; quiz --ps lists the running ones",
			  shown);
		return -ESRCH;
	}
	_cleanup_close_ int lock =
		openat(dir, RUN_ATTACH_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		if (lock >= 0 && errno == EWOULDBLOCK)
			log_error("run %s has an attached session already", shown);
		else
			log_error("--attach: run %s: cannot lock %s: %s", shown, RUN_ATTACH_LOCK,
				  strerror(errno));
		return lock >= 0 && errno == EWOULDBLOCK ? -EBUSY : -errno;
	}
	_cleanup_close_ int sock = -1;
	int e = connect_port(dir, &sock);
	if (e == EACCES || e == EPERM)
		not_yours(shown, e);
	else if (e)
		log_error("--attach: run %s has no attach port to connect to (%s): a run with "
			  "QUIZ_NO_ATTACH=1, or one that is ending",
			  shown, strerror(e));
	if (e)
		return -e;
	if (fcntl(sock, F_SETFL, O_NONBLOCK) < 0) {
		log_error("--attach: run %s: %s", shown, strerror(errno));
		return -errno;
	}
	*ret_lock = TAKE_FD(lock);
	*ret_sock = TAKE_FD(sock);
	return 0;
}

struct attach {
	const char *shown;
	int sock;
	bool tty;
	struct buf out;	 /* frames for the guest */
	size_t out_done; /* of them, sent */
	unsigned char in[ATTACH_HEADER_SIZE + ATTACH_FRAME_MAX];
	size_t in_len;	   /* of the guest's bytes, not parsed yet */
	bool stdin_open;   /* quiz still reads its stdin */
	int status;	   /* the command's, once its ATTACH_EXIT came; else -1 */
	const char *error; /* why the session ended without a status */
	int stop_signal;   /* a signal that stopped quiz */
};

static int request(struct attach *a, char *const *command)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && command[i]; i++) {
		size_t len = strlen(command[i]);
		if (len > ATTACH_FRAME_MAX) {
			log_error("--attach: a word of the command is longer than %d bytes",
				  ATTACH_FRAME_MAX);
			return -E2BIG;
		}
		r = attach_frame_append(&a->out, ATTACH_ARG, command[i], len);
	}
	struct winsize ws = {0};
	const char *term = getenv("TERM");
	if (r >= 0 && a->tty)
		r = attach_frame_append(&a->out, ATTACH_TTY, term ? term : "",
					term ? strlen(term) : 0);
	if (r >= 0 && a->tty && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		r = attach_winsize_append(&a->out, ws.ws_row, ws.ws_col);
	if (r >= 0)
		r = attach_frame_append(&a->out, ATTACH_START, NULL, 0);
	if (r < 0)
		log_error("--attach: %s", strerror(-r));
	return r;
}

/* One of the guest's frames: output to quiz's own stdout or stderr, or the status. */
static void on_frame(struct attach *a, const struct attach_frame *f)
{
	int fd = f->type == ATTACH_STDOUT ? 1 : f->type == ATTACH_STDERR ? 2 : -1;
	if (fd >= 0 && write_all(fd, f->data, f->len) < 0) {
		a->stop_signal = SIGPIPE; /* quiz's reader is gone: like a pipeline's command */
		return;
	}
	if (fd >= 0)
		return;
	if (f->type == ATTACH_EXIT)
		a->status = f->data[0];
	else
		a->error = "the guest sent a frame of the wrong kind";
}

static void read_guest(struct attach *a)
{
	ssize_t n = read(a->sock, a->in + a->in_len, sizeof(a->in) - a->in_len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		a->error = SESSION_ENDED;
		return;
	}
	a->in_len += (size_t)n;
	size_t at = 0;
	while (a->status < 0 && !a->error && !a->stop_signal) {
		struct attach_frame f;
		ssize_t k = attach_frame_parse(a->in + at, a->in_len - at, &f);
		if (k == 0)
			break;
		if (k < 0) {
			a->error = "the guest sent a malformed frame";
			break;
		}
		on_frame(a, &f);
		at += (size_t)k;
	}
	memmove(a->in, a->in + at, a->in_len - at);
	a->in_len -= at;
}

static void read_stdin(struct attach *a)
{
	unsigned char chunk[32768];
	ssize_t n = read(0, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	int r = n > 0 ? attach_frame_append(&a->out, ATTACH_STDIN, chunk, (size_t)n)
		      : attach_frame_append(&a->out, ATTACH_EOF, NULL, 0);
	if (n <= 0)
		a->stdin_open = false; /* an error ends it as EOF does */
	if (r < 0)
		a->error = "out of memory";
}

static void write_guest(struct attach *a)
{
	ssize_t n = write(a->sock, a->out.data + a->out_done, a->out.len - a->out_done);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		a->error = SESSION_ENDED;
		return;
	}
	a->out_done += (size_t)n;
	if (a->out_done == a->out.len)
		a->out.len = a->out_done = 0;
}

static void on_signal(struct attach *a, int sigfd)
{
	struct signalfd_siginfo si;
	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	struct winsize ws;
	if (si.ssi_signo != SIGWINCH)
		a->stop_signal = (int)si.ssi_signo;
	else if (a->tty && ioctl(1, TIOCGWINSZ, &ws) == 0 &&
		 attach_winsize_append(&a->out, ws.ws_row, ws.ws_col) < 0)
		a->error = "out of memory";
}

static void relay(struct attach *a, int sigfd)
{
	while (a->status < 0 && !a->error && !a->stop_signal) {
		struct pollfd pfd[3] = {
			{.fd = sigfd, .events = POLLIN},
			{.fd = a->sock,
			 .events = (short)(POLLIN | (a->out.len > a->out_done ? POLLOUT : 0))},
			{.fd = a->stdin_open && a->out.len < STDIN_HIGH ? 0 : -1, .events = POLLIN},
		};
		if (poll(pfd, 3, -1) < 0 && errno != EINTR) {
			a->error = strerror(errno);
			break;
		}
		if (pfd[0].revents)
			on_signal(a, sigfd);
		if (pfd[1].revents & POLLOUT)
			write_guest(a);
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_guest(a);
		if (pfd[2].revents)
			read_stdin(a);
	}
}

/* The session, with the terminal raw (restored on every way out) and signals as events. */
static int session(struct attach *a, char *const *command)
{
	static const int signals[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	sigset_t set, old;
	sigemptyset(&set);
	for (size_t i = 0; i < ELEMENTSOF(signals); i++)
		sigaddset(&set, signals[i]);
	if (request(a, command) < 0)
		return EXIT_QUIZ_FAILED;
	(void)sigprocmask(SIG_BLOCK, &set, &old);
	_cleanup_close_ int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	struct termios saved;
	bool raw = a->tty && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		raw = tcsetattr(0, TCSAFLUSH, &t) == 0;
	}
	if (sigfd < 0)
		a->error = strerror(errno);
	else
		relay(a, sigfd);
	if (raw)
		(void)tcsetattr(0, TCSAFLUSH, &saved);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (a->stop_signal)
		return EXIT_SIGNALED +
		       a->stop_signal; /* the guest ends the command on the hang-up */
	if (a->status >= 0)
		return a->status;
	log_error("--attach: run %s: %s", a->shown, a->error);
	return EXIT_QUIZ_FAILED;
}

int attach_run(const char *home, const char *run, char *const *command)
{
	_cleanup_free_ char *path = NULL, *shown = NULL;
	_cleanup_close_ int lock = -1, sock = -1;
	int r = find_run(home, run, &path, &shown);
	if (r >= 0)
		r = open_session(path, shown, &lock, &sock);
	if (r < 0)
		return r == -EBUSY ? EXIT_ATTACH_BUSY : EXIT_QUIZ_FAILED;
	struct attach a = {.shown = shown,
			   .sock = sock,
			   .tty = isatty(0) && isatty(1),
			   .stdin_open = true,
			   .status = -1};
	r = session(&a, command);
	buf_free(&a.out);
	return r;
}
