#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz as an ordinary user: a user made by the test (as root; or the user running the suite)
# builds the image without root, boots kernels, gets exit statuses and output, writes to
# --shared as itself, runs a matrix and a profile; a /dev/kvm it may not open gives TCG and one
# hint. Kernels are copied into its cache (it builds nothing it need not).
. "$(dirname "$0")/lib.sh"
need_vm
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
src=$(cd "$(dirname "$0")/../.." && pwd)
read -ra kernels <<<"${QUIZ_TEST_KERNELS:-6.1 6.12}"
chmod 0755 "$scratch"
cd "$scratch" || exit 1

if [ "$(id -u)" = 0 ]; then
	user=quiztest$$
	useradd -m -d "$scratch/home" -s /bin/bash "$user" || { echo "not ok 1 - useradd $user"; exit 1; }
	trap 'pkill -KILL -u "$user" 2>/dev/null; userdel -r "$user" 2>/dev/null; chmod -R u+w "$scratch"; rm -rf "$scratch"' EXIT
	as_user() { runuser -u "$user" -- env -i PATH="$PATH" HOME="$scratch/home" USER="$user" \
		QUIZ_HOME="$scratch/home/cache" QUIZ_DATA_DIR="$scratch/quiz/data" \
		QUIZ_LIBEXEC_DIR="$scratch/quiz/guest-init" ${QUIZ_KVM_DEVICE:+QUIZ_KVM_DEVICE=$QUIZ_KVM_DEVICE} \
		${QUIZ_IMAGE_LOCK_WAIT:+QUIZ_IMAGE_LOCK_WAIT=$QUIZ_IMAGE_LOCK_WAIT} "$@"; }
else
	user=$(id -un)
	mkdir -p home
	as_user() { env HOME="$scratch/home" QUIZ_HOME="$scratch/home/cache" \
		QUIZ_DATA_DIR="$scratch/quiz/data" QUIZ_LIBEXEC_DIR="$scratch/quiz/guest-init" \
		QUIZ_KVM_DEVICE="$QUIZ_KVM_DEVICE" "$@"; }
fi
uid=$(id -u "$user")

# quiz as this user can read it wherever the checkout is (a root-only home, say).
mkdir -p quiz/runner quiz/guest-init quiz/data
cp "$QUIZ" quiz/runner/
cp "$(dirname "$QUIZ")/../guest-init/quiz-init" "$(dirname "$QUIZ")/../guest-init/quiz-init.sha256" quiz/guest-init/
cp -r "$src/tools" "$src/profiles" "$src/kconfig" "$src/image" quiz/data/
chmod -R a+rX quiz
Q=$scratch/quiz/runner/quiz
for k in "${kernels[@]}"; do
	dir=$("$(dirname "$QUIZ")/quiz-kernel" path "$k")
	release=$(sed -n 's/^release=//p' "$dir/info")
	mkdir -p "home/cache/kernels/x86_64/$release"
	cp -a "$dir/bzImage" "$dir/config" "$dir/info" "$dir/layer" "home/cache/kernels/x86_64/$release/"
	[ -e "$dir/vmlinux.boot" ] && cp "$dir/vmlinux.boot" "home/cache/kernels/x86_64/$release/"
done
chown -R "$user" home
mkdir shared && chown "$user" shared

# The image, built by this user without root.
as_user "$scratch/quiz/data/tools/quiz-image" check >check.out 2>&1
is "$?" 0 "quiz-image check: this user can build the image" "$(cat check.out)"
as_user "$scratch/quiz/data/tools/quiz-image" build --init1 "$scratch/quiz/guest-init/quiz-init" \
	>build.out 2>&1
is "$?" 0 "quiz-image build as $user, without root" "$(tail -n 5 build.out)"
img=home/cache/images/bookworm-amd64.ext2
is "$(stat -c %U "$img" 2>/dev/null)" "$user" "the image is the user's file"
is "$(debugfs -R 'stat /usr/bin/su' "$img" 2>/dev/null | sed -n 's/^User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1 \2/p')$(debugfs -R 'stat /usr/bin/su' "$img" 2>/dev/null | grep -o 'Mode: *04755')" \
	"0 0Mode:  04755" "inside it, files belong to root with their setuid bits (su)"
