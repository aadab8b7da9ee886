/* SPDX-License-Identifier: MIT */
/* Locating the guest image and keeping the init1 inside it current (no debootstrap needed). */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "exit_status.h"
#include "file.h"
#include "interrupt.h"
#include "kv.h"
#include "log.h"
#include "macro.h"
#include "signals.h"

static int run_wait(char *const *argv)
{
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* SIGTERM once quiz is gone: its traps clean up, as after a Ctrl-C. */
		child_reset_signals();
		if (child_die_with_parent(parent, SIGTERM) < 0)
			_exit(EXIT_SIGNALED + SIGTERM);
		child_close_fds();
		execv(argv[0], argv);
		log_error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(EXIT_NOT_FOUND);
	}
	/* In quiz's process group: Ctrl-C reaches it, and its traps clean up. */
	int status;
	int r = child_wait(pid, &status);
	if (r < 0)
		return r;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static char *stamp_of(const char *file)
{
	_cleanup_free_ char *text = NULL;
	if (read_file(file, &text, NULL) < 0)
		return NULL;
	char *s = kv_get(text, "init1_sha256");
	if (s)
		return s;
	text[strcspn(text, " \n")] = '\0'; /* a bare sha256sum line */
	return strdup(text);
}

int image_path(const char *home, const struct arch *a, char **ret)
{
	return asprintf(ret, "%s/images/%s-%s.ext2", home, arch_image_suite(a), a->debian_arch) < 0
		       ? -ENOMEM
		       : 0;
}

int image_init1(const struct quiz_paths *p, const struct arch *a, char **ret)
{
	/* A cross-built quiz-init-ARCH, else (the host's own architecture) the native one. */
	if (asprintf(ret, "%s/quiz-init-%s", p->libexec, a->name) < 0)
		return -ENOMEM;
	if (access(*ret, R_OK) == 0 || a != arch_host())
		return 0;
	free(*ret);
	return asprintf(ret, "%s/quiz-init", p->libexec) < 0 ? -ENOMEM : 0;
}

int image_prepare(const struct quiz_paths *p, const struct arch *a, char **ret_path)
{
	_cleanup_free_ char *image = NULL, *info = NULL, *ours = NULL, *init1 = NULL;
	_cleanup_free_ char *stamp = NULL, *script = NULL;
	const char *env = getenv("QUIZ_IMAGE");
	if (env && env[0]) {
		if (!(*ret_path = realpath(env, NULL))) {
			log_error("QUIZ_IMAGE=%s: %s", env, strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (image_path(p->home, a, &image) < 0 || asprintf(&info, "%s.info", image) < 0 ||
	    image_init1(p, a, &init1) < 0 || asprintf(&ours, "%s.sha256", init1) < 0 ||
	    asprintf(&script, "%s/quiz-image", p->tools) < 0)
		return -ENOMEM;
	if (access(image, R_OK) < 0) {
		log_error("no %s%sguest image at %s; build it: quiz-image build%s%s", arch_word(a),
			  arch_space(a), image, arch_flag(a), arch_word(a));
		return -ENOENT;
	}
	if (access(init1, R_OK) < 0) {
		log_error("no quiz-init for %s (%s): quiz was built without %sgcc; install "
			  "gcc-%.*s and build quiz again",
			  a->name, init1, a->cross_prefix, (int)strlen(a->cross_prefix) - 1,
			  a->cross_prefix);
		return -ENOENT;
	}
	_cleanup_free_ char *want = stamp_of(ours);
	stamp = stamp_of(info);
	if (want && (!stamp || !STREQ(want, stamp))) {
		log_debug("refreshing init1 in %s", image);
		/* quiz-image asks quiz-kernel (beside quiz) for another architecture's names. */
		char exe[4096];
		ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		_cleanup_free_ char *qk = NULL;
		if (len > 0) {
			exe[len] = '\0';
			*strrchr(exe, '/') = '\0';
			if (asprintf(&qk, "%s/quiz-kernel", exe) >= 0)
				(void)setenv("QUIZ_KERNEL_BIN", qk, 1); /* else: PATH's */
		}
		bool host = a == arch_host();
		char *argv[] = {script, "refresh-init1",	"--init1",
				init1,	host ? NULL : "--arch", (char *)a->name,
				NULL};
		if (run_wait(argv) < 0) {
			log_error("the image's init1 is out of date and refreshing it failed; run: "
				  "quiz-image refresh-init1 --arch %s --init1 %s",
				  a->name, init1);
			return -EIO;
		}
	}
	*ret_path = TAKE_PTR(image);
	return 0;
}
