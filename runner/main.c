/* SPDX-License-Identifier: MIT */
/* quiz: boot a quiz kernel in a QEMU microvm, run one program there, exit with its status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach_host.h"
#include "doctor.h"
#include "exit_status.h"
#include "file.h"
#include "kernel.h"
#include "log.h"
#include "log_stderr.h"
#include "matrix.h"
#include "options.h"
#include "paths.h"
#include "profile_host.h"
#include "run.h"
#include "suite.h"
#include "vm.h"

static int read_known(const struct quiz_options *o, struct known_failures *ret)
{
	_cleanup_free_ char *text = NULL, *error = NULL;
	if (!o->known_failures)
		return 0;
	int r = read_file(o->known_failures, &text, NULL);
	if (r < 0) {
		log_error("--known-failures %s: cannot read it: %s", o->known_failures,
			  strerror(-r));
		return r;
	}
	r = known_failures_parse(o->known_failures, text, ret, &error);
	if (r < 0)
		log_error("%s", error ? error : strerror(-r));
	return r;
}

/* --each: the targets' tests, an entry each (the targets' list commands run first). */
static int quiz_each(const struct quiz_options *o, const struct run_context *c,
		     struct matrix_entry *targets, size_t n_targets)
{
	_cleanup_(known_failures_free) struct known_failures known = {0};
	struct matrix_entry *tests = NULL;
	size_t n = 0;
	int stop_signal = 0;
	struct quiz_options each = *o; /* a targets file's list = ... makes it --each's too */
	each.each = true;
	o = &each;
	int r = read_known(o, &known);
	if (r >= 0)
		r = matrix_each(o, c, targets, n_targets, &known, &tests, &n, &stop_signal);
	if (r < 0)
		return stop_signal ? EXIT_SIGNALED + stop_signal : EXIT_QUIZ_FAILED;
	r = o->list ? matrix_list(tests, n, o) : matrix_run(tests, n, o, c);
	matrix_entries_free(tests, n);
	return r;
}

static int quiz_matrix(const struct quiz_options *o, const struct run_context *c)
{
	struct matrix_entry *entries = NULL;
	size_t n = 0;
	const char *home = c->paths->home;
	/* --each shards the tests, not the targets: the targets are sliced once known not to be
	 * --each's (a target with list = CMD makes the whole file --each's). */
	struct quiz_options whole = *o;
	whole.shard_count = 0;
	int r = o->targets ? matrix_from_targets(&whole, home, &entries, &n)
			   : matrix_from_kernels(&whole, home, &entries, &n);
	if (r < 0)
		return EXIT_QUIZ_FAILED;
	bool each = o->each;
	for (size_t i = 0; !o->list && i < n; i++) /* --list alone lists targets, boots nothing */
		each |= entries[i].list_cmd.len > 0;
	if (!each)
		n = matrix_entries_shard(entries, n, o);
	if (each && !(o->dump || o->dump_on_panic)) {
		r = quiz_each(o, c, entries, n);
	} else if (o->list) {
		r = matrix_list(entries, n, o);
	} else if ((n > 1 || each) && (o->dump || o->dump_on_panic)) {
		if (each)
			log_error("%s takes one run, and --each makes one a test; run the test to "
				  "dump by itself",
				  o->dump ? "--dump" : "--dump-on-panic");
		else
			log_error("%s takes one run, and these are %zu; run the one to dump by "
				  "itself",
				  o->dump ? "--dump" : "--dump-on-panic", n);
		r = EXIT_QUIZ_FAILED;
	} else {
		r = matrix_run(entries, n, o, c);
	}
	matrix_entries_free(entries, n);
	return r;
}

static int quiz_doctor(const struct quiz_options *o, const struct quiz_paths *p)
{
	_cleanup_buf_ struct buf text = {0};
	struct doctor_facts facts;
	const struct arch *a = run_find_arch(o->arch);
	if (!a)
		return EXIT_QUIZ_FAILED;
	int r = doctor_gather(p->home, p->tools, a, &facts);
	if (r >= 0)
		r = doctor_report(&facts, &text);
	doctor_facts_free(&facts);
	if (r < 0) {
		log_error("--doctor: %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	fputs(text.data, stdout);
	return r;
}

static int print_usage(void)
{
	_cleanup_free_ char *usage = NULL;
	if (options_usage(&usage) < 0) {
		log_error("--help: out of memory");
		return EXIT_QUIZ_FAILED;
	}
	fputs(usage, stdout);
	return 0;
}

static int profiles_describe(struct profile_catalog *catalog, const char *name)
{
	_cleanup_free_ char *error = NULL;
	int r = profile_catalog_describe(catalog, name, stdout, &error);
	if (r < 0)
		log_error("%s", error ? error : strerror(-r));
	return r < 0 ? EXIT_QUIZ_FAILED : 0;
}

/* Options in, one command out: help, version, the profiles, --doctor, a matrix or one run. */
static int quiz_main(int argc, char **argv)
{
	_cleanup_(options_free) struct quiz_options o = {0};
	_cleanup_(paths_free) struct quiz_paths p = {0};
	_cleanup_(profile_catalog_free) struct profile_catalog catalog = {0};
	struct run_context c = {.paths = &p, .catalog = &catalog, .started_ms = now_ms()};

	log_set_sink(log_to_stderr);
	if (options_parse(argc, argv, getenv("QUIZ_KERNEL"), &o) < 0)
		return EXIT_QUIZ_FAILED;
	if (o.help)
		return print_usage();
	if (o.version) {
		printf("quiz %s (%s; guests: %s; 9p layers)\n", QUIZ_VERSION, QUIZ_BUILD_TYPE,
		       arch_names());
		return 0;
	}
	log_verbose = o.verbose;
	run_env_read(&c.env);
	int r = paths_init(&p);
	if (r < 0) {
		log_error("cannot find the cache root (set QUIZ_HOME or HOME): %s", strerror(-r));
		return EXIT_QUIZ_FAILED;
	}
	if (profile_catalog_init(&catalog, p.data, o.profile_dirs.items, o.profile_dirs.len) < 0)
		return EXIT_QUIZ_FAILED;
	if (o.list_profiles)
		return profile_catalog_list(&catalog, stdout) < 0 ? EXIT_QUIZ_FAILED : 0;
	if (o.describe_profile)
		return profiles_describe(&catalog, o.describe_profile);
	if (o.doctor)
		return quiz_doctor(&o, &p);
	if (o.ps)
		return attach_ps(p.home);
	if (o.attach)
		return attach_run(p.home, o.attach_run, o.program);
	if (o.merge.len)
		return matrix_merge(&o);
	/* A report (--junit, --tap, --results) of one run is a matrix of one. */
	if (o.targets || kernel_selector_is_matrix(o.kernel) || (o.arch && strchr(o.arch, ',')) ||
	    o.junit || o.tap || o.results_dir || o.list || o.shard_count || o.each)
		return quiz_matrix(&o, &c);
	_cleanup_(run_result_free) struct run_result result = {0};
	return run_program(&c, &o, &result);
}

int main(int argc, char **argv)
{
	return stdout_checked(quiz_main(argc, argv), EXIT_QUIZ_FAILED);
}
