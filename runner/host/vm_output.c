/* SPDX-License-Identifier: MIT */
/* The sockets' data on its way: to quiz's stdout and stderr (never blocking the loop), the console
 * log, the status buffer; the host's stdin to the guest. */
#include "vm_internal.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contract.h"
#include "file.h"
#include "safe_text.h"

/* Pipes and sockets take PIPE_BUF bytes per POLLOUT without blocking; files and ttys more. */
size_t vm_write_chunk(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ? PIPE_BUF
										     : 1 << 16;
}

bool vm_output_failed(const struct vm *vm)
{
	return vm->output_broken || vm->output_error;
}

bool vm_queued(const struct vm *vm, int fd)
{
	return vm->out[fd].done < vm->out[fd].data.len;
}

void vm_fail_output(struct vm *vm, int fd, int r)
{
	if (r == -EPIPE)
		vm->output_broken = true;
	else if (!vm->output_error)
		vm->output_error = r, vm->output_error_fd = fd;
}

/* Write what fd takes now; the rest waits for the loop's next POLLOUT. */
void vm_flush_out(struct vm *vm, int fd)
{
	struct out_queue *q = &vm->out[fd];
	while (vm_queued(vm, fd) && !vm_output_failed(vm)) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		if (poll(&pfd, 1, 0) <= 0)
			return; /* not ready, or a signal: later */
		if (pfd.revents & POLLNVAL) {
			vm_fail_output(vm, fd, -EBADF);
			return;
		}
		size_t left = q->data.len - q->done;
		ssize_t n = write(fd, q->data.data + q->done, left < q->chunk ? left : q->chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n < 0) {
			vm_fail_output(vm, fd, -errno);
			return;
		}
		q->done += (size_t)n;
	}
	if (!vm_queued(vm, fd))
		q->done = q->data.len = 0; /* the buffer is kept for the next data */
}

void vm_queue_out(struct vm *vm, int fd, const char *data, size_t len)
{
	if (vm_output_failed(vm))
		return; /* the run is ending */
	int r = buf_append(&vm->out[fd].data, data, len);
	if (r < 0)
		vm_fail_output(vm, fd, r);
	else
		vm_flush_out(vm, fd);
}

/* -v: the console on quiz's stderr, escaped (guest bytes), a piece cut mid-character kept. */
static void show_console(struct vm *vm, const char *data, size_t len, bool last)
{
	_cleanup_buf_ struct buf safe = {0};
	struct buf *carry = &vm->console_shown;
	size_t used = 0;
	if (buf_append(carry, data, len) < 0 ||
	    safe_text_append(&safe, carry->data, carry->len, last, &used) < 0)
		return; /* out of memory: -v shows less */
	memmove(carry->data, carry->data + used, carry->len - used);
	carry->len -= used;
	if (safe.len)
		vm_queue_out(vm, 2, safe.data, safe.len);
}

void vm_show_console_end(struct vm *vm)
{
	if (vm->o->verbose && vm->console_shown.len)
		show_console(vm, "", 0, true);
}

/* Which of quiz's outputs a socket's data goes to; 0: none (or not only there). */
int vm_destination(const struct vm *vm, int which)
{
	switch (which) {
	case SOCK_STDOUT:
	case SOCK_TTY: return 1;
	case SOCK_STDERR: return 2;
	case SOCK_CONSOLE: return vm->o->verbose ? 2 : 0;
	}
	return 0;
}

void vm_on_data(struct vm *vm, int which, const char *data, size_t len)
{
	vm->received[which] += len;
	switch (which) {
	case SOCK_CONSOLE:
		if (!vm->at_console)
			vm->at_console = now_ms();
		console_log_add(&vm->console, data, len);
		if (vm->o->verbose)
			show_console(vm, data, len, false);
		break;
	case SOCK_STDOUT:
	case SOCK_TTY:
	case SOCK_STDERR:
		if (which != SOCK_STDOUT) /* the loader writes on stderr; a tty has both */
			loader_watch_feed(&vm->loader, data, len);
		vm_queue_out(vm, vm_destination(vm, which), data, len);
		break;
	case SOCK_STATUS:
		if (vm->status.len + len < STATUS_MAX)
			(void)buf_append(&vm->status, data, len); /* ENOMEM: no status, exit 125 */
		break;
	}
}

/* A restored run: the console of the boot that saved its state, as if it were this run's. */
void vm_replay_console(struct vm *vm, const char *text, size_t len)
{
	if (len)
		vm_on_data(vm, SOCK_CONSOLE, text, len);
	vm->at_console = 0; /* this run's own first byte is the one --timings means */
}

/*
 * Read what is there, or (all) until EOF; returns false at EOF or error (the socket is then
 * closed). Unless all, it stops while the output this socket feeds has data queued.
 */
bool vm_pump(struct vm *vm, int which, bool all)
{
	char chunk[65536];
	int to = vm_destination(vm, which);
	for (;;) {
		if (vm_output_failed(vm) || (!all && to && vm_queued(vm, to)))
			return true; /* the loop decides what happens next */
		ssize_t n = read(vm->conn[which], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			(void)close(vm->conn[which]);
			vm->conn[which] = -1;
			return false;
		}
		vm_on_data(vm, which, chunk, (size_t)n);
	}
}

void vm_pump_stdin(struct vm *vm, short host_events, short sock_events)
{
	int sock = vm->conn[vm->input];
	if (vm->stdin_sent == vm->stdin_pending.len && (host_events & (POLLIN | POLLHUP))) {
		char chunk[65536];
		ssize_t n = read(0, chunk, sizeof(chunk));
		if (n > 0) {
			vm->stdin_pending.len = vm->stdin_sent = 0;
			(void)buf_append(&vm->stdin_pending, chunk, (size_t)n);
		} else if (n == 0 || errno != EINTR) {
			vm->stdin_eof = true;
		}
	}
	if (vm->stdin_sent < vm->stdin_pending.len && (sock_events & POLLOUT || host_events)) {
		ssize_t n = send(sock, vm->stdin_pending.data + vm->stdin_sent,
				 vm->stdin_pending.len - vm->stdin_sent, MSG_NOSIGNAL);
		if (n > 0)
			vm->stdin_sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			vm->stdin_eof = true; /* the guest side is gone */
	}
	if (vm->stdin_eof && vm->stdin_sent >= vm->stdin_pending.len && vm->input == SOCK_STDIN &&
	    !vm->stdin_shut) {
		/*
		 * Half-close: QEMU reads what is queued, then EOF, then disconnects the port, and
		 * the program's read() returns 0. A full close() would raise a hang-up in QEMU
		 * that drops the port at once, losing input the guest has not read yet.
		 */
		(void)shutdown(sock, SHUT_WR);
		vm->stdin_shut = true;
	}
}

/* tmux mode: the host terminal changed size; the guest sets its tty to match. */
void vm_send_winsize(struct vm *vm)
{
	struct winsize ws;
	char line[64];
	if (vm->conn[SOCK_STATUS] < 0 || ioctl(0, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return; /* before the guest connects, the contract carries the size */
	int n = snprintf(line, sizeof(line), STATUS_WINSIZE "%u %u\n", ws.ws_row, ws.ws_col);
	(void)!send(vm->conn[SOCK_STATUS], line, (size_t)n, MSG_NOSIGNAL); /* cosmetic if lost */
}
