#!/bin/bash
# SPDX-License-Identifier: MIT
# quiz --coverage (issue 35): a module of two functions built with GCOV_PROFILE := y against
# the main test kernel (every debug kernel has CONFIG_GCOV_KERNEL); a run that loads it with
# one function chosen counts exactly that function's lines as run and the other's as not; the
# HTML report opens in headless chromium and names the file with the same percentage; a matrix
# of the two choices merges to the union; --coverage-filter; what a run without counters says.
. "$(dirname "$0")/lib.sh"
need_vm
ver=${QUIZ_TEST_KERNEL:-6.1}
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
src=$(readlink -f "$(dirname "$0")/../modules/coverage")
cd "$scratch" || exit 1

kbuild=$("$QUIZ_KERNEL_TOOL" path "$ver" kbuild)
ok $? "kernel $ver is built"
grep -qx 'CONFIG_GCOV_KERNEL=y' "$kbuild/.config"
ok $? "$ver has CONFIG_GCOV_KERNEL (kconfig/debug.config)"
# The module's folder is under the current directory: quiz reads its notes there.
build_module "$src" "$kbuild" "$scratch/sys"
ok $? "the coverage module builds with GCOV_PROFILE := y" "$(tail -n 5 build.log)"
mod=$scratch/module.sys
[ -f "$mod/quiz_cov.gcno" ]
ok $? "gcc wrote its notes (quiz_cov.gcno)"

# lines PICK: the source's line numbers marked "/* PICK */", one a line.
lines() { grep -n "/\* $1 \*/" "$mod/quiz_cov.c" | cut -d: -f1; }
# counts INFO: "LINE COUNT" for quiz_cov.c's DA records in the tracefile INFO.
counts() {
	awk -F'[:,]' '/^SF:/ { take = $2 ~ /\/quiz_cov\.c$/ } take && /^DA:/ { print $2, $3 }' "$1"
}
# check INFO PICK OTHER WHAT: PICK's lines run, OTHER's not, exactly.
check() {
	local l got=() want
	for l in $(lines "$2"); do got+=("$(counts "$1" | awk -v l="$l" '$1 == l { print ($2 > 0) ? "run" : "not" }')"); done
	for l in $(lines "$3"); do got+=("$(counts "$1" | awk -v l="$l" '$1 == l { print ($2 > 0) ? "not" : "run" }')"); done
	want=$(printf 'run %.0s' $(lines "$2") $(lines "$3"))
	is "${got[*]} " "$want" "$4: $2's lines run, $3's not ($(lines "$2" | paste -sd,) / $(lines "$3" | paste -sd,))"
}

"$QUIZ" -k "$ver" -r raw --system sys -p modules --coverage cov1 modprobe quiz_cov pick=1 </dev/null >out 2>err
is "$?" 0 "a run with --coverage exits with its program's status" "$(cat err)"
[ -s cov1/coverage.info ]
ok $? "DIR/coverage.info written" "$(cat err)"
check cov1/coverage.info first second "pick=1"
grep -qx 'FNDA:0,quiz_cov_second' cov1/coverage.info && grep -qE '^FNDA:[1-9][0-9]*,quiz_cov_first$' cov1/coverage.info
ok $? "pick=1: quiz_cov_first ran, quiz_cov_second did not (FNDA)" "$(grep FNDA cov1/coverage.info)"
lf=$(grep -c '^DA:' cov1/coverage.info)
lh=$(grep -cE '^DA:[0-9]+,[1-9]' cov1/coverage.info)
pct=$(awk -v h="$lh" -v f="$lf" 'BEGIN { printf "%.1f", 100 * h / f }')
is "$(grep '^quiz: coverage:' err)" "quiz: coverage: $pct% of lines ($lh/$lf)" "one summary line on stderr, the tracefile's sums"
is "$(grep -c . out)" 0 "stdout is the program's (nothing)"

