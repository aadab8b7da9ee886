/* SPDX-License-Identifier: MIT */
/* The contract file's records: appended one by one, split back (settings.c gives them meaning). */
#include "contract.h"

#include <string.h>

int contract_add(struct buf *b, const char *key, const char *value)
{
	if (!key[0] || strchr(key, '='))
		return -EINVAL;
	int r = buf_printf(b, "%s=%s", key, value);
	if (r < 0)
		return r;
	return buf_append(b, "", 1); /* the record's terminating NUL */
}

int contract_parse(char *data, size_t size, struct contract_entry **ret_entries, size_t *ret_n)
{
	if (size > 0 && data[size - 1] != '\0')
		return -EINVAL; /* truncated: the last record has no terminator */

	size_t n = 0;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\0';

	struct contract_entry *entries = calloc(n ? n : 1, sizeof(*entries));
	if (!entries)
		return -ENOMEM;

	size_t k = 0;
	for (char *p = data; p < data + size;) {
		size_t len = strlen(p);
		char *eq = memchr(p, '=', len);
		if (!eq || eq == p) {
			free(entries);
			return -EINVAL;
		}
		*eq = '\0';
		entries[k++] = (struct contract_entry){.key = p, .value = eq + 1};
		p += len + 1;
	}
	*ret_entries = entries;
	*ret_n = k;
	return 0;
}
