#!/bin/bash
# SPDX-License-Identifier: MIT
# A project's package list (issue 31): quiz-image build in a folder with .quiz/image.list adds
# its packages for good (made-up names, so that no list of image/ has them), records the list, rebuilds when it gained one, keeps other projects'.
. "$(dirname "$0")/image-lib.sh"

build() { "$image_tool" build "$@" >build.out 2>build.err; }

# Something added before, by hand.
build --add libqe1
is "$?" 0 "an image with one package added" "$(cat build.err)"

# A project's list: read from .quiz/image.list in the current folder, recorded, kept.
mkdir -p proj-a/.quiz proj-b/.quiz
printf '# what proj-a tests need\nlibqa1   # fio engines\n\nlibqb1\n' >proj-a/.quiz/image.list
(cd proj-a && build)
is "$?" 0 "a build in a project with .quiz/image.list" "$(cat proj-a/build.err)"
is "$(last_include | grep -cxE 'libqa1|libqb1|libqe1')" 3 "has the project's packages, and the added one"
is "$(field project_list)" "$(cd proj-a && pwd -P)/.quiz/image.list" "the sidecar records the list's path"
is "$(field added)" "libqa1,libqb1,libqe1" "and its packages among the added"
is "$(cat "$add_file" | paste -sd,)" "libqa1,libqb1,libqe1" "merged into the .add file"
n=$(bootstraps)
(cd proj-a && build)
is "$(bootstraps)" "$n" "the list unchanged: no rebuild"
is "$(cat proj-a/build.out)" "quiz-image: $image is up to date" "up to date"
echo 'libqc1' >>proj-a/.quiz/image.list
(cd proj-a && build)
is "$(bootstraps)" "$((n + 1))" "the list gained a package: rebuilt"
is "$(last_include | grep -cx libqc1)" 1 "with it"

# Another project's list adds its own; proj-a's stay (a plain build anywhere keeps them all).
printf 'libqd1\n' >proj-b/.quiz/image.list
(cd proj-b && build)
is "$(cat "$add_file" | paste -sd,)" "libqa1,libqb1,libqc1,libqd1,libqe1" \
	"a build in another project keeps the first project's packages"
is "$(field project_list)" "$(cd proj-b && pwd -P)/.quiz/image.list" "and records its own list"
n=$(bootstraps)
(cd proj-a && build)
is "$(bootstraps)" "$n" "back in the first project: up to date"
build --drop libqa1
is "$?" 0 "a package a project added can be dropped outside it" "$(cat build.err)"
is "$(cat "$add_file" | paste -sd,)" "libqb1,libqc1,libqd1,libqe1" "and is gone from the .add file"
(cd proj-a && build --drop libqb1)
is "$(cat proj-a/build.err)" "quiz-image: --drop libqb1: the project's list $(cd proj-a && pwd -P)/.quiz/image.list names it; take it out there first" \
	"inside the project that lists it, --drop says to edit the list"

# A bad name in a project's list: refused, nothing written.
before=$(cd "$images" && sha256sum -- *)
printf 'libgood1\nBad.Name\n' >proj-b/.quiz/image.list
(cd proj-b && build)
is "$?|$(cat proj-b/build.err)" "1|quiz-image: bad package name 'Bad.Name' (in $(cd proj-b && pwd -P)/.quiz/image.list)" \
	"a bad name in .quiz/image.list is refused, naming the list"
is "$(cd "$images" && sha256sum -- *)" "$before" "nothing in the images folder changed"

done_testing
