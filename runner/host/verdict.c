/* SPDX-License-Identifier: MIT */
/* The kernel's verdict after a run: its reports found, allowed or not, decoded, shown. */
#include "verdict.h"

#include <fcntl.h>
#include <libgen.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode_host.h"
#include "exit_status.h"
#include "file.h"
#include "hang.h"
#include "log.h"

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

static char *kernel_file(const struct kernel *k, const char *name)
{
	_cleanup_free_ char *path = NULL;
	if (!k->dir || asprintf(&path, "%s/%s", k->dir, name) < 0 || access(path, R_OK) < 0)
		return NULL;
	return TAKE_PTR(path);
}

/* --- what is shown --- */

static void show_report(const struct verdict_context *c, const struct splat *s)
{
	_cleanup_buf_ struct buf text = {0};
	if (decode_report(c->k, c->o->system_dir, s->text, &c->decode, &text) < 0 || !text.data)
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
	if (decode_report(c->k, c->o->system_dir, summary.data, &c->decode, &decoded) < 0 ||
	    !decoded.data)
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

void verdict_explain(const struct verdict *v, const struct verdict_context *c,
		     const struct vm_result *res, const struct run_result *decided)
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
		/* REPORT_SPLAT_START: a matrix's failure text quotes from here on. */
		log_error("kernel report (%s): %s", splat_kind_name(s->kind), s->title);
		if (!shown++)
			show_report(c, s);
	}
	show_dump(c, res);
	if (decided->splat_failed)
		log_error("the program passed, but the kernel did not: exit %d (--splat=warn keeps "
			  "the program's status; --splat-allow REGEX lets a known report pass)",
			  EXIT_SPLAT);
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
