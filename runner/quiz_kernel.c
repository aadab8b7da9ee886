/* SPDX-License-Identifier: MIT */
/* quiz-kernel: build, list, locate and check quiz kernels. Building is the build script's job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kernels.h"
#include "log.h"
#include "paths.h"

static void usage(void)
{
	printf("Usage: quiz-kernel COMMAND [ARGS]\n"
	       "\n"
	       "  build [OPTIONS] SOURCE    build a kernel (quiz-kernel build --help)\n"
	       "  list                      the built kernels\n"
	       "  path VER [WHAT]           print a path: dir (default), image (what QEMU boots),\n"
	       "                            bzimage, vmlinux (with symbols, for gdb), config,\n"
	       "                            kbuild (for make -C ... M=$PWD), modules, system-map\n"
	       "  check PATH                options quiz needs that a .config or build tree lacks\n"
	       "  config PATH               merge quiz's needs into that tree's .config\n"
	       "\n"
	       "VER as for quiz -k: 6.1 (newest 6.1.x), 6.1.192, 6.12-rc3.\n"
	       "Environment: QUIZ_HOME (cache root, default ~/.cache/quiz).\n");
}

static int cmd_build(const struct quiz_paths *p, char **argv)
{
	_cleanup_free_ char *script = NULL, *kconfig = NULL;
	if (asprintf(&script, "%s/scripts/quiz-kernel-build", p->data) < 0 ||
	    asprintf(&kconfig, "%s/kconfig", p->data) < 0)
		return 1;
	if (setenv("QUIZ_KCONFIG_DIR", kconfig, 1) < 0 || setenv("QUIZ_HOME", p->home, 1) < 0)
		return 1;
	argv[0] = script;
	execv(script, argv);
	log_error("cannot run %s: %s", script, strerror(errno));
	return 1;
}

static void print_kernel_row(const char *home, const char *release)
{
	_cleanup_free_ char *dir = NULL, *info_path = NULL, *info = NULL, *image = NULL;
	if (asprintf(&dir, "%s/kernels/x86_64/%s", home, release) < 0 ||
	    asprintf(&info_path, "%s/info", dir) < 0 || asprintf(&image, "%s/bzImage", dir) < 0)
		return;
	(void)read_file(info_path, &info, NULL); /* a kernel without info still lists */
	_cleanup_free_ char *built = info ? kv_get(info, "built") : NULL;
	_cleanup_free_ char *options = info ? kv_get(info, "options") : NULL;
	_cleanup_free_ char *debug = info ? kv_get(info, "debug") : NULL;
	_cleanup_free_ char *btf = info ? kv_get(info, "btf") : NULL;
	struct stat st;
	double mib = stat(image, &st) == 0 ? (double)st.st_size / (1024 * 1024) : 0;
	printf("%-22s x86_64  %6.1f MiB  %-20s %4s options%s%s  %s\n", release, mib,
	       built ? built : "?", options ? options : "?",
	       debug && STREQ(debug, "1") ? ", debug" : "", btf && STREQ(btf, "1") ? ", btf" : "",
	       dir);
}

static int cmd_list(const struct quiz_paths *p)
{
	_cleanup_strv_ struct strv list = {0};
	if (kernels_list(p->home, &list) < 0)
		return 1;
	if (!list.len) {
		printf("no kernels built in %s/kernels; run: quiz-kernel build 6.1\n", p->home);
		return 0;
	}
	printf("%-22s %-7s %10s  %-20s %s\n", "RELEASE", "ARCH", "IMAGE", "BUILT", "CONFIG  PATH");
	for (size_t i = 0; i < list.len; i++)
		print_kernel_row(p->home, list.items[i]);
	return 0;
}

