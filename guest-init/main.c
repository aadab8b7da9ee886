/* SPDX-License-Identifier: MIT */
/* quiz-init: the guest image's /sbin/init. One static binary, several stages and roles. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rc.h"
#include "run.h"
#include "stages.h"

/*
 * init1 (the kernel's init) and init2 (PID 1 after the pivot) are separate stages but one
 * binary in the image: exec'ing init2 from the 9p run layer cost 50 ms of a 1.26 s boot under
 * TCG; from the image it is a page-cache hit. quiz refreshes this binary in the image
 * whenever its own copy changes, so it never lags behind the runner.
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
	if (argc == 2 && STREQ(argv[1], "--init2"))
		init2_main();
	init1_main();
}
