/* SPDX-License-Identifier: MIT */
/* The attach agent (quiz --attach's guest side): forked by init2 before the program. */
#pragma once

#include "ports.h"
#include "settings.h"

/*
 * Fork the agent when s->attach says the host gave the port, and return at once: the program's
 * start never waits on it. ports: init2's descriptors, which the agent closes.
 */
void attach_start(const struct run_settings *s, const struct ports *ports);
