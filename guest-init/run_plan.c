/* SPDX-License-Identifier: MIT */
/* The run stage's environment and tini's argv, from the run's settings. */
#include "run_plan.h"

#include <ctype.h>
#include <string.h>

int run_plan_env(const struct run_settings *s, struct strv *ret_env)
{
	static const char *const base[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"USER=root",
		"LOGNAME=root",
		"SHELL=" RUN_SHELL,
		"LANG=C.UTF-8",
	};
	_cleanup_strv_ struct strv env = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(base); i++)
		r = strv_push(&env, base[i]);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_KERNEL=%s", s->kernel ? s->kernel : "");
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_PROFILES=%s", s->profiles ? s->profiles : "");
	if (r >= 0 && s->term)
		r = strv_pushf(&env, "TERM=%s", s->term);
	for (size_t i = 0; r >= 0 && i < s->env.len; i++)
		r = strv_push(&env, s->env.items[i]);
	if (r < 0)
		return r;
	*ret_env = env;
	env = (struct strv){0};
	return 0;
}

int run_plan_hook_env(const struct run_settings *s, const char *profile, char *const *base,
		      struct strv *ret_env)
{
	_cleanup_strv_ struct strv env = {0};
	size_t plen = strlen(profile);
	int r = 0;
	for (size_t i = 0; r >= 0 && base[i]; i++)
		r = strv_push(&env, base[i]);
	if (r >= 0)
		r = strv_pushf(&env, "QUIZ_VERBOSE=%d", s->verbose);
	for (size_t i = 0; r >= 0 && i < s->options.len; i++) {
		const char *v = s->options.items[i];
		if (strncmp(v, profile, plen) != 0 || v[plen] != '.')
			continue;
		_cleanup_free_ char *kv = strdup(v + plen + 1);
		if (!kv)
			return -ENOMEM;
		for (char *p = kv; *p && *p != '='; p++)
			*p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
		r = strv_pushf(&env, "QUIZ_OPT_%s", kv);
	}
	if (r < 0)
		return r;
	*ret_env = env;
	env = (struct strv){0};
	return 0;
}

int run_plan_argv(const struct run_settings *s, struct strv *ret_argv, bool *ret_tty,
		  bool *ret_plain)
{
	_cleanup_strv_ struct strv argv = {0};
	bool tmux = s->mode == GUEST_MODE_TMUX, after = s->shell;
	int r = strv_push(&argv, RUN_TINI);
	if (r >= 0)
		r = strv_push(&argv, "-s");
	if (r >= 0)
		r = strv_push(&argv, "--");
	if (tmux || after) {
		if (r >= 0)
			r = strv_push(&argv, RUN_SELF);
		if (r >= 0)
			r = strv_push(&argv, tmux ? "--tmux" : "--rc");
	} else {
		/*
		 * The plain case: tini runs the program itself, and maps exec failures as a shell
		 * does (127 not found, 126 not executable). No hop through another exec: 30 ms
		 * under TCG.
		 */
		for (size_t i = 0; r >= 0 && i < s->args.len; i++)
			r = strv_push(&argv, s->args.items[i]);
		if (r >= 0 && !s->args.len)
			r = strv_push(&argv, RUN_SHELL); /* no program: a shell reading stdin */
	}
	if (r < 0)
		return r;
	*ret_argv = argv;
	argv = (struct strv){0};
	*ret_tty = tmux;
	*ret_plain = !tmux && !after;
	return 0;
}
