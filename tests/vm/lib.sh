# SPDX-License-Identifier: MIT
# Shared by the VM tests: TAP output, skip rules, a scratch folder that is always removed.
set -u

: "${QUIZ:?QUIZ must point at the quiz binary (meson sets it)}"
case $QUIZ in */*) QUIZ=$(readlink -f "$QUIZ") ;; esac
QUIZ_TEST_KERNEL=${QUIZ_TEST_KERNEL:-6.1}
tap_n=0
tap_failed=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/quiz-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

ok() { # ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC]
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
		[ $# -ge 3 ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "got:  $(printf %q "$1")
want: $(printf %q "$2")"; fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

# A VM suite that cannot run says why; in CI (QUIZ_VM_MUST_WORK=1) that is a failure.
need_vm() {
	local why=
	if ! "$QUIZ" -k "$QUIZ_TEST_KERNEL" --dry-run true >/dev/null 2>"$scratch/why"; then
		why=$(head -n1 "$scratch/why")
	fi
	[ -z "$why" ] && return 0
	if [ "${QUIZ_VM_MUST_WORK:-0}" = 1 ]; then
		echo "not ok 1 - VM suite cannot run: $why"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

runs_left() { # leftover run directories or QEMU processes after a run
	local home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
	ls -A "$home/runs" 2>/dev/null | grep -c . || true
}
