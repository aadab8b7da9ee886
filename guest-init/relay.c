/* SPDX-License-Identifier: MIT */
/* PID 1's relay: program pipes to and from the virtio-serial ports, every byte counted. */
#include "relay.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "exit_status.h"

#define RELAY_CHUNK 65536
/* After the program ended: what background writers add is taken up to this much more. */
#define DRAIN_MAX (16 << 20)

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd); /* a pipe end or port: nothing to flush */
	*fd = -1;
}

int relay_open(struct relay *r, struct ports *p)
{
	*r = (struct relay){.ports = p};
	for (int i = 0; i < RELAY_STREAMS; i++)
		r->s[i].from = r->s[i].to = r->child[i] = -1;
	int fds[RELAY_STREAMS][2];
	for (int i = 0; i < RELAY_STREAMS; i++) {
		if (pipe2(fds[i], O_CLOEXEC) < 0)
			return -errno;
		r->s[i].buf = malloc(RELAY_CHUNK);
		if (!r->s[i].buf)
			return -ENOMEM;
	}
	/* stdin: port → pipe; the program reads fds[0][0]. stdout, stderr: pipe → port. */
	r->s[RELAY_STDIN] = (struct relay_stream_state){p->in, fds[0][1], r->s[0].buf, 0, 0, false};
	r->child[RELAY_STDIN] = fds[0][0];
	r->s[RELAY_STDOUT].from = fds[1][0], r->s[RELAY_STDOUT].to = p->out;
	r->child[RELAY_STDOUT] = fds[1][1];
	r->s[RELAY_STDERR].from = fds[2][0], r->s[RELAY_STDERR].to = p->err;
	r->child[RELAY_STDERR] = fds[2][1];
	/* Bigger pipes: fewer wake-ups of PID 1 per MiB under TCG (a failure only costs time). */
	(void)fcntl(fds[1][1], F_SETPIPE_SZ, 1 << 20);
	(void)fcntl(fds[2][1], F_SETPIPE_SZ, 1 << 20);
	for (int i = 0; i < RELAY_STREAMS; i++) {
		int k = set_nonblock(r->s[i].from);
		if (k >= 0)
			k = set_nonblock(r->s[i].to);
		if (k < 0)
			return k;
	}
	return 0;
}

void relay_close_child_ends(struct relay *r)
{
	for (int i = 0; i < RELAY_STREAMS; i++)
		close_fd(&r->child[i]);
}

static void count(struct relay *r, int which, size_t n)
{
	if (which == RELAY_STDOUT)
		r->ports->sent_out += n;
	else if (which == RELAY_STDERR)
		r->ports->sent_err += n;
}

/* Move what is buffered to "to"; 1 when it all went, 0 when "to" is full, -1 broken. */
static int flush(struct relay *r, int which)
{
	struct relay_stream_state *s = &r->s[which];
	while (s->done < s->len) {
		ssize_t n = write(s->to, s->buf + s->done, s->len - s->done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			s->len = s->done = 0; /* the reader is gone: drop, keep the program going */
			return -1;
		}
		count(r, which, (size_t)n);
		s->done += (size_t)n;
	}
	s->len = s->done = 0;
	return 1;
}

/* Read the next chunk; false at EOF or error (then "from" is closed). */
static bool fill(struct relay_stream_state *s)
{
	ssize_t n = read(s->from, s->buf, RELAY_CHUNK);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close_fd(&s->from);
		s->eof = true;
		return false;
	}
	s->len = (size_t)n;
	s->done = 0;
	return true;
}

static void wait_writable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	(void)poll(&pfd, 1, -1); /* the host's -t ends a run whose reader never reads */
}

/* Blocking flush for the end: the program is gone, nothing else needs PID 1. */
static void flush_all(struct relay *r, int which)
{
	while (r->s[which].len > r->s[which].done && flush(r, which) == 0)
		wait_writable(r->s[which].to);
}

void relay_write(struct relay *r, enum relay_stream which, const void *data, size_t len)
{
	struct relay_stream_state *s = &r->s[which];
	flush_all(r, which);
	for (const char *p = data; len > 0;) {
		size_t n = len < RELAY_CHUNK ? len : RELAY_CHUNK;
		memcpy(s->buf, p, n);
		s->len = n;
		s->done = 0;
		flush_all(r, which);
		p += n;
		len -= n;
	}
}

