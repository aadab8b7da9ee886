/* SPDX-License-Identifier: MIT */
/* A run's second stage: its folder, the layer the guest reads, the hooks, QEMU's argv. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exit_status.h"
#include "interrupt.h"
#include "log.h"
#include "outcome.h"
#include "qemu_argv.h"
#include "run_info_host.h"
#include "run_internal.h"

static int apply_profiles(const struct profile_set *set, const struct run_dir *dir,
			  const struct kernel *k, bool dry_run, struct strv *hook_args,
			  size_t *hook_cold)
{
	_cleanup_free_ char *error = NULL;
	_cleanup_close_ int layer_fd = openat(dir->fd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = layer_fd < 0 ? -errno : profiles_write_layer(set, layer_fd, &error);
	if (r >= 0 && !dry_run) /* hooks make disks and print: a dry run boots nothing */
		r = profiles_run_host_hooks(set, dir->path, k, hook_args, hook_cold, &error);
	/* No message after a stop signal (the caller says so) or a hook's own word on its options.
	 */
	if (r < 0 && !interrupt_requested() && (error || r != -EINVAL))
		log_error("%s", error ? error : strerror(-r));
	return r;
}

/*
 * Kernel words and QEMU arguments: profiles (in order, then their host hooks), then the user's.
 * *cold: how many of the arguments keep the run from saved VM states (those of profiles without
 * saved-state = yes, hooks' as counted in *cold already, and the user's).
 */
static int gather_extras(const struct quiz_options *o, const struct profile_set *set,
			 const struct strv *hook_args, struct strv *words, struct strv *args,
			 size_t *cold)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < set->n; i++) {
		for (size_t j = 0; r >= 0 && j < set->items[i].kernel_words.len; j++) {
			const char *w = set->items[i].kernel_words.items[j];
			const char *why = kernel_word_problem(w);
			if (why) {
				log_error("profile %s: kernel word '%s' %s",
					  set->items[i].profile->name, w, why);
				return -EINVAL;
			}
			r = strv_push(words, w);
		}
		for (size_t j = 0; r >= 0 && j < set->items[i].qemu_args.len; j++)
			r = strv_push(args, set->items[i].qemu_args.items[j]);
		if (!set->items[i].profile->saved_state)
			*cold += set->items[i].qemu_args.len;
	}
	for (size_t i = 0; r >= 0 && i < hook_args->len; i++)
		r = strv_push(args, hook_args->items[i]);
	for (size_t i = 0; r >= 0 && i < o->append.len; i++)
		r = strv_push(words, o->append.items[i]);
	for (size_t i = 0; r >= 0 && i < o->qemu_args.len; i++)
		r = strv_push(args, o->qemu_args.items[i]);
	*cold += o->qemu_args.len;
	return r;
}

/* The QEMU argv; *ret_extra: how many of its arguments (of profiles, hooks and the user) keep the
 * run from saved VM states, hook_cold of them counted already (profiles_run_host_hooks). */
static int build_argv(const struct quiz_options *o, const struct run_env *env, const char *home,
		      const struct kernel *k, const char *image, const char *tree_image,
		      const struct run_shares *sh, const struct profile_set *set,
		      const struct strv *hook_args, size_t hook_cold, bool tty, enum accel accel,
		      struct strv *argv, size_t *ret_extra)
{
	_cleanup_strv_ struct strv words = {0}, args = {0};
	size_t cold = hook_cold;
	int r = gather_extras(o, set, hook_args, &words, &args, &cold);
	if (r < 0)
		return r;
	*ret_extra = cold;
	const struct arch *a = k->arch;
	if (o->cpus > a->max_cpus) {
		int name = (int)strcspn(a->machine, ","); /* "pseries", not its properties */
		log_error("-c %u: %s's QEMU machine (%.*s) takes at most %u CPUs", o->cpus, a->name,
			  name, a->machine, a->max_cpus);
		return -E2BIG;
	}
	struct qemu_plan plan = {
		.arch = a,
		.qemu = run_qemu_binary(env, a),
		.kvm = accel == ACCEL_KVM,
		.kernel_image = k->image,
		.root_image = image,
		.tree_image = tree_image,
		.memory = o->memory,
		.cpus = o->cpus,
		.shares = sh->items,
		.n_shares = sh->n,
		.kernel_words = (const char *const *)words.items,
		.n_kernel_words = words.len,
		.extra_args = (const char *const *)args.items,
		.n_extra_args = args.len,
		.tty = tty,
		.panic_wait = o->dump_on_panic != NULL,
		.attach = !env->no_attach,
	};
	if (!plan.kvm)
		timing_hints(home, k, &plan.tsc_khz, &plan.hz);
	r = qemu_argv_build(&plan, argv);
	if (r < 0) {
		log_error("cannot build the QEMU command line: %s", strerror(-r));
		return r;
	}
	size_t slots = qemu_virtio_devices(a, argv->items);
	if (a->virtio_slots && slots > a->virtio_slots) {
		log_error(
			"%zu virtio devices asked for, %s's %s has %u slots (quiz takes 4: image, "
			"run layer, current directory, ports; each disk, -u, --system, --shared "
			"takes one); use fewer",
			slots, a->name, a->machine, a->virtio_slots);
		return -E2BIG;
	}
	return 0;
}

