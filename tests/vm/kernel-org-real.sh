#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel.org path with a real kernel (issue 29; suite vm-extra: a full lean build, about 8
# minutes): Debian's linux-source-6.1 tarball served under kernel.org's layout and name
# (v6.x/linux-6.1.N.tar.xz, N its package's version) with a sha256sums.asc signed by a key made
# here, on 127.0.0.1; quiz-kernel build 6.1 in a cache of its own (so the CI kernels stay)
# resolves 6.1.N from kernel.org's list alone, downloads and checks it, builds it and boots it;
# a second build asks the server nothing.
. "$(dirname "$0")/lib.sh"
need_vm
QK=$(dirname "$QUIZ")/quiz-kernel
source_root=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
version=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null | sed -E 's/^(6\.1\.[0-9]+).*/\1/')
if [ ! -f "$tarball" ] || [[ ! $version =~ ^6\.1\.[0-9]+$ ]]; then
	echo "1..0 # SKIP linux-source-6.1 is not installed"
	exit 0
fi
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
cd "$scratch" || exit 1
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1 QUIZ_KERNEL_SOURCES=kernel.org

# A cache of its own that boots the shared cache's images.
export QUIZ_HOME=$scratch/home
mkdir -p "$QUIZ_HOME"
ln -s "$home/images" "$QUIZ_HOME/images"

export GNUPGHOME=$scratch/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key "signer <signer@quiz.invalid>" ed25519 sign never 2>/dev/null
gpg --batch --export signer@quiz.invalid >keyring.gpg
export QUIZ_KERNEL_KEYRING=$scratch/keyring.gpg
www=$scratch/www/pub/linux/kernel
mkdir -p "$www/v6.x"
ln "$tarball" "$www/v6.x/linux-$version.tar.xz" 2>/dev/null || cp "$tarball" "$www/v6.x/linux-$version.tar.xz"
(cd "$www/v6.x" && sha256sum "linux-$version.tar.xz" >sums &&
	gpg --batch --local-user signer@quiz.invalid --clearsign -o sha256sums.asc sums 2>/dev/null && rm sums)
printf '<a href="v6.x/">v6.x/</a>\n' >"$www/index.html"
mkdir -p ctl
python3 "$source_root/tests/host/kernel-org-server.py" "$scratch/www" "$scratch/requests" "$scratch/ctl" \
	"$scratch/port" 2>server.err &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
export QUIZ_KERNEL_ORG_URL=http://127.0.0.1:$(cat port)/pub/linux/kernel

"$QK" build --no-debug --no-btf --no-storage 6.1 >build.out 2>build.err
is "$?" 0 "quiz-kernel build 6.1 from the stand-in kernel.org succeeds" "$(tail -n 5 build.err)"
contains build.err "^quiz-kernel: 6\\.1: ${version//./\\.} from kernel\\.org\$" "6.1 is $version, from kernel.org's signed list"
lacks build.err 'signature not checked' "its list's signature was checked (QUIZ_KERNEL_KEYRING)"
cmp -s "$tarball" "$QUIZ_HOME/sources/kernel.org/linux-$version.tar.xz"
ok $? "the downloaded tarball is the served one, byte for byte"
"$QUIZ" -k 6.1 -r raw sh -c 'uname -r; exit 3' </dev/null >out 2>err
is "$?" 3 "it boots: the program's exit status" "$(cat err)"
is "$(cat out)" "$version" "uname -r: $version"
: >requests
"$QK" build --no-debug --no-btf --no-storage "$version" >again.out 2>again.err
is "$?" 0 "building $version again succeeds" "$(cat again.err)"
contains again.out 'is up to date' "and is up to date"
is "$(cat requests)" "" "without asking the server anything"
done_testing
