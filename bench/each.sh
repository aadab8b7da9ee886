#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-test VMs against one VM (issue 30): the kernel's selftests from linux-source-6.1 (the
# collections CI builds, proc sigaltstack size kcmp, plus timers exec futex splice: about 50
# tests), built once on the host into QUIZ_HOME/suites/kselftest-6.1-bench/, run
#   one VM:        quiz -k 6.1 -r raw -t 1800 ./run_kselftest.sh
#   per-test VMs:  quiz -k 6.1 -j N -t 300 --each --results DIR ./run_kselftest.sh
# with each run's wall time, its counts and the peak host memory of quiz's whole process tree
# (quiz, its children, QEMU: the sum of their Pss, and of their VmRSS, sampled every 0.2 s).
#
# What it prints, one number a line as "name: value unit":
#   ratio = per-test wall / one-VM wall (issue 30's target: at most 1.2 with -j 2 on 2 cores).
#   per-test VM overhead, two ways: each_overhead = (N x per-test wall - one-VM wall) / tests,
#     the machine time each test's own VM adds if N slots were busy all the time (it counts the
#     VMs' boots and teardowns, the list VM, retries, the slots' contention and the tail where
#     fewer than N tests are left); each_vm_overhead = (the tests' VM times from summary.json,
#     summed - one-VM wall) / tests, what a test's own VM costs over its share of the one VM
#     (boot, teardown, contention; not the list VM, nor a retried test's earlier attempts).
#     Both take the one VM's wall for the tests' own time (it has one boot of its own).
#   memory: the peak of one per-test run (-j 1, one test: --one C:T, default a timers test
#     that runs for seconds: a sample at 0.2 s catches its plateau) and of the -j N run, and
#     the -j N peak over N x the one run's (target: at most 1); also the largest single run
#     seen inside each run (a subtree under quiz), the -j N peak over N x that one, and quiz's
#     own share. A VM's memory depends on its test (under TCG QEMU's translation cache grows
#     with the code the guest runs, up to 1 GiB; a VM restored from a saved state has its whole
#     guest RAM resident): the one-test run is a floor, the largest run in the -j N run a
#     fairer "one run".
# --cold adds the per-test run with --cold (each VM booted, not restored from its saved state):
# what the saved states buy. A benchmark, not a test: it never fails on a slow day, only when
# a run it measures does not run at all (quiz fails, or no test is reported).
#
# --own-image runs on a copy of the guest image (in the temp folder) with this build's init1:
# quiz builds in other folders (worktrees) that share the cache each refresh the image's init1
# to their own, which voids every saved state, so a run beside theirs would boot cold.
#
# Usage: bench/each.sh [-j N] [-k VER] [-c COLLECTION]... [--one C:T] [--cold] [--keep DIR]
#                      [--own-image] [--build DIR] [--build-only]
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
collections=(proc sigaltstack size kcmp timers exec futex splice)
suite=$home/suites/kselftest-6.1-bench
jobs=2 kernel=6.1 one=timers:posix_timers cold=0 keep="" build=$root/build build_only=0 own_image=0
selected=()

die() {
	echo "each.sh: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=${2:?-j N}; shift 2 ;;
	-k) kernel=${2:?-k VER}; shift 2 ;;
	-c) selected+=("${2:?-c COLLECTION}"); shift 2 ;;
	--one) one=${2:?--one COLLECTION:TEST}; shift 2 ;;
	--cold) cold=1; shift ;;
	--keep) keep=${2:?--keep DIR}; shift 2 ;;
	--build) build=${2:?--build DIR}; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--own-image) own_image=1; shift ;;
	-h | --help) sed -n '3,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j $jobs: give a number of jobs, 1 or more"
