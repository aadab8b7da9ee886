/* SPDX-License-Identifier: MIT */
/* Matrix runs: entries from -k lists or a targets file, run in children, reported together. */
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
#include "paths.h"
#include "profile.h"
#include "report.h"
#include "run.h"
#include "run_dir.h"
#include "signals.h"
#include "vm.h"

static int entry_add(struct matrix_entry **entries, size_t *n, const struct quiz_options *o,
		     const char *name)
{
	struct matrix_entry *grown = realloc(*entries, (*n + 1) * sizeof(**entries));
	if (!grown)
		return -ENOMEM;
	*entries = grown;
	struct matrix_entry *e = &grown[*n];
	/* The copy shares the vectors of o; matrix_entries_free frees only what it owns. */
	*e = (struct matrix_entry){.name = strdup(name), .options = *o};
	if (!e->name)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void entry_free(struct matrix_entry *e)
{
	free(e->name);
	strv_free(&e->owned);
	strv_free(&e->report_profiles);
	if (e->owns_profiles)
		strv_free(&e->options.profiles);
}

/* The architectures -a names ("x86_64,s390x"), each once in the order given; the host's without
 * -a. Logs an unknown one. */
static int arch_list(const char *arg, const struct arch **ret, size_t max, size_t *ret_n)
{
	_cleanup_free_ char *copy = strdup(arg ? arg : "");
	char *save = NULL;
	size_t n = 0;
	if (!copy)
		return -ENOMEM;
	if (!arg)
		ret[n++] = arch_host();
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		const struct arch *a = arch_find(w);
		bool seen = false;
		if (!a) {
			log_error("-a %s: %s is not an architecture quiz knows; use %s", arg, w,
				  arch_names());
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			seen |= ret[i] == a;
		if (!seen && n < max)
			ret[n++] = a;
	}
	if (!n || !ret[0]) {
		log_error("-a: name an architecture: %s", arch_names());
		return -EINVAL;
	}
	*ret_n = n;
	return 0;
}

static int matrix_from_kernel_path(const struct quiz_options *o, struct matrix_entry **ret,
				   size_t *ret_n)
{
	_cleanup_(kernel_free) struct kernel k = {0};
	struct matrix_entry *entries = NULL;
	const struct arch *archs[1];
	size_t n = 0, n_archs = 0;
	int r = arch_list(o->arch, archs, 1, &n_archs);
	if (r >= 0 && o->arch && strchr(o->arch, ',')) {
		log_error("-K %s: one kernel is of one architecture; -a takes one with -K",
			  o->kernel_path);
		r = -EINVAL;
	}
	if (r < 0)
		return r;
	r = kernel_from_path(o->kernel_path, archs[0], &k);
	if (r < 0) {
		log_error("-K %s: no kernel image there: %s", o->kernel_path, strerror(-r));
		return r;
	}
	r = entry_add(&entries, &n, o, k.release);
	if (r >= 0)
		r = strv_push(&entries[0].owned, k.release);
	if (r < 0) {
		matrix_entries_free(entries, n);
		return r;
	}
	entries[0].report_kernel = entries[0].owned.items[0];
	*ret = entries;
	*ret_n = n;
	return 0;
}

/* The entries of one architecture: the releases -k names among its built kernels. */
static int add_arch_entries(const struct quiz_options *o, const char *home, const struct arch *a,
			    bool name_arch, struct matrix_entry **entries, size_t *n)
{
	_cleanup_strv_ struct strv built = {0}, chosen = {0};
	_cleanup_free_ char *bad = NULL;
	int r = kernels_list(home, a, &built);
	if (r >= 0 && !o->kernel && !built.len) {
		log_error("no %s%skernel built yet in %s; build one: quiz-kernel build%s%s 6.1",
			  arch_word(a), arch_space(a), home, arch_flag(a), arch_word(a));
		return -ENOENT;
	}
	/* No -k: the one a plain run takes. */
	const char *want = o->kernel;
	if (r >= 0 && !want)
		want = built.items[kernels_default(built.items, built.len)];
	if (r >= 0)
		r = kernel_selectors_expand(want, built.items, built.len, &chosen, &bad);
	if (r == -ENOENT)
		log_error("-k %s: no built %s%skernel matches %s; see quiz-kernel list", o->kernel,
			  arch_word(a), arch_space(a), bad ? bad : "it");
	else if (r == -EINVAL)
		log_error("-k %s: %s is not a kernel version (6.1, 6.1.192, 6.12-rc3, 6.1-kasan, "
			  "all, '6.*')",
			  o->kernel, bad ? bad : "it");
	for (size_t i = 0; r >= 0 && i < chosen.len; i++) {
		_cleanup_free_ char *name = NULL;
		if (asprintf(&name, "%s%s%s", name_arch ? a->name : "", name_arch ? "-" : "",
			     chosen.items[i]) < 0)
			return -ENOMEM;
		r = entry_add(entries, n, o, name);
		struct matrix_entry *e = &(*entries)[*n - 1];
		if (r >= 0)
			r = strv_push(&e->owned, chosen.items[i]);
		if (r < 0)
			break;
		e->options.kernel = e->owned.items[0];
		e->options.arch = a->name;
		/* The reports name the architecture when the runs are not all the host's. */
		e->report_arch = name_arch || a != arch_host() ? a->name : NULL;
	}
	return r;
}

/* Keeps the entries of --shard's slice (shard_takes), in order; returns how many. */
static size_t entries_shard(struct matrix_entry *entries, size_t n, const struct quiz_options *o)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (shard_takes(i, o->shard_index, o->shard_count))
			entries[kept++] = entries[i];
		else
			entry_free(&entries[i]);
	}
	return kept;
}

