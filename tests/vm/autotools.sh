#!/bin/bash
# SPDX-License-Identifier: MIT
# An out-of-tree project with a configure script (tests/autotools/quiz-greet: a program and a
# module, configure --with-linux as OpenZFS's): configured with quiz-kernel configure, built,
# installed with quiz-kernel install into a system folder; in the guest its program runs from
# the PATH and reads what its module, loaded by the modules profile, holds.
. "$(dirname "$0")/lib.sh"
need_vm
QK=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
project=$(readlink -f "$(dirname "$0")/../autotools/quiz-greet")
ver=$QUIZ_TEST_KERNEL
if ! command -v autoreconf >/dev/null || ! command -v automake >/dev/null; then
	[ "${QUIZ_VM_MUST_WORK:-0}" = 1 ] && { echo "not ok 1 - autoconf and automake are not installed (scripts/setup installs them)"; echo 1..1; exit 1; }
	echo "1..0 # SKIP autoconf and automake are not installed (scripts/setup installs them)"
	exit 0
fi
cd "$scratch" || exit 1
cp -r "$project" greet && cd greet || exit 1
autoreconf -fi >autoreconf.log 2>&1
ok $? "autoreconf makes the project's configure" "$(tail -n 5 autoreconf.log)"

"$QK" configure "$ver" >configure.log 2>&1
ok $? "quiz-kernel configure $ver runs its configure" "$(tail -n 5 configure.log)"
kbuild=$("$QK" path "$ver" kbuild)
release=$(cat "$kbuild/include/config/kernel.release")
grep -q "^checking kernel build tree... $kbuild ($release)$" configure.log
ok $? "configure was given the kbuild tree ($release) and its source" "$(grep -i 'kernel\|linux' configure.log | head)"
grep -q "^prefix='/usr/local'$" config.log
ok $? "and the prefix /usr/local (on the guest's PATH)"

make -j2 >make.log 2>&1
ok $? "make builds the program and the module" "$(tail -n 5 make.log)"
"$QK" install "$ver" "$scratch/sys" >install.log 2>&1
ok $? "quiz-kernel install $ver sys installs them" "$(tail -n 5 install.log)"
test -x "$scratch/sys/usr/local/bin/quiz-greet" && test -f "$scratch/sys/lib/modules/$release/extra/quiz_greet.ko"
ok $? "the program is in sys/usr/local/bin, the module in sys/lib/modules/$release" "$(cd "$scratch/sys" && find . -type f | head)"
is "$(tail -n1 install.log)" "quiz-kernel: installed into $scratch/sys; run: quiz -k $release --system $scratch/sys -p modules:load=quiz_greet PROGRAM" \
	"install says how to run it"

cd "$scratch" || exit 1
"$QUIZ" -k "$ver" -r raw --system sys -p modules:load=quiz_greet quiz-greet </dev/null >out 2>err
is "$?" 0 "in the guest, quiz-greet from the PATH exits 0" "$(tail -n 5 err)"
is "$(cat out)" "quiz-greet: hello from the quiz_greet module" "and prints what the loaded module holds"
"$QUIZ" -k "$ver" -r raw --system sys quiz-greet </dev/null >out2 2>err2
is "$?" 1 "without loading the module it exits 1"
is "$(cat err2)" "quiz-greet: the quiz_greet module is not loaded" "and says so"

done_testing
