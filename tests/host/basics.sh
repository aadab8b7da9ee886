#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz against the fake QEMU: exit codes, exact bytes both ways, console, failures, timeouts.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

FAKE_QEMU_SCENARIO='console booting;text stdout hello;text stderr to-stderr;status 3' \
	"$QUIZ" true >out 2>err
is "$?" 3 "the program's status is quiz's status"
is "$(cat out)" hello "stdout carries the guest's stdout"
is "$(cat err)" to-stderr "stderr carries the guest's stderr only (no console without -v)"

FAKE_QEMU_SCENARIO='console booting;status 0' "$QUIZ" -v true >out 2>err
grep -q '^booting' err
ok $? "-v shows the console on stderr" "$(cat err)"

"$FAKE_QEMU" --pattern 3000000 >expected
FAKE_QEMU_SCENARIO='write stdout 3000000;status 0' "$QUIZ" true >got
is "$?" 0 "3 MB of output: exit 0"
cmp -s expected got
ok $? "3 MB of output arrive byte for byte" "sizes: $(stat -c %s expected) vs $(stat -c %s got)"

FAKE_QEMU_SCENARIO='echo;status 0' "$QUIZ" cat <expected >got
is "$?" 0 "stdin echoed back: exit 0"
cmp -s expected got
ok $? "stdin reaches the guest and comes back, EOF included"

FAKE_QEMU_SCENARIO='write stdout 3000000;status 0' "$QUIZ" true | (sleep 1; cat) >got
is "${PIPESTATUS[0]}" 0 "a reader that starts late: exit 0"
cmp -s expected got
ok $? "a reader that starts late gets every byte"

FAKE_QEMU_SCENARIO='error the program could not start' "$QUIZ" true 2>err
is "$?" 125 "a guest error gives 125"
grep -q 'the program could not start' err
ok $? "with the guest's words" "$(cat err)"

FAKE_QEMU_SCENARIO='console Kernel panic - not syncing: fake;signal KILL' "$QUIZ" true 2>err
is "$?" 125 "QEMU killed without a status gives 125"
grep -q 'panicked' err
ok $? "a panic on the console is named" "$(cat err)"

FAKE_QEMU_SCENARIO='hang' "$QUIZ" -t 1 true 2>err
is "$?" 124 "-t 1 against a guest that hangs: 124"

FAKE_QEMU_SCENARIO='ignore TERM;hang' "$QUIZ" true 2>err &
q=$!
wait_for 10 running fake-qemu
kill -TERM "$q"
wait_exit "$q" 5
is "$?" 143 "SIGTERM during the run stops the VM: 143"
wait_for 3 none_left fake-qemu
ok $? "no QEMU is left (it ignored SIGTERM; quiz kills it)"
is "$(runs_left)" 0 "no run directory is left"

done_testing
