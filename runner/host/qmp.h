/* SPDX-License-Identifier: MIT */
/* QEMU's machine protocol, the little of it quiz needs: an NMI and a memory dump. */
#pragma once

#include <stdbool.h>

#include "buf.h"

/*
 * The connection QEMU made to quiz's qmp.sock (-mon mode=control). Nothing is read from it
 * until the first command: the greeting and any events wait in the socket.
 */
struct qmp {
	int fd; /* -1: QEMU never connected */
	bool ready;
	struct buf in; /* what was read and not used yet */
	/*
	 * A wait gives up with -ECANCELED as soon as stop_fd is readable (a signalfd of the stop
	 * signals: one is pending, and stays so for the caller to read), or at stop_at
	 * (CLOCK_MONOTONIC ms: the run's -t). -1, 0: never.
	 */
	int stop_fd;
	long long stop_at;
};
#define QMP_INIT                                                                                   \
	{                                                                                          \
		.fd = -1, .stop_fd = -1                                                            \
	}

/*
 * Runs one command (a JSON object), negotiating the capabilities first if needed, and waits up
 * to timeout_ms for its answer. 0 when QEMU returned; -EIO when it answered with an error
 * (*ret_error: its description, may be NULL); -ECANCELED (stop_fd, stop_at), -ETIMEDOUT,
 * -ENOTCONN, or another -errno.
 */
int qmp_execute(struct qmp *q, const char *command, int timeout_ms, char **ret_error);
/* The same, with QEMU's answer line (its "return" object) into *ret_answer. */
int qmp_ask(struct qmp *q, const char *command, int timeout_ms, char **ret_error,
	    char **ret_answer);
void qmp_close(struct qmp *q);

/*
 * The guest's memory as an ELF core in path (absolute), whole or not at all: QEMU writes
 * PATH.partial, renamed when it is complete. 0, or -errno with *ret_error as qmp_execute's.
 */
int qmp_dump(struct qmp *q, const char *path, char **ret_error);

/* s as a JSON string, quotes included. Pure. */
int json_quote(const char *s, struct buf *out);
/* The dump-guest-memory command writing an ELF core to path (absolute). Pure. */
int qmp_dump_command(const char *path, struct buf *out);

/*
 * The running VM's state into fd, a file quiz made (QEMU's migration to "fd:NAME", the
 * descriptor handed over the monitor's socket with getfd: no shell, no path for QEMU to open),
 * then the VM goes on. 0, or -errno with *ret_error as qmp_execute's (-ECANCELED: the
 * migration is left as it is, QEMU is to be killed); the file may then hold a part: the caller
 * removes it.
 */
int qmp_save_state(struct qmp *q, int fd, char **ret_error);

/* Until QEMU says the VM runs (a restored state is loaded): 0, -ETIMEDOUT, -ECANCELED, or
 * -errno (QEMU gone). */
int qmp_wait_running(struct qmp *q, int timeout_ms);

/* The migrate command that writes the VM's state to the descriptor getfd named fd_name. Pure. */
int qmp_migrate_command(const char *fd_name, struct buf *out);
enum qmp_migration { QMP_MIGRATION_ACTIVE, QMP_MIGRATION_COMPLETED, QMP_MIGRATION_FAILED };
/* query-migrate's answer line: done, failed (or cancelled), or still going. Pure. */
enum qmp_migration qmp_migration_status(const char *answer);