[ -d "$build" ] || die "--build $build: no such folder"
build=$(cd "$build" && pwd)
quiz=$build/runner/quiz
[ -x "$quiz" ] || [ "$build_only" = 1 ] || die "no $quiz: build quiz first (meson setup build && ninja -C build), or give --build DIR"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/quiz-bench-each.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The suite, built once: from the 6.1 source quiz-kernel unpacked, else from the parts of
# Debian's tarball the selftests need (as tests/vm/selftests.sh); built and installed in a
# sibling folder, renamed into place, stamped last.
build_suite() {
	local src want stage
	src=$(ls -d "$home"/src/linux-source-6.1-*/ 2>/dev/null | head -n1)
	want="collections=${collections[*]} source=${src:-/usr/src/linux-source-6.1.tar.xz}"
	[ -f "$suite/.stamp" ] && [ "$(cat "$suite/.stamp")" = "$want" ] && return 0
	mkdir -p "$home/suites" || return 1
	stage=$(mktemp -d "$home/suites/.kselftest-6.1-bench.XXXXXX") || return 1
	trap 'rm -rf "$tmp" "$stage"' EXIT
	if [ -z "$src" ]; then
		[ -f /usr/src/linux-source-6.1.tar.xz ] ||
			die "no 6.1 source: run quiz-kernel build 6.1, or apt-get install linux-source-6.1"
		tar -xf /usr/src/linux-source-6.1.tar.xz -C "$stage" --wildcards \
			'linux-source-6.1/tools/*' 'linux-source-6.1/include/*' 'linux-source-6.1/usr/*' \
			'linux-source-6.1/scripts/*' 'linux-source-6.1/arch/x86/include/*' \
			'linux-source-6.1/Makefile' || die "cannot extract the selftests from the 6.1 tarball"
		src=$stage/linux-source-6.1
	fi
	echo "building the selftests (${collections[*]}) from $src" >&2
	if ! make -s -j "$(nproc)" -C "$src/tools/testing/selftests" TARGETS="${collections[*]}" \
		O="$stage/objects" install INSTALL_PATH="$stage/suite" >"$stage/build.log" 2>&1; then
		tail -n 20 "$stage/build.log" >&2
		die "the selftests did not build (the log's end above)"
	fi
	rm -rf "$suite" && mv "$stage/suite" "$suite" && echo "$want" >"$suite/.stamp" || return 1
	rm -rf "$stage"
	trap 'rm -rf "$tmp"' EXIT
}

# Runs argv with stdin from /dev/null, stdout and stderr to OUT.stdout and OUT.stderr, as a
# subreaper (QEMU stays in the tree whoever forks it), sampling every 0.2 s. Prints "wall rc
# pss rss run_pss quiz_pss left": seconds, exit status; the peaks (KiB) of the tree's Pss sum,
# of its VmRSS sum, of the largest subtree under quiz (one run: its QEMU, or the child that
# runs one) and of quiz's own Pss; processes still running when quiz exited (then killed).
measure() {
	python3 - "$@" <<'PY'
import ctypes, os, signal, subprocess, sys, time
out, argv = sys.argv[1], sys.argv[2:]
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER

def children():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            kids.setdefault(int(s[s.rindex(")") + 2:].split()[1]), []).append(int(d))
    return kids

def subtree(pid, kids):
    todo, found = [pid], []
    while todo:
        p = todo.pop()
        found.append(p)
        todo += kids.get(p, [])
    return found

def field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0

def pss(pid):
    return field(f"/proc/{pid}/smaps_rollup", "Pss:")

with open(out + ".stdout", "wb") as o, open(out + ".stderr", "wb") as e:
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    stopped = []
    def stop(sig, _):
        stopped.append(sig)
        proc.send_signal(sig)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    peak = [0, 0, 0, 0]
    while proc.poll() is None:
        kids = children()
        own = {p: pss(p) for p in subtree(os.getpid(), kids)[1:]}
        runs = [sum(own.get(q, 0) for q in subtree(c, kids)) for c in kids.get(proc.pid, [])]
        now = [sum(own.values()), sum(field(f"/proc/{p}/status", "VmRSS:") for p in own),
               max(runs, default=0), own.get(proc.pid, 0)]
        peak = [max(a, b) for a, b in zip(peak, now)]
        time.sleep(0.2)
    wall = time.monotonic() - start
left = subtree(os.getpid(), children())[1:]
for p in left:
    try:
        os.kill(p, signal.SIGKILL)
    except OSError:
        pass
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(f"{wall:.1f} {proc.returncode}", *peak, len(left), flush=True)
if stopped:  # die of it, as quiz did: the shell's trap then runs
    signal.signal(stopped[0], signal.SIG_DFL)
    os.kill(os.getpid(), stopped[0])
PY
}

