#!/bin/bash
# SPDX-License-Identifier: MIT
# The cache: quiz-kernel list's sizes, remove (refused during a run), cache and cache clean
# (what no kept kernel needs goes; a kept one still boots and rebuilds incrementally; --all).
# Kernels are built by quiz-kernel build from fake kernel tarballs.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
for tool in make flock du; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
kernels=$QUIZ_HOME/kernels/x86_64

# A kernel source whose "all" notes whether its build folder held an earlier build
# (FAKE_MAKE_LOG: "fresh" or "incremental"); its release is FAKE_REL.
mkdir -p tree/arch/x86
cat >tree/Makefile <<'MAKE'
MAKEFLAGS += --no-print-directory
O ?= .
REL := $(or $(FAKE_REL),6.1.99-fake)
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	mkdir -p $(O)
	cp $(KCONFIG_ALLCONFIG) $(O)/.config
olddefconfig:
	@:
all:
	if [ -f $(O)/.built-before ]; then echo incremental; else echo fresh; fi >>$(FAKE_MAKE_LOG)
	touch $(O)/.built-before
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	head -c 3145728 /dev/zero | tr '\0' x >$(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
kernelrelease:
	@echo $(REL)
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(REL)
MAKE
export FAKE_MAKE_LOG=$scratch/make.log
mkdir a b
cp -r tree a/linux-a && cp -r tree b/linux-b
tar -C a -czf linux-a.tar.gz linux-a && tar -C b -czf linux-b.tar.gz linux-b
build() { "$QK" build --no-btf -j1 "$@"; }
FAKE_REL=6.1.98-fake build "$scratch/linux-a.tar.gz" >a.out 2>&1
is "$?" 0 "kernel A builds from its tarball" "$(tail -n 5 a.out)"
FAKE_REL=6.1.99-fake build "$scratch/linux-b.tar.gz" >b.out 2>&1
is "$?" 0 "kernel B builds from another" "$(tail -n 5 b.out)"
src_a=$(ls -d "$QUIZ_HOME"/src/linux-a-*) src_b=$(ls -d "$QUIZ_HOME"/src/linux-b-*)
build_a=$QUIZ_HOME/$(sed -n 's/^build_dir=//p' "$kernels/6.1.98-fake/info")
build_b=$QUIZ_HOME/$(sed -n 's/^build_dir=//p' "$kernels/6.1.99-fake/info")
test -d "$build_a" && test -d "$build_b" && [ "$build_a" != "$build_b" ]
ok $? "each kernel's info names its own build folder" "$build_a $build_b"

# --- list: the size on disk, each file once however many links it has (as du) ---
"$QK" list >list.out
is "$?" 0 "quiz-kernel list exits 0"
want=$(du -sk "$(readlink -f "$kernels/6.1.98-fake")" | awk '{ printf "%.0f MiB", $1 / 1024 }')
row=$(grep '^6.1.98-fake ' list.out)
case $row in *" $want  "*) r=0 ;; *) r=1 ;; esac
ok $r "list shows the kernel's size on disk ($want: its 3 MiB vmlinux once, not in every link)" "$(cat list.out)"
grep -q '^RELEASE .* ON DISK ' list.out
ok $? "list's header names the column" "$(head -n1 list.out)"

# --- remove: refused while a run uses the kernel, then done ---
FAKE_QEMU_SCENARIO='sleep 3;status 0' "$QUIZ" -k 6.1.1 true >run.out 2>&1 &
run=$!
wait_for 20 run_dirs 1
ok $? "a run of 6.1.1 is going"
"$QK" remove 6.1.1 >rm.out 2>rm.err
is "$?" 1 "remove during the run: exit 1"
store=$(readlink -f "$kernels/6.1.1")
is "$(cat rm.err)" "quiz-kernel: remove 6.1.1: 6.1.1 is in use by a running quiz (it holds a lock on $store); try again when that run has ended" \
	"remove says a run uses it"
