#!/bin/bash
# SPDX-License-Identifier: MIT
# --each against the fake QEMU (every guest prints the same, so the list is "t1 t2 t3" and each
# test passes): the progress line on a terminal and never in a file, --list of the tests,
# a list with more than a name can hold, and bad input refused in one line with nothing left.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
printf '#!/bin/sh\n' >list && cp list suite && chmod +x list suite # the guest's stand-ins
export FAKE_QEMU_SCENARIO='text stdout t1;text stdout t2;text stdout t3;status 0'
left() { runs_left; }
before=$(left)

"$QUIZ" -j 2 --each --list-cmd './list' ./suite {} </dev/null >out 2>err
is "$?" 0 "three tests pass"
is "$(grep -c '^==> ' out)" 3 "a group a test" "$(cat out err)"
contains out '^3 passed, 0 failed$' "the table counts the tests"
is "$(grep -c $'\033' err)" 0 "no progress line when stderr is not a terminal" "$(cat -v err)"

# On a terminal: the progress line, rewritten in place and cleared at the end.
script -qec "'$QUIZ' -j 2 --each --list-cmd ./list ./suite {} 2>&1 >/dev/null" /dev/null \
	</dev/null >tty.out
contains tty.out $'\\[2/3\\] 0 failed, 1 running' "on a terminal: [done/total] failed, running"
contains tty.out $'\\[1/3\\] 0 failed, [0-9] running, about [0-9]+m[0-9]{2}s left' "... and the time left once a test ended"
contains tty.out $'\r\033\\[K$' "... cleared at the end"

"$QUIZ" --each --list --list-cmd './list' ./suite {} </dev/null >list.txt 2>err
is "$(cut -d' ' -f1 list.txt | tr '\n' ' ')" "t1 t2 t3 " "--each --list: the tests, booting only the list's VM" "$(cat err)"

# A test whose fork fails is a vm-error (125), never the pass of a run that was not judged.
if [ -n "${FAIL_FORK:-}" ] && [ -e "$FAIL_FORK" ]; then
	FAIL_FORK_AFTER=1 LD_PRELOAD=$FAIL_FORK "$QUIZ" --each --list-cmd ./list ./suite {} \
		</dev/null >out 2>err
	is "$?" 125 "a fork that fails: 125" "$(cat out err)"
	contains out '^0 passed, 3 failed$' "... each test unrun is a failure"
	contains err '^quiz: fork: Resource temporarily unavailable$' "... said"
else
	ok 0 "# SKIP no fork-failing shim: meson sets FAIL_FORK"
fi

# The same --results folder again: the earlier run's files, shared/ and attempt-K/ give way.
"$QUIZ" --each --results res --list-cmd ./list ./suite {} </dev/null >out 2>err
is "$?" 0 "--results: a first run" "$(cat err)"
mkdir -p res/6.1.1/t1/attempt-1
"$QUIZ" --each --retries 0 --results res --list-cmd ./list ./suite {} </dev/null >out 2>err
is "$?" 0 "--results DIR again: every test passes again" "$(cat out err)"
contains out '^3 passed, 0 failed$' "... as pass, not flaky"
ok "$([ ! -e res/6.1.1/t1/attempt-1 ]; echo $?)" "... and the earlier attempt-1/ is gone"

# --merge takes back what --results wrote, a test named a..b too (a '.' inside a name stays).
FAKE_QEMU_SCENARIO='text stdout a..b;status 0' "$QUIZ" --each --results dots \
	--list-cmd ./list ./suite {} </dev/null >out 2>err
is "$?" 0 "a test named a..b passes" "$(cat err)"
"$QUIZ" --merge dots </dev/null >out 2>err
is "$?" 0 "--merge of it" "$(cat err)"
contains out '^1 passed, 0 failed$' "... reports it"
printf '../x\n' >dots/runs
"$QUIZ" --merge dots </dev/null >out 2>err
is "$?" 125 "--merge refuses a folder above DIR"
contains err "^quiz: --merge dots: a bad line in dots/runs: not a folder under it$" "... in one line"

