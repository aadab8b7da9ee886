/* SPDX-License-Identifier: MIT */
/* A matrix's runs: children up to -j at once, a failed test run again, the output in order. */
#include "matrix.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coverage.h"
#include "exit_status.h"
#include "file.h"
#include "image.h"
#include "kernel.h"
#include "kernel_host.h"
#include "log.h"
#include "matrix_internal.h"
#include "paths.h"
#include "remove_tree.h"
#include "report.h"
#include "run.h"
#include "run_dir.h"
#include "signals.h"
#include "vm.h"

static int capture_dir(const struct quiz_options *o, const char *tmp, const struct matrix_entry *e,
		       char **ret)
{
	const char *base = o->results_dir ? o->results_dir : tmp;
	const char *name = e->folder ? e->folder : e->name;
	/* NAME must stay below base ("[..]" would write base's parent): targets_parse,
	 * kernels_list and suite_folder_name let no such name through; this is the place that
	 * depends on it. A test's folder is TARGET/TESTFOLDER, each part checked so. */
	for (const char *p = name; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (!p[0] || p[0] == '.' || p[0] == '/')
			return -EINVAL;
	if (!e->folder && strchr(name, '/'))
		return -EINVAL;
	int r = asprintf(ret, "%s/%s", base, name) < 0 ? -ENOMEM : 0;
	return r < 0 ? r : mkdir_p_at(AT_FDCWD, *ret, 0755);
}

static void write_result(const struct slot *s, const struct run_result *result)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_buf_ struct buf text = {0};
	if (asprintf(&path, "%s/" RESULT_FILE, s->dir) < 0 ||
	    run_result_encode(result, &text) < 0 ||
	    write_file_at(AT_FDCWD, path, text.data, text.len, 0644) < 0)
		log_error(
			"cannot write this run's result into %s; the reports judge it by its exit "
			"status alone",
			s->dir);
}

int matrix_child_stdio(const char *dir, mode_t mode, char **ret_console)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	if (asprintf(&out, "%s/stdout", dir) < 0 || asprintf(&err, "%s/stderr", dir) < 0 ||
	    asprintf(ret_console, "%s/console.log", dir) < 0)
		return -ENOMEM;
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int o1 = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int o2 = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (in < 0 || o1 < 0 || o2 < 0 || dup2(in, 0) < 0 || dup2(o1, 1) < 0 || dup2(o2, 2) < 0)
		return -errno;
	return 0;
}

static pid_t start_entry(struct matrix_entry *e, struct slot *s, const struct run_context *c)
{
	pid_t parent = getpid();
	s->started = now_ms();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/*
	 * A child dies with the matrix quiz, even one killed by SIGKILL: SIGTERM, which it handles
	 * like any stop signal (its VM stopped, its run directory removed).
	 */
	if (child_die_with_parent(parent, SIGTERM) < 0)
		_exit(EXIT_SIGNALED + SIGTERM);
	_cleanup_free_ char *console = NULL, *shared = NULL, *coverage = NULL;
	if (matrix_child_stdio(s->dir, 0644, &console) < 0)
		_exit(EXIT_QUIZ_FAILED);
	e->options.console_copy = console;
	e->options.mode = RUN_MODE_RAW; /* many runs, no terminal each */
	/* --each without --shared: /shared is the test's own folder, kept with its results. */
	if (e->own_share) {
		if (asprintf(&shared, "%s/shared", s->dir) < 0 || mkdir(shared, 0700) < 0)
			_exit(EXIT_QUIZ_FAILED);
		e->options.shared_dir = shared;
	}
	/* --coverage DIR: each run's in its folder, merged into DIR at the end (merge_coverage). */
	if (e->options.coverage) {
		if (asprintf(&coverage, "%s/" COVERAGE_OF_RUN, s->dir) < 0)
			_exit(EXIT_QUIZ_FAILED);
		e->options.coverage = coverage;
	}
	struct run_result result = {0};
	int status = run_program(c, &e->options, &result);
	write_result(s, &result);
	run_result_free(&result);
	fflush(NULL); /* _exit skips stdio's buffers, and stdout is a file here */
	_exit(status);
}

/* Once per architecture, before the runs: parallel runs must not each refresh an image's
 * init, nor each probe KVM (or say so). */