test -f "$kernels/6.1.1/bzImage"
ok $? "the kernel is still there"
wait_exit "$run" 30
is "$?" 0 "the run ended well, its kernel intact"
"$QK" remove 6.1.1 >rm2.out 2>rm2.err
is "$?" 0 "remove 6.1.1 after the run: exit 0" "$(cat rm2.err)"
is "$(head -n1 rm2.out)" "removed 6.1.1 (0.0 MiB): $store" "it says what it removed"
! test -e "$kernels/6.1.1" && ! test -e "$store"
ok $? "its link and its folder are gone"
"$QK" remove 6.1.1 >/dev/null 2>rm3.err
is "$?" 1 "removing it again: exit 1"
is "$(cat rm3.err)" "quiz-kernel: remove 6.1.1: no x86_64 kernel 6.1.1 built (quiz-kernel list shows them)" \
	"and says none is built"

# --- cache clean: what no kept kernel needs ---
"$QK" remove 6.1.99 >/dev/null
mkdir -p "$kernels/.store/6.1.50-0123456789abcdef-999999" "$kernels/.store/6.1.51-0123456789abcdef-999998"
held=$kernels/.store/6.1.51-0123456789abcdef-999998 # a run still holds an old build
hold() { exec 9<"$1" && flock -s 9 && exec sleep 60; } # the lock dies with the sleep
hold "$held" &
holder=$!
wait_for 10 sh -c "! flock -n -x '$held' true"
mkdir -p "$QUIZ_HOME/runs/run.stale" "$QUIZ_HOME/runs/run.kept"
touch "$QUIZ_HOME/runs/run.kept/kept"
mkdir -p "$QUIZ_HOME/images"
for f in bookworm.ext2 bookworm.ext2.info bookworm-amd64.ext2 bookworm-amd64.ext2.info; do
	echo image >"$QUIZ_HOME/images/$f"
done
touch "$QUIZ_HOME/logs/image-bookworm.log" "$QUIZ_HOME/logs/image-bookworm-amd64.log"
touch "$QUIZ_HOME/logs/kernel-build-00000000000000aa.log" # fresh: maybe a running build's
touch -d '2 hours ago' "$QUIZ_HOME/logs/kernel-build-00000000000000bb.log" "$QUIZ_HOME"/logs/kernel-build-*.log
touch "$QUIZ_HOME/logs/kernel-build-00000000000000aa.log"
log_a=$QUIZ_HOME/logs/kernel-build-$(cat "$kernels/6.1.98-fake/stamp").log
log_b=$(ls "$QUIZ_HOME"/logs/kernel-build-*.log | grep -v -e "$log_a" -e 00000000000000 | head -n1)

# A downloaded source (quiz-kernel-fetch's): kept by clean, removed by clean --all.
mkdir -p "$QUIZ_HOME/sources/debian"
head -c 1048576 /dev/zero >"$QUIZ_HOME/sources/debian/linux-source-9.9_9.9.1-1.tar.xz"
"$QK" cache >show.out 2>&1
is "$?" 0 "quiz-kernel cache exits 0" "$(cat show.out)"
for part in kernels "kbuild copies" "build trees" "unpacked sources" "downloaded sources" images runs logs accel total; do
	grep -q "^  $part  *[0-9]* MiB  [0-9]* MiB" show.out
	ok $? "cache shows $part" "$(cat show.out)"
done
grep -q '^  kernels .*; 1 in use, left alone' show.out
ok $? "cache says one kernel build is in use" "$(cat show.out)"

"$QK" cache clean >clean.out 2>&1
is "$?" 0 "cache clean exits 0" "$(cat clean.out)"
for gone in "$src_b" "$build_b" "$kernels/.store/6.1.50-0123456789abcdef-999999" \
	"$QUIZ_HOME/runs/run.stale" "$QUIZ_HOME/images/bookworm.ext2" "$QUIZ_HOME/images/bookworm.ext2.info" \
	"$QUIZ_HOME/logs/image-bookworm.log" "$QUIZ_HOME/logs/kernel-build-00000000000000bb.log" "$log_b"; do
	! test -e "$gone"
	ok $? "clean removed ${gone#"$QUIZ_HOME"/}" "$(cat clean.out)"
done
test -f "$QUIZ_HOME/sources/debian/linux-source-9.9_9.9.1-1.tar.xz"
ok $? "clean keeps the downloaded sources" "$(cat clean.out)"
for kept in "$src_a" "$build_a" "$kernels/6.1.98-fake/bzImage" "$kernels/6.1.98-fake/kbuild" "$held" \
	"$QUIZ_HOME/runs/run.kept" "$QUIZ_HOME/images/bookworm-amd64.ext2" "$QUIZ_HOME/logs/image-bookworm-amd64.log" \
	"$QUIZ_HOME/logs/kernel-build-00000000000000aa.log" "$log_a"; do
	test -e "$kept"
	ok $? "clean kept ${kept#"$QUIZ_HOME"/}" "$(cat clean.out)"
