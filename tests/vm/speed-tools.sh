#!/bin/bash
# SPDX-License-Identifier: MIT
# The speed tools still run and say what they measure: bench-boot (one round, strict and
# untuned floors) and profile-boot (samples named from the kernel's System.map).
. "$(dirname "$0")/lib.sh"
need_vm
root=$(readlink -f "$(dirname "$0")/../..")
build=$(readlink -f "$(dirname "$QUIZ")/..")
cd "$scratch" || exit 1

out=$("$root/scripts/bench-boot" -n 1 -k "$QUIZ_TEST_KERNEL" --untuned --build "$build" 2>&1)
is "$?" 0 "bench-boot runs one interleaved round"
for line in '^machine: .*; accelerator: \(TCG\|KVM\)$' \
	"^  quiz -k $QUIZ_TEST_KERNEL true  *median  *[0-9.]* s  min .* peak RSS [0-9]* MiB$" \
	'^  floor (bare QEMU)  *median  *[0-9.]* s ' '^  floor, untuned  *median  *[0-9.]* s ' \
	'^  ratio quiz/floor  *[0-9.]*x$' '^quiz-kernel build 6.1 (no-op)  *[0-9.]* s$'; do
	grep -q -- "$line" <<<"$out"
	ok $? "bench-boot prints: $line" "$out"
done

out=$("$root/scripts/profile-boot" -k "$QUIZ_TEST_KERNEL" --top 5 --build "$build" -- \
	sh -c 'exit 3' 2>&1)
is "$?" 0 "profile-boot profiles a run"
grep -q '^[0-9]* samples over [0-9.]* s; quiz exited with 3$' <<<"$out"
ok $? "it says how many samples it took and the program's status" "$out"
is "$(grep -c '^ *[0-9.]*%  *[0-9]*  [A-Za-z_[][A-Za-z0-9_.]*\]*$' <<<"$out")" 5 \
	"it lists the five busiest functions by share"
samples=$(sed -n 's/^\([0-9]*\) samples.*/\1/p' <<<"$out")
ok "$([ "${samples:-0}" -ge 50 ]; echo $?)" "a boot gives it at least 50 samples" "$out"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
