#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel-git (issue 29, source 4) against two local repositories that git daemon serves on
# 127.0.0.1, holding fake kernel trees: list (words, WHERE, a series, next, nothing fetched),
# fetch of a tag (its tree, depth 1, into one bare repository), mainline's localversion file,
# linux-next's own, a second fetch with the daemon stopped, the lock, what a killed fetch
# leaves, bad words, offline refusal in one line. No network.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QG=${QUIZ_KERNEL_GIT:-$source_root/tools/quiz-kernel-git}
for tool in git flock tar python3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
git_daemon_env
cache=$QUIZ_HOME/sources/git
repo=$cache/linux.git

# --- two remotes: mainline (v6.1, v6.1.192 on a side branch, v6.2-rc1, one commit more) and
# linux-next (next-20261101..22 and next-20261204, whose tree has its localversion-next) ---
makefile() { # VERSION PATCHLEVEL SUBLEVEL EXTRAVERSION
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION = %s\nNAME = Fake\n' "$@" >Makefile
}
commit() { git add -A && git commit -qm "$1"; }
mkdir -p src/linux src/next srv
(
	cd src/linux && git init -qb master
	mkdir drivers && makefile 6 1 0 '' && echo 'int x;' >drivers/a.c && commit 6.1
	git tag -am v6.1 v6.1
	git checkout -qb stable && makefile 6 1 192 '' && commit 6.1.192 && git tag -am v6.1.192 v6.1.192
	git checkout -q master && makefile 6 2 0 -rc1
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4)' >drivers/blob.bin
	printf '#!/bin/sh\necho hi\r\n' >drivers/run.sh && chmod +x drivers/run.sh
	commit 6.2-rc1 && git tag -am v6.2-rc1 v6.2-rc1
	# Tags that name no version: a remote's text never reaches a shell.
	git tag v2.6.11-tree && git tag 'v6.9-rc1$(touch${IFS}pwned)' && git tag v6.3-rc1x
	echo 'int y;' >drivers/b.c && commit "after 6.2-rc1"
) >setup.log 2>&1
(
	cd src/next && git init -qb master
	makefile 6 2 0 -rc1 && echo -next-20261204 >localversion-next && commit next
	git tag -am next-20261204 next-20261204 && git tag v6.1 && git tag next-2026120x
	for d in $(seq 1 22); do printf 'create refs/tags/next-202611%02d HEAD\n' "$d"; done | git update-ref --stdin
) >>setup.log 2>&1
git clone -q --bare src/linux srv/mainline.git && git clone -q --bare src/next srv/next.git
ok $? "two fake remotes" "$(tail setup.log)"
head4=$(git -C src/linux rev-parse HEAD)
hex4=${head4:0:12}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --listen=127.0.0.1 --port="$port" --export-all --base-path="$scratch/srv" --reuseaddr \
	--detach --pid-file="$scratch/daemon.pid"
stop_daemon() {
	[ -f "$scratch/daemon.pid" ] && kill "$(cat "$scratch/daemon.pid")" 2>/dev/null
	rm -f "$scratch/daemon.pid"
}
trap 'stop_daemon; cleanup_scratch' EXIT
export QUIZ_GIT_MAINLINE=git://127.0.0.1:$port/mainline.git
export QUIZ_GIT_NEXT=git://127.0.0.1:$port/next.git
wait_for 10 git ls-remote "$QUIZ_GIT_MAINLINE" HEAD >/dev/null 2>&1
ok $? "git daemon serves them on 127.0.0.1:$port"

# --- list ---
"$QG" list >list.out 2>list.err
is "$?" 0 "list exits 0"
expected=$(
	printf '6.1\tgit mainline\n6.2-rc1\tgit mainline\nmainline-%s\tgit mainline\n' "$hex4"
	for d in $(seq 4 22); do printf 'next-202611%02d\tgit linux-next\n' "$d"; done
	printf 'next-20261204\tgit linux-next\n'
)
is "$(sort list.out)" "$expected" \
	"list: mainline's release and rc, its head, the newest 20 next tags (not 6.1.192, no tag that names no version)"
