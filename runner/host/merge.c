/* SPDX-License-Identifier: MIT */
/* --merge DIR...: the runs of earlier --results folders (shards) as one report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "kv.h"
#include "log.h"
#include "matrix.h"
#include "matrix_internal.h"
#include "report.h"

/* One merged run: its row and what the row points to. */
struct merged {
	struct run_result_row row;
	struct strv strings; /* name, kernel, arch, target, known, profiles... */
	char *texts[2];
	struct run_result result;
	bool has_result;
};

static void merged_free(struct merged *m)
{
	report_row_free_tap(&m->row);
	strv_free(&m->strings);
	free(m->texts[0]);
	free(m->texts[1]);
	run_result_free(&m->result);
}

static bool kind_of(const char *name, enum result_kind *ret)
{
	for (int k = RESULT_PASS; name && k <= RESULT_XPASS; k++)
		if (result_kind_name(k) && strcmp(result_kind_name(k), name) == 0) {
			*ret = (enum result_kind)k;
			return true;
		}
	return false;
}

/* A kept string of m, or NULL when text has no such key. */
static const char *take(struct merged *m, const char *text, const char *key)
{
	char *v = kv_get(text, key);
	if (!v || strv_push_take(&m->strings, v) < 0)
		return NULL;
	return m->strings.items[m->strings.len - 1];
}

static int read_run(const struct quiz_options *o, const char *dir, struct merged *m)
{
	_cleanup_free_ char *path = NULL, *text = NULL, *console = NULL, *rt = NULL;
	size_t len = 0;
	if (asprintf(&path, "%s/row", dir) < 0)
		return -ENOMEM;
	int r = read_file(path, &text, NULL);
	if (r < 0)
		return r;
	struct run_result_row *row = &m->row;
	_cleanup_free_ char *exit = kv_get(text, "exit"), *kind = kv_get(text, "kind"),
			    *secs = kv_get(text, "seconds"), *att = kv_get(text, "attempts"),
			    *fk = kv_get(text, "first_kind"), *fe = kv_get(text, "first_exit");
	row->name = take(m, text, "name");
	if (!row->name || !exit || !kind_of(kind, &row->kind))
		return -EBADMSG;
	row->exit_code = atoi(exit);
	row->seconds = secs ? strtod(secs, NULL) : 0;
	row->kernel = take(m, text, "kernel");
	if (row->kernel && !*row->kernel)
		row->kernel = NULL;
	row->arch = take(m, text, "arch");
	row->target = take(m, text, "target");
	row->known_why = take(m, text, "known");
	row->attempts = att ? (unsigned)atoi(att) : 0;
	row->first_exit_code = fe ? atoi(fe) : 0;
	if (fk)
		(void)kind_of(fk, &row->first_kind);
	size_t first = m->strings.len;
	for (size_t i = 0;; i++) {
		char key[32];
		snprintf(key, sizeof(key), "profile.%zu", i);
		if (!take(m, text, key))
			break;
	}
	row->profiles = m->strings.items + first;
	row->n_profiles = m->strings.len - first;
	m->texts[0] = matrix_slurp(o, dir, "stdout", MATRIX_TEXT_MAX);
	m->texts[1] = matrix_slurp(o, dir, "stderr", MATRIX_TEXT_MAX);
	row->stdout_text = m->texts[0];
	row->stderr_text = m->texts[1];
	free(path);
	path = NULL;
	if (asprintf(&path, "%s/" RESULT_FILE, dir) >= 0 && read_file(path, &rt, &len) >= 0)
		m->has_result = run_result_decode(rt, len, &m->result) >= 0;
	row->result = m->has_result ? &m->result : NULL;
	console = matrix_slurp(o, dir, "console.log", SIZE_MAX);
	(void)report_row_parse_tap(row, console);
	return 0;
}

/* A line of DIR/runs names a folder below DIR: no part of it empty or starting with '.', as
 * capture_dir makes them ("a..b", a test's own name, is one). */
static bool below(const char *line)
{
	for (const char *p = line; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (!p[0] || p[0] == '.' || p[0] == '/')
			return false;
	return true;
}

/* The runs of one --results folder (DIR/runs, a folder a line), appended. */
static int read_results(const struct quiz_options *o, const char *dir, struct merged **all,
			size_t *n)
{
	_cleanup_free_ char *path = NULL, *runs = NULL;
	if (asprintf(&path, "%s/runs", dir) < 0)
		return -ENOMEM;
	int r = read_file(path, &runs, NULL);
	if (r < 0) {
		log_error("--merge %s: cannot read %s (%s); quiz writes it with --results %s", dir,
			  path, strerror(-r), dir);
		return r;
	}
	for (char *line = runs, *nl; r >= 0 && line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		_cleanup_free_ char *run_dir = NULL;
		/* quiz wrote the names; still, none may climb out of DIR */
		if (!below(line)) {
			log_error("--merge %s: a bad line in %s: %s", dir, path,
				  "not a folder under it");
			return -EBADMSG;
		}
		struct merged *grown = realloc(*all, (*n + 1) * sizeof(**all));
		if (!grown || asprintf(&run_dir, "%s/%s", dir, line) < 0) {
			if (grown)
				*all = grown;
			return -ENOMEM;
		}
		*all = grown;
		grown[*n] = (struct merged){0};
		r = read_run(o, run_dir, &grown[*n]);
		(*n)++;
		if (r < 0)
			log_error("--merge %s: cannot read the run in %s: %s", dir, run_dir,
				  strerror(-r));
	}
	return r;
}

int matrix_merge(const struct quiz_options *o)
{
	struct merged *all = NULL;
	size_t n = 0;
	int r = 0, status = EXIT_QUIZ_FAILED;
	for (size_t i = 0; r >= 0 && i < o->merge.len; i++)
		r = read_results(o, o->merge.items[i], &all, &n);
	_cleanup_free_ struct run_result_row *rows = calloc(n + 1, sizeof(*rows));
	if (r >= 0 && rows) {
		for (size_t i = 0; i < n; i++)
			rows[i] = all[i].row;
		status = report_exit_status_each(rows, n, o->flaky_fails);
		if (matrix_write_reports(o, rows, NULL, n, status) < 0)
			status = EXIT_QUIZ_FAILED;
		for (size_t i = 0; i < n; i++)
			all[i].row = rows[i]; /* the trees, for merged_free */
	}
	for (size_t i = 0; i < n; i++)
		merged_free(&all[i]);
	free(all);
	return status;
}
