/* SPDX-License-Identifier: MIT */
/* The targets file (quiz --targets quiz.ini): named kernel/profiles/program runs of a matrix. */
/* Host half: host/matrix.c. */
#pragma once

/* --results DIR/summary.json, beside the targets' folders DIR/NAME/. */
#define TARGETS_SUMMARY_NAME "summary.json"

/*
 * One section per target, [NAME]; NAME may use letters, digits, '.', '-', '_' and '+' (at most
 * TARGET_NAME_MAX of them) and does not start with '.': it names a folder under --results, so
 * "[.]", "[..]" and "[.x]" are refused, as is a '/' (not a name character), and
 * [TARGETS_SUMMARY_NAME], the file beside those folders. Complete example:
 *
 *	# Lines starting with '#' or ';' are comments. There are no comments after a value:
 *	# a program may hold ';'.
 *	[ext4-6.1]
 *	kernel = 6.1
 *	profiles = blockdev:count=2
 *	program = ./test.sh --fs ext4 'two words' "say \"hi\""
 *	timeout = 300
 *	memory = 1G
 *
 * Keys (each at most once per target; a NAME at most once per file):
 *	kernel    required, a -k selector
 *	profiles  optional, a -p value
 *	program   required, split into words like a POSIX shell does (see split_command_line);
 *	          nothing in it is expanded: no variables, globs, ~, redirections or pipes; the
 *	          first word (the command) must not be empty
 *	list      optional, the suite's list command (split as program is): the target runs
 *	          each test in its own VM, as --list-cmd does (the whole file is then --each's)
 *	timeout   optional, whole seconds from 1 to TARGET_TIMEOUT_MAX
 *	memory    optional, a size like 512M: digits, then K, M, G or T (none: MiB, as QEMU's -m)
 * No value may be empty. Errors name the file and the line:
 *
 *	quiz.ini line 7: target ext4: unknown key 'kernal'; keys: kernel, profiles, program, ...
 *
 * A missing kernel or program is reported at the target's [NAME] line. Errors are reported in
 * file order (the first one only). inih (Debian's libinih) does the INI reading, configured
 * like profile.c's (stop at the first error, no multi-line values, lines up to
 * TARGETS_INI_MAX_LINE bytes, no inline comments).
 */

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define TARGETS_INI_MAX_LINE 16384
#define TARGET_NAME_MAX 49 /* inih cuts section names after 49 bytes */
#define TARGET_TIMEOUT_MAX 1000000

struct target {
	char *name, *kernel, *profiles, *memory; /* profiles, memory: NULL when not given */
	char *arch;				 /* NULL: the host's (or -a's) */
	struct strv program;			 /* argv, at least one word */
	struct strv list_cmd; /* list = ...: --each's list command; empty: none */
	unsigned timeout_s;   /* 0 = none */
	unsigned line;	      /* of the [NAME] header */
};

struct target_list {
	struct target *items;
	size_t n;
};

/* Parses the text of a targets file (file_name is how messages name it); pure, file order
 * kept. -EINVAL with "FILE line N: target NAME: ..." (or "FILE: no targets; ..." for a file
 * without sections), -ENOMEM with "out of memory". *ret is untouched on failure. */
int targets_parse(const char *file_name, const char *text, struct target_list *ret,
		  char **ret_error);

/* Keeps the targets whose name matches the POSIX extended regular expression (unanchored
 * search, as grep -E; anchor with ^...$ for a whole name), dropping and freeing the others. A
 * NULL regex keeps all. No match leaves an empty list, which is not an error here. A bad
 * regex is -EINVAL with a message, and the list is untouched. */
int targets_filter(struct target_list *list, const char *regex, char **ret_error);

/* --shard I/N (I from 1): the run at position pos (from 0, in the order of the runs: file order
 * after --filter, or -k order) is in slice I when pos % N == I - 1, so every run is in exactly
 * one slice and a slice keeps its runs when N stays. N == 0 (no --shard) takes every run. */
static inline bool shard_takes(size_t pos, unsigned index, unsigned count)
{
	return count == 0 || pos % count == (size_t)index - 1;
}

/* Keeps the targets of slice index of count (shard_takes), in order, freeing the others. */
void targets_shard(struct target_list *list, unsigned index, unsigned count);

void target_list_free(struct target_list *l);

/*
 * Splits s into words like a POSIX shell, without any expansion: blanks (space, tab, newline,
 * CR, FF, VT) separate words; '...' keeps everything up to the next ' as is; "..." keeps
 * everything but \" \\ \$ \` (the character after the backslash) and backslash-newline
 * (removed); outside quotes a backslash keeps the next character as is (backslash-newline is
 * removed). Quoted and unquoted parts next to each other make one word; '' and "" make an
 * empty word. Example: a 'b c' "d \"e\"" f\ g -> a | b c | d "e" | f g.
 * An unclosed quote or a backslash at the very end is -EINVAL with a message naming the
 * character's position (1-based). *ret is overwritten on success (no words: an empty strv).
 */
int split_command_line(const char *s, struct strv *ret, char **ret_error);
