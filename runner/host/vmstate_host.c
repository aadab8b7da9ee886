/* SPDX-License-Identifier: MIT */
/* Saved VM states in the cache: home/states/SLOT-IDENTITY.state, one per slot. */
#include "vmstate_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel_host.h"
#include "cache_trust_host.h"
#include "file.h"
#include "splat.h"

#define WHAT "saved VM states"

/* A file's identity: a rebuilt kernel or a refreshed image is another. */
static char *file_identity(const char *path)
{
	struct stat st;
	char *s = NULL;
	if (stat(path, &st) < 0)
		return NULL;
	if (asprintf(&s, "%s %lld %lld.%09ld %llu", path, (long long)st.st_size,
		     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		     (unsigned long long)st.st_ino) < 0)
		return NULL;
	return s;
}

static int plan_paths(const struct vmstate_inputs *in, struct vmstate *st)
{
	_cleanup_free_ char *kernel = file_identity(in->kernel_image);
	_cleanup_free_ char *root = file_identity(in->root_image);
	_cleanup_free_ char *host = NULL, *qemu = NULL, *cpu = NULL;
	if (!kernel || !root || host_identity(in->qemu, &host, &qemu, &cpu) < 0)
		return -ENOENT; /* nothing to key a state on: cold */
	const char *parts[] = {kernel, root, host, qemu, cpu};
	char id[17];
	vmstate_slot(in->argv, st->slot);
	vmstate_identity(parts, ELEMENTSOF(parts), id);
	if (asprintf(&st->dir, "%s/states", in->home) < 0 ||
	    asprintf(&st->name, "%s-%s", st->slot, id) < 0 ||
	    asprintf(&st->path, "%s/%s.state", st->dir, st->name) < 0)
		return -ENOMEM;
	return 0;
}

/* The slot's file NAME.SUFFIX's name in the folder (malloc'd), or NULL. */
static char *slot_file(const struct vmstate *st, const char *suffix)
{
	char *s = NULL;
	return asprintf(&s, "%s.%s", st->name, suffix) < 0 ? NULL : s;
}

/* The folder's entries, for a walk that removes some: a DIR of its own descriptor. */
static DIR *open_listing(int dir_fd)
{
	int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d && fd >= 0)
		(void)close(fd); /* fdopendir did not take it */
	return d;
}

/* The slot's other files: states of an older kernel, image or QEMU, parts of saves. */
static void remove_others(const struct vmstate *st)
{
	DIR *d = open_listing(st->dir_fd);
	size_t stem = strlen(st->name) + 1; /* "SLOT-IDENTITY." */
	for (struct dirent *de = d ? readdir(d) : NULL; de; de = readdir(d))
		if (strncmp(de->d_name, st->slot, 16) == 0 && de->d_name[16] == '-' &&
		    (strncmp(de->d_name, st->name, stem - 1) != 0 || de->d_name[stem - 1] != '.' ||
		     strstr(de->d_name, ".tmp")))
			(void)unlinkat(st->dir_fd, de->d_name,
				       0); /* a concurrent save's: it fails */
	if (d)
		closedir(d);
}

