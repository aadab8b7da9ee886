/* SPDX-License-Identifier: MIT */
/* quiz-init: the guest image's /sbin/init. One static binary, several stages and roles. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layout.h"
#include "rc.h"
#include "run.h"
#include "stages.h"
#include "udev.h"

/*
 * init1 (the kernel's init) and init2 (PID 1 after the pivot) are two stages of one process:
 * init1 stacks the layers and pivots, then calls init2. The binary lives in the image (an exec
 * from the 9p run layer cost 50 ms under TCG, an exec of init2 20 ms more); quiz refreshes it
 * in the image whenever its own copy changes, so it never lags behind the runner.
 */
/* What the image must have for this init, kept in the binary even though nothing reads it. */
__attribute__((used)) static const char layout_record[] = LAYOUT_RECORD_PREFIX GUEST_MOUNT_POINTS;

/* The image's mount points, one a line (quiz-image reads the record itself: any architecture). */
static int print_layout(void)
{
	const char *p = layout_record + strlen(LAYOUT_RECORD_PREFIX);
	for (size_t n; *p; p += n + (p[n] == ' ')) {
		n = strcspn(p, " ");
		printf("%.*s\n", (int)n, p);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && STREQ(argv[1], "--layout"))
		return print_layout();
	if (argc == 2 && STREQ(argv[1], "--rc"))
		return rc_main();
	if (argc == 2 && STREQ(argv[1], "--tmux"))
		return tmux_main();
	if (argc >= 2 && STREQ(argv[1], "--exec"))
		return run_exec(argc - 2, argv + 2);
	if (getpid() != 1 && argc >= 1 && udev_tool_named(argv[0]))
		return udev_tool_main(argc, argv);
	if (getpid() != 1) {
		fprintf(stderr,
			"quiz-init: the guest's init; quiz boots it, it is not run by hand\n");
		return 2;
	}
	init1_main();
}
