/* SPDX-License-Identifier: MIT */
/* A run's first stage: its inputs checked, its kernel, profiles, image and accelerator found. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "exit_status.h"
#include "image.h"
#include "kernel.h"
#include "kernel_tree.h"
#include "libcheck_host.h"
#include "log.h"
#include "outcome.h"
#include "run_internal.h"

void run_env_read(struct run_env *ret)
{
	const char *cold = getenv("QUIZ_COLD"), *no_attach = getenv("QUIZ_NO_ATTACH");
	*ret = (struct run_env){
		.qemu = getenv("QUIZ_QEMU"),
		.accel = getenv("QUIZ_ACCEL"),
		.cold = cold && cold[0] && !STREQ(cold, "0"),
		.no_attach = no_attach && no_attach[0] && !STREQ(no_attach, "0"),
	};
}

const struct arch *run_find_arch(const char *name)
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
		log_error("-k %s: not a kernel version; use a form like 6.1, 6.1.192, 6.12-rc3, "
			  "next-20261204, next, mainline or 6.1-kasan",
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
int run_xattrs_work(const char *dir)
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
	int r = o->shared_dir ? run_xattrs_work(o->shared_dir) : 0;
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

const char *run_qemu_binary(const struct run_env *env, const struct arch *a)
{
	return env->qemu && env->qemu[0] ? env->qemu : a->qemu;
}

int run_choose_accel(const struct run_context *c, const struct kernel *k, bool probe,
		     struct accel_choice *ret)
{
	_cleanup_free_ char *error = NULL;
	const char *forced = c->env.accel;
	if (k->arch != arch_host() && forced && STREQ(forced, "kvm")) {
		log_error(
			"QUIZ_ACCEL=kvm, but KVM runs this host's own architecture only, not %s %s "
			"guest; unset QUIZ_ACCEL (other architectures run under TCG)",
			arch_article(k->arch), k->arch->name);
		return -ENODEV;
	}
	if (k->arch != arch_host()) {
		/* KVM runs the host's own architecture only. */
		*ret = (struct accel_choice){.accel = ACCEL_TCG};
		if (asprintf(&ret->why, "%s %s guest on this host: TCG emulates it",
			     arch_article(k->arch), k->arch->name) < 0)
			ret->why = NULL;
		log_debug("accelerator: tcg: %s", ret->why ? ret->why : "a foreign guest");
		return 0;
	}
	struct accel_request req = {
		.mode = c->env.accel,
		.home = c->paths->home,
		.qemu = run_qemu_binary(&c->env, k->arch),
		.arch = k->arch,
		.kernel_image = probe ? k->image : NULL,
	};
	timing_hints(c->paths->home, k, &req.tsc_khz, &req.hz);
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

int run_prepare(struct run *r)
{
	const struct quiz_options *o = r->o;
	const struct quiz_paths *p = r->c->paths;
	_cleanup_free_ char *profile_error = NULL;
	/* The real path, not $PWD: place_program compares realpaths with it, and the guest
	 * resolves symlinks and ".." in the program's path against what it shows there. */
	r->cwd = getcwd(NULL, 0);
	int k = r->cwd ? check_inputs(o) : -errno;
	if (k >= 0 && (k = check_program(o->program[0])) > 0)
		return k;
	if (r->cwd && !STREQ(r->cwd, "/") && !cwd_shareable(r->cwd))
		log_error(
			"the current directory %s would cover the guest's own system; not shown in "
			"the guest, the program runs in /root",
			r->cwd);
	r->arch = k >= 0 ? run_find_arch(o->arch) : NULL;
	if (k < 0 || !r->arch || resolve_profiles(o, r->c->catalog, &r->profiles) < 0 ||
	    find_kernel(o, p, r->arch, &r->kernel) < 0 || check_kernel_config(p, &r->kernel) < 0)
		return EXIT_QUIZ_FAILED;
	if (profiles_check_kconfig(&r->profiles, &r->kernel, &profile_error) < 0) {
		log_error("%s", profile_error ? profile_error : "profile kconfig check failed");
		return EXIT_QUIZ_FAILED;
	}
	if (image_prepare(p, r->arch, &r->image) < 0)
		return EXIT_QUIZ_FAILED;
	if ((k = libcheck_before_boot(o, r->cwd, r->arch, r->image, &r->profiles)) > 0)
		return k; /* the loader's 127, said before a boot that could only fail */
	if (!o->dry_run && qemu_missing(run_qemu_binary(&r->c->env, r->arch), r->arch))
		return EXIT_QUIZ_FAILED;
	if (run_choose_accel(r->c, &r->kernel, !o->dry_run, &r->accel) < 0)
		return EXIT_QUIZ_FAILED;
	return 0;
}
