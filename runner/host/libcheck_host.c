/* SPDX-License-Identifier: MIT */
/* Libraries the guest lacks: an ELF file's needs looked up in what the guest sees, and dpkg-query.
 */
#include "libcheck_host.h"

#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_needed.h"
#include "exit_status.h"
#include "file.h"
#include "guest_layout.h"
#include "log.h"
#include "options.h"
#include "profile.h"
#include "signals.h"

/* A file past this is not a program anyone runs in a quiz guest; it is not read whole. */
#define ELF_READ_MAX (1LL << 30)
#define DPKG_OUTPUT_MAX (64 * 1024)

void libcheck_scope_free(struct libcheck_scope *s)
{
	strv_free(&s->layers);
	strv_free(&s->ld_paths);
}

void libcheck_list_free(struct libcheck_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].host_path);
		free(l->items[i].package);
	}
	free(l->items);
	*l = (struct libcheck_list){0};
}

int libcheck_manifest_load(const char *image, struct libs_manifest *ret, char **ret_error)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len = 0;
	if (asprintf(&path, "%s.manifest", image) < 0)
		return -ENOMEM;
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	/* A manifest of a whole image is some hundred lines; a huge file is not one. */
	if (!S_ISREG(st.st_mode) || st.st_size > (1 << 22)) {
		set_error(ret_error, "not a manifest quiz-image wrote");
		return -EBADMSG;
	}
	int r = read_file(path, &text, &len);
	if (r < 0)
		return r;
	return libs_manifest_parse(text, len, ret, ret_error);
}

/* Is there something (a file, a link) called name in dir on the host? */
static bool has_entry(const char *dir, const char *sub, const char *name)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	if (asprintf(&path, "%s%s%s/%s", dir, sub && sub[0] == '/' ? "" : "/", sub ? sub : "",
		     name) < 0)
		return false;
	return lstat(path, &st) == 0;
}

/* A RUNPATH folder with $ORIGIN (or ${ORIGIN}) made origin; NULL for another $ word ($LIB). */
static char *expand_origin(const char *dir, const char *origin)
{
	_cleanup_buf_ struct buf b = {0};
	for (const char *p = dir; *p;) {
		if (strncmp(p, "$ORIGIN", 7) == 0 || strncmp(p, "${ORIGIN}", 9) == 0) {
			if (buf_puts(&b, origin) < 0)
				return NULL;
			p += p[1] == '{' ? 9 : 7;
		} else if (*p == '$') {
			return NULL;
		} else {
			if (buf_append(&b, p, 1) < 0)
				return NULL;
			p++;
		}
	}
	return b.data ? TAKE_PTR(b.data) : strdup("");
}

/* Does the guest see host folder dir at its own path (under the shared cwd)? */
static bool guest_sees(const struct libcheck_scope *s, const char *dir)
{
	if (!s->cwd)
		return true;
	_cleanup_free_ char *real = realpath(dir, NULL);
	return real && path_is_under(real, s->cwd);
}

static bool found_in_scope(const struct libcheck_scope *s, const struct strv *search,
			   const struct strv *lib_dirs, const char *name)
{
	if (libs_manifest_has(s->manifest, name))
		return true;
	for (size_t i = 0; i < search->len; i++) {
		const char *dir = search->items[i];
		if (dir[0] == '/' && guest_sees(s, dir) && has_entry(dir, NULL, name))
			return true;
		for (size_t j = 0; dir[0] == '/' && j < s->layers.len; j++)
			if (has_entry(s->layers.items[j], dir, name))
				return true;
	}
	for (size_t i = 0; i < s->ld_paths.len; i++)
		if (has_entry(s->ld_paths.items[i], NULL, name))
			return true;
	for (size_t i = 0; i < s->layers.len; i++)
		for (size_t j = 0; j < lib_dirs->len; j++)
			if (has_entry(s->layers.items[i], lib_dirs->items[j], name))
				return true;
	return false;
}

/* --- dpkg-query -S, with a plain argv --- */

