/* SPDX-License-Identifier: MIT */
/* The guest's run stage: the program's environment, a hook's, and tini's argv, exactly. */
#include <stdbool.h>
#include <stdlib.h>

#include "run_plan.h"
#include "settings.h"
#include "tap.h"

#define BASE_ENV                                                                                   \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|HOME=/root|USER=root|"  \
	"LOGNAME=root|SHELL=/bin/bash|LANG=C.UTF-8"

static void check_strv(const struct strv *got, const char *want, const char *what)
{
	_cleanup_free_ char *j = join(got);
	CHECK_STR(j, want, "%s", what);
}

static void test_env(void)
{
	_cleanup_run_settings_ struct run_settings none = {0};
	_cleanup_strv_ struct strv env = {0};
	CHECK(run_plan_env(&none, &env) == 0, "env of zeroed settings");
	check_strv(&env, BASE_ENV "|QUIZ_KERNEL=|QUIZ_PROFILES=",
		   "absent kernel and profiles: empty, no TERM");
	CHECK(env.items && env.items[env.len] == NULL, "NULL-terminated for execve");

	_cleanup_run_settings_ struct run_settings s = {0};
	s.kernel = strdup("6.12.1");
	s.profiles = strdup("net,trace");
	s.term = strdup("screen-256color");
	strv_push(&s.env, "A=1 2");
	strv_push(&s.env, "PATH=/opt/bin");
	strv_push(&s.env, "B=");
	_cleanup_strv_ struct strv full = {0};
	CHECK(run_plan_env(&s, &full) == 0, "env of full settings");
	check_strv(&full,
		   BASE_ENV "|QUIZ_KERNEL=6.12.1|QUIZ_PROFILES=net,trace|TERM=screen-256color|"
			    "A=1 2|PATH=/opt/bin|B=",
		   "quiz's, the kernel, profiles, TERM, then the user's in order (a PATH of "
		   "theirs kept after quiz's)");
}

static void test_hook_env(void)
{
	_cleanup_run_settings_ struct run_settings s = {0};
	static const char *const options[] = {
		"net.max-rate=10", "netx.a=1",	 "net.Mixed-Case_x=a-b=C", "other.x=1",
		"net=bad",	   "net.empty=", "net.a-b-c=-x-",
	};
	for (size_t i = 0; i < ELEMENTSOF(options); i++)
		strv_push(&s.options, options[i]);
	char *base[] = {"A=1", "B=2", NULL};

	_cleanup_strv_ struct strv env = {0};
	CHECK(run_plan_hook_env(&s, "net", base, &env) == 0, "hook env of net");
	check_strv(&env,
		   "A=1|B=2|QUIZ_VERBOSE=0|QUIZ_OPT_MAX_RATE=10|QUIZ_OPT_MIXED_CASE_X=a-b=C|"
		   "QUIZ_OPT_EMPTY=|"
		   "QUIZ_OPT_A_B_C=-x-",
		   "the base, then net's options: name upper-cased, '-' as '_', value as is");

	_cleanup_strv_ struct strv other = {0};
	CHECK(run_plan_hook_env(&s, "other", base, &other) == 0, "hook env of other");
	check_strv(&other, "A=1|B=2|QUIZ_VERBOSE=0|QUIZ_OPT_X=1", "only that profile's options");

	_cleanup_strv_ struct strv none = {0};
	CHECK(run_plan_hook_env(&s, "ne", base, &none) == 0, "hook env of a prefix");
	check_strv(&none, "A=1|B=2|QUIZ_VERBOSE=0", "a profile whose name is a prefix gets none");

	_cleanup_strv_ struct strv loud = {0};
	s.verbose = true;
	CHECK(run_plan_hook_env(&s, "other", base, &loud) == 0, "hook env under -v");
	check_strv(&loud, "A=1|B=2|QUIZ_VERBOSE=1|QUIZ_OPT_X=1", "-v: QUIZ_VERBOSE=1");
}

