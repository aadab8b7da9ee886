#!/bin/bash
# SPDX-License-Identifier: MIT
# Version words (issue 29): quiz-kernel version WORD (kind and normal form, or one line and exit
# 1) and version-sort (a source's lines newest first), what tools/quiz-kernel-fetch calls; and
# which built kernel next, mainline and rc words pick (quiz-kernel path, quiz --dry-run). The
# grammar's and the order's vectors are tests/unit/test-kernel-word.c's. No VM.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
qk=$(dirname "$QUIZ")/quiz-kernel

# --- version WORD: "KIND NORMAL" on stdout, exit 0 ---
for pair in "7.2|series 7.2" "v7.2|series 7.2" "7.2.13|exact 7.2.13" "7.2.0|exact 7.2" \
	"7.3-rc7|rc 7.3-rc7" "7.3.0-rc7|rc 7.3-rc7" "v7.3-rc7|rc 7.3-rc7" \
	"next-20261204|next next-20261204" "next|next next" "mainline|mainline mainline" \
	"mainline-abcdef123456|mainline mainline-abcdef123456"; do
	word=${pair%%|*}
	"$qk" version "$word" >out 2>err
	is "$?:$(cat out):$(cat err)" "0:${pair#*|}:" "version $word: ${pair#*|}"
done

# --- a word that is none: one line on stderr, nothing on stdout, exit 1 ---
for word in 7 7.x 7.3-rc 7.3-rc0 next-2026 next-20261399 mainline-xyz 07.2 7.2.10000 " 7.2" \
	"7.2 " 6.1-kasan ""; do
	"$qk" version "$word" >out 2>err
	is "$?:$(wc -c <out):$(wc -l <err)" "1:0:1" "version \"$word\": refused, one line, exit 1"
done
is "$(cat err)" "quiz-kernel: : not a kernel version; use 7.2 (the newest 7.2.x), 7.2.13, 7.3-rc7, next-20261204, next or mainline" \
	"the refusal says which forms there are"
# The word is the user's (or a source's): its bytes never reach the terminal as escapes.
"$qk" version $'7.2\e]0;title\a' >out 2>err
is "$?:$(cat err)" '1:quiz-kernel: 7.2\x1b]0;title\x07: not a kernel version; use 7.2 (the newest 7.2.x), 7.2.13, 7.3-rc7, next-20261204, next or mainline' \
	"a word with a terminal's escape is shown escaped"
"$qk" version >out 2>err
is "$?:$(cat err)" "2:quiz-kernel: 'version': unknown command or wrong arguments; see quiz-kernel --help" \
	"version without a word: exit 2"

# --- version-sort: newest first, lines kept whole, the rest left out, exit 0 ---
printf '%s\n' $'next-20261204\tgit linux-next' $'7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)' \
	$'mainline-abcdef123456\tgit mainline' $'7.3-rc7\tdebian experimental' $'7.10\tkernel.org' \
	'bogus' '' $'7.2\tkernel.org' $'7.3-rc10\tgit' $'next-20261130\tgit linux-next' \
	$'7.2.13\tkernel.org' $'7.2.13 \ta space after the word' $'7.3\tkernel.org\tand a tab' \
	$'\t7.4' >in
printf '7.3.1\tno newline at the end' >>in
"$qk" version-sort <in >out 2>err
is "$?:$(cat err)" "0:" "version-sort: exit 0, nothing on stderr"
printf '%s\n' $'7.10\tkernel.org' $'7.3.1\tno newline at the end' $'7.3\tkernel.org\tand a tab' \
	$'7.3-rc10\tgit' $'7.3-rc7\tdebian experimental' \
	$'7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)' $'7.2.13\tkernel.org' $'7.2\tkernel.org' \
	$'next-20261204\tgit linux-next' $'next-20261130\tgit linux-next' \
	$'mainline-abcdef123456\tgit mainline' >want
cmp -s out want
ok $? "version-sort: releases and rcs by version, next tags by date, mainline last; equal words in their order" \
	"$(diff want out)"
printf 'x\n7\nnext-1\n' | "$qk" version-sort >out 2>err
is "$?:$(wc -c <out):$(wc -c <err)" "0:0:0" "version-sort: only lines that do not parse: nothing, exit 0"
"$qk" version-sort </dev/null >out 2>err
is "$?:$(wc -c <out)" "0:0" "version-sort: no lines: nothing, exit 0"
printf '7.2\0.1\tx\n7.1\n' | "$qk" version-sort >out 2>err
is "$?:$(cat out)" "0:7.1" "version-sort: a line with a NUL byte is left out"
"$qk" --help >help
lacks help "^  version" "--help lists neither version nor version-sort (quiz's own tools call them)"

# --- -k: next, mainline and rc words pick their own builds ---
for release in 7.3.0-rc7 7.3.0-rc7-next-20261204 7.3.0-rc7-next-20261130 \
	7.3.0-rc7-mainline-abcdef123456 7.3.0-rc6-mainline-0123456789ab 7.3.0-next-20261215-kasan; do
	fake_kernel "$release"
done
kernels=$QUIZ_HOME/kernels/x86_64
for pair in "next|7.3.0-rc7-next-20261204" "next-20261130|7.3.0-rc7-next-20261130" \
	"mainline|7.3.0-rc7-mainline-abcdef123456" "mainline-0123456789ab|7.3.0-rc6-mainline-0123456789ab" \
	"7.3-rc7|7.3.0-rc7" "v7.3.0-rc7|7.3.0-rc7" "next-kasan|7.3.0-next-20261215-kasan"; do
	is "$("$qk" path "${pair%%|*}" 2>&1)" "$(readlink -f "$kernels/${pair#*|}")" \
		"quiz-kernel path ${pair%%|*}: ${pair#*|}"
done
"$qk" path next-20261201 >out 2>err
is "$?:$(cat err)" "1:quiz-kernel: no x86_64 kernel next-20261201 built; run: quiz-kernel build -a x86_64 next-20261201" \
	"a next tag not built: exit 1 and how to build it"
rm "$kernels/7.3.0-rc7"
"$qk" path 7.3-rc7 >out 2>err
is "$?" 1 "7.3-rc7 with only next's and mainline's 7.3.0-rc7 built: none of them"

# quiz itself: the kernel quiz --dry-run would boot.
booted() { # booted ARGS: the release
	"$QUIZ" "$@" --dry-run true 2>dry.err | grep -o -- '-kernel [^ ]*' |
		sed 's|.*/\.store/\(.*\)-0123456789abcdef-1/.*|\1|'
}
is "$(booted -k next)" "7.3.0-rc7-next-20261204" "quiz -k next boots the newest next build" \
	"$(cat dry.err)"
is "$(booted -k mainline)" "7.3.0-rc7-mainline-abcdef123456" "quiz -k mainline boots the newest mainline build"
"$QUIZ" -k next-2026 --dry-run true >out 2>err
is "$?:$(wc -l <err)" "125:1" "quiz -k next-2026: refused in one line, exit 125 (quiz failed)" "$(cat err)"
contains err "^quiz: -k next-2026: not a kernel version; use a form like .*next-20261204.*mainline" \
	"the line names the next and mainline forms"
done_testing
