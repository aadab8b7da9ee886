#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz-image build -s static (ppc64's image: tools/quiz-image-static), for this host's
# architecture and against a signed Debian source repository on 127.0.0.1 whose busybox and tini
# are small stand-ins: the image's tree (usr-merged, applet links, quiz-init as /sbin/init, tini,
# root's files, /dev's nodes, all root's), its sidecars, a second build that compiles and fetches
# nothing, refresh-init1, one line for bad input, and nothing changed or left by a failed build.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
unset QUIZ_IMAGE QUIZ_IMAGE_DIR QUIZ_BUILD_PREFIX
export LC_ALL=C
for tool in apt-get dpkg-source dpkg-scansources gpg gpgv python3 genext2fs debugfs e2fsck gcc make readelf; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
gcc -print-file-name=libc.a | grep -q / || { echo "1..0 # SKIP gcc has no libc.a to link static with"; exit 0; }
init=${QUIZ_BUILD_ROOT:?}/guest-init/quiz-init
[ -f "$init" ] || { echo "1..0 # SKIP no $init (build quiz first)"; exit 0; }
readelf -lW "$init" | grep -q 'program interpreter' && { echo "1..0 # SKIP $init is not static"; exit 0; }
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY
export no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
image_tool=$source_root/tools/quiz-image
debarch=$(dpkg --print-architecture)
arch=$(uname -m)
images=$QUIZ_HOME/images
image=$images/static-$debarch.ext2
bin=$QUIZ_HOME/userland/$arch
lines() { grep -c . "$1"; }
field() { sed -n "s/^$1=//p" "$image.info"; }

# --- the stand-ins: a busybox whose Makefile knows defconfig, oldconfig, busybox and
# busybox.links, and a tini with CMakeLists.txt's version and src/tini.c ---
native() { # native DIR NAME VERSION: DIR is a 3.0 (native) source package
	mkdir -p "$1/debian/source"
	echo '3.0 (native)' >"$1/debian/source/format"
	printf 'Source: %s\nMaintainer: quiz <q@test.invalid>\nStandards-Version: 4.6.2\n\nPackage: %s\nArchitecture: any\nDescription: stand-in\n' \
		"$2" "$2" >"$1/debian/control"
	printf '%s (%s) unstable; urgency=medium\n\n  * Stand-in.\n\n -- quiz <q@test.invalid>  Mon, 01 Jan 2024 00:00:00 +0000\n' \
		"$2" "$3" >"$1/debian/changelog"
}
mkdir -p src/busybox-9.9.9 src/tini-0.19.0/src
native src/busybox-9.9.9 busybox 1:9.9.9
cat >src/busybox-9.9.9/Makefile <<'EOF'
defconfig:
	printf '# CONFIG_STATIC is not set\nCONFIG_BASH_IS_NONE=y\nCONFIG_MODPROBE_SMALL=y\nCONFIG_INIT=y\nCONFIG_LINUXRC=y\n' >.config
oldconfig:
	test -f .config
busybox:
	test -z "$(FAKE_BUSYBOX_FAIL)"
	grep -qx CONFIG_STATIC=y .config
	$(CROSS_COMPILE)gcc -static -DEXTRA='"$(BB_EXTRA_VERSION)"' -o busybox fake.c
busybox.links:
	printf '/bin/sh\n/bin/bash\n/usr/bin/od\n/sbin/modprobe\n/usr/sbin/chroot\n/sbin/init\n/linuxrc\n' >busybox.links
EOF
printf '#include <stdio.h>\nint main(void) { puts("busybox " EXTRA); return 0; }\n' >src/busybox-9.9.9/fake.c
native src/tini-0.19.0 tini 0.19.0
printf 'project (tini C)\nset (tini_VERSION_MAJOR 0)\nset (tini_VERSION_MINOR 19)\nset (tini_VERSION_PATCH 0)\n' \
	>src/tini-0.19.0/CMakeLists.txt
printf '#include <stdio.h>\n#include "tiniConfig.h"\nint main(void) { puts("tini version " TINI_VERSION TINI_GIT); return 0; }\n' \
	>src/tini-0.19.0/src/tini.c

# --- the repository: pool/, dists/bookworm/main/source/Sources, InRelease signed by a key made here ---
export GNUPGHOME=$scratch/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "quiz test <t@test.invalid>" ed25519 sign never &&
	gpg --batch --export t@test.invalid >key.gpg
repo=$scratch/repo/debian
mkdir -p "$repo/pool/main/b/busybox" "$repo/pool/main/t/tini" "$repo/dists/bookworm/main/source"
(cd src && dpkg-source -b busybox-9.9.9 && dpkg-source -b tini-0.19.0) >dpkg-source.log 2>&1 &&
	mv src/busybox_9.9.9* "$repo/pool/main/b/busybox/" && mv src/tini_0.19.0* "$repo/pool/main/t/tini/"
