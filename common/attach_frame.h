/* SPDX-License-Identifier: MIT */
/*
 * The attach port's frames, both ways (quiz --attach and the guest's agent): a type byte, the
 * data's length as 4 bytes big-endian, the data. One encoder and one parser for both sides; the
 * parser bounds every length and says "malformed" as soon as a header is wrong. Pure: no I/O.
 *
 * A session: the host connects to the run's attach.sock and sends its request, ATTACH_ARG once
 * per word of the command (none: a login shell), ATTACH_TTY when it has a terminal (its TERM;
 * then ATTACH_WINSIZE), then ATTACH_START. Then the host sends ATTACH_STDIN and ATTACH_EOF,
 * ATTACH_WINSIZE when its terminal changes size; the guest sends ATTACH_STDOUT, ATTACH_STDERR
 * (none under a terminal: the terminal merges them), then ATTACH_EXIT once, and the host hangs
 * up. Either side hanging up ends the session.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum attach_frame_type {
	/* host → guest */
	ATTACH_ARG = 'a',     /* one word of the command's argv */
	ATTACH_TTY = 't',     /* the host has a terminal: a pty, TERM set to the data */
	ATTACH_START = 's',   /* the request is whole: run it (no data) */
	ATTACH_STDIN = 'i',   /* bytes for the command's stdin */
	ATTACH_EOF = 'z',     /* the host's stdin ended (no data) */
	ATTACH_WINSIZE = 'w', /* rows, then columns: 2 bytes each, big-endian */
	/* guest → host */
	ATTACH_STDOUT = 'o',
	ATTACH_STDERR = 'e',
	ATTACH_EXIT = 'x', /* the command's status, one byte: 0-255, 128+S for a signal */
};

#define ATTACH_HEADER_SIZE 5
/* The most data one frame carries: a relay's chunk, and the longest argv word the host sends. */
#define ATTACH_FRAME_MAX 65536
/* The guest's bounds on a request: words, and their bytes together. */
#define ATTACH_ARGS_MAX 4096
#define ATTACH_REQUEST_MAX (1 << 20)

struct attach_frame {
	enum attach_frame_type type;
	uint32_t len;
	const unsigned char *data; /* into the parsed buffer */
};

/* Appends one frame; -EINVAL when len is over ATTACH_FRAME_MAX or wrong for the type. */
int attach_frame_append(struct buf *b, enum attach_frame_type type, const void *data, size_t len);
int attach_winsize_append(struct buf *b, unsigned rows, unsigned cols);

/*
 * The first frame of data[0..len): its whole size (> 0) with *ret filled, 0 when data holds no
 * whole frame yet, -EBADMSG when the header is malformed (an unknown type, a length over
 * ATTACH_FRAME_MAX or wrong for the type). Reads no byte past len.
 */
ssize_t attach_frame_parse(const void *data, size_t len, struct attach_frame *ret);

/* An ATTACH_WINSIZE frame's rows and columns (the parser checked its length). */
void attach_winsize_decode(const struct attach_frame *f, unsigned *ret_rows, unsigned *ret_cols);