is "$(cat list.err)" "" "and says nothing on stderr"
test ! -e "$cache"
ok $? "list fetches nothing (no cache folder made)"
is "$("$QG" list 6.2)" "$(printf '6.2-rc1\tgit mainline')" "list 6.2: its rc only"
is "$("$QG" list 6.1)" "$(printf '6.1\tgit mainline')" "list 6.1: the release, not the stable tag 6.1.192"
"$QG" list next >next.out
is "$(cut -f1 next.out | sort | paste -sd' ')" \
	"$(printf 'next-202611%02d ' $(seq 1 22))next-20261204" "list next: every next tag, and only those"
out=$("$QG" list 6.3 2>&1)
is "$?:$out" "0:" "list 6.3: nothing, exit 0"
out=$("$QG" list '6.1;x' 2>&1)
is "$?:$out" "1:quiz-kernel: git: 6.1\\;x: not a series; use X.Y (7.3) or next" "list of a bad series: one line"

# --- fetch of a tag: its tree, at depth 1, into the cache's bare repository ---
out=$("$QG" fetch 6.2-rc1 2>fetch1.err)
is "$?:$out" "0:$cache/linux-6.2-rc1.tar.gz" "fetch 6.2-rc1 prints the tarball's path"
is "$(cat fetch1.err)" "quiz-kernel: downloading v6.2-rc1 from $QUIZ_GIT_MAINLINE" "with one downloading line"
is "$(tar -tzf "$out" | cut -d/ -f1 | sort -u)" linux-6.2-rc1 "its single top folder is linux-6.2-rc1/"
mkdir got want && tar -xzf "$out" -C got && git -C src/linux archive v6.2-rc1 | tar -x -C want
diff -r got/linux-6.2-rc1 want >tree.diff 2>&1
ok $? "its tree is the tag's tree" "$(head tree.diff)"
cmp got/linux-6.2-rc1/drivers/blob.bin <(git -C src/linux show v6.2-rc1:drivers/blob.bin)
ok $? "a binary file, byte for byte"
test -x got/linux-6.2-rc1/drivers/run.sh
ok $? "an executable stays executable"
is "$(git --git-dir="$repo" rev-parse --is-shallow-repository)" true "the cache's repository is shallow"
is "$(git --git-dir="$repo" rev-list --count refs/tags/v6.2-rc1)" 1 "it holds v6.2-rc1's commit alone"
is "$(git --git-dir="$repo" for-each-ref --format='%(refname)')" refs/tags/v6.2-rc1 "and no other ref"
git --git-dir="$repo" cat-file -e "$(git -C src/linux rev-parse "v6.1^{commit}")" 2>/dev/null
ok "$((!$?))" "v6.1's commit (its parent) was not fetched"
git --git-dir="$repo" cat-file -e "$(git -C src/linux rev-parse "v6.1.192^{commit}")" 2>/dev/null
ok "$((!$?))" "nor the stable branch's"
is "$(stat -c %a "$cache"):$(stat -c %a "$out")" 700:600 "the cache is private (folder 700, tarball 600)"

# On a terminal: git's progress, the tarball being written, the path last.
script -qec "$QG fetch 6.1" /dev/null </dev/null | tr -d '\r' >tty.out
out=$(tail -n 1 tty.out)
is "$out" "$cache/linux-6.1.tar.gz" "fetch 6.1 on a terminal (a second tag into the same repository)"
is "$(grep -v '^remote: ' tty.out | paste -sd'|')" \
	"quiz-kernel: downloading v6.1 from $QUIZ_GIT_MAINLINE|quiz-kernel: writing $out|$out" \
	"says what it downloads and writes; git's progress lines (remote:) alone besides" "$(cat tty.out)"
is "$(tar -xOzf "$out" linux-6.1/Makefile | sed -n 2,3p | paste -sd' ')" "PATCHLEVEL = 1 SUBLEVEL = 0" \
	"its Makefile is v6.1's"

# --- linux-next, after a fetch killed with SIGKILL: its .partial, git's lock and temporary pack ---
echo garbage >"$cache/linux-next-20261204.tar.gz.partial"
touch "$repo/shallow.lock" "$repo/objects/pack/tmp_pack_killed"
out=$("$QG" fetch next-20261204 2>next.err)
is "$?:$out" "0:$cache/linux-next-20261204.tar.gz" "fetch next-20261204 after a killed fetch's leftovers" \
	"$(cat next.err)"
