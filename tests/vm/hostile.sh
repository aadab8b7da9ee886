#!/bin/bash
# SPDX-License-Identifier: MIT
# What a guest prints is hostile (issue 27): quiz escapes the guest text it shows itself (a
# report's title and trace, the console's last lines, -v), keeps the program's own bytes exact,
# finds a report after a NUL, and fails a run whose console.log could not be written but still
# finds the report after the failure. console.log's cap: tests/host/console.sh.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
q() { "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw --cold "$@" </dev/null >out 2>err; }
esc=$'\x1b'
bel=$'\x07'

# A report whose title and trace carry terminal escapes: a window title, an OSC 52 clipboard
# write, a screen clear.
q sh -c 'printf "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2 \033]0;PWNED-TITLE\007\n" >/dev/kmsg
	printf " g+0x1/0x2 \033]52;c;cm0gLXJmIH4K\007\033[2J\n" >/dev/kmsg
	printf -- "---[ end trace 0000000000000000 ]---\n" >/dev/kmsg; printf "out\033[31m\n"
	printf "err\033]0;mine\007\n" >&2'
is "$?" 123 "a WARN in a passing run: 123"
is "$(cat out)" "out${esc}[31m" "the program's stdout keeps its own escape bytes"
contains err "^err${esc}]0;mine${bel}\$" "its stderr too"
contains err '^quiz: kernel report \(warning\): WARNING: CPU: 0 PID: 1 at x\.c:1 f\+0x1/0x2 \\x1b\]0;PWNED-TITLE\\x07$' \
	"the report's title is shown escaped"
contains err 'g\+0x1/0x2 \\x1b\]52;c;cm0gLXJmIH4K\\x07\\x1b\[2J' "its trace too"
is "$(grep -v '^err' err | LC_ALL=C grep -c "[$esc$bel]")" 0 "no escape byte of the guest's reaches the terminal from quiz"

# The console's last lines on a failure, and the console itself with -v.
q sh -c 'printf "\033]0;TAIL\007 before the end\n" >/dev/console; sleep 0.2; echo b >/proc/sysrq-trigger; sleep 10'
is "$?" 125 "a guest that reboots without a status: 125"
contains err '^quiz: [^;]*; last console lines:$' "the console's last lines are shown"
contains err '\\x1b\]0;TAIL\\x07 before the end' "escaped"
is "$(LC_ALL=C grep -c "[$esc$bel]" err)" 0 "with no escape byte left"
q -v sh -c 'printf "\033]0;VERBOSE\007 \303\251t\303\251\n" >/dev/console'
is "$?" 0 "-v: the run passes"
contains err '\\x1b\]0;VERBOSE\\x07 été' "-v shows the console escaped, its UTF-8 as it is"
is "$(LC_ALL=C grep -c "[$esc$bel]" err)" 0 "no escape byte in -v's console"

# A NUL on the console hides no report (megabytes and an endless line before one: the host
# test console.sh, as the guest's console takes 60 KB/s under TCG).
q sh -c 'printf "a NUL \000 here\n" >/dev/console
	printf "WARNING: CPU: 0 PID: 1 at x.c:1 after_nul+0x1/0x2\n---[ end trace 0 ]---\n" >/dev/kmsg'
is "$?" 123 "a WARN after a NUL on the console: 123"
contains err 'kernel report \(warning\): .*after_nul' "and it is the one reported"
# console.log that cannot be written (a file size limit, as a full disk would): the run fails,
# says so, and the report after the failure is still found.
(
	trap '' XFSZ
	ulimit -f 256 # 128 KiB
	q sh -c "head -c $((256 << 10)) /dev/zero | tr '\\0' y >/dev/console; echo >/dev/console
		sleep 1 # the flood drains first: a full console queue drops what printk writes
		printf 'WARNING: CPU: 0 PID: 1 at x.c:1 past_limit+0x1/0x2\n---[ end trace 0 ]---\n' >/dev/kmsg"
)
is "$?" 125 "console.log not whole: 125"
contains err "^quiz: the guest's console could not be written to .*/console.log \\(File too large\\): the run fails" \
	"one line says why"
contains err 'kernel report \(warning\): .*past_limit' "the WARN after the failure is still reported"

is "$(runs_left)" 0 "no run directory left behind"
done_testing
