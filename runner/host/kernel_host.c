/* SPDX-License-Identifier: MIT */
/* Finding kernels: the cache's releases, -k selection, -K paths, config checks. */
#include "kernel_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "file.h"
#include "kernel.h"
#include "macro.h"
#include "paths.h"

static int by_version(const void *a, const void *b)
{
	struct kernel_version va, vb;
	const char *sa = *(char *const *)a, *sb = *(char *const *)b;
	bool pa = kernel_version_parse(sa, &va) == 0, pb = kernel_version_parse(sb, &vb) == 0;
	if (pa != pb)
		return pa ? 1 : -1;
	int c = pa ? kernel_version_compare(&va, &vb) : 0;
	return c ? c : strcmp(sa, sb);
}

/* The boot image's name in a kernel's cache folder: the build tree's, "bzImage", "Image". */
static const char *image_name(const struct arch *a)
{
	const char *slash = strrchr(a->kernel_image, '/');
	return slash ? slash + 1 : a->kernel_image;
}

int kernels_list(const char *home, const struct arch *a, struct strv *ret)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s/kernels/%s", home, a->name) < 0)
		return -ENOMEM;
	struct strv v = {0};
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			_cleanup_free_ char *image = NULL;
			if (asprintf(&image, "%s/%s/%s", dir, de->d_name, image_name(a)) < 0 ||
			    (access(image, R_OK) == 0 && strv_push(&v, de->d_name) < 0)) {
				closedir(d);
				strv_free(&v);
				return -ENOMEM;
			}
		}
		closedir(d);
	}
	if (v.len)
		qsort(v.items, v.len, sizeof(char *), by_version);
	*ret = v;
	return 0;
}

bool kernel_boots_pvh(const char *config_text)
{
	/*
	 * 6.1's PVH entry runs C code (arch/x86/platform/pvh/enlighten.c) built with KASAN's
	 * checks before KASAN has its shadow memory: the first check faults and the guest resets
	 * before printing a line. 6.12 builds that folder without KASAN, but a .config does not
	 * say which kind a kernel is: every KASAN kernel boots its bzImage, whose decompressor
	 * path sets the shadow up first.
	 */
	return config_text && strstr(config_text, "\nCONFIG_PVH=y\n") &&
	       !strstr(config_text, "\nCONFIG_KASAN=y\n");
}

static int kernel_at(const struct arch *a, const char *dir, const char *release, struct kernel *ret)
{
	struct kernel k = {.arch = a};
	_cleanup_free_ char *layer = NULL;
	if (!(k.release = strdup(release)) || !(k.dir = strdup(dir)) ||
	    asprintf(&k.image, "%s/%s", dir, image_name(a)) < 0 ||
	    asprintf(&k.config, "%s/config", dir) < 0 || asprintf(&layer, "%s/layer", dir) < 0) {
		kernel_free(&k);
		return -ENOMEM;
	}
	struct stat st;
	if (stat(layer, &st) == 0 && S_ISDIR(st.st_mode))
		k.layer = TAKE_PTR(layer);
	/*
	 * With a PVH entry QEMU starts the uncompressed vmlinux directly: no decompression, no
	 * real-mode setup. bench-boot, 6.1 under TCG: the bare boot goes from ~1.05 s to ~0.9 s.
	 * Its stripped copy (quiz-kernel build makes it) spares QEMU reading and sorting the
	 * symbol table at every start: 20 ms.
	 */
	_cleanup_free_ char *config = NULL;
	if (!a->boots_vmlinux || read_file(k.config, &config, NULL) < 0 ||
	    !kernel_boots_pvh(config)) {
		*ret = k;
		return 0;
	}
	static const char *const pvh_images[] = {"vmlinux.boot", "vmlinux"};
	for (size_t i = 0; i < ELEMENTSOF(pvh_images); i++) {
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, pvh_images[i]) >= 0 && access(path, R_OK) == 0) {
			free(k.image);
			k.image = TAKE_PTR(path);
			break;
		}
	}
	*ret = k;
	return 0;
}

static bool is_flavoured(const char *release)
{
	struct kernel_version v;
	return kernel_version_parse(release, &v) == 0 && v.flavours;
}

