/* SPDX-License-Identifier: MIT */
/* The accelerator on this host: /dev/kvm access, the verdict cache, probe boots. */
#include "accel_host.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "cache_trust_host.h"
#include "exit_status.h"
#include "file.h"
#include "log.h"
#include "run_dir.h"
#include "signals.h"
#include "vm.h"

const char *kvm_device(void)
{
	/* Tests point this at a file that opens (or not) to play a host with /dev/kvm. */
	const char *dev = getenv("QUIZ_KVM_DEVICE");
	return dev && dev[0] ? dev : "/dev/kvm";
}

enum kvm_access kvm_access_check(int *ret_errno)
{
	int fd = open(kvm_device(), O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		(void)close(fd); /* only probing */
		return KVM_OPENS;
	}
	if (ret_errno)
		*ret_errno = errno;
	return errno == EACCES || errno == EPERM ? KVM_DENIED : KVM_ABSENT;
}

char *qemu_binary_path(const char *qemu)
{
	if (strchr(qemu, '/'))
		return realpath(qemu, NULL);
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = strdup(path && path[0] ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *full = NULL;
		if (asprintf(&full, "%s/%s", d, qemu) >= 0 && access(full, X_OK) == 0)
			return realpath(full, NULL);
	}
	return NULL;
}

/* The first value of "key" in /proc/cpuinfo's first processor. */
static char *cpuinfo_field(const char *cpuinfo, const char *key)
{
	const char *hit = strstr(cpuinfo, key);
	const char *colon = hit ? strchr(hit, ':') : NULL;
	if (!colon)
		return strdup("");
	colon++;
	return strndup(colon, strcspn(colon, "\n"));
}

int host_identity(const char *qemu, char **ret_kernel, char **ret_qemu, char **ret_cpu)
{
	struct utsname u;
	struct stat st;
	_cleanup_free_ char *bin = qemu_binary_path(qemu), *cpuinfo = NULL;
	_cleanup_free_ char *model = NULL, *flags = NULL;
	if (uname(&u) < 0)
		return -errno;
	if (asprintf(ret_kernel, "%s %s %s", u.release, u.version, u.machine) < 0)
		return -ENOMEM;
	if (bin && stat(bin, &st) == 0) {
		if (asprintf(ret_qemu, "%s %lld %lld %llu", bin, (long long)st.st_size,
			     (long long)st.st_mtime, (unsigned long long)st.st_ino) < 0)
			return -ENOMEM;
	} else if (!(*ret_qemu = strdup(qemu))) {
		return -ENOMEM;
	}
	if (read_file("/proc/cpuinfo", &cpuinfo, NULL) < 0 && !(cpuinfo = strdup("")))
		return -ENOMEM;
	model = cpuinfo_field(cpuinfo, "model name");
	flags = cpuinfo_field(cpuinfo, "flags");
	if (!model || !flags || asprintf(ret_cpu, "%s|%s", model, flags) < 0)
		return -ENOMEM;
	return 0;
}

int accel_cache_path(const char *home, const char *qemu, enum kvm_access access, char **ret)
{
	_cleanup_free_ char *kernel = NULL, *qemu_id = NULL, *cpu = NULL;
	int r = host_identity(qemu, &kernel, &qemu_id, &cpu);
	if (r < 0)
		return r;
	char key[17];
	accel_cache_key(kernel, qemu_id, cpu, access, key);
	return asprintf(ret, "%s/accel/%s", home, key) < 0 ? -ENOMEM : 0;
}

/* What a refused verdict folder's line on stderr calls it. */
#define VERDICTS "accelerator verdicts"

/* The folder of path (a file of the cache), opened and checked (cache_trust_host.h); *ret_name: the
 * file's name in it. -EPERM (said on stderr) when the folder is not the user's alone. */
static int verdict_dir(const char *path, int *ret_fd, char **ret_dir, const char **ret_name)
{
	_cleanup_free_ char *dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	int r = cache_dir_open(dir, VERDICTS, ret_fd);
	if (r < 0)
		return r;
	*ret_name = path + (slash - dir) + 1;
	*ret_dir = TAKE_PTR(dir);
	return 0;
}

/* -EPERM: the verdict's folder or file is not to be trusted (said on stderr): probe. */
static int verdict_load(const char *path, struct accel_verdict *ret)
{
	_cleanup_free_ char *text = NULL, *dir = NULL;
	_cleanup_close_ int dir_fd = -1;
	const char *name = NULL;
	int r = verdict_dir(path, &dir_fd, &dir, &name);
	if (r >= 0)
		r = cache_file_read(dir_fd, dir, name, VERDICTS, &text, NULL);
	return r < 0 ? r : accel_verdict_parse(text, ret);
}

/* Written whole or not at all: concurrent runs may probe at once, the last rename wins. */
static int verdict_store(const char *path, const struct accel_verdict *v)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dir_fd = -1;
	_cleanup_buf_ struct buf text = {0};
	const char *name = NULL;
	int r = verdict_dir(path, &dir_fd, &dir, &name);
	if (r >= 0)
		r = accel_verdict_format(v, &text);
	if (r >= 0)
		r = write_file_at(dir_fd, name, text.data, text.len, 0600);
	return r;
}

