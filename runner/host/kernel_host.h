/* SPDX-License-Identifier: MIT */
/* Built kernels in the cache, and a user's own kernel given by path. */
#pragma once

#include <stdbool.h>

#include "arch.h"
#include "buf.h"

struct kernel {
	const struct arch *arch;
	char *release;
	char *dir;    /* cache folder; NULL for -K */
	char *image;  /* boot image */
	char *config; /* its .config; NULL when unknown */
	char *layer;  /* folder shown over the guest root (/lib/modules, /boot); NULL if none */
	/* A shared flock on dir, held until kernel_free: quiz-kernel remove takes it exclusive and
	 * so never removes a kernel a run (or a matrix's runs) booted. */
	bool holds_lock;
	int lock_fd;
};

/* Release names under home/kernels/<arch>, sorted oldest to newest. */
int kernels_list(const char *home, const struct arch *a, struct strv *ret);
/* The kernel a -k selector names (NULL or "": kernels_default's), its folder locked shared (see
 * struct kernel). -ENOENT none (with no selector: none built at all, or it was just removed),
 * -EINVAL a bad selector. */
int kernel_resolve(const char *home, const struct arch *a, const char *selector,
		   struct kernel *ret);
/* The kernel a run without -k takes among releases sorted as kernels_list sorts them: the newest
 * plain one (no debug flavour: 6.1.192-kasan is taken by name only), or the newest flavoured
 * one when there is no plain one. n > 0. Pure. */
size_t kernels_default(char *const *releases, size_t n);
/* Does a kernel with this .config boot through its PVH entry (vmlinux), not its bzImage? Pure. */
bool kernel_boots_pvh(const char *config_text);
/* A boot image or a build tree of arch a (-K). -ENOENT when no boot image is found there. */
int kernel_from_path(const char *path, const struct arch *a, struct kernel *ret);
void kernel_free(struct kernel *k);

/* What a kernel of arch a needs to boot under quiz: kconfig/base.config and kconfig/arch/A.config
 * of data_dir, as one text. */
int kconfig_needs(const char *data_dir, const struct arch *a, char **ret);
/* Lines of a kconfig fragment ("CONFIG_X=y") that config_text does not satisfy. Pure. */
int kconfig_missing(const char *config_text, const char *fragment_text, struct strv *ret);

/* Does a -k value name several kernels ("6.1,6.12", "all", "6.*")? */
bool kernel_selector_is_matrix(const char *arg);
/* The releases a -k value names, in the order given (globs and "all": in list order, plain
 * kernels only; a flavoured one is named: 6.1-kasan), each once. Pure. -EINVAL bad selector,
 * -ENOENT an item matches nothing (*ret_bad says which). */
int kernel_selectors_expand(const char *arg, char *const *releases, size_t n, struct strv *ret,
			    char **ret_bad);
