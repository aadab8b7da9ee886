/* SPDX-License-Identifier: MIT */
/* quiz --doctor's facts: QEMU, /dev/kvm and its group, a fresh probe, kernels, image, cache. */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "accel_host.h"
#include "doctor.h"
#include "exit_status.h"
#include "image.h"
#include "kernel_host.h"
#include "outcome.h"
#include "run_dir.h"
#include "signals.h"
#include "vm.h"

/* What a command prints (stdout and stderr, 64 KiB at most), within a few seconds; NULL if none. */
static char *output_of(char *const *argv, int *ret_status)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		child_reset_signals();
		if (child_die_with_parent(parent, SIGKILL) < 0)
			_exit(EXIT_NOT_FOUND);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(EXIT_NOT_FOUND);
		child_close_fds();
		execvp(argv[0], argv);
		_exit(EXIT_NOT_FOUND);
	}
	(void)close(fds[1]);
	_cleanup_buf_ struct buf text = {0};
	long long deadline = now_ms() + 20000;
	struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
	while (pid > 0 && now_ms() < deadline && poll(&pfd, 1, 1000) >= 0) {
		char chunk[4096];
		if (!pfd.revents)
			continue;
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n <= 0 || text.len > 65536 || buf_append(&text, chunk, (size_t)n) < 0)
			break;
	}
	(void)close(fds[0]);
	int status = -1;
	if (pid > 0) {
		(void)kill(pid, SIGKILL); /* gone already, unless it hangs */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (ret_status)
		*ret_status = status;
	return text.data ? TAKE_PTR(text.data) : NULL;
}

/* The first line a command prints; NULL if none. */
static char *first_line_of(char *const *argv, int *ret_status)
{
	_cleanup_free_ char *text = output_of(argv, ret_status);
	return text ? strndup(text, strcspn(text, "\n")) : NULL;
}

/* Whether QEMU lists a "user" network back end (-netdev help): 1, 0, or -1 when it said nothing. */
static int qemu_has_user_net(const char *qemu)
{
	char *argv[] = {(char *)qemu, "-netdev", "help", NULL};
	_cleanup_free_ char *text = output_of(argv, NULL);
	if (!text)
		return -1;
	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n')
		if (strncmp(p, "user", 4) == 0 && (p[4] == '\n' || p[4] == '\0'))
			return 1;
	return strstr(text, "backend") ? 0 : -1;
}

static void gather_kvm_group(struct doctor_facts *f)
{
	struct stat st;
	struct passwd *pw = getpwuid(getuid());
	f->user = strdup(pw ? pw->pw_name : "$USER");
	if (stat(f->kvm_device, &st) < 0)
		return;
	struct group *gr = getgrgid(st.st_gid);
	f->kvm_group = gr ? strdup(gr->gr_name) : NULL;
	f->kvm_group_rw = (st.st_mode & 0060) == 0060 && st.st_gid != 0;
	for (char **m = gr ? gr->gr_mem : NULL; m && *m && pw; m++)
		f->kvm_group_listed |= STREQ(*m, pw->pw_name);
	f->kvm_group_listed |= pw && pw->pw_gid == st.st_gid;
	gid_t groups[256];
	int n = getgroups((int)ELEMENTSOF(groups), groups);
	for (int i = 0; i < n; i++)
		f->kvm_group_session |= groups[i] == st.st_gid;
	f->kvm_group_session |= getegid() == st.st_gid;
}

