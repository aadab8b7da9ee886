/* SPDX-License-Identifier: MIT */
/* The rc stage (under tini): program, status, optional shell; and the tmux session around it. */
#include "rc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "exit_status.h"
#include "guest.h"
#include "run.h"

#define SELF "/sbin/init"
#define SHELL "/bin/bash"
#define TMUX "/usr/bin/tmux"
#define SESSION "quiz"

static int spawn_wait(char *const *argv, bool exec_semantics)
{
	pid_t pid = fork();
	if (pid < 0)
		return EXIT_QUIZ_FAILED;
	if (pid == 0) {
		(void)signal(SIGINT, SIG_DFL); /* the rc ignores them; its children must not */
		(void)signal(SIGQUIT, SIG_DFL);
		if (exec_semantics) {
			size_t n = 0;
			while (argv[n])
				n++;
			_exit(run_exec((int)n, (char **)argv));
		}
		execv(argv[0], argv);
		_exit(EXIT_NOT_FOUND);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_QUIZ_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SIGNALED + WTERMSIG(status);
}

static void save_status(int code)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%d\n", code);
	_cleanup_close_ int fd =
		open(RC_STATUS_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		fprintf(stderr, "quiz: cannot keep the program's status: %s\n", strerror(errno));
}

int rc_main(void)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ struct contract_entry *c = NULL;
	_cleanup_free_ char **argv = NULL;
	size_t n = 0, argc = 0;
	if (contract_load(CONTRACT_GUEST_PATH, &data, &c, &n) < 0) {
		fprintf(stderr, "quiz: cannot read " CONTRACT_GUEST_PATH "\n");
		return EXIT_QUIZ_FAILED;
	}
	argv = calloc(n + 2, sizeof(char *));
	if (!argv)
		return EXIT_QUIZ_FAILED;
	for (size_t i = 0; i < n; i++)
		if (STREQ(c[i].key, CONTRACT_ARG))
			argv[argc++] = (char *)c[i].value;
	const char *shell = contract_get(c, n, CONTRACT_SHELL);
	const char *mode = contract_get(c, n, CONTRACT_MODE);
	const char *cwd = contract_get(c, n, CONTRACT_CWD);
	if (cwd && chdir(cwd) < 0)
		fprintf(stderr, "quiz: cannot enter %s: %s\n", cwd, strerror(errno));

	/* Like a shell waiting for a foreground job: Ctrl-C is the program's, not the rc's. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	char *login[] = {SHELL, "-l", NULL};
	int code = spawn_wait(argc ? argv : login, true);
	save_status(code);
	if (argc && shell && STREQ(shell, "1"))
		(void)spawn_wait(login, false); /* its status is not the program's */
	if (mode && STREQ(mode, "tmux")) {
		/* The rc's window closing must end the whole session, dmesg window included. */
		execl(TMUX, TMUX, "kill-server", (char *)NULL);
	}
	return code;
}

int tmux_main(void)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ struct contract_entry *c = NULL;
	size_t n = 0;
	if (contract_load(CONTRACT_GUEST_PATH, &data, &c, &n) < 0)
		return EXIT_QUIZ_FAILED;
	const char *rows = contract_get(c, n, CONTRACT_ROWS);
	const char *cols = contract_get(c, n, CONTRACT_COLS);
	const char *cwd = contract_get(c, n, CONTRACT_CWD);
	char *start[] = {TMUX,
			 "new-session",
			 "-d",
			 "-s",
			 SESSION,
			 "-x",
			 (char *)(cols ? cols : "80"),
			 "-y",
			 (char *)(rows ? rows : "24"),
			 "-c",
			 (char *)(cwd ? cwd : "/root"),
			 SELF,
			 "--rc",
			 NULL};
	char *dmesg[] = {TMUX, "split-window", "-h",	"-d", "-l", "35%",
			 "-t", SESSION,	       "dmesg", "-w", NULL};
	int r = spawn_wait(start, false);
	if (r != 0) {
		fprintf(stderr, "quiz: tmux new-session failed with status %d\n", r);
		return EXIT_QUIZ_FAILED;
	}
	(void)spawn_wait(dmesg, false); /* a missing dmesg pane does not stop the run */
	execl(TMUX, TMUX, "attach-session", "-t", SESSION, (char *)NULL);
	fprintf(stderr, "quiz: cannot attach tmux: %s\n", strerror(errno));
	return EXIT_QUIZ_FAILED;
}