is "$(tar -xOzf "$out" linux-next-20261204/localversion-next)" -next-20261204 \
	"its tree has linux-next's own localversion-next"
is "$(tar -tzf "$out" | grep -c localversion-mainline)" 0 "and no localversion-mainline"
is "$(cd "$cache" && find . -name '*.partial' -o -name '*.lock' -o -name 'tmp_*' | paste -sd' ')" ./.lock \
	"no .partial, git lock or temporary pack is left (only the cache's own .lock)"

# --- mainline: its head, with a localversion file that names it ---
out=$("$QG" fetch mainline 2>mainline.err)
is "$?:$out" "0:$cache/linux-mainline-$hex4.tar.gz" "fetch mainline: the head's tarball, named after it" \
	"$(cat mainline.err)"
is "$(tar -tzf "$out" | cut -d/ -f1 | sort -u)" "linux-mainline-$hex4" "its single top folder is linux-mainline-<12 hex>/"
tar -xOzf "$out" "linux-mainline-$hex4/localversion-mainline" >localversion
is "$(od -An -c localversion | tr -s ' ')" "$(printf '%s' "-mainline-$hex4" | od -An -c | tr -s ' ') \\n" \
	"its localversion-mainline reads -mainline-<12 hex>, a newline"
tar -xOzf "$out" "linux-mainline-$hex4/drivers/b.c" >b.c 2>&1
is "$(cat b.c)" "int y;" "and its tree is the head's (a file added after v6.2-rc1)"
# The head moves on: the listing says so, the old word is still served from the cache.
(cd src/linux && echo 'int z;' >drivers/c.c && commit later && git push -q "$scratch/srv/mainline.git" master) >>setup.log 2>&1
head5=$(git -C src/linux rev-parse HEAD)
"$QG" list >list2.out
contains list2.out "^mainline-${head5:0:12}	git mainline$" "list names the new head"
out=$("$QG" fetch "mainline-$hex4" 2>old.err)
is "$?:$out:$(cat old.err)" "0:$cache/linux-mainline-$hex4.tar.gz:" "fetch mainline-<old head>: from the cache"
out=$("$QG" fetch mainline-000000000000 2>&1)
is "$?:$out" "1:quiz-kernel: downloading mainline's head from $QUIZ_GIT_MAINLINE
quiz-kernel: git mainline: mainline-000000000000 is not in the cache, and mainline's head is mainline-${head5:0:12} now; build mainline" \
	"fetch mainline-<a commit it never had>: after asking for the head, one line naming it"

# --- a tag the remote lacks; bad words ---
out=$("$QG" fetch 6.3-rc1 2>&1)
is "$?:$out" "1:quiz-kernel: downloading v6.3-rc1 from $QUIZ_GIT_MAINLINE
quiz-kernel: git mainline: $QUIZ_GIT_MAINLINE has no v6.3-rc1; see quiz-kernel list --available" \
	"fetch of a tag mainline lacks: one line after the downloading one"
before=$(cd "$cache" && find . | sort)
bad=0
for word in '6.2-rc1;x' ../x v6.2-rc1 6.1.192 6.02 6.2.0-rc1 mainline-ABCDEF012345 next-2026120x '' '-q'; do
	out=$("$QG" fetch "$word" 2>&1)
	[ $? = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ $out == "quiz-kernel: git: "*": not a version git gives; use "* ]] ||
		{ bad=1; echo "# fetch '$word': $out"; }
done
ok $bad "fetch refuses each bad word in one line"
is "$(cd "$cache" && find . | sort)" "$before" "and leaves the cache as it was"
test ! -e pwned && test ! -e "$cache/pwned"
ok $? "a tag named after a command ran nothing"

# --- the lock: a second fetch waits for the first ---
flock "$cache/.lock" sleep 1.5 &
holder=$!
wait_for 5 eval '! flock -n "$cache/.lock" true'
"$QG" fetch 6.1 >locked.out 2>locked.err &
fetcher=$!
sleep 0.5
kill -0 "$fetcher" 2>/dev/null
ok $? "a fetch waits while another holds the cache's lock"
wait_exit "$fetcher" 10
is "$?:$(cat locked.out)" "0:$cache/linux-6.1.tar.gz" "then finds the tarball"
is "$(cat locked.err)" "quiz-kernel: waiting for another fetch (it holds $cache/.lock)" "saying why it waited"
wait "$holder"

