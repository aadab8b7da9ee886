#!/bin/bash
# SPDX-License-Identifier: MIT
# Packages a user adds to the image (issue 31): --add is kept for later builds, --drop takes one
# out; bad names and failed builds change nothing. (A project's list: image-project.sh.)
. "$(dirname "$0")/image-lib.sh"

build() { "$image_tool" build "$@" >build.out 2>build.err; }

# A first image, with nothing added.
build
is "$?" 0 "a plain build works with the stand-ins" "$(cat build.err)"
is "$(field added)|$(field project_list)" "|" "its sidecar records no added package and no project list"
ok "$([ ! -e "$add_file" ]; echo $?)" "and no .add file is made"

# --add: the words up to the next option; the image is rebuilt with them and they are kept.
build --add liburing2 libfoo1 --with debug
is "$?" 0 "build --add liburing2 libfoo1 --with debug" "$(cat build.err)"
is "$(last_include | grep -cxE 'liburing2|libfoo1|strace')" 3 "mmdebstrap was asked for both, and the debug list"
is "$(cat "$add_file")" $'libfoo1\nliburing2' "the .add file lists them, sorted, one a line"
is "$(stat -c %a "$add_file")" 600 "the .add file is 0600"
is "$(field added)" "libfoo1,liburing2" "the sidecar records them (added=)"

# A later plain build (scripts/test's, quickstart's) keeps them.
n=$(bootstraps)
build --with debug
is "$(bootstraps)" "$n" "the same build again: up to date, no bootstrap" "$(cat build.out build.err)"
is "$(cat build.out)" "quiz-image: $image is up to date" "it says so"
build
is "$?" 0 "a plain build without --add (another package set: a rebuild)" "$(cat build.err)"
is "$(last_include | grep -cxE 'liburing2|libfoo1')" 2 "keeps the added packages"
is "$(last_include | grep -cx strace)" 0 "(and leaves the debug list out, as asked)"
is "$(cat "$add_file")" $'libfoo1\nliburing2' "the .add file is unchanged"

# --add=A,B and repeats; one already added changes nothing.
build --add=libbar1,libfoo1 --add libbaz1
is "$?" 0 "build --add=libbar1,libfoo1 --add libbaz1" "$(cat build.err)"
is "$(cat "$add_file" | paste -sd,)" "libbar1,libbaz1,libfoo1,liburing2" "adds libbar1 and libbaz1"

# --drop: out of the .add file and out of the next image.
build --drop libbar1 libbaz1
is "$?" 0 "build --drop libbar1 libbaz1" "$(cat build.err)"
is "$(cat "$add_file" | paste -sd,)" "libfoo1,liburing2" "the .add file lost them"
is "$(last_include | grep -cxE 'libbar1|libbaz1')" 0 "and the image was built without them"
is "$(field added)" "libfoo1,liburing2" "so says the sidecar"

# --drop of a package that was never added: one line naming what is there, nothing changed.
before=$(cd "$images" && sha256sum -- *)
n=$(bootstraps)
build --drop strace
is "$?" 1 "--drop of a package not added fails"
is "$(cat build.err)" "quiz-image: --drop strace: not an added package of the bookworm $(uname -m) image (added: libfoo1 liburing2)" \
	"saying which are added"
is "$(cd "$images" && sha256sum -- *)" "$before" "nothing in the images folder changed"
is "$(bootstraps)" "$n" "and nothing was bootstrapped"
build --add libqux1 --drop libqux1
is "$(cat build.err)" "quiz-image: --drop libqux1: it is given to --add too; give it to one of them" \
	"a package both added and dropped is refused"
build --add
is "$(cat build.err)" "quiz-image: --add needs package names (e.g. --add liburing2)" "--add with no words is refused"

# Bad names are refused before anything is written, wherever they come from.
for bad in 'Liburing2' 'lib_uring' '-x' 'a' 'x;rm'; do
	build --add="$bad"
	is "$?|$(cat build.err)" "1|quiz-image: bad package name '$bad' (given to --add)" "--add='$bad' is refused in one line"
done
build --add libok1 'lib$(id)'
is "$(cat build.err)" "quiz-image: bad package name 'lib\$(id)' (given to --add)" "a bad word after a good one too"
is "$(cd "$images" && sha256sum -- *)" "$before" "the images folder is as it was"
is "$(bootstraps)" "$n" "nothing was bootstrapped"

# A build that fails (apt finds no such package) keeps the .add file, the image, its manifest and
# sidecar, and leaves no temporary file.
build --add missing-uring
is "$?" 1 "a build of a package apt does not have fails"
is "$(tail -n 1 build.err)" "quiz-image: build failed: apt has no package missing-uring (given to --add; check the name: apt-cache policy missing-uring) for bookworm $debarch; the image and its added packages are unchanged (log: $QUIZ_HOME/logs/image-bookworm-$debarch.log)" \
	"the last line names the package and where it came from"
is "$(cd "$images" && sha256sum -- *)" "$before" "the .add file, image, manifest and sidecar are unchanged"
is "$(images_files)" "bookworm-$debarch.add bookworm-$debarch.ext2 bookworm-$debarch.ext2.info bookworm-$debarch.ext2.manifest" \
	"no temporary file is left"

# The last added package dropped: no .add file is left.
build --drop libfoo1 liburing2
is "$?" 0 "dropping every added package" "$(cat build.err)"
ok "$([ ! -e "$add_file" ]; echo $?)" "removes the .add file"
is "$(field added)" "" "and the sidecar's added= is empty"

done_testing
