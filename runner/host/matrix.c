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
#include "matrix_internal.h"
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

void matrix_entry_clear(struct matrix_entry *e)
{
	free(e->name);
	free(e->folder);
	strv_free(&e->program);
	strv_free(&e->env);
	strv_free(&e->list_cmd);
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
size_t matrix_entries_shard(struct matrix_entry *entries, size_t n, const struct quiz_options *o)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (shard_takes(i, o->shard_index, o->shard_count))
			entries[kept++] = entries[i];
		else
			matrix_entry_clear(&entries[i]);
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
	n = matrix_entries_shard(entries, n, o);
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
		for (size_t j = 0; r >= 0 && j < t->list_cmd.len; j++)
			r = strv_push(&e->list_cmd, t->list_cmd.items[j]);
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
		matrix_entry_clear(&e[i]);
	free(e);
}

/* The entry's -p and -o as one -p value per profile: "blockdev:count=2,size=1G". */
int entry_profiles(struct matrix_entry *e)
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