# --- the daemon stopped: everything fetched comes from the cache ---
stop_daemon
wait_for 5 eval '! git ls-remote "$QUIZ_GIT_MAINLINE" >/dev/null 2>&1'
ok $? "the daemon is stopped"
stamps=$(stat -c %n:%i:%Y "$cache"/*.tar.gz)
bad=0
for word in 6.2-rc1 6.1 next-20261204 "mainline-$hex4"; do
	out=$("$QG" fetch "$word" 2>&1)
	[ "$?:$out" = "0:$cache/linux-$word.tar.gz" ] || { bad=1; echo "# fetch $word: $out"; }
done
ok $bad "a second fetch of each makes no connection: it prints the cached tarball, and nothing else"
is "$(stat -c %n:%i:%Y "$cache"/*.tar.gz)" "$stamps" "the tarballs are not written again"
rm "$cache/linux-6.1.tar.gz"
out=$("$QG" fetch 6.1 2>&1)
is "$?:$out" "0:$cache/linux-6.1.tar.gz" "a tarball removed is made again from the cache's repository, offline"
is "$(cd "$cache/.." && QUIZ_HOME=.. "$QG" fetch 6.1 2>&1)" "$cache/linux-6.1.tar.gz" \
	"a relative QUIZ_HOME: the path printed is absolute"

# --- offline: one line naming the remote and the fix ---
out=$("$QG" list 2>list.err)
is "$?:$out" "1:" "list with the daemon stopped exits 1, prints no version"
is "$(cat list.err)" "quiz-kernel: git mainline: cannot reach $QUIZ_GIT_MAINLINE (Connection refused); offline? set QUIZ_GIT_MAINLINE or build from a tarball" \
	"in one line naming the remote and the fix"
out=$("$QG" list next 2>&1)
is "$?:$out" "1:quiz-kernel: git linux-next: cannot reach $QUIZ_GIT_NEXT (Connection refused); offline? set QUIZ_GIT_NEXT or build from a tarball" \
	"list next: linux-next's remote and QUIZ_GIT_NEXT"
out=$(QUIZ_GIT_NEXT=git://nohost.invalid/next.git "$QG" list next 2>&1)
ok "$([ $? = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] &&
	[[ $out == "quiz-kernel: git linux-next: cannot reach git://nohost.invalid/next.git ("*"); offline? set QUIZ_GIT_NEXT or build from a tarball" ]]
	echo $?)" "an unresolvable host: one line too" "$out"
out=$("$QG" fetch 6.2 2>&1)
is "$?:$out" "1:quiz-kernel: downloading v6.2 from $QUIZ_GIT_MAINLINE
quiz-kernel: git mainline: cannot reach $QUIZ_GIT_MAINLINE (Connection refused); offline? set QUIZ_GIT_MAINLINE or build from a tarball" \
	"fetch of a tag not cached, offline: the downloading line, then one line"
out=$(script -qec "$QG fetch 6.2" /dev/null </dev/null | tr -d '\r')
is "$out" "quiz-kernel: downloading v6.2 from $QUIZ_GIT_MAINLINE
quiz-kernel: git mainline: cannot reach $QUIZ_GIT_MAINLINE (Connection refused); offline? set QUIZ_GIT_MAINLINE or build from a tarball" \
	"the same on a terminal (git's own lines held back)"
out=$("$QG" fetch mainline 2>&1)
is "$?:$out" "1:quiz-kernel: downloading mainline's head from $QUIZ_GIT_MAINLINE
quiz-kernel: git mainline: cannot reach $QUIZ_GIT_MAINLINE (Connection refused); offline? set QUIZ_GIT_MAINLINE or build from a tarball" \
	"fetch mainline, offline: refused so"
is "$(cd "$cache" && find . -name '*.partial' | wc -l):$(ls -A "$TMPDIR" | wc -l)" 0:0 \
	"no .partial in the cache, nothing left in TMPDIR"
done_testing
