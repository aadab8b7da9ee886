#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel-fetch, the dispatcher of issue 29, with stand-in sources (each source's own tool
# is tested against a local server in kernel-debian.sh, kernel-org.sh and kernel-git.sh): a word
# from the first source that has it, the newest of a series across sources, an installed
# linux-source first for a series word without asking anyone, a fetched word not fetched again,
# an unreachable source named and skipped; quiz-kernel list --available; quiz-kernel build WORD
# through it, recorded so that build --all rebuilds the same version and --upgrade moves it.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
for tool in make flock tar; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
export QUIZ_KERNEL_SELF=$QK
unset QUIZ_KERNEL_SOURCES

# The tools as installed side by side, with stand-ins for the three network sources: each lists
# $FAKE_SRC/NAME.list (or fails in one line when NAME.down exists) and fetches a fake tree whose
# release is the word, counting fetches in NAME.fetches.
export QUIZ_DATA_DIR=$scratch/data # quiz-kernel runs the tools of a copy of the data
tools=$QUIZ_DATA_DIR/tools
mkdir -p "$tools" fake
for d in kconfig profiles image; do ln -s "$source_root/$d" "$QUIZ_DATA_DIR/$d"; done
cp "$source_root/tools/quiz-kernel-fetch" "$source_root/tools/quiz-kernel-build" "$source_root/tools/quiz-kernel-all" "$tools/"
for name in debian org git; do
	cat >"$tools/quiz-kernel-$name" <<STUB
#!/bin/bash
set -eu
f=$scratch/fake/$name
case \$1 in
list)
	[ ! -e \$f.down ] || { echo "quiz-kernel: $name: cannot reach the fake server; offline?" >&2; exit 1; }
	[ -f \$f.list ] || exit 0
	if [ \$# -gt 1 ]; then grep -E "^\${2//./\\\\.}([.-]|\$(printf '\\t'))" \$f.list || true; else cat \$f.list; fi ;;
fetch)
	echo "\$2" >>\$f.fetches
	t=\$QUIZ_HOME/sources/$name/linux-\$2.tar.gz
	mkdir -p \$QUIZ_HOME/sources/$name/tree-\$2/linux-\$2/arch/x86
	sed "s/^REL := .*/REL := \$2/" $scratch/Makefile.fake >\$QUIZ_HOME/sources/$name/tree-\$2/linux-\$2/Makefile
	tar -C \$QUIZ_HOME/sources/$name/tree-\$2 -czf \$t linux-\$2
	echo \$t ;;
esac
STUB
	chmod +x "$tools/quiz-kernel-$name"
done
kbuild_makefile x >Makefile.fake
tab=$'\t'
printf '7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)\n7.3-rc7\tdebian experimental (linux-source-7.3 7.3~rc7-1~exp1)\n6.12.117\tdebian trixie\n' >fake/debian.list
printf '7.2.14\tkernel.org\n7.2.13\tkernel.org\n7.2\tkernel.org\n6.1.200\tkernel.org\n' >fake/org.list
printf '7.3-rc7\tgit mainline\n7.3-rc6\tgit mainline\n7.2\tgit mainline\nnext-20261204\tgit linux-next\nnext-20261130\tgit linux-next\nmainline-0123456789ab\tgit mainline\n' >fake/git.list
# An installed linux-source-6.1 (QUIZ_SOURCE_DIR stands in for /usr/src).
export QUIZ_SOURCE_DIR=$scratch/usr-src
mkdir -p usr-src tree61/linux-source-6.1/arch/x86
sed 's/^REL := .*/REL := 6.1.192/' Makefile.fake >tree61/linux-source-6.1/Makefile
tar -C tree61 -cJf usr-src/linux-source-6.1.tar.xz linux-source-6.1
F=$tools/quiz-kernel-fetch

lines() { cut -f1 | paste -sd' '; }

# --- list: every word once, from the first source in order, newest first ---
out=$("$F" list 2>list.err)
is "$?" 0 "list succeeds" "$(cat list.err)"
is "$(lines <<<"$out")" \
	"7.3-rc7 7.3-rc6 7.2.14 7.2.13 7.2 6.12.117 6.1.200 6.1 next-20261204 next-20261130 mainline-0123456789ab" \
	"every word once, newest first: releases and rcs by version, then next tags by date, then mainline"
is "$(grep "^7.2.13$tab" <<<"$out" | cut -f2)" "debian sid (linux-source-7.2 7.2.13-1)" \
	"a word two sources have is said from the first in order (debian before kernel.org)"
is "$(grep "^6.1$tab" <<<"$out" | cut -f2)" "installed ($scratch/usr-src/linux-source-6.1.tar.xz)" \
	"an installed linux-source is listed, first"
is "$(cat list.err)" "" "nothing on stderr"
out=$("$F" list 7.2 2>&1)
is "$(lines <<<"$out")" "7.2.14 7.2.13 7.2" "list 7.2: that series only"
out=$("$F" list next 2>&1)
is "$(lines <<<"$out")" "next-20261204 next-20261130" "list next: the next tags"
out=$("$F" list 7.x 2>&1)
is "$?" 1 "list 7.x is refused" "$out"
is "$(wc -l <<<"$out")" 1 "in one line" "$out"

