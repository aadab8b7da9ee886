/* SPDX-License-Identifier: MIT */
/* One run, stage by stage: prepare, set up, boot, judge, finish. */
#include "run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "console_log.h"
#include "coverage.h"
#include "exit_status.h"
#include "libcheck_host.h"
#include "log.h"
#include "outcome.h"
#include "run_decision.h"
#include "run_internal.h"
#include "signals.h"
#include "verdict.h"

static void print_timings(const struct run *r, const struct vm_result *res)
{
	_cleanup_buf_ struct buf text = {0};
	if (timings_format(res, r->c->started_ms, now_ms(), &text) < 0)
		log_error("--timings: the guest reported no boot stages");
	else
		fprintf(stderr, "quiz: timings (ms since quiz started):\n%s", text.data);
}

/* The patterns that let a kernel report pass: --splat-allow's, then the profiles'. */
static int splat_allow(const struct quiz_options *o, const struct profile_set *set,
		       struct strv *ret)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < o->splat_allow.len; i++)
		r = strv_push(ret, o->splat_allow.items[i]);
	for (size_t i = 0; r >= 0 && i < set->n; i++)
		for (size_t j = 0; r >= 0 && j < set->items[i].profile->splat_allow.len; j++)
			r = strv_push(ret, set->items[i].profile->splat_allow.items[j]);
	return r;
}

/* Where this run starts from: a saved VM state, or a cold boot (that saves one). */
static int plan_state(const struct run *r, struct vmstate *ret)
{
	struct vmstate_case c = {
		.arch = r->arch,
		.cold = r->o->cold || r->c->env.cold,
		.n_extra_args = r->extra_args,
	};
	struct vmstate_inputs in = {r->c->paths->home, r->kernel.image, r->image, r->argv.items[0],
				    r->argv.items};
	int k = vmstate_plan(&c, &in, ret);
	if (k < 0)
		log_error("cannot plan the VM's start: %s", strerror(-k));
	else if (ret->park == VM_PARK_GO && ret->path)
		log_debug("VM state: none at %s; a cold boot: %s", ret->path, ret->cold_reason);
	else if (ret->park == VM_PARK_GO)
		log_debug("VM state: none; a cold boot: %s", ret->cold_reason);
	return k;
}

/* A state a cold boot saved becomes its slot's; a failed save leaves nothing. */
static void vmstate_finish(struct vmstate *st, const struct vm_result *res, int run_dir_fd)
{
	if (st->park != VM_PARK_SAVE)
		return;
	struct vmstate_start how = {st->park, res->resumed, res->outcome == VM_NO_STATUS,
				    res->outcome == VM_GUEST_ERROR};
	const char *report = NULL;
	int r = res->save_tried && res->save_status == 0 && !vmstate_start_refused(&how)
			? vmstate_commit(st, run_dir_fd, res->console_at_save, &report)
			: -ENOENT;
	if (r == 0) {
		log_debug("VM state: saved to %s (%lld ms)", st->path, res->save_ms);
		return;
	}
	/* The kind's name, not the report's title: the guest wrote the title. */
	if (report)
		log_debug("VM state: not saved: its boot printed a kernel report (%s)", report);
	else if (res->save_tried && res->save_status < 0)
		log_debug("VM state: not saved: %s",
			  res->save_error ? res->save_error : strerror(-res->save_status));
	else if (res->save_tried)
		log_debug("VM state: not saved: %s", strerror(-r));
	vmstate_discard(st);
}

