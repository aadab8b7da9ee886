/* SPDX-License-Identifier: MIT */
/* Running the profiles' guest hooks and the program (under tini) with the run's settings. */
#pragma once

#include "ports.h"

void run_program(const struct run_settings *s, struct ports *p, struct run_result *ret);

/* The "--exec" role: exec argv with a shell's exit codes (127 not found, 126 not runnable). */
int run_exec(int argc, char **argv);
