/* SPDX-License-Identifier: MIT */
/* QMP's pure parts: JSON strings, the dump and migrate commands; the client against a fake QEMU,
 * a save's descriptor handed over the socket included. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"
#include "tap.h"

static void test_json(void)
{
	struct buf b = {0};
	CHECK(json_quote("a \"b\" \\c\n\x01", &b) == 0, "json_quote");
	CHECK_STR(b.data, "\"a \\\"b\\\" \\\\c\\u000a\\u0001\"",
		  "quotes, backslashes and control characters escaped");
	buf_free(&b);
	CHECK(qmp_dump_command("/tmp/a \"dir\"/core", &b) == 0, "dump command");
	CHECK_STR(b.data,
		  "{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		  "\"protocol\": \"file:/tmp/a \\\"dir\\\"/core\"}}",
		  "dump-guest-memory to file:PATH, the path escaped");
	buf_free(&b);
}

static void test_migrate(void)
{
	struct buf b = {0};
	CHECK(qmp_migrate_command("quiz-state", &b) == 0, "migrate command");
	CHECK_STR(b.data, "{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"fd:quiz-state\"}}",
		  "migrate to fd:NAME (a descriptor handed over getfd): no shell, no path");
	buf_free(&b);
	CHECK(qmp_migration_status(
		      "{\"return\": {\"status\": \"completed\", \"total-time\": 3}}") ==
		      QMP_MIGRATION_COMPLETED,
	      "query-migrate: completed");
	CHECK(qmp_migration_status(
		      "{\"return\": {\"status\": \"failed\", \"error-desc\": \"x\"}}") ==
		      QMP_MIGRATION_FAILED,
	      "query-migrate: failed");
	CHECK(qmp_migration_status("{\"return\": {\"status\": \"cancelled\"}}") ==
		      QMP_MIGRATION_FAILED,
	      "query-migrate: cancelled is a failure");
	CHECK(qmp_migration_status("{\"return\": {\"status\": \"active\", \"ram\": {}}}") ==
		      QMP_MIGRATION_ACTIVE,
	      "query-migrate: active goes on");
	CHECK(qmp_migration_status("{\"return\": {}}") == QMP_MIGRATION_ACTIVE,
	      "query-migrate before it started: goes on");
	CHECK(qmp_migration_status("{\"return\": {\"status\": \"setup\"}}") == QMP_MIGRATION_ACTIVE,
	      "query-migrate: setup goes on");
}

/* QEMU's side, as it answers: greeting, an event, the answers. */
static void fake_qemu(int fd, const char *answer)
{
	char in[4096];
	const char *greeting = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n";
	(void)!write(fd, greeting, strlen(greeting));
	for (int i = 0; i < 2; i++) {
		if (read(fd, in, sizeof(in)) <= 0)
			break;
		const char *event = "{\"event\": \"STOP\", \"timestamp\": {}}\r\n";
		(void)!write(fd, event, strlen(event));
		(void)!write(fd, i == 0 ? "{\"return\": {}}\r\n" : answer,
			     strlen(i == 0 ? "{\"return\": {}}\r\n" : answer));
	}
	_exit(0);
}

static int exchange(const char *answer, char **ret_error)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		fake_qemu(sv[1], answer);
	}
	close(sv[1]);
	struct qmp q = QMP_INIT;
	q.fd = sv[0];
	int r = qmp_execute(&q, "{\"execute\": \"inject-nmi\"}", 2000, ret_error);
	qmp_close(&q);
	return r;
}

static void test_client(void)
{
	char *error = NULL;
	CHECK(exchange("{\"return\": {}}\r\n", &error) == 0 && !error,
	      "capabilities, then the command; events skipped");
	CHECK(exchange("{\"error\": {\"class\": \"GenericError\", \"desc\": \"no NMI here\"}}\r\n",
		       &error) == -EIO,
	      "an error answer is -EIO");
	CHECK_STR(error, "no NMI here", "with QEMU's description");
	free(error);
	error = NULL;
	CHECK(exchange("", &error) == -ENOTCONN, "QEMU gone before its answer: -ENOTCONN");
	struct qmp none = QMP_INIT;
	CHECK(qmp_execute(&none, "{}", 10, NULL) == -ENOTCONN, "never connected: -ENOTCONN");
}

