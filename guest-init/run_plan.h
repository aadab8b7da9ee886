/* SPDX-License-Identifier: MIT */
/* What the run stage starts, from the run's settings: pure (no I/O), unit-tested. */
#pragma once

#include <stdbool.h>

#include "buf.h"
#include "settings.h"

/* The static build: no dynamic linking before the program's own (30 ms under TCG). */
#define RUN_TINI "/usr/bin/tini-static"
#define RUN_SELF "/sbin/init" /* quiz-init, for its roles under tini */
#define RUN_SHELL "/bin/bash"
/* tini's own words before the program's: "tini -s --". */
#define RUN_TINI_ARGS 3

/* The program's environment: quiz's base, QUIZ_KERNEL, QUIZ_PROFILES, TERM if given, then the
 * settings' env in order. */
int run_plan_env(const struct run_settings *s, struct strv *ret_env);

/* The environment of profile's guest hook: base (the program's), then QUIZ_OPT_<NAME>=VALUE for
 * each of its options PROFILE.NAME=VALUE, NAME upper-cased with '-' as '_'. */
int run_plan_hook_env(const struct run_settings *s, const char *profile, char *const *base,
		      struct strv *ret_env);

/*
 * tini's argv: the program itself (no program: a shell reading stdin), or quiz-init's rc role
 * (--rc, for a shell after it) or tmux role (--tmux). *ret_tty: the program has the console as
 * its terminal (tmux mode); *ret_plain: tini runs the program itself, from argv[RUN_TINI_ARGS].
 */
int run_plan_argv(const struct run_settings *s, struct strv *ret_argv, bool *ret_tty,
		  bool *ret_plain);
