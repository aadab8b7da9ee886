/* SPDX-License-Identifier: MIT */
/* --each: a suite's tests, listed in a guest (or read from --rerun-failed), an entry each. */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit_status.h"
#include "file.h"
#include "log.h"
#include "matrix.h"
#include "matrix_internal.h"
#include "remove_tree.h"
#include "safe_text.h"
#include "signals.h"
#include "suite.h"

/* The most of a list command's stdout quiz reads. */
#define LIST_MAX (16 << 20)

/* fstests' check with common/rc beside it, as the host sees it. */
static bool has_common_rc(const char *program)
{
	_cleanup_free_ char *copy = strdup(program), *rc = NULL;
	if (!copy || !strchr(program, '/'))
		return copy && access("common/rc", R_OK) == 0;
	return asprintf(&rc, "%s/common/rc", dirname(copy)) >= 0 && access(rc, R_OK) == 0;
}

/* The child: the list command run like any program, its stdout and stderr in dir. */
static _Noreturn void list_child(const struct run_context *c, const struct matrix_entry *t,
				 const struct strv *argv, const struct strv *env, const char *dir,
				 pid_t parent)
{
	if (child_die_with_parent(parent, SIGTERM) < 0)
		_exit(EXIT_SIGNALED + SIGTERM);
	_cleanup_free_ char *console = NULL;
	if (matrix_child_stdio(dir, 0600, &console) < 0)
		_exit(EXIT_QUIZ_FAILED);
	struct quiz_options lo = t->options;
	lo.program = argv->items;
	if (env->len)
		lo.env = *env;
	lo.mode = RUN_MODE_RAW;
	lo.console_copy = console;
	lo.coverage = NULL; /* the tests' runs count, not the listing */
	lo.coverage_filter = NULL;
	struct run_result result = {0};
	int status = run_program(c, &lo, &result);
	run_result_free(&result);
	fflush(NULL);
	_exit(status);
}

/* The last line of a list command's stderr, escaped for the terminal ("" when none). */
static char *last_line(const char *dir)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	_cleanup_buf_ struct buf safe = {0};
	size_t len = 0;
	if (asprintf(&path, "%s/stderr", dir) < 0 || read_file(path, &text, &len) < 0)
		return strdup("");
	while (len && text[len - 1] == '\n')
		len--;
	size_t start = len;
	while (start && text[start - 1] != '\n')
		start--;
	if (safe_text_append(&safe, text + start, len - start, true, NULL) < 0 || !safe.data)
		return strdup("");
	return TAKE_PTR(safe.data);
}

/* Waits for the list's child, with mask (the stop signals and SIGCHLD) blocked since before
 * the fork: a stop signal is passed on to the child, which stops its VM, and is returned in
 * *ret_signal once the child is gone. 0 or -errno. */