static int prepare_matrix(const struct quiz_options *o, const struct run_context *c,
			  const struct matrix_entry *entries, size_t n)
{
	const struct quiz_paths *p = c->paths;
	const struct arch *done[16];
	size_t n_done = 0;
	for (size_t i = 0; i < n; i++) {
		const struct arch *a = run_find_arch(entries[i].options.arch);
		bool seen = false;
		if (!a)
			return -EINVAL;
		for (size_t j = 0; j < n_done; j++)
			seen |= done[j] == a;
		if (seen)
			continue;
		if (n_done < ELEMENTSOF(done))
			done[n_done++] = a;
		_cleanup_free_ char *image = NULL;
		_cleanup_(kernel_free) struct kernel k = {0};
		_cleanup_(accel_choice_free) struct accel_choice accel = {0};
		if (image_prepare(p, a, &image) < 0)
			return -ENOENT;
		bool have_kernel =
			o->kernel_path
				? kernel_from_path(o->kernel_path, a, &k) == 0
				: kernel_resolve(p->home, a, entries[i].options.kernel, &k) == 0;
		if (have_kernel && run_choose_accel(c, &k, !o->dry_run, &accel) < 0)
			return -EIO;
	}
	return 0;
}

/* A run's files, kept in the folder's attempt-K/ before the run again writes the folder. */
static int keep_attempt(struct slot *s)
{
	static const char *const files[] = {"stdout", "stderr", "console.log", RESULT_FILE,
					    "shared"};
	_cleanup_free_ char *keep = NULL;
	if (asprintf(&keep, "%s/attempt-%u", s->dir, s->attempts) < 0)
		return -ENOMEM;
	if (mkdir(keep, 0755) < 0)
		return -errno;
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *from = NULL, *to = NULL;
		if (asprintf(&from, "%s/%s", s->dir, files[i]) < 0 ||
		    asprintf(&to, "%s/%s", keep, files[i]) < 0)
			return -ENOMEM;
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	run_result_free(&s->result);
	s->has_result = false;
	return 0;
}

/* Whether the slot's run that just ended is run again: --each, a failure that no known-failures
 * line expects, and retries left. */
static bool run_again(const struct quiz_options *o, const struct matrix_entry *e,
		      const struct slot *s)
{
	return e->target && !e->known && result_kind_fails(s->kind, false) &&
	       s->attempts <= o->retries;
}

/* The progress line on a terminal: "[12/50] 1 failed, 2 running, about 1m05s left". */
struct progress {
	bool on;
	size_t total, done, failed;
	long long started, run_ms; /* all runs that ended: their time together */
	size_t runs;
	unsigned jobs;
	bool shown;
};

static void progress_clear(struct progress *p)
{
	if (p->on && p->shown)
		(void)!write(2, "\r\033[K", 4);
	p->shown = false;
}

static void progress_show(struct progress *p, size_t running)
{
	if (!p->on)
		return;
	char line[160];
	int n = snprintf(line, sizeof(line), "\r\033[K[%zu/%zu] %zu failed, %zu running", p->done,
			 p->total, p->failed, running);
	if (p->runs && p->done < p->total && n > 0 && (size_t)n < sizeof(line)) {
		long long left = p->run_ms / (long long)p->runs * (long long)(p->total - p->done) /
				 (p->jobs ? p->jobs : 1) / 1000;
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", about %lldm%02llds left",
			      left / 60, left % 60);
	}
	if (n > 0 && (size_t)n < sizeof(line))
		p->shown = write(2, line, (size_t)n) == n;
}

/* Starts queued entries while fewer than jobs run. queue: entry indexes, retries first. */
static void start_queued(struct matrix_entry *entries, struct slot *slots, size_t *queue,
			 size_t *n_queue, size_t *running, unsigned jobs,
			 const struct run_context *c)
{
	while (*n_queue && *running < jobs) {
		size_t i = queue[0];
		memmove(queue, queue + 1, (*n_queue - 1) * sizeof(*queue));
		(*n_queue)--;
		slots[i].attempts++;
		slots[i].pid = start_entry(&entries[i], &slots[i], c);
		if (slots[i].pid < 0) {
			log_error("fork: %s", strerror(errno));
			slots[i].done = true;
			slots[i].status = EXIT_QUIZ_FAILED << 8;
			slots[i].ended = now_ms();
		} else {
			slots[i].running = true;
			(*running)++;
		}
	}
}

