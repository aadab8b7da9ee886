#!/bin/bash
# SPDX-License-Identifier: MIT
# The bpf flavour (quiz-kernel build --with bpf) against a fake kernel tree: the source's own
# tools/testing/selftests/bpf/config and config.ARCH merged into the config (quiz's and the
# user's settings winning), a missing config.ARCH left out, the one line that counts the list's
# options that did not take effect, --no-btf refused, and a plain build untouched by the list.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kernel-lib.sh"
cd "$scratch" || exit 1
KBUILD=${QUIZ_KERNEL_BUILD:-$source_root/tools/quiz-kernel-build}
for tool in make flock setsid; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done
kernels=$QUIZ_HOME/kernels/x86_64
# BTF is the flavour's need: a stand-in pahole, whatever this machine has (the fake make never
# runs it; the build only asks its version).
mkdir -p bin
printf '#!/bin/sh\necho v1.24\n' >bin/pahole
chmod +x bin/pahole
export PATH=$scratch/bin:$PATH

# A kernel tree as the build script sees it: tests/host/fake-kernel.mk (its comment says what
# each target does).
mkdir -p tree/arch/x86 tree/tools/testing/selftests/bpf
cp "$source_root/tests/host/fake-kernel.mk" tree/Makefile # the shared fake tree
export FAKE_MAKE_LOG=$scratch/make.log
: >make.log
# The source's list, in the kernel's own forms: a module, a string, "=n", "is not set", a line
# without its newline at the end, comments; and one that contradicts quiz's base.config
# (CONFIG_MODULES=y), one that contradicts the user's -e below, and CONFIG_EXPERT, which the
# flavour leaves out.
bpf_dir=tree/tools/testing/selftests/bpf
printf '%s\n' '# the BPF selftests' 'CONFIG_BPF_LSM=y' 'CONFIG_TEST_BPF=m' 'CONFIG_LSM="bpf,integrity"' \
	'CONFIG_DEBUG_INFO_REDUCED=n' '# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set' \
	'# CONFIG_MODULES is not set' '# CONFIG_NET_FOU is not set' 'CONFIG_GONE=y' >"$bpf_dir/config"
printf 'CONFIG_X86_ONLY=y\nCONFIG_EXPERT=y\nCONFIG_NR_CPUS=128' >"$bpf_dir/config.x86_64"
printf 'CONFIG_ARM_ONLY=y\n' >"$bpf_dir/config.aarch64"

configured() { # the config --configure-only names in ERR
	sed -n 's/.*(config: \(.*\)) ([0-9]*s)$/\1/p' "$1"
}

# --- the list lands in the config: quiz's and the user's settings win, =m stays a module ---
home=$scratch/configure-home
mkdir -p "$home"
QUIZ_HOME=$home "$KBUILD" --btf --configure-only --with bpf -e CONFIG_NET_FOU tree >conf.out 2>conf.err
is "$?" 0 "--configure-only --with bpf" "$(cat conf.err)"
config=$(configured conf.err)
missing=
for l in CONFIG_BPF_LSM=y CONFIG_TEST_BPF=m 'CONFIG_LSM="bpf,integrity"' CONFIG_X86_ONLY=y \
	CONFIG_NR_CPUS=128 CONFIG_GONE=y '# CONFIG_DEBUG_INFO_REDUCED is not set' \
	'# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set'; do
	grep -qxF -- "$l" "$config" || missing="$missing [$l]"
done
is "$missing" "" "every line of config and config.x86_64 is in the configured .config"
contains "$config" '^CONFIG_TEST_BPF=m$' "CONFIG_TEST_BPF=m stays a module (TEST_BPF depends on m)"
lacks "$config" '^CONFIG_ARM_ONLY=' "config.aarch64 is not merged for x86_64"
lacks "$config" '^CONFIG_EXPERT=' "nor CONFIG_EXPERT (bpf.config's quiz-flavour-tree-skip: allnoconfig would turn off what it unhides)"
contains "$config" '^CONFIG_MODULES=y$' "base.config's CONFIG_MODULES=y wins over the list's"
contains "$config" '^CONFIG_NET_FOU=y$' "the user's -e CONFIG_NET_FOU wins over the list's"
contains "$config" '^CONFIG_DEBUG_INFO_BTF=y$' "with BTF (btf.config)"
is "$(grep '^quiz-kernel: bpf: ' conf.err)" \
	"quiz-kernel: bpf: 2 of the tree's 10 options did not take effect: CONFIG_MODULES CONFIG_NET_FOU" \
	"one line names the list's options that quiz's or the user's settings overrode"