/* After pid ended: what it (and its children) left in the pipes, bounded. */
static void drain(struct relay *r)
{
	for (int which = RELAY_STDOUT; which <= RELAY_STDERR; which++) {
		struct relay_stream_state *s = &r->s[which];
		size_t taken = 0;
		flush_all(r, which);
		while (s->from >= 0 && taken < DRAIN_MAX) {
			ssize_t n = read(s->from, s->buf, RELAY_CHUNK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break; /* EAGAIN: nothing more for now; 0: every writer is gone */
			s->len = (size_t)n;
			s->done = 0;
			taken += (size_t)n;
			flush_all(r, which);
		}
	}
	/*
	 * stdin stays open: after a guest hook the program reads it yet (closed here, a program
	 * after a hook read the 64 KiB the pipe held and then EOF). relay_free closes it.
	 */
}

/* pid's status, reaping orphans on the way; 1 when pid ended. */
static int reap(pid_t pid, int *ret_code)
{
	int status;
	pid_t got;
	while ((got = waitpid(-1, &status, WNOHANG)) > 0) {
		if (got != pid)
			continue;
		*ret_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		return 1;
	}
	if (got < 0 && errno == ECHILD) {
		*ret_code = EXIT_QUIZ_FAILED; /* pid is no child of ours */
		return 1;
	}
	return 0;
}

static int add_stream(struct relay *r, int which, struct pollfd *pfd, int *who, int n)
{
	struct relay_stream_state *s = &r->s[which];
	if (s->len > s->done && s->to >= 0)
		pfd[n] = (struct pollfd){.fd = s->to, .events = POLLOUT};
	else if (!s->eof && s->from >= 0)
		pfd[n] = (struct pollfd){.fd = s->from, .events = POLLIN};
	else
		return n;
	who[n] = which;
	return n + 1;
}

static void on_stream(struct relay *r, int which)
{
	struct relay_stream_state *s = &r->s[which];
	if (s->len > s->done) {
		if (flush(r, which) < 0 && which == RELAY_STDIN)
			s->eof = true; /* the program closed its stdin: stop reading the port */
		return;
	}
	if (fill(s) || which != RELAY_STDIN)
		return;
	close_fd(&s->to); /* the host's stdin ended: the program sees EOF once it read the rest */
}

int relay_wait(struct relay *r, pid_t pid, int tty)
{
	_cleanup_close_ int done = (int)syscall(SYS_pidfd_open, pid, 0);
	int code = EXIT_QUIZ_FAILED;
	bool host = true;
	for (;;) {
		if (reap(pid, &code))
			break;
		struct pollfd pfd[RELAY_STREAMS + 3];
		int who[RELAY_STREAMS + 3], n = 0;
		for (int i = 0; i < RELAY_STREAMS; i++)
			n = add_stream(r, i, pfd, who, n);
		if (done >= 0)
			pfd[n] = (struct pollfd){.fd = done, .events = POLLIN}, who[n++] = -1;
		if (r->attach && r->attach->sigio >= 0)
			pfd[n] = (struct pollfd){.fd = r->attach->sigio, .events = POLLIN},
			who[n++] = -3;
		/* The host's lines: winsize (tmux mode), sysrq (a run past its timeout). */
		if (host && r->ports->status >= 0)
			pfd[n] = (struct pollfd){.fd = r->ports->status, .events = POLLIN},
			who[n++] = -2;
		/* Without a pidfd, wake now and then to reap. */
		if (poll(pfd, (nfds_t)n, done >= 0 ? -1 : 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (who[i] >= 0)
				on_stream(r, who[i]);
			else if (who[i] == -2 && ports_read_host(r->ports, tty) < 0)
				host = false; /* the host hung up: nothing more to follow */
			else if (who[i] == -3)
				attach_watch_check(r->attach); /* quiz --attach came */
		}
	}
	drain(r);
	return code;
}

void relay_free(struct relay *r)
{
	relay_close_child_ends(r);
	for (int i = 0; i < RELAY_STREAMS; i++) {
		/* The port fds belong to struct ports; only the pipe ends are ours. */
		if (i == RELAY_STDIN)
			close_fd(&r->s[i].to);
		else
			close_fd(&r->s[i].from);
		free(r->s[i].buf);
		r->s[i].buf = NULL;
	}
}
