#!/bin/bash
# SPDX-License-Identifier: MIT
# Debug kernels: quiz-kernel build --with FLAVOUR against a fake kernel tree (the fragment in
# the config, the release's name, the stamp, refusals before anything is made, --configure-only)
# and which kernel -k picks among plain and flavoured ones (quiz --dry-run, quiz-kernel path).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kernel-lib.sh"
cd "$scratch" || exit 1
KBUILD=${QUIZ_KERNEL_BUILD:-$source_root/tools/quiz-kernel-build}
QUIZ_KERNEL=$(dirname "$QUIZ")/quiz-kernel
for tool in make flock setsid; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
flavours=$source_root/kconfig/flavour
kernels=$QUIZ_HOME/kernels/x86_64

# A kernel tree as the build script sees it: tests/host/fake-kernel.mk (its comment says what
# each target does).
mkdir -p tree/arch/x86
cp "$source_root/tests/host/fake-kernel.mk" tree/Makefile # the shared fake tree
export FAKE_MAKE_LOG=$scratch/make.log
: >make.log
lines_of() { grep -E '^(CONFIG_|# CONFIG_)' "$1"; } # a fragment's settings
has_all() { # has_all FRAGMENT CONFIG: every setting of FRAGMENT is a line of CONFIG
	local l
	while IFS= read -r l; do grep -qxF "$l" "$2" || { echo "missing: $l"; return 1; }; done < <(lines_of "$1")
}

# --- building: the fragment goes in, the release and the stamp say so ---
# (From a tarball: a tree without git is never up to date, there is no telling it unchanged.)
tar -czf tree.tar.gz tree
"$KBUILD" --no-btf -j1 tree.tar.gz >plain.out 2>plain.err
is "$?" 0 "a plain build of the fake tree" "$(tail -n 3 plain.err)"
"$KBUILD" --no-btf -j1 --with kasan tree.tar.gz >kasan.out 2>kasan.err
is "$?" 0 "--with kasan builds" "$(tail -n 3 kasan.err)"
test -f "$kernels/6.1.99-kasan/bzImage"
ok $? "its release is 6.1.99-kasan: kernels/x86_64/6.1.99-kasan" "$(ls "$kernels")"
msg=$(has_all "$flavours/kasan.config" "$kernels/6.1.99-kasan/config")
ok $? "its config has every line of kconfig/flavour/kasan.config" "$msg"
grep -qx 'CONFIG_LOCALVERSION="-kasan"' "$kernels/6.1.99-kasan/config"
ok $? "and CONFIG_LOCALVERSION=\"-kasan\", which names the release (uname -r)"
lacks "$kernels/6.1.99/config" '^CONFIG_KASAN' "the plain kernel has no KASAN"
grep -qx 'flavours=kasan' "$kernels/6.1.99-kasan/info"
ok $? "its info says flavours=kasan" "$(cat "$kernels/6.1.99-kasan/info")"
grep -qx 'flavours=' "$kernels/6.1.99/info"
ok $? "the plain one's says flavours= (none)"
[ "$(cat "$kernels/6.1.99-kasan/stamp")" != "$(cat "$kernels/6.1.99/stamp")" ]
ok $? "the two stamps differ"
"$KBUILD" --no-btf -j1 tree.tar.gz >plain2.out 2>&1
is "$(cat plain2.out)" "quiz-kernel: 6.1.99 is up to date: $kernels/6.1.99" \
	"the plain kernel is still up to date after the kasan build"
"$KBUILD" --no-btf -j1 --with kasan tree.tar.gz >kasan2.out 2>&1
is "$(cat kasan2.out)" "quiz-kernel: 6.1.99-kasan is up to date: $kernels/6.1.99-kasan" \
	"--with kasan again: up to date"
