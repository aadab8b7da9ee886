/* SPDX-License-Identifier: MIT */
/* quiz-kernel: build, list, locate and check quiz kernels. Building is the build script's job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "arch.h"
#include "exit_status.h"
#include "file.h"
#include "kernel.h"
#include "kernel_cache.h"
#include "kernel_host.h"
#include "kv.h"
#include "log.h"
#include "log_stderr.h"
#include "paths.h"

/* Take "-a ARCH", "--arch ARCH" or "--arch=ARCH" out of argv (anywhere after the command). */
static int take_arch(int *argc, char **argv, const struct arch **ret)
{
	const char *name = NULL;
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		if ((STREQ(argv[i], "-a") || STREQ(argv[i], "--arch")) && i + 1 < *argc) {
			name = argv[++i];
			continue;
		}
		if (strncmp(argv[i], "--arch=", 7) == 0) {
			name = argv[i] + 7;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	*ret = name ? arch_find(name) : arch_host();
	if (!*ret)
		log_error("-a %s: not an architecture quiz knows; use one of %s",
			  name ? name : "(this host's)", arch_names());
	return *ret ? 0 : -EINVAL;
}

/* The architecture's row for the build script, in its environment. */
static int export_arch(const struct arch *a)
{
	char vmlinux[2] = {a->boots_vmlinux ? '1' : '0', '\0'};
	if (setenv("QUIZ_ARCH", a->name, 1) < 0 ||
	    setenv("QUIZ_ARCH_KERNEL", a->kernel_arch, 1) < 0 ||
	    setenv("QUIZ_ARCH_CROSS", a == arch_host() ? "" : a->cross_prefix, 1) < 0 ||
	    setenv("QUIZ_ARCH_IMAGE", a->kernel_image, 1) < 0 ||
	    setenv("QUIZ_ARCH_BOOTS_VMLINUX", vmlinux, 1) < 0)
		return -errno;
	return 0;
}

/* The Debian architecture names of quiz's images ("amd64 arm64 s390x"): the cache script
 * knows an image quiz no longer boots (a pre-rename bookworm.ext2) by them. */
static int export_image_arches(void)
{
	_cleanup_buf_ struct buf names = {0};
	for (const struct arch *a = arch_table; a->name; a++)
		if (buf_printf(&names, "%s%s", names.len ? " " : "", a->debian_arch) < 0)
			return -ENOMEM;
	return setenv("QUIZ_IMAGE_ARCHES", names.data ? names.data : "", 1) < 0 ? -errno : 0;
}

static int cmd_script(const struct quiz_paths *p, const struct arch *a, char **argv,
		      const char *name)
{
	_cleanup_free_ char *script = NULL, *kconfig = NULL, *self = NULL;
	if (asprintf(&script, "%s/%s", p->tools, name) < 0 ||
	    asprintf(&kconfig, "%s/kconfig", p->data) < 0)
		return 1;
	/* The scripts call quiz-kernel back (list, path, remove): this one, wherever it is. */
	self = realpath("/proc/self/exe", NULL);
	if (self && setenv("QUIZ_KERNEL_SELF", self, 1) < 0)
		return 1;
	if (export_image_arches() < 0)
		return 1;
	if (setenv("QUIZ_KCONFIG_DIR", kconfig, 1) < 0 || setenv("QUIZ_HOME", p->home, 1) < 0 ||
	    export_arch(a) < 0)
		return 1;
	argv[0] = script;
	execv(script, argv);
	log_error("cannot run %s: %s", script, strerror(errno));
	return 1;
}

static void print_kernel_row(const char *home, const struct arch *a, const char *release)
{
	_cleanup_free_ char *dir = NULL, *info_path = NULL, *info = NULL;
	_cleanup_(kernel_free) struct kernel k = {0};
	if (asprintf(&dir, "%s/kernels/%s/%s", home, a->name, release) < 0 ||
	    asprintf(&info_path, "%s/info", dir) < 0 || kernel_resolve(home, a, release, &k) < 0)
		return;
	(void)read_file(info_path, &info, NULL); /* a kernel without info still lists */
	_cleanup_free_ char *built = info ? kv_get(info, "built") : NULL;
	_cleanup_free_ char *options = info ? kv_get(info, "options") : NULL;
	_cleanup_free_ char *debug = info ? kv_get(info, "debug") : NULL;
	_cleanup_free_ char *btf = info ? kv_get(info, "btf") : NULL;
	_cleanup_free_ char *flavours = info ? kv_get(info, "flavours") : NULL;
	_cleanup_free_ char *gcov_only = info ? kv_get(info, "gcov_only") : NULL;
	_cleanup_free_ char *folders = NULL; /* " (fs/ext4)": a gcov kernel's profiled folders */
	if (gcov_only && *gcov_only && asprintf(&folders, " (%s)", gcov_only) < 0)
		folders = NULL;
	struct stat st;
	double mib = stat(k.image, &st) == 0 ? (double)st.st_size / (1024 * 1024) : 0;
	unsigned long long disk = 0;
	(void)tree_disk_usage(k.dir, &disk); /* a folder that cannot be walked shows 0 */
	printf("%-22s %-7s %6.1f MiB %6.0f MiB  %-20s %4s options%s%s%s%s%s  %s\n", release,
	       a->name, mib, (double)disk / (1024 * 1024), built ? built : "?",
	       options ? options : "?", debug && STREQ(debug, "1") ? ", debug" : "",
	       flavours && *flavours ? ", with " : "", flavours ? flavours : "",
	       folders ? folders : "", btf && STREQ(btf, "1") ? ", btf" : "", dir);
}

static int cmd_list(const struct quiz_paths *p, const struct arch *only)
{
	size_t shown = 0;
	for (const struct arch *a = arch_table; a->name; a++) {
		_cleanup_strv_ struct strv list = {0};
		if (only && a != only)
			continue;
		if (kernels_list(p->home, a, &list) < 0)
			return 1;
		for (size_t i = 0; i < list.len; i++) {
			if (!shown++)
				printf("%-22s %-7s %10s %10s  %-20s %s\n", "RELEASE", "ARCH",
				       "IMAGE", "ON DISK", "BUILT", "CONFIG  PATH");
			print_kernel_row(p->home, a, list.items[i]);
		}
	}
	if (!shown)
		printf("no kernels built in %s/kernels; run: quiz-kernel build 6.1\n", p->home);
	return 0;
}

/*
 * Modules build against kbuild and the source it points at; quiz-kernel cache clean --all
 * removes both and the kernel still boots. Say so, and how to get them back, rather than let
 * make fail on a folder that is not there.
 */
static bool kbuild_usable(const struct kernel *k)
{
	_cleanup_free_ char *makefile = NULL, *source = NULL, *info_path = NULL, *info = NULL;
	if (asprintf(&makefile, "%s/kbuild/Makefile", k->dir) < 0 ||
	    asprintf(&source, "%s/kbuild/source/Makefile", k->dir) < 0 ||
	    asprintf(&info_path, "%s/info", k->dir) < 0)
		return false;
	if (access(makefile, R_OK) == 0 && access(source, R_OK) == 0)
		return true;
	(void)read_file(info_path, &info, NULL); /* without it, the generic advice */
	_cleanup_free_ char *args = info ? kv_get(info, "rebuild") : NULL;
	_cleanup_free_ char *src = info ? kv_get(info, "source") : NULL;
	log_error("kernel %s has no build tree for modules (quiz-kernel cache clean --all "
		  "removed it, or its source); it still boots. Get it back: quiz-kernel build -a "
		  "%s %s",
		  k->release, k->arch->name,
		  args && *args ? args
		  : src && *src ? src
				: "SOURCE (as it was built)");
	return false;
}

static int cmd_path(const struct quiz_paths *p, const struct arch *a, const char *selector,
		    const char *what)
{
	_cleanup_(kernel_free) struct kernel k = {0};
	int r = kernel_resolve(p->home, a, selector, &k);
	if (r < 0) {
		_cleanup_free_ char *args = kernel_ref_build_args(selector);
		log_error("no %s kernel %s built; run: quiz-kernel build -a %s %s", a->name,
			  selector, a->name, args ? args : selector);
		return 1;
	}
	static const char *const names[][2] = {
		{"dir", ""},
		{"vmlinux", "/vmlinux"},
		{"config", "/config"},
		{"kbuild", "/kbuild"},
		{"modules", "/layer/usr/lib/modules"},
		{"system-map", "/System.map"},
	};
	if (STREQ(what, "image")) {
		printf("%s\n", k.image);
		return 0;
	}
	if (STREQ(what, "bzimage")) {
		const char *name = strrchr(a->kernel_image, '/');
		printf("%s/%s\n", k.dir, name ? name + 1 : a->kernel_image);
		return 0;
	}
	if (STREQ(what, "make-args")) {
		/* Out-of-tree code builds against kbuild with the compiler the kernel was built by:
		 * what its build recorded (LLVM=1 for a clang kernel), else the table's. */
		_cleanup_free_ char *info_path = NULL, *info = NULL, *recorded = NULL;
		if (asprintf(&info_path, "%s/info", k.dir) >= 0 &&
		    read_file(info_path, &info, NULL) >= 0)
			recorded = kv_get(info, "make_args");
		if (recorded && *recorded) {
			printf("%s\n", recorded);
			return 0;
		}
		printf("ARCH=%s%s%s\n", a->kernel_arch, a == arch_host() ? "" : " CROSS_COMPILE=",
		       a == arch_host() ? "" : a->cross_prefix);
		return 0;
	}
	if (STREQ(what, "kbuild") && !kbuild_usable(&k))
		return 1;
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (STREQ(what, names[i][0])) {
			printf("%s%s\n", k.dir, names[i][1]);
			return 0;
		}
	log_error("path %s %s: unknown; use dir, image, bzimage, vmlinux, config, kbuild, modules, "
		  "system-map or make-args",
		  selector, what);
	return 2;
}

/* A .config path, or a build tree holding one. */
static char *config_of(const char *path)
{
	struct stat st;
	char *config = NULL;
	if (stat(path, &st) < 0)
		return NULL;
	if (S_ISDIR(st.st_mode)) {
		if (asprintf(&config, "%s/.config", path) < 0)
			return NULL;
	} else {
		config = strdup(path);
	}
	return config;
}

static int missing_in(const struct quiz_paths *p, const struct arch *a, const char *config_path,
		      struct strv *ret)
{
	_cleanup_free_ char *config = NULL, *fragment = NULL;
	int r = read_file(config_path, &config, NULL);
	if (r < 0) {
		log_error("%s: cannot read it: %s", config_path, strerror(-r));
		return r;
	}
	r = kconfig_needs(p->data, a, &fragment);
	if (r < 0) {
		log_error("%s/kconfig: cannot read what %s needs: %s", p->data, a->name,
			  strerror(-r));
		return r;
	}
	return kconfig_missing(config, fragment, ret);
}

static int cmd_check(const struct quiz_paths *p, const struct arch *a, const char *path)
{
	_cleanup_free_ char *config = config_of(path);
	_cleanup_strv_ struct strv missing = {0};
	if (!config) {
		log_error("%s: not a .config or a kernel build tree", path);
		return 2;
	}
	if (missing_in(p, a, config, &missing) < 0)
		return 2;
	if (!missing.len) {
		printf("%s has every option quiz needs\n", config);
		return 0;
	}
	printf("%s lacks %zu option%s quiz needs:\n", config, missing.len,
	       missing.len == 1 ? "" : "s");
	for (size_t i = 0; i < missing.len; i++)
		printf("  %s\n", missing.items[i]);
	printf("add them with: quiz-kernel config%s%s %s\n", arch_flag(a), arch_word(a), path);
	return 1;
}

static int cmd_config(const struct quiz_paths *p, const struct arch *a, const char *tree)
{
	_cleanup_free_ char *config = config_of(tree), *fragment = NULL, *make_arch = NULL;
	struct stat st;
	if (!config || stat(tree, &st) < 0 || !S_ISDIR(st.st_mode) || access(config, W_OK) < 0) {
		log_error("%s: expected a kernel build tree with a writable .config", tree);
		return 2;
	}
	if (kconfig_needs(p->data, a, &fragment) < 0 ||
	    asprintf(&make_arch, "ARCH=%s", a->kernel_arch) < 0)
		return 2;
	/* Appended lines win over earlier ones; olddefconfig resolves what they imply. */
	pid_t pid = fork();
	if (pid == 0) {
		execlp("sh", "sh", "-c",
		       "cd \"$1\" && printf '%s\\n' \"$2\" >> .config && ${QUIZ_BUILD_PREFIX-} "
		       "make \"$3\" olddefconfig "
		       ">/dev/null",
		       "sh", tree, fragment, make_arch, (char *)NULL);
		_exit(EXIT_NOT_FOUND);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		log_error("make olddefconfig in %s failed", tree);
		return 1;
	}
	return cmd_check(p, a, tree);
}

/* For scripts (quiz-image): the table's rows as KEY=VALUE lines, a blank line between. */
static int cmd_arch(const struct arch *only)
{
	for (const struct arch *a = arch_table; a->name; a++) {
		if (only && a != only)
			continue;
		printf("name=%s\nalias=%s\nkernel_arch=%s\ncross_prefix=%s\ndebian_arch=%s\n"
		       "qemu=%s\nqemu_package=%s\nhost=%d\nimage_suite=%s\nbig_endian=%d\n"
		       "saved_state=%d\n",
		       a->name, a->alias ? a->alias : "", a->kernel_arch,
		       a == arch_host() ? "" : a->cross_prefix, a->debian_arch, a->qemu,
		       a->qemu_package, a == arch_host(), arch_image_suite(a), a->big_endian,
		       a->saved_state);
		if (!only && a[1].name)
			printf("\n");
	}
	return 0;
}

static bool has_word(char *const *argv, const char *word)
{
	for (; *argv; argv++)
		if (STREQ(*argv, word))
			return true;
	return false;
}

/* What a command gets: the words after its name (-a taken out), the cache, the architecture. */
struct command_call {
	const struct quiz_paths *paths;
	const struct arch *arch;
	bool arch_given;
	int argc; /* argv[0] is the command's name */
	char **argv;
};

static int run_build(const struct command_call *c)
{
	return cmd_script(c->paths, c->arch, c->argv,
			  has_word(c->argv + 1, "--all") ? "quiz-kernel-all" : "quiz-kernel-build");
}

static int run_cache(const struct command_call *c)
{
	return cmd_script(c->paths, c->arch, c->argv, "quiz-kernel-cache");
}

static int run_project(const struct command_call *c)
{
	/* The script takes the command's name as its first word: configure or install. */
	return cmd_script(c->paths, c->arch, c->argv - 1, "quiz-kernel-project");
}

static int run_remove(const struct command_call *c)
{
	return kernel_remove(c->paths->home, c->arch, c->argv[1]);
}

static int run_list(const struct command_call *c)
{
	if (c->argc >= 2 && STREQ(c->argv[1], "--available"))
		/* What can be built and from where: quiz-kernel-fetch --available [SERIES]. */
		return cmd_script(c->paths, c->arch, c->argv, "quiz-kernel-fetch");
	if (c->argc > 1) {
		log_error("list: '%s' is not an option of list; it takes --available [SERIES]",
			  c->argv[1]);
		return 2;
	}
	return cmd_list(c->paths, c->arch_given ? c->arch : NULL);
}

static int run_path(const struct command_call *c)
{
	return cmd_path(c->paths, c->arch, c->argv[1], c->argc == 3 ? c->argv[2] : "dir");
}

static int run_check(const struct command_call *c)
{
	return cmd_check(c->paths, c->arch, c->argv[1]);
}

static int run_config(const struct command_call *c)
{
	return cmd_config(c->paths, c->arch, c->argv[1]);
}

static int run_arch(const struct command_call *c)
{
	const struct arch *only = c->argc == 2 ? arch_find(c->argv[1]) : NULL;
	if (c->argc == 2 && !only) {
		log_error("%s: not an architecture quiz knows; use one of %s", c->argv[1],
			  arch_names());
		return 2;
	}
	return cmd_arch(only ? only : c->arch_given ? c->arch : NULL);
}

/* For tools/quiz-kernel-fetch: a version word's kind and normal form, "rc 7.3-rc7". */
static int run_version(const struct command_call *c)
{
	struct kernel_word w;
	if (kernel_word_parse(c->argv[1], &w) < 0) {
		log_error("%s: not a kernel version; use 7.2 (the newest 7.2.x), 7.2.13, 7.3-rc7, "
			  "next-20261204, next or mainline",
			  c->argv[1]);
		return 1;
	}
	printf("%s %s\n", kernel_word_kind_name(w.kind), w.normal);
	return 0;
}

/* For tools/quiz-kernel-fetch: stdin's lines, "WORD" or "WORD<TAB>where", newest first; a line
 * whose word is not a version word is left out. */
static int run_version_sort(_unused_ const struct command_call *c)
{
	_cleanup_strv_ struct strv lines = {0};
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ size_t *order = NULL;
	size_t size = 0, n = 0;
	ssize_t len;
	while ((len = getline(&line, &size, stdin)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len)
			continue; /* a NUL byte: no source's line, and it would cut the line short
				   */
		if (strv_push(&lines, line) < 0) {
			log_error("version-sort: out of memory");
			return 1;
		}
	}
	if (ferror(stdin)) {
		log_error("version-sort: cannot read stdin: %s", strerror(errno));
		return 1;
	}
	if (kernel_word_lines_sort(lines.items, lines.len, &order, &n) < 0) {
		log_error("version-sort: out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines.items[order[i]]);
	return 0;
}

/* The commands, in --help's order: the words each takes (-1: the script checks them). An
 * internal one is for quiz's own tools: in neither --help nor the man page. */
static const struct command {
	const char *name;
	int min_words, max_words;
	int (*run)(const struct command_call *c);
	const char *synopsis, *help;
	bool internal;
} commands[] = {
	{"build", -1, -1, run_build, "build [OPTIONS] SOURCE",
	 "build a kernel (quiz-kernel build --help)\n"
	 "build --all [--upgrade[=DIR]] [--prune]: every built kernel again, each with its\n"
	 "options (quiz-kernel build --all --help)"},
	{"list", 0, 2, run_list, "list [--available [SERIES]]",
	 "the built kernels (of every architecture, or ARCH's), with their size on disk;\n"
	 "--available: the versions that can be built (of SERIES: 7.2, next), newest first,\n"
	 "each with its source (docs/kernels.md: installed, Debian's archive, kernel.org, git)"},
	{"remove", 1, 1, run_remove, "remove VER", "remove a kernel (refused while a run uses it)"},
	{"cache", -1, -1, run_cache, "cache [clean [--all]]",
	 "the cache by part; clean: what no kernel needs (quiz-kernel cache --help)"},
	{"path", 1, 2, run_path, "path VER [WHAT]",
	 "print a path: dir (default), image (what QEMU boots), bzimage (the build's boot\n"
	 "image), vmlinux (with symbols, for gdb), config, kbuild (for make -C ... M=$PWD),\n"
	 "modules, system-map; or make-args (ARCH= and CROSS_COMPILE= for\n"
	 "make -C $(quiz-kernel path VER kbuild))"},
	{"configure", -1, -1, run_project, "configure VER [ARGS]",
	 "./configure here against VER's kbuild tree (OpenZFS-style: --with-linux,\n"
	 "--with-linux-obj, --prefix, --host)"},
	{"install", -1, -1, run_project, "install VER SYS [ARGS]",
	 "make install DESTDIR=SYS INSTALL_MOD_PATH=SYS, for quiz --system SYS"},
	{"check", 1, 1, run_check, "check PATH",
	 "options quiz needs that a .config or build tree lacks"},
	{"config", 1, 1, run_config, "config PATH", "merge quiz's needs into that tree's .config"},
	{"arch", 0, 1, run_arch, "arch [ARCH]", "the architectures quiz boots, as KEY=VALUE lines"},
	{"version", 1, 1, run_version, "version WORD",
	 "a version word's kind (series, exact, rc, next, mainline) and normal form", true},
	{"version-sort", 0, 0, run_version_sort, "version-sort",
	 "stdin's lines \"WORD[<TAB>...]\" newest first; other lines left out", true},
};

/* --help, from the table: each command's synopsis, its help below it, indented. */
static void usage(void)
{
	printf("Usage: quiz-kernel COMMAND [-a ARCH] [ARGS]\n\n");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		if (commands[i].internal)
			continue;
		printf("  %s\n", commands[i].synopsis);
		for (const char *h = commands[i].help; *h;
		     h += strcspn(h, "\n") + (h[strcspn(h, "\n")] != 0))
			printf("        %.*s\n", (int)strcspn(h, "\n"), h);
	}
	printf("\n  -a, --arch ARCH   %s (default: this host's)\n\n"
	       "VER as for quiz -k: 6.1 (newest 6.1.x), 6.1.192, 6.12-rc3; 6.1-kasan for a debug\n"
	       "kernel (quiz-kernel build --with kasan 6.1); next-20261204, next, mainline.\n"
	       "SOURCE words: 7.2 (the newest 7.2 release: an installed linux-source-7.2 first),\n"
	       "7.2.13, 7.3-rc7, next-20261204, next, mainline; from the first source that has\n"
	       "it (list --available).\n"
	       "Environment: QUIZ_HOME (cache root, default ~/.cache/quiz).\n",
	       arch_names());
}

static int quiz_kernel_main(int argc, char **argv)
{
	_cleanup_(paths_free) struct quiz_paths p = {0};
	struct command_call call = {.paths = &p};
	log_program = "quiz-kernel";
	log_set_sink(log_to_stderr);
	if (argc < 2 || STREQ(argv[1], "-h") || STREQ(argv[1], "--help")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	for (int i = 2; i < argc; i++)
		call.arch_given |= STREQ(argv[i], "-a") || STREQ(argv[i], "--arch") ||
				   strncmp(argv[i], "--arch=", 7) == 0;
	if (take_arch(&argc, argv, &call.arch) < 0)
		return 2;
	if (paths_init(&p) < 0) {
		log_error("cannot find the cache root (set QUIZ_HOME or HOME)");
		return 2;
	}
	call.argc = argc - 1;
	call.argv = argv + 1;
	for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
		const struct command *c = &commands[i];
		int words = call.argc - 1;
		if (!STREQ(cmd, c->name))
			continue;
		if (c->min_words >= 0 && (words < c->min_words || words > c->max_words))
			break;
		return c->run(&call);
	}
	log_error("'%s': unknown command or wrong arguments; see quiz-kernel --help", cmd);
	return 2;
}

int main(int argc, char **argv)
{
	return stdout_checked(quiz_kernel_main(argc, argv), 1);
}
