#!/bin/bash
# SPDX-License-Identifier: MIT
# Kernel sources other than a version: a git checkout built out of tree (and left clean), and
# a tarball given by path (the same build as its version). The checkout is made once in the
# cache from the unpacked 6.1 sources (hard links), so later runs build nothing. The bisect loop:
# quiz -K TREE builds a stale tree first (125 when that fails), so git bisect run quiz -K . ./test
# names the commit that broke the test (commits on a throwaway branch, the tree restored after).
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
# The checkout's kernel, lean (CI builds it whole on a fresh machine): no DWARF, no debug
# options, no storage modules. tests/vm/speed-tools.sh's bench-loop builds it the same way.
tree_opts=(--no-btf --no-debug --no-storage --no-net)
cd "$scratch" || exit 1

src=$(ls -d "$home"/src/linux-source-6.1-* 2>/dev/null | head -n1)
tree=$home/test-trees/linux-6.1-git
if [ ! -d "$tree/.git" ] && [ -n "$src" ]; then
	rm -rf "$tree.tmp" && mkdir -p "$(dirname "$tree")"
	cp -al "$src" "$tree.tmp" &&
		git -C "$tree.tmp" init -q &&
		git -C "$tree.tmp" add -A -f && # Debian's tarball ignores everything ("/*")
		git -C "$tree.tmp" -c user.name=quiz -c user.email=quiz@localhost commit -qm tree &&
		mv "$tree.tmp" "$tree"
fi
ok "$([ -d "$tree/.git" ]; echo $?)" "a git checkout of 6.1 to build" "src: ${src:-none}"
# A run stopped half-way (its bisect branch, a changed file) left it dirty: as made, first.
if [ -n "$(git -C "$tree" status --porcelain --ignored; git -C "$tree" branch --list quiz-bisect-test)" ]; then
	git -C "$tree" bisect reset >/dev/null 2>&1
	made=$(git -C "$tree" for-each-ref --format='%(refname:short)' refs/heads | grep -vx quiz-bisect-test | head -n1)
	git -C "$tree" checkout -q -f "$made" && git -C "$tree" clean -q -f -d -x
	git -C "$tree" branch -q -D quiz-bisect-test 2>/dev/null
fi
is "$(git -C "$tree" status --porcelain --ignored | head -n 5)" "" "the checkout is clean before the build"

"$QUIZ_KERNEL_TOOL" build "${tree_opts[@]}" "$tree" >out 2>&1
is "$?" 0 "quiz-kernel build TREE builds a git checkout" "$(tail -n 5 out)"
is "$(git -C "$tree" status --porcelain --ignored | head -n 5)" "" \
	"the checkout is left clean: no changed and no new file, ignored ones included"
release=$(sed -n 's/^quiz-kernel: built \([^:]*\):.*/\1/p; s/^quiz-kernel: \(.*\) is up to date:.*/\1/p' out | tail -n1)
case $release in
6.1.*+) ok 0 "the checkout's release is $release" ;;
*) ok 1 "the checkout's release marks a git tree (6.1.x+)" "release: $release" ;;
esac
is "$("$QUIZ" -k "$release" -r raw uname -r </dev/null 2>err)" "$release" "the checkout's kernel boots" 
"$QUIZ_KERNEL_TOOL" build "${tree_opts[@]}" "$tree" >out 2>&1
grep -q 'is up to date' out
ok $? "building the unchanged checkout again does nothing" "$(cat out)"
plain=$("$QUIZ" -k 6.1 -r raw uname -r </dev/null 2>/dev/null)
case $plain in
6.1.*+ | "") ok 1 "-k 6.1 still picks the plain Debian build over the checkout's 6.1.x+" "uname -r: '$plain'" ;;
6.1.*) ok 0 "-k 6.1 still picks the plain Debian build ($plain) over the checkout's 6.1.x+" ;;
*) ok 1 "-k 6.1 boots a 6.1" "uname -r: '$plain'" ;;
esac

tarball=/usr/src/linux-source-6.1.tar.xz
# As scripts/test built 6.1: with quiz-kernel's default (DWARF, BTF) when it is the test
# kernel, --no-btf otherwise.
tarball_opts=--no-btf
[ "$QUIZ_TEST_KERNEL" != 6.1 ] || tarball_opts=
# shellcheck disable=SC2086 # no option is no word
"$QUIZ_KERNEL_TOOL" build $tarball_opts "$tarball" >out 2>&1
is "$?" 0 "quiz-kernel build TARBALL works"
grep -q 'is up to date' out
ok $? "a tarball path is the same source as its version: nothing rebuilt" "$(cat out)"