ls -d "$QUIZ_HOME"/build/x86_64/*-kasan >/dev/null 2>&1
ok $? "the kasan kernel has a build folder of its own (incremental rebuilds of both)" \
	"$(ls "$QUIZ_HOME/build/x86_64")"

"$KBUILD" --no-btf -j1 --with lockdep --with kasan tree.tar.gz >two.out 2>two.err
is "$?" 0 "--with lockdep --with kasan builds" "$(tail -n 3 two.err)"
test -f "$kernels/6.1.99-kasan-lockdep/bzImage"
ok $? "as 6.1.99-kasan-lockdep: flavours in a fixed order, not the order given" "$(ls "$kernels")"
msg=$(has_all "$flavours/lockdep.config" "$kernels/6.1.99-kasan-lockdep/config") &&
	msg=$(has_all "$flavours/kasan.config" "$kernels/6.1.99-kasan-lockdep/config")
ok $? "with both fragments" "$msg"
"$KBUILD" --no-btf -j1 --with kasan,lockdep,kasan tree.tar.gz >two2.out 2>&1
is "$(cat two2.out)" "quiz-kernel: 6.1.99-kasan-lockdep is up to date: $kernels/6.1.99-kasan-lockdep" \
	"--with kasan,lockdep,kasan is the same kernel (same stamp)"
grep -qx 'flavours=kasan,lockdep' "$kernels/6.1.99-kasan-lockdep/info"
ok $? "its info says flavours=kasan,lockdep"

"$QUIZ_KERNEL" list >list.out 2>&1
grep -E '^6\.1\.99-kasan-lockdep .*, debug, with kasan,lockdep ' list.out >/dev/null
ok $? "quiz-kernel list shows the flavours" "$(cat list.out)"
grep -E '^6\.1\.99 .* options, debug  ' list.out >/dev/null
ok $? "and none for the plain kernel" "$(cat list.out)"
is "$("$QUIZ_KERNEL" path 6.1-kasan)" "$(readlink -f "$kernels/6.1.99-kasan")" \
	"quiz-kernel path 6.1-kasan"
is "$("$QUIZ_KERNEL" path 6.1-lockdep-kasan config)" "$(readlink -f "$kernels/6.1.99-kasan-lockdep")/config" \
	"quiz-kernel path 6.1-lockdep-kasan config"
is "$("$QUIZ_KERNEL" path 6.1)" "$(readlink -f "$kernels/6.1.99")" "quiz-kernel path 6.1: the plain one"
"$QUIZ_KERNEL" path 6.1-ubsan >path.out 2>path.err
is "$?" 1 "quiz-kernel path 6.1-ubsan, not built: exit 1"
is "$(cat path.err)" "quiz-kernel: no x86_64 kernel 6.1-ubsan built; run: quiz-kernel build -a x86_64 --with ubsan 6.1" \
	"and says how to build it"

# --- --gcov-only: the named folders profiled, as Kbuild's sub-makes see it, not the whole ---
export FAKE_GCOV_LOG=$scratch/gcov.log
mkdir -p tree/fs/ext4/sub tree/fs/ext2 tree/fs/ext4x tree/kernel/gcov tree/fs/jbd2
tar -czf gcov.tar.gz tree # a tarball: known unchanged (a tree without git is never up to date)
: >gcov.log
"$KBUILD" --no-btf -j1 --with gcov --gcov-only fs/ext4/,kernel/gcov gcov.tar.gz >gcov.out 2>gcov.err
is "$?" 0 "--with gcov --gcov-only fs/ext4/,kernel/gcov builds" "$(tail -n 3 gcov.err)"
is "$(cat gcov.log)" "fs GCOV_PROFILE=
fs/ext4 GCOV_PROFILE=y
fs/ext4/sub GCOV_PROFILE=y
fs/ext2 GCOV_PROFILE=
fs/ext4x GCOV_PROFILE=
kernel/gcov GCOV_PROFILE=y" "each sub-make: GCOV_PROFILE=y in the folders named and under them only"
grep -qx '# CONFIG_GCOV_PROFILE_ALL is not set' "$kernels/6.1.99-gcov/config" &&
	grep -qx 'CONFIG_GCOV_KERNEL=y' "$kernels/6.1.99-gcov/config"
ok $? "its config: GCOV_KERNEL, not GCOV_PROFILE_ALL" "$(grep GCOV "$kernels/6.1.99-gcov/config")"
grep -qx 'gcov_only=fs/ext4,kernel/gcov' "$kernels/6.1.99-gcov/info"
ok $? "its info says gcov_only=fs/ext4,kernel/gcov" "$(cat "$kernels/6.1.99-gcov/info")"
grep -q -- '--with gcov --gcov-only fs/ext4 --gcov-only kernel/gcov ' "$kernels/6.1.99-gcov/info"
ok $? "and rebuilds with them" "$(grep rebuild= "$kernels/6.1.99-gcov/info")"
"$QUIZ_KERNEL" list >list.out 2>&1
grep -E '^6\.1\.99-gcov .*, with gcov \(fs/ext4,kernel/gcov\) ' list.out >/dev/null
ok $? "quiz-kernel list names the folders" "$(cat list.out)"
stamp=$(cat "$kernels/6.1.99-gcov/stamp")
: >gcov.log
"$KBUILD" --no-btf -j1 --with gcov --gcov-only fs/jbd2 --gcov-only fs/ext4 gcov.tar.gz >gcov2.out 2>gcov2.err
is "$?" 0 "another folder: built again" "$(tail -n 3 gcov2.err)"
[ "$(cat "$kernels/6.1.99-gcov/stamp")" != "$stamp" ] && grep -qx 'fs/ext4 GCOV_PROFILE=y' gcov.log &&
	grep -qx 'kernel/gcov GCOV_PROFILE=' gcov.log
ok $? "with a stamp of its own; kernel/gcov no longer profiled" "$(cat gcov.log)"
"$KBUILD" --no-btf -j1 --with gcov --gcov-only fs/ext4,fs/jbd2 gcov.tar.gz >gcov3.out 2>&1
is "$(cat gcov3.out)" "quiz-kernel: 6.1.99-gcov is up to date: $kernels/6.1.99-gcov" \
	"the same folders in another order: up to date"
: >gcov.log
"$KBUILD" --no-btf -j1 --with gcov gcov.tar.gz >gcov4.out 2>gcov4.err
is "$?" 0 "--with gcov alone builds" "$(tail -n 3 gcov4.err)"
grep -qx 'CONFIG_GCOV_PROFILE_ALL=y' "$kernels/6.1.99-gcov/config" && grep -qx 'gcov_only=' "$kernels/6.1.99-gcov/info" &&
	! grep -q '=y$' gcov.log
ok $? "the whole kernel again: GCOV_PROFILE_ALL, no folder's GCOV_PROFILE set" "$(cat gcov.log)"
unset FAKE_GCOV_LOG
rm -rf "${kernels:?}"/6.1.99-gcov

# --- refused before anything is made: one line, exit 1, no cache, no temporary folder ---
refused "an unknown flavour" \
	"quiz-kernel: --with kasn: no such flavour; use one of bpf,gcov,kasan,kcsan,kmemleak,llvm,lockdep,ubsan,virtiofs" \
	"$KBUILD" --with lockdep,kasn tree
refused "--gcov-only without --with gcov" \
	"quiz-kernel: --gcov-only chooses what a gcov kernel profiles; add --with gcov" \
	"$KBUILD" --gcov-only fs/ext4 tree
refused "--gcov-only with a path that climbs out" \
	"quiz-kernel: --gcov-only fs/../..: expected a folder of the kernel source, relative and plain, such as fs/ext4" \
	"$KBUILD" --with gcov --gcov-only fs/../.. tree
refused "--gcov-only with a wildcard" \
	"quiz-kernel: --gcov-only fs/*: expected a folder of the kernel source, relative and plain, such as fs/ext4" \
	"$KBUILD" --with gcov --gcov-only 'fs/*' tree
refused "--gcov-only with an absolute path" \
	"quiz-kernel: --gcov-only /etc: expected a folder of the kernel source, relative and plain, such as fs/ext4" \
	"$KBUILD" --with gcov --gcov-only /etc tree
refused "--gcov-only with a folder the source lacks" \
	"quiz-kernel: --gcov-only fs/ext5: no such folder in the source of tree; name folders such as fs/ext4" \
	"$KBUILD" --with gcov --gcov-only fs/ext4,fs/ext5 tree
refused "--with and --no-debug" \
	"quiz-kernel: --with kasan: a debug kernel needs kconfig/debug.config; drop --no-debug" \
	"$KBUILD" --no-debug --with kasan tree
refused "kcsan on s390x" \
	"quiz-kernel: --with kcsan: not on s390x (quiz builds it for x86_64 only); leave it out for -a s390x" \
	"$QUIZ_KERNEL" build -a s390x --with kcsan tree
refused "kasan and kcsan together" \
	"quiz-kernel: --with kcsan,kasan: the kernel has them exclude each other; build two kernels" \
	"$KBUILD" --with kcsan,kasan tree
printf 'CONFIG_LOCALVERSION="-mine"\n' >mine.config
refused "--with and a fragment's own CONFIG_LOCALVERSION" \
	"quiz-kernel: --with names the release (CONFIG_LOCALVERSION=\"-kasan\"); leave CONFIG_LOCALVERSION out of your fragments and --set" \
	"$KBUILD" --with kasan -f mine.config tree

# --- --configure-only: configured and checked; nothing compiled, published, or disturbed ---
home=$scratch/configure-home
mkdir -p "$home"
: >make.log
QUIZ_HOME=$home "$KBUILD" --no-btf --configure-only --with kasan tree >conf.out 2>conf.err
is "$?" 0 "--configure-only --with kasan" "$(cat conf.err)"
grep -q '^quiz-kernel: configured 6.1.99-kasan: every requested option took effect; nothing built' conf.err
ok $? "says the release and that every option took effect" "$(cat conf.err)"
config=$(sed -n 's/.*(config: \(.*\)) ([0-9]*s)$/\1/p' conf.err)
msg=$(has_all "$flavours/kasan.config" "$config")
ok $? "the config it names has the fragment" "$msg"
[ ! -s make.log ] && [ ! -e "$home/kernels/x86_64/6.1.99-kasan" ]
ok $? "nothing compiled, nothing published" "$(cat make.log; ls "$home/kernels/x86_64")"
is "$(ls "$home/build/x86_64" | grep -v '\.lock$')" "" "no build folder left behind"

# Every symbol of a fragment is checked: one olddefconfig dropped is named.
FAKE_DROP=CONFIG_KASAN_INLINE QUIZ_HOME=$home "$KBUILD" --no-btf --configure-only --with kasan tree \
	>drop.out 2>drop.err
is "$?" 1 "a fragment's option that does not take effect fails the configure"
grep -qx 'quiz-kernel: requested CONFIG_KASAN_INLINE=y, got: unknown to this kernel' drop.err
ok $? "naming it" "$(cat drop.err)"
# ubsan's UBSAN_SANITIZE_ALL is gone from newer kernels: unknown there, it is no error ...
FAKE_DROP=CONFIG_UBSAN_SANITIZE_ALL QUIZ_HOME=$home "$KBUILD" --no-btf --configure-only --with ubsan \
	tree >opt.out 2>opt.err
is "$?" 0 "a flavour's optional symbol unknown to the kernel is no error" "$(cat opt.err)"
# ... but where the kernel has it, it must take effect.
printf 'config UBSAN_SANITIZE_ALL\n\tbool "all"\n' >tree/Kconfig
FAKE_DROP=CONFIG_UBSAN_SANITIZE_ALL QUIZ_HOME=$home "$KBUILD" --no-btf --configure-only --with ubsan \
	tree >opt2.out 2>opt2.err
is "$?" 1 "the optional symbol, known to the kernel but not set, fails" "$(cat opt2.err)"
grep -q '^quiz-kernel: requested CONFIG_UBSAN_SANITIZE_ALL=y, got: not set' opt2.err
ok $? "naming it" "$(cat opt2.err)"
rm tree/Kconfig

# --- which kernel a run boots (quiz --dry-run: the -kernel path is the store's) ---
fake_kernel 6.1.5-kasan # newer than lib.sh's plain 6.1.1
fake_kernel 6.1.5-kasan-lockdep
rm -rf "${kernels:?}"/6.1.99* # the builds above: only fake_kernel's from here on
booted() { # the release quiz --dry-run would boot with ARGS
	"$QUIZ" "$@" --dry-run true 2>dry.err | grep -o -- '-kernel [^ ]*' | sed 's|.*/\.store/\(.*\)-0123456789abcdef-1/.*|\1|'
}
is "$(booted -k 6.1)" 6.1.1 "-k 6.1 boots the plain 6.1.1, not the newer 6.1.5-kasan"
is "$(booted)" 6.1.1 "no -k boots the plain one too"
is "$(booted -k 6.1-kasan)" 6.1.5-kasan "-k 6.1-kasan boots 6.1.5-kasan"
is "$(booted -k 6.1.5-kasan)" 6.1.5-kasan "-k 6.1.5-kasan too"
is "$(booted -k 6.1-lockdep-kasan)" 6.1.5-kasan-lockdep "-k 6.1-lockdep-kasan boots 6.1.5-kasan-lockdep"
is "$(booted -k 6.1.5)" "" "-k 6.1.5 boots nothing: only flavoured 6.1.5s are built"
"$QUIZ" -k 6.1-ubsan --dry-run true >/dev/null 2>dry.err
is "$?" 125 "-k 6.1-ubsan, not built: 125"
is "$(cat dry.err)" "quiz: no 6.1-ubsan kernel built (built: 6.1.1, 6.1.5-kasan, 6.1.5-kasan-lockdep); run: quiz-kernel build --with ubsan 6.1" \
	"says how to build it"
# A KASAN kernel boots its bzImage even with a PVH vmlinux there (6.1's PVH entry faults under
# KASAN before printing a line); a plain one its vmlinux.boot.
for r in 6.1.1 6.1.5-kasan; do echo "fake vmlinux" >"$kernels/$r/vmlinux.boot"; done
echo CONFIG_KASAN=y >>"$kernels/6.1.5-kasan/config"
image() { "$QUIZ" "$@" --dry-run true 2>/dev/null | grep -o -- '-kernel [^ ]*' | sed 's|.*/||'; }
is "$(image -k 6.1)" vmlinux.boot "a plain PVH kernel: QEMU boots vmlinux.boot"
is "$(image -k 6.1-kasan)" bzImage "a KASAN kernel: QEMU boots its bzImage"
rm "$kernels/6.1.1"
is "$(booted -k 6.1)" "" "-k 6.1 with only flavoured kernels built boots none of them"
is "$(booted)" 6.1.5-kasan-lockdep "no -k with only flavoured kernels: the newest of them"

done_testing