# "name: value unit" lines.
say() { printf '%s: %s\n' "$1" "$2"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB\n", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "-" }'; }

# One measured quiz run, NAME (from the suite's folder): its wall time, exit status and peak
# memory printed and kept in wall[NAME] rc[NAME] pss[NAME] rss[NAME] run_pss[NAME]; a run that
# leaves processes behind is said.
declare -A wall rc pss rss run_pss
run_measured() {
	local name=$1 quiz_pss left status
	shift
	# In the foreground: a Ctrl-C reaches quiz, the sampler waits for it and dies of it, then us.
	measure "$out/$name" "$@" >"$out/$name.measured"
	status=$?
	[ "$status" -le 128 ] || exit "$status"
	[ "$status" = 0 ] || die "$name: the sampler failed"
	read -r "wall[$name]" "rc[$name]" "pss[$name]" "rss[$name]" "run_pss[$name]" quiz_pss left \
		<"$out/$name.measured"
	say "${name}_wall" "${wall[$name]} s"
	say "${name}_exit" "${rc[$name]}"
	say "${name}_peak_pss" "$(mib "${pss[$name]}") (quiz's process tree, summed)"
	say "${name}_peak_rss" "$(mib "${rss[$name]}")"
	say "${name}_peak_pss_one_run" "$(mib "${run_pss[$name]}") (the largest subtree under quiz)"
	say "${name}_peak_pss_quiz" "$(mib "$quiz_pss") (quiz itself)"
	say "${name}_load_after" "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
	[ "$left" = 0 ] || say "${name}_left_running" "$left processes (killed)"
}

# The per-test results from --results DIR/summary.json: "RESULT count" lines, then "runs N"
# (VMs started: retries count), "seconds S" (the tests' VM times, the last attempt of each).
each_counts() {
	python3 - "$1" <<'PY'
import collections, json, sys
with open(sys.argv[1]) as f:
    runs = json.load(f)["runs"]
n = collections.Counter(r["result"] for r in runs)
for k in sorted(n):
    print(k, n[k])
print("runs", sum(r.get("attempts", 1) for r in runs))
print("seconds", f'{sum(r["seconds"] for r in runs):.1f}')
PY
}

build_suite || die "cannot build the suite in $suite"
count=$(grep -c . "$suite/kselftest-list.txt")
if [ "$build_only" = 1 ]; then
	echo "$suite"
	say tests "$count"
	exit 0
fi
out=${keep:-$tmp/out}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
args=()
for c in "${selected[@]}"; do args+=(-c "$c"); done
if [ ${#selected[@]} -gt 0 ]; then
	count=$(grep -cE "^($(IFS='|'; echo "${selected[*]}")):" "$suite/kselftest-list.txt")
fi
unset QUIZ_COLD # warm is quiz's default, whatever the caller's setting
if [ "$own_image" = 1 ]; then
	image=$home/images/bookworm-amd64.ext2
	if ! mkdir -p "$tmp/home/images" ||
		! cp --sparse=always "$image" "$image.info" "$tmp/home/images/" ||
		! QUIZ_HOME=$tmp/home "$root/tools/quiz-image" refresh-init1 \
			--init1 "$build/guest-init/quiz-init" >/dev/null; then
		die "cannot make a copy of $image with this build's init1"
	fi
	export QUIZ_IMAGE=$tmp/home/images/bookworm-amd64.ext2
fi

say machine "$(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)"
cd "$suite" || exit 1 # the warm-up runs' layout is the one-VM run's: the state it saves
accel=$("$quiz" -k "$kernel" -v -r raw true 2>&1 </dev/null | sed -n 's/.*accelerator: \([a-z]*\).*/\1/p' | head -n1)
"$quiz" -k "$kernel" -r raw true </dev/null >/dev/null 2>&1 # the second run saves the state
say accelerator "${accel:-unknown}"
say suite "$suite"
say tests "$count"
say load_before "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# The whole suite in one VM; its counts from the runner's top-level TAP lines.
run_measured one_vm "$quiz" -k "$kernel" -r raw -t 1800 ./run_kselftest.sh "${args[@]}"
tap=$out/one_vm.stdout
ok=$(grep -cE '^ok [0-9]+ selftests: ' "$tap")
notok=$(grep -cE '^not ok [0-9]+ selftests: ' "$tap")
skip=$(grep -cE '^ok [0-9]+ selftests: .*# SKIP' "$tap")
say one_vm_ok "$((ok - skip))"
say one_vm_not_ok "$notok"
say one_vm_skip "$skip"
case ${rc[one_vm]} in 124 | 125) die "one_vm: quiz exited ${rc[one_vm]}: $(tail -n 3 "$out/one_vm.stderr")" ;; esac
[ $((ok + notok)) -gt 0 ] || die "one_vm: no test reported: $(tail -n 3 "$out/one_vm.stderr")"

# Per-test VMs: NAME, then quiz's options before --each.
declare -A vm_seconds
per_test() {
	local name=$1 what n reported=0
	shift
	rm -rf "$out/$name.results"
	run_measured "$name" "$quiz" -k "$kernel" "$@" -t 300 --each --results "$out/$name.results" \
		./run_kselftest.sh "${args[@]}"
	[ -f "$out/$name.results/summary.json" ] ||
		die "$name: quiz exited ${rc[$name]} without a summary.json: $(tail -n 3 "$out/$name.stderr")"
	each_counts "$out/$name.results/summary.json" >"$out/$name.counts" ||
		die "$name: cannot read $out/$name.results/summary.json"
	while read -r what n; do
		case $what in
		runs) say "${name}_vms" "$n (one a test, one more for each retry; the list VM apart)" ;;
		seconds) vm_seconds[$name]=$n && say "${name}_vm_seconds" "$n s (the tests' VMs' times, summed)" ;;
		*) say "${name}_$what" "$n" && reported=$((reported + n)) ;;
		esac
	done <"$out/$name.counts"
	[ "$reported" -gt 0 ] || die "$name: no test reported"
}

