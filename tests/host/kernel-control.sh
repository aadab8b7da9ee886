#!/bin/bash
# SPDX-License-Identifier: MIT
# Controlling a build: -j (and its default), QUIZ_BUILD_PREFIX in front of every make,
# --keep-config (the build folder's own .config, plus only what quiz needs). A fake kernel tree.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
command -v make >/dev/null || { echo "1..0 # SKIP make is not installed"; exit 0; }
kernels=$QUIZ_HOME/kernels/x86_64

# Each make of the fake tree notes its target in FAKE_MAKE_LOG.
mkdir -p tree/arch/x86
cat >tree/Makefile <<'MAKE'
MAKEFLAGS += --no-print-directory
O ?= .
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	@echo $@ >>$(FAKE_MAKE_LOG)
	mkdir -p $(O)
	cp $(KCONFIG_ALLCONFIG) $(O)/.config
olddefconfig:
	@echo $@ >>$(FAKE_MAKE_LOG)
all:
	@echo $@ >>$(FAKE_MAKE_LOG)
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
kernelrelease:
	@echo $@ >>$(FAKE_MAKE_LOG)
	@echo 6.1.97-fake
modules_install:
	@echo $@ >>$(FAKE_MAKE_LOG)
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/6.1.97-fake
MAKE
export FAKE_MAKE_LOG=$scratch/make.log
cat >wrap <<'SH'
#!/bin/sh
# A build prefix: notes its words and the make it runs, then runs it.
echo "$*" >>"$WRAP_LOG"
shift
exec "$@"
SH
chmod +x wrap
export WRAP_LOG=$scratch/wrap.log

# --- -j: the default, and QUIZ_BUILD_PREFIX before every make ---
n=$(nproc)
want_jobs=$((n - n / 8))
"$QK" build --help >help.out
grep -q "default: every CPU but one in eight: $want_jobs here" help.out
ok $? "--help names the default -j: $want_jobs of $n CPUs" "$(grep -A1 -- '-j N' help.out)"
: >make.log; : >wrap.log
QUIZ_BUILD_PREFIX="$scratch/wrap tagged" "$QK" build --no-btf "$scratch/tree" >b1.out 2>&1
is "$?" 0 "a build with QUIZ_BUILD_PREFIX succeeds" "$(tail -n 5 b1.out)"
is "$(awk '{ print $NF }' wrap.log | paste -sd' ')" "$(paste -sd' ' make.log)" \
	"every make ran through the prefix ($(paste -sd' ' make.log))"
ok "$([ -s wrap.log ] && ! grep -qv "^tagged make -C $scratch/tree " wrap.log; echo $?)" \
	"each with the prefix's words first, then make" "$(cat wrap.log)"
ok "$([ -s wrap.log ] && ! grep -v " -j$want_jobs " wrap.log | grep -q .; echo $?)" \
	"without -j, each make has -j$want_jobs" "$(cat wrap.log)"
: >wrap.log
QUIZ_BUILD_PREFIX="$scratch/wrap tagged" "$QK" build --no-btf -j 3 --force "$scratch/tree" >b2.out 2>&1
is "$?" 0 "a build with -j 3 succeeds" "$(tail -n 5 b2.out)"
! grep -v " -j3 " wrap.log | grep -q . && grep -q . wrap.log
ok $? "each make has -j3" "$(cat wrap.log)"
QUIZ_BUILD_PREFIX="no-such-nice -n 19" "$QK" build --no-btf "$scratch/tree" >/dev/null 2>bad.err
is "$?" 1 "a prefix that is no command: exit 1"
is "$(cat bad.err)" "quiz-kernel: QUIZ_BUILD_PREFIX=no-such-nice -n 19: no command no-such-nice; set it to words such as 'nice -n 19 ionice -c3'" \
	"and says so"
"$QK" build --no-btf -j 0 "$scratch/tree" >/dev/null 2>j0.err
is "$?" 1 "-j 0: exit 1"
is "$(cat j0.err)" "quiz-kernel: -j 0: expected a positive number" "and says so"

# --- --keep-config: the folder's own config, quiz's needs added, nothing else of quiz's ---
# (From a tarball: a tree without git is never up to date, there is no telling it unchanged.)
rm -rf "$kernels"
tar -czf tree.tar.gz tree
"$QK" build --no-btf --keep-config "$scratch/tree.tar.gz" >k0.out 2>&1
is "$?" 1 "--keep-config before the folder has a config: exit 1"
grep -q "^quiz-kernel: --keep-config: no .config in $QUIZ_HOME/build/x86_64/[0-9a-f]*-own yet; start it from one: --keep-config=FILE (a .config or a build tree)$" k0.out
ok $? "and says how to start it" "$(cat k0.out)"
printf 'CONFIG_MINE=y\nCONFIG_HZ_100=y\n' >my.config
"$QK" build --no-btf --keep-config="$scratch/my.config" "$scratch/tree.tar.gz" >k1.out 2>&1
is "$?" 0 "--keep-config=FILE builds" "$(tail -n 5 k1.out)"
config=$kernels/6.1.97-fake/config
grep -qx CONFIG_MINE=y "$config" && grep -qx CONFIG_HZ_100=y "$config"
ok $? "the kernel has FILE's own options" "$(cat "$config")"
missing=$(grep -h '^CONFIG_' "$source_root/kconfig/base.config" "$source_root/kconfig/arch/x86_64.config" |
	grep -vxF -f "$config")
is "$missing" "" "and every option quiz needs (base.config, arch/x86_64.config)"
lacks "$config" '^CONFIG_KPROBES=y$' "but nothing else of quiz's (debug.config's KPROBES)"
"$QK" build --no-btf --keep-config "$scratch/tree.tar.gz" >k2.out 2>&1
is "$?" 0 "--keep-config again (the folder's config now)" "$(tail -n 5 k2.out)"
is "$(tail -n1 k2.out)" "quiz-kernel: 6.1.97-fake is up to date: $kernels/6.1.97-fake" "is a no-op"
"$QK" build --no-btf --keep-config -e CONFIG_MORE "$scratch/tree.tar.gz" >k3.out 2>&1
is "$?" 0 "--keep-config -e CONFIG_MORE builds" "$(tail -n 5 k3.out)"
grep -qx CONFIG_MORE=y "$config" && grep -qx CONFIG_MINE=y "$config"
ok $? "its kernel keeps the folder's options and gains the new one" "$(cat "$config")"
grep -q -- "^rebuild=-e CONFIG_MORE --keep-config --no-btf $scratch/tree.tar.gz$" "$kernels/6.1.97-fake/info"
ok $? "its info says how to rebuild it" "$(grep rebuild= "$kernels/6.1.97-fake/info")"

done_testing
