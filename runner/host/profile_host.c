/* SPDX-License-Identifier: MIT */
/* Finding profiles in their folders and applying a resolved set: kconfig, files, hooks. */
#include "profile_host.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "exit_status.h"
#include "file.h"
#include "interrupt.h"
#include "layer_files.h"
#include "log.h"
#include "paths.h"
#include "signals.h"

static int add_dir(struct profile_catalog *c, const char *source, const char *fmt, ...)
	_printf_(3, 4);
static int add_dir(struct profile_catalog *c, const char *source, const char *fmt, ...)
{
	va_list ap;
	char *dir = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&dir, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	int r = strv_push_take(&c->dirs, dir);
	return r < 0 ? r : strv_push(&c->sources, source);
}

int profile_catalog_init(struct profile_catalog *c, const char *data_dir, char *const *extra_dirs,
			 size_t n_extra)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int r = add_dir(c, "shipped", "%s/profiles", data_dir);
	if (r >= 0 && xdg && xdg[0])
		r = add_dir(c, "user", "%s/quiz/profiles", xdg);
	else if (r >= 0 && home && home[0])
		r = add_dir(c, "user", "%s/.config/quiz/profiles", home);
	if (r >= 0)
		r = add_dir(c, "project", ".quiz/profiles");
	for (size_t i = 0; r >= 0 && i < n_extra; i++)
		r = add_dir(c, "--profile-dir", "%s", extra_dirs[i]);
	return r;
}

void profile_catalog_free(struct profile_catalog *c)
{
	for (size_t i = 0; i < c->n_loaded; i++) {
		profile_free(c->loaded[i]);
		free(c->loaded[i]);
	}
	free(c->loaded);
	strv_free(&c->dirs);
	strv_free(&c->sources);
	c->loaded = NULL;
	c->n_loaded = 0;
}

/* Where p (found in folder i) was found, and the folder before i it shadows, if any. */
static int note_origin(const struct profile_catalog *c, size_t i, const char *name,
		       struct profile *p)
{
	const char *dir = c->dirs.items[i];
	bool dotted = dir[0] == '/' || strncmp(dir, "./", 2) == 0 || strncmp(dir, "../", 3) == 0;
	if (asprintf(&p->found_at, "%s%s/%s", dotted ? "" : "./", dir, name) < 0) {
		p->found_at = NULL;
		return -ENOMEM;
	}
	for (size_t j = i; j-- > 0;) {
		_cleanup_free_ char *ini = NULL;
		if (asprintf(&ini, "%s/%s/profile.ini", c->dirs.items[j], name) < 0)
			return -ENOMEM;
		if (access(ini, F_OK) == 0)
			return (p->shadows = strdup(c->sources.items[j])) ? 0 : -ENOMEM;
	}
	return 0;
}

