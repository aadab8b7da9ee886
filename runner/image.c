/* SPDX-License-Identifier: MIT */
/* Locating the guest image and keeping the init1 inside it current (no debootstrap needed). */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "buf.h"
#include "interrupt.h"
#include "log.h"
#include "macro.h"
#include "signals.h"

static int run_wait(char *const *argv)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		child_reset_signals();
		child_close_fds();
		execv(argv[0], argv);
		log_error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
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

int image_prepare(const struct quiz_paths *p, char **ret_path)
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
	if (asprintf(&image, "%s/images/" IMAGE_SUITE ".ext2", p->home) < 0 ||
	    asprintf(&info, "%s.info", image) < 0 ||
	    asprintf(&ours, "%s/quiz-init.sha256", p->libexec) < 0 ||
	    asprintf(&init1, "%s/quiz-init", p->libexec) < 0 ||
	    asprintf(&script, "%s/scripts/quiz-image", p->data) < 0)
		return -ENOMEM;
	if (access(image, R_OK) < 0) {
		log_error("no guest image at %s; build it: quiz-image build", image);
		return -ENOENT;
	}
	_cleanup_free_ char *want = stamp_of(ours);
	stamp = stamp_of(info);
	if (want && (!stamp || !STREQ(want, stamp))) {
		log_debug("refreshing init1 in %s", image);
		char *argv[] = {script, "refresh-init1", "--init1", init1, NULL};
		if (run_wait(argv) < 0) {
			log_error("the image's init1 is out of date and refreshing it failed; run: "
				  "quiz-image refresh-init1 --init1 %s",
				  init1);
			return -EIO;
		}
	}
	*ret_path = TAKE_PTR(image);
	return 0;
}
