/* SPDX-License-Identifier: MIT */
/* quiz --coverage: counters from the guest, notes from the build, lcov's reports (coverage.h). */
#include "coverage.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "kv.h"
#include "log.h"
#include "macro.h"
#include "remove_tree.h"
#include "run_dir.h"
#include "tool.h"

#define MAX_DEPTH 64
#define MAX_FILES 1000000
#define LOG "coverage.log" /* lcov's and genhtml's words, in the run folder */

/* Where notes may be read: objects under from have theirs under to (the same folder, or the
 * kernel's kbuild copy of its build folder). */
struct root {
	char *from, *to;
};

struct walk {
	struct root roots[2];
	size_t n_roots;
	size_t taken, outside, no_notes, files;
};

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n_roots; i++) {
		free(w->roots[i].from);
		free(w->roots[i].to);
	}
}

static int add_root(struct walk *w, const char *from, const char *to)
{
	char *f = realpath(from, NULL), *t = realpath(to, NULL);
	if (!f || !t) {
		free(f);
		free(t);
		return errno == ENOMEM ? -ENOMEM : 0; /* a folder that is gone holds no notes */
	}
	w->roots[w->n_roots++] = (struct root){f, t};
	return 0;
}

/* The kernel's build folder (its info's build_dir, under home) maps to its kbuild copy. */
static int kernel_root(struct walk *w, const struct coverage_job *j)
{
	_cleanup_free_ char *info = NULL, *text = NULL, *rel = NULL, *build = NULL, *kbuild = NULL;
	if (!j->kernel_dir || asprintf(&info, "%s/info", j->kernel_dir) < 0)
		return j->kernel_dir ? -ENOMEM : 0;
	if (read_file(info, &text, NULL) < 0 || !(rel = kv_get(text, "build_dir")))
		return 0;
	if (asprintf(&build, "%s/%s", j->home, rel) < 0 ||
	    asprintf(&kbuild, "%s/kbuild", j->kernel_dir) < 0)
		return -ENOMEM;
	return add_root(w, build, kbuild);
}

/* The notes for the guest's counter file at host path gcda, real and under a root; NULL if
 * none. */
static char *notes_for(const struct walk *w, const char *gcda, bool *outside)
{
	*outside = true;
	for (size_t i = 0; i < w->n_roots; i++) {
		const struct root *r = &w->roots[i];
		if (!path_is_under(gcda, r->from))
			continue;
		*outside = false;
		_cleanup_free_ char *want = NULL;
		size_t n = strlen(gcda) - strlen(".gcda");
		if (asprintf(&want, "%s%.*s.gcno", r->to, (int)(n - strlen(r->from)),
			     gcda + strlen(r->from)) < 0)
			return NULL;
		char *real = realpath(want, NULL);
		struct stat st;
		if (real && path_is_under(real, r->to) && stat(real, &st) == 0 &&
		    S_ISREG(st.st_mode))
			return real;
		free(real);
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && STREQ(s + n - m, suffix);
}

/* A counter file at host path: its notes linked beside it, or it goes. */
static int take(struct walk *w, int dir_fd, const char *name, const char *path)
{
	bool outside;
	_cleanup_free_ char *notes = notes_for(w, path, &outside), *link = NULL;
	if (!notes) {
		w->outside += outside;
		w->no_notes += !outside;
		return unlinkat(dir_fd, name, 0) < 0 ? -errno : 0;
	}
	if (asprintf(&link, "%.*s.gcno", (int)(strlen(name) - strlen(".gcda")), name) < 0)
		return -ENOMEM;
	(void)unlinkat(dir_fd, link, 0);
	if (symlinkat(notes, dir_fd, link) < 0)
		return -errno;
	w->taken++;
	return 0;
}

/*
 * The share's tree, as the guest left it (QEMU has exited: nothing changes it now). Through
 * mapped-xattr the guest makes only folders and plain files; a link is one take() made.
 */
static int walk_dir(struct walk *w, int dir_fd, const char *path, unsigned depth)
{
	DIR *d = fdopendir(dir_fd);
	if (!d) {
		(void)close(dir_fd);
		return -errno;
	}
	int r = 0;
	for (struct dirent *de; r >= 0 && (de = readdir(d));) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = NULL;
		struct stat st;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			r = -ENOMEM;
		else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else if (++w->files > MAX_FILES || (S_ISDIR(st.st_mode) && depth >= MAX_DEPTH))
			r = -E2BIG;
		else if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = fd < 0 ? -errno : walk_dir(w, fd, sub, depth + 1);
		} else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".gcda"))
			r = take(w, dirfd(d), de->d_name, sub);
		else if (!S_ISLNK(st.st_mode) && unlinkat(dirfd(d), de->d_name, 0) < 0)
			r = -errno;
	}
	closedir(d);
	return r;
}

