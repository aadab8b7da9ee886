#!/bin/bash
# SPDX-License-Identifier: MIT
# A clang-built kernel (quiz-kernel build --llvm --no-debug --no-btf --no-storage --no-net 6.1): it boots, its
# /proc/version names clang, and the example module built against its kbuild (with make-args,
# and without: the kbuild says LLVM=1) is clang's and loads. CI does not build this kernel (its
# ~12 minutes do not fit CI's budget): without it the test skips, CI or not.
. "$(dirname "$0")/lib.sh"
QK=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
ver=${QUIZ_TEST_KERNEL}-llvm
modules_src=$(readlink -f "$(dirname "$0")/../modules")
if ! kbuild=$("$QK" path "$ver" kbuild 2>/dev/null); then
	echo "1..0 # SKIP no $ver kernel built (quiz-kernel build --llvm --no-debug --no-btf --no-storage --no-net ${QUIZ_TEST_KERNEL}); CI does not build it (suite vm-extra)"
	exit 0
fi
QUIZ_TEST_KERNEL=$ver need_vm
cd "$scratch" || exit 1

"$QUIZ" -k "$ver" cat /proc/version </dev/null >version 2>err
is "$?" 0 "-k $ver boots" "$(tail -n 5 err)"
contains version 'clang version' "its /proc/version names clang"
contains version '-llvm ' "and its release is a -llvm one"
"$QUIZ" -k "${QUIZ_TEST_KERNEL}" cat /proc/version </dev/null >gcc-version 2>err
is "$?" 0 "-k ${QUIZ_TEST_KERNEL} boots" "$(tail -n 5 err)"
contains gcc-version '\(gcc' "-k ${QUIZ_TEST_KERNEL} still boots gcc's kernel"
lacks gcc-version clang "not clang's"

is "$("$QK" path "$ver" make-args)" "ARCH=x86 LLVM=1" "quiz-kernel path $ver make-args says LLVM=1"
for how in make-args plain; do
	rm -rf mod sys && cp -r "$modules_src" mod
	args=
	[ "$how" = plain ] || args=$("$QK" path "$ver" make-args)
	# shellcheck disable=SC2086
	make -s -C "$kbuild" $args M="$scratch/mod/hello" modules >build.log 2>&1 &&
		make -s -C "$kbuild" $args M="$scratch/mod/hello" modules_install INSTALL_MOD_PATH="$scratch/sys" \
			>>build.log 2>&1
	ok $? "$how: the example module builds against $ver's kbuild" "$(tail -n 5 build.log)"
	readelf -p .comment mod/hello/quiz_hello.ko 2>/dev/null | grep -q clang
	ok $? "$how: clang compiled it" "$(readelf -p .comment mod/hello/quiz_hello.ko 2>&1 | head -5)"
	"$QUIZ" -k "$ver" -r raw --system sys -p modules:load=quiz_hello sh -c 'grep -o "^quiz_hello " /proc/modules' \
		</dev/null >out 2>err
	is "$?" 0 "$how: it loads in the clang kernel" "$(tail -n 5 err)"
	is "$(cat out)" "quiz_hello " "$how: /proc/modules lists it"
done

done_testing
