/* SPDX-License-Identifier: MIT */
/* Profiles: parsing profile.ini, the -p/-o requests, and the pure merge into an ordered set. */
/* Host half: host/profile_host.c and host/profile_load_host.c. */
#pragma once

/*
 * A profile is a folder NAME/ holding profile.ini and, optionally, an executable host-hook, an
 * executable guest-hook and a files/ tree. NAME (and every option name) is made of letters,
 * digits, '-' and '_'. profile.ini, complete example (blockdev/profile.ini):
 *
 *	# Lines starting with '#' or ';' are comments; " ;" starts a comment after a value.
 *	[profile]
 *	description = Scratch virtio-blk disks, /dev/quizb0...
 *	requires = memdev, other:opt=value  ; profiles this one needs, with option settings
 *	requires = third                    ; repeatable
 *	kconfig = CONFIG_VIRTIO_BLK CONFIG_EXT4_FS=y  ; the booted kernel must have these
 *	kconfig = CONFIG_BLK_DEV_LOOP=m     ; repeatable; a bare symbol means "=y"
 *	saved-state = no    ; yes: its QEMU arguments (its hook's too) may be in a saved VM state
 *
 *	[options]
 *	count = 2     ; every option the profile has, with its default
 *	size = 100M
 *
 *	[qemu]
 *	arg = -device ; one QEMU argument per line, in order; ${size} is the option's value
 *	arg = virtio-rng-device
 *	arg = -drive
 *	arg = file=disk.img,if=none,id=d0,size=${size}
 *
 *	[kernel]
 *	word = nokaslr          ; one kernel command-line word per line, in order
 *	word = quiz.disks=${count}
 *	word = price=$$5        ; "$$" is a literal '$'
 *
 * Sections and keys:
 *	[profile]  description (once), requires (repeatable), kconfig (repeatable),
 *	           splat-allow (repeatable), saved-state (yes or no)
 *	[options]  NAME = DEFAULT, each NAME once
 *	[qemu]     arg (repeatable, one argument each, may contain spaces and commas)
 *	[kernel]   word (repeatable, one word each, no whitespace)
 * Anything else is an error that names the line. Every section is optional.
 *
 * A requires value is a list separated by commas and/or whitespace: a token without '=' (or
 * with a ':' before its first '=') starts a profile, "name" or "name:key=value"; a token
 * "key=value" adds a setting to the profile before it. The -p argument uses the same grammar,
 * e.g. "-p blockdev:count=4,size=1G,memdev" requests blockdev (count=4, size=1G) and memdev;
 * so -p values cannot hold commas or whitespace, -o PROFILE.OPTION=VALUE takes any value.
 * kconfig values are separated by commas and/or whitespace too.
 *
 * inih (Debian's libinih) does the INI reading; the parser configures its runtime switches
 * (stop at the first error, no multi-line values, lines up to PROFILE_INI_MAX_LINE bytes).
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define PROFILE_INI_MAX_LINE 16384

struct profile_option {
	char *name;
	char *value;
};

struct profile {
	char *name, *dir, *source;	/* source: "shipped", "user", "project", "--profile-dir" */
	char *description;		/* NULL when the file has none */
	struct strv requires;		/* raw request strings, "name" or "name:k=v,k2=v2" */
	struct profile_option *options; /* defaults, in file order */
	size_t n_options;
	struct strv qemu_args, kernel_words, kconfig; /* kconfig normalized to "CONFIG_X=y" form */
	struct strv splat_allow; /* [profile] splat-allow: kernel reports its runs let pass */
	bool host_hook, guest_hook, files; /* which optional parts exist (set by profile_load) */
	/* [profile] saved-state = yes: its QEMU arguments (its hook's too) may be in a saved VM
	 * state; they describe devices a restored guest finds as the saving boot probed them. */
	bool saved_state;
	/* Set by the catalog: the folder as looked up ("./.quiz/profiles/NAME"), and the source
	 * of a profile of the same name in an earlier folder that this one shadows (or NULL). */
	char *found_at, *shadows;
};

/* Parses profile.ini text; pure. -EINVAL with "profile NAME: profile.ini line N: ..." on error. */
int profile_parse(const char *name, const char *ini_text, struct profile *ret, char **ret_error);

/* Reads DIR/profile.ini (DIR is the profile's own folder) and checks the optional parts:
 * host-hook and guest-hook must be executable files, files/ a folder. */
int profile_load(const char *dir, const char *name, const char *source, struct profile *ret,
		 char **ret_error);
void profile_free(struct profile *p);

/* What the command line asks for, one item per profile name, in first-mention order. */
struct profile_request {
	char *name;
	struct strv settings; /* "key=value", in command-line order (a later one overrides) */
};
struct profile_requests {
	struct profile_request *items;
	size_t n;
};

/* -p "blockdev:count=4,size=1G,memdev": a token with '=' after a "name:" belongs to the current
 * profile; a token without '=' starts the next profile. */
int profile_requests_add(struct profile_requests *r, const char *arg, char **ret_error);
/* -o "blockdev.count=4"; the profile is requested if it is not yet. */
int profile_requests_add_option(struct profile_requests *r, const char *arg, char **ret_error);
void profile_requests_free(struct profile_requests *r);

/* Gives the parsed profile for a name (the caller searches the folders); the profile must stay
 * valid until the profile_set is freed. -ENOENT (or any -errno) with a message on failure. */
typedef int (*profile_lookup_fn)(const char *name, void *userdata, const struct profile **ret,
				 char **ret_error);

struct resolved_profile {
	const struct profile *profile;
	struct profile_option *values; /* every option with its final value, in file order */
	size_t n_values;
	struct strv qemu_args, kernel_words; /* with ${option} and $$ substituted */
};
struct profile_set {
	/* dependencies before dependents, then command-line order */
	struct resolved_profile *items;
	size_t n;
};

/*
 * The pure merge. Order: a required profile comes before the one requiring it, otherwise
 * command-line order; every profile appears once, at its first needed position. Option values:
 * the [options] default, overridden by settings from requires lines and from the command line.
 * Two sources setting one option to different values is an error naming both (within the
 * command line a later setting overrides an earlier one). Errors: cycles, unknown options,
 * unknown ${placeholders}, stray '$', and lookup failures (lookup's message, as is).
 */
int profiles_resolve(const struct profile_requests *req, profile_lookup_fn lookup, void *userdata,
		     struct profile_set *ret, char **ret_error);
void profile_set_free(struct profile_set *s);

/* The final value of an option of a resolved profile; NULL if the profile has no such option. */
const char *resolved_option(const struct resolved_profile *p, const char *name);
