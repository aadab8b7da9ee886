#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 27.6-7 in a real guest: 9 MiB written to the console (one endless line), then a WARN:
# console.log keeps its first and last 4 MiB and says where it cut, and the WARN is found and
# fails the passing run. Suite vm-extra: a guest's console takes about 60 KB/s under TCG here,
# so this costs about two minutes; tests/host/console.sh shows the same with the fake QEMU
# in seconds, in CI.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
mib=9
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw --cold --keep sh -c "
	head -c $((mib << 20)) /dev/zero | tr '\\0' x >/dev/console; echo >/dev/console
	sleep 1 # the flood drains first: a full console queue drops what printk writes
	printf 'WARNING: CPU: 0 PID: 1 at x.c:1 after_flood+0x1/0x2\\n---[ end trace 0 ]---\\n' >/dev/kmsg
	sleep 1" </dev/null >out 2>err
is "$?" 123 "a WARN after $mib MiB of console: 123"
contains err 'kernel report \(warning\): .*after_flood' "and it is the one reported"
kept=$(sed -n 's/^quiz: run directory kept: //p' err)
size=$(stat -c %s "$kept/console.log" 2>/dev/null || echo 0)
ok "$([ "$size" -ge $((8 << 20)) ] && [ "$size" -le $(((8 << 20) + 4096)) ]; echo $?)" \
	"console.log keeps its first and last 4 MiB ($size bytes)"
contains "$kept/console.log" '^\[quiz: [0-9]+ bytes of the console cut here: console.log keeps its first and last 4 MiB\]$' \
	"and says where it was cut"
is "$(head -c 16 "$kept/console.log")" xxxxxxxxxxxxxxxx "its head is the console's first bytes (the flood)"
contains "$kept/console.log" 'after_flood' "its tail the end of the run"
rm -rf "$kept"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