int matrix_from_kernels(const struct quiz_options *o, const char *home, struct matrix_entry **ret,
			size_t *ret_n)
{
	if (o->kernel_path) /* a report of one run on the user's own kernel */
		return matrix_from_kernel_path(o, ret, ret_n);
	const struct arch *archs[16];
	size_t n_archs = 0, n = 0;
	struct matrix_entry *entries = NULL;
	int r = arch_list(o->arch, archs, ELEMENTSOF(archs), &n_archs);
	for (size_t i = 0; r >= 0 && i < n_archs; i++)
		r = add_arch_entries(o, home, archs[i], n_archs > 1, &entries, &n);
	if (r < 0) {
		matrix_entries_free(entries, n);
		return r;
	}
	n = entries_shard(entries, n, o);
	*ret = entries;
	*ret_n = n;
	return 0;
}

int matrix_from_targets(const struct quiz_options *o, const char *home, struct matrix_entry **ret,
			size_t *ret_n)
{
	_cleanup_free_ char *text = NULL, *error = NULL;
	struct target_list list = {0};
	int r = read_file(o->targets, &text, NULL);
	if (r < 0) {
		log_error("--targets %s: cannot read it: %s", o->targets, strerror(-r));
		return r;
	}
	r = targets_parse(o->targets, text, &list, &error);
	if (r >= 0 && o->filter)
		r = targets_filter(&list, o->filter, &error);
	if (r >= 0 && !list.n) {
		log_error("--filter %s: no target of %s matches", o->filter, o->targets);
		r = -ENOENT;
	} else if (r < 0) {
		log_error("%s", error ? error : strerror(-r));
	}
	/* After --filter; a slice may be empty (more machines than targets), which is no error. */
	if (r >= 0)
		targets_shard(&list, o->shard_index, o->shard_count);
	struct matrix_entry *entries = NULL;
	size_t n = 0;
	for (size_t i = 0; r >= 0 && i < list.n; i++) {
		const struct target *t = &list.items[i];
		_cleanup_(kernel_free) struct kernel k = {0};
		const char *arch_name = t->arch ? t->arch : o->arch;
		const struct arch *a = arch_name ? arch_find(arch_name) : arch_host();
		/* --list names the targets as written: the machine that lists them may have no
		 * kernel built (a CI job that only fans the targets out). */
		r = !a ? -EINVAL : o->list ? 0 : kernel_resolve(home, a, t->kernel, &k);
		if (r < 0) {
			log_error("%s line %u: target %s: no built %s kernel matches %s; see "
				  "quiz-kernel list",
				  o->targets, t->line, t->name, a ? a->name : arch_name, t->kernel);
			break;
		}
		r = entry_add(&entries, &n, o, t->name);
		struct matrix_entry *e = &entries[n - 1];
		struct quiz_options *eo = &e->options;
		/* owned: kernel, profiles, memory, then the program's words. */
		if (r >= 0)
			r = strv_push(&e->owned, o->list ? t->kernel : k.release);
		if (r >= 0)
			r = strv_push(&e->owned, t->profiles ? t->profiles : "");
		if (r >= 0)
			r = strv_push(&e->owned, t->memory ? t->memory : o->memory);
		for (size_t j = 0; r >= 0 && j < t->program.len; j++)
			r = strv_push(&e->owned, t->program.items[j]);
		if (r < 0)
			break;
		eo->kernel = e->owned.items[0];
		eo->arch = a->name;
		e->report_arch = a != arch_host() || t->arch ? a->name : NULL;
		eo->memory = e->owned.items[2];
		eo->program = e->owned.items + 3;
		eo->timeout_s = t->timeout_s ? t->timeout_s : o->timeout_s;
		eo->profiles = (struct strv){0};
		e->owns_profiles = true;
		if (t->profiles)
			r = strv_push(&eo->profiles, t->profiles);
	}
	target_list_free(&list);
	if (r < 0) {
		matrix_entries_free(entries, n);
		return r;
	}
	*ret = entries;
	*ret_n = n;
	return 0;
}

