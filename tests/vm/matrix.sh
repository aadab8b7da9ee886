#!/bin/bash
# SPDX-License-Identifier: MIT
# The same run on 6.1 and 6.12: one passes, one fails; the summary, the exit status, JUnit
# (read by a real XML parser), TAP, -j 2 against -j 1, --results, and a targets file.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
cat >check.sh <<'SCRIPT'
#!/bin/sh
echo "running on $(uname -r)"
case $(uname -r) in
6.1.*) exit 0 ;;
*) echo "want 6.1" >&2; exit 3 ;;
esac
SCRIPT
chmod +x check.sh
strip_times() { sed -E 's/[0-9]+\.[0-9]s/T/g; s/ +/ /g'; }

"$QUIZ" -k 6.1,6.12 --junit junit.xml --results res ./check.sh >out 2>err
is "$?" 3 "exit status: the first failing kernel's (6.12: 3)"
grep -Eq '^6\.1\.[0-9]+ +6\.1\.[0-9]+ +pass ' out && grep -Eq '^6\.12\.[0-9]+ +6\.12\.[0-9]+ +fail 3 ' out
ok $? "the summary has one row per kernel with its result" "$(cat out)"
grep -qx '1 passed, 1 failed' out
ok $? "the summary counts passes and failures"
grep -Eq '^==> 6\.1\.[0-9]+: pass' out && grep -q '^running on 6\.1\.' out
ok $? "each kernel's output is grouped under a header"
grep -qx 'want 6.1' err
ok $? "a run's stderr reaches stderr"
python3 - junit.xml >junit.txt 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
assert suite.tag == "testsuite", suite.tag
print(suite.get("tests"), suite.get("failures"), suite.get("errors"))
for case in suite.findall("testcase"):
    failure = case.find("failure")
    print(case.get("name").split(".")[0] + "." + case.get("name").split(".")[1],
          "failure" if failure is not None else "ok",
          failure.get("message") if failure is not None else "",
          (case.findtext("system-out") or "").strip().split(" ")[0])
PY
is "$(cat junit.txt)" "2 1 0
6.1 ok  running
6.12 failure exit status 3 running" "JUnit: a testsuite with a testcase per kernel, the failure and its output"
ok "$(ls res/*/stdout res/*/stderr res/*/console.log >/dev/null 2>&1; echo $?)" \
	"--results keeps each kernel's stdout, stderr and console log" "$(ls -R res)"

"$QUIZ" -k 6.1,6.12 --tap ./check.sh >tap.out 2>/dev/null
is "$?" 3 "--tap: the same exit status"
is "$(grep -E '^(not )?ok|^1\.\.' tap.out | sed -E 's/[0-9]+\.[0-9]+\.[0-9]+/V/g')" "1..2
ok 1 - V (V)
not ok 2 - V (V): fail 3" "--tap prints TAP instead of the table"

"$QUIZ" -k 6.1,6.12 -j 1 ./check.sh 2>/dev/null | grep -E '^6\.' | strip_times >j1
"$QUIZ" -k 6.1,6.12 -j 2 ./check.sh 2>/dev/null | grep -E '^6\.' | strip_times >j2
is "$(cat j2)" "$(cat j1)" "-j 2 gives the same results as -j 1"

cat >quiz.ini <<'INI'
[ext4-on-6.1]
kernel = 6.1
profiles = memdev:size=16M
program = sh -c 'mkfs.ext4 -q /dev/quizm0 && echo "made ext4"'
timeout = 120

[also-6.12]
kernel = 6.12
program = ./check.sh

[skipped-by-filter]
kernel = 6.1
program = false
INI
"$QUIZ" --targets quiz.ini --filter '^(ext4|also)' >out 2>err
is "$?" 3 "a targets file run: the failing target's status"
grep -Eq '^ext4-on-6\.1 +6\.1\.[0-9]+ +pass' out && grep -Eq '^also-6\.12 +6\.12\.[0-9]+ +fail 3' out
ok $? "each target runs with its kernel, profiles and program" "$(cat out)"
grep -q 'made ext4' out
ok $? "a target's profile options reach its run"
ok "$(grep -q skipped-by-filter out; [ $? = 1 ]; echo $?)" "--filter leaves the other targets out"

printf '[t]\nkernel = 6.1\nprogam = true\n' >bad.ini
"$QUIZ" --targets bad.ini >out 2>err
is "$?" 125 "a bad targets file: 125"
grep -q "bad.ini line 3: target t: unknown key 'progam'" err
ok $? "the error names the line and the key" "$(cat err)"
"$QUIZ" -k 6.1,9.9 true >out 2>err
is "$?" 125 "a -k list with an unknown kernel: 125 before anything runs"
grep -q "no built kernel matches 9.9" err
ok $? "the error names the item" "$(cat err)"
is "$(runs_left)" 0 "no run directory left behind"
is "$(ls /tmp | grep -c '^quiz-matrix\.')" 0 "no temporary output folder left behind"
done_testing
