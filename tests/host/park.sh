#!/bin/bash
# SPDX-License-Identifier: MIT
# The park point against the fake QEMU: a save and a restore whose QEMU never answers QMP end at
# once on a stop signal and at -t; a restored guest that could not reseed its randomness is
# booted again, cold, and its state is gone.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

ms() { date +%s%3N; }
test_no_runs() { [ "$(runs_left)" = 0 ]; }

# The first run of a kernel and layout says where its state goes (-v) and marks the slot seen:
# the next run saves.
"$QUIZ" -v true 2>first.err
state=$(sed -n 's/^quiz: VM state: none at \(.*\); a cold boot: the first run.*/\1/p' first.err)
[ -n "$state" ]
ok $? "a first run names its state's path (-v)" "$(cat first.err)"
console=${state%.state}.console

in_qmp_wait() { grep -qs '^qmp qmp_capabilities$' "$FAKE_QEMU_LOG_DIR"/qemu.*; }

# run_stopped NAME SIGNAL|- STATUS MS: quiz with FAKE_QEMU_SCENARIO(_RESTORED) as set. With a
# SIGNAL, sent once quiz waits for QEMU's QMP (-t 60): quiz must exit with STATUS within MS of it.
# Without (-t 2): within MS of its start. Then nothing may be left.
run_stopped() {
	local name=$1 sig=$2 want=$3 within=$4 t0 took q timeout=60
	[ "$sig" != - ] || timeout=2
	rm -f "$FAKE_QEMU_LOG_DIR"/*
	t0=$(ms)
	"$QUIZ" -t "$timeout" true >"$name.out" 2>"$name.err" &
	q=$!
	if [ "$sig" != - ]; then
		wait_for 20 in_qmp_wait
		ok $? "$name: quiz waits for QEMU's QMP" "$(cat "$name.err")"
		t0=$(ms)
		kill "-$sig" "$q"
	fi
	wait_exit "$q" 70
	is "$?" "$want" "$name: exits $want" "$(cat "$name.err")"
	took=$(($(ms) - t0))
	[ "$took" -lt "$within" ]
	ok $? "$name: within $within ms (took $took ms)" "$(cat "$name.err")"
	wait_for 2 none_left fake-qemu
	ok $? "$name: no QEMU is left"
	wait_for 2 test_no_runs
	ok $? "$name: no run directory is left" "$(ls "$QUIZ_HOME/runs")"
	is "$(find "$QUIZ_HOME/states" -name '*.tmp' | wc -l)" 0 "$name: no part of a state is left"
}

# A save: the guest parks, quiz asks QEMU to migrate (60 s at most); QEMU never answers.
export FAKE_QEMU_SCENARIO='qmp-silent;park;status 0'
run_stopped "save, SIGTERM" TERM 143 1500
grep -q '^arg -incoming' "$FAKE_QEMU_LOG_DIR"/qemu.* 2>/dev/null
ok $((!$?)) "the save run was a cold boot (no -incoming)"
run_stopped "save, SIGINT" INT 130 1500
run_stopped "save, -t 2" - 124 9000
grep -q 'timed out after 2 s' "save, -t 2.err"
ok $? "save, -t 2: says it timed out" "$(cat "save, -t 2.err")"
[ ! -e "$state" ]
ok $? "no state was saved by the stopped saves"

# A restore: a state planted where the run looks for one; quiz waits for QEMU to say the VM
# runs (30 s at most); QEMU never answers.
echo "fake state" >"$state"
: >"$console"
export FAKE_QEMU_SCENARIO_RESTORED='qmp-silent;park;status 0'
run_stopped "restore, SIGTERM" TERM 143 1500
grep -q '^arg -incoming' "$FAKE_QEMU_LOG_DIR"/qemu.* 2>/dev/null
ok $? "the run restored the planted state (-incoming)"
run_stopped "restore, SIGHUP" HUP 129 1500
run_stopped "restore, -t 2" - 124 9000
is "$(ls "$FAKE_QEMU_LOG_DIR" | wc -l)" 1 "restore, -t 2: QEMU started once (no cold boot after a timeout)"

# A save that works: the fake's QMP writes the state; the next run restores it.
rm -f "$state" "$console"
export FAKE_QEMU_SCENARIO='qmp;park;status 0'
"$QUIZ" -v true 2>save.err
is "$?" 0 "a save run exits 0" "$(cat save.err)"
is "$(cat "$state" 2>/dev/null)" "fake-state " "it saved the state (the fake QEMU's bytes)" "$(cat save.err)"

# 12a: the restored guest cannot reseed its randomness from the go: it says so instead of
# "resumed" (an error status) and powers off; quiz boots again, cold, without the state.
rm -f "$FAKE_QEMU_LOG_DIR"/*
export FAKE_QEMU_SCENARIO_RESTORED="qmp;park -;error the kernel's randomness could not be reseeded from the host's go: Invalid argument;exit 0"
export FAKE_QEMU_SCENARIO='qmp;park;text stdout cold;status 3'
"$QUIZ" -v true >unseeded.out 2>unseeded.err
is "$?" 3 "unseeded restore: the program's status from the cold boot" "$(cat unseeded.err)"
is "$(cat unseeded.out)" cold "unseeded restore: its output is the cold boot's"
starts=$(grep -l '^arg -incoming' "$FAKE_QEMU_LOG_DIR"/qemu.* | wc -l)/$(ls "$FAKE_QEMU_LOG_DIR" | wc -l)
is "$starts" 1/2 "unseeded restore: QEMU started twice, the first restoring"
grep -q "did not restore (the guest could not go on from it); booting cold" unseeded.err
ok $? "unseeded restore: -v says why it boots cold" "$(cat unseeded.err)"
grep -q "randomness" unseeded.err
ok $((!$?)) "unseeded restore: the refusal is no error of the run's" "$(cat unseeded.err)"
[ ! -e "$state" ] && [ ! -e "$console" ]
ok $? "unseeded restore: the state is gone"

# A save run whose guest then refuses to go on: the run fails (the guest's words), no state kept.
export FAKE_QEMU_SCENARIO="qmp;park -;error the kernel's randomness could not be reseeded from the host's go: Invalid argument;exit 0"
"$QUIZ" true >save-unseeded.out 2>save-unseeded.err
is "$?" 125 "unseeded save: 125"
grep -q "could not be reseeded" save-unseeded.err
ok $? "unseeded save: says why" "$(cat save-unseeded.err)"
[ ! -e "$state" ]
ok $? "unseeded save: the state is not kept"

done_testing
