#!/bin/bash
# SPDX-License-Identifier: MIT
# Any kernel by name, end to end (issue 29): quiz-kernel build and list --available through
# quiz-kernel-fetch and the real kernel.org and git tools, against a stand-in kernel.org
# (tests/host/kernel-org-server.py, sums signed by a key made here) and git daemon on 127.0.0.1
# (tags v6.1, v6.1.192, v6.2-rc1, next-20261204): newest of a series, a release candidate, a
# linux-next tag, each built (a fake make that names its release as kbuild does) and chosen
# by quiz -k; a second build downloads nothing; offline, one line per source.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QK=$(dirname "$QUIZ")/quiz-kernel
for tool in python3 curl gpg gpgv flock xz make git; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
git_daemon_env
export QUIZ_KERNEL_SOURCES='kernel.org git'
kernels=$QUIZ_HOME/kernels/x86_64

# A fake tree whose make names its release as kbuild does: VERSION.PATCHLEVEL.SUBLEVEL,
# EXTRAVERSION, then the localversion* files.
makefile() { # DIR VERSION PATCHLEVEL SUBLEVEL EXTRAVERSION
	mkdir -p "$1/arch/x86"
	{
		printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION = %s\n' "$2" "$3" "$4" "$5"
		kbuild_makefile '$(VERSION).$(PATCHLEVEL).$(SUBLEVEL)$(EXTRAVERSION)$(shell cat $(CURDIR)/localversion* 2>/dev/null)'
	} >"$1/Makefile"
}

# --- kernel.org: v6.x/ with linux-6.1.tar.xz and linux-6.1.192.tar.xz, signed sums ---
export GNUPGHOME=$scratch/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key "signer <signer@quiz.invalid>" ed25519 sign never 2>/dev/null
gpg --batch --export signer@quiz.invalid >keyring.gpg
export QUIZ_KERNEL_KEYRING=$scratch/keyring.gpg
www=$scratch/www/pub/linux/kernel
mkdir -p "$www/v6.x" trees
for v in 6.1:0 6.1.192:192; do
	makefile "trees/linux-${v%:*}" 6 1 "${v#*:}" ''
	XZ_OPT=-0 tar -C trees -cJf "$www/v6.x/linux-${v%:*}.tar.xz" "linux-${v%:*}"
done
(cd "$www/v6.x" && sha256sum linux-*.tar.xz >sums && gpg --batch --local-user signer@quiz.invalid \
	--clearsign -o sha256sums.asc sums 2>/dev/null && rm sums)
printf '<a href="v6.x/">v6.x/</a>\n' >"$www/index.html"
mkdir -p ctl
python3 "$source_root/tests/host/kernel-org-server.py" "$scratch/www" "$scratch/requests" "$scratch/ctl" \
	"$scratch/port" 2>server.err &
server=$!
wait_for 10 test -s port
ok $? "a stand-in kernel.org on 127.0.0.1" "$(cat server.err)"
export QUIZ_KERNEL_ORG_URL=http://127.0.0.1:$(cat port)/pub/linux/kernel

# --- git: mainline (v6.1, v6.2-rc1) and linux-next (next-20261204) ---
mkdir -p src/linux src/next srv
(
	cd src/linux && git init -qb master && makefile . 6 1 0 '' && git add -A && git commit -qm 6.1 &&
		git tag -am v6.1 v6.1 && makefile . 6 2 0 -rc1 && git add -A && git commit -qm 6.2-rc1 &&
		git tag -am v6.2-rc1 v6.2-rc1
	cd ../next && git init -qb master && makefile . 6 2 0 -rc1 && echo -next-20261204 >localversion-next &&
		git add -A && git commit -qm next && git tag -am next-20261204 next-20261204
) >setup.log 2>&1
git clone -q --bare src/linux srv/mainline.git && git clone -q --bare src/next srv/next.git
gport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --listen=127.0.0.1 --port="$gport" --export-all --base-path="$scratch/srv" --reuseaddr \
	--detach --pid-file="$scratch/daemon.pid"
