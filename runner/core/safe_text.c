/* SPDX-License-Identifier: MIT */
/* Guest text escaped for a terminal: controls as \xNN, printable UTF-8 kept. */
#include "safe_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *ret_cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;
	uint32_t cp;

	if (c < 0x80) {
		*ret_cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned char d = s[i];
		if (d < (i == 1 ? lo : 0x80) || d > (i == 1 ? hi : 0xbf))
			return 0;
		cp = (cp << 6) | (d & 0x3f);
	}
	*ret_cp = cp;
	return n;
}

/* Could the len bytes at s (fewer than a whole sequence) still become valid UTF-8? */
static bool utf8_prefix(const unsigned char *s, size_t len)
{
	unsigned char pad[4];
	uint32_t cp;
	memcpy(pad, s, len);
	for (size_t fill = len; fill < 4; fill++)
		pad[fill] = s[0] == 0xe0 && fill == 1	? 0xa0
			    : s[0] == 0xf0 && fill == 1 ? 0x90
							: 0x80;
	return utf8_decode(pad, 4, &cp) > len;
}

static bool is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp <= 0x9f);
}

int safe_text_append(struct buf *out, const char *s, size_t len, bool last, size_t *ret_used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int r = 0;
	while (r >= 0 && i < len) {
		size_t start = i, k = 0;
		uint32_t cp = 0;
		while (i < len && (k = utf8_decode(p + i, len - i, &cp)) && !is_control(cp))
			i += k; /* a run that goes out as it is */
		if (i > start)
			r = buf_append(out, s + start, i - start);
		if (r < 0 || i >= len)
			break;
		if (!last && len - i < 4 && p[i] >= 0xc2 && utf8_prefix(p + i, len - i))
			break; /* the rest of it comes with the next chunk */
		if (p[i] == '\r' && i + 1 == len && !last)
			break; /* a CR LF cut between chunks */
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++; /* the newline itself goes out with the next run */
			continue;
		}
		if (!k)
			k = 1; /* not UTF-8: the byte alone */
		for (size_t j = 0; r >= 0 && j < k; j++)
			r = buf_printf(out, "\\x%02x", p[i + j]);
		i += k;
	}
	if (r >= 0 && ret_used)
		*ret_used = i;
	return r < 0 ? r : 0;
}

int safe_text_dup(const char *s, char **ret)
{
	_cleanup_buf_ struct buf b = {0};
	int r = safe_text_append(&b, s, strlen(s), true, NULL);
	if (r < 0)
		return r;
	*ret = b.data ? TAKE_PTR(b.data) : strdup("");
	return *ret ? 0 : -ENOMEM;
}
