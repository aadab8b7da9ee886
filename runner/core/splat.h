/* SPDX-License-Identifier: MIT */
/* The kernel's own verdict: every report (WARN, BUG, oops, sanitizer, lockdep, hang, panic) found
 * in a kernel log, classified, with its title and its text. Pure: no I/O. */
/* Host half: host/console_log.c (the stream) and host/verdict.c. */
#pragma once

#include <stddef.h>

#include "buf.h"

enum splat_kind {
	SPLAT_WARNING,
	SPLAT_BUG,
	SPLAT_OOPS,
	SPLAT_GPF,
	SPLAT_KASAN,
	SPLAT_UBSAN,
	SPLAT_KCSAN,
	SPLAT_KFENCE,
	SPLAT_LOCKDEP,
	SPLAT_HUNG_TASK,
	SPLAT_SOFT_LOCKUP,
	SPLAT_HARD_LOCKUP,
	SPLAT_RCU_STALL,
	SPLAT_KMEMLEAK,
	SPLAT_PANIC,
};

struct splat {
	enum splat_kind kind;
	char *title; /* the report's first line, the kernel's words, without the "[ 1.234567] "
		      * stamp (and caller id) or CR; trailing blanks dropped */
	char *text; /* the whole report: every line of it, stamps kept, CRs dropped, '\n'-terminated
		     */
};

struct splat_list {
	struct splat *items;
	size_t n;
};

/* Every report in a kernel log (a serial console's text: CR LF line ends, "[    1.234567] "
 * stamps from CONFIG_PRINTK_TIME, possibly other lines mixed in), in order. 0 or -ENOMEM.
 *
 * Only a stamped line (the stamp at the line's start, optionally "<N>" before it and a caller id
 * "[T83]" / "[C0]" after it) can open a report, and only when its message (what follows the
 * stamp) starts with a known title: "WARNING: CPU: ...", "BUG: ...", "Oops: ...", "Kernel panic -
 * not syncing: ..." and the rest (see title_rules in splat.c), so "quiz: no WARNING: here" or
 * "DEBUG: x" never do. A report runs from its title line to its kind's end marker, included:
 * "---[ end trace" (WARN, BUG, oops, gpf, UBSAN), the closing "=====" ruler (KASAN, KCSAN, KFENCE,
 * UBSAN), "---[ end Kernel panic" (panic), "</TASK>" (lockdep, hangs, lockups, RCU stalls), the
 * "N new suspected memory leaks" line (kmemleak). Without its marker it ends before the next
 * report's title, before a stamped line more than a second after the report's last one (the log
 * moved on), after 200 lines, or at the log's end (a cut-off report), without trailing unstamped
 * lines. Unstamped lines inside (dmesg's indented continuation lines, another writer's echo) and
 * interleaved lines of other CPUs are kept as they come: the extent is by position only.
 * One report, not two: an oops ("Oops:", "invalid opcode:", "Internal error: Oops", a general
 * protection fault) inside an open report titled "BUG: ..." or "kernel BUG at"; kmemleak's
 * objects and its summary line. A panic after an oops is a report of its own. */
int splat_scan(const char *log, size_t len, struct splat_list *ret);

/*
 * The same, over a log that comes in pieces (a console as the guest writes it), in bounded
 * memory: only the lines of a report that may still go on are held (at most its 200 lines),
 * and of a line only its first SPLAT_LINE_MAX bytes. Lengths, never NULs, end the data. Feed
 * every piece, then finish once: its list is what splat_scan gives for the whole log (lines cut
 * to SPLAT_LINE_MAX bytes). Zero-initialized; 0 or -ENOMEM.
 */
#define SPLAT_LINE_MAX 4096
struct splat_stream {
	struct buf pending;	 /* whole lines not decided yet, then the line not ended */
	size_t line_len;	 /* bytes of the line not ended so far, those dropped included */
	struct splat_list found; /* reports decided */
};
int splat_stream_feed(struct splat_stream *s, const char *data, size_t len);
int splat_stream_finish(struct splat_stream *s, struct splat_list *ret);
void splat_stream_free(struct splat_stream *s);

/* "warning", "bug", "oops", "gpf", "kasan", "ubsan", "kcsan", "kfence", "lockdep", "hung-task",
 * "soft-lockup", "hard-lockup", "rcu-stall", "kmemleak", "panic" */
const char *splat_kind_name(enum splat_kind kind);

void splat_list_free(struct splat_list *l);