static void gather_accel(const char *home, const struct arch *a, struct doctor_facts *f)
{
	_cleanup_(kernel_free) struct kernel k = {0};
	_cleanup_free_ char *error = NULL;
	struct accel_choice c = {0};
	if (a != arch_host()) {
		f->accel_known = true;
		f->accel = ACCEL_TCG;
		if (asprintf(&f->accel_why, "%s %s guest on this host: TCG emulates it",
			     arch_article(a), a->name) < 0)
			f->accel_why = NULL;
		return;
	}
	bool have_kernel = kernel_resolve(home, a, NULL, &k) == 0;
	struct accel_request req = {.mode = f->accel_mode,
				    .home = home,
				    .qemu = f->qemu,
				    .arch = a,
				    .kernel_image = have_kernel ? k.image : NULL,
				    .force_probe = true};
	if (have_kernel)
		timing_hints(home, &k, &req.tsc_khz, &req.hz);
	if (!f->qemu_path) {
		f->accel_why = strdup("unknown without QEMU");
		return;
	}
	if (accel_choose(&req, &c, &error) < 0) {
		f->accel_failed = true;
		f->accel_why = TAKE_PTR(error);
		return;
	}
	f->accel_known = have_kernel || c.verdict.reason || f->kvm != KVM_OPENS;
	f->accel = c.accel;
	f->accel_why = TAKE_PTR(c.why);
	if (!f->accel_known) {
		free(f->accel_why);
		f->accel_why = strdup("KVM opens, but there is no kernel to probe it with yet");
	}
	accel_choice_free(&c);
}

static void gather_image(const char *home, const char *scripts, const struct arch *a,
			 struct doctor_facts *f)
{
	const char *env = getenv("QUIZ_IMAGE");
	_cleanup_free_ char *path = NULL, *script = NULL;
	struct stat st;
	if (env && env[0])
		path = strdup(env);
	else if (image_path(home, a, &path) < 0)
		path = NULL;
	if (path && stat(path, &st) == 0 && access(path, R_OK) == 0) {
		f->image = TAKE_PTR(path);
		f->image_bytes = (unsigned long long)st.st_size;
	}
	/* quiz-image knows what it needs: ask it rather than repeat its rules here. */
	if (asprintf(&script, "%s/quiz-image", scripts) < 0)
		return;
	char *argv[] = {script, "check", "--arch", (char *)a->name, NULL};
	int status = -1;
	f->image_builder_why = first_line_of(argv, &status);
	f->image_builder_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void gather_cache(const char *home, struct doctor_facts *f)
{
	struct statvfs vfs;
	f->home = strdup(home);
	int r = mkdir_p_at(AT_FDCWD, home, 0700);
	f->home_writable = r >= 0 && access(home, W_OK | X_OK) == 0;
	f->home_errno = r < 0 ? -r : errno;
	if (statvfs(home, &vfs) == 0)
		f->home_free_bytes = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
}

int doctor_gather(const char *home, const char *scripts, const struct arch *a,
		  struct doctor_facts *f)
{
	const char *qemu = getenv("QUIZ_QEMU");
	*f = (struct doctor_facts){.qemu = qemu && qemu[0] ? qemu : a->qemu,
				   .qemu_package = a->qemu_package,
				   .arch = a->name,
				   .foreign = a != arch_host()};
	f->qemu_path = qemu_binary_path(f->qemu);
	if (f->qemu_path) {
		char *argv[] = {f->qemu_path, "--version", NULL};
		f->qemu_version = first_line_of(argv, NULL);
		f->qemu_user_net = qemu_has_user_net(f->qemu_path);
	}
	f->kvm_device = kvm_device();
	f->kvm = kvm_access_check(&f->kvm_errno);
	gather_kvm_group(f);
	f->accel_mode = getenv("QUIZ_ACCEL");
	if (asprintf(&f->kernels_dir, "%s/kernels/%s", home, a->name) < 0 ||
	    kernels_list(home, a, &f->kernels) < 0)
		return -ENOMEM;
	gather_accel(home, a, f);
	gather_image(home, scripts, a, f);
	gather_cache(home, f);
	return 0;
}

void doctor_facts_free(struct doctor_facts *f)
{
	free(f->qemu_path);
	free(f->qemu_version);
	free(f->accel_why);
	free(f->user);
	free((char *)f->kvm_group);
	free(f->kernels_dir);
	strv_free(&f->kernels);
	free(f->image);
	free(f->image_builder_why);
	free(f->home);
}
