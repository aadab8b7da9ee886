/* SPDX-License-Identifier: MIT */
/* The grammar of a trace's frames, as the kernel prints them (%pS, %pB), and its tools' answers. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#define HEX_MAX 16 /* an unsigned long long's digits */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 to max hex digits at line[*p]: their value, *p past them; false else. */
static bool hex_digits(const char *line, size_t len, size_t *p, size_t max, unsigned long long *ret)
{
	unsigned long long v = 0;
	size_t n = 0;
	for (; *p < len && hex_value(line[*p]) >= 0; (*p)++, n++) {
		if (n == max)
			return false;
		v = v << 4 | (unsigned long long)hex_value(line[*p]);
	}
	if (ret)
		*ret = v;
	return n > 0;
}

static bool literal(const char *line, size_t len, size_t *p, const char *word)
{
	size_t n = strlen(word);
	if (len - *p < n || memcmp(line + *p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

/* " [MODULE]" or " [MODULE BUILDID]" at line[*p]: the name into module, *p past it. */
static bool module_part(const char *line, size_t len, size_t *p, char *module)
{
	size_t q = *p, start;
	if (!literal(line, len, &q, " ["))
		return false;
	for (start = q; q < len && is_name_char(line[q]); q++)
		if (q - start == FRAME_MODULE_MAX)
			return false;
	size_t n = q - start;
	if (n == 0)
		return false;
	if (q < len && line[q] == ' ' &&
	    (++q, !hex_digits(line, len, &q, FRAME_BUILD_ID_MAX, NULL)))
		return false;
	if (!literal(line, len, &q, "]"))
		return false;
	memcpy(module, line + start, n);
	module[n] = '\0';
	*p = q;
	return true;
}

static bool blank_or(char c, char other)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == other;
}

/* The frame whose "+0x" is at line[plus]. */
static bool frame_at(const char *line, size_t len, size_t plus, struct frame *ret)
{
	size_t start = plus;
	while (start > 0 && is_name_char(line[start - 1]))
		if (plus - --start > FRAME_SYMBOL_MAX)
			return false;
	if (start == plus ||
	    (start > 0 && !blank_or(line[start - 1], ':') && line[start - 1] != '('))
		return false;
	struct frame f = {.start = start};
	size_t p = plus;
	if (!literal(line, len, &p, "+0x") || !hex_digits(line, len, &p, HEX_MAX, &f.offset) ||
	    !literal(line, len, &p, "/0x") || !hex_digits(line, len, &p, HEX_MAX, &f.size))
		return false;
	if (p + 1 < len && line[p] == ' ' && line[p + 1] == '[' &&
	    !module_part(line, len, &p, f.module))
		return false;
	if (p < len && !blank_or(line[p], ')'))
		return false;
	memcpy(f.symbol, line + start, plus - start);
	f.symbol[plus - start] = '\0';
	f.end = p;
	*ret = f;
	return true;
}

bool frame_find(const char *line, size_t len, struct frame *ret)
{
	bool found = false;
	for (const char *p = line; (p = memchr(p, '+', len - (size_t)(p - line))); p++)
		if (frame_at(line, len, (size_t)(p - line), ret))
			found = true;
	return found;
}

size_t nm_find(const char *text, size_t len, const char *const *names, size_t n,
	       unsigned long long *ret_addrs, bool *ret_found)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++)
		ret_found[i] = false;
	for (size_t at = 0; at < len && found < n;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, p = at;
		unsigned long long addr;
		bool text_symbol = hex_digits(text, end, &p, HEX_MAX, &addr) &&
				   literal(text, end, &p, " ") && p + 2 <= end &&
				   (text[p] == 'T' || text[p] == 't') && text[p + 1] == ' ';
		for (size_t i = 0; text_symbol && i < n; i++) {
			size_t name_len = strlen(names[i]);
			if (!ret_found[i] && end - (p + 2) == name_len &&
			    memcmp(text + p + 2, names[i], name_len) == 0) {
				ret_addrs[i] = addr;
				ret_found[i] = true;
				found++;
			}
		}
		at = end + 1;
	}
	return found;
}

/* "0x<hex>" and nothing else: addr2line -a's line before an address's places. */
static bool address_line(const char *line, size_t len, unsigned long long *ret)
{
	size_t p = 0;
	return literal(line, len, &p, "0x") && hex_digits(line, len, &p, HEX_MAX, ret) && p == len;
}

/* "file:line" of "file:line (discriminator 2)"; false for an unknown place ("??:0", "f:?"). */
static bool known_place(const char *line, size_t len, size_t *ret_len)
{
	const char *disc = memmem(line, len, " (discriminator ", 16);
	if (disc)
		len = (size_t)(disc - line);
	size_t colon = len;
	while (colon > 0 && line[colon - 1] != ':')
		colon--;
	if (colon < 2 || colon == len)
		return false;
	for (size_t i = colon; i < len; i++)
		if (line[i] < '0' || line[i] > '9')
			return false;
	if (colon == 3 && memcmp(line, "??", 2) == 0)
		return false;
	*ret_len = len;
	return true;
}

int addr2line_parse(const char *text, size_t len, const unsigned long long *addrs, size_t n,
		    struct strv *ret_places)
{
	struct strv *places = calloc(n ? n : 1, sizeof(*places));
	size_t groups = 0;
	int r = places ? 0 : -ENOMEM;
	for (size_t at = 0; r >= 0 && at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, place_len;
		unsigned long long addr;
		if (address_line(text + at, end - at, &addr)) {
			if (groups < n && addr == addrs[groups])
				groups++;
			else
				r = -EBADMSG;
		} else if (!groups)
			r = -EBADMSG;
		else if (known_place(text + at, end - at, &place_len))
			r = strv_pushf(&places[groups - 1], "%.*s", (int)place_len, text + at);
		at = end + 1;
	}
	for (size_t i = 0; places && i < n; i++)
		if (r >= 0)
			ret_places[i] = places[i];
		else
			strv_free(&places[i]);
	free(places);
	return r < 0 ? r : 0;
}

char *frame_source_root(const char *place)
{
	static const char tail[] = "/init/main.c:";
	const char *at = place ? strstr(place, tail) : NULL;
	if (!at || at == place)
		return NULL;
	return strndup(place, (size_t)(at - place) + 1);
}

int frame_places_format(const struct strv *places, const char *root, struct buf *out)
{
	size_t root_len = root ? strlen(root) : 0;
	for (size_t i = 0; i < places->len; i++) {
		const char *place = places->items[i];
		if (root_len && strncmp(place, root, root_len) == 0)
			place += root_len;
		int r = buf_printf(out, "%s%s", i ? " " : " (", place);
		if (r < 0)
			return r;
	}
	return places->len ? buf_puts(out, ")") : 0;
}
