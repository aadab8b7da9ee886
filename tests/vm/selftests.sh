#!/bin/bash
# SPDX-License-Identifier: MIT
# A real suite, unchanged: the kernel's own selftests (proc, sigaltstack, size, kcmp) built
# from Debian's linux-source on the host, run with their own runner (which reopens
# /dev/stdout) on each test kernel; the same counts as through "| cat" in the guest (on 6.1),
# and a JUnit file with one testcase per test inside the run.
. "$(dirname "$0")/lib.sh"
need_vm
root=$(cd "$(dirname "$0")/../.." && pwd)
read -ra kernels <<<"${QUIZ_TEST_KERNELS:-6.1 6.12}"
suites=(proc sigaltstack size kcmp)
cd "$scratch" || exit 1

src=$(selftests_source)
make -s -C "$src/tools/testing/selftests" TARGETS="${suites[*]}" O="$scratch/ks-build" \
	install INSTALL_PATH="$scratch/ks" >build.log 2>&1
ok $? "the selftests build on the host (out of the source tree)" "$(tail -n 5 build.log)"
# Every program they built loads in the guest: the image has their libraries (issue 31).
"$root/tools/quiz-image" libs "$scratch/ks" >libs.out 2>&1
is "$?" 0 "quiz-image libs over the built selftests: nothing missing" "$(cat libs.out)"
contains libs.out '^quiz-libs: [1-9][0-9]* ELF files checked, nothing missing$' "...and it checked their ELF files"
cd ks || exit 1
args=()
for s in "${suites[@]}"; do args+=(-c "$s"); done
want=$(grep -cE "^($(IFS='|'; echo "${suites[*]}")):" kselftest-list.txt)

counts() { # ok, not ok and skip lines of the runner's top level
	printf '%s %s %s' "$(grep -cE '^ok [0-9]+ selftests: ' "$1")" \
		"$(grep -cE '^not ok [0-9]+ selftests: ' "$1")" "$(grep -cE '^ok [0-9]+ .*# SKIP' "$1")"
}

# Through the guest's own pipe (as before quiz had reopenable streams), on the kernel the
# selftests come from: the reference counts. Each other kernel's one-VM counts are checked
# against --each below (6.1's selftests on a newer kernel may fail a test or two).
ref=${kernels[0]}
"$QUIZ" -k "$ref" -r raw -t 240 sh -c './run_kselftest.sh "$@" | cat' sh "${args[@]}" \
	</dev/null >"piped.txt" 2>"piped.err"
ok $? "$ref: run_kselftest.sh | cat in the guest exits 0" "$(tail -n 3 piped.txt piped.err)"
piped=$(counts piped.txt)

# The runner as it is, on every test kernel, with a JUnit report of each test inside.
klist=$(IFS=,; echo "${kernels[*]}")
"$QUIZ" -k "$klist" -t 240 --results results --junit junit.xml ./run_kselftest.sh "${args[@]}" \
	</dev/null >matrix.txt 2>matrix.err
ok $? "./run_kselftest.sh on ${klist}: every run passes" "$(tail -n 3 matrix.err results/*/stdout)"
grep -q 'cannot create /dev/stdout' matrix.txt matrix.err results/*/stdout
ok "$([ $? != 0 ]; echo $?)" "no 'cannot create /dev/stdout'" "$(grep -h /dev/stdout results/*/stdout | head -3)"
declare -A got
for k in "${kernels[@]}"; do
	dir=$(ls -d results/"$k"* 2>/dev/null | head -n1)
	got[$k]=$(counts "$dir/stdout")
	set -- ${got[$k]}
	is "$(($1 + $2))" "$want" "$k: every one of the $want tests reported"
