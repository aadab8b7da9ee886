/* SPDX-License-Identifier: MIT */
/* Plain key=value text, a pair a line: the image's sidecar, a kernel's stamp, the verdict. */
#pragma once

/* Value of "key=" in the text, malloc'd; NULL if absent. */
char *kv_get(const char *text, const char *key);
