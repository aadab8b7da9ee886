#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz -K on a kernel source tree (a fake one, its make quick): quiz-kernel builds it first with
# the tree's last options, then it boots (here: --dry-run) from the cache; a tree that does not
# build exits 125 (git bisect's skip) and says why; stdout stays the program's.
. "$(dirname "$0")/dry-lib.sh"
cd "$scratch" || exit 1
fake_cache
command -v make >/dev/null || { echo "1..0 # SKIP make is not installed"; exit 0; }
mkdir -p tree/arch/x86 tree/init
echo 'config FAKE' >tree/Kconfig
echo 'int main;' >tree/init/main.c
cat >tree/Makefile <<'MAKE'
MAKEFLAGS += --no-print-directory
O ?= .
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	mkdir -p $(O)
	cp $(KCONFIG_ALLCONFIG) $(O)/.config
olddefconfig:
	@:
all:
	echo compiled >>$(CURDIR)/../make.log
	if grep -q broken $(CURDIR)/init/main.c; then echo "init/main.c:1: error: broken" >&2; exit 1; fi
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
kernelrelease:
	@echo 6.1.99-tree
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/6.1.99-tree
MAKE
git -C tree init -q && git -C tree add -A && git -C tree -c user.name=t -c user.email=t@t commit -qm one
kernels=$QUIZ_HOME/kernels/x86_64

out=$("$QUIZ" -K tree --dry-run true 2>err)
is "$?" 0 "quiz -K on a never built source tree builds it and goes on" "$(cat err)"
grep -q -- "-kernel $kernels/.store/6.1.99-tree-[0-9a-f]*-[0-9]*/vmlinux.boot " <<<"$out"
ok $? "it boots the tree's kernel from the cache" "$out"
grep -q 'quiz-kernel: built 6.1.99-tree' err
ok $? "the build's progress is on stderr" "$(cat err)"
ok "$([ -n "$out" ] && ! grep -q 'quiz-kernel' <<<"$out"; echo $?)" "and none of it on stdout (which holds the dry run)"

"$(dirname "$QUIZ")/quiz-kernel" build --no-btf -e CONFIG_FAKE_TREE tree >/dev/null 2>&1
: >make.log
"$QUIZ" -K tree --dry-run true >/dev/null 2>err
is "$?" 0 "a current tree: quiz -K goes on" "$(cat err)"
is "$(cat make.log)" "" "without a build"
is "$(cat err)" "" "and says nothing about it"

echo 'int changed;' >>tree/init/main.c
"$QUIZ" -K tree --dry-run true >/dev/null 2>err
is "$?" 0 "a changed tree builds again" "$(cat err)"
is "$(cat make.log)" compiled "with one make"
grep -qx CONFIG_FAKE_TREE=y "$kernels/6.1.99-tree/config"
ok $? "with the options of its last build (-e CONFIG_FAKE_TREE)"

echo broken >>tree/init/main.c
out=$("$QUIZ" -K tree --dry-run true 2>err)
is "$?" 125 "a tree that does not build exits 125" "$(cat err)"
grep -q '^quiz: -K tree: building the kernel source tree failed' err
ok $? "quiz says the build failed" "$(cat err)"
grep -q 'init/main.c:1: error: broken' err
ok $? "with the compiler's words" "$(cat err)"
is "$out" "" "nothing on stdout"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
