#!/bin/bash
# SPDX-License-Identifier: MIT
# Profiles: the shipped blockdev and memdev used for real, hooks in order, failures that stop
# the run cleanly, kconfig needs checked before boot, files/ trees, where profiles come from.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
q() { "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw "$@" </dev/null >"$scratch/out" 2>"$scratch/err"; }

cat >disks.sh <<'SCRIPT'
#!/bin/sh
set -e
ls /dev/quizb* | tr '\n' ' '; echo
blockdev --getsize64 /dev/quizb0 /dev/quizb2
mkfs.ext4 -q /dev/quizb2
mkdir -p /mnt/b && mount /dev/quizb2 /mnt/b
head -c 3000000 /dev/urandom >/mnt/b/data
sum1=$(md5sum </mnt/b/data)
umount /mnt/b && mount /dev/quizb2 /mnt/b
sum2=$(md5sum </mnt/b/data)
[ "$sum1" = "$sum2" ] && echo "data read back"
ls /dev/quizm* | tr '\n' ' '; echo
blockdev --getsize64 /dev/quizm1
mkfs.ext2 -q /dev/quizm1 && mkdir -p /mnt/m && mount /dev/quizm1 /mnt/m
echo on-memdev >/mnt/m/f && sync && cat /mnt/m/f
SCRIPT
chmod +x disks.sh
q -p blockdev:count=3,size=64M,memdev -o memdev.count=2 -o memdev.size=32M ./disks.sh
is "$?" 0 "blockdev and memdev: the disk script succeeds" 
mapfile -t l <out
is "${l[0]:-}" "/dev/quizb0 /dev/quizb1 /dev/quizb2 " "count=3 gives /dev/quizb0..2"
is "${l[1]:-}" 67108864 "size=64M is honored (quizb0)"
is "${l[2]:-}" 67108864 "size=64M is honored (quizb2)"
is "${l[3]:-}" "data read back" "a filesystem on /dev/quizb2 keeps what was written"
is "${l[4]:-}" "/dev/quizm0 /dev/quizm1 " "-o memdev.count=2 gives /dev/quizm0..1"
is "${l[5]:-}" 33554432 "-o memdev.size=32M is honored"
is "${l[6]:-}" "on-memdev" "a filesystem on a memdev works"
is "$(ls "$scratch" | grep -c '\.img$')" 0 "no disk image left in the working directory"

# Hand-made profiles: hooks in order, requires, files/, failures.
mkdir -p .quiz/profiles/{first,second,third,badhost,badguest,needy}/ extra/second
for p in first second third; do
	printf '[profile]\ndescription = test %s\n' "$p" >".quiz/profiles/$p/profile.ini"
	printf '#!/bin/sh\necho %s >>/run/hook-order\n' "$p" >".quiz/profiles/$p/guest-hook"
	chmod +x ".quiz/profiles/$p/guest-hook"
done
printf 'requires = first\n' >>.quiz/profiles/third/profile.ini
mkdir -p .quiz/profiles/second/files/etc
echo from-files >.quiz/profiles/second/files/etc/quiz-test-file
q -p second,third cat /run/hook-order /etc/quiz-test-file
is "$?" 0 "three hand-made profiles run"
is "$(cat out)" "second
first
third
from-files" "guest hooks run in order (command line, requires first) and files/ appears"
# The program's stdin, whole, after guest hooks ran (they had /dev/null; a hook's end once closed
# the program's stdin past the 64 KiB its pipe held).
head -c 300000 /dev/urandom >big.in
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -p second,third sh -c 'cat >/tmp/in; md5sum </tmp/in' <big.in >out 2>"$scratch/err"
is "$(cut -d' ' -f1 out)" "$(md5sum <big.in | cut -d' ' -f1)" "after three guest hooks the program reads all 300,000 bytes of its stdin" "$(cat "$scratch/err")"

printf '[profile]\ndescription = fails on the host\n' >.quiz/profiles/badhost/profile.ini
printf '#!/bin/sh\necho "making things" >&2\nexit 3\n' >.quiz/profiles/badhost/host-hook
chmod +x .quiz/profiles/badhost/host-hook
q -p badhost true
is "$?" 125 "a failing host hook: 125"
grep -qx 'quiz: profile badhost: host hook failed with status 3' err
ok $? "the error names the profile and the status" "$(cat err)"

printf '[profile]\ndescription = fails in the guest\n' >.quiz/profiles/badguest/profile.ini
printf '#!/bin/sh\necho "guest hook says why" >&2\nexit 4\n' >.quiz/profiles/badguest/guest-hook
chmod +x .quiz/profiles/badguest/guest-hook
q -p badguest echo never
is "$?" 125 "a failing guest hook: 125"
grep -q 'guest hook says why' err && grep -q 'quiz: profile badguest: guest hook failed with status 4' err
ok $? "the hook's words and the error naming the profile reach stderr" "$(cat err)"
is "$(cat out)" "" "the program did not run"

printf '[profile]\ndescription = wants a filesystem the kernel lacks\nkconfig = CONFIG_XFS_FS\n' \
	>.quiz/profiles/needy/profile.ini
start=$(date +%s%N)
q -p needy true
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
is "$status" 125 "a profile needing a missing kernel option: 125"
grep -q "quiz: profile needy needs CONFIG_XFS_FS, kernel $QUIZ_TEST_KERNEL.* lacks it; .*quiz-kernel build -e CONFIG_XFS_FS" err
ok $? "the error names the profile, the option and the kernel" "$(cat err)"
ok "$([ ! -s out ] && [ "$elapsed_ms" -lt 1000 ]; echo $?)" "refused before booting (${elapsed_ms} ms)"

q -p no-such-profile true
is "$?" 125 "an unknown profile: 125"
grep -q "unknown profile 'no-such-profile'" err
ok $? "the error names it" "$(cat err)"

printf '[profile]\ndescription = shadowing copy\n' >extra/second/profile.ini
"$QUIZ" --profile-dir extra --list-profiles >out
grep -Eq '^second +--profile-dir +shadowing copy' out
ok $? "--profile-dir shadows ./.quiz/profiles in --list-profiles" "$(cat out)"
grep -Eq '^blockdev +shipped' out && grep -Eq '^first +project' out
ok $? "shipped and project profiles are listed with their source"
"$QUIZ" --describe-profile blockdev >out
grep -qx '  count = 2' out && grep -qx '  size = 100M' out
ok $? "--describe-profile shows options and defaults" "$(cat out)"

is "$(runs_left)" 0 "no run directory left behind"
done_testing
