/* SPDX-License-Identifier: MIT */
/* quiz --coverage in the guest: gcov's counters zeroed before the program, copied out after. */
#pragma once

/* Zero the counters of everything built with gcov (GUEST_GCOV/reset). 0 or -errno. */
int coverage_reset(void);

/*
 * Mount the share TAG_COVERAGE at GUEST_COVERAGE and copy every counter file (.gcda) under
 * GUEST_GCOV there, at its path below GUEST_GCOV (the object's path on the build host). Logs
 * what failed; returns the number of files copied, or -errno when none could be.
 */
int coverage_collect(void);
