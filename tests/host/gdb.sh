#!/bin/bash
# SPDX-License-Identifier: MIT
# The gdb profile: each run its own free port, and the attach command it prints is QEMU's.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

printed_port() { sed -n "s/.*target remote 127\.0\.0\.1:\([0-9]*\)'.*/\1/p" "$1"; }
qemu_ports() { # the -gdb ports the fake QEMUs got, one a line, sorted
	grep -h -A1 '^arg -gdb$' "$FAKE_QEMU_LOG_DIR"/qemu.* | sed -n 's/^arg tcp:127\.0\.0\.1://p' | sort
}

# Two runs at once, each holding its stub's port for 2 s (the fake binds it as QEMU does).
FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb true 2>one.err &
a=$!
FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb true 2>two.err &
b=$!
wait "$a"
is "$?" 0 "17.17: the first of two concurrent -p gdb runs exits 0" "$(cat one.err)"
wait "$b"
is "$?" 0 "17.17: the second exits 0 too (not 125 for a port in use)" "$(cat two.err)"
p1=$(printed_port one.err) p2=$(printed_port two.err)
[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]
ok $? "17.17: each prints an attach command with its own port" "$(cat one.err two.err)"
is "$(qemu_ports | paste -sd' ')" "$(printf '%s\n' "$p1" "$p2" | sort | paste -sd' ')" \
	"17.17: the ports printed are the ones QEMU's -gdb got"

# An explicit port is kept.
rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -p gdb:port=4321 true 2>explicit.err
is "$?" 0 "-p gdb:port=4321 exits 0"
is "$(printed_port explicit.err)" 4321 "17.17: an explicit port= is the one printed"
is "$(qemu_ports)" 4321 "17.17: ... and the one QEMU gets"

FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -p gdb:port=12ab true 2>bad.err
is "$?" 125 "a port that is not a number is refused: 125"
grep -q 'port=12ab' bad.err
ok $? "with a line that names it" "$(cat bad.err)"

done_testing