int accel_forget(const char *cache_file)
{
	return cache_file && unlink(cache_file) < 0 && errno != ENOENT ? -errno : 0;
}

static void probe_child(pid_t parent, char *const *argv, int out, int err)
{
	child_reset_signals();
	if (child_die_with_parent(parent, SIGKILL) < 0)
		_exit(EXIT_QUIZ_FAILED);
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out == err ? 1 : err, 2) < 0)
		_exit(EXIT_QUIZ_FAILED);
	child_close_fds();
	execvp(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(EXIT_NOT_FOUND);
}

static int set_failure(struct probe_result *ret, const char *fmt, ...) _printf_(2, 3);
static int set_failure(struct probe_result *ret, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&ret->failure, fmt, ap);
	va_end(ap);
	ret->ok = false;
	return n < 0 ? -ENOMEM : 0;
}

/*
 * Read both pipes until EOF (0), the deadline (-ETIMEDOUT), or, when stop_at_failure, a KVM
 * failure on stderr (-EIO).
 */
static int probe_read(int out, int err, struct buf *console, struct buf *errors, long long deadline,
		      bool stop_at_failure)
{
	struct pollfd pfd[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};
	struct buf *bufs[2] = {console, errors};
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int n = poll(pfd, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			char chunk[4096];
			ssize_t got = read(pfd[i].fd, chunk, sizeof(chunk));
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				pfd[i].fd = -1;
			else if (bufs[i]->len < (1 << 20) &&
				 buf_append(bufs[i], chunk, (size_t)got) < 0)
				return -ENOMEM;
		}
		/* QEMU stops the guest on a KVM internal error and waits: do not wait with it. */
		if (stop_at_failure && accel_kvm_failure(errors->data))
			return -EIO;
	}
	return 0;
}

int accel_probe(char *const *argv, struct probe_result *ret)
{
	_cleanup_buf_ struct buf console = {0}, errors = {0};
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	*ret = (struct probe_result){0};
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		int r = -errno;
		closep(&out[0]), closep(&out[1]), closep(&err[0]);
		return r;
	}
	long long started = now_ms();
	pid_t parent = getpid(), pid = fork();
	if (pid == 0)
		probe_child(parent, argv, out[1], err[1]);
	(void)close(out[1]);
	(void)close(err[1]);
	if (pid < 0) {
		int r = -errno;
		(void)close(out[0]), (void)close(err[0]);
		return r;
	}
	int r = probe_read(out[0], err[0], &console, &errors, started + ACCEL_PROBE_TIMEOUT_MS,
			   true);
	/* A KVM failure: QEMU's next lines (an assertion, then SIGABRT) still come; closing the
	 * pipe now would kill it with SIGPIPE before it says them. A second at most. */
	if (r == -EIO &&
	    probe_read(out[0], err[0], &console, &errors, now_ms() + 1000, false) == -ENOMEM)
		r = -ENOMEM;
	(void)close(out[0]);
	(void)close(err[0]);
	int status = 0;
	bool reaped = false;
	/* A QEMU that aborts on KVM exits by itself at once; one that stopped the guest waits. */
	for (int i = 0; r == -EIO && !reaped && i < 100; i++) {
		reaped = waitpid(pid, &status, WNOHANG) == pid;
		if (!reaped)
			(void)nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	if (r < 0 && !reaped)
		(void)kill(pid, SIGKILL);
	while (!reaped && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret->ms = now_ms() - started;
	const char *kvm = accel_kvm_failure(errors.data);
	if (kvm) {
		_cleanup_buf_ struct buf text = {0};
		/* An assertion's own line says "aborted" even before (or without) the signal. */
		bool aborted = (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
			       strstr(errors.data, "Assertion");
		if (accel_failure_text(kvm, aborted, &text) < 0)
			return -ENOMEM;
		return set_failure(ret, "%s", text.data);
	}
	if (r == -ETIMEDOUT)
		return set_failure(ret, "the probe boot did not end within %d s",
				   ACCEL_PROBE_TIMEOUT_MS / 1000);
	if (r < 0)
		return set_failure(ret, "%s", strerror(-r));
	if (WIFSIGNALED(status))
		return set_failure(ret, "QEMU was killed by signal %d (%s)", WTERMSIG(status),
				   strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status) != 0) {
		const char *last = errors.data ? errors.data : "";
		return set_failure(ret, "QEMU exited with status %d: %.*s", WEXITSTATUS(status),
				   (int)strcspn(last, "\n"), last);
	}
	if (!accel_probe_console_ok(console.data))
		return set_failure(ret, "the kernel did not reach the end of its boot");
	ret->ok = true;
	return 0;
}

void probe_result_free(struct probe_result *r)
{
	free(r->failure);
	r->failure = NULL;
}

static char *now_iso(void)
{
	char text[32];
	time_t t = time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return strdup(text);
}

static int probe_host(const struct accel_request *req, struct accel_verdict *ret)
{
	_cleanup_strv_ struct strv kvm_argv = {0}, tcg_argv = {0};
	struct probe_result kvm = {0}, tcg = {0};
	bool timed_tcg = false;
	int r = accel_probe_argv(req->qemu, req->arch, req->kernel_image, ACCEL_KVM, 0, 0,
				 &kvm_argv);
	if (r >= 0)
		r = accel_probe(kvm_argv.items, &kvm);
	if (r >= 0 && kvm.ok && kvm.ms >= ACCEL_KVM_CLEARLY_FAST_MS) {
		r = accel_probe_argv(req->qemu, req->arch, req->kernel_image, ACCEL_TCG,
				     req->tsc_khz, req->hz, &tcg_argv);
		if (r >= 0)
			r = accel_probe(tcg_argv.items, &tcg);
		timed_tcg = r >= 0;
	}
	if (r >= 0)
		r = accel_verdict_from_probes(&kvm, timed_tcg ? &tcg : NULL, ret);
	if (r >= 0)
		ret->probed = now_iso();
	probe_result_free(&kvm);
	probe_result_free(&tcg);
	return r;
}

static int choice_set(struct accel_choice *c, enum accel a, const char *fmt, ...) _printf_(3, 4);
static int choice_set(struct accel_choice *c, enum accel a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&c->why, fmt, ap);
	va_end(ap);
	c->accel = a;
	return n < 0 ? -ENOMEM : 0;
}

