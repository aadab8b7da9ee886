# SPDX-License-Identifier: MIT
# Shared by the host tests that boot nothing (--dry-run, --keep): the VM tests' TAP helpers and
# a fake cache.
. "$(dirname "$0")/../vm/lib.sh"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

# A cache with one kernel, 6.1.1, that passes quiz's checks but boots nothing: bzImage is any
# file, config has what kconfig/base.config and arch/x86_64.config ask for, layer/boot/config-6.1.1 is a hard link of
# config (as quiz-kernel build makes it). The image is any file; with QUIZ_IMAGE set quiz does
# not refresh it. The user's profiles and kernel choice are kept out, and QUIZ_ACCEL=tcg keeps
# stderr free of what this host's /dev/kvm would make quiz say.
fake_cache() {
	export QUIZ_HOME=$scratch/home QUIZ_IMAGE=$scratch/fake.ext2 HOME=$scratch/user QUIZ_ACCEL=tcg
	unset QUIZ_KERNEL XDG_CONFIG_HOME XDG_CACHE_HOME QUIZ_DATA_DIR
	kernel_dir=$QUIZ_HOME/kernels/x86_64/6.1.1
	mkdir -p "$kernel_dir/layer/boot" "$HOME"
	echo 'not a kernel' >"$kernel_dir/bzImage"
	{ grep -h "^CONFIG_" "$source_dir/kconfig/base.config" "$source_dir/kconfig/arch/x86_64.config"; echo CONFIG_HZ=1000; } >"$kernel_dir/config"
	ln "$kernel_dir/config" "$kernel_dir/layer/boot/config-6.1.1"
	echo 'not an image' >"$QUIZ_IMAGE"
}

# A profile in ./.quiz/profiles: profile NAME [profile.ini text]
profile() {
	mkdir -p ".quiz/profiles/$1"
	printf '%s\n' "${2:-[profile]}" >".quiz/profiles/$1/profile.ini"
}

# The run directory a --keep run names on stderr ("quiz: run directory kept: PATH").
kept_dir() {
	sed -n 's/^quiz: run directory kept: //p' "$1"
}

# A contract value (NUL-separated key=value records): contract_get FILE KEY (first one).
contract_get() {
	tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n1
}
