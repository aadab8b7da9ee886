/* SPDX-License-Identifier: MIT */
/* What profile.c (parsing) shares with profile_resolve.c (the merge) and profile_load_host.c (the
 * folder on disk); not a public API. */
#pragma once

#include "buf.h"
#include "profile.h"

#define CMDLINE_SOURCE "the command line"

/* Frees each option's name and value, then the array. */
void profile_options_free(struct profile_option *o, size_t n);

/* "blockdev's options are: count, size" or "blockdev has no options". */
int options_phrase(const char *name, const struct profile_option *o, size_t n, struct buf *out);

/* Tokens of a requires value or a -p argument merged into r; -EINVAL with a message about the
 * token (no prefix), -ENOMEM. */
int requests_parse(struct profile_requests *r, const char *text, char **ret_msg);

/* Parse a profile.ini's text; label: how the file is named in messages ("profile.ini" or its
 * path). */
int profile_parse_labeled(const char *name, const char *label, const char *text,
			  struct profile *ret, char **ret_error);
