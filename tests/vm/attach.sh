#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz --ps and --attach on a running run (restored from a saved VM state): a command's
# processes, bytes and status; a shell without a tty and one with; one session at a time; the
# run's own output and status untouched; another user's run refused; a tmux-mode run attached.
. "$(dirname "$0")/lib.sh"
need_vm
command -v script >/dev/null || { echo "1..0 # SKIP script (util-linux) not on the host"; exit 0; }
cd "$scratch" || exit 1
K=$QUIZ_TEST_KERNEL
runs_before=$($QUIZ --ps | tail -n +2 | wc -l)
[ "$runs_before" = 0 ] || { echo "1..0 # SKIP other quiz runs are running: --attach needs one"; exit 0; }

# Two runs of the layout first: the third restores from the state the second saved.
$QUIZ -k "$K" true && $QUIZ -k "$K" true
$QUIZ -k "$K" -v sh -c 'echo started; sleep 20; echo done; exit 5' >bg.out 2>bg.err &
bg=$!
for _ in $(seq 120); do
	$QUIZ --ps >ps.out 2>&1
	grep -q "sleep 20" ps.out && break
	sleep 0.25
done
contains ps.out "^[A-Za-z0-9]{6} +$bg +[0-9-]{10} [0-9:]{8} +x86_64 +$K\.[0-9]+ +sh -c 'echo started; sleep 20; echo done; exit 5'$" \
	"--ps lists the run: RUN, quiz's pid, start, arch, kernel, the command shell-quoted"
run=$(awk 'NR == 2 { print $1 }' ps.out)

$QUIZ --attach -- ps -e -o comm >ps-e.out 2>ps-e.err
rc=$?
contains ps-e.out "^sleep$" "--attach -- ps sees the program's processes (sleep)"
is "$rc" 0 "and gives ps's status"

$QUIZ --attach -- sh -c 'echo out; echo err >&2; exit 7' >cmd.out 2>cmd.err
is "$?" 7 "a command's status comes back (7)"
is "$(od -An -c cmd.out)" "$(printf 'out\n' | od -An -c)" "its stdout, exactly"
is "$(od -An -c cmd.err)" "$(printf 'err\n' | od -An -c)" "its stderr, exactly"

printf 'ps -e -o comm\nexit 3\n' | $QUIZ --attach "$run" >shell.out 2>shell.err
is "$?" 3 "a shell without a tty reads its commands from stdin, and its exit status comes back"
contains shell.out "^sleep$" "and sees the program's processes"

# A tty: script gives quiz one; the guest's shell gets a pty with its size and TERM.
(sleep 2; printf 'echo "$TERM $(stty size) $(tty)"\nexit 4\n') |
	TERM=vt100 script -qec "stty rows 33 cols 99; '$QUIZ' --attach" /dev/null >tty.out 2>&1
is "$?" 4 "a shell on a host tty: its status comes back"
contains tty.out "vt100 33 99 /dev/pts/[0-9]" "under a pty with the host's TERM and size"

$QUIZ --attach -- sleep 3 >/dev/null 2>&1 &
holder=$!
sleep 1.5
$QUIZ --attach -- true >busy.out 2>busy.err
rc=$?
wait $holder
is "$rc" 75 "a second session at once is refused with its own status (75)"
is "$(cat busy.err)" "quiz: run $run has an attached session already" "in one line"

if [ "$(id -u)" = 0 ]; then
	user=quiztest$$
	useradd -M -d "$scratch" -s /bin/bash "$user" || { echo "not ok - useradd"; exit 1; }
	trap 'pkill -KILL -u "$user" 2>/dev/null; userdel "$user" 2>/dev/null; rm -rf "$scratch"' EXIT
	mkdir -p other && cp "$QUIZ" other/quiz && chmod -R a+rX other && chmod 0755 "$scratch"
	home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
	runuser -u "$user" -- env -i PATH="$PATH" HOME="$scratch" QUIZ_HOME="$scratch/other/cache" \
		"$scratch/other/quiz" --attach "$home/runs/run.$run" -- true >user.out 2>user.err
	is "$?" 125 "another user's --attach of root's run fails (125)"
	is "$(wc -l <user.err)" 1 "in one line"
	contains user.err "run .* is not yours" "that says the run is not theirs"
else
	echo "ok $((tap_n += 1)) - # SKIP another user's attach: needs root to make the user"
fi

wait $bg
is "$?" 5 "the run's own status is untouched (5)"
is "$(od -An -c bg.out)" "$(printf 'started\ndone\n' | od -An -c)" \
	"the run's own stdout is exactly its program's"
# Another checkout's quiz on this cache puts its own init1 into the image, which voids states.
if grep -q "refreshing init1" bg.err; then
	echo "ok $((tap_n += 1)) - # SKIP restored run: another quiz-init refreshed the image meanwhile"
else
	contains bg.err "VM state: restored" "the run was restored from a saved VM state (the port in it)"
fi
$QUIZ --attach >none.out 2>none.err
is "$?" 125 "--attach with no run running fails (125)"
is "$(cat none.err)" "quiz: --attach: no run of yours is running (quiz --ps lists them)" \
	"in one line"

# tmux mode: the session runs beside tmux's; the command sees the program.
if command -v tmux >/dev/null; then
	sock=$scratch/tmux.sock
	tmux -S "$sock" new-session -d -s t -x 100 -y 30 \
		"'$QUIZ' -k '$K' -r tmux sh -c 'sleep 15; exit 6'; echo \$? >tmux.status; sleep 100"
	for _ in $(seq 120); do
		$QUIZ --ps 2>/dev/null | grep -q "sleep 15" && break
		sleep 0.25
	done
	$QUIZ --attach -- sh -c 'ps -e -o comm; tty; exit 2' >tmux.out 2>&1 </dev/null
	is "$?" 2 "a tmux-mode run attaches: the command's status"
	contains tmux.out "^tmux" "and it sees the run's tmux"
	for _ in $(seq 80); do [ -s tmux.status ] && break; sleep 0.25; done
	is "$(cat tmux.status 2>/dev/null)" 6 "the tmux run's own status is untouched (6)"
	tmux -S "$sock" kill-server 2>/dev/null
fi
# PID 1 blocks SIGIO to watch the port: what it starts, a profile's guest hook and the program
# (tini sets the program's own), blocks no signal.
mkdir -p profiles/sigmask
printf '[profile]\ndescription = the guest hook shows its signal mask\n' >profiles/sigmask/profile.ini
# Python, not a shell: dash and bash clear their mask as they start.
printf '#!/usr/bin/python3\nimport sys\nsys.stderr.write([l for l in open("/proc/self/status") if l.startswith("SigBlk")][0])\n' \
	>profiles/sigmask/guest-hook
chmod +x profiles/sigmask/guest-hook
$QUIZ -k "$K" --profile-dir profiles -p sigmask python3 -c 'print([l for l in open("/proc/self/status") if l.startswith("SigBlk")][0], end="")' \
	</dev/null >sigblk.out 2>sigblk.err
is "$(grep SigBlk sigblk.err)/$(cat sigblk.out)" "$(printf 'SigBlk:\t0000000000000000/SigBlk:\t0000000000000000')" \
	"a guest hook and the program block no signal (PID 1's attach watch does not leak)" "$(cat sigblk.err)"
is "$(runs_left)" 0 "no run folder left behind"
done_testing
