#!/bin/bash
# SPDX-License-Identifier: MIT
# Any kernel by name (issue 29), for real: the kernel scripts/test built from a version word
# that no installed package has (QUIZ_TEST_NEW_KERNEL, default 7.2: Debian's archive, sid) boots
# as that exact release, says where it came from, and builds again from the cache without a
# download; list --available asks Debian's archive through this machine's apt sources. The
# exit-contract and verdict suites run on it too (vm-*-new in tests/meson.build).
. "$(dirname "$0")/lib.sh"
new=${QUIZ_TEST_NEW_KERNEL:-7.2}
QUIZ_TEST_KERNEL=$new need_vm
QK=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
export QUIZ_KERNEL_SOURCES='installed debian' # as scripts/test built it
cd "$scratch" || exit 1

dir=$("$QK" path "$new")
exact=$(sed -n 's/^fetched=\([^ ]*\) from .*/\1/p' "$dir/info")
where=$(sed -n 's/^fetched=[^ ]* from //p' "$dir/info")
case $where in
"debian "*) ok 0 "$new was fetched from Debian's archive: $exact from $where" ;;
*) ok 1 "$new was fetched from Debian's archive" "$(cat "$dir/info")" ;;
esac
release=$("$QUIZ" -k "$new" -r raw uname -r </dev/null 2>err)
is "$release" "$exact" "-k $new boots exactly $exact" "$(cat err)"

out=$("$QK" list --available "$new" 2>list.err)
is "$?" 0 "list --available $new answers" "$(cat list.err)"
grep -qx "$exact"$'\t'"$where" <<<"$out"
ok $? "and lists $exact from $where" "$out"
bad=$(cut -f1 <<<"$out" | grep -vE "^${new//./\\.}($|\.[0-9]+$|-rc[0-9]+$)" || true)
is "$bad" "" "every line is of series $new"

tarball_before=$(ls -l --time-style=+%s.%N "$home"/sources/debian/*.tar.* 2>/dev/null)
"$QK" build --no-debug --no-btf --no-storage --no-net "$new" >build.out 2>&1
is "$?" 0 "building $new again succeeds" "$(tail -n 5 build.out)"
contains build.out 'is up to date' "and builds nothing"
is "$(ls -l --time-style=+%s.%N "$home"/sources/debian/*.tar.* 2>/dev/null)" "$tarball_before" \
	"its source tarball was not downloaded again"
lacks build.out 'downloading|Get:' "no download on the way"
done_testing
