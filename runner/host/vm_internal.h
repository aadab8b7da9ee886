/* SPDX-License-Identifier: MIT */
/*
 * The parts of vm.c's run, shared by its files: vm.c (QEMU's lifetime and the loop),
 * vm_output.c (the sockets' data to quiz's outputs and the guest's stdin), vm_steps.c (the
 * status port's protocol: park and go, the answer, the hang steps, KVM's failure).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "console_log.h"
#include "libcheck.h"
#include "qmp.h"
#include "vm.h"

enum {
	SOCK_CONSOLE,
	SOCK_STDIN,
	SOCK_STDOUT,
	SOCK_STDERR,
	SOCK_STATUS,
	SOCK_TTY,
	SOCK_QMP, /* read only by qmp.c, when quiz asks QEMU something */
	N_SOCKETS
};

/* After the status line, QEMU has this long to exit on its own before it is killed. */
#define EXIT_GRACE_MS 10000
#define STATUS_MAX 4096
/* Past -t: how long the guest has to show its blocked tasks, then an NMI its stuck CPU. */
#define SYSRQ_WAIT_MS 3000
#define NMI_WAIT_MS 3000
/* The last line of a panic (kernel/panic.c), once its report is all on the console. */
#define PANIC_END "---[ end Kernel panic"

/* A run past its deadline: what was asked of the guest to show why. */
enum hang_phase { HANG_NONE, HANG_SYSRQ, HANG_NMI };

/*
 * Output on its way to one of quiz's own outputs. It is written as the output takes it, never
 * blocking the relay (a reader that stalls must not keep -t or Ctrl-C from working), and what
 * is not written yet stays here whatever signal comes: the loop stops reading the sockets that
 * feed a queue until it is empty again, so it holds at most about one read.
 */
struct out_queue {
	struct buf data;
	size_t done;  /* bytes of data written */
	size_t chunk; /* the most one write may take once poll says POLLOUT, without blocking */
};

struct vm {
	const struct vm_options *o;
	int listen[N_SOCKETS];
	int conn[N_SOCKETS];
	int sigfd;
	int stopfd; /* the stop signals alone, never read: a QMP wait polls it to give up */
	struct console_log console;
	struct buf console_shown; /* -v: bytes of the console not shown yet (a UTF-8 cut, a CR) */
	pid_t qemu;
	int qemu_status;
	bool qemu_done;
	struct buf status;
	struct buf stdin_pending;
	size_t stdin_sent;
	bool stdin_eof;
	bool stdin_shut;
	struct out_queue out[3]; /* [1] quiz's stdout, [2] its stderr */
	bool output_broken;	 /* EPIPE on stdout or stderr: the run ends as a pipeline would */
	int output_error;	 /* -errno of another failed write there: the run failed */
	int output_error_fd;
	long long deadline; /* -t, CLOCK_MONOTONIC ms; 0 = none */
	unsigned long long received[N_SOCKETS];
	long long at_console;
	int input; /* where host stdin goes: SOCK_STDIN, or SOCK_TTY in tmux mode */
	enum hang_phase hang;
	long long hang_until;
	struct qmp qmp; /* its fd is conn[SOCK_QMP] */
	bool park_done; /* the go was sent, or the run ends before it (a stop signal, -t) */
	struct loader_watch loader; /* the program's stderr, for a library the image lacks */
};

/* A restored VM runs once QEMU has loaded its state; under TCG a tenth of a second. */
#define RESTORE_WAIT_MS 30000

/* vm_output.c */
size_t vm_write_chunk(int fd);
bool vm_output_failed(const struct vm *vm);
bool vm_queued(const struct vm *vm, int fd);
void vm_fail_output(struct vm *vm, int fd, int r);
void vm_flush_out(struct vm *vm, int fd);
void vm_queue_out(struct vm *vm, int fd, const char *data, size_t len);
int vm_destination(const struct vm *vm, int which);
void vm_on_data(struct vm *vm, int which, const char *data, size_t len);
void vm_replay_console(struct vm *vm, const char *text, size_t len);
void vm_show_console_end(struct vm *vm);
bool vm_pump(struct vm *vm, int which, bool all);
void vm_pump_stdin(struct vm *vm, short host_events, short sock_events);
void vm_send_winsize(struct vm *vm);

/* vm_steps.c */
const char *vm_status_line(const struct vm *vm);
bool vm_status_complete(const struct vm *vm);
bool vm_status_said(const struct vm *vm, const char *word);
void vm_send_go(struct vm *vm);
void vm_park_step(struct vm *vm, struct vm_result *res);
bool vm_have_all_output(const struct vm *vm);
bool vm_kvm_failed(struct vm *vm, struct vm_result *res);
bool vm_console_seen(const struct vm *vm, const char *needle);
void vm_dump_memory(struct vm *vm, const char *path, struct vm_result *res);
bool vm_hang_step(struct vm *vm, struct vm_result *res, long long t);
