#!/bin/bash
# SPDX-License-Identifier: MIT
# console.log within its cap (issue 27.6-7): 18 MiB of console keep its first and last 4 MiB
# with a line where it was cut, and the report written after them is still found and shown.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

mib=18
warn='console [    2.000000] WARNING: CPU: 0 PID: 1 at x.c:1 after_flood+0x1/0x2;console [    2.000001] ---[ end trace 0000000000000000 ]---'
FAKE_QEMU_SCENARIO="write console $((mib << 20)) 65536;$warn;status 0" "$QUIZ" --keep true \
	</dev/null >out 2>err
is "$?" 123 "27.7: a WARN after $mib MiB of console: 123"
contains err '^quiz: kernel report \(warning\): WARNING: CPU: 0 PID: 1 at x\.c:1 after_flood\+0x1/0x2$' \
	"27.7: and it is the one reported"
kept=$(sed -n 's/^quiz: run directory kept: //p' err)
size=$(stat -c %s "$kept/console.log" 2>/dev/null || echo 0)
ok "$([ "$size" -ge $((8 << 20)) ] && [ "$size" -le $(((8 << 20) + 4096)) ]; echo $?)" \
	"27.6: console.log keeps its first and last 4 MiB ($size bytes)"
contains "$kept/console.log" '^\[quiz: [0-9]+ bytes of the console cut here: console.log keeps its first and last 4 MiB\]$' \
	"27.6: and says where it was cut"
is "$(head -c 32 "$kept/console.log")" "$("$FAKE_QEMU" --pattern 32)" "27.6: its head is the console's first bytes"
contains "$kept/console.log" 'after_flood' "27.6: its tail the last ones"
rm -rf "$kept"

FAKE_QEMU_SCENARIO="write console $((1 << 20)) 65536;status 0" "$QUIZ" --keep true </dev/null >out 2>err
is "$?" 0 "a run with 1 MiB of console passes"
kept=$(sed -n 's/^quiz: run directory kept: //p' err)
is "$(stat -c %s "$kept/console.log" 2>/dev/null)" $((1 << 20)) "27.6: below the cap console.log is whole"
lacks "$kept/console.log" 'cut here' "27.6: and says nothing of a cut"
rm -rf "$kept"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
