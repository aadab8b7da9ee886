#!/bin/bash
# SPDX-License-Identifier: MIT
# A big current directory (issue 33): from 10000 entries on the guest sees it from a packed
# image, kept in step with the tree. What the user cares about: the guest sees exactly the
# host's tree (names, types, modes, owners, sizes, times, link targets, bytes), before and
# after the host changes it between runs (a few changes stacked over the image, many packed
# anew), also from a saved VM state; the guest's writes never reach the host; a small folder
# stays on 9p; --cwd-share forces either; what cannot be packed says why; a stop signal during
# a pack leaves no half-written image.
. "$(dirname "$0")/lib.sh"
need_vm
unset QUIZ_COLD # the restore after a new pack is checked below
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
kernel=(-k "$QUIZ_TEST_KERNEL")
tree=$scratch/tree
mkdir -p "$tree" && cd "$tree" || exit 1

# 11,000 entries: 110 folders of 100 files, and the odd ones.
for d in $(seq -w 1 110); do
	mkdir "d$d"
	for f in $(seq -w 1 99); do echo "file $d/$f" >"d$d/f$f"; done
done
printf 'x%.0s' $(seq 1 5000) >d001/big
head -c 3000000 /dev/urandom >random.bin
ln -s d001/f01 link && ln -s /nowhere dangling && ln d002/f01 hardlink
mkfifo fifo && mkdir empty ro && echo inside >ro/file && chmod 0555 ro
echo secret >private && chmod 0600 private
echo dash >./-dash && echo space >'with space' && echo nl >"$(printf 'new\nline')"
touch -d '1999-12-31 23:59:59.123456789' d003/f01

# What the guest must see, from either side: every entry but "." (the top folder's owner and
# times are the throwaway layer's, over 9p too), then every file's bytes. A folder's size is its
# filesystem's own (the image's, a copy's in the throwaway layer), not the tree's.
fingerprint='find . -mindepth 1 \( -type d -printf "%P|%y|%m|-|%U|%G|%T@|%l\n" \) -o \
	-printf "%P|%y|%m|%s|%U|%G|%T@|%l\n" | LC_ALL=C sort
find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum'
host_print() { (cd "$tree" && sh -c "$fingerprint"); }
# guest NAME [OPTIONS]: the fingerprint in the guest (out.NAME), -v's words (err.NAME), rc.NAME
guest() {
	local name=$1
	shift
	(cd "$tree" && "$QUIZ" "${kernel[@]}" -r raw -v "$@" sh -c "$fingerprint") \
		</dev/null >"$scratch/out.$name" 2>"$scratch/err.$name"
	echo $? >"$scratch/rc.$name"
}
same_as_host() { # same_as_host NAME DESCRIPTION
	host_print >"$scratch/host.$1"
	ok "$(cmp -s "$scratch/host.$1" "$scratch/out.$1" && echo 0 || echo 1)" "$2" \
		"rc $(cat "$scratch/rc.$1"); $(diff "$scratch/host.$1" "$scratch/out.$1" | head -n 8)"
}
state_of() { sed -n 's/^quiz: VM state: \(saved\|restored\|none\).*/\1/p' "$scratch/err.$1" | tail -n1; }

host_print >"$scratch/host.start"
guest first
contains "$scratch/err.first" "^quiz: current directory: packed into" "11,000 entries: the first run packs the tree"
same_as_host first "the guest sees exactly the host's tree from the image"

guest second
# The one file whose name debugfs cannot quote ("new\nline") keeps whole seconds in the image: each
# run hands the guest its own.
contains "$scratch/err.second" "^quiz: current directory: from its packed image .*, 1 changed and 0 gone" \
	"the second run uses the pack as it is"
same_as_host second "and sees the same again"

# The same path as on the host, reached through a symlink too (the guest shows the real path).
ln -s "$tree" "$scratch/via-link"
out=$(cd "$scratch/via-link" && "$QUIZ" "${kernel[@]}" -r raw sh -c 'pwd; cat d001/f01' </dev/null 2>&1)
is "$out" "$(printf '%s\nfile 001/01' "$(cd "$tree" && pwd -P)")" \
	"the guest runs in the tree's real path, from a symlinked one too"

