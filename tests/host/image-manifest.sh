#!/bin/bash
# SPDX-License-Identifier: MIT
# An image's manifest (issue 31): its packages and library names from the build's tar, exactly;
# quiz-image info and info --manifest; quiz-image libs runs quiz-libs on it.
. "$(dirname "$0")/image-lib.sh"

"$image_tool" build >build.out 2>build.err
is "$?" 0 "a build with the stand-ins" "$(cat build.err)"
manifest=$image.manifest
built=$(field built)

# Installed packages only, odd names and versions left out; libraries of the loader's folders
# (usr/lib, its triplet folder, what ld.so.conf.d names), files and links, names only.
cat >want <<EOF
# quiz image manifest: bookworm $debarch, built $built
package libc6 2.36-9+deb12u4
package liburing2 2.3-3
package zlib1g 1:1.2.13.dfsg-1
lib ld-linux-x86-64.so.2
lib libc.so.6
lib libplain.so
lib liburing.so.2
lib liburing.so.2.3
lib libvendor.so.7
lib libz.so.1
lib libz.so.1.2.13
EOF
cmp -s want "$manifest"
ok $? "the manifest, byte for byte" "$(diff want "$manifest")"
is "$(stat -c %a "$manifest")" 644 "it is 0644, as the image and its sidecar"
grep -q 'left out 2 package(s) with an odd name or version' "$QUIZ_HOME/logs/image-bookworm-$debarch.log" &&
	grep -q 'left out 2 library name(s) with odd characters' "$QUIZ_HOME/logs/image-bookworm-$debarch.log"
ok $? "the build log counts what was left out" "$(tail -n 5 "$QUIZ_HOME/logs/image-bookworm-$debarch.log")"

# info: the sidecar's fields, the path, the manifest's path and counts; --manifest adds it.
"$image_tool" info >info.out 2>info.err
is "$?|$(cat info.err)" "0|" "info exits 0, quietly"
{
	cat "$image.info"
	printf 'path=%s\nmanifest=%s\nmanifest_packages=3\nmanifest_libs=8\n' "$image" "$manifest"
} >want
cmp -s want info.out
ok $? "info: the fields, path=, manifest=, manifest_packages=, manifest_libs=" "$(diff want info.out)"
"$image_tool" info --manifest >info.out 2>info.err
cat "$manifest" >>want
cmp -s want info.out
ok $? "info --manifest: the same, then the manifest" "$(diff want info.out)"

# An image from before manifests: info says so and how to make one.
mv "$manifest" saved.manifest
"$image_tool" info >info.out 2>info.err
is "$?" 0 "info of an image without a manifest exits 0"
is "$(cat info.err)" "quiz-image: $image has no manifest (built before images had one); make one: quiz-image build --force --suite bookworm" \
	"saying so in one line, with the command that makes one"
is "$(grep -c '^manifest' info.out)" 0 "and prints no manifest field"
"$image_tool" info --manifest >/dev/null 2>info.err
is "$?|$(cat info.err)" "1|quiz-image: $image has no manifest (built before images had one); make one: quiz-image build --force --suite bookworm" \
	"info --manifest then fails, with that line"

# libs: quiz-libs (a stand-in that prints its argv) on the image's manifest and arch.
cat >fake-quiz-libs <<'EOF'
#!/bin/sh
for a; do printf '[%s]\n' "$a"; done
exit 1
EOF
chmod 0755 fake-quiz-libs
export QUIZ_LIBS_BIN=$scratch/fake-quiz-libs
"$image_tool" libs ./build 'a b' >libs.out 2>libs.err
is "$?|$(cat libs.err)" "2|quiz-image: $image has no manifest (built before images had one); make one: quiz-image build --force --suite bookworm" \
	"libs without a manifest: exit 2 and how to make one"
mv saved.manifest "$manifest"
"$image_tool" libs ./build 'a b' -x.so >libs.out 2>libs.err
is "$?|$(cat libs.err)" "2|quiz-image: unknown option '-x.so'; see: quiz-image libs --help" "libs refuses an unknown option (exit 2)"
"$image_tool" libs ./build 'a b' -- -x.so >libs.out 2>libs.err
is "$?" 1 "libs exits with quiz-libs' status"
is "$(cat libs.out)" "$(printf '[%s]\n' --manifest "$manifest" --arch "$(uname -m)" -- ./build 'a b' -x.so)" \
	"libs runs quiz-libs --manifest IMAGE.manifest --arch ARCH -- PATH..., each word as given"
"$image_tool" libs >libs.out 2>libs.err
is "$?|$(cat libs.err)" "2|quiz-image: libs needs a file or folder to look at (e.g. quiz-image libs ./build)" \
	"libs without a path: exit 2, one line"
QUIZ_LIBS_BIN=$scratch/nothing-here "$image_tool" libs ./build >libs.out 2>libs.err
is "$?|$(cat libs.err)" "2|quiz-image: QUIZ_LIBS_BIN=$scratch/nothing-here: not an executable file" \
	"a QUIZ_LIBS_BIN that is no program: exit 2, one line"
"$image_tool" libs --suite trixie ./build >libs.out 2>libs.err
is "$?|$(cat libs.err)" "2|quiz-image: no $(uname -m) image for trixie; run: quiz-image build --suite trixie" \
	"libs without an image: exit 2 and the build command"

# A failed build keeps the manifest of the image it keeps, and leaves no temporary one.
sum=$(sha256sum <"$manifest")
"$image_tool" build --force --add missing-thing >build.out 2>build.err
is "$?" 1 "a failed build"
is "$(sha256sum <"$manifest")" "$sum" "leaves the manifest as it was"
is "$(images_files)" "bookworm-$debarch.ext2 bookworm-$debarch.ext2.info bookworm-$debarch.ext2.manifest" \
	"and no temporary file"

done_testing