grep -q '^quiz-kernel: configured 6.1.99-bpf: every requested option took effect' conf.err
ok $? "the release is 6.1.99-bpf" "$(cat conf.err)"

# --- options of the list that do not take effect: counted and named, never fatal ---
FAKE_DROP="CONFIG_GONE CONFIG_X86_ONLY" QUIZ_HOME=$home "$KBUILD" --btf --configure-only --with bpf \
	tree >drop.out 2>drop.err
is "$?" 0 "the list's options that do not take effect fail nothing" "$(cat drop.err)"
is "$(grep '^quiz-kernel: bpf: ' drop.err)" \
	"quiz-kernel: bpf: 3 of the tree's 10 options did not take effect: CONFIG_MODULES CONFIG_GONE CONFIG_X86_ONLY" \
	"one line counts and names them, in the list's order"
lacks drop.err '^quiz-kernel: requested' "no 'requested ... got' line for them"
# ... while quiz's own fragments are still checked strictly.
FAKE_DROP=CONFIG_DEBUG_INFO_BTF QUIZ_HOME=$home "$KBUILD" --btf --configure-only --with bpf \
	tree >strict.out 2>strict.err
is "$?" 1 "quiz's own option that does not take effect still fails the configure"
contains strict.err '^quiz-kernel: requested CONFIG_DEBUG_INFO_BTF=y, got: ' "naming it"

# --- a source without config.ARCH (6.1 has no config.aarch64): left out, said once ---
rm "$bpf_dir/config.x86_64"
QUIZ_HOME=$home "$KBUILD" --btf --configure-only --with bpf tree >noarch.out 2>noarch.err
is "$?" 0 "a source without config.x86_64 configures" "$(cat noarch.err)"
is "$(grep -c 'config\.x86_64' noarch.err)" 1 "one line says so" "$(cat noarch.err)"
contains noarch.err '^quiz-kernel: bpf: this source has no tools/testing/selftests/bpf/config\.x86_64; left out' \
	"naming the file"
config=$(configured noarch.err)
contains "$config" '^CONFIG_BPF_LSM=y$' "config is merged still"
lacks "$config" '^CONFIG_X86_ONLY=' "and nothing of the missing file"
contains noarch.err "^quiz-kernel: bpf: 1 of the tree's 8 options did not take effect: CONFIG_MODULES\$" \
	"the count is of what the source has"
printf 'CONFIG_X86_ONLY=y\n' >"$bpf_dir/config.x86_64"

# --- refused before anything is made: one line, exit 1, nothing created ---
refused "--with bpf --no-btf" "quiz-kernel: --with bpf: needs BTF; drop --no-btf" \
	"$KBUILD" --with bpf --no-btf tree
refused "--with bpf --no-debug" \
	"quiz-kernel: --with bpf: a debug kernel needs kconfig/debug.config; drop --no-debug" \
	"$KBUILD" --with bpf --no-debug tree
# Without --btf or --no-btf, BTF is built when pahole is installed: without it, bpf is refused.
mkdir nopahole
for tool in dirname readlink sed paste sort nproc cat ls; do ln -s "$(command -v "$tool")" nopahole/; done
refused "--with bpf without pahole" \
	"quiz-kernel: --with bpf: needs BTF, which needs pahole; install it: sudo apt-get install dwarves" \
	env PATH="$scratch/nopahole" "$KBUILD" --with bpf tree

# --- a whole build: its release, and a plain build that never reads the list ---
tar -czf tree.tar.gz tree
"$KBUILD" --btf -j1 --with bpf tree.tar.gz >bpf.out 2>bpf.err
is "$?" 0 "--with bpf builds" "$(tail -n 3 bpf.err)"
contains "$kernels/6.1.99-bpf/config" '^CONFIG_BPF_LSM=y$' "6.1.99-bpf's config has the list's options"
grep -qx 'flavours=bpf' "$kernels/6.1.99-bpf/info"
ok $? "its info says flavours=bpf" "$(cat "$kernels/6.1.99-bpf/info")"
"$KBUILD" --btf -j1 tree.tar.gz >plain.out 2>plain.err
is "$?" 0 "a plain build of the same source" "$(tail -n 3 plain.err)"
lacks "$kernels/6.1.99/config" '^CONFIG_(BPF_LSM|TEST_BPF|X86_ONLY|GONE)=' "has none of the list's options"
lacks plain.err '^quiz-kernel: bpf' "and says nothing of it"

done_testing