/*
 * QEMU's side of a save: each command line read with recvmsg; getfd's descriptor kept, the
 * migration's bytes written into it; the answers. Exits 0 when getfd came with a descriptor.
 */
static void fake_qemu_save(int sock)
{
	int state = -1;
	char in[4096];
	const char *greeting = "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n";
	(void)!write(sock, greeting, strlen(greeting));
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = {.iov_base = in, .iov_len = sizeof(in) - 1};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf)};
		ssize_t n = recvmsg(sock, &msg, 0);
		if (n <= 0)
			_exit(state >= 0 ? 0 : 1);
		in[n] = '\0';
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		const char *answer = "{\"return\": {}}\r\n";
		if (strstr(in, "\"getfd\"") && strstr(in, "\"fdname\": \"quiz-state\"") && c &&
		    c->cmsg_type == SCM_RIGHTS)
			memcpy(&state, CMSG_DATA(c), sizeof(int));
		else if (strstr(in, "\"migrate\"") && strstr(in, "\"fd:quiz-state\"") && state >= 0)
			(void)!write(state, "QEVM", 4);
		else if (strstr(in, "query-migrate"))
			answer = "{\"return\": {\"status\": \"completed\"}}\r\n";
		else if (!strstr(in, "qmp_capabilities") && !strstr(in, "\"cont\""))
			answer = "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\r\n";
		(void)!write(sock, answer, strlen(answer));
	}
}

static void test_save_state(void)
{
	char path[] = "/tmp/quiz-test-qmp.XXXXXX";
	int fd = mkstemp(path), sv[2];
	CHECK(fd >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "a state file, a socket");
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(fd); /* QEMU has only what getfd hands it */
		fake_qemu_save(sv[1]);
	}
	close(sv[1]);
	struct qmp q = QMP_INIT;
	q.fd = sv[0];
	char *error = NULL;
	int r = qmp_save_state(&q, fd, &error);
	CHECK(r == 0, "a save into a descriptor: 0 (%d %s)", r, error ? error : "");
	qmp_close(&q);
	int status = -1;
	(void)waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "QEMU got the descriptor with getfd (SCM_RIGHTS)");
	char got[8] = {0};
	CHECK(pread(fd, got, sizeof(got) - 1, 0) == 4 && STREQ(got, "QEVM"),
	      "and wrote the state into the file quiz made: '%s'", got);
	free(error);
	close(fd);
	unlink(path);
}

static long long ms_now(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A QEMU that never answers: the wait ends at stop_fd or stop_at, long before its timeout. */
static void test_stop(void)
{
	int sv[2], stop[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(stop) < 0) {
		CHECK(false, "socketpair, pipe");
		return;
	}
	struct qmp q = QMP_INIT;
	q.fd = sv[0];
	q.stop_fd = stop[0];
	(void)!write(stop[1], "x", 1);
	long long t = ms_now();
	CHECK(qmp_execute(&q, "{\"execute\": \"query-status\"}", 10000, NULL) == -ECANCELED,
	      "stop_fd readable: -ECANCELED");
	CHECK(ms_now() - t < 1000, "... at once (%lld ms)", ms_now() - t);
	char c;
	CHECK(read(stop[0], &c, 1) == 1, "... and what made it readable is left to the caller");
	q.stop_at = ms_now() + 200;
	t = ms_now();
	CHECK(qmp_wait_running(&q, 10000) == -ECANCELED, "stop_at passed: -ECANCELED");
	CHECK(ms_now() - t >= 200 && ms_now() - t < 1500, "... then, not at the timeout (%lld ms)",
	      ms_now() - t);
	q.stop_at = 0;
	t = ms_now();
	CHECK(qmp_execute(&q, "{}", 200, NULL) == -ETIMEDOUT, "no stop: the timeout, -ETIMEDOUT");
	CHECK(ms_now() - t >= 200, "... after it (%lld ms)", ms_now() - t);
	close(sv[1]);
	close(stop[1]);
	close(stop[0]);
	qmp_close(&q);
}

int main(void)
{
	test_save_state();
	test_stop();
	test_migrate();
	test_json();
	test_client();
	return tap_done();
}
