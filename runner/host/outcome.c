/* SPDX-License-Identifier: MIT */
/* Exit status and messages after a run; preflight checks before one. */
#include "outcome.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "accel_host.h"
#include "exit_status.h"
#include "file.h"
#include "kv.h"
#include "layout.h"
#include "log.h"
#include "tsc_rate_host.h"

#define CONSOLE_TAIL 20

int tail_lines(int dirfd, const char *name, unsigned n, struct buf *ret)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	_cleanup_buf_ struct buf all = {0};
	char chunk[65536];
	ssize_t got;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		int r = buf_append(&all, chunk, (size_t)got);
		if (r < 0)
			return r;
		if (all.len > 1 << 20) { /* keep the last 256 KiB: enough for any tail */
			memmove(all.data, all.data + all.len - (1 << 18), 1 << 18);
			all.len = 1 << 18;
		}
	}
	if (!all.len)
		return buf_puts(ret, "");
	size_t start = all.len;
	if (all.data[start - 1] == '\n')
		start--;
	for (unsigned lines = 0; start > 0; start--)
		if (all.data[start - 1] == '\n' && ++lines == n)
			break;
	/* Serial consoles end lines with CR LF: drop the CRs. */
	for (size_t i = start; i < all.len; i++)
		if (all.data[i] != '\r' && buf_append(ret, all.data + i, 1) < 0)
			return -ENOMEM;
	return 0;
}

/* The console line holding needle, without CR/LF; NULL if none. */
static char *find_line(const char *text, const char *needle)
{
	const char *hit = text ? strstr(text, needle) : NULL;
	if (!hit)
		return NULL;
	while (hit > text && hit[-1] != '\n')
		hit--;
	return strndup(hit, strcspn(hit, "\r\n"));
}

static void show_console(const struct run_dir *dir, const char *why)
{
	_cleanup_buf_ struct buf tail = {0};
	if (tail_lines(dir->fd, "console.log", CONSOLE_TAIL, &tail) == 0 && tail.len) {
		log_error("%s; last console lines:", why);
		log_text(tail.data, tail.len);
	}
}

/* QEMU died on an assertion: its signal says so, or its own line before the signal. */
static bool qemu_aborted(const struct vm_result *res, const char *qemu_log)
{
	return (WIFSIGNALED(res->qemu_status) && WTERMSIG(res->qemu_status) == SIGABRT) ||
	       (qemu_log && strstr(qemu_log, "Assertion"));
}

/* KVM failed where it was chosen: say what to do; a cached verdict is dropped. */
static void kvm_failed(const char *line, bool aborted, const struct accel_choice *accel)
{
	_cleanup_buf_ struct buf text = {0};
	(void)accel_failure_text(line, aborted, &text); /* ENOMEM: an empty reason */
	/* The verdict that chose KVM was wrong for this run: the next run probes again. */
	(void)accel_forget(accel->cache_file);
	if (accel->cache_file)
		log_error("KVM failed on this host (%s), though a probe boot had passed; the next "
			  "run "
			  "probes again; QUIZ_ACCEL=tcg avoids KVM",
			  text.data ? text.data : "");
	else
		log_error("KVM failed on this host (%s); QUIZ_ACCEL=kvm forces it: unset it to let "
			  "quiz choose, or set QUIZ_ACCEL=tcg",
			  text.data ? text.data : "");
}

static void no_status(const struct vm_result *res, const struct run_dir *dir,
		      const struct accel_choice *accel, bool reported)
{
	_cleanup_buf_ struct buf console = {0}, qemu = {0};
	(void)tail_lines(dir->fd, "console.log", 400, &console); /* may be empty */
	(void)tail_lines(dir->fd, "qemu.log", 5, &qemu);
	_cleanup_free_ char *panic = find_line(console.data, "Kernel panic");
	_cleanup_free_ char *init_err = find_line(console.data, "quiz-init");

	if (res->qemu_status >= 0 && WIFEXITED(res->qemu_status) &&
	    WEXITSTATUS(res->qemu_status) == EXIT_NOT_FOUND) {
		log_error("QEMU could not be started: %s", qemu.len ? qemu.data : "unknown error");
		return;
	}
	const char *kvm = accel_kvm_failure(qemu.data);
	if (kvm && accel && accel->accel == ACCEL_KVM) {
		kvm_failed(kvm, qemu_aborted(res, qemu.data), accel);
		return;
	}
	if (panic) {
		if (!reported)
			show_console(dir, "the guest kernel panicked");
		log_error("the guest kernel panicked: %s", strstr(panic, "Kernel panic"));
	} else if (init_err) {
		show_console(dir, "the guest could not start the program");
		log_error("the guest could not start the program: %s",
			  strstr(init_err, "quiz-init"));
	} else {
		show_console(dir, "the VM ended without a status");
		if (qemu.len)
			log_error("QEMU said: %.*s",
				  (int)qemu.len - (qemu.data[qemu.len - 1] == '\n'), qemu.data);
		log_error("the VM ended without reporting the program's status (QEMU %s %d)",
			  WIFSIGNALED(res->qemu_status) ? "killed by signal" : "exit status",
			  WIFSIGNALED(res->qemu_status) ? WTERMSIG(res->qemu_status)
							: WEXITSTATUS(res->qemu_status));
	}
}