static int log_open(int run_dir_fd)
{
	int fd = openat(run_dir_fd, LOG, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

/* One of lcov's tools; on failure one line with its last words. */
static int lcov_tool(const char *name, char **argv, int log_fd)
{
	_cleanup_free_ char *path = NULL;
	int r = tool_find(name, &path);
	if (r < 0) {
		log_error("--coverage: %s is missing; install Debian's lcov (scripts/setup does)",
			  name);
		return r;
	}
	argv[0] = path;
	(void)ftruncate(log_fd, 0);
	r = tool_run(argv, log_fd);
	if (r == -EIO) {
		_cleanup_free_ char *last = tool_last_line(log_fd);
		log_error("--coverage: %s failed: %s", name, last ? last : "");
	}
	return r;
}

/* lcov --extract's patterns for a filter: the file itself, or what is under the folder. */
static int extract(const char *info, const char *filter, const char *to, int log_fd)
{
	_cleanup_free_ char *file = NULL, *dir = NULL;
	if (asprintf(&file, "*/%s", filter) < 0 || asprintf(&dir, "*/%s/*", filter) < 0)
		return -ENOMEM;
	char *argv[] = {NULL, "--quiet",       "--extract", (char *)info, file,
			dir,  "--output-file", (char *)to,  NULL};
	return lcov_tool("lcov", argv, log_fd);
}

void coverage_sum_text(const char *info, struct coverage_sum *ret)
{
	*ret = (struct coverage_sum){0};
	for (const char *p = info; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "SF:", 3) == 0)
			ret->files++;
		else if (strncmp(p, "DA:", 3) == 0) { /* DA:LINE,COUNT[,CHECKSUM] */
			const char *count = strchr(p, ',');
			ret->found++;
			ret->hit += count && strtoull(count + 1, NULL, 10) > 0;
		}
	}
}

void coverage_summary(const struct coverage_sum *s, const char *filter, char *ret, size_t size)
{
	if (!s->found)
		snprintf(ret, size, "coverage: %s%sno profiled lines", filter ? filter : "",
			 filter ? " " : "");
	else
		snprintf(ret, size, "coverage: %s%s%.1f%% of lines (%llu/%llu)",
			 filter ? filter : "", filter ? " " : "",
			 100.0 * (double)s->hit / (double)s->found, s->hit, s->found);
}

/* info (a tracefile) into OUT/coverage.info and OUT/html/, then the summary line. */
static int publish(const char *info, const char *out, const char *filter, const char *title,
		   int log_fd, const char *suffix)
{
	_cleanup_free_ char *text = NULL, *dest = NULL, *html = NULL;
	size_t size = 0;
	int r = read_file(info, &text, &size);
	if (r >= 0)
		r = mkdir_p_at(AT_FDCWD, out, 0755);
	if (r >= 0 &&
	    (asprintf(&dest, "%s/" COVERAGE_INFO, out) < 0 || asprintf(&html, "%s/html", out) < 0))
		r = -ENOMEM;
	if (r >= 0)
		r = write_file_replace(dest, text, size, 0644);
	if (r < 0) {
		log_error("--coverage %s: %s", out, strerror(-r));
		return r;
	}
	if ((r = remove_tree(html, NULL)) < 0) {
		log_error("--coverage: the old %s stays (%s): remove it", html, strerror(-r));
		return r;
	}
	char *argv[] = {NULL, "--quiet", "--title", (char *)title, "--output-directory",
			html, dest,	 NULL};
	r = lcov_tool("genhtml", argv, log_fd);
	if (r < 0)
		return r;
	struct coverage_sum s;
	char line[256];
	coverage_sum_text(text, &s);
	coverage_summary(&s, filter, line, sizeof(line));
	log_error("%s%s", line, suffix);
	return 0;
}

