#!/bin/bash
# SPDX-License-Identifier: MIT
# A real run from a meson install tree (DESTDIR): its quiz boots the cache's kernel and image
# with its own quiz-init, and the program's output and exit status come back.
. "$(dirname "$0")/lib.sh"
need_vm
: "${QUIZ_BUILD_ROOT:?QUIZ_BUILD_ROOT must name the build folder (meson sets it)}"
dest=$scratch/dest
meson install -C "$QUIZ_BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet >"$scratch/log" 2>&1
ok $? "meson install --destdir succeeds" "$(tail -5 "$scratch/log")"
bin=$(dirname "$(find "$dest" -path '*/bin/quiz' -type f)")
cd "$scratch" || exit 1

"$bin/quiz" -k "$QUIZ_TEST_KERNEL" true </dev/null >out 2>err
is "$?" 0 "the installed quiz -k $QUIZ_TEST_KERNEL true exits 0" 
is "$(cat out)" "" "...and prints nothing"
printf '#!/bin/sh\necho "from the guest: $1"\nexit 7\n' >t.sh
chmod +x t.sh
"$bin/quiz" -k "$QUIZ_TEST_KERNEL" ./t.sh 'two words' </dev/null >out 2>err
is "$?" 7 "the installed quiz returns the program's exit status (7)" 
is "$(cat out)" "from the guest: two words" "...and its output, byte for byte"
installed=$(cat "${bin%/bin}/libexec/quiz/quiz-init.sha256")
got=$("$bin/quiz" -k "$QUIZ_TEST_KERNEL" cat /etc/quiz/init1.sha256 </dev/null 2>err)
is "$got" "$installed" "the guest's init1 is the installed quiz-init" 
done_testing