ok $? "two source packages, busybox 1:9.9.9 and tini 0.19.0" "$(tail -n 5 dpkg-source.log)"
sign() {
	local d=$repo/dists/bookworm f=main/source/Sources
	(cd "$repo" && dpkg-scansources pool /dev/null) >"$d/$f" 2>/dev/null
	{
		printf 'Origin: quiz test\nSuite: bookworm\nCodename: bookworm\nDate: %s\nComponents: main\nSHA256:\n' \
			"$(date -u -R)"
		printf ' %s %s %s\n' "$(sha256sum <"$d/$f" | cut -d' ' -f1)" "$(stat -c %s "$d/$f")" "$f"
	} >"$d/Release"
	gpg --batch --yes --quiet --local-user t@test.invalid --clearsign -o "$d/InRelease" "$d/Release"
}
sign
ok $? "a signed bookworm with their Sources"
gpgconf --kill gpg-agent 2>/dev/null

serve_dir "$scratch/repo"
export QUIZ_DEBIAN_URIS=http://127.0.0.1:$port/debian QUIZ_DEBIAN_KEYRING=$scratch/key.gpg

# --- a build: the image, its tree, its sidecars ---
"$image_tool" build -s static --init1 "$init" >build.out 2>build.err
is "$?|$(cat build.out)" "0|$image" "build -s static exits 0 and prints the image's path" "$(tail -n 25 build.err)"
contains build.err "^quiz-image: $arch: a static userland: busybox 9\.9\.9, tini 0\.19\.0, quiz-init \(-s static\)$" \
	"stderr says which userland it made"
contains build.err "^quiz-image: built $image \([0-9]+ MiB, [0-9]+s\)$" "and that it built the image"
contains server.log '"GET /debian/pool/main/b/busybox/busybox_9\.9\.9\.dsc' "the sources came from the mirror"
e2fsck -fn "$image" >fsck.out 2>&1
ok $? "e2fsck finds the image clean" "$(tail -n 5 fsck.out)"
tree=$scratch/tree
mkdir "$tree" && debugfs -R "rdump / $tree" "$image" >/dev/null 2>&1
is "$(readlink "$tree/bin"):$(readlink "$tree/sbin"):$(readlink "$tree/lib")" "usr/bin:usr/sbin:usr/lib" \
	"usr-merged: bin, sbin and lib link into usr"
is "$(readlink "$tree/usr/bin/sh"):$(readlink "$tree/usr/bin/bash"):$(readlink "$tree/usr/bin/od"):$(readlink "$tree/usr/sbin/modprobe"):$(readlink "$tree/usr/sbin/chroot")" \
	"busybox:busybox:busybox:../bin/busybox:../bin/busybox" "each applet of busybox.links links to busybox, in usr/bin or usr/sbin"
cmp -s "$tree/usr/sbin/init" "$init"
ok $? "/sbin/init is quiz-init (busybox's init applet does not take its place)"
[ ! -e "$tree/linuxrc" ] && [ ! -L "$tree/linuxrc" ]
ok $? "and no /linuxrc"
is "$("$tree/usr/bin/busybox")|$("$tree/usr/bin/tini-static")|$(readlink "$tree/usr/bin/tini")" \
	"busybox Debian 1:9.9.9 for quiz|tini version 0.19.0|tini-static" \
	"busybox says its Debian version, tini-static its version from CMakeLists.txt (tiniConfig.h)"
is "$(head -n 1 "$tree/etc/passwd")|$(head -n 1 "$tree/etc/shadow")|$(cat "$tree/etc/hostname")" \
	"root:x:0:0:root:/root:/bin/sh|root::19000:0:99999:7:::|quiz" "root has no password; the hostname is quiz"
stat_of() { debugfs -R "stat $1" "$image" 2>/dev/null; }
stat_of /dev/console | grep -q 'Device major/minor number: 05:01' && stat_of /dev/null | grep -q 'Device major/minor number: 01:03'
ok $? "/dev/console and /dev/null are character nodes 5,1 and 1,3"
stat_of /usr/bin/busybox | grep -q 'User: *0 *Group: *0' && stat_of /etc/shadow | grep -q 'Mode: *0600' &&
	stat_of /tmp | grep -q 'Mode: *01777' && stat_of /usr/bin/busybox | grep -q 'Mode: *0755'
ok $? "files are root's; /etc/shadow is 0600, /tmp 1777, busybox 0755"
for d in $(grep -a -o 'quiz-layout: [a-z/ ]*' "$init" | head -n 1 | cut -d' ' -f2-) /usr/lib/modules /etc/quiz; do
	[ -d "$tree$d" ] || echo "$d"
done >missing.out
is "$(cat missing.out)" "" "the folders quiz-init mounts on, /lib/modules and /etc/quiz are there"
is "$(cat "$tree/etc/quiz/init1.sha256")" "$(sha256sum <"$init" | cut -d' ' -f1)" "/etc/quiz/init1.sha256 is quiz-init's"
is "$(field suite):$(field busybox):$(field tini):$(field init1_sha256):$(field builder)" \
	"static:1:9.9.9:0.19.0:$(sha256sum <"$init" | cut -d' ' -f1):static" "the sidecar: suite, versions, init1, builder"
