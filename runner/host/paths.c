/* SPDX-License-Identifier: MIT */
/* Locating the cache root and quiz's own files, in a build tree or installed. */
#include "paths.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static int home_dir(char **ret)
{
	const char *q = getenv("QUIZ_HOME"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	int n;
	if (q && q[0])
		n = asprintf(ret, "%s", q);
	else if (x && x[0])
		n = asprintf(ret, "%s/quiz", x);
	else if (h && h[0])
		n = asprintf(ret, "%s/.cache/quiz", h);
	else
		return -ENOENT;
	if (n < 0)
		return -ENOMEM;
	if ((*ret)[0] == '/')
		return 0;
	/* QEMU and the hooks run in the run directory: a relative root would miss there. */
	_cleanup_free_ char *cwd = getcwd(NULL, 0), *rel = TAKE_PTR(*ret);
	char *abs = NULL;
	if (!cwd)
		return -errno;
	if (asprintf(&abs, "%s/%s", cwd, rel) < 0)
		return -ENOMEM;
	*ret = abs;
	return 0;
}

int paths_from_prefix(const char *exe_dir, const char *bindir, const char *rel, char **ret)
{
	if (rel[0] == '/')
		return (*ret = strdup(rel)) ? 0 : -ENOMEM;
	size_t n = strlen(exe_dir), b = strlen(bindir);
	if (bindir[0] == '/' || n <= b || !STREQ(exe_dir + n - b, bindir) ||
	    exe_dir[n - b - 1] != '/')
		return -ENOENT;
	return asprintf(ret, "%.*s%s", (int)(n - b), exe_dir, rel) < 0 ? -ENOMEM : 0;
}

/* An installed folder: under our own prefix when it is there, else where meson put it. */
static int installed_dir(const char *exe_dir, const char *rel, const char *absolute, char **ret)
{
	char *dir = NULL;
	int r = paths_from_prefix(exe_dir, QUIZ_BINDIR, rel, &dir);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && access(dir, X_OK) == 0) {
		*ret = dir;
		return 0;
	}
	free(dir);
	return (*ret = strdup(absolute)) ? 0 : -ENOMEM;
}

static int replace(char **field, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int paths_init(struct quiz_paths *ret)
{
	struct quiz_paths p = {0};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	const char *dir = dirname(exe);

	int r = home_dir(&p.home);
	if (r < 0)
		return r;
	_cleanup_free_ char *build_init = NULL, *copied_tools = NULL;
	if (asprintf(&build_init, "%s/../guest-init/quiz-init", dir) < 0)
		goto oom;
	const char *env_libexec = getenv("QUIZ_LIBEXEC_DIR"), *env_data = getenv("QUIZ_DATA_DIR");
	if (access(build_init, X_OK) == 0) {
		/* Running from the build tree: guest binaries beside us, data in the sources. */
		if (asprintf(&p.libexec, "%s/../guest-init", dir) < 0 ||
		    !(p.data = strdup(QUIZ_SOURCE_DIR)) ||
		    asprintf(&p.tools, "%s/tools", QUIZ_SOURCE_DIR) < 0)
			goto oom;
	} else if (installed_dir(dir, QUIZ_LIBEXECDIR_REL, QUIZ_LIBEXECDIR, &p.libexec) < 0 ||
		   installed_dir(dir, QUIZ_DATADIR_REL, QUIZ_DATADIR, &p.data) < 0 ||
		   !(p.tools = strdup(p.libexec))) {
		goto oom;
	}
	if (env_libexec && env_libexec[0] && replace(&p.libexec, env_libexec) < 0)
		goto oom;
	if (env_data && env_data[0]) {
		/* A copy of the source tree's data (tools/ included) stands for all of it. */
		if (replace(&p.data, env_data) < 0 ||
		    asprintf(&copied_tools, "%s/tools", env_data) < 0)
			goto oom;
		if (access(copied_tools, X_OK) == 0 && replace(&p.tools, copied_tools) < 0)
			goto oom;
	}
	*ret = p;
	return 0;
oom:
	paths_free(&p);
	return -ENOMEM;
}

void paths_free(struct quiz_paths *p)
{
	free(p->home);
	free(p->libexec);
	free(p->data);
	free(p->tools);
	*p = (struct quiz_paths){0};
}
