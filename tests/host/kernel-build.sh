#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel-build against a fake kernel tree: stopping it stops make; builds of one source
# wait for one another; a failed build leaves the published kernel and its kbuild as they were;
# an unchanged configuration is kept, unchanged kbuild files are links to the last kbuild's;
# --print-dir and --again (what quiz -K TREE runs).
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
KBUILD=${QUIZ_KERNEL_BUILD:-$source_root/tools/quiz-kernel-build}
for tool in make flock setsid script; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
ms() { date +%s%3N; }
release=6.1.99-fake
kernels=$QUIZ_HOME/kernels/x86_64

# A kernel source tree with just enough for the build script: allnoconfig takes the wanted
# config as it is, "all" makes the files the script installs (FAKE_MAKE_SLEEP: a long compile,
# FAKE_MAKE_FAIL: a broken one, after it wrote its objects) and notes its start and end in
# FAKE_MAKE_LOG, each configure in FAKE_CONFIG_LOG; it lists Kconfig as kconfig's input.
mkdir -p tree/arch/x86
echo 'config FAKE' >tree/Kconfig
cat >tree/Makefile <<'MAKE'
MAKEFLAGS += --no-print-directory
O ?= .
REL := 6.1.99-fake
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	mkdir -p $(O)
	cp $(KCONFIG_ALLCONFIG) $(O)/.config
	echo configure >>$(FAKE_CONFIG_LOG)
olddefconfig:
	@:
all:
	echo "start $(FAKE_MAKE_TAG)" >>$(FAKE_MAKE_LOG)
	sleep $(or $(FAKE_MAKE_SLEEP),0)
	mkdir -p $(O)/include/config $(O)/scripts
	printf 'deps_config := \\\n\tKconfig \\\n\n' >$(O)/include/config/auto.conf.cmd
	echo "$(FAKE_MAKE_TAG)" >$(O)/obj.o
	echo "$(FAKE_MAKE_TAG)" >$(O)/Module.symvers
	echo "$(FAKE_MAKE_TAG)" >$(O)/.obj.o.cmd
	[ -f $(O)/scripts/tool ] || echo tool >$(O)/scripts/tool
	if [ -n "$(FAKE_MAKE_FAIL)" ]; then echo "fake: compile error" >&2; exit 1; fi
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
	echo "end $(FAKE_MAKE_TAG)" >>$(FAKE_MAKE_LOG)
kernelrelease:
	@echo $(REL)
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(REL)
MAKE
export FAKE_MAKE_LOG=$scratch/make.log FAKE_CONFIG_LOG=$scratch/config.log
: >make.log

main_of() { # the process of ours matching PATTERN whose parent does not match it
	local all p
	all=$(ours "$1")
	for p in $all; do
		printf '%s\n' "$all" | grep -qx "$(ps -o ppid= -p "$p" | tr -d ' ')" || echo "$p"
	done
}

# 17.12: SIGTERM off a terminal stops the script and its make at once.
FAKE_MAKE_SLEEP=100 "$KBUILD" --no-btf -j1 "$scratch/tree" >term.out 2>term.err </dev/null &
k=$!
wait_for 30 running 'sleep 100'
ok $? "the fake compile runs" "$(cat term.err)"
t0=$(ms)
kill -TERM "$k"
wait_exit "$k" 10
is "$?" 143 "17.12: SIGTERM off a terminal during make: the script exits 143"
took=$(($(ms) - t0))
[ "$took" -lt 3000 ]
ok $? "17.12: within seconds, not after the whole make (took ${took} ms)"
wait_for 3 none_left 'sleep 100'
ok $? "17.12: no compile of it is left" "$(ps -o pid,args -p "$(ours 'sleep 100' | paste -sd,)" 2>&1)"
none_left '^make '
ok $? "17.12: no make of it is left"
for p in $(ours .); do kill -9 "$p" 2>/dev/null; done # whatever survived a failing check

# 17.12: on a terminal, SIGINT (Ctrl-C) stops make too, not only the script.
# (A background job of a script starts with SIGINT ignored, and bash cannot trap a signal
# ignored at its start: env puts it back to what a terminal's foreground job has.)
env --default-signal=INT script -qec "FAKE_MAKE_SLEEP=100 $KBUILD --no-btf -j1 $scratch/tree" \
	/dev/null </dev/null >tty.out 2>&1 &
s=$!
wait_for 30 running 'sleep 100'
ok $? "the fake compile runs on a terminal" "$(cat tty.out)"
kb=$(main_of "^/bin/bash $KBUILD ") # the script's shell, not script(1)
t0=$(ms)
kill -INT $kb
wait_exit "$s" 10
is "$?" 130 "17.12: SIGINT on a terminal during make: the script exits 130"
took=$(($(ms) - t0))
[ "$took" -lt 3000 ]
ok $? "17.12: within seconds on a terminal too (took ${took} ms)"
wait_for 3 none_left 'sleep 100'
ok $? "17.12: no compile is left behind on a terminal" "$(ps -o pid,args -p "$(ours 'sleep 100' | paste -sd,)" 2>&1)"
none_left '^make '
ok $? "17.12: no make is left behind on a terminal"
for p in $(ours .); do kill -9 "$p" 2>/dev/null; done

