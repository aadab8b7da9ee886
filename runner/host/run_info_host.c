/* SPDX-License-Identifier: MIT */
/* Running runs' info files: written at a run's start, read back for quiz --ps and --attach. */
#include "run_info_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "macro.h"

int run_info_write(int run_dir_fd, const char *arch, const char *release, char *const *program)
{
	_cleanup_free_ char *command = NULL;
	_cleanup_buf_ struct buf text = {0};
	int r = run_info_command(program, &command);
	if (r < 0)
		return r;
	struct run_info info = {
		.pid = getpid(),
		.started = (long long)time(NULL),
		.arch = (char *)arch,
		.kernel = (char *)release,
		.command = command,
	};
	r = run_info_format(&info, &text);
	if (r >= 0)
		r = write_file_at(run_dir_fd, RUN_INFO_FILE, text.data, text.len, 0600);
	return r;
}

bool run_dir_is_live(int dirfd)
{
	/* A shared lock is refused while the run's quiz holds its exclusive one. */
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* One folder of runs_fd: its info into *ret when a live quiz holds it; 1 then, else 0. */
static int read_live(int runs_fd, const char *name, struct live_run *ret)
{
	_cleanup_close_ int fd =
		openat(runs_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !run_dir_is_live(fd))
		return 0;
	_cleanup_close_ int info_fd = openat(fd, RUN_INFO_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	size_t size;
	if (info_fd < 0 || read_fd(info_fd, &text, &size) < 0)
		return 0; /* a run starting, or one of a quiz before --ps */
	if (run_info_parse(text, size, &ret->info) < 0)
		return 0;
	ret->name = strdup(name + strlen("run."));
	if (!ret->name) {
		run_info_free(&ret->info);
		return -ENOMEM;
	}
	return 1;
}

static int by_start(const void *a, const void *b)
{
	const struct live_run *x = a, *y = b;
	if (x->info.started != y->info.started)
		return x->info.started < y->info.started ? -1 : 1;
	return strcmp(x->name, y->name);
}

int live_runs_find(const char *home, struct live_run **ret, size_t *ret_n)
{
	_cleanup_free_ char *runs = NULL;
	if (asprintf(&runs, "%s/runs", home) < 0)
		return -ENOMEM;
	DIR *d = opendir(runs);
	if (!d && errno != ENOENT)
		return -errno;
	struct live_run *list = NULL;
	size_t n = 0;
	int r = 0;
	struct dirent *de;
	while (d && r >= 0 && (de = readdir(d))) {
		if (strncmp(de->d_name, "run.", 4) != 0)
			continue;
		struct live_run *grown = realloc(list, (n + 1) * sizeof(*list));
		if (!grown) {
			r = -ENOMEM;
			break;
		}
		list = grown;
		list[n] = (struct live_run){0};
		r = read_live(dirfd(d), de->d_name, &list[n]);
		n += r > 0;
	}
	if (d)
		closedir(d);
	if (r < 0) {
		live_runs_free(list, n);
		return r;
	}
	if (n)
		qsort(list, n, sizeof(*list), by_start);
	*ret = list;
	*ret_n = n;
	return 0;
}

void live_runs_free(struct live_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(runs[i].name);
		run_info_free(&runs[i].info);
	}
	free(runs);
}
