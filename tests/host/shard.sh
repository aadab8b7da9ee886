#!/bin/bash
# SPDX-License-Identifier: MIT
# --list (--json) and --shard I/N: the targets as JSON without any run (nor any kernel built),
# every target in exactly one shard for N=1..5 in a stable order, bad I/N refused in one line;
# shards' JUnit files merge cleanly (unique testcases, one testsuite per shard, named for it) and
# --results writes result.json and summary.json. No VM: dry runs in a fake cache.
. "$(dirname "$0")/dry-lib.sh"
fake_cache
mkdir -p "$scratch/project" && cd "$scratch/project" || exit 1
json() { python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"; }

{
	printf '[t1]\nkernel = 6.1\nprogram = true\n\n'
	printf '[t2]\nkernel = 6.99\nprofiles = blockdev:count=2,size=1G,memdev\nprogram = ./x.sh "two words" '"'"'a\\b'"'"'\ntimeout = 30\n\n'
	printf '[t3-s390x]\nkernel = 6.12\narch = s390x\nprogram = true\n\n'
	for i in 4 5 6 7; do printf '[t%s]\nkernel = 6.1\nprogram = echo %s\n\n' "$i" "$i"; done
} >quiz.ini
all="t1 t2 t3-s390x t4 t5 t6 t7"

"$QUIZ" --targets quiz.ini --list --json >list.json 2>err
is "$?" 0 "--targets FILE --list --json exits 0, though 6.99 and an s390x 6.12 are not built" "$(cat err)"
is "$(json list.json '" ".join(t["name"] for t in d)')" "$all" "...and lists every target, in file order"
is "$(json list.json 'd[1]')" "{'name': 't2', 'kernel': '6.99', 'arch': 'x86_64', 'profiles': ['blockdev:count=2,size=1G', 'memdev'], 'program': ['./x.sh', 'two words', 'a\\\\b'], 'timeout': 30}" \
	"...each with its kernel as written, arch, profiles (one -p value each), program words and timeout"
is "$(json list.json 'd[2]["arch"], d[0]["timeout"], d[0]["profiles"]')" "s390x None []" \
	"...a target's own arch; no timeout is null, no profiles an empty list"
"$QUIZ" --targets quiz.ini --list >list.txt 2>err
is "$(sed -n 2p list.txt)" "t2 6.99 x86_64 blockdev:count=2,size=1G memdev" "--list without --json: one line a target"

# Every target in exactly one shard; shard I takes positions I, I+N, ...; the same twice.
for n in 1 2 3 4 5; do
	got= bad=
	for i in $(seq 1 "$n"); do
		"$QUIZ" --targets quiz.ini --list --json --shard "$i/$n" >s.json 2>err || bad+=" $i/$n:$(cat err)"
		names=$(json s.json '" ".join(t["name"] for t in d)')
		want=$(tr ' ' '\n' <<<"$all" | awk -v i="$i" -v n="$n" '(NR - 1) % n == i - 1' | tr '\n' ' ')
		[ "$names " = "$want" ] || bad+=" $i/$n: got '$names', want '$want'"
		"$QUIZ" --targets quiz.ini --list --json --shard "$i/$n" | cmp -s - s.json || bad+=" $i/$n: not stable"
		got+=" $names"
	done
	is "$(tr ' ' '\n' <<<"$got" | grep . | sort | tr '\n' ' ')" "$(tr ' ' '\n' <<<"$all" | sort | tr '\n' ' ')" \
		"--shard I/$n for I=1..$n: every target in exactly one shard"
	is "$bad" "" "...shard I is positions I, I+$n, ... in file order, the same each time"
done
"$QUIZ" --targets quiz.ini --filter '^t[4-7]$' --list --shard 2/2 >f.txt
is "$(cut -d' ' -f1 f.txt | tr '\n' ' ')" "t5 t7 " "--shard slices what --filter kept"

for arg in 0/3 4/3 3 a/2 1/0 /2 2/ 1/100001 -1/2 1/2x; do
	"$QUIZ" --targets quiz.ini --list --shard "$arg" >out 2>err
	status=$?
	is "$status $(wc -l <err)" "125 1" "--shard $arg is refused (125) in one line: $(cat err)"
done
"$QUIZ" --shard 0/3 --list 2>err
is "$(cat err)" "quiz: --shard 0/3: I must be from 1 to N (slices are counted from 1)" "...saying what is wrong"
"$QUIZ" --shard x --list 2>err
is "$(cat err)" "quiz: --shard x: expected I/N, two whole numbers: --shard 2/5 runs the second of 5 slices" \
	"...and what I/N is"
"$QUIZ" --targets quiz.ini --json 2>err
is "$?:$(cat err)" "125:quiz: --json goes with --list: quiz --targets FILE --list --json" "--json alone is refused"

# -k lists shard too.
mkdir -p "$QUIZ_HOME/kernels/x86_64/6.12.3" && cp -a "$kernel_dir/." "$QUIZ_HOME/kernels/x86_64/6.12.3/"
"$QUIZ" -k all --list --json --shard 2/2 >k.json 2>err
is "$(json k.json '[(t["name"], t["kernel"]) for t in d]')" "[('6.12.3', '6.12.3')]" "-k all --shard 2/2: the second kernel"

# Shards run: JUnit per shard merges, results as JSON.
printf '[r1]\nkernel = 6.1\nprogram = true\n\n[r2]\nkernel = 6.1\nprofiles = memdev\nprogram = true\n\n[r3]\nkernel = 6.1\nprogram = true\n' >run.ini
for i in 1 2; do
	"$QUIZ" --dry-run --targets run.ini --shard "$i/2" --junit "j$i.xml" --results "res$i" >out 2>err
	is "$?" 0 "shard $i/2 of a dry-run matrix exits 0" "$(cat err)"
done
merged=$(python3 - j1.xml j2.xml <<'PY'
import sys, xml.etree.ElementTree as ET
suites = [ET.parse(f).getroot() for f in sys.argv[1:]]
cases = [c.get("name") for s in suites for c in s.iter("testcase")]
print([s.get("name") for s in suites], sorted(cases), len(cases) == len(set(cases)))
PY
)
is "$merged" "['quiz shard 1/2', 'quiz shard 2/2'] ['r1', 'r2', 'r3'] True" \
	"the shards' JUnit: one testsuite each, named for its shard; together every target once"
is "$(json res1/summary.json 'd["shard"], d["exit_status"], d["passed"], d["failed"], [r["name"] for r in d["runs"]]')" \
	"1/2 0 2 0 ['r1', 'r3']" "--results: summary.json names the shard, the status, the counts and its runs"
is "$(json res2/r2/result.json 'd["name"], d["kernel"], d["arch"], d["profiles"], d["exit_status"], d["result"], d["splats"], type(d["seconds"]).__name__')" \
	"r2 6.1.1 None ['memdev'] 0 pass [] float" "...and result.json each run's kernel, profiles, status, result and time"
"$QUIZ" --dry-run --targets run.ini --shard 5/5 --junit j5.xml --results res5 >out 2>err
is "$?" 0 "an empty shard (5/5 of 3 targets) runs nothing and exits 0" "$(cat err)"
is "$(json res5/summary.json 'd["runs"], d["shard"]')" "[] 5/5" "...its summary.json has no runs"
done_testing