/* An entry's run ended: judged, then done or queued again (first in the queue). */
static void run_ended(const struct quiz_options *o, struct matrix_entry *e, struct slot *s,
		      size_t index, size_t *queue, size_t *n_queue, struct progress *p)
{
	s->running = false;
	s->ended = now_ms();
	p->run_ms += s->ended - s->started;
	p->runs++;
	matrix_judge_attempt(o, e, s);
	if (s->attempts == 1) {
		s->first_kind = s->kind;
		s->first_exit_code = s->exit_code;
	}
	if (run_again(o, e, s)) {
		int r = keep_attempt(s);
		if (r >= 0) {
			memmove(queue + 1, queue, *n_queue * sizeof(*queue));
			queue[0] = index;
			(*n_queue)++;
			return;
		}
		log_error("cannot keep %s's run before running it again: %s", e->name,
			  strerror(-r));
	}
	s->done = true;
	p->done++;
	p->failed += !e->known && result_kind_fails(s->kind, false); /* an xfail fails nothing */
}

struct matrix_state {
	struct slot *slots;
	struct run_result_row *rows;
	char **texts;
	size_t *queue;
	char *tmp;
};

static void state_free(struct matrix_state *st, size_t n)
{
	for (size_t i = 0; st->rows && i < n; i++)
		report_row_free_tap(&st->rows[i]);
	for (size_t i = 0; st->texts && i < 2 * n; i++)
		free(st->texts[i]);
	for (size_t i = 0; st->slots && i < n; i++) {
		free(st->slots[i].dir);
		run_result_free(&st->slots[i].result);
	}
	if (st->tmp)
		(void)remove_tree(st->tmp, NULL); /* a leftover in TMPDIR is all a failure costs */
	free(st->slots);
	free(st->rows);
	free(st->texts);
	free(st->queue);
	free(st->tmp);
}

/*
 * What an earlier run into the same --results folder left in a run's folder: its files would
 * pass for this run's (a child that dies before it writes its result), and a test's shared/
 * and attempt-K/ (--each's, only) stop this run's (mkdir fails). Its row and result.json are
 * written again.
 */
static int clear_earlier_run(const char *dir, bool test)
{
	static const char *const names[] = {"stdout",	 "stderr",	  "console.log",
					    RESULT_FILE, COVERAGE_OF_RUN, "shared"};
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = 0;
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(names) - !test; i++) /* shared: a test's */
		r = remove_tree_at(fd, names[i], names[i], NULL);
	if (!test || r < 0)
		return r;
	int list_fd = dup(fd);
	DIR *d = list_fd < 0 ? NULL : fdopendir(list_fd);
	if (!d) {
		r = -errno;
		if (list_fd >= 0)
			close(list_fd);
		return r;
	}
	for (struct dirent *de; r >= 0 && (de = readdir(d));)
		if (strncmp(de->d_name, "attempt-", 8) == 0)
			r = remove_tree_at(fd, de->d_name, de->d_name, NULL);
	closedir(d);
	return r;
}