is "$(ls -A home/cache/images | grep -vc '^bookworm-amd64\.ext2\(\.info\|\.manifest\)\?$')" 0 "the build left no temporary files"
ok "$([ -s "$img.manifest" ]; echo $?)" "and its manifest beside it"

# A /dev/kvm this user may not open: TCG and a one-line hint, once. (Then every run here uses
# that device, or none: their stderr is the program's alone, whatever this host's KVM is.)
cd "$scratch/shared" || exit 1
if [ "$(id -u)" = 0 ]; then
	export QUIZ_KVM_DEVICE=$scratch/kvm
	: >"$QUIZ_KVM_DEVICE" && chmod 0600 "$QUIZ_KVM_DEVICE"
	as_user "$Q" -k "${kernels[0]}" -r raw true </dev/null 2>"$scratch/err"
	is "$?" 0 "a /dev/kvm $user may not open: the run works (TCG)"
	is "$(cat "$scratch/err")" "quiz: using TCG (slow): $QUIZ_KVM_DEVICE is there but this user may not open it; to use KVM, let group kvm open it (sudo chown root:kvm $QUIZ_KVM_DEVICE; sudo chmod 660 $QUIZ_KVM_DEVICE) and join that group (sudo adduser \$USER kvm, then log in again)" \
		"one line with the hint: the device is root's alone, so group kvm must get it first"
	as_user "$Q" -k "${kernels[0]}" -r raw true </dev/null 2>"$scratch/err"
	is "$(cat "$scratch/err")" "" "said once: the next run is quiet"
else
	export QUIZ_KVM_DEVICE=$scratch/no-kvm
fi