int profile_catalog_lookup(const char *name, void *userdata, const struct profile **ret,
			   char **ret_error)
{
	struct profile_catalog *c = userdata;
	for (size_t i = 0; i < c->n_loaded; i++)
		if (STREQ(c->loaded[i]->name, name)) {
			*ret = c->loaded[i];
			return 0;
		}
	for (size_t i = c->dirs.len; i-- > 0;) {
		_cleanup_free_ char *dir = NULL, *ini = NULL;
		if (asprintf(&dir, "%s/%s", c->dirs.items[i], name) < 0 ||
		    asprintf(&ini, "%s/profile.ini", dir) < 0)
			return -ENOMEM;
		if (access(ini, F_OK) < 0)
			continue;
		char *abs = realpath(dir, NULL); /* hooks run in the run directory */
		if (!abs)
			return -errno;
		free(dir);
		dir = abs;
		struct profile **grown = realloc(c->loaded, (c->n_loaded + 1) * sizeof(*grown));
		struct profile *p = calloc(1, sizeof(*p));
		if (grown)
			c->loaded = grown;
		if (!grown || !p) {
			free(p);
			return -ENOMEM;
		}
		int r = profile_load(dir, name, c->sources.items[i], p, ret_error);
		if (r >= 0)
			r = note_origin(c, i, name, p);
		if (r < 0) {
			profile_free(p);
			free(p);
			return r;
		}
		c->loaded[c->n_loaded++] = p;
		*ret = p;
		return 0;
	}
	if (asprintf(ret_error, "unknown profile '%s'; see quiz --list-profiles", name) < 0)
		*ret_error = NULL;
	return -ENOENT;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int profile_catalog_list(struct profile_catalog *c, FILE *out)
{
	_cleanup_strv_ struct strv names = {0};
	for (size_t i = 0; i < c->dirs.len; i++) {
		DIR *d = opendir(c->dirs.items[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			bool seen = de->d_name[0] == '.';
			for (size_t k = 0; !seen && k < names.len; k++)
				seen = STREQ(names.items[k], de->d_name);
			if (!seen && strv_push(&names, de->d_name) < 0) {
				closedir(d);
				return -ENOMEM;
			}
		}
		if (d)
			closedir(d);
	}
	if (names.len)
		qsort(names.items, names.len, sizeof(char *), by_name);
	fprintf(out, "%-12s %-14s %s\n", "PROFILE", "SOURCE", "DESCRIPTION");
	for (size_t i = 0; i < names.len; i++) {
		const struct profile *p = NULL;
		_cleanup_free_ char *error = NULL;
		if (profile_catalog_lookup(names.items[i], c, &p, &error) < 0) {
			if (error) /* a folder without profile.ini is not a profile */
				fprintf(out, "%-12s %-14s (broken: %s)\n", names.items[i], "?",
					error);
			continue;
		}
		fprintf(out, "%-12s %-14s %s\n", p->name, p->source,
			p->description ? p->description : "");
	}
	return 0;
}

int profile_catalog_describe(struct profile_catalog *c, const char *name, FILE *out,
			     char **ret_error)
{
	const struct profile *p = NULL;
	int r = profile_catalog_lookup(name, c, &p, ret_error);
	if (r < 0)
		return r;
	fprintf(out, "%s (%s, %s)\n", p->name, p->source, p->dir);
	if (p->description)
		fprintf(out, "  %s\n", p->description);
	fprintf(out, "options:%s\n", p->n_options ? "" : " none");
	for (size_t i = 0; i < p->n_options; i++)
		fprintf(out, "  %s = %s\n", p->options[i].name, p->options[i].value);
	for (size_t i = 0; i < p->requires.len; i++)
		fprintf(out, "requires: %s\n", p->requires.items[i]);
	for (size_t i = 0; i < p->kconfig.len; i++)
		fprintf(out, "needs: %s\n", p->kconfig.items[i]);
	for (size_t i = 0; i < p->qemu_args.len; i++)
		fprintf(out, "qemu: %s\n", p->qemu_args.items[i]);
	for (size_t i = 0; i < p->kernel_words.len; i++)
		fprintf(out, "kernel: %s\n", p->kernel_words.items[i]);
	fprintf(out, "parts:%s%s%s\n", p->host_hook ? " host-hook" : "",
		p->guest_hook ? " guest-hook" : "", p->files ? " files/" : "");
	return 0;
}

int profiles_check_kconfig(const struct profile_set *s, const struct kernel *k, char **ret_error)
{
	_cleanup_free_ char *config = NULL;
	if (!k->config || read_file(k->config, &config, NULL) < 0)
		return 0; /* nothing to check against: the boot will tell */
	for (size_t i = 0; i < s->n; i++) {
		const struct profile *p = s->items[i].profile;
		_cleanup_buf_ struct buf wanted = {0};
		_cleanup_strv_ struct strv missing = {0};
		for (size_t j = 0; j < p->kconfig.len; j++)
			if (buf_printf(&wanted, "%s\n", p->kconfig.items[j]) < 0)
				return -ENOMEM;
		if (!wanted.len)
			continue;
		int r = kconfig_missing(config, wanted.data, &missing);
		if (r < 0)
			return r;
		if (missing.len) {
			/* "CONFIG_X=y" reads as "CONFIG_X"; other values are shown whole. */
			char *want = missing.items[0], *eq = strchr(want, '=');
			bool plain_y = eq && STREQ(eq, "=y");
			if (plain_y)
				*eq = '\0';
			if (asprintf(ret_error,
				     "profile %s needs %s, kernel %s lacks it; build a kernel with "
				     "it: "
				     "quiz-kernel build %s %s SOURCE",
				     p->name, want, k->release, plain_y ? "-e" : "--set", want) < 0)
				*ret_error = NULL;
			return -ENOEXEC;
		}
	}
	return 0;
}

/* What stood in the way of a profile's files/ entry, by its error; NULL: another error. */
static const char *in_the_way(int r)
{
	switch (r) {
	case -ELOOP: return "a symlink there (quiz never writes through one)";
	case -ENOTDIR: return "a file where this is a folder";
	case -EISDIR: return "a folder where this is not one";
	default: return NULL;
	}
}

int profiles_write_layer(const struct profile_set *s, int layer_fd, char **ret_error)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct profile *p = s->items[i].profile;
		_cleanup_free_ char *src = NULL, *hook = NULL, *where = NULL;
		int r = 0;
		if (p->files) {
			if (asprintf(&src, "%s/files", p->dir) < 0)
				return -ENOMEM;
			r = layer_copy_tree(src, layer_fd, "", false, &where);
			if (r < 0 && in_the_way(r)) {
				set_error(
					ret_error,
					"profile %s: files/%s: the run layer already has %s, from "
					"the kernel layer or an earlier profile; leave it out of "
					"one of them",
					p->name, where ? where : "", in_the_way(r));
				return r;
			}
		}
		if (r >= 0 && p->guest_hook) {
			free(src);
			src = NULL;
			if (asprintf(&src, "%s/guest-hook", p->dir) < 0 ||
			    asprintf(&hook, "quiz/run/hooks/%s", p->name) < 0)
				return -ENOMEM;
			r = layer_copy_file(src, layer_fd, hook, 0755);
		}
		if (r < 0) {
			set_error(ret_error,
				  "profile %s: cannot copy its files into the run layer: %s",
				  p->name, strerror(-r));
			return r;
		}
	}
	return 0;
}

