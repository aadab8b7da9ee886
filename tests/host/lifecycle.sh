#!/bin/bash
# SPDX-License-Identifier: MIT
# What a run leaves behind: children of a killed matrix quiz, an interrupted set-up, leaked fds.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

ms() { date +%s%3N; }
test_no_runs() { [ "$(runs_left)" = 0 ]; }

# 17.9: kill -9 of a matrix quiz takes its children and their VMs along.
fake_kernel 6.1.2
# (--results: a matrix quiz killed by SIGKILL cannot remove its own output folder.)
FAKE_QEMU_SCENARIO='ignore TERM;hang' "$QUIZ" -k 6.1.1,6.1.2 -j 2 --results "$scratch/results" true \
	>matrix.out 2>matrix.err &
q=$!
wait_for 20 running fake-qemu 2
ok $? "17.9: a matrix run of two kernels starts two VMs" "$(cat matrix.err)"
kill -9 "$q"
wait "$q" 2>/dev/null
wait_for 5 none_left fake-qemu
ok $? "17.9: after kill -9 of the matrix quiz no QEMU is left" "$(ps -o pid,args -p "$(ours fake-qemu | paste -sd,)" 2>&1)"
wait_for 5 none_left "$QUIZ"
ok $? "17.9: nor any of its quiz children" "$(ps -o pid,args -p "$(ours "$QUIZ" | paste -sd,)" 2>&1)"
wait_for 5 test_no_runs
ok $? "17.9: the children cleaned up: no run directory is left" "$(ls "$QUIZ_HOME/runs")"
for p in $(ours .); do kill -9 "$p" 2>/dev/null; done # whatever survived a failing check

# 17.10: a FIFO as the program (outside the current directory: it would be copied) blocked the
# set-up in its open(); now it is refused before anything opens it.
mkdir -p outside work
mkfifo outside/prog
(
	cd work || exit 1
	exec "$QUIZ" ../outside/prog 2>../fifo.err
) &
q=$!
wait_exit "$q" 5
is "$?" 126 "17.10: a FIFO as the program is refused at once, as a shell would: 126"
is "$(cat fifo.err)" "quiz: ../outside/prog: not a regular file, so not a program; name a file" \
	"17.10: one line says why"
is "$(runs_left)" 0 "17.10: no run directory is left after the FIFO"
none_left fake-qemu
ok $? "17.10: no QEMU was started"

# 17.10: a slow host hook, stopped by SIGINT.
mkdir -p profiles/slow
printf '[profile]\ndescription = a host hook that takes its time\n' >profiles/slow/profile.ini
printf '#!/bin/sh\nsleep 100\n' >profiles/slow/host-hook
chmod +x profiles/slow/host-hook
"$QUIZ" --profile-dir "$scratch/profiles" -p slow true 2>hook.err &
q=$!
wait_for 10 running 'sleep 100'
ok $? "17.10: the slow host hook runs" "$(cat hook.err)"
t0=$(ms)
kill -INT "$q"
wait_exit "$q" 5
is "$?" 130 "17.10: SIGINT while a host hook runs: 130"
took=$(($(ms) - t0))
[ "$took" -lt 2000 ]
ok $? "17.10: within 2 s (took ${took} ms)"
wait_for 2 none_left 'sleep 100'
ok $? "17.10: the hook and its children are gone" "$(ps -o pid,args -p "$(ours 'sleep 100' | paste -sd,)" 2>&1)"
is "$(runs_left)" 0 "17.10: no run directory is left after the hook"
none_left fake-qemu
ok $? "17.10: no QEMU was started after the hook"

