/* SPDX-License-Identifier: MIT */
/* A matrix's reports: each run's row from its folder, the table, TAP, JUnit and JSON. */
#include "matrix.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "exit_status.h"
#include "file.h"
#include "image.h"
#include "kernel.h"
#include "kernel_host.h"
#include "log.h"
#include "matrix_internal.h"
#include "paths.h"
#include "profile.h"
#include "report.h"
#include "run.h"
#include "run_dir.h"
#include "safe_text.h"
#include "signals.h"
#include "targets.h"
#include "vm.h"

/* len bytes of fd from off, appended to b (fewer at the file's end). */
static int read_at(int fd, off_t off, size_t len, struct buf *b)
{
	char chunk[65536];
	while (len > 0) {
		ssize_t n = pread(fd, chunk, len < sizeof(chunk) ? len : sizeof(chunk), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		int r = buf_append(b, chunk, (size_t)n);
		if (r < 0)
			return r;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A captured file, whole up to max bytes; past that its first and last halves with a line
 * between them saying how much was cut and where the whole is (under --results), so that many
 * runs' outputs are not all held in memory or written into a JUnit file.
 */
char *matrix_slurp(const struct quiz_options *o, const char *dir, const char *name, size_t max)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_buf_ struct buf text = {0};
	struct stat st;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	size_t size = (size_t)st.st_size, half = max / 2;
	size_t first = size > max ? half : size;
	if (buf_append(&text, "", 0) < 0 || read_at(fd, 0, first, &text) < 0)
		return NULL;
	if (size > max &&
	    (buf_printf(&text, "\n[quiz: %zu bytes cut here; %s%s]\n", size - 2 * half,
			o->results_dir ? "the whole is in " : "--results DIR keeps the whole",
			o->results_dir ? path : "") < 0 ||
	     read_at(fd, (off_t)(size - half), half, &text) < 0))
		return NULL;
	return TAKE_PTR(text.data);
}

/* A captured stream as it is (binary-safe), ending with a newline. 0 or -errno of the write. */
static int copy_out(const char *dir, const char *name, int to)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[65536], last = '\n';
	ssize_t n;
	int r = 0;
	while (r >= 0 && fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		r = write_all(to, chunk, (size_t)n);
		last = chunk[n - 1];
	}
	return r < 0 || last == '\n' ? r : write_all(to, "\n", 1);
}

/* Each entry's output, grouped and in entry order, as soon as its turn comes. 0 or -errno of
 * a write to quiz's stdout or stderr. */
int matrix_print_group(const struct matrix_entry *e, const struct slot *s,
		       const struct run_result_row *row)
{
	_cleanup_buf_ struct buf what = {0}, name = {0};
	(void)result_describe(row, &what); /* "pass", "fail 3", ... */
	/* A test's name came from the suite's list (in a guest): shown escaped. */
	const char *target = e->target ? e->target : "";
	if (safe_text_append(&name, target, strlen(target), true, NULL) < 0 ||
	    (e->target && buf_puts(&name, ": ") < 0) ||
	    safe_text_append(&name, e->name, strlen(e->name), true, NULL) < 0)
		return -ENOMEM;
	printf("==> %s: %s (%.1fs)\n", name.data, what.data ? what.data : "?", row->seconds);
	if (e->known && row->kind == RESULT_XPASS)
		printf("==> %s: known to fail (%s line %u), but passed\n", name.data,
		       "--known-failures", e->known->line);
	if (fflush(stdout) != 0)
		return -errno;
	int r = copy_out(s->dir, "stdout", 1);
	return r < 0 ? r : copy_out(s->dir, "stderr", 2);
}

/* The result the child wrote; false when there is none that decodes (it died first). */
static bool read_result(const char *dir, struct run_result *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len = 0;
	return asprintf(&path, "%s/" RESULT_FILE, dir) >= 0 && read_file(path, &text, &len) >= 0 &&
	       run_result_decode(text, len, ret) >= 0;
}

void matrix_judge_attempt(const struct quiz_options *o, const struct matrix_entry *e,
			  struct slot *s)
{
	s->exit_code =
		WIFEXITED(s->status) ? WEXITSTATUS(s->status) : EXIT_SIGNALED + WTERMSIG(s->status);
	run_result_free(&s->result);
	s->has_result = read_result(s->dir, &s->result);
	s->kind = result_classify(s->exit_code, s->has_result ? &s->result : NULL);
	/* A test that ran to its end: the suite's words say whether it passed, failed or was
	 * skipped (kselftest's runner exits 0 either way). */
	if (e->target && (s->kind == RESULT_PASS || s->kind == RESULT_FAIL)) {
		_cleanup_free_ char *out = matrix_slurp(o, s->dir, "stdout", MATRIX_TEXT_MAX);
		s->kind = suite_skipped(e->suite, s->exit_code, out)  ? RESULT_SKIP
			  : suite_failed(e->suite, s->exit_code, out) ? RESULT_FAIL
								      : RESULT_PASS;
	}
}

/* --each's last word: a pass after failures is flaky; a known failure is xfail or xpass. */
static enum result_kind each_kind(const struct matrix_entry *e, const struct slot *s)
{
	if (!e->target)
		return s->kind;
	if (e->known)
		return result_kind_fails(s->kind, false) ? RESULT_XFAIL
		       : s->kind == RESULT_PASS		 ? RESULT_XPASS
							 : s->kind;
	if (s->attempts > 1 && s->kind == RESULT_PASS)
		return RESULT_FLAKY;
	return s->kind;
}

void matrix_fill_row(const struct quiz_options *o, const struct matrix_entry *e, struct slot *s,
		     struct run_result_row *row, char **texts)
{
	texts[0] = matrix_slurp(o, s->dir, "stdout", MATRIX_TEXT_MAX);
	texts[1] = matrix_slurp(o, s->dir, "stderr", MATRIX_TEXT_MAX);
	/* Read for its KTAP lines, then let go: quiz keeps console.log within its own cap. */
	_cleanup_free_ char *console = matrix_slurp(o, s->dir, "console.log", SIZE_MAX);
	/* Its last start failed (fork; start_queued counted the attempt): that start is judged
	 * here, by its status (125), or it would read as the pass of a slot never judged. */
	if (!s->attempts || s->pid < 0)
		matrix_judge_attempt(o, e, s);
	*row = (struct run_result_row){
		.name = e->name,
		.kernel = e->report_kernel ? e->report_kernel : e->options.kernel,
		.arch = e->report_arch,
		.exit_code = s->exit_code,
		.kind = each_kind(e, s),
		.seconds = (double)(s->ended - s->started) / 1000,
		.stdout_text = texts[0],
		.stderr_text = texts[1],
		.target = e->target,
		.attempts = s->attempts,
		.first_kind = s->first_kind,
		.first_exit_code = s->first_exit_code,
		.known_why = e->known ? e->known->why : NULL,
	};
	row->profiles = e->report_profiles.items;
	row->n_profiles = e->report_profiles.len;
	row->result = s->has_result ? &s->result : NULL;
	/* TAP on stdout, KTAP (KUnit) in the kernel log: each test inside the run reported. */
	(void)report_row_parse_tap(row, console); /* ENOMEM: the row without its subtests */
}

/* "2/5" for --shard 2/5, else NULL. */
static char *shard_name(const struct quiz_options *o)
{
	char *s = NULL;
	if (o->shard_count && asprintf(&s, "%u/%u", o->shard_index, o->shard_count) < 0)
		return NULL;
	return s;
}

static int write_json(const char *path, const struct buf *json)
{
	int r = write_file_follow(path, json->data, json->len);
	if (r < 0)
		log_error("--results: cannot write %s: %s", path, strerror(-r));
	return r;
}

/* What --merge reads back of a run: DIR/FOLDER/row, KEY=VALUE lines. */
#define ROW_FILE "row"

static int row_file(const struct run_result_row *row, struct buf *b)
{
	int r = buf_printf(b, "name=%s\nkernel=%s\nexit=%d\nkind=%s\nseconds=%.3f\n", row->name,
			   row->kernel ? row->kernel : "", row->exit_code,
			   result_kind_name(row->kind), row->seconds);
	if (r >= 0 && row->arch)
		r = buf_printf(b, "arch=%s\n", row->arch);
	if (r >= 0 && row->target)
		r = buf_printf(b, "target=%s\nattempts=%u\nfirst_kind=%s\nfirst_exit=%d\n",
			       row->target, row->attempts, result_kind_name(row->first_kind),
			       row->first_exit_code);
	if (r >= 0 && row->known_why)
		r = buf_printf(b, "known=%s\n", row->known_why);
	for (size_t i = 0; r >= 0 && i < row->n_profiles; i++)
		r = buf_printf(b, "profile.%zu=%s\n", i, row->profiles[i]);
	return r;
}

/* --results DIR/FOLDER/{result.json,row} for each run; DIR/summary.json, DIR/runs (the runs'
 * folders, a line each, for --merge) and, for --each, DIR/failed (the tests that failed, a
 * line each, for --rerun-failed). */
static int write_results(const struct quiz_options *o, const char *dir,
			 const struct run_result_row *rows, const struct slot *slots, size_t n,
			 int exit_status)
{
	_cleanup_free_ char *shard = shard_name(o), *path = NULL;
	_cleanup_buf_ struct buf summary = {0}, runs = {0}, failed = {0};
	size_t base = strlen(dir) + 1;
	int r = buf_append(&runs, "", 0);
	for (size_t i = 0; r >= 0 && slots && i < n; i++) {
		_cleanup_free_ char *one = NULL, *row_path = NULL;
		_cleanup_buf_ struct buf json = {0}, row = {0};
		r = asprintf(&one, "%s/result.json", slots[i].dir) < 0 ||
				    asprintf(&row_path, "%s/" ROW_FILE, slots[i].dir) < 0
			    ? -ENOMEM
			    : 0;
		if (r >= 0)
			r = report_result_json(&rows[i], &json);
		if (r >= 0)
			r = write_json(one, &json);
		if (r >= 0)
			r = row_file(&rows[i], &row);
		if (r >= 0)
			r = write_json(row_path, &row);
		if (r >= 0)
			r = buf_printf(&runs, "%s\n", slots[i].dir + base);
	}
	for (size_t i = 0; r >= 0 && i < n; i++)
		if (rows[i].target && result_kind_fails(rows[i].kind, false))
			r = buf_printf(&failed, "%s\n", rows[i].name);
	if (r >= 0 && (r = mkdir_p_at(AT_FDCWD, dir, 0755)) < 0)
		log_error("--results %s: cannot make it: %s", dir, strerror(-r));
	if (r >= 0)
		r = report_summary_json(rows, n, QUIZ_VERSION, shard, exit_status, &summary);
	static const char *const names[] = {TARGETS_SUMMARY_NAME, "runs", "failed"};
	const struct buf *texts[] = {&summary, &runs, &failed};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(names); i++) {
		if (i == 1 && !slots)
			continue; /* a merge's runs stay where they are */
		free(path);
		path = NULL;
		if (i == 2 && !o->each && !o->merge.len)
			continue;
		r = asprintf(&path, "%s/%s", dir, names[i]) < 0 ? -ENOMEM : 0;
		if (r >= 0)
			r = write_json(path, texts[i]);
	}
	return r;
}

int matrix_write_reports(const struct quiz_options *o, struct run_result_row *rows,
			 const struct slot *slots, size_t n, int exit_status)
{
	_cleanup_buf_ struct buf text = {0};
	int r = o->tap ? report_tap(rows, n, &text) : report_table(rows, n, &text);
	if (r >= 0 && text.data)
		fputs(text.data, stdout);
	if (r >= 0 && o->junit) {
		/* One testsuite per shard, named for it: shards' files merge without a clash. */
		_cleanup_free_ char *shard = shard_name(o), *suite = NULL;
		_cleanup_buf_ struct buf xml = {0};
		if (shard && asprintf(&suite, "quiz shard %s", shard) < 0)
			r = -ENOMEM;
		if (r >= 0)
			r = report_junit(suite ? suite : "quiz", rows, n, &xml);
		if (r >= 0)
			r = write_file_follow(o->junit, xml.data, xml.len);
		if (r < 0)
			log_error("--junit %s: cannot write it: %s", o->junit, strerror(-r));
	}
	if (r >= 0 && o->results_dir)
		r = write_results(o, o->results_dir, rows, slots, n, exit_status);
	return r;
}
