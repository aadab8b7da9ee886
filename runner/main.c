/* SPDX-License-Identifier: MIT */
/* quiz: boot a quiz kernel in a QEMU microvm, run one program there, exit with its status. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "accel_host.h"
#include "console_log.h"
#include "doctor.h"
#include "exit_status.h"
#include "guest_layout.h"
#include "image.h"
#include "interrupt.h"
#include "kernel_ref.h"
#include "kernel_tree.h"
#include "kernels.h"
#include "log.h"
#include "log_stderr.h"
#include "matrix.h"
#include "options.h"
#include "outcome.h"
#include "paths.h"
#include "profile_run.h"
#include "qemu_argv.h"
#include "run_dir.h"
#include "run_layer.h"
#include "verdict.h"
#include "vm.h"
#include "vmstate_host.h"

/* -a: one architecture from the table; the host's when not given. Logs what is wrong. */
static const struct arch *find_arch(const char *name)
{
	const struct arch *a = name ? arch_find(name) : arch_host();
	if (!a && name)
		log_error("-a %s: not an architecture quiz knows; use one of %s", name,
			  arch_names());
	else if (!a)
		log_error("this host's architecture is not one quiz boots; use -a with one of %s",
			  arch_names());
	return a;
}

static int find_kernel(const struct quiz_options *o, const struct quiz_paths *p,
		       const struct arch *a, struct kernel *k)
{
	if (o->kernel_path && kernel_tree_is_source(o->kernel_path, a)) {
		_cleanup_free_ char *release = NULL;
		int r = kernel_tree_build(o->kernel_path, a, &release);
		if (r == -EIO)
			log_error("-K %s: building the kernel source tree failed (see above); fix "
				  "it, or run quiz-kernel build for its log",
				  o->kernel_path);
		else if (r < 0)
			log_error("-K %s: cannot build the kernel source tree: %s", o->kernel_path,
				  strerror(-r));
		if (r >= 0 && (r = kernel_resolve(p->home, a, release, k)) < 0)
			log_error("-K %s: its kernel %s is not in %s: %s", o->kernel_path, release,
				  p->home, strerror(-r));
		return r;
	}
	if (o->kernel_path) {
		int r = kernel_from_path(o->kernel_path, a, k);
		if (r < 0)
			log_error(
				"-K %s: no %s kernel image there (its boot image, or a build tree "
				"with %s): %s",
				o->kernel_path, a->name, a->kernel_image, strerror(-r));
		return r;
	}
	int r = kernel_resolve(p->home, a, o->kernel, k);
	if (r == -EINVAL) {
		log_error("-k %s: not a kernel version; use a form like 6.1, 6.1.192, 6.12-rc3 or "
			  "6.1-kasan",
			  o->kernel);
	} else if (r == -ENOENT) {
		_cleanup_strv_ struct strv built = {0};
		_cleanup_buf_ struct buf names = {0};
		(void)kernels_list(p->home, a, &built); /* only for the message */
		for (size_t i = 0; i < built.len; i++)
			(void)buf_printf(&names, "%s%s", i ? ", " : "", built.items[i]);
		_cleanup_free_ char *args = kernel_ref_build_args(o->kernel); /* --with kasan 6.1 */
		/* Another architecture's kernels are named with it, and built with -a. */
		if (o->kernel && o->kernel[0])
			log_error(
				"no %s%s%s kernel built (built: %s); run: quiz-kernel build%s%s %s",
				o->kernel, arch_space(a), arch_word(a),
				names.len ? names.data : "none", arch_flag(a), arch_word(a),
				args ? args : o->kernel);
		else
			log_error("no %s%skernel built yet in %s; build one: quiz-kernel build%s%s "
				  "6.1",
				  arch_word(a), arch_space(a), p->home, arch_flag(a), arch_word(a));
	} else if (r < 0) {
		log_error("looking for kernels in %s: %s", p->home, strerror(-r));
	}
	return r;
}

/* Can DIR keep user xattrs (mapped-xattr, --shared's model)? A nameless file asks. */
static int xattrs_work(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EOPNOTSUPP || errno == EISDIR ? 0 : -errno; /* let QEMU tell */
	return fsetxattr(fd, "user.quiz.probe", "1", 1, 0) < 0 ? -errno : 0;
}

