/* SPDX-License-Identifier: MIT */
/* A run past its -t: what the guest's kernel said it was doing (sysrq w and l). Pure. */
/* Host half: host/verdict.c (a timeout's listing). */
#pragma once

#include "buf.h"

/*
 * From a console log (CR LF, printk stamps): the section the guest printed for quiz's sysrq
 * request, from the last "sysrq: Show Blocked State" to its "quiz: sysrq done" line (or the
 * log's end), into *section (stamps kept, CRs dropped); and one line per blocked task into
 * *summary: "NAME (pid N, state D) in FRAME", FRAME the first frame of its trace that is not
 * the scheduler's or a sleep primitive's ("__schedule", "msleep", "mutex_lock", ...), as the
 * kernel printed it ("quiz_splat_init+0x1c/0x30 [quiz_splat]"). -ENOENT when the log has no
 * such section, -ENOMEM.
 */
int hang_explain(const char *console, struct buf *section, struct buf *summary);
