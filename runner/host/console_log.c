/* SPDX-License-Identifier: MIT */
/* console.log within its cap, and the console's reports as a stream. */
#include "console_log.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

/* The relay looks for a panic's last line and sysrq's end in the console's latest bytes. */
#define RECENT_MAX (64 << 10)
#define RECENT_KEEP (16 << 10)

int console_log_open(struct console_log *c, int run_dir_fd)
{
	/* A restore that failed left its console.log: the cold boot after it starts a new one. */
	(void)unlinkat(run_dir_fd, "console.log", 0);
	c->fd = openat(run_dir_fd, "console.log",
		       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return c->fd < 0 ? -errno : 0;
}

/* Keeps the last keep bytes of b once it holds more than max. */
static void keep_last(struct buf *b, size_t max, size_t keep)
{
	if (b->len <= max)
		return;
	memmove(b->data, b->data + b->len - keep, keep);
	b->len = keep;
	b->data[keep] = '\0';
}

static void write_out(struct console_log *c, const char *data, size_t len)
{
	if (c->error || c->fd < 0)
		return;
	int r = write_all(c->fd, data, len);
	if (r < 0)
		c->error = r; /* the rest is still scanned; the run says the log is not whole */
}

void console_log_add(struct console_log *c, const char *data, size_t len)
{
	c->seen += len;
	if (splat_stream_feed(&c->scan, data, len) < 0 && !c->error)
		c->error = -ENOMEM;
	if (buf_append(&c->recent, data, len) < 0 && !c->error)
		c->error = -ENOMEM;
	keep_last(&c->recent, RECENT_MAX, RECENT_KEEP);
	size_t to_head = c->head < CONSOLE_LOG_PART ? (size_t)(CONSOLE_LOG_PART - c->head) : 0;
	if (to_head > len)
		to_head = len;
	write_out(c, data, to_head);
	c->head += to_head;
	if (to_head < len && buf_append(&c->tail, data + to_head, len - to_head) < 0 && !c->error)
		c->error = -ENOMEM;
	keep_last(&c->tail, 2 * CONSOLE_LOG_PART, CONSOLE_LOG_PART);
}

bool console_log_seen(const struct console_log *c, const char *needle)
{
	return c->recent.len && memmem(c->recent.data, c->recent.len, needle, strlen(needle));
}

int console_log_close(struct console_log *c, struct splat_list *ret_splats,
		      unsigned long long *ret_cut)
{
	size_t keep = c->tail.len > CONSOLE_LOG_PART ? (size_t)CONSOLE_LOG_PART : c->tail.len;
	unsigned long long cut = c->seen - c->head - keep;
	const char *from = c->tail.data ? c->tail.data + c->tail.len - keep : "";
	if (cut) {
		char note[160];
		int n = snprintf(note, sizeof(note),
				 "\n[quiz: %llu bytes of the console cut here: console.log keeps "
				 "its first and last %llu MiB]\n",
				 cut, CONSOLE_LOG_PART >> 20);
		write_out(c, note, (size_t)n);
	}
	write_out(c, from, keep);
	int r = c->error;
	if (c->fd >= 0 && close(c->fd) < 0 && !r)
		r = -errno;
	c->fd = -1;
	int s = splat_stream_finish(&c->scan, ret_splats);
	*ret_cut = cut;
	return r < 0 ? r : s;
}

void console_log_free(struct console_log *c)
{
	if (c->fd >= 0)
		(void)close(c->fd);
	buf_free(&c->tail);
	buf_free(&c->recent);
	splat_stream_free(&c->scan);
	*c = (struct console_log)CONSOLE_LOG_INIT;
}