stop_servers() {
	[ ! -f "$scratch/daemon.pid" ] || kill "$(cat "$scratch/daemon.pid")" 2>/dev/null
	rm -f "$scratch/daemon.pid"
	kill "$server" 2>/dev/null
}
trap 'stop_servers; cleanup_scratch' EXIT
export QUIZ_GIT_MAINLINE=git://127.0.0.1:$gport/mainline.git QUIZ_GIT_NEXT=git://127.0.0.1:$gport/next.git
wait_for 10 git ls-remote "$QUIZ_GIT_MAINLINE" >/dev/null
ok $? "a git daemon on 127.0.0.1 with mainline and linux-next" "$(tail setup.log)"

# --- what can be built ---
out=$("$QK" list --available 2>list.err)
is "$?" 0 "list --available succeeds" "$(cat list.err)"
is "$out" "$(printf '6.2-rc1\tgit mainline\n6.1.192\tkernel.org\n6.1\tkernel.org\nnext-20261204\tgit linux-next\nmainline-%s\tgit mainline' \
	"$(git -C src/linux rev-parse --short=12 HEAD)")" \
	"every version once, newest first, each from the first source that has it (6.1: kernel.org before git)"

# --- builds by word ---
"$QK" build --no-btf --no-debug -j1 6.1 >b61.out 2>b61.err
is "$?" 0 "build 6.1 succeeds" "$(tail -n 5 b61.err)"
contains b61.err '^quiz-kernel: 6\.1: 6\.1\.192 from kernel\.org$' "6.1 is its newest release, 6.1.192, from kernel.org"
test -f "$kernels/6.1.192/bzImage"
ok $? "and 6.1.192 is built"
"$QK" build --no-btf --no-debug -j1 6.2.0-rc1 >rc.out 2>rc.err
is "$?" 0 "build 6.2.0-rc1 succeeds" "$(tail -n 5 rc.err)"
contains rc.err '^quiz-kernel: 6\.2\.0-rc1: 6\.2-rc1 from git mainline$' "from git's tag v6.2-rc1"
"$QK" build --no-btf --no-debug -j1 next >next.out 2>next.err
is "$?" 0 "build next succeeds" "$(tail -n 5 next.err)"
contains next.err '^quiz-kernel: next: next-20261204 from git linux-next$' "the newest next tag"
is "$(ls "$kernels" | sort | paste -sd' ')" "6.1.1 6.1.192 6.2.0-rc1 6.2.0-rc1-next-20261204" \
	"the kernels are named as kbuild names them"
for pick in 6.1:6.1.192 6.2-rc1:6.2.0-rc1 6.2.0-rc1:6.2.0-rc1 next:6.2.0-rc1-next-20261204 \
	next-20261204:6.2.0-rc1-next-20261204; do
	"$QUIZ" -k "${pick%%:*}" --dry-run true >pick.out 2>&1
	contains pick.out "/kernels/x86_64/\.store/${pick#*:}-[0-9a-f]{16}-[0-9]+/" "quiz -k ${pick%%:*} boots ${pick#*:}"
done

# --- a second build downloads nothing; offline, each source says so in one line ---
: >requests
stop_servers
"$QK" build --no-btf --no-debug -j1 6.1.192 >again.out 2>again.err
is "$?" 0 "build 6.1.192 again with both servers gone succeeds" "$(cat again.err)"
contains again.out 'is up to date' "it is up to date"
is "$(cat requests)" "" "nothing was asked of kernel.org"
"$QK" build --no-btf --no-debug -j1 6.2-rc1 >again2.out 2>again2.err
is "$?" 0 "so does 6.2-rc1, from git's cache" "$(cat again2.err)"
"$QK" list --available >off.out 2>off.err
is "$?" 0 "offline, list --available answers from kernel.org's list of the last hour" "$(cat off.err)"
contains off.out '^6\.1\.192	kernel\.org$' "with its versions"
is "$(cat off.err)" "$(grep -m1 '^quiz-kernel: git' off.err)" "and one line for git, unreachable" "$(cat off.err)"
contains off.err '127\.0\.0\.1' "naming the remote"
"$QK" build --no-btf --no-debug -j1 6.3 >off2.out 2>off2.err
is "$?" 1 "a build of a version nobody could be asked for fails" "$(cat off2.err)"
find "$QUIZ_HOME/sources" -name '*.partial' >partials
is "$(cat partials)" "" "no partial download left"
done_testing
