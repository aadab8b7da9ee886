/* SPDX-License-Identifier: MIT */
/* A running run's info file: formatted, parsed back, shown on one line. Pure. */
#include "run_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "qemu_argv.h"
#include "safe_text.h"

int run_info_format(const struct run_info *info, struct buf *ret)
{
	_cleanup_buf_ struct buf b = {0};
	char number[32];
	snprintf(number, sizeof(number), "%lld", info->pid);
	int r = contract_add(&b, "pid", number);
	snprintf(number, sizeof(number), "%lld", info->started);
	if (r >= 0)
		r = contract_add(&b, "started", number);
	if (r >= 0)
		r = contract_add(&b, "arch", info->arch);
	if (r >= 0)
		r = contract_add(&b, "kernel", info->kernel);
	if (r >= 0)
		r = contract_add(&b, "command", info->command);
	if (r < 0)
		return r;
	*ret = b;
	b = (struct buf){0};
	return 0;
}

int run_info_command(char *const *program, char **ret)
{
	_cleanup_buf_ struct buf b = {0};
	int r = buf_puts(&b, "");
	for (size_t i = 0; r >= 0 && program[i]; i++) {
		if (i)
			r = buf_puts(&b, " ");
		if (r >= 0)
			r = shell_quote(program[i], &b);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(b.data);
	return 0;
}

static bool parse_number(const char *s, long long *ret)
{
	char *end;
	if (!s || s[0] < '0' || s[0] > '9' || strlen(s) > 18)
		return false;
	*ret = strtoll(s, &end, 10);
	return *end == '\0';
}

int run_info_parse(const char *data, size_t size, struct run_info *ret)
{
	_cleanup_free_ char *copy = malloc(size ? size : 1);
	_cleanup_free_ struct contract_entry *entries = NULL;
	size_t n;
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, size);
	int r = contract_parse(copy, size, &entries, &n);
	if (r < 0)
		return r;
	const char *pid = NULL, *started = NULL, *arch = NULL, *kernel = NULL, *command = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *k = entries[i].key, *v = entries[i].value;
		if (STREQ(k, "pid"))
			pid = v;
		else if (STREQ(k, "started"))
			started = v;
		else if (STREQ(k, "arch"))
			arch = v;
		else if (STREQ(k, "kernel"))
			kernel = v;
		else if (STREQ(k, "command"))
			command = v;
	}
	struct run_info info = {0};
	if (!parse_number(pid, &info.pid) || !parse_number(started, &info.started) || !arch ||
	    !kernel || !command)
		return -EINVAL;
	info.arch = strdup(arch);
	info.kernel = strdup(kernel);
	info.command = strdup(command);
	if (!info.arch || !info.kernel || !info.command) {
		run_info_free(&info);
		return -ENOMEM;
	}
	*ret = info;
	return 0;
}

void run_info_free(struct run_info *info)
{
	free(info->arch);
	free(info->kernel);
	free(info->command);
	*info = (struct run_info){0};
}

int run_info_escape(const char *s, struct buf *out)
{
	int r = 0;
	while (r >= 0 && *s) {
		size_t n = strcspn(s, "\n\t");
		r = safe_text_append(out, s, n, true, NULL);
		s += n;
		if (r >= 0 && *s)
			r = buf_printf(out, "\\x%02x", (unsigned)(unsigned char)*s++);
	}
	return r;
}
