#!/bin/bash
# SPDX-License-Identifier: MIT
# --each: every test of a suite in its own VM. A suite (each-suite/suite) whose tests panic the
# kernel, hang past the timeout, splat, leave a sysctl, a mount, a file and a module for the
# next, fail on their first run only, fail as known, skip: each is reported as what it is,
# the rest pass, nothing leaks from test to test, the exit status follows the rules, and the
# table, JUnit, TAP (--merge) and JSON carry each test. Then --rerun-failed, --shard and
# --merge, and a list command that fails or prints a control character.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
here=$(readlink -f "$(dirname "$0")")
cd "$scratch" || exit 1
ver=$QUIZ_TEST_KERNEL
kbuild=$("$QUIZ_KERNEL_TOOL" path "$ver" kbuild) || { ok 1 "kernel $ver is built"; done_testing; exit; }
build_module "$here/../modules/splat" "$kbuild" "$scratch/sys"
ok $? "the splat module builds against $ver" "$(tail -n 5 build.log)"
cp "$here/each-suite/suite" . && mkdir shared
printf '# known failures\nknown-*   fails on purpose (bug 42)\n' >known.txt
each() { "$QUIZ" -k "$ver" --system sys -t 20 -j 2 --each "$@" </dev/null >out 2>err; }

# Without per-test VMs, leak's marks reach check: the suite can tell.
"$QUIZ" -k "$ver" --system sys -r raw sh -c './suite leak && ./suite check' </dev/null >one.out 2>&1
is "$?" 1 "in one VM, check finds what leak left (the suite can see a leak)"
contains one.out '^check found: swappiness mount file module$' "in one VM: the sysctl, mount, file and module leak"

each --shared shared --known-failures known.txt --list-cmd './suite --list' --results res \
	--junit junit.xml ./suite {}
is "$?" 123 "the run exits with its first failing test's status (warn's splat: 123)"
want="ok-1 pass
leak pass
check pass
flaky flaky
known-bad xfail
skip skip
warn splat
panic panic
hang timeout
ok-2 pass"
got=$(python3 -c '
import json, sys
s = json.load(open("res/summary.json"))
for r in s["runs"]: print(r["name"], r["result"])
')
is "$got" "$want" "summary.json: each test's result in list order"
python3 - res/summary.json >json.check <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
runs = {r["name"]: r for r in s["runs"]}
print(s["exit_status"], s["passed"], s["failed"], s["skipped"], s["flaky"], s["xfail"], s["xpass"])
print(runs["flaky"]["attempts"], runs["flaky"]["first_result"], runs["hang"]["attempts"],
      runs["known-bad"]["attempts"], runs["known-bad"]["known_failure"])
print(runs["warn"]["splats"][0]["kind"] if runs["warn"]["splats"] else "no splat")
PY
is "$(cat json.check)" "123 4 3 1 1 1 0
2 fail 2 1 fails on purpose (bug 42)
warning" "summary.json: counts, a flaky test's two runs, a failure run twice, a known one once"
contains out '^[^ ]+ +warn +[^ ]+ +splat ' "the table: warn is a splat"
contains out '^4 passed, 3 failed, 1 skipped, 1 flaky, 1 known failure$' "the table's last line counts each kind"
contains out '^==> [^ ]+: check: pass' "check passed: no leak from leak's VM"
contains res/*/check/stdout '^check found nothing$' "check's own output: nothing found"
contains err 'kernel report \(warning\)' "warn's report is on stderr, decoded from its VM"
lacks out 'panic: never here' "the panic ended its test"
[ -d res/*/flaky/attempt-1 ] && contains res/*/flaky/attempt-1/stdout '^flaky: first run fails$' \
	"the flaky test's first run is kept in attempt-1/"
ok "$([ -d res/*/flaky/attempt-1 ]; echo $?)" "attempt-1/ holds a retried test's first run"
is "$(cat res/failed)" "warn
panic
hang" "res/failed lists the failed tests for --rerun-failed"
python3 - junit.xml >junit.check <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
for c in doc.getElementsByTagName("testcase"):
    kinds = [e.tagName + ":" + e.getAttribute("type") for e in c.childNodes
             if e.nodeType == 1 and e.tagName in ("failure", "error", "skipped", "flakyFailure")]
    print(c.getAttribute("name"), " ".join(kinds) or "pass")