/* The VM from its saved state, or cold (again, when a state did not restore). 0 or 125. */
static int run_boot(struct run *r)
{
	const struct quiz_options *o = r->o;
	struct vmstate *st = &r->state;
	if ((o->dump && verdict_dump_path("--dump", o->dump, &r->dump) < 0) ||
	    (o->dump_on_panic &&
	     verdict_dump_path("--dump-on-panic", o->dump_on_panic, &r->panic_dump) < 0) ||
	    plan_state(r, st) < 0)
		return EXIT_QUIZ_FAILED;
	_cleanup_strv_ struct strv restore = {0};
	if (st->park == VM_PARK_RESTORE && vmstate_restore_argv(r->argv.items, &restore) < 0)
		st->park = VM_PARK_GO;
	struct vm_options vo = {.run_dir_fd = r->dir.fd,
				.argv = st->park == VM_PARK_RESTORE ? restore.items : r->argv.items,
				.timeout_s = o->timeout_s,
				.verbose = o->verbose,
				.tty = r->tmux,
				.watch_kvm = r->accel.accel == ACCEL_KVM,
				.nmi = r->arch->nmi_backtrace,
				.dump = r->dump,
				.panic_dump = r->panic_dump,
				.park = st->park,
				.state_fd = st->state_fd,
				.console_saved = st->console,
				.console_saved_len = st->console_len};
	int k = vm_run(&vo, &r->vm);
	struct vmstate_start how = {st->park, r->vm.resumed, r->vm.outcome == VM_NO_STATUS,
				    r->vm.outcome == VM_GUEST_ERROR};
	if (k >= 0 && vmstate_boot_cold_again(&how)) {
		/* Nothing of the run started (stdin unread too): boot again, cold. */
		log_debug("VM state: %s did not restore (%s); booting cold", st->path,
			  how.guest_error ? "the guest could not go on from it" : "see qemu.log");
		vmstate_discard(st);
		vm_result_free(&r->vm);
		r->vm = (struct vm_result){0};
		vo.argv = r->argv.items;
		vo.park = VM_PARK_GO; /* neither the state nor its console */
		k = vm_run(&vo, &r->vm);
	} else if (st->park == VM_PARK_RESTORE) {
		log_debug("VM state: restored from %s", st->path);
		vmstate_used(st);
	}
	vmstate_finish(st, &r->vm, r->dir.fd);
	if (k < 0) {
		log_error("cannot start the VM: %s", strerror(-k));
		return EXIT_QUIZ_FAILED;
	}
	return 0;
}

static enum run_hang hang_of(enum vm_hang h)
{
	return h == VM_HANG_SHOWN    ? RUN_HANG_SHOWN
	       : h == VM_HANG_NMI    ? RUN_HANG_NMI
	       : h == VM_HANG_SILENT ? RUN_HANG_SILENT
				     : RUN_HANG_NONE;
}

/* The facts of the run, as run_decide takes them. */
static struct run_facts facts_of(const struct run *r, const struct verdict *v)
{
	struct run_facts f = {
		.outcome = r->vm.outcome,
		.exit_code = r->vm.exit_code,
		.signal = r->vm.signal,
		.splat = r->o->splat,
		.reports_shown = v->splats.n - v->n_allowed,
		.console_failed = r->vm.console_error < 0,
	};
	for (size_t i = 0; i < v->splats.n; i++)
		f.panicked |= v->splats.items[i].kind == SPLAT_PANIC;
	return f;
}

/* A program the loader could not start (127): the libraries it named, and their packages. */
static void say_missing_libs(const struct run *r)
{
	if (!r->vm.loader_libs.len)
		return;
	struct libs_manifest manifest = {0};
	bool have = libcheck_manifest_load(r->image, &manifest, NULL) >= 0;
	libcheck_after_127(r->arch, have ? &manifest : NULL, &r->vm.loader_libs);
	libs_manifest_free(&manifest);
}

