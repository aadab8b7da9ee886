#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest image: its tools; a failed build keeps the old image byte for byte and leaves no
# temporary folder; a new init1 reaches the image without a debootstrap.
. "$(dirname "$0")/lib.sh"
need_vm
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
quiz_image=$(readlink -f "$(dirname "$0")/../../scripts/quiz-image")
libexec=$(dirname "$QUIZ")/../guest-init
cd "$scratch" || exit 1

out=$("$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c \
	'for t in tini tmux udevadm modprobe mount losetup ps ip mke2fs less; do
		command -v $t >/dev/null && echo "$t" || echo "missing $t"; done' </dev/null)
is "$out" "$(printf '%s\n' tini tmux udevadm modprobe mount losetup ps ip mke2fs less)" \
	"the guest has tini, tmux and the core tools"

image=$home/images/bookworm.ext2
if [ "$(id -u)" = 0 ]; then
	sum=$(sha256sum <"$image")
	info=$(cat "$image.info")
	"$quiz_image" build --init1 "$libexec/quiz-init" --packages no-such-package-xyz >out 2>&1
	status=$?
	ok "$([ "$status" != 0 ]; echo $?)" "a build with a package that does not exist fails"
	grep -q 'no-such-package-xyz' out
	ok $? "the error names the package" "$(tail -n 2 out)"
	is "$(sha256sum <"$image")" "$sum" "the previous image is byte-identical"
	is "$(cat "$image.info")" "$info" "its description is unchanged"
	is "$(ls -A "$home/images" | grep -v '^bookworm\.ext2\(\.info\)\?$' | wc -l)" 0 \
		"no temporary folder or file left in the images folder"
else
	echo "# not root: the failed-build check needs debootstrap (root); skipped"
fi

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
	out=$(cd / && QUIZ_HOME=$scratch/empty setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$quiz_image" build 2>&1)
	is "$?" 1 "a build as a user other than root is refused"
	is "$out" "quiz-image: needs root for debootstrap; run as root (e.g. sudo quiz-image build)" \
		"the error says root is needed and how to get it"
fi
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	# debootstrap and mke2fs live in /usr/sbin: an empty one, in a mount namespace of its own.
	out=$(QUIZ_HOME=$scratch/empty unshare -m --propagation private sh -c \
		'mount -t tmpfs none /usr/sbin && exec "$0" build' "$quiz_image" 2>&1)
	is "$?" 1 "a build without debootstrap is refused"
	is "$out" "quiz-image: debootstrap or mke2fs is missing; apt-get install debootstrap e2fsprogs" \
		"the error names the missing tools and the packages that bring them"
	ok "$([ ! -e empty ]; echo $?)" "the refused builds created nothing in the cache"
fi

# A changed init1 (same program, other bytes) is written into a copy of the image on use.
mkdir -p home/images home/kernels libexec
cp --sparse=always "$image" home/images/bookworm.ext2
cp "$image.info" home/images/bookworm.ext2.info
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
grep -q "^init1_sha256=$new_sha" home/images/bookworm.ext2.info
ok $? "the image's description records the new init1"
ok "$([ ! -e home/logs/image-bookworm.log ] && [ $(($(date +%s) - start)) -lt 60 ]; echo $?)" \
	"no debootstrap ran"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