PY
is "$(cat junit.check)" "ok-1 pass
leak pass
check pass
flaky flakyFailure:fail
known-bad skipped:
skip skipped:
warn failure:splat
panic error:panic
hang failure:timeout
ok-2 pass" "JUnit: a testcase per test, each of its kind"

# Exit status: flaky and known failures fail nothing, unless asked.
mkdir shared2
each --shared shared2 --known-failures known.txt \
	--list-cmd "sh -c \"./suite --list | grep -Ev '^(warn|panic|hang)\$'\"" ./suite {}
is "$?" 0 "without the failing tests, flaky, xfail and skip exit 0"
rm -f shared2/flaky-ran
each --shared shared2 --flaky-fails --known-failures known.txt \
	--list-cmd "sh -c \"./suite --list | grep -Ev '^(warn|panic|hang|check|leak)\$'\"" ./suite {}
is "$?" 1 "--flaky-fails: a flaky test fails the run"
printf 'ok-*  expected to fail\n' >known-ok.txt
each --known-failures known-ok.txt --list-cmd './suite --list-quick' ./suite {}
is "$?" 0 "a known failure that passes fails nothing"
contains out '^==> [^ ]+: ok-1: known to fail \(--known-failures line 1\), but passed$' "... and is reported"
contains out ' xpass ' "... as xpass in the table"

# --rerun-failed: what failed, again.
each --retries 0 --rerun-failed res --results rerun ./suite {}
is "$?" 123 "--rerun-failed: the failed tests fail again"
is "$(python3 -c 'import json; print(" ".join(r["name"] for r in json.load(open("rerun/summary.json"))["runs"]))')" \
	"warn panic hang" "--rerun-failed runs what failed, and only that"

# --shard over tests, then --merge: together, the whole suite once.
for i in 1 2; do
	each --list-cmd './suite --list-quick' --shard "$i/2" --results "shard$i" ./suite {}
	is "$?" 0 "shard $i/2 passes"
done
"$QUIZ" --merge shard1 --merge shard2 --tap --junit merged.xml --results merged >merged.tap 2>merged.err
is "$?" 0 "--merge of the shards passes"
t=$(python3 -c 'import json; print(json.load(open("shard1/summary.json"))["runs"][0]["target"])')
is "$(grep -E '^(not )?ok ' merged.tap | sed 's/ ([^)]*)//')" "ok 1 - $t: ok-1
ok 2 - $t: ok-2
ok 3 - $t: skip # SKIP
ok 4 - $t: flaky-free" "--merge --tap: each test of both shards, shard 1's first"
python3 - <<'PY' >merge.check
import json
s = json.load(open("merged/summary.json"))
print(sorted(r["name"] for r in s["runs"]), s["passed"], s["skipped"])
PY
is "$(cat merge.check)" "['flaky-free', 'ok-1', 'ok-2', 'skip'] 3 1" "--merge --results: the four tests once, 3 passed, 1 skipped"

# A list command that fails, or prints what no name holds: one line, no VM left.
each --list-cmd 'sh -c "echo broken >&2; exit 3"' ./suite {}
is "$?" 125 "a failing list command: 125"
contains err "the suite's list command \(sh -c echo broken >&2; exit 3\) exited 3: broken" "... says so"
each --list-cmd 'printf "ok-1\\n\\033]0;title\\007\\n"' ./suite {}
is "$?" 125 "a control character in the list: 125"
contains err 'line 2: a control character' "... names the line"
lacks err $'\033' "... and no escape reaches the terminal"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