/* Bad input is refused before anything boots, with the fix. */
static int check_inputs(const struct quiz_options *o)
{
	struct stat st;
	const char *dirs[][2] = {
		{"--shared", o->shared_dir}, {"-u", o->user_dir}, {"--system", o->system_dir}};
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		if (!dirs[i][1])
			continue;
		if (stat(dirs[i][1], &st) < 0 || !S_ISDIR(st.st_mode)) {
			log_error("%s %s: not a directory; give an existing folder", dirs[i][0],
				  dirs[i][1]);
			return -EINVAL;
		}
		if (access(dirs[i][1], R_OK | X_OK) < 0) {
			log_error("%s %s: not readable: %s", dirs[i][0], dirs[i][1],
				  strerror(errno));
			return -EACCES;
		}
	}
	int r = o->shared_dir ? xattrs_work(o->shared_dir) : 0;
	if (r < 0) {
		log_error("--shared %s: its filesystem keeps no user xattrs (%s), where quiz keeps "
			  "the guest's owners and modes; use a folder on ext4, XFS or btrfs",
			  o->shared_dir, strerror(-r));
		return -EINVAL;
	}
	return 0;
}

/*
 * A program given by path is checked on the host, which shows it to the guest: 127 (not
 * found) or 126 (cannot be run), said as a shell says it; 0 when it looks runnable.
 */
static int check_program(const char *prog)
{
	struct stat st;
	if (!prog || !strchr(prog, '/'))
		return 0; /* looked up in the guest's PATH */
	if (stat(prog, &st) < 0) {
		int e = errno;
		log_error("%s: %s", prog, strerror(e));
		return e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
	}
	if (S_ISDIR(st.st_mode)) {
		log_error("%s: Is a directory; name the program in it", prog);
		return EXIT_CANNOT_EXECUTE;
	}
	if (!S_ISREG(st.st_mode)) {
		/* A FIFO, a device or a socket: quiz would copy it, the guest could not run it. */
		log_error("%s: not a regular file, so not a program; name a file", prog);
		return EXIT_CANNOT_EXECUTE;
	}
	return 0;
}

static int resolve_profiles(const struct quiz_options *o, struct profile_catalog *catalog,
			    struct profile_set *set)
{
	_cleanup_free_ char *error = NULL;
	struct profile_requests req = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < o->profiles.len; i++)
		r = profile_requests_add(&req, o->profiles.items[i], &error);
	for (size_t i = 0; r >= 0 && i < o->profile_options.len; i++)
		r = profile_requests_add_option(&req, o->profile_options.items[i], &error);
	if (r >= 0 && req.n)
		r = profiles_resolve(&req, profile_catalog_lookup, catalog, set, &error);
	profile_requests_free(&req);
	if (r < 0)
		log_error("%s", error ? error : strerror(-r));
	/* A project's profile can run a host hook in place of a shipped one: say so. */
	for (size_t i = 0; r >= 0 && i < set->n; i++) {
		const struct profile *pr = set->items[i].profile;
		if (pr->shadows)
			log_error("profile %s: using %s (shadows the %s one)", pr->name,
				  pr->found_at, pr->shadows);
	}
	return r;
}