size_t kernels_default(char *const *releases, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (!is_flavoured(releases[i]))
			return i;
	return n - 1;
}

/*
 * A shared lock on a kernel's store folder. quiz-kernel remove holds it exclusive while it
 * removes the folder: this waits for that, and a folder with no links left is gone (-ENOENT).
 * Where flock fails (NFS without it) the kernel is used unlocked, as run folders are.
 */
static int kernel_lock_shared(const char *dir, int *ret_fd)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_SH) < 0)
		if (errno != EINTR)
			break;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_nlink == 0)
		return -ENOENT;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int kernel_resolve(const char *home, const struct arch *a, const char *selector, struct kernel *ret)
{
	_cleanup_strv_ struct strv list = {0};
	int r = kernels_list(home, a, &list);
	if (r < 0)
		return r;
	size_t pick = 0;
	bool found = false;
	if (!selector || !selector[0]) {
		if (!list.len)
			return -ENOENT; /* nothing built: no selector to blame */
		found = true;
		pick = kernels_default(list.items, list.len);
	}
	for (size_t i = 0; !found && i < list.len; i++)
		if (STREQ(list.items[i], selector)) /* an exact directory name always wins */
			found = true, pick = i;
	if (!found) {
		r = kernel_ref_select(selector, list.items, list.len, &pick);
		if (r < 0)
			return r;
	}
	if (!list.len)
		return -ENOENT;
	_cleanup_free_ char *name = NULL;
	if (asprintf(&name, "%s/kernels/%s/%s", home, a->name, list.items[pick]) < 0)
		return -ENOMEM;
	/*
	 * The release's name is a symlink that a rebuild swaps: resolved once, so that the image,
	 * config and layer of one run all come from the same build.
	 */
	_cleanup_free_ char *dir = realpath(name, NULL);
	if (!dir)
		return -errno;
	_cleanup_close_ int fd = -1;
	r = kernel_lock_shared(dir, &fd);
	if (r < 0)
		return r;
	r = kernel_at(a, dir, list.items[pick], ret);
	if (r < 0)
		return r;
	ret->lock_fd = TAKE_FD(fd);
	ret->holds_lock = true;
	return 0;
}

int kernel_from_path(const char *given, const struct arch *a, struct kernel *ret)
{
	struct stat st;
	_cleanup_free_ char *path = realpath(given, NULL); /* QEMU runs elsewhere */
	if (!path || stat(path, &st) < 0)
		return -errno;
	struct kernel k = {.arch = a};
	_cleanup_free_ char *release_file = NULL, *release = NULL, *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	int n;
	if (S_ISDIR(st.st_mode)) {
		n = asprintf(&k.image, "%s/%s", path, a->kernel_image);
		if (n >= 0)
			n = asprintf(&k.config, "%s/.config", path);
		if (n >= 0)
			n = asprintf(&release_file, "%s/include/config/kernel.release", path);
	} else {
		const char *dir = dirname(copy);
		k.image = strdup(path);
		n = k.image ? asprintf(&k.config, "%s/.config", dir) : -1;
		if (n >= 0)
			n = asprintf(&release_file, "%s/include/config/kernel.release", dir);
	}
	if (n < 0) {
		kernel_free(&k);
		return -ENOMEM;
	}
	if (access(k.image, R_OK) < 0) {
		kernel_free(&k);
		return -ENOENT;
	}
	if (access(k.config, R_OK) < 0) {
		free(k.config);
		k.config = NULL;
	}
	if (read_file(release_file, &release, NULL) == 0)
		release[strcspn(release, "\n")] = '\0';
	k.release = strdup(release ? release : "custom");
	if (!k.release) {
		kernel_free(&k);
		return -ENOMEM;
	}
	*ret = k;
	return 0;
}

void kernel_free(struct kernel *k)
{
	free(k->release);
	free(k->dir);
	free(k->image);
	free(k->config);
	free(k->layer);
	if (k->holds_lock)
		(void)close(k->lock_fd); /* a read-only directory handle; the lock goes with it */
	*k = (struct kernel){0};
}

