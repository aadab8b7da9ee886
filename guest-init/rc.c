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
#include "run_plan.h"

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

/* The program, its status, then a shell (-S) or the end of the tmux session. */
static int rc_run(const struct run_settings *s)
{
	if (s->cwd && chdir(s->cwd) < 0)
		fprintf(stderr, "quiz: cannot enter %s: %s\n", s->cwd, strerror(errno));

	/* Like a shell waiting for a foreground job: Ctrl-C is the program's, not the rc's. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	char *login[] = {RUN_SHELL, "-l", NULL};
	int code = spawn_wait(s->args.len ? s->args.items : login, true);
	save_status(code);
	if (s->args.len && s->shell)
		(void)spawn_wait(login, false); /* its status is not the program's */
	if (s->mode == GUEST_MODE_TMUX) {
		/* The rc's window closing must end the whole session, dmesg window included. */
		execl(TMUX, TMUX, "kill-server", (char *)NULL);
	}
	return code;
}

int rc_main(void)
{
	_cleanup_run_settings_ struct run_settings s = {0};
	if (run_settings_load(CONTRACT_GUEST_PATH, &s) < 0) {
		fprintf(stderr, "quiz: cannot read " CONTRACT_GUEST_PATH "\n");
		return EXIT_QUIZ_FAILED;
	}
	return rc_run(&s);
}

/* The session: the rc in its window, sized like the host's terminal, dmesg beside it. */
static int tmux_run(const struct run_settings *s)
{
	_cleanup_free_ char *cols = NULL, *rows = NULL;
	if (asprintf(&cols, "%u", s->cols ? s->cols : SETTINGS_DEFAULT_COLS) < 0 ||
	    asprintf(&rows, "%u", s->rows ? s->rows : SETTINGS_DEFAULT_ROWS) < 0)
		return EXIT_QUIZ_FAILED;
	char *start[] = {TMUX,
			 "new-session",
			 "-d",
			 "-s",
			 SESSION,
			 "-x",
			 cols,
			 "-y",
			 rows,
			 "-c",
			 s->cwd ? s->cwd : "/root",
			 RUN_SELF,
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

int tmux_main(void)
{
	_cleanup_run_settings_ struct run_settings s = {0};
	if (run_settings_load(CONTRACT_GUEST_PATH, &s) < 0)
		return EXIT_QUIZ_FAILED;
	return tmux_run(&s);
}
