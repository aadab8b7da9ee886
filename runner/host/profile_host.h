/* SPDX-License-Identifier: MIT */
/* Profiles on the host: where they are found, and applying a resolved set to one run. */
#pragma once

#include <stdio.h>

#include "buf.h"
#include "kernel_host.h"
#include "profile.h"

/* The folders profiles come from, later ones shadowing earlier ones of the same name. */
struct profile_catalog {
	struct strv dirs;
	struct strv sources;
	struct profile **loaded;
	size_t n_loaded;
};

/* shipped (DATA/profiles), ~/.config/quiz/profiles, ./.quiz/profiles, then each --profile-dir. */
int profile_catalog_init(struct profile_catalog *c, const char *data_dir, char *const *extra_dirs,
			 size_t n_extra);
void profile_catalog_free(struct profile_catalog *c);
/* A profile_lookup_fn over the catalog (userdata is the catalog). The profile it gives says
 * where it was found and which earlier one of the same name it shadows (found_at, shadows). */
int profile_catalog_lookup(const char *name, void *userdata, const struct profile **ret,
			   char **ret_error);
/* --list-profiles and --describe-profile. */
int profile_catalog_list(struct profile_catalog *c, FILE *out);
int profile_catalog_describe(struct profile_catalog *c, const char *name, FILE *out,
			     char **ret_error);

/* Every profile's kconfig needs against the kernel's .config; the error names both. */
int profiles_check_kconfig(const struct profile_set *s, const struct kernel *k, char **ret_error);
/* files/ trees into the run layer's root, guest hooks into quiz/run/hooks/. */
int profiles_write_layer(const struct profile_set *s, int layer_fd, char **ret_error);
/*
 * Host hooks, in order, in the run directory; QEMU arguments they write are appended. A hook
 * that exits HOST_HOOK_BAD_OPTION has said on stderr what was wrong with its options: then
 * -EINVAL and no *ret_error, so that the user reads one line. *ret_cold: how many of the
 * arguments came from profiles that keep a run from saved VM states (no saved-state = yes).
 */
#define HOST_HOOK_BAD_OPTION 2
int profiles_run_host_hooks(const struct profile_set *s, const char *run_dir,
			    const struct kernel *k, struct strv *qemu_args, size_t *ret_cold,
			    char **ret_error);
