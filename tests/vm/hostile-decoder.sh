#!/bin/bash
# SPDX-License-Identifier: MIT
# A guest's report is data to the decoder, never code (issue 27): a WARN written to /dev/kmsg
# whose frames are shell and awk payloads, and random bytes, fail a passing run (123), decode
# its real frames, and change nothing on the host but the run's own folder.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
cd "$scratch" || exit 1
ver=$QUIZ_TEST_KERNEL
canary=/tmp/quiz-pwned-$$-$RANDOM$RANDOM
rm -f "$canary"

# The guest's side: the title, the payloads (the canary's path chosen here), a real frame, random
# bytes inside the report and after it.
cat >hostile.sh <<EOF
#!/bin/sh
k=/dev/kmsg
echo 'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2' >\$k
echo ' x"||!a++&&system("touch\${IFS}$canary")||"+0x1/0x2' >\$k
echo ' x"||!a++&&system("touch\${IFS}$canary")||"+0x1/0x2 [quiz_splat]' >\$k
echo ' \$(touch $canary)+0x1/0x2' >\$k
echo ' \`touch $canary\`+0x1/0x2' >\$k
echo ' kernel_init+0x0/0x10 [\$(touch\${IFS}$canary)]' >\$k
echo ' kernel_init+0x0/0x10' >\$k
i=0
while [ \$i -lt 100 ]; do head -c 120 /dev/urandom >\$k; i=\$((i + 1)); done
echo '---[ end trace 0000000000000000 ]---' >\$k
while [ \$i -lt 300 ]; do head -c 120 /dev/urandom >\$k; i=\$((i + 1)); done
echo done
EOF
chmod +x hostile.sh
# Interpreters quiz might hand text to, first in quiz's PATH: each logs that it ran, then runs.
mkdir shims
for tool in sh bash dash awk gawk mawk sed perl python3; do
	real=$(command -v "$tool") || continue
	printf '#!/bin/sh\necho "%s $*" >>%s\nexec %s "$@"\n' "$tool" "$scratch/shims.log" "$real" \
		>"shims/$tool"
	chmod +x "shims/$tool"
done
run() { PATH=$scratch/shims:$PATH "$QUIZ" -k "$ver" -r raw "$@" </dev/null >out 2>err; }

# A first run makes what a kernel's first run makes (the accelerator's verdict...); the checked
# one changes only its run folder.
run true
is "$?" 0 "a first run of $ver"
rm -f shims.log
stamp=$(mktemp "$scratch/stamp.XXXXXX")
sleep 1 # mtimes after the stamp's, whatever the file system's granularity
run ./hostile.sh
is "$?" 123 "a WARN of payloads and random bytes in a passing run: exit 123"
is "$(cat out)" "done" "the program's output is its own"
grep -q '^quiz: kernel report (warning): WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2$' err
ok $? "the report is shown" "$(head -n 3 err)"
[ ! -e "$canary" ]
ok $? "no payload ran on the host: $canary does not exist"
rm -f "$canary"
is "$(cat shims.log 2>/dev/null)" "" "quiz ran no shell, awk, sed, perl or python on the host"

# Everything newer than the stamp where a host command could write: the files at the top of /tmp
# and of the user's home, this test's folder, quiz's cache. Not the cache's runs (the run's own
# folder) and states (a run saves its kernel's VM state, or marks the one it used), nor what
# other work on the machine may write meanwhile: kernel and image builds, other programs' folders
# in /tmp, other quiz tests' files, a compiler's temporaries, the home's dot files. A busy
# machine can still show its own files here; CI's is quiet.
changed=$( (find /tmp "$HOME" -mindepth 1 -maxdepth 1 ! -type d -newer "$stamp" \
	! -path "/tmp/quiz-*test*" ! -path "/tmp/cc*" ! -path "$HOME/.*"
	find "$scratch" "$home" -mindepth 1 \( -path "$home/runs" -o -path "$home/build" \
	-o -path "$home/src" -o -path "$home/logs" -o -path "$home/states" \) -prune \
	-o -newer "$stamp" ! -path "$scratch/out" ! -path "$scratch/err" \
	! -path "$scratch/shims.log" -print) 2>/dev/null)
is "$changed" "" "nothing changed on the host but the run's folder (and the run's out, err)"

vmlinux=$("$QUIZ_KERNEL_TOOL" path "$ver" vmlinux 2>/dev/null)
if [ -n "$vmlinux" ] && readelf -S "$vmlinux" | grep -q debug_info; then
	grep -Eq '^\[ *[0-9.]+\]  kernel_init\+0x0/0x10 \(init/main\.c:[0-9]+\)$' err
	ok $? "the report's real frame is decoded: kernel_init (init/main.c:N)" \
		"$(grep kernel_init err)"
else
	echo "# $ver has no DWARF: the decoded frame is not checked"
fi
# The payloads are shown as the guest wrote them, undecoded.
payload='x"||!a++&&system("touch${IFS}'$canary'")||"+0x1/0x2'
is "$(grep -F -- "$payload" err | grep -c -- '+0x1/0x2$')" 1 \
	"the awk payload's line as it came, nothing after it"
is "$(grep -cF -- ' kernel_init+0x0/0x10 [$(touch${IFS}'"$canary)]" err)" 1 \
	"a shell payload as a module: as it came"

is "$(runs_left)" 0 "no run folder left behind"
done_testing
