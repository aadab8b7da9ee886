#!/bin/bash
# SPDX-License-Identifier: MIT
# Every row of the exit-status contract, each with its stderr line.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
q() { "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw "$@" </dev/null >"$scratch/out" 2>"$scratch/err"; }

q sh -c 'kill -TERM $$'
is "$?" 143 "killed by SIGTERM: 128+15"
q sh -c 'kill -KILL $$'
is "$?" 137 "killed by SIGKILL: 128+9"

q no-such-command-anywhere
is "$?" 127 "a program not found in the guest: 127"
grep -q 'no-such-command-anywhere' err
ok $? "stderr names the missing program"

printf '#!/bin/sh\necho never\n' >not-executable.sh
chmod 0644 not-executable.sh
q ./not-executable.sh
is "$?" 126 "a program that cannot be executed: 126"
is "$(cat out)" "" "it printed nothing"

q -t 15 sleep 1000
is "$?" 124 "a run past its timeout: 124"
grep -q 'timed out after 15 s' err
ok $? "stderr says it timed out" "$(cat err)"

q sh -c 'echo c >/proc/sysrq-trigger; sleep 30'
is "$?" 125 "a guest kernel panic: 125, without waiting"
grep -q 'panicked' err
ok $? "stderr says the kernel panicked" "$(tail -n 3 err)"

"$QUIZ" -k 9.99 true >out 2>err
is "$?" 125 "an unknown kernel: 125"
is "$(wc -l <err)" 1 "one line of error"
grep -q 'quiz-kernel build 9.99' err
ok $? "the error says how to build it" "$(cat err)"

"$QUIZ" --no-such-option true >out 2>err
is "$?" 125 "an unknown option: 125"
grep -qx 'quiz: option --no-such-option is unknown; see quiz --help' err
ok $? "one line naming the option" "$(cat err)"

"$QUIZ" -k "$QUIZ_TEST_KERNEL" ./no-such-script.sh >out 2>err
is "$?" 127 "a program path missing on the host: 127, as a shell gives it"
is "$(cat err)" "quiz: ./no-such-script.sh: No such file or directory" "the error names the path"
touch plain
"$QUIZ" -k "$QUIZ_TEST_KERNEL" ./plain/x >out 2>err
is "$?" 127 "17.18: a path through a file (ENOTDIR): 127"
ln -s loop-b loop-a && ln -s loop-a loop-b
"$QUIZ" -k "$QUIZ_TEST_KERNEL" ./loop-a >out 2>err
is "$?" 126 "17.18: a symlink loop (ELOOP): 126"
is "$(cat err)" "quiz: ./loop-a: Too many levels of symbolic links" "said as a shell says it"
# Arguments the guest's execve refuses (E2BIG; tini alone would exit 1): 3 MiB of them fit the
# host's exec with an unlimited stack, not the guest's 8 MiB one.
big=$(head -c 100000 /dev/zero | tr '\0' a)
(ulimit -s unlimited && "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw true $(for i in $(seq 30); do echo "$big"; done)) \
	</dev/null >out 2>err
is "$?" 126 "17.18: arguments too long for the guest's execve (E2BIG): 126"
is "$(cat err)" "quiz: true: Argument list too long" "said as a shell says it"
for dir in /usr /dev /sys; do
	out=$(cd "$dir" && "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c 'pwd; ls /usr/bin/true' </dev/null 2>"$scratch/err")
	is "$?$out" "0/root
/usr/bin/true" "17.18: run from $dir: the guest keeps its own $dir, the program runs in /root"
	is "$(cat err)" "quiz: the current directory $dir would cover the guest's own system; not shown in the guest, the program runs in /root" \
		"17.18: and says so"
done

touch plain-file
"$QUIZ" -k "$QUIZ_TEST_KERNEL" --shared plain-file true >out 2>err
is "$?" 125 "--shared on a file: 125"
grep -q 'not a directory' err
ok $? "the error says it is not a directory" "$(cat err)"

QUIZ_QEMU=/nonexistent/qemu "$QUIZ" -k "$QUIZ_TEST_KERNEL" true >out 2>err
is "$?" 125 "QEMU missing: 125"
is "$(cat err)" "quiz: /nonexistent/qemu: cannot run it: No such file or directory" \
	"one line: the QEMU it could not run, and why"

mkdir -p empty-home/kernels
ln -s "${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}/kernels/x86_64" empty-home/kernels/x86_64
QUIZ_HOME=$scratch/empty-home "$QUIZ" -k "$QUIZ_TEST_KERNEL" true >out 2>err
is "$?" 125 "no guest image: 125"
grep -q 'no guest image at .*; build it: quiz-image build' err
ok $? "the error says how to build one" "$(cat err)"

"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -v true >out 2>err
is "$?" 0 "-v: the run still exits 0"
grep -q 'accelerator: \(kvm\|tcg\)' err && grep -q 'reboot: Restarting system' err
ok $? "-v shows the accelerator and the kernel console on stderr" "$(tail -n 3 err)"

# A QEMU that says when it is started: --dry-run must not start it.
printf '#!/bin/sh\ntouch "%s/qemu-started"\nexec qemu-system-x86_64 "$@"\n' "$scratch" >qemu-spy
chmod +x qemu-spy
QUIZ_QEMU=$scratch/qemu-spy "$QUIZ" -k "$QUIZ_TEST_KERNEL" --dry-run true >/dev/null 2>&1
is "$?$(ls qemu-started 2>/dev/null)" 0 "--dry-run starts no QEMU"
QUIZ_QEMU=$scratch/qemu-spy "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw true </dev/null >/dev/null 2>&1
is "$?$(ls qemu-started 2>/dev/null)" 0qemu-started "(a run does: the spy sees it)"
"$QUIZ" -k "$QUIZ_TEST_KERNEL" --dry-run -e A=1 true >out 2>err
is "$?" 0 "--dry-run exits 0"
grep -q '^qemu-system-x86_64 -M microvm,acpi=off .*-kernel ' out && grep -q '^layer quiz.run .* ro$' out &&
	grep -q "^layer quiz.cwd $scratch ro\$" out
ok $? "--dry-run prints the QEMU command line and the layers" "$(cat out)"

is "$(runs_left)" 0 "no run directory left behind"
is "$(qemus_left)" 0 "no QEMU of this cache's runs left running"
done_testing
