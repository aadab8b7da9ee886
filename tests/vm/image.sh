#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest image: its tools; a failed build keeps the old image byte for byte and leaves no
# temporary folder; a new init1 reaches the image without a rebuild.
. "$(dirname "$0")/lib.sh"
need_vm
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
quiz_image=$(readlink -f "$(dirname "$0")/../../tools/quiz-image")
libexec=$(dirname "$QUIZ")/../guest-init
cd "$scratch" || exit 1

tools="tini tmux udevadm modprobe mount losetup ps ip mke2fs less"
suite_tools="python3 perl bc gawk killall fuser jq ethtool socat ping nc nft xxd getfattr getfacl
	xfs_io capsh setcap uuidgen file timeout tc"
out=$("$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c \
	'for t in $0; do command -v $t >/dev/null && echo "$t" || echo "missing $t"; done' \
	"$(echo $tools $suite_tools)" </dev/null)
is "$out" "$(printf '%s\n' $tools $suite_tools)" \
	"the guest has tini, tmux, the core tools and what the common test suites call"

image=$home/images/bookworm-amd64.ext2
sum=$(sha256sum <"$image")
info=$(cat "$image.info")
"$quiz_image" build --init1 "$libexec/quiz-init" --packages no-such-package-xyz >out 2>&1
status=$?
ok "$([ "$status" != 0 ]; echo $?)" "a build with a package that does not exist fails"
grep -q 'no-such-package-xyz' out
ok $? "the error names the package" "$(tail -n 2 out)"
is "$(sha256sum <"$image")" "$sum" "the previous image is byte-identical"
is "$(cat "$image.info")" "$info" "its description is unchanged"
is "$(ls -A "$home/images" | grep -c '^\.')" 0 \
	"no temporary folder or file left in the images folder"

"$quiz_image" build --suite nosuchsuite >out 2>&1
is "$?" 1 "an unknown suite is refused"
grep -q "unknown suite 'nosuchsuite'" out
ok $? "the error names the suite and where suites come from" "$(cat out)"
"$quiz_image" build --with nosuchlist >out 2>&1
is "$?" 1 "an unknown package list is refused"
grep -q "nosuchlist" out && grep -q "core" out
ok $? "the error names it and the lists there are" "$(cat out)"

# Preflight: a build that cannot start says why in one line and leaves nothing behind.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# nobody has no subordinate ids: mmdebstrap's unshare mode cannot work for it.
	out=$(cd / && QUIZ_HOME=$scratch/empty setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$quiz_image" build 2>&1)
	is "$?" 1 "a build as a user without subordinate ids is refused"
	is "$out" "quiz-image: no subordinate ids for nobody in /etc/subuid (building without root needs them); add them: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 nobody" \
		"the error says what is missing and the command that adds it"
	out=$(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$quiz_image" check 2>&1)
	is "$?" 1 "quiz-image check says no for that user"
fi
# A PATH with every program of /usr/bin but mmdebstrap.
mkdir nommdebstrap
for f in /usr/bin/*; do [ "${f##*/}" = mmdebstrap ] || ln -s "$f" nommdebstrap/; done
out=$(QUIZ_HOME=$scratch/empty PATH=$scratch/nommdebstrap "$quiz_image" build 2>&1)
is "$?" 1 "a build without mmdebstrap is refused"
is "$out" "quiz-image: mmdebstrap is missing; install it: sudo apt-get install mmdebstrap" \
	"the error names the missing tool and the package that brings it"
ok "$([ ! -e empty ]; echo $?)" "the refused builds created nothing in the cache"

# A changed init1 (same program, other bytes) is written into a copy of the image on use.
mkdir -p home/images home/kernels libexec
cp --sparse=always "$image" home/images/bookworm-amd64.ext2
cp "$image.info" home/images/bookworm-amd64.ext2.info
ln -s "$home/kernels/x86_64" home/kernels/x86_64
cp "$libexec/quiz-init" libexec/
printf 'quiz-test-padding' >>libexec/quiz-init
new_sha=$(sha256sum <libexec/quiz-init | cut -d' ' -f1)
echo "$new_sha" >libexec/quiz-init.sha256
start=$(date +%s)
out=$(QUIZ_HOME=$scratch/home QUIZ_LIBEXEC_DIR=$scratch/libexec \
	"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw cat /etc/quiz/init1.sha256 </dev/null 2>err)
is "$?" 0 "a run with a changed init1 succeeds"
is "$out" "$new_sha" "the guest booted the new init1 (its stamp is in the image)"
grep -q "^init1_sha256=$new_sha" home/images/bookworm-amd64.ext2.info
ok $? "the image's description records the new init1"
ok "$([ ! -e home/logs/image-bookworm-amd64.log ] && [ $(($(date +%s) - start)) -lt 60 ]; echo $?)" \
	"no image build ran"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
