#!/bin/bash
# SPDX-License-Identifier: MIT
# Kernels: both CI kernels boot; a rebuild of the same source and config does nothing; a
# fragment whose symbol cannot take effect fails, names it, and keeps the good kernel;
# quiz-kernel check; -K with a user's own build tree.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
cd "$scratch" || exit 1

for ver in ${QUIZ_TEST_KERNELS:-6.1 6.12}; do
	release=$("$QUIZ" -k "$ver" -r raw uname -r </dev/null 2>err)
	case $release in
	"$ver".*) ok 0 "-k $ver boots $release" ;;
	*) ok 1 "-k $ver boots a $ver kernel" "uname -r: $release; $(cat err)" ;;
	esac
done

dir=$("$QUIZ_KERNEL_TOOL" path "$QUIZ_TEST_KERNEL")
stamp_before=$(stat -c %Y "$dir/stamp")
start=$(date +%s%N)
# As scripts/test built it: the test kernel with quiz-kernel's default options (DWARF, BTF).
"$QUIZ_KERNEL_TOOL" build "$QUIZ_TEST_KERNEL" >out 2>&1
status=$?
ms=$((($(date +%s%N) - start) / 1000000))
is "$status" 0 "a second build of the same source and config succeeds"
grep -q 'is up to date' out
ok $? "it says the kernel is up to date" "$(cat out)"
is "$(stat -c %Y "$dir/stamp")" "$stamp_before" "nothing was rebuilt or reinstalled"
ok "$([ "$ms" -lt 1000 ]; echo $?)" "the no-op takes under a second (${ms} ms)"

# QEMU boots a copy of vmlinux without the symbol table it would load; gdb keeps the full one.
is "$("$QUIZ_KERNEL_TOOL" path "$QUIZ_TEST_KERNEL" image)" "$dir/vmlinux.boot" \
	"the boot image of a PVH kernel is vmlinux.boot"
is "$(nm "$dir/vmlinux.boot" 2>&1 | sed 's/.*: //')" "no symbols" "vmlinux.boot has no symbol table"
ok "$(nm "$dir/vmlinux" | grep -q ' T start_kernel$'; echo $?)" "vmlinux keeps its symbols for gdb"
"$QUIZ" -k "$QUIZ_TEST_KERNEL" --dry-run true 2>&1 | grep -q -- " -kernel $dir/vmlinux.boot "
ok $? "quiz hands QEMU vmlinux.boot"

# A broken fragment, built in a scratch cache that shares the sources and sees the good kernel.
release=$(basename "$(readlink -f "$dir")")
release=${release%%-*}
mkdir -p fake-home/kernels/x86_64
ln -s "$home/src" fake-home/src
ln -s "$(readlink -f "$dir")" "fake-home/kernels/x86_64/$release"
sum_before=$(sha256sum <"$dir/bzImage")
printf 'CONFIG_VIRTIO_VSOCKETS=y\n' >broken.config # VSOCKETS is off in every quiz kernel
QUIZ_HOME=$scratch/fake-home "$QUIZ_KERNEL_TOOL" build --no-btf -f broken.config \
	"$QUIZ_TEST_KERNEL" >out 2>&1
is "$?" 1 "a fragment whose symbol cannot take effect fails the build"
grep -q 'requested CONFIG_VIRTIO_VSOCKETS=y, got: not set: a menu or dependency it needs is off (defined in net/vmw_vsock/Kconfig; depends on: VSOCKETS && VIRTIO)' out
ok $? "the error names the symbol and what it depends on" "$(tail -n 3 out)"
is "$(readlink -f "fake-home/kernels/x86_64/$release")" "$(readlink -f "$dir")" "the good kernel stays in place"
is "$(sha256sum <"$dir/bzImage")" "$sum_before" "its boot image is unchanged"
is "$(ls -A fake-home/kernels/x86_64/.store 2>/dev/null | wc -l)" 0 "no half-built kernel left behind"

# quiz-kernel check on a .config missing what quiz needs, and on a complete one.
grep -v '^CONFIG_VIRTIO_BLK=\|^CONFIG_9P_FS=' "$dir/config" >partial.config
"$QUIZ_KERNEL_TOOL" check partial.config >out 2>&1
is "$?" 1 "check on an incomplete .config exits 1"
grep -qx '  CONFIG_VIRTIO_BLK=y' out && grep -qx '  CONFIG_9P_FS=y' out
ok $? "check lists each missing option" "$(cat out)"
grep -q 'quiz-kernel config partial.config' out
ok $? "check says how to add them"
"$QUIZ_KERNEL_TOOL" check "$dir/config" >out 2>&1
is "$?" 0 "check on a quiz kernel's config exits 0"

# quiz-kernel config: quiz's needs merged into a user's own tree (here: a fresh allnoconfig).
src=$(ls -d "$home"/src/linux-source-"$QUIZ_TEST_KERNEL"-* 2>/dev/null | head -n1)
if [ -n "$src" ]; then
	make -s -C "$src" O="$scratch/usertree" allnoconfig >/dev/null 2>&1
	"$QUIZ_KERNEL_TOOL" check usertree >/dev/null 2>&1
	is "$?" 1 "a plain allnoconfig tree lacks what quiz needs"
	"$QUIZ_KERNEL_TOOL" config usertree >out 2>&1
	is "$?" 0 "quiz-kernel config merges the options in" "$(tail -n 5 out)"
	grep -q 'has every option quiz needs' out
	ok $? "after it, check finds nothing missing" "$(cat out)"
else
	echo "# no unpacked $QUIZ_TEST_KERNEL source in the cache: quiz-kernel config not tried"
fi

# -K: the user's own build tree (here: the cache's kbuild tree) boots; a bad one is refused.
out=$("$QUIZ" -K "$dir/kbuild" -r raw uname -r </dev/null 2>err)
is "$out" "$release" "-K BUILD_TREE boots that tree's kernel" 
mkdir own
cp "$dir/bzImage" own/bzImage
cp partial.config own/.config
"$QUIZ" -K own/bzImage -r raw true </dev/null >out 2>err
is "$?" 125 "-K with a .config lacking options: 125 before boot"
grep -q 'lacks options quiz needs: CONFIG_VIRTIO_BLK=y CONFIG_9P_FS=y' err
ok $? "the error lists the missing options" "$(cat err)"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