static int dpkg_owner(const char *path, char **ret)
{
	char *const argv[] = {"dpkg-query", "-S", (char *)path, NULL};
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		child_reset_signals();
		if (child_die_with_parent(parent, SIGKILL) < 0)
			_exit(EXIT_QUIZ_FAILED);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pipefd[1], 1) < 0 || dup2(null, 2) < 0)
			_exit(EXIT_QUIZ_FAILED);
		child_close_fds();
		execvp(argv[0], argv);
		_exit(EXIT_NOT_FOUND);
	}
	(void)close(pipefd[1]);
	int r = pid < 0 ? -errno : 0;
	_cleanup_buf_ struct buf out = {0};
	char chunk[4096];
	ssize_t got;
	while (r >= 0 && (got = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			r = -errno;
		else if (out.len + (size_t)got > DPKG_OUTPUT_MAX)
			r = -EFBIG;
		else
			r = buf_append(&out, chunk, (size_t)got);
	}
	(void)close(pipefd[0]);
	if (pid > 0) {
		if (r < 0)
			(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (r < 0)
		return r;
	return out.data ? dpkg_owner_parse(out.data, ret) : -ENOENT;
}

/* The package of the host file path: as it is, through merged /usr's other name, its target. */
static int package_of(const char *path, char **ret)
{
	_cleanup_strv_ struct strv tries = {0};
	_cleanup_free_ char *real = realpath(path, NULL);
	const char *const forms[] = {path, real};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(forms); i++) {
		const char *p = forms[i];
		if (!p)
			continue;
		r = strv_push(&tries, p);
		if (r >= 0 && strncmp(p, "/usr/lib/", 9) == 0)
			r = strv_pushf(&tries, "%s", p + 4);
		else if (r >= 0 && strncmp(p, "/lib/", 5) == 0)
			r = strv_pushf(&tries, "/usr%s", p);
	}
	for (size_t i = 0; r >= 0 && i < tries.len; i++)
		if (dpkg_owner(tries.items[i], ret) == 0)
			return 0;
	return r < 0 ? r : -ENOENT;
}

int libcheck_find_package(const struct arch *a, const char *name, const struct strv *extra_dirs,
			  char **ret_host_path, char **ret_package)
{
	_cleanup_strv_ struct strv dirs = {0};
	int r = libcheck_lib_dirs(a, &dirs);
	if (r < 0)
		return r;
	_cleanup_free_ char *host = NULL;
	for (size_t i = 0; !host && i < dirs.len; i++)
		if (has_entry("", dirs.items[i], name) &&
		    asprintf(&host, "/%s/%s", dirs.items[i], name) < 0)
			return -ENOMEM;
	for (size_t i = 0; !host && extra_dirs && i < extra_dirs->len; i++)
		if (extra_dirs->items[i][0] == '/' && has_entry(extra_dirs->items[i], NULL, name) &&
		    asprintf(&host, "%s/%s", extra_dirs->items[i], name) < 0)
			return -ENOMEM;
	_cleanup_free_ char *package = NULL;
	/* Only a plain name is asked about: dpkg-query -S takes glob patterns. */
	if (host && lib_name_valid(name, strlen(name)) && (r = package_of(host, &package)) < 0 &&
	    r != -ENOENT)
		return r;
	*ret_host_path = TAKE_PTR(host);
	*ret_package = TAKE_PTR(package);
	return 0;
}

/* --- one file --- */

/* The file at path, whole, when it is an ELF file: -ENOEXEC when it is not. */
static int read_elf(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOEXEC;
	char magic[4];
	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    !elf_is(magic, sizeof(magic)))
		return -ENOEXEC;
	if (st.st_size > ELF_READ_MAX)
		return -EFBIG;
	return read_fd(fd, ret, ret_len);
}

int libcheck_file(const struct libcheck_scope *s, const char *path, struct libcheck_list *ret)
{
	_cleanup_free_ char *data = NULL, *real = realpath(path, NULL);
	size_t len = 0;
	int r = real ? read_elf(real, &data, &len) : -errno;
	if (r < 0)
		return r;
	struct elf_needed e = {0};
	if ((r = elf_needed_parse(data, len, &e)) < 0)
		return r;
	_cleanup_strv_ struct strv search = {0}, lib_dirs = {0};
	if (e.machine != s->arch->elf_machine || e.big_endian != s->arch->big_endian)
		r = -EXDEV; /* another machine, or Power of the other byte order */
	else
		r = libcheck_lib_dirs(s->arch, &lib_dirs);
	const char *origin = dirname(real);
	for (size_t i = 0; r >= 0 && i < e.search.len; i++) {
		char *dir = expand_origin(e.search.items[i], origin);
		if (dir && dir[0] == '/')
			r = strv_push_take(&search, dir);
		else
			free(dir); /* another $ word, or a folder relative to where it runs */
	}
	for (size_t i = 0; r >= 0 && i < e.needed.len; i++) {
		const char *name = e.needed.items[i];
		if (strchr(name, '/') || found_in_scope(s, &search, &lib_dirs, name))
			continue; /* a path in DT_NEEDED is the loader's to open, as it is */
		struct libcheck_missing m = {0};
		struct libcheck_missing *items =
			reallocarray(ret->items, ret->n + 1, sizeof(*ret->items));
		if (!items || !(m.name = strdup(name))) {
			r = -ENOMEM;
			if (items)
				ret->items = items;
			break;
		}
		ret->items = items;
		r = libcheck_find_package(s->arch, name, &search, &m.host_path, &m.package);
		ret->items[ret->n++] = m;
	}
	elf_needed_free(&e);
	return r;
}