# A stop signal while the list's VM runs: the VM stops, quiz exits 128+S, nothing is left.
for sig in INT TERM; do
	FAKE_QEMU_SCENARIO=hang "$QUIZ" --each --list-cmd ./list ./suite {} </dev/null >out 2>err &
	q=$!
	wait_for 20 running fake-qemu
	ok $? "SIG$sig: the list's VM runs" "$(cat err)"
	kill -"$sig" "$q"
	wait_exit "$q" 10
	is "$?" $((128 + $(kill -l "$sig"))) "SIG$sig while the list's VM runs: 128+S" "$(cat err)"
	contains err "^quiz: stopped by signal $(kill -l "$sig"); the list command was stopped$" \
		"... said once"
	wait_for 5 none_left fake-qemu
	ok $? "... its QEMU is gone"
	is "$(ls -A "$TMPDIR" | grep -c '^quiz-list\.')" 0 "... and the list's folder"
done

# Bad input: one line, exit 125, nothing left behind.
bad() { # bad WANT-LINE ARGS...
	local want=$1
	shift
	"$QUIZ" "$@" </dev/null >out 2>err
	is "$?" 125 "refused: $*"
	is "$(cat err)" "$want" "... in one line"
}
bad "quiz: --retries goes with --each (each test of a suite in its own VM)" --retries 2 ./suite
bad "quiz: --each needs the suite's list command: --list-cmd 'CMD' (quiz knows run_kselftest.sh and fstests' check without one)" \
	--each ./suite
bad "quiz: --rerun-failed nowhere: cannot read nowhere/failed (No such file or directory); it is written by a --each run with --results nowhere" \
	--each --rerun-failed nowhere ./suite
printf 'ok\nbad\001\n' >known.txt
bad "quiz: known.txt line 2: a control character; write one test a line: PATTERN [WHY]" \
	--each --known-failures known.txt --list-cmd ./list ./suite
bad "quiz: --merge reports earlier runs and runs nothing: quiz --merge DIR [--merge DIR...] [--junit FILE] [--tap] [--results DIR]" \
	--merge x ./suite
bad "quiz: --merge nothing: cannot read nothing/runs (No such file or directory); quiz writes it with --results nothing" \
	--merge nothing
FAKE_QEMU_SCENARIO='text stdout ok;text stderr no such suite;status 2' \
	bad "quiz: 6.1.1: the suite's list command (./list) exited 2: no such suite; quiz --each runs what it lists (give --list-cmd for another)" \
	--each --list-cmd ./list ./suite
FAKE_QEMU_SCENARIO=$'text stdout t1\xc2\x9b2J;status 0' \
	bad "quiz: 6.1.1: the generic's list: line 1: a control character; a test's name is one line of UTF-8 without control characters" \
	--each --list --list-cmd ./list ./suite
FAKE_QEMU_SCENARIO='write stdout 16777300 1048576;status 0' \
	bad "quiz: 6.1.1: the list command printed more than 16 MiB" --each --list-cmd ./list ./suite
# A targets file: a target with list = CMD runs each of its tests in its own VM (the whole file
# is then --each's); --list alone lists the targets and boots nothing.
printf '[suite-a]\nkernel = 6.1\nprogram = ./suite --run {}\nlist = ./list\n\n[suite-b]\nkernel = 6.1\nprogram = ./suite\nlist = ./list --quick\n' >quiz.ini
"$QUIZ" --targets quiz.ini -j 2 --results tres </dev/null >out 2>err
is "$?" 0 "a targets file with list = CMD: every test passes" "$(cat err)"
is "$(python3 -c 'import json; print(" ".join(r["target"] + ":" + r["name"] for r in json.load(open("tres/summary.json"))["runs"]))')" \
	"suite-a:t1 suite-a:t2 suite-a:t3 suite-b:t1 suite-b:t2 suite-b:t3" "... each target's tests, a run each, in file order"
"$QUIZ" --targets quiz.ini --shard 2/4 --results tshard </dev/null >out 2>err
is "$(python3 -c 'import json; print(" ".join(r["target"] + ":" + r["name"] for r in json.load(open("tshard/summary.json"))["runs"]))')" \
	"suite-a:t2 suite-b:t3" "--shard 2/4 slices the targets' tests, not the targets"
"$QUIZ" --targets quiz.ini --list </dev/null >list.txt 2>err
is "$(cut -d' ' -f1 list.txt | tr '\n' ' ')" "suite-a suite-b " "--targets --list lists the targets, booting nothing"
FAKE_QEMU_SCENARIO='text stdout # nothing here;status 0' \
	bad "quiz: 6.1.1: the generic suite listed no test; check what chooses the tests (its -c, -g, or the list command)" \
	--each --list-cmd ./list ./suite
is "$(left)" "$before" "no run directory left behind"
is "$(ls -A "${TMPDIR:-/tmp}" | grep -c '^quiz-\(list\|matrix\)\.')" 0 "no temporary folder left behind"
done_testing
