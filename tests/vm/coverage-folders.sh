#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz --coverage on a kernel that profiles only some folders (issue 35): quiz-kernel build
# --with gcov --gcov-only fs/9p,fs/ext4 (scripts/test --suite vm-extra builds it; suite
# vm-extra: a kernel CI does not build). Its tracefile holds those folders' files and no
# other; a program that makes, mounts and writes an ext4 file system on a scratch disk runs
# ext4's lines, one that does not runs none of them (the counters are reset before it), and
# --coverage-filter fs/ext4's line is the tracefile's own sums.
. "$(dirname "$0")/lib.sh"
need_vm
ver=${QUIZ_TEST_GCOV_KERNEL:-6.12}
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
cd "$scratch" || exit 1

dir=$("$QUIZ_KERNEL_TOOL" path "$ver-gcov")
ok $? "kernel $ver-gcov is built (scripts/test --suite vm-extra)"
grep -qx 'gcov_only=fs/9p,fs/ext4' "$dir/info"
ok $? "it profiles fs/9p and fs/ext4 only (its info)" "$(grep gcov_only "$dir/info")"
grep -qx '# CONFIG_GCOV_PROFILE_ALL is not set' "$dir/config" && grep -qx 'CONFIG_GCOV_KERNEL=y' "$dir/config"
ok $? "with CONFIG_GCOV_KERNEL and without CONFIG_GCOV_PROFILE_ALL"

# hits INFO FOLDER: the DA records of FOLDER's files, "hit/found".
hits() {
	awk -F'[:,]' -v f="/$2/" '/^SF:/ { take = index($2, f) > 0 }
		take && /^DA:/ { n++; if ($3 > 0) h++ } END { printf "%d/%d", h, n }' "$1"
}
cat >ext4.sh <<'SCRIPT'
mkfs.ext4 -q /dev/quizb0 && mkdir -p /mnt/t && mount /dev/quizb0 /mnt/t &&
	echo data >/mnt/t/f && umount /mnt/t && echo "ext4: made, mounted, written"
SCRIPT
"$QUIZ" -k "$ver-gcov" -p blockdev:count=1 --coverage cov sh ext4.sh </dev/null >out 2>err
is "$?" 0 "a program that uses ext4, with --coverage" "$(tail -n 5 err)"
is "$(cat out)" "ext4: made, mounted, written" "its output"
# Its C files: the profiled objects' own sources (their headers' inline functions come too).
others=$(sed -n 's/^SF:\(.*\.c\)$/\1/p' cov/coverage.info | grep -v -e '/fs/ext4/' -e '/fs/9p/')
files=$(grep -c '^SF:.*\.c$' cov/coverage.info)
[ -z "$others" ] && [ "$files" -gt 10 ]
ok $? "the tracefile's $files C files are fs/ext4's and fs/9p's, no other folder's" "$(echo "$others" | head -n 5)"
ext4=$(hits cov/coverage.info fs/ext4)
[ "${ext4%/*}" -gt 1000 ]
ok $? "ext4's lines ran: $ext4" "$(tail -n 3 err)"
grep -q '/fs/ext4/super.c$' cov/coverage.info
ok $? "fs/ext4/super.c is one of them"
p9=$(hits cov/coverage.info fs/9p)
[ "${p9%/*}" -gt 0 ]
ok $? "and 9p's ran too (the program's files come through it): $p9"

"$QUIZ" -k "$ver-gcov" --coverage cov0 --coverage-filter fs/ext4 true </dev/null >out0 2>err0
is "$?" 0 "a program that does not use ext4, --coverage-filter fs/ext4" "$(tail -n 5 err0)"
ext4=$(hits cov0/coverage.info fs/ext4)
[ "${ext4%/*}" = 0 ] && [ "${ext4#*/}" -gt 1000 ]
ok $? "none of ext4's lines ran (the counters are reset before the program): $ext4"
is "$(sed -n 's/^SF://p' cov0/coverage.info | grep -vc '/fs/ext4/')" 0 "the filter kept fs/ext4's files only"
lf=$(grep -c '^DA:' cov0/coverage.info)
is "$(grep '^quiz: coverage:' err0)" "quiz: coverage: fs/ext4 0.0% of lines (0/$lf)" \
	"the summary line: the filter's folder and the tracefile's sums"

done_testing