per_test each -j "$jobs"
say ratio_each_to_one_vm "$(ratio "${wall[each]}" "${wall[one_vm]}")"
say each_overhead "$(awk -v w="${wall[each]}" -v j="$jobs" -v o="${wall[one_vm]}" -v n="$count" \
	'BEGIN { printf "%.2f", (w * j - o) / n }') s a test ((N x per-test wall - one-VM wall) / tests)"
say each_vm_overhead "$(awk -v s="${vm_seconds[each]}" -v o="${wall[one_vm]}" -v n="$count" \
	'BEGIN { printf "%.2f", (s - o) / n }') s a test ((the tests' VM times summed - one-VM wall) / tests)"

# Memory: one per-test VM at a time, one test, against the -j N run's peak.
args_saved=("${args[@]}") && args=(-t "$one")
per_test single -j 1
args=("${args_saved[@]}")
say "each_peak_pss_over_${jobs}x_single" "$(ratio "${pss[each]}" "$((pss[single] * jobs))")"
say "each_peak_rss_over_${jobs}x_single" "$(ratio "${rss[each]}" "$((rss[single] * jobs))")"
say "each_peak_pss_over_${jobs}x_largest_run" "$(ratio "${pss[each]}" "$((run_pss[each] * jobs))")"

if [ "$cold" = 1 ]; then
	per_test cold -j "$jobs" --cold
	say ratio_cold_to_warm "$(ratio "${wall[cold]}" "${wall[each]}")"
	say ratio_cold_to_warm_peak_pss "$(ratio "${pss[cold]}" "${pss[each]}")"
else
	say cold "skipped (--cold runs it)"
fi
