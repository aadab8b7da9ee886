#!/bin/bash
# SPDX-License-Identifier: MIT
# Many kernels at once: quiz-kernel build --all rebuilds exactly the kernels whose inputs
# changed (failures listed at the end, the rest built), --upgrade moves each series to the
# newest tarball of a folder (remembered), --prune keeps each series' newest. Fake tarballs.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
for tool in make flock tar; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
kernels=$QUIZ_HOME/kernels/x86_64
rm -rf "$kernels" # lib.sh's 6.1.1 has no info: not one quiz-kernel built

# linux-VERSION.tar.gz: a fake tree whose release is VERSION; "all" notes VERSION in
# FAKE_MAKE_LOG, and fails when the tree holds a file named "broken".
tarball() { # tarball VERSION [broken]
	local t=src/linux-$1
	rm -rf "$t" && mkdir -p "$t/arch/x86"
	cat >"$t/Makefile" <<MAKE
MAKEFLAGS += --no-print-directory
O ?= .
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	mkdir -p \$(O)
	cp \$(KCONFIG_ALLCONFIG) \$(O)/.config
olddefconfig:
	@:
all:
	echo $1 >>\$(FAKE_MAKE_LOG)
	test ! -f \$(CURDIR)/broken
	mkdir -p \$(O)/arch/x86/boot
	echo bzImage >\$(O)/arch/x86/boot/bzImage
	cp /bin/true \$(O)/vmlinux
	echo "ffffffff81000000 T _text" >\$(O)/System.map
kernelrelease:
	@echo $1
modules_install:
	mkdir -p \$(INSTALL_MOD_PATH)/lib/modules/$1
MAKE
	[ -z "${2:-}" ] || touch "$t/broken"
	tar -C src -czf "tarballs/linux-$1.tar.gz" "linux-$1"
}
export FAKE_MAKE_LOG=$scratch/make.log
mkdir -p src tarballs
tarball 6.1.90 && tarball 6.2.5 && tarball 6.3.1
printf 'CONFIG_FRAG_A=y\n' >frag.config
"$QK" build --no-btf -f frag.config "$scratch/tarballs/linux-6.1.90.tar.gz" >b1.out 2>&1 &&
	"$QK" build --no-btf "$scratch/tarballs/linux-6.2.5.tar.gz" >b2.out 2>&1 &&
	"$QK" build --no-btf "$scratch/tarballs/linux-6.3.1.tar.gz" >b3.out 2>&1
ok $? "three kernels build (6.1.90 with a fragment, 6.2.5, 6.3.1)" "$(tail -n 3 b1.out b2.out b3.out)"

# --- --all: nothing changed, nothing built ---
: >make.log
"$QK" build --all >all0.out 2>&1
is "$?" 0 "--all with nothing changed exits 0" "$(cat all0.out)"
is "$(cat make.log)" "" "and compiles nothing"
is "$(grep -c 'is up to date' all0.out)" 3 "each of the three is up to date" "$(cat all0.out)"

# --- --all after a fragment change and a broken source: exactly those, the rest still built ---
printf 'CONFIG_FRAG_A=y\nCONFIG_FRAG_B=y\n' >frag.config
tarball 6.3.1 broken
: >make.log
"$QK" build --all >all1.out 2>&1
is "$?" 1 "--all with one failing build exits 1" "$(cat all1.out)"
is "$(sort make.log | paste -sd' ')" "6.1.90 6.3.1" "it compiled exactly the two whose inputs changed"
grep -qx CONFIG_FRAG_B=y "$kernels/6.1.90/config"
ok $? "6.1.90 was rebuilt with the edited fragment"
is "$(tail -n 2 all1.out)" "quiz-kernel: --all: 1 of 3 builds failed (the others are built):
  6.3.1 (x86_64): quiz-kernel build -a x86_64 --no-btf $scratch/tarballs/linux-6.3.1.tar.gz" \
	"the failure is listed at the end, with its command"
test -f "$kernels/6.3.1/bzImage"
ok $? "the failed kernel's last good build stays"
"$QK" remove 6.3.1 >/dev/null

# --- --upgrade=DIR: each series to its newest tarball, with its options; remembered ---
tarball 6.1.91 && tarball 6.1.100 && tarball 6.10.2
: >make.log
"$QK" build --all --upgrade="$scratch/tarballs" >up1.out 2>&1
is "$?" 0 "--all --upgrade=DIR exits 0" "$(cat up1.out)"
is "$(cat make.log)" "6.1.100" "it built the newest 6.1.x only (not 6.10.2, not 6.1.91; 6.2.5 has none newer)"
grep -qx CONFIG_FRAG_B=y "$kernels/6.1.100/config"
ok $? "6.1.100 has 6.1.90's options (its fragment)" "$(cat "$kernels/6.1.100/info")"
test -f "$kernels/6.1.90/bzImage" && test -f "$kernels/6.2.5/bzImage"
ok $? "without --prune the older 6.1.90 stays"
is "$(cat "$QUIZ_HOME/upgrade-tarballs")" "$scratch/tarballs" "the folder is remembered"

# --- --upgrade (the remembered folder) --prune: each series' newest stays ---
: >make.log
"$QK" build --all --upgrade --prune >up2.out 2>&1
is "$?" 0 "--all --upgrade --prune exits 0" "$(cat up2.out)"
is "$(cat make.log)" "" "nothing newer: nothing compiled"
is "$(ls "$kernels" | paste -sd' ')" "6.1.100 6.2.5" "--prune removed 6.1.90; each series' newest stays"

"$QK" build --all -e CONFIG_X >/dev/null 2>bad.err
is "$?" 1 "--all with a config option: exit 1"
is "$(cat bad.err)" "quiz-kernel: build --all: -e does not go with --all (each kernel keeps its own options); see quiz-kernel build --all --help" \
	"and says why"

done_testing