# On a terminal the progress line counts objects; the build itself must still succeed (it used
# to fail at "configure": the loop's last read, at EOF, emptied the line holding make's status).
env --default-signal=INT script -qec "$KBUILD --no-btf -j1 $scratch/tree" /dev/null </dev/null >tty-ok.out 2>&1
is "$?" 0 "a build on a terminal succeeds" "$(tail -c 600 tty-ok.out)"
test -f "$kernels/$release/bzImage"
ok $? "and publishes its kernel"

# 17.15: two builds of one source (a tarball: unpacked once) run one after the other.
tar -C "$scratch" -czf linux-fake.tar.gz tree
: >make.log
FAKE_MAKE_SLEEP=2 FAKE_MAKE_TAG=A "$KBUILD" --no-btf -j1 "$scratch/linux-fake.tar.gz" >a.out 2>a.err &
a=$!
wait_for 20 grep -q 'start A' make.log
FAKE_MAKE_SLEEP=2 FAKE_MAKE_TAG=B "$KBUILD" --no-btf -j1 -e CONFIG_FAKE_B "$scratch/linux-fake.tar.gz" \
	>b.out 2>b.err &
b=$!
wait_exit "$a" 60
is "$?" 0 "17.15: the first of two concurrent builds of one source succeeds" "$(tail -n 5 a.err)"
wait_exit "$b" 60
is "$?" 0 "17.15: the second succeeds too" "$(tail -n 5 b.err)"
grep -q 'waiting for another build of' b.err
ok $? "17.15: the second said it waits for the first" "$(cat b.err)"
is "$(paste -sd' ' make.log)" "start A end A start B end B" "17.15: their compiles did not overlap"
grep -qx CONFIG_FAKE_B=y "$kernels/$release/config"
ok $? "17.15: the kernel published last is the second's"

# 17.15: a failed build keeps the previous kernel, and its kbuild still describes it.
(umask 002 && "$KBUILD" --no-btf -j1 "$scratch/tree" >good.out 2>good.err) # a group's CI cache
is "$?" 0 "a build of the tree succeeds" "$(tail -n 5 good.err)"
store=$(readlink -f "$kernels/$release")
is "$(stat -c %a "$store" "$store/bzImage" "$store/info" "$store/kbuild" "$QUIZ_HOME/logs" | paste -sd' ')" \
	"700 600 600 700 700" "under umask 002 the cache is private: folders 0700, files 0600"
is "$(stat -c %a "$store/layer/usr" "$store/layer/usr/lib/modules/$release" "$store/layer/boot" \
	"$store/layer/boot/vmlinux-$release" | paste -sd' ')" "755 755 755 755" \
	"but the kernel layer, which the guest's users see as it is, is theirs to read (vmlinux: 755 as make made it)"
before=$(readlink "$kernels/$release")
kbuild_config=$(sha256sum <"$kernels/$release/kbuild/.config")
FAKE_MAKE_FAIL=1 "$KBUILD" --no-btf -j1 -e CONFIG_FAKE_EXTRA "$scratch/tree" >bad.out 2>bad.err
is "$?" 1 "17.15: a build that fails to compile exits 1"
is "$(readlink "$kernels/$release")" "$before" "17.15: the previous kernel stays published"
test -f "$kernels/$release/bzImage" && test -f "$kernels/$release/vmlinux"
ok $? "17.15: with its files"
is "$(sha256sum <"$kernels/$release/kbuild/.config")" "$kbuild_config" \
	"17.15: its kbuild's .config is untouched by the failed build"
lacks "$kernels/$release/kbuild/.config" CONFIG_FAKE_EXTRA "17.15: (the failed build's option is not in it)"

# The loop (issue 20): the kbuild of each kernel describes it, while unchanged files are links.
FAKE_MAKE_TAG=one "$KBUILD" --no-btf -j1 --force "$scratch/tree" >one.out 2>one.err
is "$?" 0 "a build with objects tagged one succeeds" "$(tail -n 5 one.err)"
is "$(cat "$kernels/$release/kbuild/Module.symvers")" one "its kbuild has its Module.symvers"
is "$(ls "$kernels/$release/kbuild/obj.o" "$kernels/$release/kbuild/.obj.o.cmd" 2>/dev/null)" "" \
	"but not the objects and their .cmd files (modules built against it need neither)"
tool_inode=$(stat -c %i "$kernels/$release/kbuild/scripts/tool")
FAKE_MAKE_TAG=two FAKE_MAKE_FAIL=1 "$KBUILD" --no-btf -j1 --force "$scratch/tree" >two.out 2>two.err
is "$?" 1 "a build that rewrites the objects, then fails, exits 1"
is "$(cat "$kernels/$release/kbuild/Module.symvers")" one \
	"the published kernel's kbuild keeps its own files (the build folder's say two)"
