/* SPDX-License-Identifier: MIT */
/* Running the host's tools (tool.h). */
#include "tool.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "file.h"
#include "interrupt.h"
#include "macro.h"
#include "signals.h"

int tool_find(const char *name, char **ret)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = NULL;
	if (asprintf(&dirs, "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin") < 0)
		return -ENOMEM;
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = NULL;
		if (asprintf(&p, "%s/%s", d, name) < 0)
			return -ENOMEM;
		if (d[0] == '/' && access(p, X_OK) == 0) {
			*ret = TAKE_PTR(p);
			return 0;
		}
	}
	return -ENOENT;
}

int tool_run(char *const argv[], int log_fd)
{
	pid_t pid = fork_group_child();
	if (pid < 0)
		return pid;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		child_reset_signals();
		if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
			_exit(127);
		child_close_fds();
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	(void)setpgid(pid, pid);
	int status;
	int r = child_wait(pid, &status);
	if (r < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

char *tool_last_line(int log_fd)
{
	_cleanup_free_ char *text = NULL;
	if (lseek(log_fd, 0, SEEK_SET) < 0 || read_fd(log_fd, &text, NULL) < 0 || !text)
		return strdup("no words");
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	const char *line = strrchr(text, '\n');
	return strdup(line ? line + 1 : n ? text : "no words");
}