done
grep -q "^left (in use): $held (a run uses it)" clean.out
ok $? "clean names the build a run holds" "$(cat clean.out)"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

FAKE_REL=6.1.98-fake build "$scratch/linux-a.tar.gz" >again.out 2>&1
is "$(tail -n1 again.out)" "quiz-kernel: 6.1.98-fake is up to date: $kernels/6.1.98-fake" \
	"after clean, rebuilding the kept kernel does nothing"
: >make.log
FAKE_REL=6.1.98-fake build -e CONFIG_NEW "$scratch/linux-a.tar.gz" >incr.out 2>&1
is "$?" 0 "a changed config of it builds" "$(tail -n 5 incr.out)"
is "$(cat make.log)" incremental "in its build folder as it was: incremental"

# --- a rebuild while a run holds the previous build: that one stays until clean ---
prev=$(readlink -f "$kernels/6.1.98-fake")
hold "$prev" &
holder=$!
wait_for 10 sh -c "! flock -n -x '$prev' true"
FAKE_REL=6.1.98-fake build -e CONFIG_NEW -e CONFIG_NEWER "$scratch/linux-a.tar.gz" >held.out 2>&1
is "$?" 0 "a rebuild while a run holds the previous build succeeds" "$(tail -n 5 held.out)"
[ "$(readlink -f "$kernels/6.1.98-fake")" != "$prev" ] && test -f "$prev/bzImage"
ok $? "the new build is published, the held one stays whole"
grep -q "^quiz-kernel: the previous 6.1.98-fake stays in $prev while a run uses it; quiz-kernel cache clean removes it later$" held.out
ok $? "and the build says so" "$(cat held.out)"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
"$QK" cache clean >clean2.out 2>&1
! test -e "$prev"
ok $? "once the run is gone, cache clean removes it" "$(cat clean2.out)"

# --- cache clean --all: every source and build tree, the kbuild copies; kernels still boot ---
"$QK" cache clean --all >all.out 2>&1
is "$?" 0 "cache clean --all exits 0" "$(cat all.out)"
! test -e "$src_a" && ! test -e "$build_a" && ! test -e "$kernels/6.1.98-fake/kbuild" &&
	! test -e "$QUIZ_HOME/runs/run.kept"
ok $? "--all removed the kept kernel's source, build tree and kbuild, and the kept run" "$(cat all.out)"
! test -e "$QUIZ_HOME/sources/debian"
ok $? "and the downloaded sources" "$(cat all.out)"
"$QUIZ" -k 6.1.98 --dry-run true >dry.out 2>&1
is "$?" 0 "the kernel still boots (--dry-run)" "$(cat dry.out)"
"$QK" path 6.1.98 kbuild >path.out 2>path.err
is "$?" 1 "quiz-kernel path 6.1.98 kbuild: exit 1"
is "$(cat path.err)" "quiz-kernel: kernel 6.1.98-fake has no build tree for modules (quiz-kernel cache clean --all removed it, or its source); it still boots. Get it back: quiz-kernel build -a x86_64 -e CONFIG_NEW -e CONFIG_NEWER --no-btf $scratch/linux-a.tar.gz" \
	"and says how to get it back"
: >make.log
FAKE_REL=6.1.98-fake build -e CONFIG_NEW -e CONFIG_NEWER "$scratch/linux-a.tar.gz" >back.out 2>&1
is "$?" 0 "that command builds it again" "$(tail -n 5 back.out)"
is "$(cat make.log)" fresh "from scratch (its build folder was removed)"
test -f "$kernels/6.1.98-fake/kbuild/.config"
ok $? "and its kbuild is back"

"$QK" cache clean --bogus >/dev/null 2>bad.err
is "$?" 1 "an unknown argument: exit 1"
is "$(cat bad.err)" "quiz-kernel: cache: unknown argument --bogus; see quiz-kernel cache --help" "and says so"

done_testing