/* The slots' folders (under --results, else a temporary folder). */
static int make_folders(const struct quiz_options *o, struct matrix_entry *entries, size_t n,
			struct matrix_state *st)
{
	const char *tmpdir = getenv("TMPDIR");
	if (!o->results_dir) {
		if (asprintf(&st->tmp, "%s/quiz-matrix.XXXXXX",
			     tmpdir && *tmpdir ? tmpdir : "/tmp") < 0)
			return -ENOMEM;
		if (!mkdtemp(st->tmp)) {
			log_error("cannot make a folder for the runs' output: %s", strerror(errno));
			free(st->tmp);
			st->tmp = NULL;
			return -EIO;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (entry_profiles(&entries[i]) == -ENOMEM) {
			log_error("out of memory");
			return -ENOMEM;
		}
	for (size_t i = 0; i < n; i++) {
		if (capture_dir(o, st->tmp, &entries[i], &st->slots[i].dir) < 0) {
			log_error("cannot make the output folder of %s", entries[i].name);
			return -EIO;
		}
		int r = o->results_dir
				? clear_earlier_run(st->slots[i].dir, entries[i].target != NULL)
				: 0;
		if (r < 0) {
			log_error("--results %s: cannot remove an earlier run's files from %s: %s",
				  o->results_dir, st->slots[i].dir, strerror(-r));
			return -EIO;
		}
	}
	/* --each without --shared: each test's own /shared, where its filesystem keeps the
	 * guest's modes (mapped-xattr); where it cannot, the tests go without. */
	for (size_t i = 0; i < n; i++)
		if (entries[i].own_share && run_xattrs_work(st->slots[i].dir) < 0)
			entries[i].own_share = false;
	return 0;
}

/* Waits for the next signal: SIGCHLD reaps, a stop signal is passed on (returned). */
static int wait_event(int sigfd, struct matrix_entry *entries, struct slot *slots, size_t n,
		      const struct quiz_options *o, size_t *queue, size_t *n_queue, size_t *running,
		      struct progress *p, int stop_signal)
{
	struct signalfd_siginfo si;
	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return stop_signal;
	if (si.ssi_signo != SIGCHLD && !stop_signal) {
		stop_signal = (int)si.ssi_signo;
		for (size_t i = 0; i < n; i++)
			if (slots[i].running && slots[i].pid > 0)
				(void)kill(slots[i].pid, stop_signal);
	}
	int wstatus;
	pid_t pid;
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		for (size_t i = 0; i < n; i++)
			if (slots[i].pid == pid && slots[i].running) {
				slots[i].status = wstatus;
				(*running)--;
				if (stop_signal) {
					slots[i].running = false;
					continue;
				}
				run_ended(o, &entries[i], &slots[i], i, queue, n_queue, p);
			}
	return stop_signal;
}

/* --coverage DIR: the runs' tracefiles (each in its folder) merged into DIR. */
static void merge_coverage(const struct quiz_options *o, const struct slot *slots, size_t n)
{
	_cleanup_strv_ struct strv infos = {0};
	for (size_t i = 0; i < n; i++)
		if (strv_pushf(&infos, "%s/" COVERAGE_OF_RUN "/" COVERAGE_INFO, slots[i].dir) < 0)
			return;
	char title[64];
	snprintf(title, sizeof(title), "quiz: %zu runs", n);
	(void)coverage_merge(o->coverage, infos.items, infos.len, o->coverage_filter, title);
}

int matrix_run(struct matrix_entry *entries, size_t n, const struct quiz_options *o,
	       const struct run_context *c)
{
	/* n may be 0: an empty --shard still writes its (empty) reports. */
	struct matrix_state st = {
		.slots = calloc(n + 1, sizeof(*st.slots)),
		.rows = calloc(n + 1, sizeof(*st.rows)),
		.texts = calloc(2 * n + 1, sizeof(char *)),
		.queue = calloc(n + 1, sizeof(size_t)),
	};
	_cleanup_close_ int sigfd = -1;
	int status = EXIT_QUIZ_FAILED;
	if (!st.slots || !st.rows || !st.texts || !st.queue ||
	    prepare_matrix(o, c, entries, n) < 0 || make_folders(o, entries, n, &st) < 0)
		goto out;

	/* Ctrl-C reaches every child (same process group); kill -INT quiz is passed on. */
	sigset_t mask;
	stop_signals(&mask, true);
	(void)sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		goto out;
	}
	unsigned jobs = o->jobs ? o->jobs : 1;
	size_t n_queue = n, running = 0, printed = 0;
	for (size_t i = 0; i < n; i++)
		st.queue[i] = i;
	struct progress p = {.on = o->each && isatty(2) && !o->verbose, .total = n, .jobs = jobs};
	int stop_signal = 0, output_error = 0;
	while (printed < n) {
		if (!stop_signal)
			start_queued(entries, st.slots, st.queue, &n_queue, &running, jobs, c);
		progress_show(&p, running);
		if (running)
			stop_signal = wait_event(sigfd, entries, st.slots, n, o, st.queue, &n_queue,
						 &running, &p, stop_signal);
		if (stop_signal) {
			if (!running)
				break;
			continue;
		}
		while (printed < n && st.slots[printed].done) {
			matrix_fill_row(o, &entries[printed], &st.slots[printed], &st.rows[printed],
					&st.texts[2 * printed]);
			progress_clear(&p);
			if (!o->tap && !output_error)
				output_error = matrix_print_group(
					&entries[printed], &st.slots[printed], &st.rows[printed]);
			printed++;
		}
	}
	progress_clear(&p);
	if (stop_signal) {
		log_error("stopped by signal %d; the runs were stopped", stop_signal);
		status = EXIT_SIGNALED + stop_signal;
	} else if (output_error) {
		log_error("writing the runs' output failed: %s", strerror(-output_error));
	} else {
		status = report_exit_status_each(st.rows, n, o->flaky_fails);
		if (matrix_write_reports(o, st.rows, st.slots, n, status) < 0)
			status = EXIT_QUIZ_FAILED;
		if (o->coverage)
			merge_coverage(o, st.slots, n);
	}
out:
	state_free(&st, n);
	return status;
}
