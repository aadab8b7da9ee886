#!/bin/bash
# SPDX-License-Identifier: MIT
# Host paths (17.18, host side): a relative QUIZ_HOME.
# No VM: --dry-run --keep, then the run layer's contract (NUL-separated key=value records).
. "$(dirname "$0")/lib.sh"
fake_cache
real=$scratch/real
mkdir -p "$real/sub" "$scratch/outside/dir"
ln -s real "$scratch/link"
printf '#!/bin/sh\necho "$0"\n' >"$real/t.sh"
cp "$real/t.sh" "$scratch/outside/o.sh"
chmod +x "$real/t.sh" "$scratch/outside/o.sh"

args() { tr '\0' '\n' <"$1" | sed -n 's/^arg=//p' | tr '\n' ' '; }
dry_keep() { # dry_keep ARGS...: a kept dry run; $run is its directory
	"$QUIZ" --dry-run --keep "$@" >"$scratch/out" 2>"$scratch/err"
	status=$?
	run=$(kept_dir "$scratch/err")
}

cd "$scratch" || exit 1
mkdir relhome && cp -a "$QUIZ_HOME/kernels" relhome/
QUIZ_HOME=relhome "$QUIZ" --dry-run --keep true >out 2>err
is "$?" 0 "17.18: a relative QUIZ_HOME works" "$(cat err)"
grep -q -- "-kernel $scratch/relhome/kernels/x86_64/6.1.1/bzImage " out
ok $? "17.18: ...QEMU gets the kernel by its absolute path (QEMU runs in the run directory)" \
	"$(cat out)"
is "$(kept_dir err)" "$(ls -d "$scratch"/relhome/runs/run.*)" \
	"17.18: ...and the run directory is named by its absolute path"

done_testing
