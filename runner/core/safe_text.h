/* SPDX-License-Identifier: MIT */
/*
 * Text a guest wrote, made safe to show on the user's terminal: quiz's own messages quote
 * console lines, kernel reports and guest errors, and none of their bytes may act as a
 * terminal's escape (a window title, an OSC 52 clipboard write, a cursor move). Pure.
 */
/* Host half: host/log_stderr.c through log.h, host/vm_output.c (-v). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The length of the valid UTF-8 sequence at s (at most len bytes) and its code point; 0 if
 * invalid (overlong forms, surrogates and values past U+10FFFF included). */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp);

/*
 * Appends len bytes of s to out with every control character but tab and newline written as
 * \xNN (each byte of it; C1 controls, DEL and bytes that are not UTF-8 too), and a CR before a
 * newline dropped (serial consoles end lines with CR LF). Printable UTF-8 goes as it is.
 *
 * A stream comes in chunks: unless last, a trailing CR or an incomplete UTF-8 sequence is left
 * for the next chunk, and *ret_used (may be NULL when last) says how many bytes were taken.
 * 0 or -ENOMEM.
 */
int safe_text_append(struct buf *out, const char *s, size_t len, bool last, size_t *ret_used);
/* The whole of a NUL-terminated s, as above: the caller frees *ret. 0 or -ENOMEM. */
int safe_text_dup(const char *s, char **ret);