void outcome_explain(const struct vm_result *res, const struct run_dir *dir, unsigned timeout_s,
		     const struct accel_choice *accel, bool reported)
{
	switch (res->outcome) {
	case VM_STATUS: return;
	case VM_GUEST_ERROR:
		show_console(dir, "the guest failed");
		log_error("%s", res->message ? res->message : "the guest failed");
		return;
	case VM_TIMEOUT:
		if (!reported)
			show_console(dir, "timeout");
		log_error("timed out after %u s; the VM was stopped (raise it with -t SECONDS)",
			  timeout_s);
		return;
	case VM_SIGNALED:
		/* A reader that left (quiz ... | head) ends the run quietly, as in a pipeline. */
		if (res->signal != SIGPIPE)
			log_error("stopped by signal %d (%s); the VM was stopped", res->signal,
				  strsignal(res->signal));
		return;
	case VM_OUTPUT_ERROR:
		/* On stderr itself this line may be lost too: the status still says it. */
		log_error("writing the program's output to %s failed: %s; the VM was stopped",
			  res->output_fd == 1 ? "stdout" : "stderr", strerror(-res->output_error));
		return;
	case VM_KVM_FAILED:
		if (accel)
			kvm_failed(res->message ? res->message : "", false, accel);
		else
			log_error("KVM failed on this host: %s", res->message ? res->message : "");
		return;
	case VM_NO_STATUS: break;
	}
	no_status(res, dir, accel, reported);
}

int check_kernel_config(const struct quiz_paths *p, const struct kernel *k)
{
	if (!k->config)
		return 0; /* a bare image: nothing to check against */
	_cleanup_free_ char *config = NULL, *fragment = NULL;
	if (read_file(k->config, &config, NULL) < 0 ||
	    kconfig_needs(p->data, k->arch, &fragment) < 0)
		return 0; /* unreadable: let the boot tell */
	_cleanup_strv_ struct strv missing = {0};
	int r = kconfig_missing(config, fragment, &missing);
	if (r < 0 || !missing.len)
		return r;
	_cleanup_buf_ struct buf list = {0};
	for (size_t i = 0; i < missing.len; i++)
		(void)buf_printf(&list, "%s%s", i ? " " : "", missing.items[i]);
	const struct arch *a = k->arch;
	log_error("kernel %s lacks options quiz needs%s%s: %s; add them with: quiz-kernel "
		  "config%s%s %s",
		  k->image, a == arch_host() ? "" : " for ", arch_word(a), list.data, arch_flag(a),
		  arch_word(a), k->config);
	return -ENOEXEC;
}

bool qemu_missing(const char *qemu, const struct arch *a)
{
	if (strchr(qemu, '/'))
		return access(qemu, X_OK) < 0
			       ? (log_error("%s: cannot run it: %s", qemu, strerror(errno)), true)
			       : false;
	_cleanup_free_ char *path = qemu_binary_path(qemu);
	if (path)
		return false;
	log_error("%s not found; install it: sudo apt-get install %s", qemu, a->qemu_package);
	return true;
}

void timing_hints(const char *home, const struct kernel *k, unsigned long *ret_tsc_khz,
		  unsigned *ret_hz)
{
	_cleanup_free_ char *config = NULL, *hz = NULL;
	*ret_tsc_khz = 0;
	*ret_hz = 0;
	if (!k->arch->tcg_timing_words || !k->config || read_file(k->config, &config, NULL) < 0 ||
	    !(hz = kv_get(config, "CONFIG_HZ")))
		return;
	/* A rate that moves between runs (cpufreq's current clock) would key every run's saved
	 * state apart: host_tsc_khz gives one that does not. */
	unsigned long khz = host_tsc_khz(home);
	if (!khz)
		return;
	*ret_tsc_khz = khz;
	*ret_hz = (unsigned)strtoul(hz, NULL, 10);
}

static long long timeline_get(const char *timeline, const char *stage)
{
	char key[32];
	snprintf(key, sizeof(key), " %s=", stage);
	const char *hit = strstr(timeline, key);
	return hit ? strtoll(hit + strlen(key), NULL, 10) : -1;
}

int timings_format(const struct vm_result *res, long long started, long long ended, struct buf *out)
{
	long long report = res->timeline ? timeline_get(res->timeline, STAGE_REPORT) : -1;
	if (report < 0 || !res->at_status)
		return -EINVAL;
	long long kernel = res->at_status - report - started;
	static const struct {
		const char *stage, *label;
	} guest[] = {
		{STAGE_INIT1, "init1 started"}, {STAGE_PARK, "init1 parked"},
		{STAGE_GO, "init1 let go"},	{STAGE_ROOT, "root ready"},
		{STAGE_INIT2, "init2 started"}, {STAGE_PROGRAM, "program started"},
		{STAGE_ENDED, "program ended"},
	};
	/* A restored run: what came before the go happened in the boot that saved the state. */
	long long go = res->restored ? timeline_get(res->timeline, STAGE_GO) : -1;
	int r = buf_printf(out, "%7lld ms  QEMU started\n", res->at_qemu - started);
	if (r >= 0 && go < 0)
		r = buf_printf(out, "%7lld ms  kernel entered\n", kernel);
	else if (r >= 0)
		r = buf_puts(out,
			     "          (kernel and init1 to its park point: the saved state's)\n");
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(guest); i++) {
		long long t = timeline_get(res->timeline, guest[i].stage);
		if (t >= 0 && t >= go)
			r = buf_printf(out, "%7lld ms  %s\n", kernel + t, guest[i].label);
	}
	if (r >= 0)
		r = buf_printf(out, "%7lld ms  guest powered off\n%7lld ms  quiz exited\n",
			       res->at_exit - started, ended - started);
	return r;
}