/* --- what is said --- */

int libcheck_fix_text(const struct arch *a, const struct libcheck_missing *m, struct buf *out)
{
	if (m->package)
		return buf_printf(out, "Debian's %s has it; add it: quiz-image build%s%s --add %s",
				  m->package, arch_flag(a), arch_word(a), m->package);
	if (m->host_path)
		return buf_printf(out, "not from a Debian package (%s): carry it with --system DIR",
				  m->host_path);
	return buf_puts(out, "not on this host either: carry it with --system DIR");
}

int libcheck_add_command(const struct arch *a, const struct libcheck_list *l, struct buf *out)
{
	int r = 0;
	bool any = false;
	for (size_t i = 0; r >= 0 && i < l->n; i++) {
		const char *p = l->items[i].package;
		bool seen = !p;
		for (size_t j = 0; !seen && j < i; j++)
			seen = l->items[j].package && STREQ(l->items[j].package, p);
		if (seen)
			continue;
		if (!any)
			r = buf_printf(out, "quiz-image build%s%s --add", arch_flag(a),
				       arch_word(a));
		any = true;
		if (r >= 0)
			r = buf_printf(out, " %s", p);
	}
	return r >= 0 && !any ? buf_puts(out, "") : r;
}

/* The interpreter of a "#!" script's first line, or NULL. */
static char *script_interpreter(const char *path)
{
	char head[256];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof(head) - 1);
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return NULL;
	head[n] = '\0';
	char *p = head + 2 + strspn(head + 2, " \t");
	size_t len = strcspn(p, " \t\n");
	return len && p[len] ? strndup(p, len) : NULL; /* a line cut short is not said whole */
}

static int check_one(const struct libcheck_scope *s, const char *label, const char *path)
{
	_cleanup_(libcheck_list_free) struct libcheck_list missing = {0};
	int r = libcheck_file(s, path, &missing);
	if (r == -ENOEXEC || r == -EXDEV)
		return 0;
	if (r < 0) {
		log_debug("%s: its libraries were not checked: %s", label, strerror(-r));
		return 0;
	}
	for (size_t i = 0; i < missing.n; i++) {
		_cleanup_buf_ struct buf fix = {0};
		if (libcheck_fix_text(s->arch, &missing.items[i], &fix) >= 0)
			log_error("%s needs %s, which the guest image lacks: %s", label,
				  missing.items[i].name, fix.data);
	}
	return (int)missing.n;
}

int libcheck_program(const struct libcheck_scope *s, const char *prog)
{
	if (!prog || !strchr(prog, '/') || !s->cwd)
		return 0; /* looked up in the guest's PATH */
	_cleanup_free_ char *real = realpath(prog, NULL);
	if (!real || !path_is_under(real, s->cwd))
		return 0; /* copied into the run layer, or not there: said elsewhere */
	int n = check_one(s, prog, real);
	if (n)
		return n;
	_cleanup_free_ char *interp = script_interpreter(real), *real_interp = NULL;
	if (interp && interp[0] == '/' && (real_interp = realpath(interp, NULL)) &&
	    path_is_under(real_interp, s->cwd))
		n = check_one(s, interp, real_interp);
	return n;
}

void libcheck_after_127(const struct arch *a, const struct libs_manifest *manifest,
			const struct strv *names)
{
	for (size_t i = 0; i < names->len; i++) {
		struct libcheck_missing m = {.name = names->items[i]};
		if (manifest && libs_manifest_has(manifest, m.name))
			continue; /* the image has it: the program looked elsewhere */
		if (libcheck_find_package(a, m.name, NULL, &m.host_path, &m.package) < 0)
			continue;
		if (m.package)
			log_error("the guest image lacks %s (Debian's %s has it); add it: "
				  "quiz-image build%s%s --add %s",
				  m.name, m.package, arch_flag(a), arch_word(a), m.package);
		else if (m.host_path)
			log_error("the guest image lacks %s (not from a Debian package: %s); carry "
				  "it with --system DIR",
				  m.name, m.host_path);
		else
			log_error("the guest image lacks %s; carry it with --system DIR", m.name);
		free(m.host_path);
		free(m.package);
	}
}

