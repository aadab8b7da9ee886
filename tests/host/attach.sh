#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz --ps and --attach against the fake QEMU: the runs listed (a command's controls escaped),
# and --attach's refusals, each one line: no run, several, an unknown one, a busy one, words
# after RUN without "--". (Sessions themselves: tests/vm/attach.sh.)
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

"$QUIZ" --ps >ps0.out 2>ps0.err
is "$?" 0 "--ps with nothing running succeeds"
is "$(cat ps0.out)" "$(printf '%-8s %-8s %-19s %-8s %-14s %s' RUN PID STARTED ARCH KERNEL COMMAND)" \
	"and prints the header alone"
"$QUIZ" --attach >none.out 2>none.err
is "$?" 125 "--attach with no run running: 125"
is "$(cat none.err)" "quiz: --attach: no run of yours is running (quiz --ps lists them)" \
	"in one line"

export FAKE_QEMU_SCENARIO="sleep 30; status 0"
"$QUIZ" sh -c $'echo \e]0;title\a' >a.out 2>a.err &
a=$!
"$QUIZ" true >b.out 2>b.err &
b=$!
for _ in $(seq 100); do
	[ "$("$QUIZ" --ps | wc -l)" = 3 ] && break
	sleep 0.1
done
"$QUIZ" --ps >ps.out 2>ps.err
is "$(wc -l <ps.out)" 3 "--ps lists both runs" "$(cat ps.out ps.err)"
contains ps.out "^[A-Za-z0-9]{6} +$a +[0-9-]{10} [0-9:]{8} +x86_64 +6\.1\.1 +sh -c 'echo \\\\x1b\]0;title\\\\x07'$" \
	"a command's control characters are escaped, the rest shell-quoted"
lacks ps.out $'\e' "no escape byte of a command reaches the terminal"
run=$(awk -v pid="$a" '$2 == pid { print $1 }' ps.out)

"$QUIZ" --attach >several.out 2>several.err
is "$?" 125 "--attach with two runs and no RUN: 125"
contains several.err "^quiz: --attach: 2 runs are running \([A-Za-z0-9]{6}, [A-Za-z0-9]{6}\); name one: quiz --attach RUN$" \
	"in one line that names them"
is "$(wc -l <several.err)" 1 "one line"

"$QUIZ" --attach nosuch -- true >unknown.out 2>unknown.err
is "$?" 125 "--attach of an unknown RUN: 125"
is "$(cat unknown.err)" "quiz: --attach: no run nosuch is running; quiz --ps lists the running ones" \
	"in one line"
"$QUIZ" --attach "$run" true >dashes.out 2>dashes.err
is "$?" 125 "--attach RUN COMMAND without --: 125"
is "$(cat dashes.err)" "quiz: --attach $run true: put -- before the command: quiz --attach $run -- COMMAND" \
	"in one line that shows how"
"$QUIZ" --ps extra >psx.out 2>psx.err
is "$?" 125 "--ps with words after it: 125"

flock "$QUIZ_HOME/runs/run.$run/attach.lock" sleep 5 &
holder=$!
sleep 0.5
"$QUIZ" --attach "$run" -- true >busy.out 2>busy.err
is "$?" 75 "--attach of a run another session holds: 75"
is "$(cat busy.err)" "quiz: run $run has an attached session already" "in one line"
kill "$holder" 2>/dev/null

kill -TERM "$a" "$b"
wait "$a" "$b" 2>/dev/null
is "$(runs_left)" 0 "the runs' folders went with them"
done_testing
