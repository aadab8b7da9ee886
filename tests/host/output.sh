#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz's own outputs: a failed write fails the run; a signal never costs a byte (issue 17).
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

# 17.7: write errors on quiz's stdout and stderr
FAKE_QEMU_SCENARIO='text stdout hello;status 0' "$QUIZ" true >/dev/full 2>err
is "$?" 125 "17.7: output to a full stdout (>/dev/full) fails the run: 125"
is "$(grep -c . err)" 1 "17.7: with one line on stderr"
grep -q '^quiz: .*stdout.*No space left on device' err
ok $? "17.7: which says what failed and why" "$(cat err)"

FAKE_QEMU_SCENARIO='text stderr oops;status 0' "$QUIZ" true 2>/dev/full
is "$?" 125 "17.7: output to a full stderr (2>/dev/full) fails the run: 125"

FAKE_QEMU_SCENARIO='status 4' "$QUIZ" true >/dev/full
is "$?" 4 "17.7: a program that writes nothing still exits with its status on a full stdout"

FAKE_QEMU_SCENARIO='write stdout 10000000;status 0' "$QUIZ" true 2>err | head -c 10 >/dev/null
is "${PIPESTATUS[0]}" 141 "17.7: a reader that leaves (| head) still ends the run as a pipeline: 141"
is "$(cat err)" "" "17.7: quietly"

# Queued output never holds the run: a reader that never reads still lets -t and SIGTERM work.
mkfifo stalled
exec 3<>stalled
FAKE_QEMU_SCENARIO='write stdout 10000000;status 0' "$QUIZ" -t 2 true >stalled 2>err
is "$?" 124 "a reader that never reads does not keep -t from ending the run"
FAKE_QEMU_SCENARIO='write stdout 10000000;status 0' "$QUIZ" true >stalled 2>err &
q=$!
sleep 1
kill -TERM "$q"
wait_exit "$q" 5
is "$?" 143 "nor SIGTERM"
exec 3>&-

# 17.8: signals while output is being written. The reader goes slower than the guest writes,
# so quiz's writes wait for the pipe while the signals come.
size=20000000
"$FAKE_QEMU" --pattern "$size" >expected
# flood SIGNAL PID: send SIGNAL to PID until it exits
flood() { while kill "-$1" "$2" 2>/dev/null; do :; done; }
# slow_reader: 64 KiB every 10 ms from the pipe into got (6 MB/s)
slow_reader() {
	python3 -c 'import sys, time
out = open("got", "wb")
with open("pipe", "rb", buffering=0) as f:
    while True:
        data = f.read(65536)
        if not data:
            break
        out.write(data)
        time.sleep(0.01)'
}
relay_under() { # relay_under SIGNAL SCENARIO QUIZ-ARGS...: output through a pipe, SIGNAL meanwhile
	local signal=$1 scenario=$2
	shift 2
	rm -f pipe got
	mkfifo pipe
	if [ "${reader:-}" = slow ]; then slow_reader & else (sleep 0.3; dd if=pipe of=got bs=4096 status=none) & fi
	local reader=$!
	FAKE_QEMU_SCENARIO=$scenario "$QUIZ" "$@" >pipe 2>err </dev/null &
	local q=$!
	flood "$signal" "$q"
	wait "$q"
	local status=$?
	wait "$reader"
	return "$status"
}

relay_under CHLD "write stdout $size;status 0" -r raw true
is "$?" 0 "17.8: raw mode, SIGCHLD in a loop while 20 MB are written: exit 0"
cmp -s expected got
ok $? "17.8: raw mode, SIGCHLD in a loop: every byte arrives" \
	"sizes: $(stat -c %s expected) vs $(stat -c %s got)"

# QEMU exiting while quiz still writes what it sent: its own SIGCHLD must not cost the chunk
# being written either (no status here: 125, but the output is whole).
"$FAKE_QEMU" --pattern 2000000 >expected.2m
reader=slow relay_under 0 "write stdout 2000000;exit 0" -r raw true
is "$?" 125 "17.8: QEMU exits (SIGCHLD) without a status while quiz still writes: 125"
cmp -s expected.2m got
ok $? "17.8: QEMU exits (SIGCHLD) while quiz still writes: every byte it sent arrives" \
	"sizes: $(stat -c %s expected.2m) vs $(stat -c %s got)"

relay_under WINCH "write tty $size;status 0" -r tmux
is "$?" 0 "17.8: tmux mode, SIGWINCH in a loop while 20 MB are written: exit 0"
cmp -s expected got
ok $? "17.8: tmux mode, SIGWINCH in a loop: every byte arrives" \
	"sizes: $(stat -c %s expected) vs $(stat -c %s got)"

# 27.9: what goes to stdout without a VM (listings, --dry-run) or after many (a matrix's table)
# fails the command when it does not get out.
printf '[a]\nkernel = 6.1\nprogram = true\n[b]\nkernel = 6.1\nprogram = true\n' >two.ini
for cmd in "--list-profiles" "--dry-run true" "--targets two.ini --list" "--help" \
	"--targets two.ini" "-k 6.1 --tap true"; do
	# shellcheck disable=SC2086
	FAKE_QEMU_SCENARIO='status 0' "$QUIZ" $cmd >/dev/full 2>err
	is "$?" 125 "27.9: quiz $cmd >/dev/full: 125"
	contains err '^quiz: writing (to stdout|the runs. output) failed: ' \
		"27.9: quiz $cmd >/dev/full: one line says so"
done
"$(dirname "$QUIZ")/quiz-kernel" list >/dev/full 2>err
is "$?" 1 "27.9: quiz-kernel list >/dev/full: 1"
contains err '^quiz-kernel: writing to stdout failed: No space left on device$' "27.9: and says so"

# 27.9: a matrix holds at most 1 MiB of a run's output, in memory and in JUnit, and says where
# the whole is; its capture folder is in TMPDIR.
FAKE_QEMU_SCENARIO='write stdout 3000000;status 0' "$QUIZ" -k 6.1 --junit j.xml \
	--results results true >/dev/null 2>err
is "$?" 0 "27.9: a matrix run writing 3 MB passes"
size=$(stat -c %s j.xml 2>/dev/null || echo 0)
ok "$([ "$size" -gt 1000000 ] && [ "$size" -lt 1100000 ]; echo $?)" "27.9: its JUnit file holds 1 MiB of it ($size bytes)"
contains j.xml '^\[quiz: 1951424 bytes cut here; the whole is in results/6\.1\.1/stdout\]$' \
	"27.9: and says how much was cut and where the whole is"
is "$(stat -c %s results/6.1.1/stdout)" 3000000 "27.9: where the whole is"
TMPDIR=$scratch/no-such-dir FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -k 6.1 --tap true >/dev/null 2>err
is "$?" 125 "27.9: a matrix without --results makes its capture folder in TMPDIR"
contains err "^quiz: cannot make a folder for the runs' output: No such file or directory\$" \
	"27.9: and says when it cannot"

done_testing
