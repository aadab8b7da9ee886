/* SPDX-License-Identifier: MIT */
/* The attach port's frames: round trips, and hostile bytes refused without over-reading. */
#include <stdlib.h>
#include <string.h>

#include "attach_frame.h"
#include "tap.h"

static void test_round_trip(void)
{
	struct buf b = {0};
	CHECK(attach_frame_append(&b, ATTACH_ARG, "ps", 2) == 0, "an argv word is encoded");
	CHECK(attach_frame_append(&b, ATTACH_START, NULL, 0) == 0, "START, empty");
	CHECK(attach_winsize_append(&b, 50, 132) == 0, "a window size");
	unsigned char code = 255;
	CHECK(attach_frame_append(&b, ATTACH_EXIT, &code, 1) == 0, "an exit status");

	struct attach_frame f;
	size_t at = 0;
	ssize_t n = attach_frame_parse(b.data, b.len, &f);
	CHECK(n == ATTACH_HEADER_SIZE + 2 && f.type == ATTACH_ARG && f.len == 2 &&
		      memcmp(f.data, "ps", 2) == 0,
	      "the word comes back whole");
	at += (size_t)n;
	n = attach_frame_parse(b.data + at, b.len - at, &f);
	CHECK(n == ATTACH_HEADER_SIZE && f.type == ATTACH_START && f.len == 0, "START comes back");
	at += (size_t)n;
	n = attach_frame_parse(b.data + at, b.len - at, &f);
	unsigned rows, cols;
	attach_winsize_decode(&f, &rows, &cols);
	CHECK(n == ATTACH_HEADER_SIZE + 4 && rows == 50 && cols == 132, "the size comes back");
	at += (size_t)n;
	n = attach_frame_parse(b.data + at, b.len - at, &f);
	CHECK(n == ATTACH_HEADER_SIZE + 1 && f.type == ATTACH_EXIT && f.data[0] == 255,
	      "the status comes back");
	at += (size_t)n;
	CHECK(at == b.len, "and nothing else is there");
	buf_free(&b);
}

/* Every prefix of a whole frame is "not yet", never a frame, never an error. */
static void test_partial(void)
{
	struct buf b = {0};
	(void)attach_frame_append(&b, ATTACH_STDOUT, "hello", 5);
	bool all_wait = true;
	for (size_t len = 0; len < b.len; len++) {
		/* A copy of exactly len bytes: ASan sees a read past it. */
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, b.data, len);
		struct attach_frame f;
		all_wait &= attach_frame_parse(copy, len, &f) == 0;
		free(copy);
	}
	CHECK(all_wait, "each of the %zu prefixes waits for more, reading none past its end",
	      b.len);
	buf_free(&b);
}

static void test_hostile(void)
{
	struct attach_frame f;
	const unsigned char unknown[] = {'Q'};
	CHECK(attach_frame_parse(unknown, 1, &f) == -EBADMSG,
	      "an unknown type is malformed at its first byte");
	const unsigned char huge[] = {ATTACH_STDOUT, 0xff, 0xff, 0xff, 0xff};
	CHECK(attach_frame_parse(huge, sizeof(huge), &f) == -EBADMSG,
	      "a 4 GiB length is malformed before any data");
	const unsigned char over[] = {ATTACH_STDERR, 0, 1, 0, 1}; /* ATTACH_FRAME_MAX + 1 */
	CHECK(attach_frame_parse(over, sizeof(over), &f) == -EBADMSG,
	      "one byte over the bound is malformed");
	const unsigned char exit2[] = {ATTACH_EXIT, 0, 0, 0, 2, 1, 2};
	CHECK(attach_frame_parse(exit2, sizeof(exit2), &f) == -EBADMSG,
	      "an exit status of two bytes is malformed");
	const unsigned char exit0[] = {ATTACH_EXIT, 0, 0, 0, 0};
	CHECK(attach_frame_parse(exit0, sizeof(exit0), &f) == -EBADMSG,
	      "an empty exit status is malformed");
	const unsigned char win[] = {ATTACH_WINSIZE, 0, 0, 0, 3, 1, 2, 3};
	CHECK(attach_frame_parse(win, sizeof(win), &f) == -EBADMSG,
	      "a window size of 3 bytes is malformed");
	const unsigned char eof[] = {ATTACH_EOF, 0, 0, 0, 1, 'x'};
	CHECK(attach_frame_parse(eof, sizeof(eof), &f) == -EBADMSG,
	      "an EOF with data is malformed");

	unsigned char *max = calloc(1, ATTACH_HEADER_SIZE + ATTACH_FRAME_MAX);
	max[0] = ATTACH_STDOUT;
	max[3] = ATTACH_FRAME_MAX >> 8 & 0xff;
	max[2] = ATTACH_FRAME_MAX >> 16 & 0xff;
	CHECK(attach_frame_parse(max, ATTACH_HEADER_SIZE + ATTACH_FRAME_MAX, &f) ==
		      ATTACH_HEADER_SIZE + ATTACH_FRAME_MAX,
	      "a frame of exactly the bound is whole");
	free(max);

	struct buf b = {0};
	CHECK(attach_frame_append(&b, ATTACH_STDOUT, NULL, ATTACH_FRAME_MAX + 1) == -EINVAL,
	      "the encoder refuses more than the bound");
	CHECK(attach_frame_append(&b, ATTACH_EXIT, "ab", 2) == -EINVAL,
	      "and a length wrong for the type");
	CHECK(b.len == 0, "and appends nothing then");
	buf_free(&b);
}

/* Random bytes: the parser returns a bounded size or an error, never more than it was given. */
static void test_noise(void)
{
	unsigned seed = 12345;
	bool sane = true;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 24);
		unsigned char *p = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++)
			p[i] = (unsigned char)(i == 0 ? "aistzwoexQ"[rand_r(&seed) % 10]
						      : (i < 4 ? 0 : rand_r(&seed) % 8));
		struct attach_frame f;
		ssize_t n = attach_frame_parse(p, len, &f);
		sane &= n == -EBADMSG || (n >= 0 && (size_t)n <= len);
		if (n > 0)
			sane &= (size_t)n == ATTACH_HEADER_SIZE + f.len;
		free(p);
	}
	CHECK(sane, "20000 random inputs: each a frame within them, \"not yet\" or malformed");
}

int main(void)
{
	test_round_trip();
	test_partial();
	test_hostile();
	test_noise();
	return tap_done();
}