static int capture(const struct coverage_job *j, int log_fd)
{
	_cleanup_free_ char *dir = NULL, *raw = NULL, *cut = NULL;
	if (asprintf(&dir, "%s/" COVERAGE_SHARE, j->run_dir) < 0 ||
	    asprintf(&raw, "%s/raw.info", j->run_dir) < 0 ||
	    asprintf(&cut, "%s/" COVERAGE_INFO, j->run_dir) < 0)
		return -ENOMEM;
	char *argv[] = {NULL, "--quiet",       "--capture", "--directory",
			dir,  "--output-file", raw,	    NULL};
	int r = lcov_tool("lcov", argv, log_fd);
	if (r >= 0 && j->filter)
		r = extract(raw, j->filter, cut, log_fd);
	if (r >= 0)
		r = publish(j->filter ? cut : raw, j->out, j->filter, j->title, log_fd, "");
	return r;
}

int coverage_report(const struct coverage_job *j)
{
	struct walk w = {0};
	int r = kernel_root(&w, j);
	if (r >= 0 && j->cwd)
		r = add_root(&w, j->cwd, j->cwd);
	_cleanup_close_ int log_fd = -1;
	if (r >= 0) {
		int fd = openat(j->run_dir_fd, COVERAGE_SHARE,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = fd < 0 ? -errno : walk_dir(&w, fd, "", 0);
	}
	if (r < 0)
		log_error("--coverage: the guest's counter files: %s", strerror(-r));
	else if (!w.taken) {
		log_error("--coverage: no counters came back (dropped: %zu for objects outside the "
			  "kernel's build and the current directory, %zu without their .gcno): "
			  "boot a kernel built with CONFIG_GCOV_KERNEL (the gcov flavour profiles "
			  "all of it, or the folders of --gcov-only; a module needs GCOV_PROFILE "
			  ":= y in its Kbuild)",
			  w.outside, w.no_notes);
		r = -ENOENT;
	} else if ((r = log_fd = log_open(j->run_dir_fd)) >= 0)
		r = capture(j, log_fd);
	walk_free(&w);
	return r;
}

int coverage_merge(const char *out, char *const *infos, size_t n, const char *filter,
		   const char *title)
{
	_cleanup_free_ char *merged = NULL, *tmpl = NULL;
	_cleanup_free_ char **argv = calloc(2 * n + 5, sizeof(char *));
	if (!argv || asprintf(&tmpl, "%s/.merge-XXXXXX", out) < 0)
		return -ENOMEM;
	int r = mkdir_p_at(AT_FDCWD, out, 0755);
	if (r < 0 || !mkdtemp(tmpl)) {
		log_error("--coverage %s: %s", out, strerror(r < 0 ? -r : errno));
		return r < 0 ? r : -errno;
	}
	size_t k = 1, given = 0;
	argv[k++] = "--quiet";
	for (size_t i = 0; i < n; i++)
		if (access(infos[i], R_OK) == 0) {
			argv[k++] = "--add-tracefile";
			argv[k++] = infos[i];
			given++;
		}
	_cleanup_free_ char *log_path = NULL, *runs = NULL;
	_cleanup_close_ int log_fd = -1;
	if (asprintf(&merged, "%s/merged.info", tmpl) < 0 ||
	    asprintf(&log_path, "%s/" LOG, tmpl) < 0 ||
	    asprintf(&runs, " (%zu runs merged)", given) < 0)
		r = -ENOMEM;
	else if (!given) {
		log_error("--coverage: no run's coverage to merge");
		r = -ENOENT;
	} else if ((log_fd = open(log_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		r = -errno;
	else {
		argv[k++] = "--output-file";
		argv[k++] = merged;
		r = lcov_tool("lcov", argv, log_fd);
		if (r >= 0)
			r = publish(merged, out, filter, title, log_fd, runs);
	}
	(void)remove_tree(tmpl, NULL);
	return r;
}
