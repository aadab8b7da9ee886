/* SPDX-License-Identifier: MIT */
/* quiz's command line: parsed into one struct, nothing acts while parsing. */
/* Host half: runner/main.c (the parse, then the dispatch). */
#pragma once

#include <stdbool.h>

#include "buf.h"

/* DEFAULT: raw with a program (its output stays on the terminal), auto without one. */
enum run_mode { RUN_MODE_DEFAULT, RUN_MODE_AUTO, RUN_MODE_RAW, RUN_MODE_TMUX };

/* --splat: what a kernel report (WARNING, BUG, KASAN, lockdep, ...) does to a passing run. */
enum splat_mode { SPLAT_MODE_FAIL, SPLAT_MODE_WARN, SPLAT_MODE_IGNORE };

/* --cwd-share: how the guest sees the current directory (host/tree_pack.h). */
enum cwd_share {
	CWD_SHARE_AUTO,	 /* the packed image for a tree of TREE_AUTO_MIN entries or more, else 9p */
	CWD_SHARE_9P,	 /* 9p */
	CWD_SHARE_IMAGE, /* the packed image, whatever the tree's size */
};

struct quiz_options {
	const char *kernel;	 /* -k selector */
	const char *arch;	 /* -a: the guest's architecture, or a list; NULL: the host's */
	const char *kernel_path; /* -K image or build tree */
	const char *memory;
	unsigned cpus;
	unsigned timeout_s;
	const char *shared_dir;
	const char *user_dir;
	const char *system_dir;
	struct strv env;	     /* -e VAR=VAL */
	struct strv append;	     /* --append words */
	struct strv qemu_args;	     /* --qemu-arg */
	struct strv profiles;	     /* -p, as given */
	struct strv profile_options; /* -o PROFILE.OPTION=VALUE */
	struct strv profile_dirs;    /* --profile-dir */
	bool list_profiles;
	bool doctor;		/* --doctor: check the host, run nothing */
	bool ps;		/* --ps: this user's running runs */
	bool attach;		/* --attach: a session in a running run */
	const char *attach_run; /* --attach's RUN; NULL: the only running run */
	const char *describe_profile;
	enum run_mode mode;
	bool shell_after;
	bool dry_run;
	bool verbose;
	bool keep;
	bool timings;
	bool cold; /* no saved VM state: a cold boot */
	enum cwd_share cwd_share;
	bool dmesg;
	enum splat_mode splat;
	struct strv splat_allow;     /* --splat-allow: extended regexes, each checked at parsing */
	const char *dump;	     /* --dump FILE: the guest's memory at the end of the run */
	const char *dump_on_panic;   /* --dump-on-panic FILE: the same when the guest panics */
	const char *coverage;	     /* --coverage DIR: gcov's lines, as lcov and HTML */
	const char *coverage_filter; /* --coverage-filter PATH: only the sources under it */
	/* Matrix runs: several kernels (-k 6.1,6.12) or a targets file. */
	unsigned jobs;
	bool tap;
	const char *junit;
	const char *results_dir;
	const char *targets;
	const char *filter;
	bool list;	      /* --list: the runs, one a line (or --json), nothing run */
	bool json;	      /* --json: --list as JSON */
	unsigned shard_index; /* --shard I/N: the runs at positions p with p % N == I - 1 */
	unsigned shard_count; /* N; 0: no --shard */
	/* --each: every test of the suite in its own VM (a matrix of targets x tests). */
	bool each;
	struct strv list_cmd;	    /* --list-cmd, split into words; empty: the suite's own */
	unsigned retries;	    /* --retries (default 1) */
	bool retries_given;	    /* --retries was given (it goes with --each) */
	const char *known_failures; /* --known-failures FILE */
	bool flaky_fails;	    /* --flaky-fails */
	const char *rerun_failed;   /* --rerun-failed DIR */
	struct strv merge;	    /* --merge DIR...: report earlier results, run nothing */
	const char *console_copy;   /* internal: where a matrix child keeps its console log */
	bool help;
	bool version;
	char **program; /* NULL-terminated, points into argv; empty = a shell (--attach's COMMAND)
			 */
};

/* 0, or -EINVAL after logging what was wrong and how to fix it. kernel: -k's default
 * (QUIZ_KERNEL), or NULL. */
int options_parse(int argc, char **argv, const char *kernel, struct quiz_options *ret);
void options_free(struct quiz_options *o);

/* Where an option stands in --help: a run's, several runs' (a matrix), then --doctor and the
 * rest. */
enum option_group { OPTION_GROUP_RUN, OPTION_GROUP_MATRIX, OPTION_GROUP_OTHER };

/* One of quiz's options. getopt_long's struct option[] and short-option string, and --help's
 * lines, are made from the table of these; man/quiz.1 lists the same, in the same order. */
struct option_spec {
	const char *name; /* the long name, without "--"; NULL ends the table */
	int has_arg;	  /* getopt_long's: no_argument or required_argument */
	const char *arg;  /* its value's name in --help (VER, PATH); NULL without one */
	int key;	  /* the short letter, or above 0xff for a long-only option */
	enum option_group group;
	const char *help; /* --help's text; each '\n' starts an indented line */
};
#define OPTION_KEY_LONG_ONLY 0x100 /* the first key of a long-only option */
/* In --help's order. */
extern const struct option_spec options_table[];

/* --help's text (malloc'd), made from the table: 0 or -ENOMEM. */
int options_usage(char **ret);

/* --shard I/N: 1 <= I <= N <= OPTIONS_SHARD_MAX, both whole numbers; -EINVAL otherwise (the
 * caller logs ret_why, a phrase). Pure. */
#define OPTIONS_SHARD_MAX 100000
int options_parse_shard(const char *s, unsigned *ret_index, unsigned *ret_count,
			const char **ret_why);