: >config.log
FAKE_MAKE_TAG=three "$KBUILD" --no-btf -j1 --force "$scratch/tree" >three.out 2>three.err
is "$?" 0 "a third build succeeds" "$(tail -n 5 three.err)"
is "$(cat "$kernels/$release/kbuild/Module.symvers")" three "its kbuild has its files"
is "$(stat -c %i "$kernels/$release/kbuild/scripts/tool")" "$tool_inode" \
	"a file no build changed is a link to the earlier kbuild's, not a copy"
is "$(cat config.log)" "" "an unchanged configuration is not made again" "$(cat three.err)"
grep -q 'configuration unchanged' three.err
ok $? "the build says it kept the configuration" "$(cat three.err)"
touch tree/Kconfig
"$KBUILD" --no-btf -j1 --force "$scratch/tree" >four.out 2>four.err
is "$(cat config.log)" configure "a changed Kconfig file configures again" "$(cat four.err)"
: >config.log
"$KBUILD" --no-btf -j1 --force -e CONFIG_FAKE_C "$scratch/tree" >five.out 2>five.err
is "$(cat config.log)" configure "a changed option configures again"
grep -qx CONFIG_FAKE_C=y "$kernels/$release/kbuild/.config"
ok $? "and the kbuild's .config has it"

# --print-dir: stdout is the kernel's folder only; --again: the last build's options.
mkdir -p "$scratch/other" && cp -a tree/. other/ && git -C other init -q &&
	git -C other add -A && git -C other -c user.name=t -c user.email=t@t commit -qm one
"$KBUILD" --no-btf -j1 -e CONFIG_FAKE_E "$scratch/other" >six.out 2>six.err
is "$?" 0 "a git tree builds with -e CONFIG_FAKE_E" "$(tail -n 5 six.err)"
out=$("$KBUILD" -j1 --again --print-dir "$scratch/other" 2>again.err)
is "$?" 0 "--again --print-dir on the built tree succeeds" "$(cat again.err)"
is "$out" "$kernels/$release" "it prints the kernel's folder and nothing else"
is "$(cat again.err)" "" "the kernel is up to date: nothing on stderr either"
out=$("$KBUILD" -j1 --again --print-dir -e CONFIG_FAKE_D "$scratch/other" 2>&1)
is "$?" 1 "--again with options of its own is refused" "$out"
: >make.log
echo 'int x;' >other/changed.c && git -C other add changed.c
out=$("$KBUILD" -j1 --again --print-dir "$scratch/other" 2>again.err)
is "$?" 0 "--again rebuilds the changed tree" "$(tail -n 5 again.err)"
is "$out" "$kernels/$release" "and prints its kernel's folder"
grep -qx CONFIG_FAKE_E=y "$out/config"
ok $? "with the last build's option (-e CONFIG_FAKE_E)" "$(cat "$out/config")"
is "$(grep -c '^start' make.log)" 1 "it ran make once"

# Issue 29: on a terminal a compile says how far it is, as a share of the object count of the
# last full build of that series (the tree's VERSION.PATCHLEVEL) and config; the first build,
# with nothing to go by, counts objects only.
mkdir -p counted/arch/x86
echo 'config FAKE' >counted/Kconfig
sed -e 's/^REL := .*/REL := 6.3.1-counted/' -e '1i VERSION = 6\nPATCHLEVEL = 3' \
	-e 's|^\tsleep .*|\tfor i in $$(seq $${FAKE_OBJECTS:-8}); do echo "  CC      o$$i.o"; sleep 0.3; done|' \
	tree/Makefile >counted/Makefile
script -qec "$KBUILD --no-btf -j1 $scratch/counted" /dev/null </dev/null >count1.out 2>&1
is "$?" 0 "a first build of a counted tree on a terminal succeeds" "$(tail -c 300 count1.out)"
lacks count1.out '%\)' "the first build shows no share: nothing to go by"
contains count1.out 'compiling: [0-9]+ objects, [0-9]+s' "it counts its objects"
is "$(cat "$QUIZ_HOME"/build/x86_64/objects-6.3-*)" 8 "and keeps the full build's count, 8"
script -qec "FAKE_OBJECTS=2 $KBUILD --no-btf -j1 --force $scratch/counted" /dev/null </dev/null >count2.out 2>&1
is "$?" 0 "a second, incremental build (2 objects) succeeds" "$(tail -c 300 count2.out)"
contains count2.out 'compiling: 2 objects of ~8 \(25%\)' "it shows its share of the full build's 8"
rm -f "$QUIZ_HOME"/build/x86_64/*/vmlinux
script -qec "$KBUILD --no-btf -j1 --force $scratch/counted" /dev/null </dev/null >count3.out 2>&1
is "$?" 0 "a full build again succeeds" "$(tail -c 300 count3.out)"
contains count3.out 'compiling: [1-8] objects of ~8 \([0-9]+%\)' "a full build shows how far it is, of the 8 objects of the last full build (not the incremental's 2)"
ls "$QUIZ_HOME"/build/x86_64/objects-6.3-* >/dev/null 2>&1
ok $? "the count is kept per series (6.3) and config" "$(ls "$QUIZ_HOME"/build/x86_64/)"

done_testing
