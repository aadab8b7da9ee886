#!/bin/bash
# SPDX-License-Identifier: MIT
# A profile that shadows one of the same name from an earlier folder says so on stderr when it
# is used, in one line (17.19). No VM: --dry-run (host hooks do not run in a dry run).
. "$(dirname "$0")/dry-lib.sh"
fake_cache
mkdir -p "$scratch/project" && cd "$scratch/project" || exit 1

profile blockdev '[profile]
description = the project'"'"'s own blockdev
[kernel]
word = project_blockdev=1'
"$QUIZ" --dry-run -p blockdev true >out 2>err
is "$?" 0 "17.19: a project profile named like a shipped one runs (dry run)" "$(cat err)"
is "$(cat err)" "quiz: profile blockdev: using ./.quiz/profiles/blockdev (shadows the shipped one)" \
	"17.19: ...and says, in one line, that it shadows the shipped one"
grep -q ' project_blockdev=1' out
ok $? "17.19: ...and it is the project's that is used (its kernel word is there)" "$(cat out)"

"$QUIZ" --dry-run true >out 2>err
is "$(cat err)" "" "17.19: nothing is said when the shadowing profile is not used"

profile mine
"$QUIZ" --dry-run -p mine true >out 2>err
is "$(cat err)" "" "17.19: nothing is said for a profile that shadows nothing"

mkdir -p "$HOME/.config/quiz/profiles/memdev" extra/blockdev
printf '[profile]\n' >"$HOME/.config/quiz/profiles/memdev/profile.ini"
printf '[profile]\n' >extra/blockdev/profile.ini
"$QUIZ" --dry-run --profile-dir extra -p memdev,blockdev true >out 2>err
is "$(cat err)" "quiz: profile memdev: using $HOME/.config/quiz/profiles/memdev (shadows the shipped one)
quiz: profile blockdev: using ./extra/blockdev (shadows the project one)" \
	"17.19: a user profile and a --profile-dir one each say what they shadow, in use order"
done_testing