# The guest writes, removes, renames and chmods: the host's tree stays as it was.
(cd "$tree" && "$QUIZ" "${kernel[@]}" -r raw sh -c 'set -e; echo new >new; echo more >>d001/f01
	rm -r d002 random.bin; mv d003 moved; chmod 0777 private; mkdir -p deep/er; touch ro/x
	rm -f fifo; ln -sf elsewhere link') </dev/null >"$scratch/write.out" 2>&1
is "$?" 0 "the guest writes all over the tree" "$(tail -n 3 "$scratch/write.out")"
host_print >"$scratch/host.after-writes"
ok "$(cmp -s "$scratch/host.start" "$scratch/host.after-writes" && echo 0 || echo 1)" \
	"none of it reaches the host's tree" "$(diff "$scratch/host.start" "$scratch/host.after-writes" | head)"

# The host changes the tree between runs: the next run sees exactly that.
echo changed >d001/f02
echo "same size" >d001/f03 && touch -d '2001-01-01' d001/f03
rm -r d004 && rm d005/f01 && rm -r empty
rm d006/f01 && mkdir d006/f01 && echo was-a-file >d006/f01/now
rm -r d007 && echo was-a-folder >d007
chmod 0700 d008 && chmod 0640 d009/f09
rm link && ln -s d010/f10 link
mkdir -p new/deeper && echo brand-new >new/deeper/file && mkfifo new/fifo
chmod u+w ro && rm ro/file && echo other >ro/file2 && chmod 0555 ro
guest changed
contains "$scratch/err.changed" "^quiz: current directory: from its packed image .*, [1-9][0-9]* changed and [1-9][0-9]* gone" \
	"a few changes: the pack, and the changes over it"
same_as_host changed "the guest sees the changed tree exactly (new, changed, gone, retyped)"

# Many changes (every file touched): packed anew, and still exact; a saved VM state restores.
find . -type f -exec touch {} +
guest repacked
contains "$scratch/err.repacked" "changes since the last pack, over 2000" "many changes: packed anew"
same_as_host repacked "the tree packed anew is exact"
guest warm # the layout's runs before: the first booted, the second saved
is "$(state_of warm)" restored "a later run restores a saved VM state" "$(grep 'VM state' "$scratch/err.warm")"
# Another entry count: the new pack's inode tables lie elsewhere than the saved boot's read of
# the disk's first blocks said.
echo after-restore >d001/f04 && find . -type f -exec touch {} + && mkdir more &&
	for i in $(seq 1 300); do echo "$i" >"more/$i"; done
guest restored
contains "$scratch/err.restored" "^quiz: current directory: packed into" "packed anew once more"
is "$(state_of restored)" restored "and restored from the saved state (the disk's first blocks read again)"
same_as_host restored "a restored guest sees the new pack exactly"

# --cwd-share: 9p forced in the big tree sees the same; a small folder is over 9p by itself.
guest ninep --cwd-share=9p
contains "$scratch/err.ninep" "^quiz: current directory: over 9p \(--cwd-share=9p\)" "--cwd-share=9p: over 9p"
same_as_host ninep "and the same tree"
mkdir -p "$scratch/small" && echo small >"$scratch/small/file"
out=$(cd "$scratch/small" && "$QUIZ" "${kernel[@]}" -r raw -v cat file </dev/null 2>"$scratch/err.small")
is "$out" small "a small folder's file reads"
contains "$scratch/err.small" "^quiz: current directory: over 9p \(1 entries; from 10000 on it is packed\)" \
	"a small folder is over 9p, and -v says why"
out=$(cd "$scratch/small" && "$QUIZ" "${kernel[@]}" -r raw -v --cwd-share=image cat file </dev/null 2>"$scratch/err.small-image")
is "$out" small "--cwd-share=image packs a small folder too"
contains "$scratch/err.small-image" "^quiz: current directory: packed into" "and says so"

# What cannot be packed: one line on stderr, 125, nothing left behind.
out=$(cd "$home" && "$QUIZ" "${kernel[@]}" -r raw --cwd-share=image true </dev/null 2>&1)
is "$?" 125 "--cwd-share=image in a folder that holds quiz's cache: 125"
is "$(echo "$out" | grep -c "^quiz: --cwd-share=image: it holds quiz's cache")" 1 \
	"one line says why and what to use" "$out"
out=$("$QUIZ" "${kernel[@]}" --cwd-share=nfs true 2>&1 </dev/null)
is "$?" 125 "--cwd-share=nfs: 125"
is "$out" "quiz: --cwd-share nfs: expected auto, 9p or image" "and one line"

# A stop signal during a pack (a tree that takes a while to pack: 300 MB more to copy): 143 at
# once, no half-written image, and the next run packs.
head -c 300000000 /dev/urandom >"$tree/heavy.bin" && find "$tree" -type f -exec touch {} +
(cd "$tree" && exec "$QUIZ" "${kernel[@]}" -r raw -v true) </dev/null >/dev/null 2>"$scratch/err.stop" &
pid=$!
for _ in $(seq 1 400); do
	grep -q '^quiz: packing the current directory' "$scratch/err.stop" && break
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM during a pack: 143" "$(tail -n 3 "$scratch/err.stop")"
contains "$scratch/err.stop" "^quiz: stopped by signal 15" "and it says so"
lacks "$scratch/err.stop" "^quiz: current directory: packed into" "the pack did not finish"
is "$(find "$home/trees" -name '*.tmp' | wc -l)" 0 "no half-written image left"
guest after-stop
contains "$scratch/err.after-stop" "^quiz: current directory: packed into" "the next run packs"
same_as_host after-stop "and sees the tree exactly"

left=$(find "$home/trees" -name '*.tmp' 2>/dev/null | wc -l)
is "$left" 0 "no half-written image in the cache"
is "$(runs_left)" 0 "no run directory left behind (the read-only folder's copy went too)"
is "$(qemus_left)" 0 "no QEMU left"
# This test's packs go with it.
for d in "$home"/trees/*/; do
	case $(cat "$d/path" 2>/dev/null) in "$scratch"/*) rm -rf "$d" ;; esac
done
chmod -R u+w "$tree"
done_testing
