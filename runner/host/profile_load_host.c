/* SPDX-License-Identifier: MIT */
/* A profile's folder on disk: its profile.ini (parsed by profile.c) and its parts. */
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "macro.h"
#include "profile_internal.h"

enum part_kind { PART_EXECUTABLE, PART_FOLDER };

static int check_part(const char *name, const char *dir, const char *part, enum part_kind kind,
		      bool *ret_exists, char **ret_error)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (asprintf(&path, "%s/%s", dir, part) < 0)
		return set_error_oom(ret_error);
	if (stat(path, &st) < 0) {
		int k = -errno;
		if (k == -ENOENT && lstat(path, &st) < 0) {
			*ret_exists = false;
			return 0;
		}
		set_error(ret_error, "profile %s: cannot access %s: %s; fix or remove it", name,
			  path, strerror(-k));
		return k;
	}
	if (kind == PART_FOLDER && !S_ISDIR(st.st_mode)) {
		set_error(
			ret_error,
			"profile %s: %s is not a folder; files/ must be a folder of files for the "
			"guest",
			name, path);
		return -ENOTDIR;
	}
	if (kind == PART_EXECUTABLE && !S_ISREG(st.st_mode)) {
		set_error(ret_error,
			  "profile %s: %s is not a file; a hook must be an executable file", name,
			  path);
		return -EINVAL;
	}
	if (kind == PART_EXECUTABLE && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		set_error(ret_error, "profile %s: %s is not executable; run chmod +x %s", name,
			  path, path);
		return -EACCES;
	}
	*ret_exists = true;
	return 0;
}

int profile_load(const char *dir, const char *name, const char *source, struct profile *ret,
		 char **ret_error)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct profile p = {0};
	size_t size = 0;
	int k;

	if (asprintf(&path, "%s/profile.ini", dir) < 0)
		return set_error_oom(ret_error);
	k = read_file(path, &text, &size);
	if (k == -ENOENT) {
		set_error(ret_error,
			  "profile %s: %s does not exist; every profile folder needs one (it may "
			  "be empty)",
			  name, path);
		return k;
	}
	if (k < 0) {
		set_error(ret_error, "profile %s: cannot read %s: %s", name, path, strerror(-k));
		return k;
	}
	if (strlen(text) != size) {
		set_error(ret_error, "profile %s: %s contains a NUL byte; it must be a text file",
			  name, path);
		return -EINVAL;
	}

	k = profile_parse_labeled(name, path, text, &p, ret_error);
	if (k < 0)
		return k;
	k = check_part(name, dir, "host-hook", PART_EXECUTABLE, &p.host_hook, ret_error);
	if (k >= 0)
		k = check_part(name, dir, "guest-hook", PART_EXECUTABLE, &p.guest_hook, ret_error);
	if (k >= 0)
		k = check_part(name, dir, "files", PART_FOLDER, &p.files, ret_error);
	if (k >= 0) {
		p.dir = strdup(dir);
		p.source = source ? strdup(source) : NULL;
		if (!p.dir || (source && !p.source))
			k = set_error_oom(ret_error);
	}
	if (k < 0) {
		profile_free(&p);
		return k;
	}
	*ret = p;
	return 0;
}