done
is "${got[$ref]}" "$piped" "$ref: the same ok / not ok / skip counts as through | cat ($piped)"
python3 - junit.xml "$want" "${kernels[@]}" <<'PY' >junit.check
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
want, kernels = int(sys.argv[2]), sys.argv[3:]
cases = doc.getElementsByTagName("testcase")
def of(release, k):  # 6.12.117 is of 6.12, not of 6.1
    return release.split(".")[:2] == k.split(".")[:2]
for k in kernels:
    runs = [c for c in cases if c.getAttribute("classname") == "quiz" and of(c.getAttribute("name"), k)]
    # Each selftest is a testcase, or (when it printed TAP of its own) its subtests are.
    tops = {c.getAttribute("name").split(" / ")[0] for c in cases
            if of(c.getAttribute("classname"), k) and c.getAttribute("name").startswith("selftests: ")}
    failed = {c.getAttribute("name").split(" / ")[0] for c in cases
              if of(c.getAttribute("classname"), k) and c.getAttribute("name").startswith("selftests: ")
              and c.getElementsByTagName("failure")}
    print(k, len(runs), len(tops), len(failed))
PY
ok $? "the JUnit file is well-formed XML" "$(cat junit.check)"
for k in "${kernels[@]}"; do
	set -- ${got[$k]}
	is "$(grep "^$k " junit.check | cut -d' ' -f2-)" "1 $want $2" \
		"$k: JUnit has the run's testcase, one per selftest ($want), $2 of them failed"
done

# --each: every selftest in its own VM, two at once, on the last kernel (6.12, where 6.1's
# selftests fail one: the one-VM counts above are checked here); each test's result as the
# one-VM run's (the runner's own TAP line in that run, from the JUnit above).
each_k=${kernels[-1]}
"$QUIZ" -k "$each_k" -t 120 -j 2 --each --results each --junit each.xml ./run_kselftest.sh \
	"${args[@]}" </dev/null >each.txt 2>each.err
each_status=$?
python3 - junit.xml each/summary.json "$each_k" <<'PY' >each.check
import json, sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
runs = json.load(open(sys.argv[2]))["runs"]
def of(release, k):
    return release.split(".")[:2] == k.split(".")[:2]
def verdict(c):
    for tag, v in (("failure", "fail"), ("skipped", "skip")):
        if c.getElementsByTagName(tag):
            return v
    return "pass"
for k in sys.argv[3:]:
    # the one-VM run: "selftests: proc: proc-self-map" -> proc:proc-self-map
    # (a selftest that printed TAP of its own is its subtests there: failed if one did)
    one = {}
    for c in doc.getElementsByTagName("testcase"):
        name = c.getAttribute("name")
        if of(c.getAttribute("classname"), k) and name.startswith("selftests: "):
            top = name.split(" / ")[0]
            coll, test = top[len("selftests: "):].split(": ", 1)
            v = verdict(c) if " / " not in name else ("fail" if verdict(c) == "fail" else "pass")
            t = coll + ":" + test
            one[t] = "fail" if "fail" in (v, one.get(t)) else one.get(t, v) if " / " in name else v
    each = {r["name"]: r["result"] for r in runs if of(r["kernel"], k)}
    same = sorted(t for t in one if each.get(t) == one[t])
    differ = sorted("%s one-VM %s, --each %s" % (t, one[t], each.get(t)) for t in one if each.get(t) != one[t])
    print(k, len(each), len(one), len(same), "; ".join(differ) or "-")
PY
ok $? "--each's results read" "$(cat each.check)"
failed=$(python3 -c 'import json, sys; print(sum(r["result"] != "pass" and r["result"] != "skip" for r in json.load(open(sys.argv[1]))["runs"]))' each/summary.json)
is "$each_status" "$([ "$failed" = 0 ] && echo 0 || echo 1)" \
	"--each exits 1 when a selftest failed ($failed did; the runner itself exits 0 either way)"
is "$(grep "^$each_k " each.check | cut -d' ' -f2-)" "$want $want $want -" \
	"$each_k: --each ran each of the $want tests in its own VM, each with the one-VM run's result"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