static int apply_profiles(const struct profile_set *set, const struct run_dir *dir,
			  const struct kernel *k, bool dry_run, struct strv *hook_args)
{
	_cleanup_free_ char *error = NULL;
	_cleanup_close_ int layer_fd = openat(dir->fd, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = layer_fd < 0 ? -errno : profiles_write_layer(set, layer_fd, &error);
	if (r >= 0 && !dry_run) /* hooks make disks and print: a dry run boots nothing */
		r = profiles_run_host_hooks(set, dir->path, k, hook_args, &error);
	/* No message after a stop signal (the caller says so) or a hook's own word on its options.
	 */
	if (r < 0 && !interrupt_requested() && (error || r != -EINVAL))
		log_error("%s", error ? error : strerror(-r));
	return r;
}

static const char *qemu_binary(const struct arch *a)
{
	const char *qemu = getenv("QUIZ_QEMU");
	return qemu && qemu[0] ? qemu : a->qemu;
}

/*
 * KVM only where a probe boot proved it (cached per host); the first run on a host pays for
 * the probe. A dry run boots nothing: without a cached verdict it shows TCG.
 */
static int choose_accel(const struct quiz_paths *p, const struct kernel *k, bool probe,
			struct accel_choice *ret)
{
	_cleanup_free_ char *error = NULL;
	const char *forced = getenv("QUIZ_ACCEL");
	if (k->arch != arch_host() && forced && STREQ(forced, "kvm")) {
		log_error(
			"QUIZ_ACCEL=kvm, but KVM runs this host's own architecture only, not an %s "
			"guest; unset QUIZ_ACCEL (other architectures run under TCG)",
			k->arch->name);
		return -ENODEV;
	}
	if (k->arch != arch_host()) {
		/* KVM runs the host's own architecture only. */
		*ret = (struct accel_choice){.accel = ACCEL_TCG};
		if (asprintf(&ret->why, "an %s guest on this host: TCG emulates it",
			     k->arch->name) < 0)
			ret->why = NULL;
		log_debug("accelerator: tcg: %s", ret->why ? ret->why : "a foreign guest");
		return 0;
	}
	struct accel_request req = {
		.mode = getenv("QUIZ_ACCEL"),
		.home = p->home,
		.qemu = qemu_binary(k->arch),
		.arch = k->arch,
		.kernel_image = probe ? k->image : NULL,
	};
	timing_hints(p->home, k, &req.tsc_khz, &req.hz);
	int r = accel_choose(&req, ret, &error);
	if (r < 0) {
		log_error("%s", error ? error : strerror(-r));
		return r;
	}
	if (ret->probed_now) {
		_cleanup_buf_ struct buf notice = {0};
		if (accel_notice(&ret->verdict, &notice) >= 0 && notice.len)
			fputs(notice.data, stderr);
	}
	log_debug("accelerator: %s: %s", accel_name(ret->accel), ret->why);
	return 0;
}

/* Kernel words and QEMU arguments: profiles (in order, then their host hooks), then the user's. */
static int gather_extras(const struct quiz_options *o, const struct profile_set *set,
			 const struct strv *hook_args, struct strv *words, struct strv *args)
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
	}
	for (size_t i = 0; r >= 0 && i < hook_args->len; i++)
		r = strv_push(args, hook_args->items[i]);
	for (size_t i = 0; r >= 0 && i < o->append.len; i++)
		r = strv_push(words, o->append.items[i]);
	for (size_t i = 0; r >= 0 && i < o->qemu_args.len; i++)
		r = strv_push(args, o->qemu_args.items[i]);
	return r;
}

/* The QEMU argv; *ret_extra: how many of its arguments came from profiles, hooks and the user. */
static int build_argv(const struct quiz_options *o, const char *home, const struct kernel *k,
		      const char *image, const struct run_shares *sh, const struct profile_set *set,
		      const struct strv *hook_args, bool tty, enum accel accel, struct strv *argv,
		      size_t *ret_extra)
{
	_cleanup_strv_ struct strv words = {0}, args = {0};
	int r = gather_extras(o, set, hook_args, &words, &args);
	if (r < 0)
		return r;
	*ret_extra = args.len;
	const struct arch *a = k->arch;
	if (o->cpus > a->max_cpus) {
		log_error("-c %u: %s's QEMU machine (%s) takes at most %u CPUs", o->cpus, a->name,
			  a->machine, a->max_cpus);
		return -E2BIG;
	}
	struct qemu_plan plan = {
		.arch = a,
		.qemu = qemu_binary(a),
		.kvm = accel == ACCEL_KVM,
		.kernel_image = k->image,
		.root_image = image,
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

static void print_dry_run(const struct strv *argv, const struct run_shares *sh)
{
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

/* What a removal left: a mount point is never entered, its contents are the user's. */
static void log_left_behind(const char *what, const char *path, const char *left, int r)
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
		log_left_behind("stale run directories in", p->home, left, r);
}

static long long quiz_started;

static void print_timings(const struct vm_result *res)
{
	_cleanup_buf_ struct buf text = {0};
	if (timings_format(res, quiz_started, now_ms(), &text) < 0)
		log_error("--timings: the guest reported no boot stages");
	else
		fprintf(stderr, "quiz: timings (ms since quiz started):\n%s", text.data);
}

/* The patterns that let a kernel report pass: --splat-allow's, then the profiles'. */
static int splat_allow(const struct quiz_options *o, const struct profile_set *set,
		       struct strv *ret)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < o->splat_allow.len; i++)
		r = strv_push(ret, o->splat_allow.items[i]);
	for (size_t i = 0; r >= 0 && i < set->n; i++)
		for (size_t j = 0; r >= 0 && j < set->items[i].profile->splat_allow.len; j++)
			r = strv_push(ret, set->items[i].profile->splat_allow.items[j]);
	return r;
}

