/* SPDX-License-Identifier: MIT */
/* Plain key=value text, a pair a line: the image's sidecar, a kernel's stamp, the verdict. */
/* Host half: none (KEY=VALUE lines, read wherever they are). */
#pragma once

/* Value of "key=" in the text, malloc'd; NULL if absent. */
char *kv_get(const char *text, const char *key);