/* QUIZ_OPT_<NAME> (upper case, '-' as '_') for each option of a profile. */
static int option_env(const struct resolved_profile *rp, struct strv *env)
{
	for (size_t i = 0; i < rp->n_values; i++) {
		_cleanup_free_ char *key = strdup(rp->values[i].name);
		if (!key)
			return -ENOMEM;
		for (char *c = key; *c; c++)
			*c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
		int r = strv_pushf(env, "QUIZ_OPT_%s=%s", key, rp->values[i].value);
		if (r < 0)
			return r;
	}
	return 0;
}

/* 0 with the hook's exit status in *ret_status (128+S: killed by S); -errno: not run. */
static int run_host_hook(const struct resolved_profile *rp, const char *run_dir,
			 const struct kernel *k, const char *args_file, int *ret_status)
{
	_cleanup_strv_ struct strv env = {0};
	_cleanup_free_ char *hook = NULL;
	const struct profile *p = rp->profile;
	if (asprintf(&hook, "%s/host-hook", p->dir) < 0)
		return -ENOMEM;
	int r = option_env(rp, &env);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_PROFILE=%s", p->name);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_PROFILE_DIR=%s", p->dir);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_RUN_DIR=%s", run_dir);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_QEMU_ARGS=%s", args_file);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_KERNEL=%s", k->release);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_KERNEL_DIR=%s", k->dir ? k->dir : "");
	/* The guest's architecture, for hooks that add devices (virtio-blk-device, -ccw) or say
	 * how to attach a debugger. */
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_ARCH=%s", k->arch->name);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_VIRTIO=%s", k->arch->virtio_suffix);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_GDB_ARCH=%s", k->arch->gdb_arch);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_FOREIGN=%d", k->arch != arch_host());
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_VERBOSE=%d", log_verbose ? 1 : 0);
	if (r < 0)
		return r;
	/* Its own process group: a stop signal to quiz ends the hook and its children, and so does
	 * quiz's death (they would go on in a run folder the next quiz removes). */
	pid_t pid = fork_group_child();
	if (pid < 0)
		return pid;
	if (pid == 0) {
		/* Its words are diagnostics: stdout joins stderr, the program owns stdout. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		child_reset_signals();
		if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0 || chdir(run_dir) < 0)
			_exit(EXIT_CANNOT_EXECUTE);
		child_close_fds();
		for (size_t i = 0; i < env.len; i++)
			(void)putenv(env.items[i]);
		execl(hook, hook, (char *)NULL);
		_exit(EXIT_NOT_FOUND);
	}
	(void)setpgid(pid, pid); /* also here: kill(-pid) must work before the child runs */
	int status;
	r = child_wait(pid, &status);
	if (r < 0)
		return r;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SIGNALED + WTERMSIG(status);
	return 0;
}

/* One argument per line; an empty file adds nothing. */
static int read_args(const char *path, struct strv *args)
{
	_cleanup_free_ char *text = NULL;
	if (read_file(path, &text, NULL) < 0)
		return 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = strv_push(args, line);
		if (r < 0)
			return r;
	}
	return 0;
}

int profiles_run_host_hooks(const struct profile_set *s, const char *run_dir,
			    const struct kernel *k, struct strv *qemu_args, size_t *ret_cold,
			    char **ret_error)
{
	*ret_cold = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct profile *p = s->items[i].profile;
		if (!p->host_hook)
			continue;
		_cleanup_free_ char *args_file = NULL;
		if (asprintf(&args_file, "%s/qemu-args.%s", run_dir, p->name) < 0)
			return -ENOMEM;
		int status = 0;
		int r = run_host_hook(&s->items[i], run_dir, k, args_file, &status);
		if (r >= 0 && status == HOST_HOOK_BAD_OPTION)
			return -EINVAL; /* it said what was wrong */
		if (r >= 0 && status) {
			if (asprintf(ret_error, "profile %s: host hook failed with status %d",
				     p->name, status) < 0)
				*ret_error = NULL;
			return -EIO;
		}
		size_t before = qemu_args->len;
		if (r >= 0)
			r = read_args(args_file, qemu_args);
		if (r >= 0 && !p->saved_state)
			*ret_cold += qemu_args->len - before;
		if (r < 0) {
			if (asprintf(ret_error, "profile %s: host hook: %s", p->name,
				     strerror(-r)) < 0)
				*ret_error = NULL;
			return r;
		}
	}
	return 0;
}