touch fake/org.down
out=$("$F" list 2>list.err)
is "$?" 0 "with kernel.org unreachable, list still succeeds" "$(cat list.err)"
is "$(cat list.err)" "quiz-kernel: org: cannot reach the fake server; offline?" "the unreachable source is named in one line"
echo "$out" >org-down.out
lacks org-down.out '^7\.2\.14' "and its versions are not offered"
touch fake/debian.down fake/git.down
QUIZ_SOURCE_DIR=$scratch/nothing "$F" list >none.out 2>none.err
is "$?" 1 "no source answering: list fails" "$(cat none.err)"
contains none.err 'no source answered' "and says so"
rm -f fake/*.down

# --- resolve: a word to a tarball, each source asked as little as it can be ---
: >fake/org.fetches
out=$("$F" resolve 7.2 2>r.err)
is "$?" 0 "resolve 7.2 succeeds" "$(cat r.err)"
is "$(cut -f1,2 <<<"$out")" "7.2.14${tab}kernel.org" "7.2 is the newest 7.2 release any source has: 7.2.14 from kernel.org"
test -f "$(cut -f3 <<<"$out")"
ok $? "and its tarball is there" "$out"
is "$(cat fake/org.fetches)" "7.2.14" "fetched once"
touch fake/org.down fake/debian.down fake/git.down
out=$("$F" resolve 7.2.14 2>r.err)
is "$?" 0 "7.2.14 again, every source unreachable: from the cache" "$(cat r.err)"
is "$(cat fake/org.fetches)" "7.2.14" "without a second fetch"
out=$("$F" resolve 6.1 2>r.err)
is "$?" 0 "6.1 with an installed linux-source-6.1 and every source down" "$(cat r.err)"
is "$(cut -f3 <<<"$out")" "$scratch/usr-src/linux-source-6.1.tar.xz" "is the installed tarball, nobody asked"
rm -f fake/*.down
out=$("$F" resolve --upgrade 6.1 2>r.err)
is "$(cut -f1,2 <<<"$out")" "6.1.200${tab}kernel.org" "with --upgrade, 6.1 is the newest 6.1 of any source" "$(cat r.err)"
out=$("$F" resolve 7.3 2>&1)
is "$?" 1 "7.3, which has only release candidates, is refused" "$out"
is "$out" "quiz-kernel: no 7.3 release yet; its newest release candidate is 7.3-rc7: quiz-kernel build 7.3-rc7" "naming the rc to build"
out=$("$F" resolve 7.3.0-rc7 2>&1)
is "$(cut -f1,2 <<<"$out")" "7.3-rc7${tab}debian experimental (linux-source-7.3 7.3~rc7-1~exp1)" "7.3.0-rc7 is 7.3-rc7, from Debian's experimental before git"
out=$("$F" resolve 7.3-rc6 2>&1)
is "$(cut -f1,2 <<<"$out")" "7.3-rc6${tab}git mainline" "7.3-rc6 only git has: from git"
out=$("$F" resolve next 2>&1)
is "$(cut -f1,2 <<<"$out")" "next-20261204${tab}git linux-next" "next is the newest next tag"
out=$("$F" resolve mainline 2>&1)
is "$(cut -f1 <<<"$out")" "mainline-0123456789ab" "mainline is mainline's head"
out=$("$F" resolve 9.9.9 2>&1)
is "$?" 1 "a version no source has is refused" "$out"
is "$out" "quiz-kernel: no source has 9.9.9 (quiz-kernel list --available shows what can be built)" "in one line"
out=$("$F" resolve 'v7.2;touch x' 2>&1)
is "$?" 1 "a word that is not one is refused" "$out"
test ! -e x
ok $? "and runs nothing"

# --- newest: where build --all --upgrade moves a kernel ---
is "$("$F" newest 7.2.13 2>&1)" 7.2.14 "newest 7.2.13: 7.2.14"
is "$("$F" newest 7.3-rc6 2>&1)" 7.3-rc7 "newest 7.3-rc6: 7.3-rc7"
is "$("$F" newest next-20261130 2>&1)" next-20261204 "newest next-20261130: next-20261204"

# --- quiz-kernel list --available
out=$("$QK" list --available 7.2 2>&1)
is "$?" 0 "quiz-kernel list --available 7.2 succeeds" "$out"
is "$out" "$(printf '7.2.14\tkernel.org\n7.2.13\tdebian sid (linux-source-7.2 7.2.13-1)\n7.2\tkernel.org')" \
	"it lists 7.2's versions, newest first, each with its source"

# --- quiz-kernel build WORD, recorded for rebuilds, moved by --all --upgrade ---
kernels=$QUIZ_HOME/kernels/x86_64
"$QK" build --no-btf --no-debug -j1 7.2 >b.out 2>b.err
is "$?" 0 "quiz-kernel build 7.2 builds through the sources" "$(tail -n 5 b.err)"
contains b.err '^quiz-kernel: 7.2: 7.2.14 from kernel.org$' "it says what 7.2 is and where it comes from"
test -f "$kernels/7.2.14/bzImage"
ok $? "and publishes 7.2.14"
contains "$kernels/7.2.14/info" '^rebuild=.* 7\.2\.14$' "rebuilt as 7.2.14, the exact version, not whatever 7.2 is then"
contains "$kernels/7.2.14/info" '^fetched=7\.2\.14 from kernel\.org$' "its info says where it came from"
printf '7.2.15\tkernel.org\n' >>fake/org.list
: >fake/org.fetches
"$QK" build --all -j1 >all.out 2>all.err
is "$?" 0 "build --all succeeds" "$(tail -n 5 all.err)"
is "$(cat fake/org.fetches)" "" "without --upgrade it stays on 7.2.14 and fetches nothing"
"$QK" build --all --upgrade -j1 >up.out 2>up.err
is "$?" 0 "build --all --upgrade succeeds" "$(tail -n 5 up.err)"
test -f "$kernels/7.2.15/bzImage"
ok $? "and moves 7.2.14 to 7.2.15, the newest of its series" "$(cat up.err)"

find "$QUIZ_HOME/sources" -name '*.partial' | grep -q . && leftovers=1 || leftovers=0
is "$leftovers" 0 "no partial file left"
done_testing