# Runs: statuses, bytes, a shared folder written as the user.
out=$(as_user "$Q" -k "${kernels[0]}" -r raw sh -c 'id -u; echo to-stderr >&2; exit 3' </dev/null 2>"$scratch/err")
is "$?" 3 "as $user: the program's exit status"
is "$out" 0 "its output (root in the guest)"
is "$(cat "$scratch/err")" "to-stderr" "its stderr, nothing else"
head -c 262144 /dev/urandom >"$scratch/random.bin"
as_user "$Q" -k "${kernels[0]}" -r raw cat <"$scratch/random.bin" >"$scratch/echoed.bin" 2>"$scratch/err"
cmp -s "$scratch/random.bin" "$scratch/echoed.bin"
ok $? "as $user: 256 KiB through the guest byte for byte" "$(cat "$scratch/err")"
out=$(as_user "$Q" -k "${kernels[0]}" -r raw --shared "$scratch/shared" sh -c '
	echo data >/shared/made; mkdir /shared/dir; chmod 0750 /shared/dir
	cp /bin/sh /shared/sh && chmod 4755 /shared/sh; mkdir /shared/open && chmod 0777 /shared/open
	chown 1234:1234 /shared/made 2>/dev/null; mknod /shared/dev c 1 3 2>/dev/null
	stat -c "%a %n" /shared/dir /shared/sh /shared/open' </dev/null 2>"$scratch/err")
is "$?" 0 "a run with --shared as $user" "$(cat "$scratch/err")"
is "$out" "$(printf '750 /shared/dir\n4755 /shared/sh\n777 /shared/open')" \
	"in the guest, the modes it asked for"
is "$(stat -c '%u %s' made 2>/dev/null)" "$uid 5" "a file the guest made is the user's, data intact"
is "$(stat -c '%u %a %F' dir 2>/dev/null)" "$uid 700 directory" "a folder too, private on the host"
is "$(stat -c '%u %a' sh 2>/dev/null)" "$uid 600" \
	"the guest's chmod 4755 leaves no setuid program of the user's on the host"
is "$(stat -c '%a' open 2>/dev/null)" 700 "its chmod 777 no world-writable folder"
ok "$([ ! -e dev ] || [ ! -c dev ]; echo $?)" "no device node reached the host"
is "$(find "$scratch/shared" ! -uid "$uid" | wc -l)" 0 "nothing there belongs to anyone else"
is "$(find "$scratch/shared" -perm /7022 | wc -l)" 0 "nothing there is setuid, setgid or writable by others" \
	"$(find "$scratch/shared" -perm /7022 -ls)"

# A matrix and a profile.
klist=$(IFS=,; echo "${kernels[*]}")
as_user "$Q" -k "$klist" sh -c 'exit 0' </dev/null >"$scratch/matrix.out" 2>&1
is "$?" 0 "as $user: a matrix run over $klist passes" "$(tail -n 4 "$scratch/matrix.out")"
is "$(grep -cE '^[0-9][^ ]* +[0-9][^ ]* +pass ' "$scratch/matrix.out")" "${#kernels[@]}" \
	"each kernel's row in the table says pass"
out=$(as_user "$Q" -k "${kernels[0]}" -r raw -p blockdev:count=1,size=8M sh -c \
	'blockdev --getsize64 /dev/quizb0' </dev/null 2>"$scratch/err")
is "$out" 8388608 "as $user: the blockdev profile's disk is there" "$(cat "$scratch/err")"
# The net profile as this user: user-mode networking reaches a server on the host's loopback.
printf 'served to %s\n' "$user" >"$scratch/served"
chmod 0644 "$scratch/served"
port=$(free_port)
serve_http "$scratch" "$port"
out=$(as_user "$Q" -k "${kernels[0]}" -r raw -p net python3 -c \
	"import urllib.request; print(urllib.request.urlopen('http://host:$port/served').read().decode(), end='')" \
	</dev/null 2>"$scratch/err")
is "$out" "served to $user" "as $user: -p net fetches from the host's loopback" "$(tail -n 3 "$scratch/err")"
kill "$http_pid" 2>/dev/null
# The current directory from its packed image (issue 33), as the user: its own tree, a change
# between runs (into a read-only folder: the run layer's copy of it goes with the run folder).
tree=$scratch/tree
mkdir -p "$tree/ro" && echo one >"$tree/file" && echo inside >"$tree/ro/old" && chmod 0555 "$tree/ro"
chown -R "$user" "$tree"
in_tree() { as_user sh -c 'cd "$1" && shift && exec "$@"' sh "$tree" "$@"; }
out=$(in_tree "$Q" -k "${kernels[0]}" -r raw --cwd-share=image sh -c 'cat file ro/old; echo x >file' \
	</dev/null 2>"$scratch/err")
is "$out" "$(printf 'one\ninside')" "as $user: --cwd-share=image packs its tree and reads it" \
	"$(tail -n 3 "$scratch/err")"
as_user sh -c 'cd "$1" && echo two >file && chmod u+w ro && echo new >ro/new && chmod 0555 ro' \
	sh "$tree"
out=$(in_tree "$Q" -k "${kernels[0]}" -r raw -v --cwd-share=image sh -c 'cat file ro/new' \
	</dev/null 2>"$scratch/err")
is "$out" "$(printf 'two\nnew')" "as $user: the next run sees the tree's changes" "$(tail -n 3 "$scratch/err")"
contains "$scratch/err" "^quiz: current directory: from its packed image .* [1-9][0-9]* changed" \
	"as $user: over its pack, the changes stacked"
is "$(cat "$tree/file")" two "as $user: the guest's write never reached the tree"
as_user "$Q" --doctor >"$scratch/doctor.out" 2>&1
is "$?" 0 "as $user: --doctor says a run can work" "$(cat "$scratch/doctor.out")"

is "$(ls -A "$scratch/home/cache/runs" 2>/dev/null | wc -l)" 0 "no run directory left behind"
done_testing
