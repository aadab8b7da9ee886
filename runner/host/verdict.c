/* SPDX-License-Identifier: MIT */
/* The kernel's verdict after a run: its reports found, allowed or not, decoded, shown. */
#include "verdict.h"

#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit_status.h"
#include "file.h"
#include "hang.h"
#include "log.h"

/* The decoder runs nm and addr2line on a big vmlinux: bounded, then the report goes raw. */
#define DECODE_TIMEOUT_MS 60000
#define CONSOLE_MAX (16 << 20)

static int read_console(int dirfd, char **ret)
{
	_cleanup_close_ int fd = openat(dirfd, "console.log", O_RDONLY | O_CLOEXEC);
	_cleanup_buf_ struct buf b = {0};
	char chunk[65536];
	ssize_t n;
	while (fd >= 0 && b.len < CONSOLE_MAX && (n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_append(&b, chunk, (size_t)n) < 0)
			return -ENOMEM;
	*ret = b.data ? b.data : strdup("");
	b = (struct buf){0};
	return *ret ? 0 : -ENOMEM;
}

static bool matches(const char *title, const struct strv *allow)
{
	for (size_t i = 0; i < allow->len; i++) {
		regex_t re;
		if (regcomp(&re, allow->items[i], REG_EXTENDED | REG_NOSUB) != 0)
			continue; /* checked when parsed */
		bool hit = regexec(&re, title, 0, NULL, 0) == 0;
		regfree(&re);
		if (hit)
			return true;
	}
	return false;
}

int verdict_scan(int run_dir_fd, struct splat_list *splats, const struct strv *allow,
		 struct verdict *ret)
{
	*ret = (struct verdict){.splats = *splats};
	*splats = (struct splat_list){0};
	int r = read_console(run_dir_fd, &ret->console);
	if (r >= 0 && ret->splats.n && !(ret->allowed = calloc(ret->splats.n, sizeof(bool))))
		r = -ENOMEM;
	for (size_t i = 0; r >= 0 && i < ret->splats.n; i++)
		if ((ret->allowed[i] = matches(ret->splats.items[i].title, allow)))
			ret->n_allowed++;
	if (r < 0)
		verdict_free(ret);
	return r;
}

void verdict_free(struct verdict *v)
{
	free(v->console);
	free(v->allowed);
	splat_list_free(&v->splats);
	*v = (struct verdict){0};
}

/* --- decoding, with the kernel's own scripts/decode_stacktrace.sh --- */

static char *kernel_file(const struct kernel *k, const char *name)
{
	_cleanup_free_ char *path = NULL;
	if (!k->dir || asprintf(&path, "%s/%s", k->dir, name) < 0 || access(path, R_OK) < 0)
		return NULL;
	return TAKE_PTR(path);
}

/* Where the decoder finds modules: --system's folder, else the kernel's own. */
static char *module_path(const struct verdict_context *c)
{
	char *path = NULL;
	if (c->o->system_dir)
		return realpath(c->o->system_dir, NULL);
	if (c->k->layer && asprintf(&path, "%s/usr/lib/modules", c->k->layer) < 0)
		return NULL;
	return path;
}

static void decoder_child(const struct verdict_context *c, const char *const argv[], int in,
			  int out)
{
	const struct arch *a = c->k->arch;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(EXIT_NOT_FOUND);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0)
		(void)dup2(null, 2); /* its complaints about a missing module are noise here */
	(void)setpgid(0, 0);
	(void)setenv("ARCH", a->kernel_arch, 1);
	if (a != arch_host())
		(void)setenv("CROSS_COMPILE", a->cross_prefix, 1);
	execvp(argv[0], (char *const *)argv);
	_exit(EXIT_NOT_FOUND);
}

