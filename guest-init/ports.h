/* SPDX-License-Identifier: MIT */
/* The guest ends of the virtio-serial ports: program stdio and the status line to the host. */
#pragma once

#include "guest.h"

struct ports {
	int in, out, err, status;
	unsigned long long sent_out, sent_err; /* bytes written to the stdout and stderr ports */
	char host_line[64];		       /* a host→guest line on the status port, so far */
	size_t host_len;
};
#define PORTS_INIT                                                                                 \
	{                                                                                          \
		.in = -1, .out = -1, .err = -1, .status = -1                                       \
	}

struct run_result {
	int exit_code;	 /* 0..255, already 128+S for a signal */
	char error[256]; /* non-empty: the run failed before or around the program (exit 125) */
};

/* One port by its name (needs /sys); waits briefly for it to appear. An fd or -errno. */
int port_open(const char *name, int flags);
/* Open every port by its name (p->status may be open already); waits briefly for the ports to
 * appear. */
int ports_open(struct ports *p);
/*
 * Read the host's lines on the status port that are there: "winsize ROWS COLS" sets tty's size
 * (tty < 0: ignored). Returns 1 once the host's answer (an empty line) came, 0 when not yet,
 * -1 when the port is closed or failed.
 */
int ports_read_host(struct ports *p, int tty);
/* Send the status line with the byte counts and wait for the host's answer (it has them all);
 * opens the status port if needed. */
void ports_report(struct ports *p, const struct run_result *result);
void ports_report_error(struct ports *p, const char *message);
