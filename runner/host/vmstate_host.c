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
#include "log.h"
#include "qemu_argv.h"
#include "run_dir.h"

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
	if (asprintf(&st->dir, "%s/states", in->home) < 0)
		return -ENOMEM;
	if (asprintf(&st->path, "%s/%s-%s.state", st->dir, st->slot, id) < 0 ||
	    asprintf(&st->console, "%s/%s-%s.console", st->dir, st->slot, id) < 0 ||
	    asprintf(&st->seen, "%s/%s-%s.seen", st->dir, st->slot, id) < 0)
		return -ENOMEM;
	return 0;
}

static void remove_others(const struct vmstate *st);

/*
 * Was this slot and identity run before? It is from now on (SLOT-IDENTITY.seen); the slot's
 * files of other identities (a kernel since rebuilt, an image since refreshed) go.
 */
static bool seen_before(struct vmstate *st)
{
	if (access(st->seen, F_OK) == 0)
		return true;
	if (mkdir_p_at(AT_FDCWD, st->dir) >= 0)
		(void)write_file_at(AT_FDCWD, st->seen, "", 0,
				    0644); /* none: every run is a first */
	remove_others(st);
	return false;
}

int vmstate_plan(const struct vmstate_case *c, const struct vmstate_inputs *in, struct vmstate *ret)
{
	struct vmstate st = {.park = VM_PARK_GO, .cold_reason = vmstate_cold_reason(c)};
	if (!st.cold_reason) {
		int r = plan_paths(in, &st);
		if (r == -ENOMEM) {
			vmstate_free(&st);
			return r;
		}
		if (r < 0)
			st.cold_reason = "the kernel, the image or QEMU cannot be looked at";
	}
	if (!st.cold_reason && access(st.path, R_OK) == 0 && access(st.console, R_OK) == 0) {
		st.park = VM_PARK_RESTORE;
	} else if (!st.cold_reason && !seen_before(&st)) {
		/* A kernel run once (a bisect step, a rebuild in the loop) would pay for a save
		 * (~0.4 s under TCG) that nothing restores: the second run of it saves. */
		st.cold_reason =
			"the first run of this kernel and layout (the next one saves its state)";
	} else if (!st.cold_reason) {
		st.park = VM_PARK_SAVE;
		if (asprintf(&st.tmp, "%s.%d.tmp", st.path, (int)getpid()) < 0) {
			st.park = VM_PARK_GO;
			st.cold_reason = "out of memory";
		}
	}
	*ret = st;
	return 0;
}

/* The slot's other files: states of an older kernel, image or QEMU, parts of saves. */
static void remove_others(const struct vmstate *st)
{
	DIR *d = opendir(st->dir);
	const char *mine = strrchr(st->path, '/') + 1;
	size_t stem = strlen(mine) - strlen("state"); /* "SLOT-IDENTITY." */
	for (struct dirent *de = d ? readdir(d) : NULL; de; de = readdir(d))
		if (strncmp(de->d_name, st->slot, 16) == 0 && de->d_name[16] == '-' &&
		    (strncmp(de->d_name, mine, stem) != 0 || strstr(de->d_name, ".tmp")))
			(void)unlinkat(dirfd(d), de->d_name, 0); /* a concurrent save's: it fails */
	if (d)
		closedir(d);
}

/* The first len bytes of the run's console.log into path, whole or not at all. */
static int save_console(int run_dir_fd, unsigned long long len, const char *path)
{
	_cleanup_free_ char *data = malloc(len ? len : 1);
	_cleanup_close_ int in = openat(run_dir_fd, "console.log", O_RDONLY | O_CLOEXEC);
	if (!data)
		return -ENOMEM;
	if (in < 0)
		return -errno;
	ssize_t n = pread(in, data, len, 0);
	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return write_file_replace(path, data, len, 0644);
}

/* Beyond VMSTATE_KEEP states, the least recently used go (each with its console). */
static void keep_newest(const struct vmstate *st)
{
	_cleanup_strv_ struct strv names = {0};
	DIR *d = opendir(st->dir);
	for (struct dirent *de = d ? readdir(d) : NULL; de; de = readdir(d)) {
		size_t len = strlen(de->d_name);
		if (len > 6 && STREQ(de->d_name + len - 6, ".state"))
			(void)strv_push(&names, de->d_name); /* ENOMEM: fewer looked at */
	}
	while (d && names.len > VMSTATE_KEEP) {
		size_t oldest = 0;
		struct timespec t_oldest = {0};
		for (size_t i = 0; i < names.len; i++) {
			struct stat s;
			if (fstatat(dirfd(d), names.items[i], &s, 0) < 0)
				continue;
			if (i == 0 || s.st_mtim.tv_sec < t_oldest.tv_sec ||
			    (s.st_mtim.tv_sec == t_oldest.tv_sec &&
			     s.st_mtim.tv_nsec < t_oldest.tv_nsec))
				oldest = i, t_oldest = s.st_mtim;
		}
		char *name = names.items[oldest], *console = NULL;
		(void)unlinkat(dirfd(d), name, 0);
		if (asprintf(&console, "%.*sconsole", (int)(strlen(name) - strlen("state")),
			     name) >= 0)
			(void)unlinkat(dirfd(d), console, 0);
		free(console);
		free(name);
		names.items[oldest] = names.items[--names.len];
		names.items[names.len] = NULL;
	}
	if (d)
		closedir(d);
}

void vmstate_used(const struct vmstate *st)
{
	(void)utimensat(AT_FDCWD, st->path, NULL, 0); /* no mtime: it may go sooner */
}

int vmstate_commit(struct vmstate *st, int run_dir_fd, unsigned long long console_len)
{
	int r = save_console(run_dir_fd, console_len, st->console);
	if (r >= 0 && rename(st->tmp, st->path) < 0)
		r = -errno;
	if (r < 0) {
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
	if (st->park == VM_PARK_SAVE && st->tmp)
		(void)unlink(st->tmp); /* may not exist */
	if (st->park == VM_PARK_RESTORE && st->path)
		(void)unlink(st->path);
	if (st->park == VM_PARK_RESTORE && st->console)
		(void)unlink(st->console);
}

void vmstate_free(struct vmstate *st)
{
	free(st->dir);
	free(st->path);
	free(st->console);
	free(st->seen);
	free(st->tmp);
	*st = (struct vmstate){0};
}