/* What the run came to, decided (run_decision.h), into *ret; then each part of it said. */
static void run_judge(struct run *r, struct run_result *ret)
{
	const struct quiz_options *o = r->o;
	struct vm_result *res = &r->vm;
	_cleanup_strv_ struct strv allow = {0};
	struct verdict v = {0};
	/* ENOMEM: the status alone, the reports unjudged */
	bool judged = splat_allow(o, &r->profiles, &allow) >= 0 &&
		      verdict_scan(r->dir.fd, &res->splats, &allow, &v) >= 0;
	struct run_facts f = facts_of(r, &v);
	run_decide(&f, ret);
	ret->hang = hang_of(res->hang);
	ret->restored = res->restored;
	if (!res->restored && r->state.cold_reason &&
	    !(ret->cold_reason = strdup(r->state.cold_reason)))
		log_debug("out of memory: the result says no cold reason");
	for (size_t i = 0; i < v.splats.n; i++)
		if (run_result_add_report(ret, v.splats.items[i].kind, v.allowed[i],
					  v.splats.items[i].title) < 0)
			break; /* ENOMEM: the result lists fewer */
	outcome_explain(res, &r->dir, o->timeout_s, &r->accel,
			judged && verdict_shows_console(&v, res, o));
	/* The decoder's tools answer a stop signal at once; -t is the run's, over by now (a
	 * timeout's listing is decoded too), and the decoding has its own 60 s. */
	sigset_t stop_set;
	stop_signals(&stop_set, false);
	_cleanup_close_ int stop_fd = signalfd(-1, &stop_set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (judged) {
		struct verdict_context ctx = {o, &r->kernel, r->dir.fd, {stop_fd, 0}};
		verdict_explain(&v, &ctx, res, ret);
	}
	struct signalfd_siginfo si;
	if (stop_fd >= 0 && read(stop_fd, &si, sizeof(si)) == sizeof(si)) {
		log_error("stopped by signal %d (%s) while showing the kernel's reports",
			  (int)si.ssi_signo, strsignal((int)si.ssi_signo));
		ret->end = RUN_END_SIGNALED;
		ret->signal = (int)si.ssi_signo;
		ret->exit_status = EXIT_SIGNALED + ret->signal;
		ret->splat_failed = false;
	}
	if (res->console_cut)
		log_debug(
			"console.log: %llu bytes cut from its middle (it keeps the first and last "
			"%llu MiB); every kernel report was still looked for",
			res->console_cut, CONSOLE_LOG_PART >> 20);
	if (res->console_error < 0)
		log_error("the guest's console could not be written to %s/console.log (%s): the "
			  "run fails, as its log is not whole; free space there",
			  r->dir.path, strerror(-res->console_error));
	if (o->timings)
		print_timings(r, res);
	if (ret->end == RUN_END_PROGRAM && ret->program_status == EXIT_NOT_FOUND)
		say_missing_libs(r);
	verdict_free(&v);
}

/* --coverage: the counters the guest copied after its program; none after a panic or -t. */
static void run_coverage(const struct run *r, const struct run_result *res)
{
	const struct quiz_options *o = r->o;
	if (res->end == RUN_END_PANIC || res->end == RUN_END_TIMEOUT ||
	    res->end == RUN_END_SIGNALED) {
		log_error("--coverage: none: the run ended before its program did (%s)",
			  run_end_name(res->end));
		return;
	}
	_cleanup_free_ char *title = NULL;
	if (asprintf(&title, "quiz: %s on %s", o->program[0] ? o->program[0] : "a shell",
		     r->kernel.release) < 0)
		return;
	struct coverage_job j = {
		.run_dir_fd = r->dir.fd,
		.run_dir = r->dir.path,
		.out = o->coverage,
		.filter = o->coverage_filter,
		.home = r->c->paths->home,
		.kernel_dir = r->kernel.dir,
		.cwd = r->cwd,
		.title = title,
	};
	(void)coverage_report(&j); /* it said what failed; the program's status stands */
}

/* The run's folder: kept (--keep) or removed, with what could not be. */
static void run_finish(struct run *r)
{
	const struct quiz_options *o = r->o;
	if (o->console_copy && r->dir.fd >= 0) { /* a matrix entry's console, for its results */
		_cleanup_close_ int out = open(o->console_copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		_cleanup_close_ int in = openat(r->dir.fd, "console.log", O_RDONLY | O_CLOEXEC);
		char chunk[65536];
		ssize_t got;
		while (out >= 0 && in >= 0 && (got = read(in, chunk, sizeof(chunk))) > 0)
			if (write(out, chunk, (size_t)got) != got)
				break;
	}
	if (!r->dir.path)
		return;
	if (o->keep) {
		log_error("run directory kept: %s", r->dir.path);
		run_dir_close(&r->dir);
		return;
	}
	_cleanup_free_ char *left = NULL, *path = strdup(r->dir.path);
	int k = run_dir_remove(&r->dir, &left);
	if (k < 0)
		run_log_left_behind("the run directory", path, left, k);
}

void run_free(struct run *r)
{
	free(r->cwd);
	kernel_free(&r->kernel);
	profile_set_free(&r->profiles);
	free(r->image);
	accel_choice_free(&r->accel);
	run_shares_free(&r->shares);
	tree_share_free(&r->tree);
	strv_free(&r->hook_args);
	strv_free(&r->argv);
	free(r->dump);
	free(r->panic_dump);
	vmstate_free(&r->state);
	vm_result_free(&r->vm);
}

int run_program(const struct run_context *c, const struct quiz_options *o, struct run_result *ret)
{
	struct run r = {.c = c, .o = o, .dir = RUN_DIR_INIT, .state = VMSTATE_INIT};
	int status = run_prepare(&r);
	if (!status)
		status = run_set_up(&r);
	if (!status && o->dry_run)
		run_print_dry(&r);
	else if (!status)
		status = run_boot(&r);
	if (!status && !o->dry_run) {
		run_judge(&r, ret);
		if (o->coverage && ret->end != RUN_END_FAILED)
			run_coverage(&r, ret);
	} else
		run_result_failed(ret, status);
	run_finish(&r);
	run_free(&r);
	return ret->exit_status;
}