static int cmd_path(const struct quiz_paths *p, const char *selector, const char *what)
{
	_cleanup_(kernel_free) struct kernel k = {0};
	int r = kernel_resolve(p->home, selector, &k);
	if (r < 0) {
		log_error("no kernel %s built; run: quiz-kernel build %s", selector, selector);
		return 1;
	}
	static const char *const names[][2] = {
		{"dir", ""},
		{"bzimage", "/bzImage"},
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
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (STREQ(what, names[i][0])) {
			printf("%s%s\n", k.dir, names[i][1]);
			return 0;
		}
	log_error("path %s %s: unknown; use dir, image, bzimage, vmlinux, config, kbuild, modules "
		  "or system-map",
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

static int missing_in(const struct quiz_paths *p, const char *config_path, struct strv *ret)
{
	_cleanup_free_ char *config = NULL, *fragment = NULL, *fragment_path = NULL;
	if (asprintf(&fragment_path, "%s/kconfig/base.config", p->data) < 0)
		return -ENOMEM;
	int r = read_file(config_path, &config, NULL);
	if (r < 0) {
		log_error("%s: cannot read it: %s", config_path, strerror(-r));
		return r;
	}
	r = read_file(fragment_path, &fragment, NULL);
	if (r < 0) {
		log_error("%s: cannot read it: %s", fragment_path, strerror(-r));
		return r;
	}
	return kconfig_missing(config, fragment, ret);
}

static int cmd_check(const struct quiz_paths *p, const char *path)
{
	_cleanup_free_ char *config = config_of(path);
	_cleanup_strv_ struct strv missing = {0};
	if (!config) {
		log_error("%s: not a .config or a kernel build tree", path);
		return 2;
	}
	if (missing_in(p, config, &missing) < 0)
		return 2;
	if (!missing.len) {
		printf("%s has every option quiz needs\n", config);
		return 0;
	}
	printf("%s lacks %zu option%s quiz needs:\n", config, missing.len,
	       missing.len == 1 ? "" : "s");
	for (size_t i = 0; i < missing.len; i++)
		printf("  %s\n", missing.items[i]);
	printf("add them with: quiz-kernel config %s\n", path);
	return 1;
}

static int cmd_config(const struct quiz_paths *p, const char *tree)
{
	_cleanup_free_ char *config = config_of(tree), *fragment = NULL;
	struct stat st;
	if (!config || stat(tree, &st) < 0 || !S_ISDIR(st.st_mode) || access(config, W_OK) < 0) {
		log_error("%s: expected a kernel build tree with a writable .config", tree);
		return 2;
	}
	if (asprintf(&fragment, "%s/kconfig/base.config", p->data) < 0)
		return 2;
	/* Appended lines win over earlier ones; olddefconfig resolves what they imply. */
	pid_t pid = fork();
	if (pid == 0) {
		execlp("sh", "sh", "-c",
		       "cd \"$1\" && cat \"$2\" >> .config && make olddefconfig >/dev/null", "sh",
		       tree, fragment, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		log_error("make olddefconfig in %s failed", tree);
		return 1;
	}
	return cmd_check(p, tree);
}

int main(int argc, char **argv)
{
	_cleanup_(paths_free) struct quiz_paths p = {0};
	log_program = "quiz-kernel";
	if (argc < 2 || STREQ(argv[1], "-h") || STREQ(argv[1], "--help")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (paths_init(&p) < 0) {
		log_error("cannot find the cache root (set QUIZ_HOME or HOME)");
		return 2;
	}
	const char *cmd = argv[1];
	if (STREQ(cmd, "build"))
		return cmd_build(&p, argv + 1);
	if (STREQ(cmd, "list") && argc == 2)
		return cmd_list(&p);
	if (STREQ(cmd, "path") && (argc == 3 || argc == 4))
		return cmd_path(&p, argv[2], argc == 4 ? argv[3] : "dir");
	if (STREQ(cmd, "check") && argc == 3)
		return cmd_check(&p, argv[2]);
	if (STREQ(cmd, "config") && argc == 3)
		return cmd_config(&p, argv[2]);
	log_error("'%s': unknown command or wrong arguments; see quiz-kernel --help", cmd);
	return 2;
}
