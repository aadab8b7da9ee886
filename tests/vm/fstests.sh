#!/bin/bash
# SPDX-License-Identifier: MIT
# fstests through --each, on the real check (built on the host from ../shared/suites by
# tests/suites/fstests-build): a handful of quick generic tests on ext4, each in its own VM
# with two fresh blockdev disks, and one that ext4 does not run (generic/157 needs reflink: a
# skip); each test's results folder comes back to the host, and the fstests tree is as it was.
# generic/013 runs fsstress (it loads liburing and libaio: image/suite.list) and generic/034
# makes a dm-flakey device and waits for it with `udevadm wait` (the guest's udev): issue 31.
. "$(dirname "$0")/lib.sh"
need_vm
here=$(readlink -f "$(dirname "$0")")
tests=(${QUIZ_TEST_FSTESTS:-generic/002 generic/005 generic/006 generic/011 generic/013 generic/034 generic/157})
if ! fstests=$("$here/../suites/fstests-build" 2>"$scratch/build.err"); then
	why=$(tail -n 1 "$scratch/build.err")
	case $why in
	*"not found; set QUIZ_SUITES_DIR"*)
		[ "${QUIZ_VM_MUST_WORK:-0}" = 1 ] || { echo "1..0 # SKIP $why"; exit 0; } ;;
	esac
	ok 1 "fstests builds" "$(cat "$scratch/build.err")"
	done_testing
	exit
fi
cd "$fstests" || exit 1
tree() { find . -path ./results -prune -o -printf '%p %s %T@\n' | sort | sha256sum; }
before=$(tree)

"$QUIZ" -k "$QUIZ_TEST_KERNEL" -j 2 -t 600 -p blockdev:count=2,size=512M --each \
	--results "$scratch/res" --junit "$scratch/junit.xml" ./check "${tests[@]}" \
	</dev/null >"$scratch/out" 2>"$scratch/err"
is "$?" 0 "fstests' ${#tests[@]} tests, each in its own VM, exit 0" "$(tail -n 20 "$scratch/out" "$scratch/err")"
cd "$scratch" || exit 1
got=$(python3 -c '
import json
for r in json.load(open("res/summary.json"))["runs"]: print(r["name"], r["result"])
')
want=$(for t in "${tests[@]}"; do
	case $t in generic/157) echo "$t skip" ;; *) echo "$t pass" ;; esac
done)
is "$got" "$want" "each test ran in its own VM: the others pass, generic/157 needs reflink, which ext4 lacks (skip)"
for t in "${tests[@]}"; do
	[ "$t" != generic/157 ] || continue
	dir=$(ls -d res/*/"${t/\//%2F}")
	contains "$dir/shared/results/check.log" "^Ran: $t\$" "$t: fstests' check.log came back to the host"
	ok "$([ -f "$dir/shared/results/$t.full" ]; echo $?)" "$t: its $t.full came back too"
	contains "$dir/stdout" "^Passed all 1 tests\$" "$t: check ran it alone"
done
contains res/*/generic%2F157/stdout '^Not run: generic/157$' "generic/157: check said it did not run it"
python3 - junit.xml "${#tests[@]}" <<'PY' >junit.check
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
cases = [c for c in doc.getElementsByTagName("testcase") if "/" in c.getAttribute("name")]
print(len(cases), sum(1 for c in cases if c.getElementsByTagName("skipped")))
PY
is "$(cat junit.check)" "${#tests[@]} 1" "JUnit: a testcase per fstests test, the skip as skipped"
is "$(cd "$fstests" && tree)" "$before" "the fstests tree on the host is as it was"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
