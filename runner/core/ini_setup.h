/* SPDX-License-Identifier: MIT */
/* quiz's settings of Debian's libinih, whose switches are globals set at run time. */
/* Host half: none (inih's settings, for the core's parsers). */
#pragma once

#include <stdbool.h>

/*
 * Before each ini_parse_string: stop at the first error (so the returned line is the handler's),
 * no multi-line values, no key without a value, a UTF-8 BOM skipped, lines up to max_line
 * bytes; inline " ;" comments only where a value can never hold one.
 */
void ini_setup(bool inline_comments, int max_line);
