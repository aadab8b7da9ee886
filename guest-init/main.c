/* SPDX-License-Identifier: MIT */
/* quiz-init: the guest image's /sbin/init. One static binary, several stages and roles. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rc.h"
#include "run.h"
#include "stages.h"

/*
 * init1 (the kernel's init) and init2 (PID 1 after the pivot) are two stages of one process:
 * init1 stacks the layers and pivots, then calls init2. The binary lives in the image (an exec
 * from the 9p run layer cost 50 ms under TCG, an exec of init2 20 ms more); quiz refreshes it
 * in the image whenever its own copy changes, so it never lags behind the runner.
 */
int main(int argc, char **argv)
{
	if (argc == 2 && STREQ(argv[1], "--rc"))
		return rc_main();
	if (argc == 2 && STREQ(argv[1], "--tmux"))
		return tmux_main();
	if (argc >= 2 && STREQ(argv[1], "--exec"))
		return run_exec(argc - 2, argv + 2);
	if (getpid() != 1) {
		fprintf(stderr,
			"quiz-init: the guest's init; quiz boots it, it is not run by hand\n");
		return 2;
	}
	init1_main();
}