static void test_argv(void)
{
	_cleanup_run_settings_ struct run_settings s = {0};
	strv_push(&s.args, "./t.sh");
	strv_push(&s.args, "a b");
	strv_push(&s.args, "");
	_cleanup_strv_ struct strv argv = {0};
	bool tty = true, plain = false;
	CHECK(run_plan_argv(&s, &argv, &tty, &plain) == 0, "argv of a program");
	check_strv(&argv, "/usr/bin/tini-static|-s|--|./t.sh|a b|", "tini runs the program");
	CHECK(!tty && plain, "raw, plain");
	CHECK_STR(argv.items[RUN_TINI_ARGS], "./t.sh", "the program at RUN_TINI_ARGS");

	_cleanup_run_settings_ struct run_settings shell = {0};
	_cleanup_strv_ struct strv sh = {0};
	CHECK(run_plan_argv(&shell, &sh, &tty, &plain) == 0, "argv without a program");
	check_strv(&sh, "/usr/bin/tini-static|-s|--|/bin/bash", "a shell reading stdin");
	CHECK(!tty && plain, "raw, plain");

	s.shell = true;
	_cleanup_strv_ struct strv rc = {0};
	CHECK(run_plan_argv(&s, &rc, &tty, &plain) == 0, "argv with -S");
	check_strv(&rc, "/usr/bin/tini-static|-s|--|/sbin/init|--rc", "the rc role");
	CHECK(!tty && !plain, "raw, not plain");

	s.mode = GUEST_MODE_TMUX;
	_cleanup_strv_ struct strv tmux_shell = {0};
	CHECK(run_plan_argv(&s, &tmux_shell, &tty, &plain) == 0, "argv in tmux mode with -S");
	check_strv(&tmux_shell, "/usr/bin/tini-static|-s|--|/sbin/init|--tmux",
		   "the tmux role wins over -S");
	CHECK(tty && !plain, "tty, not plain");

	s.shell = false;
	_cleanup_strv_ struct strv tmux = {0};
	CHECK(run_plan_argv(&s, &tmux, &tty, &plain) == 0, "argv in tmux mode");
	check_strv(&tmux, "/usr/bin/tini-static|-s|--|/sbin/init|--tmux", "the tmux role");
	CHECK(tty && !plain, "tty, not plain");
}

/* The host's bytes, decoded, planned: the whole guest side of the settings. */
static void test_from_bytes(void)
{
	static const char bytes[] = "arg=/quiz/run/bin/t\0arg=x\0env=E=1\0mode=raw\0"
				    "kernel=6.1.5\0hook=net\0option=net.dry-run=1\0profiles=net";
	_cleanup_run_settings_ struct run_settings s = {0};
	CHECK(run_settings_decode(bytes, sizeof(bytes), &s) == 0, "decode the host's bytes");
	_cleanup_strv_ struct strv env = {0}, argv = {0}, henv = {0};
	bool tty, plain;
	CHECK(run_plan_env(&s, &env) == 0 && run_plan_argv(&s, &argv, &tty, &plain) == 0 &&
		      run_plan_hook_env(&s, s.hooks.items[0], env.items, &henv) == 0,
	      "plan them");
	check_strv(&env, BASE_ENV "|QUIZ_KERNEL=6.1.5|QUIZ_PROFILES=net|E=1", "the environment");
	check_strv(&argv, "/usr/bin/tini-static|-s|--|/quiz/run/bin/t|x", "tini's argv");
	check_strv(&henv,
		   BASE_ENV
		   "|QUIZ_KERNEL=6.1.5|QUIZ_PROFILES=net|E=1|QUIZ_VERBOSE=0|QUIZ_OPT_DRY_RUN=1",
		   "the hook's environment");
}

int main(void)
{
	test_env();
	test_hook_env();
	test_argv();
	test_from_bytes();
	return tap_done();
}
