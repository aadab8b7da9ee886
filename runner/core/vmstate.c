/* SPDX-License-Identifier: MIT */
/* Saved VM states: their keys, and when a run may use one. Pure. */
#include "vmstate.h"

#include <errno.h>

#include <stdio.h>
#include <string.h>

#include "fnv.h"
#include "macro.h"

/* An -fsdev's value with its path=...'s value (commas doubled) as "*". */
static uint64_t hash_fsdev(uint64_t h, const char *value)
{
	char buf[4096];
	const char *p = strstr(value, ",path=");
	if (!p || strlen(value) >= sizeof(buf))
		return fnv1a(h, value);
	size_t head = (size_t)(p - value) + strlen(",path=");
	const char *end = value + head;
	while (*end && !(end[0] == ',' && end[1] != ','))
		end += end[0] == ',' ? 2 : 1;
	snprintf(buf, sizeof(buf), "%.*s*%s", (int)head, value, end);
	return fnv1a(h, buf);
}

void vmstate_slot(char *const *argv, char ret[17])
{
	char format[32];
	snprintf(format, sizeof(format), "vmstate=%d", VMSTATE_FORMAT);
	uint64_t h = fnv1a(FNV1A_INIT, format);
	for (size_t i = 0; argv[i]; i++)
		h = i > 0 && STREQ(argv[i - 1], "-fsdev") ? hash_fsdev(h, argv[i])
							  : fnv1a(h, argv[i]);
	snprintf(ret, 17, "%016llx", (unsigned long long)h);
}

void vmstate_identity(const char *const *parts, size_t n, char ret[17])
{
	uint64_t h = FNV1A_INIT;
	for (size_t i = 0; i < n; i++)
		h = fnv1a(h, parts[i] ? parts[i] : "");
	snprintf(ret, 17, "%016llx", (unsigned long long)h);
}

const char *vmstate_cold_reason(const struct vmstate_case *c)
{
	if (c->cold)
		return "asked for (--cold or QUIZ_COLD=1)";
	if (!c->arch->saved_state)
		return "no saved states for this architecture";
	/* A disk or a device of theirs the kernel probed at boot would be the saved one's. */
	if (c->n_extra_args)
		return "QEMU arguments of profiles or the user (disks, devices) come with it";
	return NULL;
}

int vmstate_restore_argv(char *const *argv, struct strv *ret)
{
	_cleanup_strv_ struct strv v = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && argv[i]; i++)
		r = strv_push(&v, argv[i]);
	if (r >= 0)
		r = strv_push(&v, "-incoming");
	if (r >= 0)
		r = strv_push(&v, VMSTATE_INCOMING);
	if (r < 0)
		return r;
	*ret = v;
	v = (struct strv){0};
	return 0;
}

bool vmstate_start_refused(const struct vmstate_start *s)
{
	return !s->resumed && s->guest_error;
}

bool vmstate_boot_cold_again(const struct vmstate_start *s)
{
	return s->park == VM_PARK_RESTORE && !s->resumed && (s->no_status || s->guest_error);
}

enum vm_park vmstate_choose(const struct vmstate_facts *f, const char **ret_reason)
{
	const char *why = f->cold_reason;
	if (!why && f->folder == -EPERM)
		why = "its folder is not private (see above)";
	else if (!why && f->folder < 0)
		why = "its folder cannot be made or opened";
	else if (!why && f->saved == 0)
		return *ret_reason = NULL, VM_PARK_RESTORE;
	else if (!why && f->saved == -EPERM)
		why = "the saved state is not to be trusted (see above)";
	else if (!why && f->saved == -ENOMEM)
		why = "out of memory";
	else if (!why && !f->seen)
		why = VMSTATE_FIRST_RUN;
	*ret_reason = why;
	return why ? VM_PARK_GO : VM_PARK_SAVE;
}