is "$(grep -vc '^#' "$image.manifest")|$(head -n 1 "$image.manifest")" "0|# quiz image manifest: static $debarch, built $(field built)" \
	"the manifest: quiz-image-manifest's header, no package and no library"
"$image_tool" info -s static >info.out 2>&1
contains info.out '^manifest_packages=0$' "info: no package" && contains info.out '^manifest_libs=0$' "info: no library"
is "$("$image_tool" path -s static 2>&1)" "$image" "path -s static prints it"
is "$(find "$images" "$bin" -name '.*' | sort)" "" "no temporary file is left"

# --- again: up to date, nothing fetched; without the image: packed again, nothing compiled ---
before=$(requests)
"$image_tool" build -s static --init1 "$init" >again.out 2>&1
is "$?|$(cat again.out)|$(($(requests) - before))" "0|quiz-image: $image is up to date|0" \
	"a second build: up to date, one line, no request"
cp "$image" saved.ext2
built_info=$(cat "$bin/built.info")
rm -f "$image" "$image.info" "$image.manifest"
"$image_tool" build -s static --init1 "$init" >repack.out 2>repack.err
is "$?|$(cat repack.out)|$(($(requests) - before))" "0|$image|0" "the image removed: built again with no request" \
	"$(tail -n 5 repack.err)"
is "$(cat "$bin/built.info")" "$built_info" "and nothing compiled (the binaries' record is the same)"
cmp -s <(debugfs -R 'cat /usr/bin/busybox' "$image" 2>/dev/null) "$bin/busybox"
ok $? "its busybox is the cached one"

# --- refresh-init1: another quiz-init replaces /sbin/init through the /sbin link ---
cp "$init" init2 && printf 'x' >>init2
"$image_tool" refresh-init1 -s static --init1 init2 >refresh.out 2>&1
is "$?|$(cat refresh.out)" "0|" "refresh-init1 with another quiz-init exits 0, quietly"
cmp -s <(debugfs -R 'cat /usr/sbin/init' "$image" 2>/dev/null) init2 && e2fsck -fn "$image" >/dev/null 2>&1
ok $? "/usr/sbin/init is the new one, and the image is clean"
is "$(field init1_sha256)" "$(sha256sum <init2 | cut -d' ' -f1)" "the sidecar says so"
"$image_tool" build -s static --init1 "$init" >back.out 2>&1
is "$?|$(cat back.out)" "0|quiz-image: $image is up to date; /sbin/init replaced ($(sha256sum <"$init" | cut -c1-12))" \
	"build with the first one: up to date, /sbin/init replaced"

# --- bad input: one line ---
"$image_tool" build -s static -w debug >bad.out 2>&1
is "$?|$(lines bad.out)" "1|1" "build -s static -w debug: exit 1, one line" "$(cat bad.out)"
contains bad.out "^quiz-image: -w: the static $arch image has no packages" "which says it has no packages"
"$image_tool" build -s static --add liburing2 >bad.out 2>&1
is "$?|$(lines bad.out)" "1|1" "--add: exit 1, one line" "$(cat bad.out)"
"$image_tool" build -s static --init1 /etc/hostname >bad.out 2>&1
is "$?|$(lines bad.out)" "1|1" "--init1 of no quiz-init: exit 1, one line" "$(cat bad.out)"

# --- failed builds change nothing and leave nothing ---
cp "$image" saved.ext2
cp "$image.info" saved.info
FAKE_BUSYBOX_FAIL=1 "$image_tool" build -s static --init1 "$init" --force >fail.out 2>fail.err
is "$?|$(cat fail.out)" "1|" "a busybox that does not compile: exit 1" "$(tail -n 3 fail.err)"
contains fail.err "^quiz-image: build failed: compiling busybox 1:9\.9\.9 failed \(log: .*image-static-$debarch\.log\)$" \
	"the last line says what failed, and where the log is"
cmp -s "$image" saved.ext2 && cmp -s "$image.info" saved.info
ok $? "the image and its sidecar are unchanged"
is "$(cat "$bin/built.info")" "$built_info" "and so are the cached binaries"
is "$(find "$images" "$bin" -name '.*' | sort)" "" "no temporary file or build tree is left"
# apt checks what it fetches against the signed lists: other bytes are refused.
tarball=$(echo "$repo"/pool/main/b/busybox/busybox_9.9.9.tar.*)
printf 'other bytes' | dd of="$tarball" bs=1 seek=64 conv=notrunc 2>/dev/null
"$image_tool" build -s static --init1 "$init" --force >tamper.out 2>tamper.err
is "$?" 1 "a source whose hash differs from the signed lists: exit 1" "$(tail -n 3 tamper.err)"
contains tamper.err "^quiz-image: build failed: apt-get source busybox tini: .*([Hh]ash|[Ss]ize)" \
	"the last line says apt refused it"
cmp -s "$image" saved.ext2
ok $? "the image is unchanged"
is "$(find "$images" "$bin" -name '.*' | sort)" "" "and nothing is left"

kill "$server" && wait "$server" 2>/dev/null
done_testing
