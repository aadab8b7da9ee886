/* SPDX-License-Identifier: MIT */
/* Pipes between the program and the virtio-serial ports, relayed and counted by PID 1. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "attach.h"
#include "ports.h"

/*
 * A virtio-console port opens once (a second open is EBUSY), so the program gets pipes, as
 * it would under a shell: /dev/stdout, /dev/stderr and /proc/self/fd/N reopen like any pipe,
 * any number of processes may hold them. PID 1 copies between the pipes and the ports and
 * counts what it wrote to each port, for the end-of-output handshake with the host.
 */
enum relay_stream { RELAY_STDIN, RELAY_STDOUT, RELAY_STDERR, RELAY_STREAMS };

struct relay_stream_state {
	int from, to;	  /* read end, write end; -1 when closed */
	char *buf;	  /* RELAY_CHUNK bytes */
	size_t len, done; /* what was read from "from", what of it went to "to" */
	bool eof;	  /* "from" ended (or "to" broke: the rest is dropped) */
};

struct relay {
	struct ports *ports;
	struct attach_watch *attach; /* checked when its SIGIO comes; NULL: none */
	struct relay_stream_state s[RELAY_STREAMS];
	int child[RELAY_STREAMS]; /* the program's ends: its stdin, stdout, stderr */
};

/* The three pipes, the port fds made non-blocking. */
int relay_open(struct relay *r, struct ports *p);
/* Close the program's ends in PID 1, after the fork. */
void relay_close_child_ends(struct relay *r);
/*
 * Relay until pid ends, then what it left in the pipes; returns its status as a shell gives it
 * (0..255, 128+signal). tty >= 0 (tmux mode): the host's winsize lines resize it meanwhile.
 * Orphans that end meanwhile are reaped. 125 when pid cannot be waited for.
 */
int relay_wait(struct relay *r, pid_t pid, int tty);
/* Write all of data to the stdout or stderr port (counted), waiting while the port is full. */
void relay_write(struct relay *r, enum relay_stream which, const void *data, size_t len);
void relay_free(struct relay *r);
