#!/bin/bash
# SPDX-License-Identifier: MIT
# Profile files never write into the kernel cache through the run layer's hard links (17.2),
# nor through symlinks already in the run layer (17.3); both with --dry-run, no VM.
. "$(dirname "$0")/dry-lib.sh"
fake_cache
mkdir -p "$scratch/project" && cd "$scratch/project" || exit 1
config_before=$(cat "$kernel_dir/config")

profile bootcfg
mkdir -p .quiz/profiles/bootcfg/files/boot
echo 'CONFIG_FROM_PROFILE=y' >.quiz/profiles/bootcfg/files/boot/config-6.1.1
"$QUIZ" --dry-run --keep -p bootcfg true >out 2>err
is "$?" 0 "17.2: a profile shipping files/boot/config-R: the dry run succeeds"
is "$(cat "$kernel_dir/config")" "$config_before" \
	"17.2: the kernel cache's config is unchanged (not written through the hard link)"
run=$(kept_dir err)
is "$(cat "$run/layer/boot/config-6.1.1" 2>&1)" CONFIG_FROM_PROFILE=y \
	"17.2: the run layer has the profile's config-R"
is "$(stat -c %h "$kernel_dir/config")" 2 \
	"17.2: the run layer's copy is its own file (the cache's config keeps its 2 links)"
"$QUIZ" --dry-run true >out 2>err
is "$?" 0 "17.2: a later run still passes the kernel config check" "$(cat err)"

printf '%s\n' "$config_before" >"$kernel_dir/config" # a broken quiz changed it: 17.3 on its own

mkdir -p "$scratch/host-dir"
profile linker
mkdir -p .quiz/profiles/linker/files
ln -s "$scratch/host-dir" .quiz/profiles/linker/files/data
profile writer
mkdir -p .quiz/profiles/writer/files/data
echo x >.quiz/profiles/writer/files/data/x
"$QUIZ" --dry-run -p linker,writer true >out 2>err
status=$?
is "$(ls -A "$scratch/host-dir")" "" "17.3: data -> host dir, then data/x: the host folder is unchanged"
is "$status" 125 "17.3: ...and the run is refused (125)"
is "$(wc -l <err)" 1 "17.3: ...with one line on stderr" "$(cat err)"
grep -q "^quiz: profile writer: files/data: the run layer already has a symlink there (quiz never writes through one), from" err
ok $? "17.3: ...naming the profile, the path and the symlink" "$(cat err)"
is "$(ls -A "$QUIZ_HOME/runs" | grep -cv "^$(basename "$run")\$")" 0 \
	"17.3: the refused run's directory is removed"

done_testing
