#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel cache clean on a copy of the real cache (hard links: removing in it never touches
# the real one): the kept kernel still boots, its rebuild is still a no-op; after --all it boots
# without its kbuild, and quiz-kernel path says how to get that back.
. "$(dirname "$0")/lib.sh"
need_vm
QK=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
real_home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
ver=$QUIZ_TEST_KERNEL
cd "$scratch" || exit 1

real_dir=$("$QK" path "$ver") || { echo "1..0 # SKIP no kernel $ver built"; exit 0; }
release=$(sed -n 's/^release=//p' "$real_dir/info")
arch=$(sed -n 's/^arch=//p' "$real_dir/info")
image=$(ls "$real_home"/images/bookworm-*.ext2 | head -n1)
export QUIZ_IMAGE=${QUIZ_IMAGE:-$image}
home=$scratch/home
mkdir -p "$home/kernels/$arch/.store"
cp -al "$real_dir" "$home/kernels/$arch/.store/" # new folders, the same files: nothing rewritten
ln -s ".store/$(basename "$real_dir")" "$home/kernels/$arch/$release"
[ ! -d "$real_home/accel" ] || cp -a "$real_home/accel" "$home/" # the verdict: no new probe
mkdir -p "$home/runs/run.stale" "$home/kernels/$arch/.store/$release-0000000000000000-999999"

QUIZ_HOME=$home "$QK" cache clean >clean.out 2>&1
is "$?" 0 "cache clean in a copy of the cache exits 0" "$(cat clean.out)"
! test -e "$home/runs/run.stale" && ! test -e "$home/kernels/$arch/.store/$release-0000000000000000-999999"
ok $? "it removed a stale run folder and an orphaned kernel build" "$(cat clean.out)"
QUIZ_HOME=$home "$QUIZ" -k "$release" uname -r </dev/null >uname.out 2>uname.err
is "$?" 0 "the kept kernel boots after clean" "$(tail -n 5 uname.err)"
is "$(cat uname.out)" "$release" "uname -r in the guest is $release"

rebuild=$(sed -n 's/^rebuild=//p' "$real_dir/info")
if [ -z "$rebuild" ]; then # built before info said it: its info's options
	rebuild=$ver
	[ "$(sed -n 's/^btf=//p' "$real_dir/info")" = 1 ] || rebuild="--no-btf $rebuild"
	[ "$(sed -n 's/^debug=//p' "$real_dir/info")" = 1 ] || rebuild="--no-debug $rebuild"
fi
# A no-op takes a second; one that compiles (the cached kernel is older than this tree's
# kconfig: rebuild it in the real cache first) is stopped after a minute, and fails here.
# shellcheck disable=SC2086 # the recorded words
QUIZ_HOME=$home flock /tmp/quiz-kbuild.lock timeout 60 "$QK" build -a "$arch" $rebuild >build.out 2>&1
is "$?" 0 "rebuilding it after clean ($rebuild) exits 0" \
	"$(tail -n 5 build.out); a build that compiles means $release is not up to date with this tree's kconfig"
is "$(tail -n1 build.out)" "quiz-kernel: $release is up to date: $home/kernels/$arch/$release" \
	"and is a no-op"

QUIZ_HOME=$home "$QK" cache clean --all >all.out 2>&1
is "$?" 0 "cache clean --all exits 0" "$(cat all.out)"
! test -e "$home/kernels/$arch/$release/kbuild"
ok $? "--all removed the kernel's kbuild (in the copy)"
test -f "$real_dir/kbuild/Makefile"
ok $? "the real cache's kbuild is untouched"
QUIZ_HOME=$home "$QUIZ" -k "$release" uname -r </dev/null >uname2.out 2>uname2.err
is "$?" 0 "the kernel boots without its kbuild" "$(tail -n 5 uname2.err)"
is "$(cat uname2.out)" "$release" "uname -r is still $release"
QUIZ_HOME=$home "$QK" path "$release" kbuild >path.out 2>path.err
is "$?" 1 "quiz-kernel path $release kbuild: exit 1"
grep -q "^quiz-kernel: kernel $release has no build tree for modules .* Get it back: quiz-kernel build -a $arch " path.err
ok $? "and says how to get it back" "$(cat path.err)"

done_testing