# 27.11: kill -9 of quiz while a host hook runs takes the hook along, and what the hook started
# (they would go on in a run folder the next quiz removes).
mkdir -p profiles/stuck
printf '[profile]\ndescription = a host hook that never ends\n' >profiles/stuck/profile.ini
printf '#!/bin/sh\nsleep 300 &\necho "$$ $!" >"$QUIZ_HOME/stuck.pids"\nwait\n' >profiles/stuck/host-hook
chmod +x profiles/stuck/host-hook
"$QUIZ" --profile-dir "$scratch/profiles" -p stuck true 2>stuck.err &
q=$!
wait_for 10 test -s "$QUIZ_HOME/stuck.pids"
ok $? "27.11: the host hook runs, and its child" "$(cat stuck.err)"
read -r hook child <"$QUIZ_HOME/stuck.pids"
alive() { # a process, not a zombie (pid 1 may not reap here)
	[ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}
both_gone() { ! alive "$hook" && ! alive "$child"; }
kill -9 "$q"
wait "$q" 2>/dev/null
t0=$(ms)
while ! both_gone && [ $(($(ms) - t0)) -lt 1000 ]; do sleep 0.05; done
both_gone
ok $? "27.11: within a second of quiz's SIGKILL the hook and its child are gone" \
	"$(ps -o pid,stat,args -p "$hook,$child" 2>&1)"
for p in "$hook" "$child"; do kill -9 "$p" 2>/dev/null; done # whatever survived a failing check
"$QUIZ" true 2>/dev/null # collects the killed run's folder
is "$(runs_left)" 0 "27.11: the next quiz removes the killed run's folder"

# 27.10, 27.11: decoding a report answers a stop signal at once, and its tools die with quiz.
# The kernel gets a System.map naming the report's frame and a vmlinux; addr2line sleeps.
kdir=$QUIZ_HOME/kernels/x86_64/$(readlink "$QUIZ_HOME/kernels/x86_64/6.1.2") # the newest: the one booted
cp /bin/true "$kdir/vmlinux"
printf "ffffffff81000000 T quiz_slow_frame\nffffffff81001000 T kernel_init\n" >"$kdir/System.map"
mkdir -p slowbin
printf '#!/bin/sh
echo $$ >"%s/addr2line.pid"
exec sleep 30
' "$scratch" >slowbin/addr2line
chmod +x slowbin/addr2line
warn='console [    2.000000] WARNING: CPU: 0 PID: 1 at x.c:1 quiz_slow_frame+0x1/0x2;console [    2.000001]  quiz_slow_frame+0x1/0x2;console [    2.000002] ---[ end trace 0000000000000000 ]---'
rm -f addr2line.pid
PATH=$scratch/slowbin:$PATH FAKE_QEMU_SCENARIO="$warn;status 0" "$QUIZ" true </dev/null >decode.out 2>decode.err &
q=$!
t0=$(ms)
while [ ! -s addr2line.pid ] && [ $(($(ms) - t0)) -lt 10000 ]; do sleep 0.05; done
tool=$(cat addr2line.pid 2>/dev/null)
ok "$([ -n "$tool" ]; echo $?)" "27.10: the decoder runs addr2line" "$(cat decode.err)"
t1=$(ms)
kill -INT "$q"
wait "$q"
status=$?
elapsed=$(($(ms) - t1))
is "$status" 130 "27.10: SIGINT while a report is decoded: 130"
ok "$([ "$elapsed" -lt 2000 ]; echo $?)" "27.10: at once, not after the tool's 30 s (${elapsed} ms)"
contains decode.err '^quiz: stopped by signal 2 \(Interrupt\) while showing the kernel.s reports$' \
	"27.10: one line says so"
contains decode.err 'quiz_slow_frame\+0x1/0x2$' "27.10: the report is shown, its frame undecoded"
ok "$([ -n "$tool" ] && ! alive "$tool"; echo $?)" "27.11: the decoder's tool is gone with the run"
kill -9 "$tool" 2>/dev/null
rm -f "$kdir/vmlinux" "$kdir/System.map"

# 17.13: descriptors quiz inherited (7 here) or opened reach neither QEMU nor a host hook.
rm -f "$FAKE_QEMU_LOG_DIR"/*
mkdir -p profiles/fds
printf '[profile]\ndescription = reports its open descriptors\n' >profiles/fds/profile.ini
printf '#!/bin/sh\nexec "$FAKE_QEMU" --fds >"$QUIZ_HOME/hook-fds"\n' >profiles/fds/host-hook
chmod +x profiles/fds/host-hook
exec 7>"$scratch/seven"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" --profile-dir "$scratch/profiles" -p fds true 2>fds.err
is "$?" 0 "17.13: a run with fd 7 open exits 0"
exec 7>&-
is "$(grep -h '^fds ' "$FAKE_QEMU_LOG_DIR"/qemu.* 2>/dev/null)" "fds 0 1 2" \
	"17.13: QEMU starts with only 0, 1 and 2 open"
is "$(cat "$QUIZ_HOME/hook-fds" 2>/dev/null)" "0 1 2" "17.13: a host hook starts with only 0, 1 and 2 open"

done_testing
