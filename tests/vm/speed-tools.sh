#!/bin/bash
# SPDX-License-Identifier: MIT
# The speed tools still run and say what they measure: bench-boot (one round, strict and
# untuned floors), profile-boot (samples named from the kernel's System.map) and bench-loop
# (one round of each loop, on the git checkout kernel-tree.sh made, left as it was).
. "$(dirname "$0")/lib.sh"
need_vm
root=$(readlink -f "$(dirname "$0")/../..")
build=$(readlink -f "$(dirname "$QUIZ")/..")
cd "$scratch" || exit 1

out=$("$root/bench/bench-boot" -n 1 -k "$QUIZ_TEST_KERNEL" --untuned --build "$build" 2>&1)
is "$?" 0 "bench-boot runs one interleaved round"
for line in '^machine: .*; accelerator: \(TCG\|KVM\)$' \
	'^  quiz warm (saved state)  *median  *[0-9.]* s  min .* peak RSS [0-9]* MiB$' \
	'^  quiz cold (--cold)  *median  *[0-9.]* s  min .* peak RSS [0-9]* MiB$' \
	'^  floor (bare QEMU)  *median  *[0-9.]* s ' '^  floor, untuned  *median  *[0-9.]* s ' \
	'^  ratio quiz warm / floor  *[0-9.]*x$' '^  ratio quiz cold / floor  *[0-9.]*x$' \
	'^  ratio quiz warm / quiz cold  *[0-9.]*x$' '^  ratio quiz cold / floor, untuned  *[0-9.]*x$' \
	'^quiz-kernel build 6.1 (no-op)  *[0-9.]* s$'; do
	grep -q -- "$line" <<<"$out"
	ok $? "bench-boot prints: $line" "$out"
done

out=$("$root/bench/profile-boot" -k "$QUIZ_TEST_KERNEL" --top 5 --build "$build" -- \
	sh -c 'exit 3' 2>&1)
is "$?" 0 "profile-boot profiles a run"
grep -q '^[0-9]* samples over [0-9.]* s; quiz exited with 3$' <<<"$out"
ok $? "it says how many samples it took and the program's status" "$out"
is "$(grep -c '^ *[0-9.]*%  *[0-9]*  [A-Za-z_[][A-Za-z0-9_.]*\]*$' <<<"$out")" 5 \
	"it lists the five busiest functions by share"
samples=$(sed -n 's/^\([0-9]*\) samples.*/\1/p' <<<"$out")
ok "$([ "${samples:-0}" -ge 50 ]; echo $?)" "a boot gives it at least 50 samples" "$out"

tree=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}/test-trees/linux-6.1-git
if [ -d "$tree/.git" ]; then
	before=$(git -C "$tree" status --porcelain; git -C "$tree" rev-parse HEAD)
	tree_opts="--no-btf --no-debug --no-storage --no-net" # as tests/vm/kernel-tree.sh builds it
	out=$("$root/bench/bench-loop" -n 1 --build "$build" --build-args "$tree_opts" 2>&1)
	is "$?" 0 "bench-loop runs one round of each loop" "$out"
	num='median  *[0-9.]* s  min  *[0-9.]*  max  *[0-9.]*$'
	for line in '^kernel loop: one pr_info changed in .*/init/main.c (1 rounds)$' \
		"^  make (compile+link)  *$num" "^  quiz-kernel around make  *$num" \
		"^    configure  *$num" "^    kbuild  *$num" "^  quiz-kernel build (wall)  *$num" \
		"^  quiz -K TREE ./test.sh  *$num" "^  edit to status  *$num" \
		'^module loop: tests/modules/hello edited, against .* (1 rounds)$' \
		"^  make M= (and modules_install)  *$num" "^  quiz --system run  *$num" \
		'^userspace loop: a changed test script, nothing rebuilt (1 rounds)$' \
		"^  quiz -k RELEASE ./user.sh  *$num"; do
		grep -q -- "$line" <<<"$out"
		ok $? "bench-loop prints: $line" "$out"
	done
	is "$(git -C "$tree" status --porcelain; git -C "$tree" rev-parse HEAD)" "$before" \
		"bench-loop leaves the tree as it was"
	# shellcheck disable=SC2086 # the options' words
	"$(dirname "$QUIZ")/quiz-kernel" build $tree_opts "$tree" >kb.out 2>&1
	grep -q 'is up to date' kb.out
	ok $? "and its kernel built as it was" "$(cat kb.out)"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP bench-loop: no git checkout $tree (tests/vm/kernel-tree.sh makes it)"
fi
is "$(runs_left)" 0 "no run directory left behind"
done_testing
