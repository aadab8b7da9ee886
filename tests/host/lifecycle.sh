#!/bin/bash
# SPDX-License-Identifier: MIT
# What a run leaves behind: leaked fds.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

# 17.13: descriptors quiz inherited (7 here) or opened reach neither QEMU nor a host hook.
rm -f "$FAKE_QEMU_LOG_DIR"/*
mkdir -p profiles/fds
printf '[profile]\ndescription = reports its open descriptors\n' >profiles/fds/profile.ini
printf '#!/bin/sh\nexec "$FAKE_QEMU" --fds >"$QUIZ_HOME/hook-fds"\n' >profiles/fds/host-hook
chmod +x profiles/fds/host-hook
exec 7>"$scratch/seven"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" --profile-dir "$scratch/profiles" -p fds true 2>fds.err
is "$?" 0 "17.13: a run with fd 7 open exits 0"
exec 7>&-
is "$(grep -h '^fds ' "$FAKE_QEMU_LOG_DIR"/qemu.* 2>/dev/null)" "fds 0 1 2" \
	"17.13: QEMU starts with only 0, 1 and 2 open"
is "$(cat "$QUIZ_HOME/hook-fds" 2>/dev/null)" "0 1 2" "17.13: a host hook starts with only 0, 1 and 2 open"

done_testing