/* Its output, or -errno; killed after DECODE_TIMEOUT_MS. */
static int run_decoder(const struct verdict_context *c, const char *input, struct buf *out)
{
	_cleanup_free_ char *script = kernel_file(c->k, "decode/decode_stacktrace.sh");
	_cleanup_free_ char *vmlinux = kernel_file(c->k, "vmlinux");
	_cleanup_free_ char *modules = module_path(c);
	if (!script || !vmlinux)
		return -ENOENT;
	_cleanup_close_ int in =
		openat(c->run_dir_fd, "decode.in", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int pipefd[2];
	if (in < 0 || write_all(in, input, strlen(input)) < 0 || lseek(in, 0, SEEK_SET) < 0 ||
	    pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	const char *argv[] = {"bash", script, vmlinux, "auto", modules ? modules : "", NULL};
	pid_t pid = fork();
	if (pid == 0)
		decoder_child(c, argv, in, pipefd[1]);
	(void)close(pipefd[1]);
	int r = pid < 0 ? -errno : 0;
	char chunk[4096];
	ssize_t n = 0;
	for (long long waited = 0; r >= 0 && waited < DECODE_TIMEOUT_MS; waited += 100) {
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
		if (poll(&pfd, 1, 100) == 0)
			continue;
		if ((n = read(pipefd[0], chunk, sizeof(chunk))) <= 0)
			break;
		r = buf_append(out, chunk, (size_t)n);
	}
	(void)close(pipefd[0]);
	if (pid > 0) {
		int status;
		(void)kill(-pid, SIGKILL); /* done or not: nothing of it stays */
		(void)waitpid(pid, &status, 0);
	}
	(void)unlinkat(c->run_dir_fd, "decode.in", 0);
	return r < 0 ? r : n < 0 ? -EIO : 0;
}

/* The function of the line's frame, "func" of "func+0x1c/0x30"; NULL if it has none. */
static char *frame_function(const char *line, size_t len)
{
	const char *plus = memmem(line, len, "+0x", 3);
	if (!plus)
		return NULL;
	const char *start = plus;
	while (start > line && start[-1] != ' ' && start[-1] != ':' && start[-1] != '\t')
		start--;
	return start < plus ? strndup(start, (size_t)(plus - start)) : NULL;
}

/*
 * The "(dir/file.c:123)" the decoder put after function in its line, when it names a line;
 * else NULL. Inlined frames give several places in one: "(a.h:13 (discriminator 1) b.c:45)".
 */
static char *source_of(const char *decoded, const char *function)
{
	_cleanup_free_ char *key = NULL;
	if (asprintf(&key, "%s (", function) < 0)
		return NULL;
	const char *open = strstr(decoded, key);
	const char *close = strrchr(decoded, ')');
	if (!open || !close)
		return NULL;
	open += strlen(function) + 1;
	for (const char *p = open; p < close; p++)
		if (p[0] == ':' && p[1] >= '0' && p[1] <= '9')
			return strndup(open, (size_t)(close - open + 1));
	return NULL;
}

/*
 * The report with "(file:line)" after each frame the decoder placed: its output has one line
 * per input line, and its own form drops the offsets, which the kernel's lines keep here.
 * Code: lines are not given to it (it would disassemble them).
 */
static int decode_report(const struct verdict_context *c, const char *text, struct buf *out)
{
	_cleanup_buf_ struct buf input = {0}, decoded = {0};
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		size_t len = strcspn(l, "\n");
		const char *code = strstr(l, "Code: ");
		if (!code || code > l + len) {
			(void)buf_append(&input, l, len);
			(void)buf_puts(&input, "\n");
		}
	}
	int r = input.data ? run_decoder(c, input.data, &decoded) : -ENOENT;
	const char *d = decoded.data;
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		int len = (int)strcspn(l, "\n");
		bool code = strstr(l, "Code: ") && strstr(l, "Code: ") < l + len;
		_cleanup_free_ char *dline = NULL, *src = NULL, *function = NULL;
		if (r >= 0 && !code && d && *d) {
			dline = strndup(d, strcspn(d, "\n"));
			d += strcspn(d, "\n") + (d[strcspn(d, "\n")] == '\n');
			function = frame_function(l, (size_t)len);
			src = dline && function ? source_of(dline, function) : NULL;
		}
		int w = buf_printf(out, "%.*s%s%s\n", len, l, src ? " " : "", src ? src : "");
		if (w < 0)
			return w;
	}
	return 0;
}

/* --- what is shown --- */

static void show_report(const struct verdict_context *c, const struct splat *s)
{
	_cleanup_buf_ struct buf text = {0};
	if (decode_report(c, s->text, &text) < 0 || !text.data)
		log_text(s->text, strlen(s->text));
	else
		log_text(text.data, text.len);
}

