#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-kernel-debian, kernel sources from Debian's archive, against a Debian repository served on
# 127.0.0.1 and signed with a key made here: its mirror taken from apt's sources, versions as
# quiz's words newest first, a fetch whose bytes are the packed tarball, no second download,
# signatures and hashes checked by apt, one line when it cannot be reached, as an ordinary user.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
QKD=${QUIZ_KERNEL_DEBIAN:-$source_root/tools/quiz-kernel-debian}
for tool in apt-get apt-cache apt-config dpkg-deb gpg gpgv flock xz python3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
# The repository is on the loopback address: no proxy between.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
lines() { grep -c . "$1"; }

# --- the keys, the packages and the repository (dists/SUITE, pool/) ---
export GNUPGHOME=$scratch/gnupg
mkdir -m 700 "$GNUPGHOME" keys
for k in a b; do
	gpg --batch --quiet --passphrase '' --quick-gen-key "quiz test $k <$k@test.invalid>" ed25519 sign never &&
		gpg --batch --export "$k@test.invalid" >"keys/$k.gpg"
done
repo=$scratch/repo/debian
pool=pool/main/l/linux
mkdir -p "$repo/$pool" packed
deb() { # deb X.Y DEBVERSION: linux-source-X.Y holding a fake tree; its tarball kept in packed/
	local d=pkg/$1_$2
	mkdir -p "$d/DEBIAN" "$d/usr/src" "tree/$2/linux-source-$1"
	printf 'all:\n\t@echo %s\n' "$2" >"tree/$2/linux-source-$1/Makefile"
	tar -C "tree/$2" -cJf "packed/linux-source-$1_$2.tar.xz" "linux-source-$1"
	cp "packed/linux-source-$1_$2.tar.xz" "$d/usr/src/linux-source-$1.tar.xz"
	printf 'Package: linux-source-%s\nVersion: %s\nArchitecture: all\nMaintainer: quiz <q@test.invalid>\nDescription: fake\n' \
		"$1" "$2" >"$d/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$d" "$repo/$pool/linux-source-$1_$2_all.deb" >/dev/null
}
suite() { # suite NAME X.Y DEBVERSION...: its Packages, Release and InRelease signed by key a
	local dir=$repo/dists/$1 f
	mkdir -p "$dir/main/binary-amd64"
	shift
	while [ $# -gt 0 ]; do
		f=$pool/linux-source-$1_$2_all.deb
		printf 'Package: linux-source-%s\nVersion: %s\nArchitecture: all\nMaintainer: quiz <q@test.invalid>\nFilename: %s\nSize: %s\nSHA256: %s\nDescription: fake\n\n' \
			"$1" "$2" "$f" "$(stat -c %s "$repo/$f")" "$(sha256sum <"$repo/$f" | cut -d' ' -f1)"
		shift 2
	done >"$dir/main/binary-amd64/Packages"
	f=$dir/main/binary-amd64/Packages
	{
		printf 'Origin: quiz test\nSuite: %s\nCodename: %s\nDate: %s\nArchitectures: amd64\nComponents: main\nSHA256:\n' \
			"${dir##*/}" "${dir##*/}" "$(LC_ALL=C date -u -R)"
		printf ' %s %s main/binary-amd64/Packages\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(stat -c %s "$f")"
	} >"$dir/Release"
	gpg --batch --yes --quiet --local-user a@test.invalid --clearsign -o "$dir/InRelease" "$dir/Release"
}
deb 9.9 9.9.2-1 && deb 9.9 9.9-1 && deb 9.8 9.8.5-1 && deb 9.8 9.8.5-1~bpo+1 && deb 9.10 9.10~rc3-1~exp1 &&
	suite sid 9.9 9.9.2-1 9.9 9.9-1 9.8 9.8.5-1 &&
	suite experimental 9.10 9.10~rc3-1~exp1 9.8 9.8.5-1~bpo+1
ok $? "a signed repository with suites sid and experimental"
gpgconf --kill gpg-agent 2>/dev/null

serve_dir "$scratch/repo"
uri=http://127.0.0.1:$port/debian
deb_requests() { grep -c '"GET /debian/pool/.*\.deb ' server.log; }

# --- apt's sources, as apt finds them (APT_CONFIG): Debian's mirror among others ---
mkdir -p etc/sources.list.d etc/apt.conf.d
cat >apt.conf <<EOF
Dir::Etc::sourcelist "$scratch/etc/sources.list";
Dir::Etc::sourceparts "$scratch/etc/sources.list.d";
Dir::Etc::parts "$scratch/etc/apt.conf.d";
Acquire::Retries "0";
EOF
export APT_CONFIG=$scratch/apt.conf
debian_keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat >etc/sources.list <<EOF
# one-line entries
deb [arch=amd64 signed-by=$debian_keyring] $uri/ sid main
deb http://127.0.0.1:$port/other sid main
deb-src [signed-by=$debian_keyring] http://127.0.0.1:$port/debsrc sid main
EOF
cat >etc/sources.list.d/debian.sources <<EOF
Types: deb
URIs: $uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: $debian_keyring

Types: deb
URIs: http://127.0.0.1:$port/debian-security
Suites: bookworm-security
Components: main
Signed-By: $debian_keyring

Types: deb
URIs: http://127.0.0.1:$port/disabled
Suites: sid
Components: main
Enabled: no
Signed-By: $debian_keyring
EOF
printf 'Types: deb\nURIs: http://127.0.0.1:%s/vendor\nSuites: nodistro\nComponents: main\nSigned-By: /usr/share/keyrings/vendor.gpg\n' \
	"$port" >etc/sources.list.d/vendor.sources
echo "deb https://127.0.0.1:$port/cloud cloud-sdk main" >etc/sources.list.d/cloud.list
export QUIZ_DEBIAN_KEYRING=$scratch/keys/a.gpg
cache=$QUIZ_HOME/sources/debian

# --- list: every version, newest first, from the default suites (three of five are not there) ---
"$QKD" list >list.out 2>list.err
is "$?" 0 "list exits 0 (bookworm, bookworm-backports and trixie are not on this mirror)" "$(cat list.err)"
is "$(cat list.out)" "9.10-rc3	debian experimental (linux-source-9.10 9.10~rc3-1~exp1)
9.9.2	debian sid (linux-source-9.9 9.9.2-1)
9.9	debian sid (linux-source-9.9 9.9-1)
9.8.5	debian sid (linux-source-9.8 9.8.5-1)" \
	"list: quiz's words, newest first; 9.8.5 from the newest of its Debian versions"
is "$(cat list.err)" "" "and says nothing else"
is "$(grep '^URIs:' "$cache/apt/etc/sources.list.d/quiz.sources")" "URIs: $uri" \
	"the mirror is Debian's from apt's sources, once (one-line and deb822 entries)"
lacks server.log '"GET /(other|debsrc|debian-security|disabled|vendor|cloud)' \
	"no request to a third party, a security, source or disabled entry"
# archive: the same mirror and the keyring, for another private apt state (quiz-image's
# static userland, from Debian's busybox and tini sources).
"$QKD" archive >archive.out 2>archive.err
is "$?|$(cat archive.out)|$(cat archive.err)" "0|uri $uri
keyring $QUIZ_DEBIAN_KEYRING|" "archive: the mirror of apt's sources and the keyring, one line each"
"$QKD" list 9.9 >list99.out 2>&1
is "$?:$(cut -f1 list99.out | paste -sd' ')" "0:9.9.2 9.9" "list 9.9: that series only"
"$QKD" list next >next.out 2>&1
is "$?:$(cat next.out)" "0:" "list next: nothing (Debian packages no linux-next), exit 0"
"$QKD" list 9 >bad.out 2>&1
is "$?:$(lines bad.out)" "1:1" "list 9: exit 1, one line" "$(cat bad.out)"

# --- fetch: the tarball, once ---
before=$(requests)
path=$("$QKD" fetch 9.9.2 2>fetch.err)
is "$?" 0 "fetch 9.9.2 exits 0" "$(cat fetch.err)"
is "$path" "$cache/linux-source-9.9_9.9.2-1.tar.xz" "it prints the tarball's path in the cache"
cmp -s "$path" packed/linux-source-9.9_9.9.2-1.tar.xz
ok $? "whose bytes are the packed tarball"
is "$(cat fetch.err)" "quiz-kernel: downloading $uri/$pool/linux-source-9.9_9.9.2-1_all.deb" \
	"stderr: one line, the download's URL (no apt warning)"
is "$(($(requests) - before))" 1 "one request: the .deb (the lists were fresh)"
is "$(stat -c %a "$path")" 600 "the tarball is private (0600)"
before=$(requests)
path2=$("$QKD" fetch 9.9.2 2>fetch2.err)
is "$?:$path2:$(cat fetch2.err)" "0:$path:" "a second fetch prints the same path, silently"
is "$(($(requests) - before))" 0 "and makes no request"

# Lists older than 6 hours: a cached tarball still needs none; a new one refreshes them first.
touch -d '7 hours ago' "$cache/apt/updated"
before=$(requests)
"$QKD" fetch 9.9.2 >/dev/null 2>&1
is "$(($(requests) - before))" 0 "stale lists: a cached tarball is fetched with no request"
path=$("$QKD" fetch 9.10-rc3 2>rc.err)
is "$?" 0 "fetch 9.10-rc3 (experimental) exits 0" "$(cat rc.err)"
cmp -s "$path" "packed/linux-source-9.10_9.10~rc3-1~exp1.tar.xz"
ok $? "its bytes are the packed tarball of 9.10~rc3-1~exp1" "$path"
contains server.log '"GET /debian/dists/sid/InRelease' "stale lists were refreshed before it"

# Two fetches at once: one download, both paths.
before=$(deb_requests)
"$QKD" fetch 9.9 >c1.out 2>&1 &
c1=$!
"$QKD" fetch 9.9 >c2.out 2>&1
wait "$c1"
is "$?:$(cat c2.out | tail -n1)" "0:$cache/linux-source-9.9_9.9-1.tar.xz" "two fetches of 9.9 at once both succeed"
is "$(($(deb_requests) - before))" 1 "with one download between them"

# On a terminal: apt's progress, in bytes and percent, on stderr; the path alone on stdout.
if command -v script >/dev/null; then
	QUIZ_HOME=$scratch/tty script -qec "$QKD fetch 9.9.2 2>/dev/tty >$scratch/tty.out" /dev/null >tty.log 2>&1
	is "$?:$(cat tty.out)" "0:$scratch/tty/sources/debian/linux-source-9.9_9.9.2-1.tar.xz" \
		"on a terminal, fetch prints the path alone on stdout" "$(cat tty.log)"
	# apt's percent line ("0% [Working]", "45% [1 linux-source-9.9 500 B/968 B 52%]"): the
	# bytes come only when a pulse falls within the download, which a 968-byte file on the
	# loopback seldom lasts (CI failed on it once).
	contains tty.log '[0-9]+% \[' "and shows apt's progress on stderr"
else
	echo "ok $((tap_n += 1)) - # SKIP on a terminal: script (util-linux) is not installed"
	echo "ok $((tap_n += 1)) - # SKIP (the same)"
fi

"$QKD" fetch 9.9.7 >absent.out 2>&1
is "$?:$(lines absent.out)" "1:1" "fetch 9.9.7 (not in the archive): exit 1, one line" "$(cat absent.out)"
contains absent.out '^quiz-kernel: debian: no linux-source-9.9 9.9.7 in ' "which says what is missing"
"$QKD" fetch next-20261204 >next.out 2>&1
is "$?:$(lines next.out)" "1:1" "fetch next-20261204: exit 1, one line" "$(cat next.out)"

# apt checks the .deb against the signed lists: one with other bytes is refused, nothing kept.
printf 'not the package' | dd of="$repo/$pool/linux-source-9.8_9.8.5-1_all.deb" bs=1 seek=100 conv=notrunc 2>/dev/null
"$QKD" fetch 9.8.5 >tampered.out 2>tampered.err
is "$?:$(lines tampered.err)" "1:2" "a .deb whose hash differs from the signed lists: exit 1" "$(cat tampered.err)"
contains tampered.err '^quiz-kernel: debian: apt-get download linux-source-9.8=9.8.5-1: .*[Hh]ash' \
	"one line after the download's, saying the hash did not match"
is "$(find "$cache" -name 'linux-source-9.8*')" "" "and nothing of it is in the cache"
is "$(find "$cache" \( -name 'tmp.*' -o -name '*.partial' -o -name '*.deb' \) -print)" "" \
	"no temporary file is left in the cache"

# --- a mirror signed by another key: apt refuses it, one line, nothing cached ---
QUIZ_HOME=$scratch/other-key QUIZ_DEBIAN_KEYRING=$scratch/keys/b.gpg "$QKD" list >wrongkey.out 2>wrongkey.err
is "$?:$(cat wrongkey.out):$(lines wrongkey.err)" "1::1" "signed by a key not in the keyring: list exits 1, one line" \
	"$(cat wrongkey.err)"
contains wrongkey.err "^quiz-kernel: debian: apt-get update: .*(NO_PUBKEY|not signed).*keys/b\.gpg" \
	"which says the archive did not verify, with which keyring"
# (apt's index of the lists, pkgcache.bin, indexes none)
is "$(find "$scratch/other-key" -type f ! -name .lock ! -name quiz.conf ! -name quiz.sources ! -name pkgcache.bin)" "" \
	"nothing of that mirror is cached (no lists, no tarball, no temporary file)"

# --- a mirror that does not answer, and no mirror at all ---
dead=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
QUIZ_HOME=$scratch/dead QUIZ_DEBIAN_URIS=http://127.0.0.1:$dead/debian "$QKD" list >dead.out 2>dead.err
is "$?:$(cat dead.out):$(lines dead.err)" "1::1" "an unreachable mirror: list exits 1, one line" "$(cat dead.err)"
contains dead.err "^quiz-kernel: debian: apt-get update: .*127\.0\.0\.1.*QUIZ_DEBIAN_URIS" \
	"naming the source, the mirror and the fix"
QUIZ_HOME=$scratch/dead QUIZ_DEBIAN_URIS=http://127.0.0.1:$dead/debian "$QKD" fetch 9.9.2 >dead2.out 2>&1
is "$?:$(lines dead2.out)" "1:1" "fetch from it: exit 1, one line" "$(cat dead2.out)"
is "$(find "$scratch/dead" -name '*.tar.xz*' -o -name 'tmp.*')" "" "and nothing half-made is left"
path=$(QUIZ_DEBIAN_URIS=http://127.0.0.1:$dead/debian "$QKD" fetch 9.9.2 2>&1)
is "$?:$path" "0:$cache/linux-source-9.9_9.9.2-1.tar.xz" "a cached tarball is fetched while the mirror is away"
mkdir empty
cat >apt-none.conf <<EOF
Dir::Etc::sourcelist "$scratch/empty/sources.list";
Dir::Etc::sourceparts "$scratch/empty";
Dir::Etc::parts "$scratch/empty";
EOF
APT_CONFIG=$scratch/apt-none.conf "$QKD" list >none.out 2>&1
is "$?:$(lines none.out)" "1:1" "no Debian mirror among apt's sources: exit 1, one line" "$(cat none.out)"
contains none.out "no Debian mirror among apt's sources .*QUIZ_DEBIAN_URIS" "which says so, and the fix"

# --- as an ordinary user ---
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir user && chown nobody user && chmod 711 "$scratch" && chmod -R go+rX keys etc apt.conf
	runuser -u nobody -- env HOME=/nonexistent TMPDIR="$scratch/user" QUIZ_HOME="$scratch/user/home" \
		"$QKD" list 9.9 >user-list.out 2>user-list.err
	is "$?:$(cut -f1 user-list.out | paste -sd' '):$(cat user-list.err)" "0:9.9.2 9.9:" \
		"as nobody (not root): list 9.9 answers, silently" "$(cat user-list.err)"
	path=$(runuser -u nobody -- env HOME=/nonexistent TMPDIR="$scratch/user" QUIZ_HOME="$scratch/user/home" \
		"$QKD" fetch 9.9.2 2>user-fetch.err)
	is "$?:$path" "0:$scratch/user/home/sources/debian/linux-source-9.9_9.9.2-1.tar.xz" \
		"as nobody: fetch 9.9.2 prints the path in its cache" "$(cat user-fetch.err)"
	cmp -s "$path" packed/linux-source-9.9_9.9.2-1.tar.xz
	ok $? "with the packed tarball's bytes"
	is "$(stat -c %U:%a "$path")" nobody:600 "owned by nobody, private"
	is "$(lines user-fetch.err)" 1 "and one line on stderr (the download's)" "$(cat user-fetch.err)"
else
	echo "ok $((tap_n += 1)) - # SKIP as nobody: this test runs as uid $(id -u), an ordinary user, already"
fi
kill "$server" && wait "$server" 2>/dev/null
done_testing
