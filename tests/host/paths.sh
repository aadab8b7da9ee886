#!/bin/bash
# SPDX-License-Identifier: MIT
# Host paths (17.18, host side): a symlinked $PWD, a relative QUIZ_HOME, a folder as the program.
# No VM: --dry-run --keep, then the run layer's contract (NUL-separated key=value records).
. "$(dirname "$0")/dry-lib.sh"
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

cd "$scratch/link" || exit 1
[ "$PWD" = "$scratch/link" ] || echo "# the shell did not keep the logical PWD: $PWD"
dry_keep ./t.sh one
is "$status" 0 "17.18: from a symlinked \$PWD, quiz --dry-run --keep ./t.sh runs" "$(cat "$scratch/err")"
is "$(args "$run/layer/quiz/run/contract")" "./t.sh one " \
	"17.18: an in-cwd program keeps its path (\$0 is ./t.sh, not a copy)"
[ ! -e "$run/layer/quiz/run/bin/t.sh" ]
ok $? "17.18: ...and is not copied into the run layer"
is "$(contract_get "$run/layer/quiz/run/contract" cwd)" "$real" \
	"17.18: the guest's cwd is the real path (the one the program's path is compared with)"
grep -qx "layer quiz.cwd $real ro" "$scratch/out"
ok $? "17.18: ...and the cwd share is that same folder" "$(cat "$scratch/out")"

dry_keep "$scratch/link/t.sh"
is "$(args "$run/layer/quiz/run/contract")" "$real/t.sh " \
	"17.18: an absolute path through the symlink becomes the real one, under the cwd"
[ ! -e "$run/layer/quiz/run/bin/t.sh" ]
ok $? "17.18: ...not a copy"

dry_keep sub/../t.sh
is "$(args "$run/layer/quiz/run/contract")" "$real/t.sh " \
	"17.18: a path with '..' is given as the real path too"

dry_keep "$scratch/outside/o.sh"
is "$(args "$run/layer/quiz/run/contract")" "/quiz/run/bin/o.sh " \
	"17.18: a program outside the cwd is still copied (argv[0] is the copy)"
cmp -s "$run/layer/quiz/run/bin/o.sh" "$scratch/outside/o.sh"
ok $? "17.18: ...byte for byte"

cd "$scratch" || exit 1
mkdir relhome && cp -a "$QUIZ_HOME/kernels" relhome/
QUIZ_HOME=relhome "$QUIZ" --dry-run --keep true >out 2>err
is "$?" 0 "17.18: a relative QUIZ_HOME works" "$(cat err)"
grep -q -- "-kernel $scratch/relhome/kernels/x86_64/6.1.1/bzImage " out
ok $? "17.18: ...QEMU gets the kernel by its absolute path (QEMU runs in the run directory)" \
	"$(cat out)"
is "$(kept_dir err)" "$(ls -d "$scratch"/relhome/runs/run.*)" \
	"17.18: ...and the run directory is named by its absolute path"

for dir in "$scratch/outside/dir" ./real/sub; do
	"$QUIZ" --dry-run "$dir" >out 2>err
	is "$?" 126 "17.18: a folder as the program ($dir) is refused with 126, as a shell would"
	is "$(cat err)" "quiz: $dir: Is a directory; name the program in it" \
		"17.18: ...in one line saying what it is"
done
done_testing