/* -e LD_LIBRARY_PATH's folders the guest sees at their path (relative: to the cwd). */
static int scope_ld_paths(struct libcheck_scope *s, const struct strv *env)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < env->len; i++) {
		const char *v = env->items[i];
		if (strncmp(v, "LD_LIBRARY_PATH=", 16) != 0)
			continue;
		for (v += 16; r >= 0 && *v;) {
			size_t n = strcspn(v, ":");
			_cleanup_free_ char *dir = NULL;
			if (n && asprintf(&dir, "%s%s%.*s", v[0] == '/' ? "" : s->cwd,
					  v[0] == '/' ? "" : "/", (int)n, v) < 0)
				r = -ENOMEM;
			else if (n && guest_sees(s, dir))
				r = strv_push(&s->ld_paths, dir);
			v += n + (v[n] == ':');
		}
	}
	return r;
}

#define PROJECT_LIST ".quiz/image.list"

/* The packages a project's .quiz/image.list names that the image lacks: one line, and 125. */
static int project_list_check(const struct libs_manifest *m, const struct arch *a)
{
	_cleanup_free_ char *text = NULL, *error = NULL;
	size_t len = 0;
	int r = read_file(PROJECT_LIST, &text, &len);
	if (r == -ENOENT)
		return 0;
	_cleanup_strv_ struct strv want = {0};
	if (r >= 0)
		r = image_list_parse(text, len, &want, &error);
	if (r < 0) {
		log_error(PROJECT_LIST ": %s; fix it, then: quiz-image build%s%s",
			  error ? error : strerror(-r), arch_flag(a), arch_word(a));
		return EXIT_QUIZ_FAILED;
	}
	_cleanup_buf_ struct buf lacks = {0};
	for (size_t i = 0; r >= 0 && i < want.len; i++) {
		bool has = false;
		for (size_t j = 0; !has && j < m->packages.len; j++)
			has = STREQ(m->packages.items[j], want.items[i]);
		if (!has)
			r = buf_printf(&lacks, "%s%s", lacks.len ? " " : "", want.items[i]);
	}
	if (r < 0)
		return r;
	if (!lacks.len)
		return 0;
	log_error("the guest image lacks %s, which " PROJECT_LIST " names; add them: quiz-image "
		  "build%s%s (here: it reads that list)",
		  lacks.data, arch_flag(a), arch_word(a));
	return EXIT_QUIZ_FAILED;
}

int libcheck_before_boot(const struct quiz_options *o, const char *cwd, const struct arch *a,
			 const char *image, const struct profile_set *profiles)
{
	_cleanup_free_ char *error = NULL;
	struct libs_manifest manifest = {0};
	int r = libcheck_manifest_load(image, &manifest, &error);
	if (r == -ENOENT) {
		log_debug("%s.manifest: none (an image built before manifests): libraries not "
			  "checked",
			  image);
		return 0;
	}
	if (r < 0) {
		log_error("%s.manifest: %s; libraries not checked (rebuild it: quiz-image build)",
			  image, error ? error : strerror(-r));
		return 0;
	}
	int k = project_list_check(&manifest, a);
	if (k != 0) {
		libs_manifest_free(&manifest);
		return k < 0 ? EXIT_QUIZ_FAILED : k;
	}
	struct libcheck_scope s = {
		.arch = a, .manifest = &manifest, .cwd = cwd && cwd_shareable(cwd) ? cwd : NULL};
	const char *dirs[] = {o->user_dir, o->system_dir};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++)
		if (dirs[i])
			r = strv_push(&s.layers, dirs[i]);
	for (size_t i = 0; r >= 0 && profiles && i < profiles->n; i++) {
		const struct profile *p = profiles->items[i].profile;
		if (p->files)
			r = strv_pushf(&s.layers, "%s/files", p->dir);
	}
	if (r >= 0 && s.cwd)
		r = scope_ld_paths(&s, &o->env);
	int n = r >= 0 && s.cwd && o->program[0] ? libcheck_program(&s, o->program[0]) : 0;
	libcheck_scope_free(&s);
	libs_manifest_free(&manifest);
	return n > 0 ? EXIT_NOT_FOUND : 0;
}