void run_print_dry(const struct run *r)
{
	const struct strv *argv = &r->argv;
	const struct run_shares *sh = &r->shares;
	_cleanup_buf_ struct buf line = {0};
	for (size_t i = 0; i < argv->len; i++) {
		if (i)
			(void)buf_puts(&line, " ");
		(void)shell_quote(argv->items[i], &line); /* ENOMEM: a shorter line */
	}
	printf("%s\n", line.data ? line.data : "");
	for (size_t i = 0; i < sh->n; i++)
		printf("layer %s %s %s\n", sh->items[i].tag, sh->items[i].path,
		       sh->items[i].writable ? "rw" : "ro");
}

void run_log_left_behind(const char *what, const char *path, const char *left, int r)
{
	if (r == -EBUSY)
		log_error("%s %s: %s stayed: it is a mount point, and quiz does not remove what is "
			  "below one; unmount it, then remove the folder",
			  what, path ? path : "?", left ? left : "?");
	else
		log_error("%s %s: cannot remove %s: %s", what, path ? path : "?",
			  left ? left : "it", strerror(-r));
}

/* Run directories a crash or SIGKILL left behind (no live quiz holds their lock). */
static void collect_stale_runs(const struct quiz_paths *p)
{
	_cleanup_free_ char *left = NULL;
	int r = run_dirs_collect(p->home, &left);
	if (r < 0)
		run_log_left_behind("stale run directories in", p->home, left, r);
}

int run_set_up(struct run *r)
{
	const struct quiz_options *o = r->o;
	const char *home = r->c->paths->home;
	/* Before signals wait: a Ctrl-C may cut it short, and the next quiz goes on with it. */
	collect_stale_runs(r->c->paths);
	/*
	 * From here on quiz owns things to clean up. During the set-up a stop signal is noted
	 * and makes whatever blocks (a FIFO as the program, a slow host hook) give up; then the
	 * signals are blocked until the VM relay reads them from its signalfd, or until quiz
	 * exits after cleaning up.
	 */
	int k = interrupt_begin();
	if (k < 0) {
		(void)interrupt_end();
		log_error("cannot catch stop signals during the set-up: %s", strerror(-k));
		return EXIT_QUIZ_FAILED;
	}
	k = run_dir_create(home, &r->dir);
	if (k < 0) {
		(void)interrupt_end();
		log_error("cannot create a run directory under %s/runs: %s", home, strerror(-k));
		return EXIT_QUIZ_FAILED;
	}
	/* For quiz --ps and --attach; a run goes on without it, unlisted. */
	k = run_info_write(r->dir.fd, r->kernel.arch->name,
			   r->kernel.release ? r->kernel.release : "?", o->program);
	if (k < 0)
		log_error("cannot write %s/" RUN_INFO_FILE " (quiz --ps will not list the run): %s",
			  r->dir.path, strerror(-k));
	if (o->keep && run_dir_mark_kept(&r->dir) < 0)
		log_error("--keep: cannot mark %s as kept; a later quiz may remove it",
			  r->dir.path);
	/* A program's output must stay on the terminal: tmux's screen goes when tmux ends. */
	enum run_mode mode = o->mode != RUN_MODE_DEFAULT ? o->mode
			     : o->program[0]		 ? RUN_MODE_RAW
							 : RUN_MODE_AUTO;
	r->tmux = mode == RUN_MODE_TMUX || (mode == RUN_MODE_AUTO && isatty(1));
	/* It says why itself when it fails (a stop signal: below). */
	k = cwd_shareable(r->cwd)
		    ? tree_share_prepare(home, r->cwd, o->cwd_share, r->dir.fd, &r->tree)
		    : 0;
	struct run_setup setup = {o,
				  &r->kernel,
				  r->cwd,
				  r->tmux ? "tmux" : "raw",
				  &r->profiles,
				  !r->c->env.no_attach,
				  r->tree.image};
	if (k >= 0) {
		k = run_layer_write(&setup, r->dir.fd, r->dir.path, &r->shares);
		if (k < 0 && !interrupt_requested())
			log_error("cannot write the run layer in %s: %s", r->dir.path,
				  strerror(-k));
	}
	if (k >= 0 && !interrupt_requested())
		k = apply_profiles(&r->profiles, &r->dir, &r->kernel, o->dry_run, &r->hook_args,
				   &r->hook_cold);
	if (k >= 0 && !interrupt_requested())
		k = build_argv(o, &r->c->env, home, &r->kernel, r->image, r->tree.image_name,
			       &r->shares, &r->profiles, &r->hook_args, r->hook_cold, r->tmux,
			       r->accel.accel, &r->argv, &r->extra_args);
	int stopped = interrupt_end();
	if (stopped) {
		log_error("stopped by signal %d (%s) while setting up the run; nothing was started",
			  stopped, strsignal(stopped));
		return EXIT_SIGNALED + stopped;
	}
	return k < 0 ? EXIT_QUIZ_FAILED : 0;
}