# The bisect loop, on a throwaway branch: good (a new text file), bad (a pr_info string the
# test looks for), good again (another new file); then a commit that does not compile. Files
# are changed by new files only (sed -i): the checkout's are hard links to the unpacked sources.
orig=$(git -C "$tree" symbolic-ref -q --short HEAD || git -C "$tree" rev-parse HEAD)
restore_tree() {
	git -C "$tree" bisect reset >/dev/null 2>&1
	git -C "$tree" checkout -q -f "$orig" && git -C "$tree" branch -q -D quiz-bisect-test
	"$QUIZ_KERNEL_TOOL" build "${tree_opts[@]}" "$tree" >/dev/null 2>&1 # its kernel as it was
}
trap 'restore_tree; rm -rf "$scratch"' EXIT
commit() { # commit MESSAGE [NEW_FILE]: what changed, and a new file (the tree ignores them all)
	[ $# -lt 2 ] || git -C "$tree" add -f -- "$2" || return
	git -C "$tree" -c user.name=quiz -c user.email=quiz@localhost commit -qam "$1"
}
git -C "$tree" checkout -q -b quiz-bisect-test
good=$(git -C "$tree" rev-parse HEAD)
echo one >"$tree/quiz-bisect-one.txt" && commit "good: a text file" quiz-bisect-one.txt
sed -i 's/pr_info("Run %s as init process\\n"/pr_info("Run %s as the init process\\n"/' \
	"$tree/init/main.c" && commit "bad: the init line changed"
bad=$(git -C "$tree" rev-parse HEAD)
echo two >"$tree/quiz-bisect-two.txt" && commit "good: another text file" quiz-bisect-two.txt
is "$(git -C "$tree" diff --stat "$good" HEAD | tail -n1 | grep -o '^ [0-9]* files')" " 3 files" \
	"three commits over the checkout: two text files and init/main.c"
printf '#!/bin/sh\ndmesg | grep -q "Run .* as init process"\n' >test.sh
chmod +x test.sh
(cd "$tree" && "$QUIZ" -K . -r raw "$scratch/test.sh" </dev/null >"$scratch/run.out" 2>&1)
is "$?" 1 "quiz -K . on the stale tree builds it, boots it and the test fails (1)" \
	"$(tail -n 5 run.out)"
grep -q "quiz-kernel: built $release" run.out
ok $? "it said it built the tree first" "$(tail -n 5 run.out)"
(cd "$tree" && git bisect start HEAD "$good" >/dev/null &&
	git bisect run "$QUIZ" -K . -r raw "$scratch/test.sh" </dev/null >"$scratch/bisect.out" 2>&1)
is "$?" 0 "git bisect run quiz -K . ./test.sh finishes" "$(tail -n 20 bisect.out)"
grep -q "^$bad is the first bad commit" bisect.out
ok $? "bisect names the bad commit" "$(grep -E 'first bad|^Bisecting|^running' bisect.out)"
git -C "$tree" bisect reset >/dev/null 2>&1
sed -i 's/^static int __ref kernel_init(void \*unused)/static int __ref kernel_init(void *unused)))/' "$tree/init/main.c" &&
	commit "a commit that does not compile"
(cd "$tree" && "$QUIZ" -K . -r raw true </dev/null >"$scratch/run.out" 2>&1)
is "$?" 125 "a tree that does not build: quiz -K . exits 125 (bisect's skip)" "$(tail -n 5 run.out)"
grep -q "^quiz: -K \.: building the kernel source tree failed" run.out
ok $? "and says so" "$(tail -n 5 run.out)"
restore_tree
trap 'rm -rf "$scratch"' EXIT
is "$(git -C "$tree" status --porcelain; git -C "$tree" branch --list quiz-bisect-test)" "" \
	"the tree is restored: its branch, no change, no test branch"
"$QUIZ_KERNEL_TOOL" build "${tree_opts[@]}" "$tree" >out 2>&1
grep -q 'is up to date' out
ok $? "and its kernel is the checkout's again" "$(cat out)"
is "$(runs_left)" 0 "no run directory left behind"
done_testing

