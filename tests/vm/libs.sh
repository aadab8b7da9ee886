#!/bin/bash
# SPDX-License-Identifier: MIT
# Host-built programs run as built (issue 31): liburing's io_uring_queue_init succeeds in the
# guest (image/suite.list has the suites' libraries); a program built against a library the
# image lacks is refused before boot, with the library, its package and the command that adds
# it; after that command (quiz-image build --add, into an image of the test's own, so the
# cache's image is not changed) it runs.
. "$(dirname "$0")/lib.sh"
need_vm
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$scratch" || exit 1
build=${QUIZ_BUILD_ROOT:-$root/build}
q() { "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw "$@" </dev/null >out 2>err; }

# --- liburing, from the image ---
cat >uring.c <<'C'
#include <liburing.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	struct io_uring ring;
	int r = io_uring_queue_init(8, &ring, 0);
	if (r < 0) {
		printf("io_uring_queue_init: %s\n", strerror(-r));
		return 1;
	}
	printf("io_uring_queue_init: ok\n");
	io_uring_queue_exit(&ring);
	return 0;
}
C
cc -o uring uring.c -luring 2>build.err
ok $? "a program built on the host against liburing (liburing-dev: scripts/setup --suites)" "$(cat build.err)"
q ./uring
is "$?" 0 "it runs in the guest" "$(cat err)"
is "$(cat out)" "io_uring_queue_init: ok" "io_uring_queue_init succeeds there"

# --- libyaml: no suite's, not in the image ---
cat >yaml.c <<'C'
#include <stdio.h>
#include <yaml.h>
int main(void)
{
	printf("libyaml %s\n", yaml_get_version_string());
	return 0;
}
C
cc -o needyaml yaml.c -lyaml 2>build.err
ok $? "a program built on the host against libyaml (libyaml-dev: scripts/setup --suites)" "$(cat build.err)"
q ./needyaml
is "$?" 127 "the image lacks libyaml: 127, as the loader would say, before a boot" "$(cat err)"
is "$(cat err)" "quiz: ./needyaml needs libyaml-0.so.2, which the guest image lacks: Debian's libyaml-0-2 has it; add it: quiz-image build --add libyaml-0-2" \
	"...in one line naming the library, its package and the command that adds it"
is "$(cat out)" "" "...and nothing ran"

# The command it names, on an image of the test's own (--lean: quiz's own packages, and the one
# added), which the run then takes through QUIZ_IMAGE.
home=$scratch/home
QUIZ_HOME=$home "$root/tools/quiz-image" build --lean --add libyaml-0-2 \
	--init1 "$build/guest-init/quiz-init" >build.out 2>&1
ok $? "quiz-image build --add libyaml-0-2" "$(tail -n 5 build.out)"
img=$home/images/bookworm-$(dpkg --print-architecture).ext2
contains "$img.manifest" '^package libyaml-0-2 ' "the image's manifest lists the package"
contains "$img.manifest" '^lib libyaml-0\.so\.2$' "...and its library"
QUIZ_IMAGE=$img q ./needyaml
is "$?" 0 "after --add the program runs" "$(cat err)"
contains out '^libyaml 0\.[0-9.]*$' "...and prints libyaml's version"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