void matrix_entries_free(struct matrix_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		entry_free(&e[i]);
	free(e);
}

/* The entry's -p and -o as one -p value per profile: "blockdev:count=2,size=1G". */
static int entry_profiles(struct matrix_entry *e)
{
	_cleanup_(profile_requests_free) struct profile_requests req = {0};
	const struct quiz_options *o = &e->options;
	int r = 0;
	for (size_t i = 0; r >= 0 && i < o->profiles.len; i++) {
		_cleanup_free_ char *error = NULL;
		r = profile_requests_add(&req, o->profiles.items[i], &error);
	}
	for (size_t i = 0; r >= 0 && i < o->profile_options.len; i++) {
		_cleanup_free_ char *error = NULL;
		r = profile_requests_add_option(&req, o->profile_options.items[i], &error);
	}
	if (r == -ENOMEM)
		return r;
	if (r <
	    0) { /* the run itself says what is wrong with them; the report names them as given */
		r = 0;
		for (size_t i = 0; r >= 0 && i < o->profiles.len; i++)
			r = strv_push(&e->report_profiles, o->profiles.items[i]);
		return r;
	}
	for (size_t i = 0; r >= 0 && i < req.n; i++) {
		_cleanup_buf_ struct buf b = {0};
		const struct strv *set = &req.items[i].settings;
		r = buf_puts(&b, req.items[i].name);
		for (size_t j = 0; r >= 0 && j < set->len; j++)
			r = buf_printf(&b, "%c%s", j ? ',' : ':', set->items[j]);
		if (r >= 0)
			r = strv_push(&e->report_profiles, b.data);
	}
	return r;
}

static const char *entry_arch(const struct matrix_entry *e)
{
	const struct arch *a = e->options.arch ? arch_find(e->options.arch) : arch_host();
	return a ? a->name : e->options.arch;
}

static const char *entry_kernel(const struct matrix_entry *e)
{
	return e->report_kernel ? e->report_kernel : e->options.kernel;
}

int matrix_list(struct matrix_entry *entries, size_t n, const struct quiz_options *o)
{
	_cleanup_free_ struct report_target *t = calloc(n ? n : 1, sizeof(*t));
	_cleanup_buf_ struct buf text = {0};
	int r = t ? 0 : -ENOMEM;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct matrix_entry *e = &entries[i];
		r = entry_profiles(e);
		t[i] = (struct report_target){
			.name = e->name,
			.kernel = entry_kernel(e),
			.arch = entry_arch(e),
			.profiles = e->report_profiles.items,
			.n_profiles = e->report_profiles.len,
			.program = e->options.program,
			.timeout_s = e->options.timeout_s,
		};
	}
	if (r >= 0 && o->json)
		r = report_targets_json(t, n, &text);
	for (size_t i = 0; r >= 0 && !o->json && i < n; i++) {
		r = buf_printf(&text, "%s %s %s ", t[i].name, t[i].kernel ? t[i].kernel : "-",
			       t[i].arch);
		for (size_t j = 0; r >= 0 && j < t[i].n_profiles; j++)
			r = buf_printf(&text, "%s%s", j ? " " : "", t[i].profiles[j]);
		if (r >= 0)
			r = buf_puts(&text, t[i].n_profiles ? "\n" : "-\n");
	}
	if (r < 0) {
		log_error("--list: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	if (text.data)
		fputs(text.data, stdout);
	return 0;
}

/* One running or finished entry. */
struct slot {
	pid_t pid;
	bool done;
	int status;
	long long started, ended;
	char *dir; /* where its stdout, stderr and console.log are captured */
	bool has_result;
	struct run_result result; /* what the child's run came to (RESULT_FILE) */
};

static int capture_dir(const struct quiz_options *o, const char *tmp, const char *name, char **ret)
{
	const char *base = o->results_dir ? o->results_dir : tmp;
	/* NAME must stay one folder below base ("[..]" would write base's parent): targets_parse
	 * and kernels_list let no such name through; this is the place that depends on it. */
	if (!name[0] || name[0] == '.' || strchr(name, '/'))
		return -EINVAL;
	int r = asprintf(ret, "%s/%s", base, name) < 0 ? -ENOMEM : 0;
	return r < 0 ? r : mkdir_p_at(AT_FDCWD, *ret, 0755);
}

/* The child's typed result, for its parent (run_result.h's codec): the verdicts come from it. */
#define RESULT_FILE "run.result"

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
	_cleanup_free_ char *out = NULL, *err = NULL, *console = NULL;
	if (asprintf(&out, "%s/stdout", s->dir) < 0 || asprintf(&err, "%s/stderr", s->dir) < 0 ||
	    asprintf(&console, "%s/console.log", s->dir) < 0)
		_exit(EXIT_QUIZ_FAILED);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int o1 = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int o2 = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (in < 0 || o1 < 0 || o2 < 0 || dup2(in, 0) < 0 || dup2(o1, 1) < 0 || dup2(o2, 2) < 0)
		_exit(EXIT_QUIZ_FAILED);
	e->options.console_copy = console;
	e->options.mode = RUN_MODE_RAW; /* many runs, no terminal each */
	struct run_result result = {0};
	int status = run_program(c, &e->options, &result);
	write_result(s, &result);
	run_result_free(&result);
	fflush(NULL); /* _exit skips stdio's buffers, and stdout is a file here */
	_exit(status);
}