int kconfig_needs(const char *data_dir, const struct arch *a, char **ret)
{
	_cleanup_free_ char *base = NULL, *arch = NULL, *base_path = NULL, *arch_path = NULL;
	if (asprintf(&base_path, "%s/kconfig/base.config", data_dir) < 0 ||
	    asprintf(&arch_path, "%s/kconfig/arch/%s.config", data_dir, a->name) < 0)
		return -ENOMEM;
	int r = read_file(base_path, &base, NULL);
	if (r >= 0)
		r = read_file(arch_path, &arch, NULL);
	if (r < 0)
		return r;
	return asprintf(ret, "%s\n%s", base, arch) < 0 ? -ENOMEM : 0;
}

/* Does config_text hold exactly "SYM=VALUE" as a line (or, for "=n", no "SYM=" line)? */
static bool config_has(const char *config_text, const char *sym, const char *value)
{
	size_t slen = strlen(sym);
	for (const char *line = config_text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > slen && strncmp(line, sym, slen) == 0 && line[slen] == '=') {
			if (STREQ(value, "n"))
				return false;
			return len - slen - 1 == strlen(value) &&
			       strncmp(line + slen + 1, value, len - slen - 1) == 0;
		}
		line = end ? end + 1 : NULL;
	}
	return STREQ(value, "n");
}

int kconfig_missing(const char *config_text, const char *fragment_text, struct strv *ret)
{
	struct strv missing = {0};
	_cleanup_free_ char *copy = strdup(fragment_text);
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char sym[128];
		const char *value;
		if (sscanf(line, "# %127[A-Za-z0-9_] is not set", sym) == 1 &&
		    strncmp(sym, "CONFIG_", 7) == 0) {
			value = "n";
		} else if (strncmp(line, "CONFIG_", 7) == 0 && strchr(line, '=')) {
			size_t len = (size_t)(strchr(line, '=') - line);
			if (len >= sizeof(sym))
				continue;
			memcpy(sym, line, len);
			sym[len] = '\0';
			value = line + len + 1;
		} else {
			continue;
		}
		if (!config_has(config_text, sym, value) && strv_push(&missing, line) < 0) {
			strv_free(&missing);
			return -ENOMEM;
		}
	}
	*ret = missing;
	return 0;
}

bool kernel_selector_is_matrix(const char *arg)
{
	return arg && (strchr(arg, ',') || STREQ(arg, "all") || strpbrk(arg, "*?["));
}

static bool have(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (STREQ(v->items[i], s))
			return true;
	return false;
}

int kernel_selectors_expand(const char *arg, char *const *releases, size_t n, struct strv *ret,
			    char **ret_bad)
{
	_cleanup_free_ char *copy = strdup(arg);
	struct strv out = {0};
	int r = copy ? 0 : -ENOMEM;
	char *save = NULL;
	for (char *item = copy ? strtok_r(copy, ",", &save) : NULL; r >= 0 && item;
	     item = strtok_r(NULL, ",", &save)) {
		size_t before = out.len;
		if (STREQ(item, "all") || strpbrk(item, "*?[")) {
			for (size_t i = 0; r >= 0 && i < n; i++)
				if ((STREQ(item, "all") || fnmatch(item, releases[i], 0) == 0) &&
				    !is_flavoured(releases[i]) && !have(&out, releases[i]))
					r = strv_push(&out, releases[i]);
		} else {
			size_t pick = 0;
			bool exact = false;
			for (size_t i = 0; !exact && i < n; i++)
				if (STREQ(releases[i], item))
					exact = true, pick = i;
			r = exact ? 0 : kernel_ref_select(item, releases, n, &pick);
			if (r >= 0 && !have(&out, releases[pick]))
				r = strv_push(&out, releases[pick]);
			else if (r >= 0)
				before = out.len - 1; /* named twice: fine, runs once */
		}
		if (r >= 0 && out.len == before)
			r = -ENOENT;
		if (r < 0 && ret_bad && r != -ENOMEM)
			*ret_bad = strdup(item);
	}
	if (r >= 0 && !out.len)
		r = -EINVAL;
	if (r < 0) {
		strv_free(&out);
		return r;
	}
	*ret = out;
	return 0;
}
