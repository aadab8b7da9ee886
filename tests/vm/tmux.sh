#!/bin/bash
# SPDX-License-Identifier: MIT
# tmux mode driven like a person would: a real tty of the host's size that follows the host
# terminal's resizes, a dmesg pane, keys (Ctrl-C included) reaching the guest, the program's
# status back; and -S in raw mode.
. "$(dirname "$0")/lib.sh"
need_vm
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux not installed on the host"; exit 0; }
cd "$scratch" || exit 1
mkdir shared
cat >prog.sh <<'SCRIPT'
#!/bin/bash
echo "tty=$(tty) rows=$(stty size | cut -d' ' -f1)"
trap 'echo got-int >/shared/int; exit 5' INT
echo ready-for-input
while read -r line; do
	case $line in
	size) echo "$(stty size) $(stty -F /dev/hvc0 size)" >/shared/size.new && mv /shared/size.new /shared/size ;;
	reopen) echo via-dev-stdout >/dev/stdout; echo via-dev-stderr >/dev/stderr
		echo done >/shared/reopen ;;
	*) echo "line=$line" >/shared/line ;;
	esac
done
SCRIPT
chmod +x prog.sh
sock=$scratch/tmux.sock
host_tmux() { tmux -S "$sock" "$@"; }
trap 'host_tmux kill-server 2>/dev/null; rm -rf "$scratch"' EXIT

# Poll a pane until every pattern shows, at most SECONDS; the last capture stays in $screen.
wait_screen() {
	local pane=$1 seconds=$2 pattern all
	shift 2
	for _ in $(seq $((seconds * 4))); do
		screen=$(host_tmux capture-pane -p -t "$pane")
		all=1
		for pattern in "$@"; do grep -q -- "$pattern" <<<"$screen" || all=0; done
		[ "$all" = 1 ] && return 0
		sleep 0.25
	done
}
wait_file() { # FILE SECONDS: until it has content
	for _ in $(seq $(($2 * 4))); do [ -s "$1" ] && return 0; sleep 0.25; done
}

host_tmux new-session -d -s t -x 132 -y 40 \
	"'$QUIZ' -k '$QUIZ_TEST_KERNEL' -r tmux --shared shared ./prog.sh; echo \$? >status; sleep 1000"
wait_screen t 60 ready-for-input
grep -q 'tty=/dev/pts/' <<<"$screen"
ok $? "the program has a real tty" "$screen"
grep -q 'rows=40' <<<"$screen"
ok $? "the guest terminal has the host terminal's rows" "$(grep tty= <<<"$screen")"
wait_screen t 5 'quiz-init2: program at'
grep -q '│.*quiz-init2: program at' <<<"$screen"
ok $? "a dmesg pane beside the program shows the kernel log" "$screen"

host_tmux send-keys -t t 'typed in tmux' Enter
wait_file shared/line 10
is "$(cat shared/line 2>/dev/null)" "line=typed in tmux" "keys typed on the host reach the program"
# A resize of the host terminal reaches the guest's terminal, and tmux there follows it. The
# keys and the new size travel apart: ask again until the size shows (or 10 s pass).
host_tmux resize-window -t t -x 100 -y 30
for _ in $(seq 20); do
	host_tmux send-keys -t t size Enter
	sleep 0.5
	grep -q '^29 [0-9]* 30 100$' shared/size 2>/dev/null && break
done
# The pane: the terminal's 30 rows less the guest tmux's status line.
is "$(cut -d' ' -f1,3,4 shared/size 2>/dev/null)" "29 30 100" \
	"after a host resize to 100x30 the guest terminal is 100x30 and tmux there follows"
host_tmux send-keys -t t reopen Enter
wait_file shared/reopen 10
wait_screen t 5 via-dev-stdout via-dev-stderr
grep -q via-dev-stdout <<<"$screen" && grep -q via-dev-stderr <<<"$screen"
ok $? "tmux mode: /dev/stdout and /dev/stderr reopen onto the program's terminal" "$screen"
host_tmux send-keys -t t C-c
wait_file status 20
is "$(cat shared/int 2>/dev/null)" "got-int" "Ctrl-C goes to the program in the guest"
is "$(cat status 2>/dev/null)" 5 "quiz exits with the program's status after tmux ends"

# -S in tmux mode: after the program, an interactive shell in the same terminal.
host_tmux new-session -d -s s -x 120 -y 30 \
	"'$QUIZ' -k '$QUIZ_TEST_KERNEL' -r tmux -S sh -c 'echo program-done; exit 6'; echo \$? >status-s; sleep 1000"
wait_screen s 60 program-done '# *$'
host_tmux send-keys -t s 'echo shell-says-$((6*7))' Enter
wait_screen s 10 shell-says-42
grep -q 'shell-says-42' <<<"$screen"
ok $? "-S in tmux mode: a shell takes commands after the program" "$screen"
host_tmux send-keys -t s 'exit' Enter
wait_file status-s 20
is "$(cat status-s 2>/dev/null)" 6 "-S in tmux mode: quiz exits with the program's status after the shell"

out=$(printf 'echo in-the-shell $0\nexit 9\n' | "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -S sh -c 'echo program; exit 4')
is "$?" 4 "-S: the status is still the program's"
is "$out" "program
in-the-shell /bin/bash" "-S: a shell reads stdin after the program"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