/* The most of one run's stdout, stderr or console a matrix holds (and writes into JUnit). */
#define MATRIX_TEXT_MAX (1 << 20)

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
static char *slurp(const struct quiz_options *o, const char *dir, const char *name, size_t max)
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
static int print_group(const struct matrix_entry *e, const struct slot *s,
		       const struct run_result_row *row)
{
	_cleanup_buf_ struct buf what = {0};
	(void)result_describe(row, &what); /* "pass", "fail 3", ... */
	printf("==> %s: %s (%.1fs)\n", e->name, what.data ? what.data : "?", row->seconds);
	if (fflush(stdout) != 0)
		return -errno;
	int r = copy_out(s->dir, "stdout", 1);
	return r < 0 ? r : copy_out(s->dir, "stderr", 2);
}

/* The result the child wrote; false when there is none that decodes (it died first). */
static bool read_result(const struct slot *s, struct run_result *ret)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len = 0;
	return asprintf(&path, "%s/" RESULT_FILE, s->dir) >= 0 &&
	       read_file(path, &text, &len) >= 0 && run_result_decode(text, len, ret) >= 0;
}

static void fill_row(const struct quiz_options *o, const struct matrix_entry *e, struct slot *s,
		     struct run_result_row *row, char **texts)
{
	texts[0] = slurp(o, s->dir, "stdout", MATRIX_TEXT_MAX);
	texts[1] = slurp(o, s->dir, "stderr", MATRIX_TEXT_MAX);
	/* Read for its KTAP lines, then let go: quiz keeps console.log within its own cap. */
	_cleanup_free_ char *console = slurp(o, s->dir, "console.log", SIZE_MAX);
	int code =
		WIFEXITED(s->status) ? WEXITSTATUS(s->status) : EXIT_SIGNALED + WTERMSIG(s->status);
	s->has_result = read_result(s, &s->result);
	*row = (struct run_result_row){
		.name = e->name,
		.kernel = e->report_kernel ? e->report_kernel : e->options.kernel,
		.arch = e->report_arch,
		.exit_code = code,
		.kind = result_classify(code, s->has_result ? &s->result : NULL),
		.seconds = (double)(s->ended - s->started) / 1000,
		.stdout_text = texts[0],
		.stderr_text = texts[1],
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

/* --results DIR: DIR/NAME/result.json for each run, DIR/summary.json for all of them. */
static int write_results_json(const struct quiz_options *o, const struct run_result_row *rows,
			      const struct slot *slots, size_t n)
{
	_cleanup_free_ char *shard = shard_name(o), *path = NULL;
	_cleanup_buf_ struct buf summary = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		_cleanup_free_ char *one = NULL;
		_cleanup_buf_ struct buf json = {0};
		r = asprintf(&one, "%s/result.json", slots[i].dir) < 0 ? -ENOMEM : 0;
		if (r >= 0)
			r = report_result_json(&rows[i], &json);
		if (r >= 0)
			r = write_json(one, &json);
	}
	if (r >= 0 && (r = mkdir_p_at(AT_FDCWD, o->results_dir, 0755)) < 0)
		log_error("--results %s: cannot make it: %s", o->results_dir, strerror(-r));
	if (r >= 0)
		r = report_summary_json(rows, n, QUIZ_VERSION, shard, &summary);
	if (r >= 0)
		r = asprintf(&path, "%s/%s", o->results_dir, TARGETS_SUMMARY_NAME) < 0 ? -ENOMEM
										       : 0;
	if (r >= 0)
		r = write_json(path, &summary);
	return r;
}

static int write_reports(const struct quiz_options *o, struct run_result_row *rows,
			 const struct slot *slots, size_t n)
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
		r = write_results_json(o, rows, slots, n);
	return r;
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

int matrix_run(struct matrix_entry *entries, size_t n, const struct quiz_options *o,
	       const struct run_context *c)
{
	/* n may be 0: an empty --shard still writes its (empty) reports. */
	_cleanup_free_ struct slot *slots = calloc(n + 1, sizeof(*slots));
	_cleanup_free_ struct run_result_row *rows = calloc(n + 1, sizeof(*rows));
	_cleanup_free_ char **texts = calloc(2 * n + 1, sizeof(char *));
	_cleanup_close_ int sigfd = -1;
	_cleanup_free_ char *tmp = NULL;
	const char *tmpdir = getenv("TMPDIR");
	bool made_tmp = false;
	int status = EXIT_QUIZ_FAILED;
	if (!slots || !rows || !texts || prepare_matrix(o, c, entries, n) < 0)
		return EXIT_QUIZ_FAILED;
	if (!o->results_dir) {
		if (asprintf(&tmp, "%s/quiz-matrix.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") <
		    0)
			return EXIT_QUIZ_FAILED;
		if (!mkdtemp(tmp)) {
			log_error("cannot make a folder for the runs' output: %s", strerror(errno));
			return EXIT_QUIZ_FAILED;
		}
		made_tmp = true;
	}
	for (size_t i = 0; i < n; i++)
		if (entry_profiles(&entries[i]) == -ENOMEM) {
			log_error("out of memory");
			goto out;
		}
	for (size_t i = 0; i < n; i++)
		if (capture_dir(o, tmp, entries[i].name, &slots[i].dir) < 0) {
			log_error("cannot make the output folder of %s", entries[i].name);
			goto out;
		}

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
	size_t next = 0, running = 0, printed = 0;
	int stop_signal = 0, output_error = 0;
	while (printed < n) {
		while (!stop_signal && next < n && running < jobs) {
			slots[next].pid = start_entry(&entries[next], &slots[next], c);
			if (slots[next].pid < 0) {
				log_error("fork: %s", strerror(errno));
				slots[next].done = true;
				slots[next].status = EXIT_QUIZ_FAILED << 8;
			} else {
				running++;
			}
			next++;
		}
		if (running) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD && !stop_signal) {
				stop_signal = (int)si.ssi_signo;
				for (size_t i = 0; i < next; i++)
					if (!slots[i].done && slots[i].pid > 0)
						(void)kill(slots[i].pid, stop_signal);
			}
			int wstatus;
			pid_t pid;
			while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
				for (size_t i = 0; i < next; i++)
					if (slots[i].pid == pid && !slots[i].done) {
						slots[i].done = true;
						slots[i].status = wstatus;
						slots[i].ended = now_ms();
						running--;
					}
		}
		if (stop_signal) {
			if (!running)
				break;
			continue;
		}
		while (printed < n && slots[printed].done) {
			fill_row(o, &entries[printed], &slots[printed], &rows[printed],
				 &texts[2 * printed]);
			if (!o->tap && !output_error)
				output_error = print_group(&entries[printed], &slots[printed],
							   &rows[printed]);
			printed++;
		}
	}
	if (stop_signal) {
		log_error("stopped by signal %d; the runs were stopped", stop_signal);
		status = EXIT_SIGNALED + stop_signal;
	} else if (output_error) {
		log_error("writing the runs' output failed: %s", strerror(-output_error));
	} else {
		status = write_reports(o, rows, slots, n) < 0 ? EXIT_QUIZ_FAILED
							      : report_exit_status(rows, n);
	}
out:
	for (size_t i = 0; i < n; i++)
		report_row_free_tap(&rows[i]);
	for (size_t i = 0; i < 2 * n; i++)
		free(texts[i]);
	for (size_t i = 0; i < n; i++) {
		free(slots[i].dir);
		run_result_free(&slots[i].result);
	}
	if (made_tmp)
		(void)remove_tree(tmp, NULL); /* a leftover in TMPDIR is all a failure here costs */
	return status;
}
