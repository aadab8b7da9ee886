/* SPDX-License-Identifier: MIT */
/* Running the profiles' guest hooks and the program (under tini) with the run's settings. */
#pragma once

#include "attach.h"
#include "ports.h"

/* attach: PID 1's watch for quiz --attach, checked while hooks and the program run. */
void run_program(const struct run_settings *s, struct ports *p, struct attach_watch *attach,
		 struct run_result *ret);

/* The "--exec" role: exec argv with a shell's exit codes (127 not found, 126 not runnable). */
int run_exec(int argc, char **argv);
