/* SPDX-License-Identifier: MIT */
/* init1's park point: where a saved VM state resumes (see park.c). */
#pragma once

#include "guest.h"

/*
 * Say STATUS_PARKED on the status port, wait for the host's STATUS_GO, set the clock and reseed
 * the kernel's randomness from it, say STATUS_RESUMED. Returns the open status port (init2
 * reports on it) or -errno; a failed reseed is reported to the host first (STATUS_UNSEEDED).
 */
int park(void);
