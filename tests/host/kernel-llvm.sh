#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel build --llvm against a fake kernel tree and fake LLVM tools: every make gets
# LLVM=1, the kernel is 6.1.99-llvm beside gcc's 6.1.99, -k 6.1 never picks it, its kbuild
# and make-args give modules the same compiler; a build that did not use clang is refused.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
command -v make >/dev/null || { echo "1..0 # SKIP make is not installed"; exit 0; }
kernels=$QUIZ_HOME/kernels/x86_64
rm -rf "$kernels"

# A kernel tree as the build script sees it (tests/host/fake-kernel.mk); olddefconfig drops
# FAKE_DROP's symbols (a gcc build: kconfig leaves CC_IS_CLANG unset).
mkdir -p tree/arch/x86
cp "$source_root/tests/host/fake-kernel.mk" tree/Makefile # the shared fake tree
tar -czf tree.tar.gz tree
mkdir bin
for t in clang ld.lld llvm-ar llvm-nm llvm-objcopy llvm-objdump llvm-readelf llvm-strip; do
	printf '#!/bin/sh\nexit 0\n' >"bin/$t" && chmod +x "bin/$t"
done
printf '#!/bin/sh\necho "$*" >>"%s/wrap.log"\nexec "$@"\n' "$scratch" >wrap && chmod +x wrap
export PATH=$scratch/bin:$PATH

"$QK" build --no-btf tree.tar.gz >gcc.out 2>&1
is "$?" 0 "the gcc kernel builds" "$(tail -n 3 gcc.out)"
QUIZ_BUILD_PREFIX=$scratch/wrap "$QK" build --no-btf --llvm tree.tar.gz >llvm.out 2>&1
is "$?" 0 "--llvm builds" "$(tail -n 3 llvm.out)"
test -f "$kernels/6.1.99-llvm/bzImage" && test -f "$kernels/6.1.99/bzImage"
ok $? "as 6.1.99-llvm, beside gcc's 6.1.99" "$(ls "$kernels")"
! grep -v ' LLVM=1 ' wrap.log | grep -q . && grep -q . wrap.log
ok $? "every make of it had LLVM=1" "$(cat wrap.log)"
grep -qx CONFIG_CC_IS_CLANG=y "$kernels/6.1.99-llvm/config" && grep -qx CONFIG_LD_IS_LLD=y "$kernels/6.1.99-llvm/config"
ok $? "its config says clang and lld built it"
is "$("$QK" path 6.1-llvm make-args)" "ARCH=x86 LLVM=1" "quiz-kernel path 6.1-llvm make-args: ARCH=x86 LLVM=1"
is "$("$QK" path 6.1 make-args)" "ARCH=x86" "and gcc's: ARCH=x86"
is "$(head -n2 "$kernels/6.1.99-llvm/kbuild/Makefile" | paste -sd' ')" "LLVM ?= 1 export LLVM" \
	"its kbuild's Makefile sets LLVM=1 for make -C kbuild M=..."
is "$(head -n1 "$kernels/6.1.99/kbuild/Makefile")" "# generated" "gcc's kbuild is as the kernel made it"
is "$("$QK" path 6.1)" "$(readlink -f "$kernels/6.1.99")" "quiz-kernel path 6.1: gcc's"
is "$("$QK" path 6.1-llvm)" "$(readlink -f "$kernels/6.1.99-llvm")" "quiz-kernel path 6.1-llvm: clang's"
"$QK" build --no-btf --llvm tree.tar.gz >again.out 2>&1
is "$(tail -n1 again.out)" "quiz-kernel: 6.1.99-llvm is up to date: $kernels/6.1.99-llvm" "--llvm again: up to date"
"$QK" build --no-btf --no-debug --llvm tree.tar.gz >nodebug.out 2>&1
is "$?" 0 "--llvm --no-debug builds (a compiler, not a debug flavour)" "$(tail -n 3 nodebug.out)"
"$QK" build --no-btf --llvm --with kasan tree.tar.gz >kasan.out 2>&1
is "$?" 0 "--llvm --with kasan builds" "$(tail -n 3 kasan.out)"
test -f "$kernels/6.1.99-kasan-llvm/bzImage"
ok $? "as 6.1.99-kasan-llvm" "$(ls "$kernels")"
FAKE_DROP=CONFIG_CC_IS_CLANG "$QK" build --no-btf --force --llvm tree.tar.gz >gccd.out 2>&1
is "$?" 1 "a --llvm build that clang did not compile fails"
grep -q '^quiz-kernel: requested CONFIG_CC_IS_CLANG=y, got: ' gccd.out
ok $? "naming CONFIG_CC_IS_CLANG" "$(cat gccd.out)"

done_testing
