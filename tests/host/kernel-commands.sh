#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel's commands (issue 28.4): man/quiz-kernel.1's COMMANDS section names exactly the
# commands of quiz_kernel.c's table, in its order. The table is read through --help, which is
# made from it (a synopsis line a command). No VM.
. "$(dirname "$0")/lib.sh"
qk=$(dirname "$QUIZ")/quiz-kernel

"$qk" --help >"$scratch/help"
ok $? "quiz-kernel --help exits 0"
# --help's commands: the first word of each synopsis line ("  path VER [WHAT]").
help=$(sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' "$scratch/help")
ok "$([ "$(wc -l <<<"$help")" -ge 5 ]; echo $?)" "--help lists the commands, a synopsis line each" \
	"$(cat "$scratch/help")"
# The man page's: the first word of each entry's tag (the line after .TP) in COMMANDS. An
# entry right after another of the same command (build, then build --all) names it once.
man=$(awk '/^\.SH/ { in_commands = ($0 == ".SH COMMANDS"); next }
	in_commands && tag { sub(/^\.B[IR]? +"?/, ""); match($0, /^[a-z][a-z-]*/); print substr($0, 1, RLENGTH) }
	{ tag = in_commands && $0 == ".TP" }' "$source_root/man/quiz-kernel.1" | uniq)

is "$(comm -23 <(sort -u <<<"$help") <(sort -u <<<"$man") | tr '\n' ' ')" "" \
	"man/quiz-kernel.1 lists every command of quiz_kernel.c's table (got: what the man page lacks)"
is "$(comm -13 <(sort -u <<<"$help") <(sort -u <<<"$man") | tr '\n' ' ')" "" \
	"quiz_kernel.c's table has every command man/quiz-kernel.1 lists (got: what the table lacks)"
is "$(tr '\n' ' ' <<<"$man")" "$(tr '\n' ' ' <<<"$help")" \
	"man/quiz-kernel.1 lists the commands once each, in --help's order"
done_testing
