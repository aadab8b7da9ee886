/* SPDX-License-Identifier: MIT */
/* A kernel trace's frames (function+0x1c/0x30 [module]) and nm's and addr2line's answers. Pure. */
/* Host half: host/decode_host.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* KSYM_NAME_LEN (512 since 6.1) and MODULE_NAME_LEN (64 - sizeof(long)), with their NULs. */
#define FRAME_SYMBOL_MAX 511
#define FRAME_MODULE_MAX 63
/* A build id in "[module BUILDID]": hex, a SHA-1's 40 digits, bounded here. */
#define FRAME_BUILD_ID_MAX 64

struct frame {
	size_t start, end;		   /* where the token is in its line: [start, end) */
	char symbol[FRAME_SYMBOL_MAX + 1]; /* of [A-Za-z0-9_.] */
	char module[FRAME_MODULE_MAX + 1]; /* of [A-Za-z0-9_.]; "" for the kernel's own */
	unsigned long long offset, size;   /* 1 to 16 hex digits each */
};

/*
 * The last frame token of a console line of len bytes (NULs and any other byte may be in it):
 * SYMBOL+0xOFF/0xSIZE, then " [MODULE]" or " [MODULE BUILDID]" or nothing, after the line's
 * start, a blank, ':' or '(' ("RIP: 0010:f+0x5/0x10", "pc : f+..", "? f+..", s390's
 * "(f+0x../0x..)"), before the line's end, a blank or ')'. The last, because what comes before
 * a frame may be a task's name (hang.h's "NAME (pid N, state D) in FRAME"). False when the line
 * has none: a byte outside the grammar, a name or a number too long, no module after '['.
 */
bool frame_find(const char *line, size_t len, struct frame *ret);

/*
 * nm's output or a System.map ("ADDR TYPE NAME" lines; "        U name" and others skipped):
 * the address of each of names' text symbols (type T or t), the first line of each name when
 * there are several. ret_addrs[i] and ret_found[i] for names[i]; returns how many were found.
 */
size_t nm_find(const char *text, size_t len, const char *const *names, size_t n,
	       unsigned long long *ret_addrs, bool *ret_found);

/*
 * "addr2line -i -a -e OBJ ADDR..." output for the n addresses asked, in that order: per
 * address a line "0x<hex>", then its places "file:line" ("file:line (discriminator N)"), the
 * innermost first when inlined. ret_places[i] (n of them, empty on entry) gets address i's
 * places as "file:line", unknown ones ("??:0", "file:?") left out. -EBADMSG when the groups are
 * not the addresses asked, in order (nothing is filled then); -ENOMEM.
 */
int addr2line_parse(const char *text, size_t len, const unsigned long long *addrs, size_t n,
		    struct strv *ret_places);

/*
 * The source tree's folder in a place of the kernel's kernel_init ("/src/linux/init/main.c:1"
 * gives "/src/linux/"): it is left out of the places shown. NULL when the place is not there.
 */
char *frame_source_root(const char *kernel_init_place);

/* " (a.h:13 b.c:45)": places with root (may be NULL) left out of their starts; nothing when none.
 */
int frame_places_format(const struct strv *places, const char *root, struct buf *out);