/* Auto mode with a /dev/kvm that opens: the cached verdict, or a probe now. */
static int choose_proven(const struct accel_request *req, struct accel_choice *c)
{
	int loaded = req->force_probe ? -ENOENT : verdict_load(c->cache_file, &c->verdict);
	if (loaded == 0)
		return choice_set(c, c->verdict.accel, "%s (verdict of %s, cached in %s)",
				  c->verdict.reason, c->verdict.probed ? c->verdict.probed : "?",
				  c->cache_file);
	if (!req->kernel_image)
		return choice_set(c, ACCEL_TCG, "KVM not proven yet on this host (no probe)");
	int r = probe_host(req, &c->verdict);
	if (r < 0)
		return r;
	c->probed_now = true;
	/* A folder refused on loading (said once already) gets nothing: it would not be read. */
	if (loaded != -EPERM && verdict_store(c->cache_file, &c->verdict) < 0)
		log_debug("cannot cache the accelerator verdict in %s", c->cache_file);
	return choice_set(c, c->verdict.accel, "%s (probed now)", c->verdict.reason);
}

int accel_choose(const struct accel_request *req, struct accel_choice *c, char **ret_error)
{
	enum accel_mode mode;
	int kvm_errno = 0;
	*c = (struct accel_choice){.verdict = {.kvm_ms = -1, .tcg_ms = -1}};
	if (accel_mode_parse(req->mode, &mode) < 0) {
		set_error(ret_error, "QUIZ_ACCEL=%s: expected auto, kvm or tcg", req->mode);
		return -EINVAL;
	}
	if (mode == ACCEL_MODE_TCG)
		return choice_set(c, ACCEL_TCG, "QUIZ_ACCEL=tcg");
	enum kvm_access access = kvm_access_check(&kvm_errno);
	if (mode == ACCEL_MODE_KVM) {
		if (access != KVM_OPENS) {
			set_error(ret_error,
				  "QUIZ_ACCEL=kvm, but %s cannot be opened: %s; unset "
				  "QUIZ_ACCEL to let quiz choose",
				  kvm_device(), strerror(kvm_errno));
			return -ENODEV;
		}
		return choice_set(c, ACCEL_KVM, "QUIZ_ACCEL=kvm");
	}
	if (access == KVM_ABSENT)
		return choice_set(c, ACCEL_TCG, "no KVM on this host (%s: %s)", kvm_device(),
				  strerror(kvm_errno));
	int r = accel_cache_path(req->home, req->qemu, access, &c->cache_file);
	if (r < 0)
		return set_error_oom(ret_error);
	if (access == KVM_DENIED) {
		int loaded = verdict_load(c->cache_file, &c->verdict);
		bool known = loaded == 0;
		struct stat st;
		struct group *gr = stat(kvm_device(), &st) == 0 ? getgrgid(st.st_gid) : NULL;
		if (!known &&
		    (r = accel_verdict_denied(kvm_device(), gr ? gr->gr_name : NULL,
					      (st.st_mode & 0060) == 0060, &c->verdict)) < 0)
			return set_error_oom(ret_error);
		if (!known) {
			c->probed_now = true; /* the hint is said once, like a probe's verdict */
			if (loaded != -EPERM) /* refused: said each run, as the folder is */
				(void)verdict_store(c->cache_file, &c->verdict);
		}
		return choice_set(c, ACCEL_TCG, "%s", c->verdict.reason);
	}
	r = choose_proven(req, c);
	if (r < 0)
		set_error(ret_error, "probing KVM: %s", strerror(-r));
	return r;
}

void accel_choice_free(struct accel_choice *c)
{
	free(c->why);
	free(c->cache_file);
	accel_verdict_free(&c->verdict);
	*c = (struct accel_choice){0};
}
