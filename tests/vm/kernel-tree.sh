#!/bin/bash
# SPDX-License-Identifier: MIT
# Kernel sources other than a version: a git checkout built out of tree (and left clean), and
# a tarball given by path (the same build as its version). The checkout is made once in the
# cache from the unpacked 6.1 sources (hard links), so later runs build nothing.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
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

"$QUIZ_KERNEL_TOOL" build --no-btf "$tree" >out 2>&1
is "$?" 0 "quiz-kernel build TREE builds a git checkout" "$(tail -n 5 out)"
is "$(git -C "$tree" ls-files --others | head -n 5; git -C "$tree" diff --stat | tail -n 1)" "" \
	"the checkout is left clean: no changed and no new file, ignored ones included"
release=$(sed -n 's/^quiz-kernel: built \([^:]*\):.*/\1/p; s/^quiz-kernel: \(.*\) is up to date:.*/\1/p' out | tail -n1)
case $release in
6.1.*+) ok 0 "the checkout's release is $release" ;;
*) ok 1 "the checkout's release marks a git tree (6.1.x+)" "release: $release" ;;
esac
is "$("$QUIZ" -k "$release" -r raw uname -r </dev/null 2>err)" "$release" "the checkout's kernel boots" 
"$QUIZ_KERNEL_TOOL" build --no-btf "$tree" >out 2>&1
grep -q 'is up to date' out
ok $? "building the unchanged checkout again does nothing" "$(cat out)"
is "$("$QUIZ" -k 6.1 -r raw uname -r </dev/null 2>/dev/null | grep -c '+$')" 0 \
	"-k 6.1 still picks the plain Debian build over the checkout's 6.1.x+"

tarball=/usr/src/linux-source-6.1.tar.xz
"$QUIZ_KERNEL_TOOL" build --no-btf "$tarball" >out 2>&1
is "$?" 0 "quiz-kernel build TARBALL works"
grep -q 'is up to date' out
ok $? "a tarball path is the same source as its version: nothing rebuilt" "$(cat out)"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