/* Where this run starts from: a saved VM state, or a cold boot (that saves one). */
static int plan_state(const struct quiz_options *o, const struct quiz_paths *p,
		      const struct kernel *k, const char *image, const struct strv *argv,
		      size_t n_extra_args, struct vmstate *ret)
{
	const char *env = getenv("QUIZ_COLD");
	struct vmstate_case c = {
		.arch = k->arch,
		.cold = o->cold || (env && env[0] && !STREQ(env, "0")),
		.n_extra_args = n_extra_args,
	};
	struct vmstate_inputs in = {p->home, k->image, image, argv->items[0], argv->items};
	int r = vmstate_plan(&c, &in, ret);
	if (r < 0)
		log_error("cannot plan the VM's start: %s", strerror(-r));
	else if (ret->park == VM_PARK_GO && ret->path)
		log_debug("VM state: none at %s; a cold boot: %s", ret->path, ret->cold_reason);
	else if (ret->park == VM_PARK_GO)
		log_debug("VM state: none; a cold boot: %s", ret->cold_reason);
	return r;
}

/* A state a cold boot saved becomes its slot's; a failed save leaves nothing. */
static void vmstate_finish(struct vmstate *st, const struct vm_result *res, int run_dir_fd)
{
	if (st->park != VM_PARK_SAVE)
		return;
	struct vmstate_start how = {st->park, res->resumed, res->outcome == VM_NO_STATUS,
				    res->outcome == VM_GUEST_ERROR};
	const char *report = NULL;
	int r = res->save_tried && res->save_status == 0 && !vmstate_start_refused(&how)
			? vmstate_commit(st, run_dir_fd, res->console_at_save, &report)
			: -ENOENT;
	if (r == 0) {
		log_debug("VM state: saved to %s (%lld ms)", st->path, res->save_ms);
		return;
	}
	/* The kind's name, not the report's title: the guest wrote the title. */
	if (report)
		log_debug("VM state: not saved: its boot printed a kernel report (%s)", report);
	else if (res->save_tried && res->save_status < 0)
		log_debug("VM state: not saved: %s",
			  res->save_error ? res->save_error : strerror(-res->save_status));
	else if (res->save_tried)
		log_debug("VM state: not saved: %s", strerror(-r));
	vmstate_discard(st);
}