# The HTML report in a headless browser: the index, then the module's folder's page, which names
# quiz_cov.c with the tracefile's percentage.
if command -v chromium >/dev/null; then
	dom() { timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$1" 2>/dev/null; }
	dom "$scratch/cov1/html/index.html" >index.dom
	page=$(grep -o 'href="[^"]*index.html"' index.dom | grep -v '"index.html"' | head -n1 | cut -d'"' -f2)
	[ -n "$page" ] && dom "$scratch/cov1/html/$page" >dir.dom
	row=$(tr -d '\n' <dir.dom | grep -o '>quiz_cov.c<.*' | grep -o '[0-9.]*&nbsp;%' | head -n1)
	is "$row" "$pct&nbsp;%" "chromium opens the report; its folder's page names quiz_cov.c at $pct %"
else
	[ -n "${QUIZ_VM_MUST_WORK:-}" ] && ok 1 "chromium is installed (scripts/setup --suites)" ||
		skip "chromium is not installed (scripts/setup --suites installs it)"
fi

"$QUIZ" -k "$ver" -r raw --system sys -p modules --coverage cov2 --coverage-filter module.sys/quiz_cov.c \
	sh -c 'modprobe quiz_cov pick=2; exit 3' </dev/null >out 2>err
is "$?" 3 "a failing program: its status, and its coverage still collected"
check cov2/coverage.info second first "pick=2, filtered"
is "$(grep -c '^SF:' cov2/coverage.info)" 1 "--coverage-filter: the one file"
grep -qE '^quiz: coverage: module.sys/quiz_cov.c [0-9.]+% of lines \([0-9]+/[0-9]+\)$' err
ok $? "the summary line names the filter" "$(cat err)"

# A matrix of both choices: each run's tracefile in its --results folder, DIR their union.
printf '[%s]\nkernel = %s\nprofiles = modules\nprogram = modprobe quiz_cov pick=%s\n' one "$ver" 1 two "$ver" 2 >two.ini
"$QUIZ" --targets two.ini --system sys --coverage merged --results res </dev/null >out 2>err
is "$?" 0 "a matrix with --coverage passes" "$(tail -n 3 err)"
check res/one/coverage/coverage.info first second "the matrix's run one"
check res/two/coverage/coverage.info second first "the matrix's run two"
run=$(for l in $(lines first) $(lines second); do counts merged/coverage.info | awk -v l="$l" '$1 == l { print ($2 > 0) ? "run" : "not" }'; done | sort -u)
is "$run" "run" "merged: both functions' lines run (the union)"
grep -qE '^quiz: coverage: [0-9.]+% of lines \([0-9]+/[0-9]+\) \(2 runs merged\)$' err
ok $? "the matrix's summary line: the merge" "$(grep coverage: err)"
[ -f merged/html/index.html ]
ok $? "the merged HTML report"

# --each: every test in its own VM, each with its counters, DIR their union.
"$QUIZ" -k "$ver" --system sys -p modules --each --list-cmd "printf '1\\n2\\n'" -j 2 \
	--coverage eachcov --results eachres modprobe quiz_cov pick={} </dev/null >out 2>err
is "$?" 0 "--each with --coverage passes" "$(tail -n 3 err)"
ls eachres/*/*/coverage/coverage.info >each.list 2>/dev/null
is "$(wc -l <each.list)" 2 "--each: a tracefile per test" "$(cat each.list)"
run=$(for l in $(lines first) $(lines second); do counts eachcov/coverage.info | awk -v l="$l" '$1 == l { print ($2 > 0) ? "run" : "not" }'; done | sort -u)
is "$run" "run" "--each merged: both functions' lines run (the union)"

# The counters are zeroed right before the program: a module a profile's hook loaded ran its
# init before that, and the program reads them back as not run.
"$QUIZ" -k "$ver" -r raw --system sys -p modules:load=quiz_cov --coverage hooked true </dev/null >out 2>err
is "$?" 0 "a module loaded by a hook, a program that calls nothing of it"
grep -qx 'FNDA:0,quiz_cov_init' hooked/coverage.info && grep -qx 'FNDA:0,quiz_cov_first' hooked/coverage.info
ok $? "its init ran before the counters were zeroed: not counted" "$(grep FNDA hooked/coverage.info)"

# A panic ends the run before the counters are copied: said, and no tracefile.
"$QUIZ" -k "$ver" -r raw --system sys -p modules --coverage panicked \
	sh -c 'modprobe quiz_cov pick=1; echo c >/proc/sysrq-trigger; sleep 30' </dev/null >out 2>err
is "$?" 125 "a panic in a --coverage run: 125, as without it"
is "$(grep -c '^quiz: --coverage: none: the run ended before its program did (panic)$' err)" 1 \
	"a panic: one line says there is no coverage" "$(grep coverage err)"
[ ! -e panicked/coverage.info ]
ok $? "a panic: no tracefile"

# No counters: a program that loads nothing profiled says so, and keeps its status.
"$QUIZ" -k "$ver" -r raw --coverage none true </dev/null >out 2>err
is "$?" 0 "no counters: the program's status stands"
grep -q '^quiz: --coverage: no counters came back' err
ok $? "no counters: one line says why" "$(cat err)"
[ ! -e none/coverage.info ]
ok $? "no counters: no tracefile pretends otherwise"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
