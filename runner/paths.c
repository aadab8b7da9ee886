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
	_cleanup_free_ char *build_init = NULL;
	if (asprintf(&build_init, "%s/../guest-init/quiz-init", dir) < 0)
		goto oom;
	const char *env_libexec = getenv("QUIZ_LIBEXEC_DIR"), *env_data = getenv("QUIZ_DATA_DIR");
	if (access(build_init, X_OK) == 0) {
		/* Running from the build tree: guest binaries beside us, data in the sources. */
		if (asprintf(&p.libexec, "%s/../guest-init", dir) < 0 ||
		    !(p.data = strdup(QUIZ_SOURCE_DIR)))
			goto oom;
	} else if (!(p.libexec = strdup(QUIZ_LIBEXECDIR)) || !(p.data = strdup(QUIZ_DATADIR))) {
		goto oom;
	}
	if (env_libexec && env_libexec[0]) {
		free(p.libexec);
		if (!(p.libexec = strdup(env_libexec)))
			goto oom;
	}
	if (env_data && env_data[0]) {
		free(p.data);
		if (!(p.data = strdup(env_data)))
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
	*p = (struct quiz_paths){0};
}

char *kv_get(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=')
			return strndup(line + klen + 1, len - klen - 1);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}
