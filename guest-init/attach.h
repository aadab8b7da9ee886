/* SPDX-License-Identifier: MIT */
/* quiz --attach's guest side: PID 1 watches the attach port, the agent it forks serves it. */
#pragma once

#include <stdbool.h>

#include "ports.h"
#include "settings.h"

/*
 * PID 1's watch on the attach port: SIGIO (blocked, read through sigio) whenever the host
 * connects or hangs up. Nothing is forked until a host connects: fork of PID 1 cost the
 * program's start 11 ms under TCG, paid by every run.
 */
struct attach_watch {
	int port;  /* the attach port, or -1: no watch */
	int sigio; /* readable when SIGIO came, or -1 */
	const struct run_settings *settings;
	const struct ports *ports; /* init2's descriptors, which the agent closes */
};

/* Arm the watch when s->attach says the host gave the port; SIGIO is blocked in PID 1 from now
 * on (its children unblock it: attach_child_signals). Errors go to the kernel log. */
void attach_watch_start(struct attach_watch *w, const struct run_settings *s,
			const struct ports *ports);
/* w->sigio was readable: when the host is there, fork the agent, which takes the port, and end
 * the watch. Returns at once either way. */
void attach_watch_check(struct attach_watch *w);
void attach_watch_stop(struct attach_watch *w);
/* In a child of PID 1, before its exec: SIGIO unblocked, as a program expects it. */
void attach_child_signals(void);
