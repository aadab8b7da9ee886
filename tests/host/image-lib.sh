# SPDX-License-Identifier: MIT
# Shared by the image-* host tests: quiz-image build with stand-ins for mmdebstrap, genext2fs,
# e2fsck and debugfs (no bootstrap, no root), a small root tree the fake mmdebstrap packs.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$scratch" || exit 1
unset QUIZ_IMAGE QUIZ_IMAGE_DIR
export LC_ALL=C
image_tool=$source_root/tools/quiz-image
debarch=$(dpkg --print-architecture)
images=$QUIZ_HOME/images
image=$images/bookworm-$debarch.ext2
add_file=$images/bookworm-$debarch.add
fakes=$scratch/fakes
calls=$scratch/mmdebstrap.calls # one line per fake mmdebstrap run: its --include's packages
mkdir -p "$fakes"
: >"$calls"

# mmdebstrap: notes its packages; a package named missing-* is one apt cannot find; else it
# packs the tree in $FAKE_ROOT into its tarball argument (the one named root.tar).
cat >"$fakes/mmdebstrap" <<'EOF'
#!/bin/bash
tarball= include=
for a; do
	case $a in
	--include=*) include=${a#--include=} ;;
	*/root.tar) tarball=$a ;;
	esac
done
tr , ' ' <<<"$include" >>"$FAKE_CALLS"
echo "I: running apt-get update..."
for p in ${include//,/ }; do
	case $p in missing-*)
		echo "E: Unable to locate package $p"
		echo "E: mmdebstrap failed to run"
		exit 1 ;;
	esac
done
echo "I: creating tarball..."
tar -C "$FAKE_ROOT" -cf "$tarball" .
EOF
# genext2fs: the image is the tar's listing and a stamp (each build makes another file).
cat >"$fakes/genext2fs" <<'EOF'
#!/bin/bash
args=("$@")
tar=${args[$(($# - 2))]} img=${args[$(($# - 1))]}
{ tar -tf "$tar"; date +%s%N; } >"$img"
EOF
printf '#!/bin/sh\nexit 0\n' >"$fakes/e2fsck"
printf '#!/bin/sh\nexit 0\n' >"$fakes/debugfs"
# As a user a build needs subordinate ids (mmdebstrap's unshare mode); as "root" it needs nothing.
printf '#!/bin/sh\n[ "$1" = -u ] && [ $# = 1 ] && { echo 0; exit 0; }\nexec /usr/bin/id "$@"\n' >"$fakes/id"
chmod 0755 "$fakes"/*
export PATH=$fakes:$PATH FAKE_CALLS=$calls FAKE_ROOT=$scratch/root

# The tree: dpkg's status (installed, removed and odd packages) and libraries where the loader
# looks (usr/lib, its triplet folder, a folder ld.so.conf.d names) and where it does not.
mkdir -p root/var/lib/dpkg root/usr/lib/x86_64-linux-gnu root/etc/ld.so.conf.d root/opt/vendor/lib \
	root/usr/share/doc/libz1 root/usr/lib/x86_64-linux-gnu/libnot.so.2
cat >root/var/lib/dpkg/status <<'EOF'
Package: zlib1g
Status: install ok installed
Priority: required
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime
 Package: not-a-package
 .
 More words.

Package: libc6
Status: install ok installed
Version: 2.36-9+deb12u4

Package: removed-one
Status: deinstall ok config-files
Version: 1.0-1

Package: odd$name
Status: install ok installed
Version: 1.0

Package: libodd-version1
Status: install ok installed
Version: 1.0 rm -rf

Package: liburing2
Status: install ok installed
Version: 2.3-3
EOF
for f in usr/lib/x86_64-linux-gnu/libc.so.6 usr/lib/x86_64-linux-gnu/libz.so.1.2.13 \
	usr/lib/x86_64-linux-gnu/liburing.so.2.3 usr/lib/libplain.so opt/vendor/lib/libvendor.so.7 \
	usr/share/doc/libz1/libdoc.so.1 usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 \
	"usr/lib/x86_64-linux-gnu/lib"$'\n'"evil.so.1" "usr/lib/x86_64-linux-gnu/lib evil.so"; do
	echo lib >"root/$f"
done
ln -s libz.so.1.2.13 root/usr/lib/x86_64-linux-gnu/libz.so.1
ln -s liburing.so.2.3 root/usr/lib/x86_64-linux-gnu/liburing.so.2
printf '# vendor\n/opt/vendor/lib/\n/../etc\n' >root/etc/ld.so.conf.d/vendor.conf

# Files of the images folder but the lock's: what a build leaves there.
images_files() { ls -A "$images" 2>/dev/null | paste -sd' '; }
# How many times the fake mmdebstrap ran; the packages of its last run, one a line.
bootstraps() { grep -c . "$calls" || true; }
last_include() { tail -n 1 "$calls" | tr ' ' '\n' | sed '/^$/d'; }
field() { sed -n "s/^$1=//p" "$image.info"; } # a field of the image's sidecar
