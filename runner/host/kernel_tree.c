/* SPDX-License-Identifier: MIT */
/* -K on a kernel source tree: quiz-kernel builds it (a no-op when it is current) into the cache. */
#include "kernel_tree.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "exit_status.h"
#include "interrupt.h"
#include "log.h"
#include "macro.h"
#include "signals.h"

static bool exists_in(const char *dir, const char *name)
{
	_cleanup_free_ char *path = NULL;
	return asprintf(&path, "%s/%s", dir, name) >= 0 && access(path, F_OK) == 0;
}

bool kernel_tree_is_source(const char *path, const struct arch *a)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	/* A build tree (in the sources or not) has its boot image: -K boots that as it is. */
	return exists_in(path, "Makefile") && exists_in(path, "Kconfig") &&
	       exists_in(path, "init/main.c") && !exists_in(path, a->kernel_image);
}

/* quiz-kernel beside this quiz (both in the build tree's runner/, or both installed). */
static int quiz_kernel_path(char **ret)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	return asprintf(ret, "%s/quiz-kernel", dirname(exe)) < 0 ? -ENOMEM : 0;
}

static int read_all(int fd, struct buf *out)
{
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		int r = buf_append(out, chunk, (size_t)n);
		if (r < 0)
			return r;
	}
}

int kernel_tree_build(const char *tree, const struct arch *a, char **ret_release)
{
	_cleanup_free_ char *tool = NULL;
	int r = quiz_kernel_path(&tool);
	if (r < 0)
		return r;
	char *argv[] = {tool,	   "build",	  "-a",		(char *)a->name,
			"--again", "--print-dir", (char *)tree, NULL};
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		/* Its progress on quiz's stderr; stdout (the program's) gets nothing of it. SIGTERM
		 * once quiz is gone: the build stops as after a Ctrl-C. */
		child_reset_signals();
		if (child_die_with_parent(parent, SIGTERM) < 0)
			_exit(EXIT_SIGNALED + SIGTERM);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(EXIT_NOT_FOUND);
		child_close_fds();
		execv(argv[0], argv);
		log_error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(EXIT_NOT_FOUND);
	}
	close(fds[1]);
	_cleanup_buf_ struct buf out = {0};
	r = read_all(fds[0], &out);
	close(fds[0]);
	int status;
	int w = child_wait(pid, &status);
	if (w < 0)
		return w;
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	if (!out.data || !out.len)
		return -ENOENT;
	out.data[strcspn(out.data, "\n")] = '\0';
	char *release = strdup(basename(out.data)); /* the cache's kernels/ARCH/RELEASE */
	if (!release)
		return -ENOMEM;
	*ret_release = release;
	return 0;
}