/* Boots, relays, then the verdict: the program's status, or what the VM or its kernel said. */
static int boot_and_judge(const struct quiz_options *o, const struct kernel *k,
			  const struct profile_set *set, const struct run_dir *dir,
			  const struct strv *argv, bool tmux, const struct accel_choice *accel,
			  struct vmstate *st)
{
	_cleanup_free_ char *dump = NULL, *panic_dump = NULL;
	_cleanup_strv_ struct strv allow = {0};
	if ((o->dump && verdict_dump_path("--dump", o->dump, &dump) < 0) ||
	    (o->dump_on_panic &&
	     verdict_dump_path("--dump-on-panic", o->dump_on_panic, &panic_dump) < 0) ||
	    splat_allow(o, set, &allow) < 0)
		return EXIT_QUIZ_FAILED;
	_cleanup_strv_ struct strv restore = {0};
	if (st->park == VM_PARK_RESTORE && vmstate_restore_argv(argv->items, &restore) < 0)
		st->park = VM_PARK_GO;
	struct vm_options vo = {.run_dir_fd = dir->fd,
				.argv = st->park == VM_PARK_RESTORE ? restore.items : argv->items,
				.timeout_s = o->timeout_s,
				.verbose = o->verbose,
				.tty = tmux,
				.watch_kvm = accel->accel == ACCEL_KVM,
				.nmi = k->arch->nmi_backtrace,
				.dump = dump,
				.panic_dump = panic_dump,
				.park = st->park,
				.state_fd = st->state_fd,
				.console_saved = st->console,
				.console_saved_len = st->console_len};
	struct vm_result res = {0};
	int r = vm_run(&vo, &res);
	struct vmstate_start how = {st->park, res.resumed, res.outcome == VM_NO_STATUS,
				    res.outcome == VM_GUEST_ERROR};
	if (r >= 0 && vmstate_boot_cold_again(&how)) {
		/* Nothing of the run started (stdin unread too): boot again, cold. */
		log_debug("VM state: %s did not restore (%s); booting cold", st->path,
			  how.guest_error ? "the guest could not go on from it" : "see qemu.log");
		vmstate_discard(st);
		vm_result_free(&res);
		res = (struct vm_result){0};
		vo.argv = argv->items;
		vo.park = VM_PARK_GO; /* neither the state nor its console */
		r = vm_run(&vo, &res);
	} else if (st->park == VM_PARK_RESTORE) {
		log_debug("VM state: restored from %s", st->path);
		vmstate_used(st);
	}
	vmstate_finish(st, &res, dir->fd);
	if (r < 0) {
		log_error("cannot start the VM: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	struct verdict v = {0};
	bool judged = verdict_scan(dir->fd, &res.splats, &allow, &v) >= 0; /* ENOMEM: the status */
	int status = outcome_report(&res, dir, o->timeout_s, accel,
				    judged && verdict_shows_console(&v, &res, o));
	if (judged) {
		struct verdict_context ctx = {o, k, dir->fd};
		status = verdict_report(&v, &ctx, &res, status);
	}
	if (res.console_cut)
		log_debug(
			"console.log: %llu bytes cut from its middle (it keeps the first and last "
			"%llu MiB); every kernel report was still looked for",
			res.console_cut, CONSOLE_LOG_PART >> 20);
	if (res.console_error < 0) {
		log_error("the guest's console could not be written to %s/console.log (%s): the "
			  "run fails, as its log is not whole; free space there",
			  dir->path, strerror(-res.console_error));
		status = EXIT_QUIZ_FAILED;
	}
	if (o->timings)
		print_timings(&res);
	verdict_free(&v);
	vm_result_free(&res);
	return status;
}

static int quiz_run(const struct quiz_options *o, const struct quiz_paths *p,
		    struct profile_catalog *catalog)
{
	_cleanup_(kernel_free) struct kernel k = {0};
	_cleanup_(profile_set_free) struct profile_set set = {0};
	_cleanup_strv_ struct strv hook_args = {0};
	_cleanup_free_ char *profile_error = NULL;
	/* The real path, not $PWD: place_program compares realpaths with it, and the guest
	 * resolves symlinks and ".." in the program's path against what it shows there. */
	_cleanup_free_ char *image = NULL, *cwd = getcwd(NULL, 0);
	_cleanup_strv_ struct strv argv = {0};
	struct run_shares sh = {0};
	_cleanup_(accel_choice_free) struct accel_choice accel = {0};
	struct run_dir dir = RUN_DIR_INIT;
	size_t extra_args = 0; /* QEMU arguments beyond quiz's own (build_argv) */
	int status = EXIT_QUIZ_FAILED;

	int r = cwd ? check_inputs(o) : -errno;
	if (r >= 0 && (r = check_program(o->program[0])) > 0)
		return r;
	if (cwd && !STREQ(cwd, "/") && !cwd_shareable(cwd))
		log_error(
			"the current directory %s would cover the guest's own system; not shown in "
			"the guest, the program runs in /root",
			cwd);
	const struct arch *a = r >= 0 ? find_arch(o->arch) : NULL;
	if (r < 0 || !a || resolve_profiles(o, catalog, &set) < 0 || find_kernel(o, p, a, &k) < 0 ||
	    check_kernel_config(p, &k) < 0)
		return EXIT_QUIZ_FAILED;
	if (profiles_check_kconfig(&set, &k, &profile_error) < 0) {
		log_error("%s", profile_error ? profile_error : "profile kconfig check failed");
		return EXIT_QUIZ_FAILED;
	}
	if (image_prepare(p, a, &image) < 0)
		return EXIT_QUIZ_FAILED;
	if (!o->dry_run && qemu_missing(qemu_binary(a), a))
		return EXIT_QUIZ_FAILED;
	if (choose_accel(p, &k, !o->dry_run, &accel) < 0)
		return EXIT_QUIZ_FAILED;

	/* Before signals wait: a Ctrl-C may cut it short, and the next quiz goes on with it. */
	collect_stale_runs(p);
	/*
	 * From here on quiz owns things to clean up. During the set-up a stop signal is noted
	 * and makes whatever blocks (a FIFO as the program, a slow host hook) give up; then the
	 * signals are blocked until the VM relay reads them from its signalfd, or until quiz
	 * exits after cleaning up.
	 */
	r = interrupt_begin();
	if (r < 0) {
		(void)interrupt_end();
		log_error("cannot catch stop signals during the set-up: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	r = run_dir_create(p->home, &dir);
	if (r < 0) {
		(void)interrupt_end();
		log_error("cannot create a run directory under %s/runs: %s", p->home, strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	if (o->keep && run_dir_mark_kept(&dir) < 0)
		log_error("--keep: cannot mark %s as kept; a later quiz may remove it", dir.path);
	/* A program's output must stay on the terminal: tmux's screen goes when tmux ends. */
	enum run_mode mode = o->mode != RUN_MODE_DEFAULT ? o->mode
			     : o->program[0]		 ? RUN_MODE_RAW
							 : RUN_MODE_AUTO;
	bool tmux = mode == RUN_MODE_TMUX || (mode == RUN_MODE_AUTO && isatty(1));
	struct run_setup setup = {o, &k, cwd, tmux ? "tmux" : "raw", &set};
	r = run_layer_write(&setup, dir.fd, dir.path, &sh);
	if (r < 0 && !interrupt_requested())
		log_error("cannot write the run layer in %s: %s", dir.path, strerror(-r));
	if (r >= 0 && !interrupt_requested())
		r = apply_profiles(&set, &dir, &k, o->dry_run, &hook_args);
	if (r >= 0 && !interrupt_requested())
		r = build_argv(o, p->home, &k, image, &sh, &set, &hook_args, tmux, accel.accel,
			       &argv, &extra_args);
	int stopped = interrupt_end();
	if (stopped) {
		log_error("stopped by signal %d (%s) while setting up the run; nothing was started",
			  stopped, strsignal(stopped));
		status = EXIT_SIGNALED + stopped;
	} else if (r >= 0 && o->dry_run) {
		print_dry_run(&argv, &sh);
		status = 0;
	} else if (r >= 0) {
		struct vmstate st = VMSTATE_INIT;
		if (plan_state(o, p, &k, image, &argv, extra_args, &st) >= 0)
			status = boot_and_judge(o, &k, &set, &dir, &argv, tmux, &accel, &st);
		vmstate_free(&st);
	}
	run_shares_free(&sh);
	if (o->console_copy) {
		_cleanup_close_ int out = open(o->console_copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		_cleanup_close_ int in = openat(dir.fd, "console.log", O_RDONLY | O_CLOEXEC);
		char chunk[65536];
		ssize_t got;
		while (out >= 0 && in >= 0 && (got = read(in, chunk, sizeof(chunk))) > 0)
			if (write(out, chunk, (size_t)got) != got)
				break;
	}
	if (o->keep) {
		log_error("run directory kept: %s", dir.path);
		run_dir_close(&dir);
	} else {
		_cleanup_free_ char *left = NULL, *path = strdup(dir.path);
		r = run_dir_remove(&dir, &left);
		if (r < 0)
			log_left_behind("the run directory", path, left, r);
	}
	return status;
}

struct run_context {
	const struct quiz_paths *paths;
	struct profile_catalog *catalog;
};

static int run_one(const struct quiz_options *o, void *userdata)
{
	struct run_context *ctx = userdata;
	return quiz_run(o, ctx->paths, ctx->catalog);
}

/* Once per architecture, before the runs: parallel runs must not each refresh an image's
 * init, nor each probe KVM (or say so). */
static int prepare_matrix(const struct quiz_options *o, const struct quiz_paths *p,
			  const struct matrix_entry *entries, size_t n)
{
	const struct arch *done[16];
	size_t n_done = 0;
	for (size_t i = 0; i < n; i++) {
		const struct arch *a = find_arch(entries[i].options.arch);
		bool seen = false;
		if (!a)
			return -EINVAL;
		for (size_t j = 0; j < n_done; j++)
			seen |= done[j] == a;
		if (seen)
			continue;
		if (n_done < ELEMENTSOF(done))
			done[n_done++] = a;
		_cleanup_free_ char *image = NULL;
		_cleanup_(kernel_free) struct kernel k = {0};
		_cleanup_(accel_choice_free) struct accel_choice accel = {0};
		if (image_prepare(p, a, &image) < 0)
			return -ENOENT;
		bool have_kernel =
			o->kernel_path
				? kernel_from_path(o->kernel_path, a, &k) == 0
				: kernel_resolve(p->home, a, entries[i].options.kernel, &k) == 0;
		if (have_kernel && choose_accel(p, &k, !o->dry_run, &accel) < 0)
			return -EIO;
	}
	return 0;
}

static int quiz_matrix(const struct quiz_options *o, const struct quiz_paths *p,
		       struct profile_catalog *catalog)
{
	struct matrix_entry *entries = NULL;
	size_t n = 0;
	int r = o->targets ? matrix_from_targets(o, p->home, &entries, &n)
			   : matrix_from_kernels(o, p->home, &entries, &n);
	if (r < 0)
		return EXIT_QUIZ_FAILED;
	if (o->list) {
		r = matrix_list(entries, n, o);
		matrix_entries_free(entries, n);
		return r;
	}
	if (n > 1 && (o->dump || o->dump_on_panic)) {
		log_error("%s takes one run, and these are %zu; run the one to dump by itself",
			  o->dump ? "--dump" : "--dump-on-panic", n);
		matrix_entries_free(entries, n);
		return EXIT_QUIZ_FAILED;
	}
	if (prepare_matrix(o, p, entries, n) < 0) {
		matrix_entries_free(entries, n);
		return EXIT_QUIZ_FAILED;
	}
	struct run_context ctx = {p, catalog};
	int status = matrix_run(entries, n, o, run_one, &ctx);
	matrix_entries_free(entries, n);
	return status;
}

static int quiz_doctor(const struct quiz_options *o, const struct quiz_paths *p)
{
	_cleanup_buf_ struct buf text = {0};
	struct doctor_facts facts;
	const struct arch *a = find_arch(o->arch);
	if (!a)
		return EXIT_QUIZ_FAILED;
	int r = doctor_gather(p->home, p->tools, a, &facts);
	if (r >= 0)
		r = doctor_report(&facts, &text);
	doctor_facts_free(&facts);
	if (r < 0) {
		log_error("--doctor: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	fputs(text.data, stdout);
	return r;
}

static int quiz_main(int argc, char **argv)
{
	_cleanup_(options_free) struct quiz_options o = {0};
	_cleanup_(paths_free) struct quiz_paths p = {0};

	log_set_sink(log_to_stderr);
	quiz_started = now_ms();
	if (options_parse(argc, argv, getenv("QUIZ_KERNEL"), &o) < 0)
		return EXIT_QUIZ_FAILED;
	if (o.help) {
		_cleanup_free_ char *usage = NULL;
		if (options_usage(&usage) < 0) {
			log_error("--help: out of memory");
			return EXIT_QUIZ_FAILED;
		}
		fputs(usage, stdout);
		return 0;
	}
	if (o.version) {
		printf("quiz %s (%s; guests: %s; 9p layers)\n", QUIZ_VERSION, QUIZ_BUILD_TYPE,
		       arch_names());
		return 0;
	}
	log_verbose = o.verbose;
	int r = paths_init(&p);
	if (r < 0) {
		log_error("cannot find the cache root (set QUIZ_HOME or HOME): %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	_cleanup_(profile_catalog_free) struct profile_catalog catalog = {0};
	if (profile_catalog_init(&catalog, p.data, o.profile_dirs.items, o.profile_dirs.len) < 0)
		return EXIT_QUIZ_FAILED;
	if (o.list_profiles)
		return profile_catalog_list(&catalog, stdout) < 0 ? EXIT_QUIZ_FAILED : 0;
	if (o.describe_profile) {
		_cleanup_free_ char *error = NULL;
		r = profile_catalog_describe(&catalog, o.describe_profile, stdout, &error);
		if (r < 0)
			log_error("%s", error ? error : strerror(-r));
		return r < 0 ? EXIT_QUIZ_FAILED : 0;
	}
	if (o.doctor)
		return quiz_doctor(&o, &p);
	/* A report (--junit, --tap, --results) of one run is a matrix of one. */
	if (o.targets || kernel_selector_is_matrix(o.kernel) || (o.arch && strchr(o.arch, ',')) ||
	    o.junit || o.tap || o.results_dir || o.list || o.shard_count)
		return quiz_matrix(&o, &p, &catalog);
	return quiz_run(&o, &p, &catalog);
}

int main(int argc, char **argv)
{
	return stdout_checked(quiz_main(argc, argv), EXIT_QUIZ_FAILED);
}
