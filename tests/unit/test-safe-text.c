/* SPDX-License-Identifier: MIT */
/* Guest text escaped for a terminal: the exact bytes, whole and in pieces; log lines too. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "safe_text.h"
#include "tap.h"

static char *escaped(const char *s, size_t len)
{
	struct buf b = {0};
	if (safe_text_append(&b, s, len, true, NULL) < 0)
		return NULL;
	return b.data ? b.data : strdup("");
}

/* The same text fed piece bytes at a time, each piece's unused tail carried to the next. */
static char *escaped_in_pieces(const char *s, size_t len, size_t piece)
{
	struct buf b = {0}, carry = {0};
	for (size_t i = 0; i < len; i += piece) {
		size_t n = len - i < piece ? len - i : piece, used = 0;
		buf_append(&carry, s + i, n);
		if (safe_text_append(&b, carry.data, carry.len, i + n == len, &used) < 0)
			return NULL;
		memmove(carry.data, carry.data + used, carry.len - used);
		carry.len -= used;
	}
	buf_free(&carry);
	return b.data ? b.data : strdup("");
}

static const struct {
	const char *in;
	size_t len;
	const char *want, *what;
} vectors[] = {
#define V(in, want, what)                                                                          \
	{                                                                                          \
		in, sizeof(in) - 1, want, what                                                     \
	}
	V("plain text\tand a tab\n", "plain text\tand a tab\n", "printable text, tab, newline"),
	V("a\x1b]0;PWNED\x07z", "a\\x1b]0;PWNED\\x07z", "a window title (OSC 0) is shown, not set"),
	V("\x1b]52;c;cm0gLXJmIH4=\x1b\\", "\\x1b]52;c;cm0gLXJmIH4=\\x1b\\",
	  "an OSC 52 clipboard write"),
	V("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H", "a screen clear and cursor move"),
	V("line\r\nnext\r\n", "line\nnext\n", "a console's CR LF is a newline"),
	V("over\rwrite", "over\\x0dwrite", "a CR alone is shown"),
	V("nul\0byte", "nul\\x00byte", "a NUL is shown, the rest kept"),
	V("del\x7f", "del\\x7f", "DEL"),
	V("c1 \xc2\x9b"
	  "31m",
	  "c1 \\xc2\\x9b31m", "a C1 CSI in UTF-8 form"),
	V("raw \x9b"
	  "31m",
	  "raw \\x9b31m", "a raw 8-bit CSI (not UTF-8)"),
	V("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
	  "UTF-8 text as it is"),
	V("bad \xff\xfe", "bad \\xff\\xfe", "bytes that are not UTF-8"),
	V("overlong \xc0\xaf", "overlong \\xc0\\xaf", "an overlong form"),
	V("cut \xe2\x82", "cut \\xe2\\x82", "a sequence cut at the end of the text"),
	V("end\r", "end\\x0d", "a CR at the very end"),
#undef V
};

static char *logged;

static void capture(const char *line)
{
	free(logged);
	logged = strdup(line);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *got = escaped(vectors[i].in, vectors[i].len);
		CHECK_STR(got, vectors[i].want, "%s", vectors[i].what);
		free(got);
		for (size_t piece = 1; piece <= 3; piece++) {
			got = escaped_in_pieces(vectors[i].in, vectors[i].len, piece);
			CHECK_STR(got, vectors[i].want, "%s, in pieces of %zu", vectors[i].what,
				  piece);
			free(got);
		}
	}

	struct buf b = {0};
	size_t used = 99;
	CHECK(safe_text_append(&b, "ab\xe2\x82", 4, false, &used) == 0 && used == 2 && b.len == 2,
	      "a stream's incomplete UTF-8 at the end waits for the next piece (used %zu)", used);
	CHECK(safe_text_append(&b, "ab\r", 3, false, &used) == 0 && used == 2,
	      "so does a CR that a LF may follow");
	buf_free(&b);

	char *dup = NULL;
	CHECK(safe_text_dup("t\x1bx", &dup) == 0, "safe_text_dup");
	CHECK_STR(dup, "t\\x1bx", "safe_text_dup escapes");
	free(dup);

	log_set_sink(capture);
	log_error("kernel report (%s): %s", "warning", "WARNING: \x1b]0;title\x07 here");
	CHECK_STR(logged, "quiz: kernel report (warning): WARNING: \\x1b]0;title\\x07 here",
		  "log_error escapes what it quotes");
	log_text("[ 1.0] \x1b[2Jline\r\nnext\n", strlen("[ 1.0] \x1b[2Jline\r\nnext\n"));
	CHECK_STR(logged, "[ 1.0] \\x1b[2Jline\nnext",
		  "log_text: lines escaped, the last newline the sink's");
	free(logged);
	return tap_done();
}
