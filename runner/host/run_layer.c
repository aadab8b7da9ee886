/* SPDX-License-Identifier: MIT */
/* Writing the run layer (contract, kernel files, a copied program) and choosing the shares. */
#include "run_layer.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "coverage.h"
#include "guest_layout.h"
#include "layer_files.h"
#include "layout.h"
#include "settings.h"

static int add_share(struct run_shares *s, const char *name, const char *path, bool writable)
{
	if (s->n >= MAX_SHARES)
		return -E2BIG;
	/* QEMU runs in the run directory: relative paths must not reach it. */
	_cleanup_free_ char *abs = realpath(path, NULL);
	if (!abs)
		return -errno;
	int r = strv_pushf(&s->owned, TAG_PREFIX "%s", name);
	if (r < 0)
		return r;
	const char *tag = s->owned.items[s->owned.len - 1];
	r = strv_push(&s->owned, abs);
	if (r < 0)
		return r;
	s->items[s->n++] = (struct share){tag, s->owned.items[s->owned.len - 1], writable};
	return 0;
}

static bool has_share(const struct run_shares *s, const char *tag)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (STREQ(s->items[i].tag, tag))
			return true;
	return false;
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || (n == 1 && dir[0] == '/'));
}

/* Does path have a ".." component? */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

int contract_build(const struct run_setup *s, const char *const *argv, size_t argc,
		   const struct run_shares *shares, struct buf *ret)
{
	_cleanup_run_settings_ struct run_settings rs = {0};
	const struct quiz_options *o = s->options;
	int r = 0;
	for (size_t i = 0; r >= 0 && i < argc; i++)
		r = strv_push(&rs.args, argv[i]);
	for (size_t i = 0; r >= 0 && i < o->env.len; i++)
		r = strv_push(&rs.env, o->env.items[i]);
	if (r >= 0 && (has_share(shares, TAG_CWD) || s->cwd_image) && !(rs.cwd = strdup(s->cwd)))
		r = -ENOMEM;
	rs.cwd_image = s->cwd_image;
	/* Lower layers below the run layer (which holds the kernel layer), top first. */
	static const char *const layer_order[] = {"user", "system"};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(layer_order); i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), TAG_PREFIX "%s", layer_order[i]);
		if (has_share(shares, tag))
			r = strv_push(&rs.layers, layer_order[i]);
	}
	rs.shared = has_share(shares, TAG_SHARED);
	rs.coverage = has_share(shares, TAG_COVERAGE);
	rs.mode = STREQ(s->mode, "tmux") ? GUEST_MODE_TMUX : GUEST_MODE_RAW;
	rs.dmesg = o->dmesg;
	rs.verbose = o->verbose;
	rs.shell = o->shell_after;
	rs.attach = s->attach;
	if (r >= 0 && rs.mode == GUEST_MODE_TMUX) {
		struct winsize ws = {0};
		const char *term = getenv("TERM");
		if (ioctl(1, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
			ws = (struct winsize){.ws_row = SETTINGS_DEFAULT_ROWS,
					      .ws_col = SETTINGS_DEFAULT_COLS};
		rs.rows = ws.ws_row;
		rs.cols = ws.ws_col;
		if (!(rs.term = strdup(term && term[0] ? term : "xterm-256color")))
			r = -ENOMEM;
	}
	if (r >= 0 && !(rs.kernel = strdup(s->kernel->release)))
		r = -ENOMEM;
	_cleanup_buf_ struct buf names = {0};
	for (size_t i = 0; r >= 0 && s->profiles && i < s->profiles->n; i++) {
		const struct resolved_profile *rp = &s->profiles->items[i];
		r = buf_printf(&names, "%s%s", i ? "," : "", rp->profile->name);
		if (r >= 0 && rp->profile->guest_hook)
			r = strv_push(&rs.hooks, rp->profile->name);
		for (size_t j = 0; r >= 0 && j < rp->n_values; j++)
			r = strv_pushf(&rs.options, "%s.%s=%s", rp->profile->name,
				       rp->values[j].name, rp->values[j].value);
	}
	if (r >= 0 && !(rs.profiles = names.data ? TAKE_PTR(names.data) : strdup("")))
		r = -ENOMEM;
	if (r < 0)
		return r;
	return run_settings_encode(&rs, ret);
}

/* argv[0] outside the shared directory: copy it in and point argv[0] at the copy. */
static int place_program(const struct run_setup *s, int layer_fd, const char **argv0,
			 char **ret_owned)
{
	const char *prog = *argv0;
	if (!strchr(prog, '/'))
		return 0; /* looked up in the guest's PATH */
	_cleanup_free_ char *abs = realpath(prog, NULL);
	if (!abs)
		return -errno;
	if (cwd_shareable(s->cwd) && is_under(abs, s->cwd)) {
		/* The guest has the current directory at its real path (s->cwd) and nothing at
		 * the host's symlinks to it: a path that reaches the program through one (or
		 * climbs out with "..") becomes the real one, still under the cwd. */
		if (!has_dotdot(prog) && (prog[0] != '/' || is_under(prog, s->cwd)))
			return 0; /* visible at the same path */
		*ret_owned = TAKE_PTR(abs);
		*argv0 = *ret_owned;
		return 0;
	}
	_cleanup_free_ char *copy = strdup(abs), *guest = NULL, *host_rel = NULL;
	if (!copy)
		return -ENOMEM;
	const char *base = basename(copy);
	if (asprintf(&guest, GUEST_BIN "/%s", base) < 0 ||
	    asprintf(&host_rel, "quiz/run/bin/%s", base) < 0)
		return -ENOMEM;
	int r = layer_copy_file(abs, layer_fd, host_rel, 0755);
	if (r < 0)
		return r;
	*argv0 = guest;
	*ret_owned = TAKE_PTR(guest);
	return 0;
}

static int choose_shares(const struct run_setup *s, const char *run_dir, struct run_shares *sh)
{
	const struct quiz_options *o = s->options;
	_cleanup_free_ char *layer = NULL, *coverage = NULL;
	if (asprintf(&layer, "%s/layer", run_dir) < 0 ||
	    asprintf(&coverage, "%s/" COVERAGE_SHARE, run_dir) < 0)
		return -ENOMEM;
	int r = add_share(sh, "run", layer, false);
	/* "/" as the current directory would cover the guest's whole root: not shared. */
	/* A system folder of the guest as the current directory is not shown: /root instead. */
	if (r >= 0 && cwd_shareable(s->cwd) && !s->cwd_image)
		r = add_share(sh, "cwd", s->cwd, false);
	if (r >= 0 && o->user_dir)
		r = add_share(sh, "user", o->user_dir, false);
	if (r >= 0 && o->system_dir)
		r = add_share(sh, "system", o->system_dir, false);
	if (r >= 0 && o->shared_dir)
		r = add_share(sh, "shared", o->shared_dir, true);
	/*
	 * QEMU would apply what the guest asks of a writable share with its own rights: a user's
	 * setuid programs and world-writable folders, root's devices and files of any owner. The
	 * guest's owners and modes live in xattrs instead (mapped-xattr), for every user: the host
	 * gets plain files of quiz's user, 0600 (folders 0700).
	 */
	if (r >= 0 && o->shared_dir)
		sh->items[sh->n - 1].mapped = true;
	/* gcov's counters after the program (coverage.h): hostile, as any of the guest's files. */
	if (r >= 0 && o->coverage && !(r = add_share(sh, "coverage", coverage, true)))
		sh->items[sh->n - 1].mapped = true;
	return r;
}

int run_layer_write(const struct run_setup *s, int run_dir_fd, const char *run_dir,
		    struct run_shares *ret_shares)
{
	struct run_shares sh = {0};
	_cleanup_free_ char *owned_argv0 = NULL;
	_cleanup_buf_ struct buf contract = {0};
	_cleanup_close_ int layer_fd = -1;
	const char **argv = (const char **)s->options->program;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	const char *argv0 = argc ? argv[0] : NULL;

	int r = layer_open_dir(run_dir_fd, "layer", true, &layer_fd);
	if (r >= 0)
		r = layer_mkdir_p(layer_fd, "quiz/run/hooks");
	if (r >= 0 && s->options->coverage && mkdirat(run_dir_fd, COVERAGE_SHARE, 0700) < 0)
		r = -errno;
	if (r < 0)
		return r;
	/*
	 * The kernel layer (modules, vmlinux) joins the run layer as hard links: microvm has 8
	 * virtio-mmio slots, and a share of its own would take one from the user's disks.
	 */
	if (s->kernel->layer)
		r = layer_copy_tree(s->kernel->layer, layer_fd, "", true, NULL);
	if (r >= 0 && argc)
		r = place_program(s, layer_fd, &argv0, &owned_argv0);
	if (r >= 0)
		r = choose_shares(s, run_dir, &sh);
	if (r < 0) {
		run_shares_free(&sh);
		return r;
	}

	_cleanup_free_ const char **args = calloc(argc + 1, sizeof(char *));
	if (!args) {
		run_shares_free(&sh);
		return -ENOMEM;
	}
	for (size_t i = 0; i < argc; i++)
		args[i] = i ? argv[i] : argv0;
	r = contract_build(s, args, argc, &sh, &contract);
	if (r >= 0)
		r = layer_write_file(layer_fd, "quiz/run/contract", contract.data, contract.len,
				     0644);
	if (r < 0) {
		run_shares_free(&sh);
		return r;
	}
	*ret_shares = sh;
	return 0;
}

void run_shares_free(struct run_shares *s)
{
	strv_free(&s->owned);
	s->n = 0;
}
