/* SPDX-License-Identifier: MIT */
#include "kv.h"

#include <string.h>

char *kv_get(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=')
			return strndup(line + klen + 1, len - klen - 1);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}
