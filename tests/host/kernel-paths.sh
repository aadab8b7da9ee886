#!/bin/bash
# SPDX-License-Identifier: MIT
# One run, one kernel build: every path of the kernel comes from the store it resolved once.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

store=$QUIZ_HOME/kernels/x86_64/.store/
"$QUIZ" -k 6.1.1 --dry-run true >dry 2>err
is "$?" 0 "--dry-run exits 0"
kernel=$(grep -o -- '-kernel [^ ]*' dry | cut -d' ' -f2)
case $kernel in "$store"*) r=0 ;; *) r=1 ;; esac
ok $r "17.16: the -kernel path is inside kernels/x86_64/.store/, not behind the release's link" \
	"got: $kernel"

# The hooks see the same store (QUIZ_KERNEL_DIR), e.g. the gdb profile's vmlinux path.
mkdir -p profiles/where
printf '[profile]\ndescription = says where the kernel is\n' >profiles/where/profile.ini
printf '#!/bin/sh\necho "$QUIZ_KERNEL_DIR" >"$QUIZ_HOME/kernel-dir"\n' >profiles/where/host-hook
chmod +x profiles/where/host-hook
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -k 6.1.1 --profile-dir "$scratch/profiles" -p where true
is "$?" 0 "a run with a hook that reports QUIZ_KERNEL_DIR exits 0"
case $(cat "$QUIZ_HOME/kernel-dir") in "$store"*) r=0 ;; *) r=1 ;; esac
ok $r "17.16: QUIZ_KERNEL_DIR of the hooks is the same store folder" "got: $(cat "$QUIZ_HOME/kernel-dir")"
is "$(dirname "$kernel")" "$(cat "$QUIZ_HOME/kernel-dir")" "17.16: ... the one QEMU boots from"

done_testing
