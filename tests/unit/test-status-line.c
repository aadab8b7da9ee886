/* SPDX-License-Identifier: MIT */
/* The status line round-trips: what the guest formats, the host parses, counts and all. */
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "status_line.h"
#include "tap.h"

/* Format s, drop the newline, parse it back into *ret; the text stays in *text. */
static int round_trip(const struct status_line *s, struct buf *text, struct status_line *ret)
{
	int r = status_line_format(s, text);
	if (r < 0)
		return r;
	if (!text->len || text->data[text->len - 1] != '\n' ||
	    strchr(text->data, '\n') != text->data + text->len - 1)
		return -EPROTO; /* not one line, newline-terminated */
	text->data[--text->len] = '\0';
	return status_line_parse(text->data, ret);
}

static void test_exit(void)
{
	for (int code = 0; code <= 255; code += 51) {
		struct status_line s = {.exit_code = code, .out = 12345678901ULL, .err = 7}, got;
		struct buf b = {0};
		CHECK(round_trip(&s, &b, &got) == 0, "exit %d round-trips", code);
		CHECK(!got.error && got.exit_code == code && got.counted && got.out == s.out &&
			      got.err == 7,
		      "exit %d: its code and both counts", code);
		buf_free(&b);
	}
	struct buf b = {0};
	struct status_line bad = {.exit_code = 256};
	CHECK(status_line_format(&bad, &b) == -EINVAL, "a code past 255 is not formatted");
	bad.exit_code = -1;
	CHECK(status_line_format(&bad, &b) == -EINVAL, "nor a negative one");
	buf_free(&b);
}

static void test_error(void)
{
	const char *messages[] = {"guest set-up failed (see the kernel log)", "",
				  "it said out=3 err=4 here", "ends with out=9 err=9"};
	for (size_t i = 0; i < ELEMENTSOF(messages); i++) {
		struct status_line s = {.error = true, .message = messages[i], .out = 1, .err = 2},
				   got;
		struct buf b = {0};
		CHECK(round_trip(&s, &b, &got) == 0, "error %zu round-trips", i);
		CHECK(got.error && got.counted && got.out == 1 && got.err == 2,
		      "error %zu: its counts, not the message's look-alikes", i);
		CHECK_STR(got.message, messages[i], "error %zu: the message whole", i);
		buf_free(&b);
	}
	struct status_line s = {.error = true, .message = "two\nlines\r"}, got;
	struct buf b = {0};
	CHECK(round_trip(&s, &b, &got) == 0 && strcmp(got.message, "two lines ") == 0,
	      "a message's newlines become blanks: it stays one line");
	buf_free(&b);
}

static void test_parse(void)
{
	struct status_line got;
	char old[] = "exit 3";
	CHECK(status_line_parse(old, &got) == 0 && got.exit_code == 3 && !got.counted,
	      "a line without counts: the status, not counted (quiz answers at once)");
	char old_error[] = "error no tini";
	CHECK(status_line_parse(old_error, &got) == 0 && strcmp(got.message, "no tini") == 0,
	      "an error without counts");
	const char *bad[] = {"exit",
			     "exit ",
			     "exit 256",
			     "exit -1",
			     "exit 3x out=1 err=1",
			     "timeline init1=3",
			     "parked",
			     "exits 0"};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *copy = strdup(bad[i]);
		CHECK(status_line_parse(copy, &got) == -EINVAL, "not a status: '%s'", bad[i]);
		free(copy);
	}
	CHECK(status_line_is("exit 0 out=0 err=0\ntimeline") && status_line_is("error x") &&
		      !status_line_is("timeline exit 0") && !status_line_is(""),
	      "status_line_is looks at the start of the line only");
}

static void test_park(void)
{
	unsigned char seed[32], back[32];
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (unsigned char)(i * 37 + 1);
	struct buf b = {0};
	CHECK(status_go_format(1764657000LL, 123456789, seed, sizeof(seed), &b) == 0,
	      "go formatted");
	CHECK(b.len && b.data[b.len - 1] == '\n' &&
		      strncmp(b.data, "go 1764657000 123456789 ", 24) == 0,
	      "go SEC NSEC HEX, one line");
	b.data[--b.len] = '\0';
	long long sec = 0;
	long nsec = 0;
	CHECK(status_go_parse(b.data, &sec, &nsec, back, sizeof(back)) == 0 &&
		      sec == 1764657000LL && nsec == 123456789 &&
		      memcmp(seed, back, sizeof(seed)) == 0,
	      "the guest reads back the clock and every seed byte");
	const char *bad[] = {"go 1 2 0", "go x 2 ", "go 1 1000000000 ", "gone 1 2 ", "go 1 2"};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		CHECK(status_go_parse(bad[i], &sec, &nsec, back, 1) == -EINVAL, "not a go: '%s'",
		      bad[i]);
	CHECK(status_go_parse("go 1 2 zz", &sec, &nsec, back, 1) == -EINVAL,
	      "seed digits must be hex");
	CHECK(status_go_parse("go 1 2 ab", &sec, &nsec, back, 1) == 0 && back[0] == 0xab,
	      "one byte of seed");
	buf_free(&b);
	CHECK(status_text_has_line("timeline a=1\nparked\n", "parked"), "a whole line is found");
	CHECK(!status_text_has_line("timeline a=1\nparked", "parked"), "not before its newline");
	CHECK(!status_text_has_line("parked-not\n", "parked") &&
		      !status_text_has_line("x parked\n", "parked"),
	      "nor inside another line");
	CHECK(!status_text_has_line(NULL, "parked") && !status_text_has_line("", "parked"),
	      "nor in nothing");
}

/* The park point's refusal (guest-init/park.c): an error status, and no "resumed" line. */
static void test_unseeded(void)
{
	struct buf text = {0};
	struct status_line got = {0};
	struct status_line s = {.error = true, .message = STATUS_UNSEEDED "Invalid argument"};
	CHECK(round_trip(&s, &text, &got) == 0 && got.error && got.counted && !got.out && !got.err,
	      "unseeded: an error status, with no output counted");
	CHECK_STR(got.message,
		  "the kernel's randomness could not be reseeded from the host's go: Invalid "
		  "argument",
		  "unseeded: the host reads the guest's words back whole");
	buf_free(&text);
	CHECK(status_line_is("error " STATUS_UNSEEDED "x") &&
		      !status_text_has_line("parked\nerror " STATUS_UNSEEDED "x\n", STATUS_RESUMED),
	      "unseeded: a status line, never the word the host takes as resumed");
}

int main(void)
{
	test_unseeded();
	test_park();
	test_exit();
	test_error();
	test_parse();
	return tap_done();
}