static void show_hang(const struct verdict *v, const struct verdict_context *c,
		      const struct vm_result *res)
{
	_cleanup_buf_ struct buf section = {0}, summary = {0}, decoded = {0};
	if (res->hang == VM_HANG_NMI)
		log_error("the guest did not answer at the timeout; an NMI showed its CPU (its "
			  "report follows)");
	else if (res->hang == VM_HANG_SILENT)
		log_error(
			"the guest did not answer at the timeout: what it was doing is not known");
	if (hang_explain(v->console, &section, &summary) < 0)
		return;
	if (!summary.len) {
		log_error("at the timeout no task was blocked; its CPUs' backtraces are in "
			  "console.log (--keep or -v)");
		return;
	}
	log_error("at the timeout these tasks were blocked (sysrq w; the whole listing and every "
		  "CPU's backtrace are in console.log: --keep or -v):");
	if (decode_report(c, summary.data, &decoded) < 0 || !decoded.data)
		log_text(summary.data, summary.len);
	else
		log_text(decoded.data, decoded.len);
}

static void show_dump(const struct verdict_context *c, const struct vm_result *res)
{
	if (!res->dump_file)
		return;
	if (res->dump_status < 0) {
		log_error("%s: the memory dump failed: %s", res->dump_file,
			  res->dump_error ? res->dump_error : strerror(-res->dump_status));
		return;
	}
	_cleanup_free_ char *vmlinux = kernel_file(c->k, "vmlinux");
	log_error("the guest's memory is in %s; open it with: crash %s %s", res->dump_file,
		  vmlinux ? vmlinux : "VMLINUX", res->dump_file);
}

bool verdict_shows_console(const struct verdict *v, const struct vm_result *res,
			   const struct quiz_options *o)
{
	if (res->outcome == VM_TIMEOUT)
		return res->hang == VM_HANG_SHOWN || res->hang == VM_HANG_NMI;
	return res->outcome == VM_NO_STATUS && o->splat != SPLAT_MODE_IGNORE &&
	       v->splats.n > v->n_allowed;
}

int verdict_report(const struct verdict *v, const struct verdict_context *c,
		   const struct vm_result *res, int status)
{
	if (res->outcome == VM_TIMEOUT)
		show_hang(v, c, res);
	size_t shown = 0;
	for (size_t i = 0; c->o->splat != SPLAT_MODE_IGNORE && i < v->splats.n; i++) {
		const struct splat *s = &v->splats.items[i];
		if (v->allowed[i]) {
			if (c->o->verbose)
				log_error("allowed kernel report (--splat-allow): %s", s->title);
			continue;
		}
		/* REPORT_SPLAT_START: a matrix's reports quote from here on. */
		log_error("kernel report (%s): %s", splat_kind_name(s->kind), s->title);
		if (!shown++)
			show_report(c, s);
	}
	show_dump(c, res);
	if (!shown || res->outcome != VM_STATUS || status != 0 || c->o->splat != SPLAT_MODE_FAIL)
		return status;
	/* REPORT_SPLAT_LINE */
	log_error("the program passed, but the kernel did not: exit %d (--splat=warn keeps the "
		  "program's status; --splat-allow REGEX lets a known report pass)",
		  EXIT_SPLAT);
	return EXIT_SPLAT;
}

int verdict_dump_path(const char *opt, const char *file, char **ret)
{
	_cleanup_free_ char *copy = strdup(file), *copy2 = strdup(file), *dir = NULL;
	if (!copy || !copy2)
		return -ENOMEM;
	const char *base = basename(copy2);
	struct stat st;
	if (!*file || STREQ(base, ".") || STREQ(base, "..") ||
	    (stat(file, &st) == 0 && S_ISDIR(st.st_mode))) {
		log_error("%s %s: a folder; name the file to write, e.g. %s vmcore", opt, file,
			  opt);
		return -EINVAL;
	}
	dir = realpath(dirname(copy), NULL);
	if (!dir || access(dir, W_OK) < 0) {
		log_error("%s %s: cannot write in its folder: %s", opt, file, strerror(errno));
		return -EINVAL;
	}
	if (asprintf(ret, "%s/%s", STREQ(dir, "/") ? "" : dir, base) < 0)
		return -ENOMEM;
	return 0;
}