/* Was this slot and identity run before (SLOT-IDENTITY.seen)? */
static bool seen_before(const struct vmstate *st)
{
	_cleanup_free_ char *seen = slot_file(st, "seen");
	struct stat s;
	return !seen ||
	       (fstatat(st->dir_fd, seen, &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(s.st_mode));
}

/* The slot ran now: its next run saves; the slot's files of other identities (a kernel since
 * rebuilt, an image since refreshed) go. */
static void mark_seen(struct vmstate *st)
{
	_cleanup_free_ char *seen = slot_file(st, "seen");
	if (seen)
		(void)write_file_at(st->dir_fd, seen, "", 0, 0600); /* none: every run is a first */
	remove_others(st);
}

/* The slot's state and its console, opened and checked: 0 (both there), -ENOENT, -EPERM (one
 * line said), -ENOMEM. */
static int open_saved(struct vmstate *st)
{
	_cleanup_free_ char *state = slot_file(st, "state"), *console = slot_file(st, "console");
	_cleanup_close_ int fd = -1;
	if (!state || !console)
		return -ENOMEM;
	int r = cache_file_open(st->dir_fd, st->dir, state, WHAT, &fd);
	if (r >= 0)
		r = cache_file_read(st->dir_fd, st->dir, console, WHAT, &st->console,
				    &st->console_len);
	if (r < 0)
		return r;
	st->state_fd = TAKE_FD(fd);
	return 0;
}

/* A plan to save the slot's state: the file QEMU writes it into, made now, private. */
static int plan_save(struct vmstate *st)
{
	_cleanup_free_ char *state = slot_file(st, "state");
	if (!state)
		return -ENOMEM;
	int fd = file_create_beside(st->dir_fd, state, 0600, &st->tmp);
	if (fd < 0)
		return fd;
	st->state_fd = fd;
	st->park = VM_PARK_SAVE;
	return 0;
}

/* What the cache holds for the slot, the choice (vmstate_choose), then what it takes. */
static const char *plan_start(struct vmstate *st)
{
	struct vmstate_facts f = {.folder = cache_dir_open(st->dir, WHAT, &st->dir_fd)};
	if (f.folder >= 0)
		f.saved = open_saved(st);
	if (f.folder >= 0 && f.saved == -ENOENT)
		f.seen = seen_before(st);
	const char *why = NULL;
	st->park = vmstate_choose(&f, &why);
	if (why && STREQ(why, VMSTATE_FIRST_RUN))
		mark_seen(st);
	if (st->park == VM_PARK_SAVE && plan_save(st) < 0) {
		st->park = VM_PARK_GO;
		why = "no file can be made for the state";
	}
	return why;
}

int vmstate_plan(const struct vmstate_case *c, const struct vmstate_inputs *in, struct vmstate *ret)
{
	struct vmstate st = VMSTATE_INIT;
	st.cold_reason = vmstate_cold_reason(c);
	if (!st.cold_reason) {
		int r = plan_paths(in, &st);
		if (r == -ENOMEM) {
			vmstate_free(&st);
			*ret = st;
			return r;
		}
		if (r < 0)
			st.cold_reason = "the kernel, the image or QEMU cannot be looked at";
	}
	if (!st.cold_reason)
		st.cold_reason = plan_start(&st);
	*ret = st;
	return 0;
}

/* The first len bytes of the run's console.log into *ret (malloc'd, NUL-terminated). */
static int read_console(int run_dir_fd, unsigned long long len, char **ret)
{
	_cleanup_free_ char *data = malloc(len + 1);
	_cleanup_close_ int in = openat(run_dir_fd, "console.log", O_RDONLY | O_CLOEXEC);
	if (!data)
		return -ENOMEM;
	if (in < 0)
		return -errno;
	ssize_t n = pread(in, data, len, 0);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	data[len] = '\0';
	*ret = TAKE_PTR(data);
	return 0;
}

/* The kind of the first kernel report in the boot's console, or NULL (none, or out of memory:
 * then the state is kept as before reports were looked for). */
static const char *boot_report(const char *console, size_t len)
{
	struct splat_list splats = {0};
	const char *kind = NULL;
	if (splat_scan(console, len, &splats) >= 0 && splats.n)
		kind = splat_kind_name(splats.items[0].kind);
	splat_list_free(&splats);
	return kind;
}

/* Beyond VMSTATE_KEEP states, the least recently used go (each with its console). */
static void keep_newest(const struct vmstate *st)
{
	_cleanup_strv_ struct strv names = {0};
	DIR *d = open_listing(st->dir_fd);
	for (struct dirent *de = d ? readdir(d) : NULL; de; de = readdir(d)) {
		size_t len = strlen(de->d_name);
		if (len > 6 && STREQ(de->d_name + len - 6, ".state"))
			(void)strv_push(&names, de->d_name); /* ENOMEM: fewer looked at */
	}
	if (d)
		closedir(d);
	while (names.len > VMSTATE_KEEP) {
		size_t oldest = 0;
		struct timespec t_oldest = {0};
		for (size_t i = 0; i < names.len; i++) {
			struct stat s;
			if (fstatat(st->dir_fd, names.items[i], &s, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			if (i == 0 || s.st_mtim.tv_sec < t_oldest.tv_sec ||
			    (s.st_mtim.tv_sec == t_oldest.tv_sec &&
			     s.st_mtim.tv_nsec < t_oldest.tv_nsec))
				oldest = i, t_oldest = s.st_mtim;
		}
		char *name = names.items[oldest], *console = NULL;
		(void)unlinkat(st->dir_fd, name, 0);
		if (asprintf(&console, "%.*sconsole", (int)(strlen(name) - strlen("state")),
			     name) >= 0)
			(void)unlinkat(st->dir_fd, console, 0);
		free(console);
		free(name);
		names.items[oldest] = names.items[--names.len];
		names.items[names.len] = NULL;
	}
}

void vmstate_used(const struct vmstate *st)
{
	(void)futimens(st->state_fd, NULL); /* no mtime: it may go sooner */
}

int vmstate_commit(struct vmstate *st, int run_dir_fd, unsigned long long console_len,
		   const char **ret_report)
{
	_cleanup_free_ char *console = NULL, *console_name = slot_file(st, "console");
	_cleanup_free_ char *state_name = slot_file(st, "state");
	int r = console_name && state_name ? read_console(run_dir_fd, console_len, &console)
					   : -ENOMEM;
	const char *report = r >= 0 ? boot_report(console, console_len) : NULL;
	if (report)
		r = -ECANCELED;
	if (r >= 0)
		r = write_file_at(st->dir_fd, console_name, console, console_len, 0600);
	if (r >= 0 && renameat(st->dir_fd, st->tmp, st->dir_fd, state_name) < 0)
		r = -errno;
	if (r < 0) {
		if (report && ret_report)
			*ret_report = report;
		vmstate_discard(st);
		return r;
	}
	free(st->tmp);
	st->tmp = NULL;
	remove_others(st);
	keep_newest(st);
	return 0;
}

void vmstate_discard(struct vmstate *st)
{
	if (st->dir_fd < 0)
		return;
	if (st->park == VM_PARK_SAVE && st->tmp)
		(void)unlinkat(st->dir_fd, st->tmp, 0); /* may not exist */
	if (st->park == VM_PARK_RESTORE) {
		_cleanup_free_ char *state = slot_file(st, "state");
		_cleanup_free_ char *console = slot_file(st, "console");
		if (state)
			(void)unlinkat(st->dir_fd, state, 0);
		if (console)
			(void)unlinkat(st->dir_fd, console, 0);
	}
}

void vmstate_free(struct vmstate *st)
{
	closep(&st->dir_fd);
	closep(&st->state_fd);
	free(st->dir);
	free(st->name);
	free(st->path);
	free(st->tmp);
	free(st->console);
	*st = (struct vmstate)VMSTATE_INIT;
}
