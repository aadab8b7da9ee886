/* SPDX-License-Identifier: MIT */
/* Which libraries an ELF file needs that the guest will not have, and the package that has each. */
#pragma once

#include <stdbool.h>

#include "arch.h"
#include "buf.h"
#include "libcheck.h"

/* What the guest sees besides the image, for the lookup of one file's libraries. */
struct libcheck_scope {
	const struct arch *arch;
	const struct libs_manifest *manifest;
	/* The run's current directory, shown to the guest at its own path: RUNPATH and
	 * LD_LIBRARY_PATH folders count only under it. NULL (quiz-libs): RUNPATH folders count
	 * where they exist on the host, since the user carries the tree. */
	const char *cwd;
	struct strv layers;   /* host folders laid over the guest's root (-u, --system, files/) */
	struct strv ld_paths; /* -e LD_LIBRARY_PATH's folders */
};
void libcheck_scope_free(struct libcheck_scope *s);

struct libcheck_missing {
	char *name;
	char *host_path; /* the host's copy, or NULL */
	char *package;	 /* its Debian package, or NULL */
};
struct libcheck_list {
	struct libcheck_missing *items;
	size_t n;
};
void libcheck_list_free(struct libcheck_list *l);

/*
 * The manifest beside image (IMAGE.manifest): 0; -ENOENT when there is none (an image built
 * before manifests: no check); -EBADMSG with *ret_error, -errno.
 */
int libcheck_manifest_load(const char *image, struct libs_manifest *ret, char **ret_error);

/*
 * The needed libraries of the ELF file at path (a host path) that the guest will lack, each with
 * its host copy and package, appended to *ret. -ENOEXEC: not an ELF file; -EXDEV: one of another
 * architecture (not checked); -EBADMSG: a broken ELF file; -errno.
 */
int libcheck_file(const struct libcheck_scope *s, const char *path, struct libcheck_list *ret);

/* Where the host has library name (the usual folders, then extra_dirs) and its package. */
int libcheck_find_package(const struct arch *a, const char *name, const struct strv *extra_dirs,
			  char **ret_host_path, char **ret_package);

/*
 * The fix for one missing library, appended: "Debian's PKG has it; add it: quiz-image build
 * --add PKG" (with -a for another architecture), or the --system word for one from no package.
 */
int libcheck_fix_text(const struct arch *a, const struct libcheck_missing *m, struct buf *out);
/* The packages of the list, once each, after " " ("quiz-image build --add A B"), or "". */
int libcheck_add_command(const struct arch *a, const struct libcheck_list *l, struct buf *out);

/*
 * Before boot: prog (argv[0]) as the guest will run it, when it is an ELF file under the
 * shared current directory, or the interpreter of its #! line when that is. Each library the
 * guest lacks is said on stderr; returns the number of them (0: none or nothing to check).
 */
int libcheck_program(const struct libcheck_scope *s, const char *prog);

/* After a run whose program exited 127: the loader's names (loader_watch) said, with the fix. */
void libcheck_after_127(const struct arch *a, const struct libs_manifest *manifest,
			const struct strv *names);

struct quiz_options;
struct profile_set;
/*
 * The check before boot, over what the run shows the guest (its cwd when shareable, -u,
 * --system, the profiles' files/, -e LD_LIBRARY_PATH): 0 to boot, or EXIT_NOT_FOUND (127, the
 * loader's status) once the missing libraries are said. An image without a manifest: 0.
 */
int libcheck_before_boot(const struct quiz_options *o, const char *cwd, const struct arch *a,
			 const char *image, const struct profile_set *profiles);
