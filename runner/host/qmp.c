/* SPDX-License-Identifier: MIT */
/* A synchronous QMP client over the socket QEMU connected to: one command at a time. */
#include "qmp.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long qmp_now_ms(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next line QEMU sent (without its newline) into *ret, waiting until deadline (or until
 * q's stop_fd or stop_at say to give up: -ECANCELED). */
static int read_line(struct qmp *q, long long deadline, char **ret)
{
	for (;;) {
		char *nl = q->in.data ? memchr(q->in.data, '\n', q->in.len) : NULL;
		if (nl) {
			size_t len = (size_t)(nl - q->in.data);
			*ret = strndup(q->in.data, len);
			memmove(q->in.data, nl + 1, q->in.len - len - 1);
			q->in.len -= len + 1;
			q->in.data[q->in.len] = '\0';
			return *ret ? 0 : -ENOMEM;
		}
		long long t = qmp_now_ms();
		if (q->stop_at && t >= q->stop_at)
			return -ECANCELED;
		long long left = deadline - t;
		if (left <= 0)
			return -ETIMEDOUT;
		if (q->stop_at && q->stop_at - t < left)
			left = q->stop_at - t;
		struct pollfd pfd[2] = {{.fd = q->fd, .events = POLLIN},
					{.fd = q->stop_fd, .events = POLLIN}};
		int ready = poll(pfd, q->stop_fd >= 0 ? 2 : 1,
				 left > INT32_MAX ? INT32_MAX : (int)left);
		if (ready < 0 && errno != EINTR)
			return -errno;
		if (ready > 0 && pfd[1].revents)
			return -ECANCELED; /* the signal stays pending: the caller reads it */
		if (ready <= 0 || !pfd[0].revents)
			continue;
		char chunk[4096];
		ssize_t n = read(q->fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 ? -ENOTCONN : -errno;
		int r = buf_append(&q->in, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

/* The "desc" of an error answer, unquoted (QEMU's descriptions need no unescaping to read). */
static char *error_desc(const char *line)
{
	const char *d = strstr(line, "\"desc\": \"");
	if (!d)
		return strdup(line);
	d += strlen("\"desc\": \"");
	return strndup(d, strcspn(d, "\""));
}

/* command's line, with fd (when >= 0) as SCM_RIGHTS: QEMU keeps it for the command's getfd. */
static int send_line(int sock, const char *command, int fd)
{
	_cleanup_buf_ struct buf out = {0};
	int r = buf_printf(&out, "%s\n", command);
	if (r < 0)
		return r;
	struct iovec iov = {.iov_base = out.data, .iov_len = out.len};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	while ((n = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)out.len ? 0 : n < 0 ? -errno : -EIO;
}

/* Send command (with fd, when >= 0), then skip events until its answer (the line into
 * *ret_answer, if asked). */
static int exchange(struct qmp *q, const char *command, int fd, long long deadline,
		    char **ret_error, char **ret_answer)
{
	int w = send_line(q->fd, command, fd);
	if (w < 0)
		return w;
	for (;;) {
		_cleanup_free_ char *line = NULL;
		int r = read_line(q, deadline, &line);
		if (r < 0)
			return r;
		if (strncmp(line, "{\"return\"", 9) == 0) {
			if (ret_answer)
				*ret_answer = TAKE_PTR(line);
			return 0;
		}
		if (strncmp(line, "{\"error\"", 8) == 0) {
			if (ret_error)
				*ret_error = error_desc(line);
			return -EIO;
		}
		/* {"event": ...} lines, and the greeting when it was not read yet: skipped. */
	}
}

static int ask(struct qmp *q, const char *command, int fd, int timeout_ms, char **ret_error,
	       char **ret_answer)
{
	if (q->fd < 0)
		return -ENOTCONN;
	long long deadline = qmp_now_ms() + timeout_ms;
	if (!q->ready) {
		int r = exchange(q, "{\"execute\": \"qmp_capabilities\"}", -1, deadline, ret_error,
				 NULL);
		if (r < 0)
			return r;
		q->ready = true;
	}
	return exchange(q, command, fd, deadline, ret_error, ret_answer);
}

int qmp_ask(struct qmp *q, const char *command, int timeout_ms, char **ret_error, char **ret_answer)
{
	return ask(q, command, -1, timeout_ms, ret_error, ret_answer);
}

int qmp_execute(struct qmp *q, const char *command, int timeout_ms, char **ret_error)
{
	return qmp_ask(q, command, timeout_ms, ret_error, NULL);
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		(void)close(q->fd);
	q->fd = -1;
	q->ready = false;
	buf_free(&q->in);
}

int json_quote(const char *s, struct buf *out)
{
	int r = buf_puts(out, "\"");
	for (const unsigned char *p = (const unsigned char *)s; r >= 0 && *p; p++) {
		if (*p == '"' || *p == '\\')
			r = buf_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			r = buf_printf(out, "\\u%04x", *p);
		else
			r = buf_append(out, p, 1);
	}
	return r < 0 ? r : buf_puts(out, "\"");
}

int qmp_dump_command(const char *path, struct buf *out)
{
	_cleanup_buf_ struct buf protocol = {0};
	int r = buf_printf(&protocol, "file:%s", path);
	if (r >= 0)
		r = buf_puts(out, "{\"execute\": \"dump-guest-memory\", \"arguments\": "
				  "{\"paging\": false, \"protocol\": ");
	if (r >= 0)
		r = json_quote(protocol.data, out);
	return r < 0 ? r : buf_puts(out, "}}");
}

/* A dump is as big as the guest's memory: on a slow disk that takes a while. */
#define DUMP_TIMEOUT_MS (10 * 60 * 1000)

int qmp_dump(struct qmp *q, const char *path, char **ret_error)
{
	_cleanup_buf_ struct buf partial = {0}, command = {0};
	int r = buf_printf(&partial, "%s.partial", path);
	if (r >= 0)
		r = qmp_dump_command(partial.data, &command);
	if (r >= 0)
		r = qmp_execute(q, command.data, DUMP_TIMEOUT_MS, ret_error);
	if (r >= 0 && rename(partial.data, path) < 0)
		r = -errno;
	if (r < 0 && partial.data)
		(void)unlink(partial.data); /* may not exist */
	return r;
}

int qmp_migrate_command(const char *fd_name, struct buf *out)
{
	_cleanup_buf_ struct buf uri = {0};
	int r = buf_printf(&uri, "fd:%s", fd_name);
	if (r >= 0)
		r = buf_puts(out, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": ");
	if (r >= 0)
		r = json_quote(uri.data, out);
	return r < 0 ? r : buf_puts(out, "}}");
}

enum qmp_migration qmp_migration_status(const char *answer)
{
	static const struct {
		const char *word;
		enum qmp_migration status;
	} words[] = {
		{"\"completed\"", QMP_MIGRATION_COMPLETED},
		{"\"failed\"", QMP_MIGRATION_FAILED},
		{"\"cancelled\"", QMP_MIGRATION_FAILED},
	};
	const char *s = answer ? strstr(answer, "\"status\": ") : NULL;
	if (!s)
		return QMP_MIGRATION_ACTIVE; /* none yet: it has not started */
	s += strlen("\"status\": ");
	for (size_t i = 0; i < ELEMENTSOF(words); i++)
		if (strncmp(s, words[i].word, strlen(words[i].word)) == 0)
			return words[i].status;
	return QMP_MIGRATION_ACTIVE;
}

/* A parked guest's state is a few tens of MiB: under TCG a fraction of a second. */
#define SAVE_TIMEOUT_MS (60 * 1000)
#define SAVE_POLL_MS 5

/* The name the state's descriptor has in QEMU's monitor (getfd), for migrate's "fd:NAME". */
#define SAVE_FD_NAME "quiz-state"

int qmp_save_state(struct qmp *q, int fd, char **ret_error)
{
	_cleanup_buf_ struct buf command = {0};
	long long deadline = qmp_now_ms() + SAVE_TIMEOUT_MS;
	int r = qmp_migrate_command(SAVE_FD_NAME, &command);
	if (r >= 0)
		r = ask(q,
			"{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" SAVE_FD_NAME
			"\"}}",
			fd, SAVE_TIMEOUT_MS, ret_error, NULL);
	if (r >= 0)
		r = qmp_execute(q, command.data, SAVE_TIMEOUT_MS, ret_error);
	enum qmp_migration status = QMP_MIGRATION_ACTIVE;
	while (r >= 0 && status == QMP_MIGRATION_ACTIVE) {
		_cleanup_free_ char *answer = NULL;
		r = qmp_ask(q, "{\"execute\": \"query-migrate\"}", SAVE_TIMEOUT_MS, ret_error,
			    &answer);
		status = r < 0 ? QMP_MIGRATION_FAILED : qmp_migration_status(answer);
		if (r >= 0 && status == QMP_MIGRATION_FAILED && ret_error && !*ret_error)
			*ret_error = strdup("QEMU's migration failed");
		if (status == QMP_MIGRATION_ACTIVE && qmp_now_ms() >= deadline)
			r = -ETIMEDOUT;
		if (status == QMP_MIGRATION_ACTIVE && r >= 0)
			(void)nanosleep(&(struct timespec){.tv_nsec = SAVE_POLL_MS * 1000000L},
					NULL);
	}
	if (r >= 0 && status == QMP_MIGRATION_FAILED)
		r = -EIO;
	if (r == -ETIMEDOUT)
		(void)qmp_execute(q, "{\"execute\": \"migrate_cancel\"}", 1000, NULL);
	/* Completed, the VM waits paused (QEMU's postmigrate); failed, it runs on by itself. */
	if (r >= 0)
		r = qmp_execute(q, "{\"execute\": \"cont\"}", 5000, ret_error);
	return r;
}

int qmp_wait_running(struct qmp *q, int timeout_ms)
{
	long long until = qmp_now_ms() + timeout_ms;
	while (qmp_now_ms() < until) {
		_cleanup_free_ char *answer = NULL;
		int r = qmp_ask(q, "{\"execute\": \"query-status\"}", timeout_ms, NULL, &answer);
		if (r < 0)
			return r;
		if (strstr(answer, "\"running\": true"))
			return 0;
		(void)nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
	}
	return -ETIMEDOUT;
}
