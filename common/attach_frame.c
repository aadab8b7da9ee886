/* SPDX-License-Identifier: MIT */
/* The attach port's frames: encoded and parsed, every length bounded. Pure. */
#include "attach_frame.h"

#include <errno.h>
#include <stdbool.h>

/* The data length a type must have; -1: any up to ATTACH_FRAME_MAX; -2: not a type. */
static long type_size(int type)
{
	switch (type) {
	case ATTACH_ARG:
	case ATTACH_TTY:
	case ATTACH_STDIN:
	case ATTACH_STDOUT:
	case ATTACH_STDERR: return -1;
	case ATTACH_START:
	case ATTACH_EOF: return 0;
	case ATTACH_WINSIZE: return 4;
	case ATTACH_EXIT: return 1;
	default: return -2;
	}
}

static bool length_fits(int type, size_t len)
{
	long size = type_size(type);
	return size == -1 ? len <= ATTACH_FRAME_MAX : size >= 0 && (size_t)size == len;
}

int attach_frame_append(struct buf *b, enum attach_frame_type type, const void *data, size_t len)
{
	if (!length_fits((int)type, len))
		return -EINVAL;
	unsigned char head[ATTACH_HEADER_SIZE] = {
		(unsigned char)type,	   (unsigned char)(len >> 24), (unsigned char)(len >> 16),
		(unsigned char)(len >> 8), (unsigned char)len,
	};
	int r = buf_append(b, head, sizeof(head));
	if (r >= 0 && len)
		r = buf_append(b, data, len);
	return r;
}

int attach_winsize_append(struct buf *b, unsigned rows, unsigned cols)
{
	rows = rows > 0xffff ? 0xffff : rows;
	cols = cols > 0xffff ? 0xffff : cols;
	unsigned char size[4] = {(unsigned char)(rows >> 8), (unsigned char)rows,
				 (unsigned char)(cols >> 8), (unsigned char)cols};
	return attach_frame_append(b, ATTACH_WINSIZE, size, sizeof(size));
}

ssize_t attach_frame_parse(const void *data, size_t len, struct attach_frame *ret)
{
	const unsigned char *p = data;
	if (len >= 1 && type_size(p[0]) == -2)
		return -EBADMSG; /* said at once: no need to wait for a length */
	if (len < ATTACH_HEADER_SIZE)
		return 0;
	uint32_t size = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	if (!length_fits(p[0], size))
		return -EBADMSG;
	if (len - ATTACH_HEADER_SIZE < size)
		return 0;
	*ret = (struct attach_frame){(enum attach_frame_type)p[0], size, p + ATTACH_HEADER_SIZE};
	return (ssize_t)(ATTACH_HEADER_SIZE + size);
}

void attach_winsize_decode(const struct attach_frame *f, unsigned *ret_rows, unsigned *ret_cols)
{
	*ret_rows = (unsigned)f->data[0] << 8 | f->data[1];
	*ret_cols = (unsigned)f->data[2] << 8 | f->data[3];
}
