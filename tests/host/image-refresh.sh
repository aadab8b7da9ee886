#!/bin/bash
# SPDX-License-Identifier: MIT
# Refreshing /sbin/init in the cached image: concurrent runs wait for one another, none fails.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
PATH=$PATH:/usr/sbin:/sbin
for tool in mke2fs debugfs e2fsck flock; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (e2fsprogs, util-linux)"
		exit 0
	fi
done

# quiz-init names the image's mount points (common/layout.h) in a record of its binary, which
# quiz-image reads for any architecture without running it; --layout prints the same.
init=$QUIZ_BUILD_ROOT/guest-init/quiz-init
record() { LC_ALL=C grep -a -m 1 -o 'quiz-layout: [a-z/ ]*' "$1" | sed 's/^quiz-layout: //'; }
want_layout='/quiz/layers/run /quiz/layers/user /quiz/layers/kernel /quiz/layers/system /quiz/image /quiz/upper /quiz/root /shared'
is "$("$init" --layout | paste -sd' ')" "$want_layout" "quiz-init --layout: the mount points, one a line"
is "$(record "$init")" "$want_layout" "its binary's record says the same"
for cross in "$QUIZ_BUILD_ROOT"/guest-init/quiz-init-*; do
	case $cross in *.sha256) continue ;; esac
	is "$(record "$cross")" "$want_layout" "so does ${cross##*/}'s"
done

# A tiny image as quiz-image leaves it, with an old init1 and its stamp (image and sidecar); it
# lacks /quiz/root and /shared, which its next init mounts on.
unset QUIZ_IMAGE
mkdir -p tree/sbin tree/etc/quiz tree/quiz/layers/run "$QUIZ_HOME/images"
echo 'the old init' >tree/sbin/init
chmod 0755 tree/sbin/init
old=$(sha256sum <tree/sbin/init | cut -d' ' -f1)
echo "$old" >tree/etc/quiz/init1.sha256
image=$QUIZ_HOME/images/bookworm-amd64.ext2
mke2fs -q -t ext2 -d tree "$image" 8M >/dev/null
printf 'suite=bookworm\npackages=1\nkey=test\ninit1_sha256=%s\n' "$old" >"$image.info"

# quiz's own init1 is another one (QUIZ_LIBEXEC_DIR stands for build/guest-init).
mkdir libexec
printf 'the new init, %s\n\0quiz-layout: /quiz/layers/run /quiz/root /shared\0' "$(date +%s%N)" \
	>libexec/quiz-init
chmod 0755 libexec/quiz-init
sha256sum <libexec/quiz-init | cut -d' ' -f1 >libexec/quiz-init.sha256
export QUIZ_LIBEXEC_DIR=$scratch/libexec

pids=()
for i in 1 2 3 4; do
	"$QUIZ" --dry-run true >"dry.$i" 2>"err.$i" &
	pids+=($!)
done
failed=0
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || failed=$((failed + 1))
done
is "$failed" 0 "17.14: four quiz runs at once right after quiz-init changed: all exit 0" \
	"$(cat err.1 err.2 err.3 err.4)"
debugfs -R 'cat /sbin/init' "$image" 2>/dev/null >got-init
cmp -s libexec/quiz-init got-init
ok $? "17.14: the image's /sbin/init is the new one" "$(cat got-init)"
is "$(debugfs -R 'cat /etc/quiz/init1.sha256' "$image" 2>/dev/null)" "$(cat libexec/quiz-init.sha256)" \
	"17.14: and so is its stamp inside the image"
grep -q "^init1_sha256=$(cat libexec/quiz-init.sha256)\$" "$image.info"
ok $? "17.14: and the sidecar's" "$(cat "$image.info")"
grep -qx 'key=test' "$image.info"
ok $? "the sidecar keeps its other fields"
for d in /quiz/layers/run /quiz/root /shared /etc/quiz; do
	debugfs -R "stat $d" "$image" 2>/dev/null | grep -q 'Type: directory'
	ok $? "the mount point $d the new init names is in the image"
done
e2fsck -fn "$image" >/dev/null 2>&1
ok $? "the image is a clean ext2"
is "$(ls -A "$QUIZ_HOME/images" | grep -c '^\.refresh')" 0 "no temporary copy is left"

# An --init1 that is no quiz-init (no record): refused in one line, the image untouched.
sum=$(sha256sum <"$image")
printf 'not an init\n' >not-init
"$source_root/tools/quiz-image" refresh-init1 --init1 not-init >refuse.out 2>&1
is "$?" 1 "refresh-init1 --init1 of a file without a quiz-layout record fails"
is "$(cat refuse.out)" "quiz-image: --init1 not-init: not a quiz-init (no quiz-layout record in it); use build/guest-init/quiz-init" \
	"saying in one line what it is and what to give"
is "$(sha256sum <"$image")" "$sum" "the image is unchanged"
is "$(ls -A "$QUIZ_HOME/images" | grep -c '^\.refresh')" 0 "and no temporary copy is left"

# So is a build's, before anything is made.
before=$(ls -A "$QUIZ_HOME/images" | paste -sd' ')
"$source_root/tools/quiz-image" build --init1 not-init >refuse.out 2>&1
is "$?" 1 "build --init1 of a file without the record fails"
is "$(cat refuse.out)" "quiz-image: --init1 not-init: not a quiz-init (no quiz-layout record in it); use build/guest-init/quiz-init" \
	"with the same line"
is "$(ls -A "$QUIZ_HOME/images" | paste -sd' ')" "$before" "leaving the cache's images folder as it was"

# A refresh that cannot get the lock gives up after a bounded wait, with a clear message.
printf 'suite=bookworm\ninit1_sha256=%s\n' "$old" >"$image.info"
exec 8<"$QUIZ_HOME/images"
flock 8
QUIZ_IMAGE_LOCK_WAIT=1 "$QUIZ" --dry-run true >/dev/null 2>held.err
is "$?" 125 "17.14: with the lock held elsewhere the run fails after the wait: 125"
grep -q 'quiz-image: another quiz-image run has held .* for 1s' held.err
ok $? "17.14: saying so and what to do" "$(cat held.err)"
exec 8<&-

done_testing