static int list_wait(pid_t pid, const sigset_t *mask, int *ret_status, int *ret_signal)
{
	_cleanup_close_ int fd = signalfd(-1, mask, SFD_CLOEXEC);
	int stop = 0;
	for (;;) {
		/* Without the signalfd, a plain wait: the child still stops on Ctrl-C. */
		pid_t got = waitpid(pid, ret_status, fd >= 0 ? WNOHANG : 0);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return -errno;
		struct signalfd_siginfo si;
		if (fd >= 0 && read(fd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD &&
		    !stop) {
			stop = (int)si.ssi_signo;
			(void)kill(pid, stop);
		}
	}
	*ret_signal = stop;
	return 0;
}

/* Runs the suite's list command in a guest of target t; its stdout in *ret. -EINTR: a stop
 * signal came (in *ret_signal), and the list's VM was stopped. */
static int list_in_guest(const struct run_context *c, const struct matrix_entry *t,
			 const struct strv *argv, const struct strv *env, char **ret,
			 size_t *ret_len, int *ret_signal)
{
	const char *tmpdir = getenv("TMPDIR");
	_cleanup_free_ char *dir = NULL, *out = NULL;
	if (asprintf(&dir, "%s/quiz-list.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0)
		return -ENOMEM;
	/* Blocked until the folder is gone: Ctrl-C must not end quiz before it cleans up. The
	 * child starts with them blocked too, as a matrix's children do (run_program's). */
	sigset_t mask, old;
	stop_signals(&mask, true);
	(void)sigprocmask(SIG_BLOCK, &mask, &old);
	if (!mkdtemp(dir)) {
		log_error("cannot make a folder for the list command's output: %s",
			  strerror(errno));
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return -EIO;
	}
	fflush(NULL);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		list_child(c, t, argv, env, dir, parent);
	int status = 0, stop = 0, r = pid < 0 ? -errno : list_wait(pid, &mask, &status, &stop);
	if (r < 0) {
		log_error("cannot run the list command: %s", strerror(-r));
		r = -EIO;
	} else if (stop) {
		log_error("stopped by signal %d; the list command was stopped", stop);
		*ret_signal = stop;
		r = -EINTR;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SIGNALED + WTERMSIG(status);
	if (r >= 0 && code != 0) {
		_cleanup_free_ char *why = last_line(dir), *cmd = NULL;
		_cleanup_buf_ struct buf words = {0};
		for (size_t i = 0; i < argv->len; i++)
			(void)buf_printf(&words, "%s%s", i ? " " : "", argv->items[i]);
		if (safe_text_dup(words.data ? words.data : "", &cmd) < 0)
			cmd = NULL;
		log_error("%s: the suite's list command (%s) exited %d%s%s; quiz --each runs what "
			  "it lists (give --list-cmd for another)",
			  t->name, cmd ? cmd : "?", code, why && *why ? ": " : "", why ? why : "");
		r = -EIO;
	}
	if (r >= 0 && asprintf(&out, "%s/stdout", dir) < 0)
		r = -ENOMEM;
	if (r >= 0 && (r = read_file(out, ret, ret_len)) < 0)
		log_error("cannot read the list command's output: %s", strerror(-r));
	if (r >= 0 && *ret_len > LIST_MAX) {
		log_error("%s: the list command printed more than %d MiB", t->name, LIST_MAX >> 20);
		free(*ret);
		*ret = NULL; /* the caller's, which frees it again otherwise */
		r = -E2BIG;
	}
	(void)remove_tree(dir, NULL);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* fstests' places, unless the user's -e sets them: the blockdev profile's two disks. */
static int fstests_env(const struct quiz_options *o, bool own_share, struct strv *env)
{
	static const char *const defaults[] = {
		"FSTYP=ext4",
		"TEST_DEV=/dev/quizb0",
		"TEST_DIR=/mnt/test",
		"SCRATCH_DEV=/dev/quizb1",
		"SCRATCH_MNT=/mnt/scratch",
		"RECREATE_TEST_DEV=true",
	};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < o->env.len; i++)
		r = strv_push(env, o->env.items[i]);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(defaults) + 1; i++) {
		const char *d = i < ELEMENTSOF(defaults) ? defaults[i]
				: own_share		 ? "RESULT_BASE=/shared/results"
							 : NULL;
		if (!d)
			continue;
		size_t n = strcspn(d, "=") + 1;
		bool set = false;
		for (size_t j = 0; j < o->env.len; j++)
			set |= strncmp(o->env.items[j], d, n) == 0;
		if (!set)
			r = strv_push(env, d);
	}
	return r;
}

/* The tests' names for target t: --rerun-failed's, or the suite's list. */
static int test_names(const struct quiz_options *o, const struct run_context *c,
		      const struct matrix_entry *t, enum suite_kind kind, struct strv *ret,
		      int *ret_signal)
{
	_cleanup_free_ char *text = NULL, *error = NULL, *path = NULL;
	_cleanup_strv_ struct strv argv = {0};
	size_t len = 0;
	int r;
	if (o->rerun_failed) {
		if (asprintf(&path, "%s/failed", o->rerun_failed) < 0)
			return -ENOMEM;
		r = read_file(path, &text, &len);
		if (r < 0) {
			log_error(
				"--rerun-failed %s: cannot read %s (%s); it is written by a --each "
				"run with --results %s",
				o->rerun_failed, path, strerror(-r), o->rerun_failed);
			return r;
		}
		kind = SUITE_GENERIC; /* one name a line, as quiz wrote them */
	} else {
		_cleanup_strv_ struct strv env = {0};
		r = suite_list_argv(kind, t->options.program,
				    t->list_cmd.len ? &t->list_cmd : &o->list_cmd, &argv, &error);
		if (r < 0) {
			log_error("%s", error ? error : strerror(-r));
			return r;
		}
		if (kind == SUITE_FSTESTS && (r = fstests_env(o, false, &env)) < 0)
			return r;
		r = list_in_guest(c, t, &argv, &env, &text, &len, ret_signal);
		if (r < 0)
			return r;
	}
	r = suite_parse_list(kind, t->options.program, text ? text : "", len, ret, &error);
	if (r == -EINVAL)
		log_error("%s: the %s's %s: %s; a test's name is one line of UTF-8 without "
			  "control characters",
			  t->name, suite_kind_name(kind), o->rerun_failed ? "failed list" : "list",
			  error ? error : "bad line");
	return r;
}

/* One test of target t, appended to *entries. */
static int add_test(const struct quiz_options *o, const struct matrix_entry *t,
		    enum suite_kind kind, const char *name, const struct known_failures *known,
		    struct matrix_entry **entries, size_t *n)
{
	struct matrix_entry *grown = realloc(*entries, (*n + 1) * sizeof(**entries));
	if (!grown)
		return -ENOMEM;
	*entries = grown;
	struct matrix_entry *e = &grown[*n];
	_cleanup_free_ char *folder = NULL;
	/* The target's strings stay the target's: the caller frees targets after the run. */
	*e = (struct matrix_entry){.name = strdup(name),
				   .options = t->options,
				   .owns_profiles = false,
				   .report_kernel = t->report_kernel,
				   .report_arch = t->report_arch,
				   .target = t->name,
				   .suite = kind,
				   .known = known_failures_match(known, name),
				   .own_share = !o->shared_dir};
	e->options.env = (struct strv){0};
	int r = e->name ? suite_folder_name(name, &folder) : -ENOMEM;
	if (r >= 0 && asprintf(&e->folder, "%s/%s", t->name, folder) < 0)
		r = -ENOMEM;
	if (r >= 0)
		r = suite_test_argv(kind, t->options.program, name, &e->program);
	if (r >= 0 && kind == SUITE_FSTESTS)
		r = fstests_env(o, e->own_share, &e->env);
	if (r < 0) {
		matrix_entry_clear(e);
		return r;
	}
	e->options.program = e->program.items;
	e->options.env = kind == SUITE_FSTESTS ? e->env : o->env;
	(*n)++;
	return 0;
}

int matrix_each(const struct quiz_options *o, const struct run_context *c,
		struct matrix_entry *targets, size_t n_targets, const struct known_failures *known,
		struct matrix_entry **ret, size_t *ret_n, int *ret_signal)
{
	struct matrix_entry *entries = NULL;
	size_t n = 0;
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n_targets; i++) {
		const struct matrix_entry *t = &targets[i];
		_cleanup_strv_ struct strv names = {0};
		enum suite_kind kind = t->options.program[0]
					       ? suite_detect(t->options.program[0],
							      has_common_rc(t->options.program[0]))
					       : SUITE_GENERIC;
		if (o->list_cmd.len || t->list_cmd.len)
			kind = SUITE_GENERIC;
		r = test_names(o, c, t, kind, &names, ret_signal);
		if (r >= 0 && !names.len && !o->rerun_failed) {
			/* most likely a mistyped -c or group: a run of nothing would pass */
			log_error("%s: the %s suite listed no test; check what chooses the tests "
				  "(its -c, -g, or the list command)",
				  t->name, suite_kind_name(kind));
			r = -ENOENT;
		}
		for (size_t j = 0; r >= 0 && j < names.len; j++)
			r = add_test(o, t, kind, names.items[j], known, &entries, &n);
		if (r == -ENOMEM)
			log_error("out of memory");
	}
	if (r < 0) {
		matrix_entries_free(entries, n);
		return r;
	}
	*ret = entries;
	*ret_n = matrix_entries_shard(entries, n, o); /* over the tests, every target's */
	return 0;
}
