/* SPDX-License-Identifier: MIT */
/* quiz --coverage in the guest (coverage.h). */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "coverage.h"
#include "file.h"
#include "guest.h"
#include "layout.h"

int coverage_reset(void)
{
	_cleanup_close_ int fd = open(GUEST_GCOV "/reset", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		int r = -errno;
		log_err(GUEST_GCOV "/reset: %s (a kernel without CONFIG_GCOV_KERNEL?)",
			strerror(errno));
		return r;
	}
	return 0;
}

static int copied, failed;

/* One .gcda: read whole (debugfs gives no size), written at the same path in the share. */
static int copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	size_t n = strlen(path);
	if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".gcda") != 0)
		return 0;
	_cleanup_free_ char *data = NULL, *to = NULL, *dir = NULL;
	size_t size = 0;
	const char *rel = path + strlen(GUEST_GCOV);
	int r = read_file(path, &data, &size);
	if (r >= 0 && (asprintf(&to, GUEST_COVERAGE "%s", rel) < 0 || !(dir = strdup(to))))
		r = -ENOMEM;
	if (r >= 0) {
		*strrchr(dir, '/') = '\0';
		r = mkdir_p(dir, 0755);
	}
	if (r >= 0)
		r = write_file_replace(to, data, size, 0644);
	if (r < 0) {
		if (!failed++)
			log_err("coverage: %s: %s", path, strerror(-r));
		return 0;
	}
	copied++;
	return 0;
}

int coverage_collect(void)
{
	struct mount_op op = {TAG_COVERAGE, GUEST_COVERAGE, "9p", 0, NINEP, MOUNT_MKDIR};
	int r = mount_one(&op);
	if (r < 0)
		return r;
	copied = failed = 0;
	if (nftw(GUEST_GCOV, copy_one, 16, FTW_PHYS) < 0) {
		r = -errno;
		log_err("coverage: " GUEST_GCOV ": %s", strerror(errno));
		return r;
	}
	if (failed)
		log_err("coverage: %d counter files not copied", failed);
	return copied;
}
