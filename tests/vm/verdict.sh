#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel's own verdict: a WARN in a passing run fails it (123) with its trace decoded, the
# allow-lists and --splat modes, an oops, a hang's blocked task, a stuck CPU shown by an NMI,
# memory dumps that crash opens; and a program's own "WARNING:" lines change nothing.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
module_src=$(readlink -f "$(dirname "$0")/../modules/splat")
cd "$scratch" || exit 1
ver=$QUIZ_TEST_KERNEL
kbuild=$("$QUIZ_KERNEL_TOOL" path "$ver" kbuild) || { ok 1 "kernel $ver is built"; done_testing; exit; }
kbuild_state() { sha256sum <"$kbuild/Makefile"; ls -l --time-style=+%s.%N "$kbuild" | sha256sum; }
kbuild_before=$(kbuild_state)
build_module "$module_src" "$kbuild" "$scratch/sys"
ok $? "the splat module builds against $ver" "$(tail -n 5 build.log)"
# (7.x's kbuild Makefile names its output folder: the copy must name itself, or the module is
# built into kbuild and rewrites its Makefile)
is "$(kbuild_state)" "$kbuild_before" "building a module leaves the kernel's kbuild as it was"
run() { "$QUIZ" -k "$ver" -r raw --system sys "$@" </dev/null >out 2>err; }
frame='\+0x[0-9a-f]+/0x[0-9a-f]+'
# A lean kernel (quiz-kernel build --no-debug --no-btf: CI's kernel by version word) does not
# panic on an oops (debug.config sets it) and has no DWARF: there an oops is a report (123).
config=$("$QUIZ_KERNEL_TOOL" path "$ver" config)
panics_on_oops=0
grep -qx CONFIG_PANIC_ON_OOPS=y "$config" && panics_on_oops=1
# The kernel's WARNING line: "WARNING: CPU: 0 PID: 31 at FILE:LINE FUNC+0x../0x.. [MOD]" until
# 6.x, "WARNING: FILE:LINE at FUNC+0x../0x.. [MOD], CPU#0: TASK/PID" in 7.x.
warn_title="WARNING: (CPU: 0 PID: [0-9]+ at .*quiz_splat.c:[0-9]+ quiz_splat_warn$frame \[quiz_splat\]|.*quiz_splat.c:[0-9]+ at quiz_splat_warn$frame \[quiz_splat\], CPU#0: [^ ]+/[0-9]+)"

# A WARN while the program passes.
run sh -c 'modprobe quiz_splat do=warn && echo loaded'
is "$?" 123 "a WARN in a passing run: exit 123"
is "$(cat out)" "loaded" "the program's output is its own"
grep -Eq "^quiz: kernel report \(warning\): $warn_title$" err
ok $? "its first line names the kind and the kernel's title" "$(head -n 3 err)"
grep -Eq "^\[ *[0-9.]+\]  quiz_splat_init$frame \[quiz_splat\] \(.*/module.sys/quiz_splat.c:[0-9]+\)$" err
ok $? "the trace is decoded: function+offset and the module's file:line" "$(grep quiz_splat_init err)"
grep -q -- '---\[ end trace' err
ok $? "the whole report is shown"
is "$(tail -n 1 err | cut -c1-60)" "quiz: the program passed, but the kernel did not: exit 123 (" \
	"the last line says why the status is 123"

run --splat=warn sh -c 'modprobe quiz_splat do=warn'
is "$?" 0 "--splat=warn: the program's status"
grep -q '^quiz: kernel report (warning)' err
ok $? "--splat=warn: the report is still shown"
run --splat=ignore sh -c 'modprobe quiz_splat do=warn'
is "$?" 0 "--splat=ignore: the program's status"
is "$(grep -c 'kernel report' err)" 0 "--splat=ignore: no report shown"
run sh -c 'modprobe quiz_splat do=warn; exit 3'
is "$?" 3 "a failing program keeps its own status"
grep -q '^quiz: kernel report (warning)' err
ok $? "and the report is shown"

# Known noise: a WARN an allow-list lets pass, from the command line or a profile.
run sh -c 'modprobe quiz_splat do=noise'
is "$?" 123 "a known-noise WARN fails without an allow-list"
run --splat-allow 'quiz_splat: known noise|quiz_splat_noise' sh -c 'modprobe quiz_splat do=noise'
is "$?" 0 "--splat-allow REGEX lets it pass"
is "$(grep -c 'kernel report' err)" 0 "an allowed report is not shown"
mkdir -p profiles/noisy
printf '[profile]\ndescription = allows the test module noise\nsplat-allow = quiz_splat_noise\n' \
	>profiles/noisy/profile.ini
run --profile-dir profiles -p noisy sh -c 'modprobe quiz_splat do=noise'
is "$?" 0 "a profile's splat-allow lets it pass"
run --profile-dir profiles -p noisy sh -c 'modprobe quiz_splat do=warn'
is "$?" 123 "and nothing else"

# A program's own words are not the kernel's.
printf '#!/bin/sh\necho "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2"\necho "BUG: kernel NULL pointer dereference, address: 0" >&2\necho "[    1.000000] Kernel panic - not syncing: no" >/dev/stderr\n' >words.sh
chmod +x words.sh
run ./words.sh
is "$?" 0 "a program printing a kernel's words passes"
is "$(cat out)" "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2" "stdout byte for byte"
is "$(cat err)" "BUG: kernel NULL pointer dereference, address: 0
[    1.000000] Kernel panic - not syncing: no" "stderr byte for byte, nothing added"

# An oops: quiz kernels panic on oops; a --no-debug one goes on, and the oops is a report.
run sh -c 'modprobe quiz_splat do=oops; echo never'
status=$?
if [ "$panics_on_oops" = 1 ]; then
	is "$status" 125 "an oops: exit 125"
	grep -q '^quiz: the guest kernel panicked: Kernel panic - not syncing: Fatal exception' err
	ok $? "the panic is named" "$(head -n 3 err)"
else
	is "$status" 123 "an oops on a kernel that does not panic on one (--no-debug): a report, 123"
	lacks err '^quiz: the guest kernel panicked' "no panic is claimed"
fi
grep -q '^quiz: kernel report (oops): BUG: kernel NULL pointer dereference' err
ok $? "the oops is reported with its title"
grep -Eq "RIP: 0010:quiz_splat_oops[.a-z0-9]*$frame \[quiz_splat\] \(.*quiz_splat.c:[0-9]+\)" err
ok $? "its RIP line is decoded to the module's function and line" "$(grep RIP: err | head -n 2)"
is "$(grep -c 'last console lines' err)" 0 "the decoded report replaces the console's last lines"

# A hang past -t: the blocked task and where it sleeps.
run -t 4 sh -c 'modprobe quiz_splat do=hang'
is "$?" 124 "a task stuck in D state past -t: exit 124"
grep -q '^quiz: timed out after 4 s' err
ok $? "the timeout is said"
# (quiz_splat_hang, or quiz_splat_init where the compiler inlined it)
grep -Eq "^modprobe \(pid [0-9]+, state D\) in quiz_splat_(hang|init)$frame \[quiz_splat\] \(.*quiz_splat.c:[0-9]+\)$" err
ok $? "the hang summary names the blocked task and its decoded frame" "$(cat err)"

# A CPU spinning with interrupts off: the guest cannot answer, an NMI shows where it is.
if "$QUIZ" -k "$ver" --dry-run true 2>/dev/null | grep -q microvm; then
	run -t 3 sh -c 'modprobe quiz_splat do=spin'
	is "$?" 124 "a CPU stuck with interrupts off: exit 124"
	grep -q '^quiz: the guest did not answer at the timeout; an NMI showed its CPU' err
	ok $? "the NMI is said" "$(head -n 3 err)"
	grep -Eq "RIP: 0010:quiz_splat_spin$frame \[quiz_splat\]" err
	ok $? "the stuck CPU's report shows the spinning function" "$(grep RIP: err | head -n 2)"
fi

# Memory dumps: at the end of a run, and on a panic; crash opens them.
run --dump "$scratch/core" true
is "$?" 0 "--dump: the run's status"
is "$(head -c 4 core | od -An -c | tr -d ' ')" '177ELF' "--dump writes an ELF core"
is "$(ls "$scratch" | grep -c partial)" 0 "no partial dump left"
run --dump "$scratch/no/such/core" true
is "$?" 125 "--dump into a missing folder: 125"
is "$(wc -l <err)" 1 "one line says so: $(cat err)"
run --dump "$scratch" true
is "$?" 125 "--dump FOLDER: 125"
if [ "$panics_on_oops" = 1 ]; then
	run --dump-on-panic "$scratch/vmcore" sh -c 'modprobe quiz_splat do=oops'
else
	run --dump-on-panic "$scratch/vmcore" sh -c 'echo c >/proc/sysrq-trigger' # panics anyway
fi
is "$?" 125 "--dump-on-panic: the panic's 125"
grep -q "^quiz: the guest's memory is in $scratch/vmcore; open it with: crash .*vmlinux $scratch/vmcore" err
ok $? "the dump is named with the crash command" "$(tail -n 2 err)"
vmlinux=$("$QUIZ_KERNEL_TOOL" path "$ver" vmlinux)
if readelf -S "$vmlinux" | grep -q debug_info && command -v crash >/dev/null; then
	release=$("$QUIZ_KERNEL_TOOL" list | awk -v v="$ver" '$1 ~ "^" v "[.]" {print $1; exit}')
	crash -s "$vmlinux" vmcore <<<sys >crash.out 2>&1
	grep -Eq "RELEASE: $release\$" crash.out
	ok $? "crash opens the dump: RELEASE $release" "$(tail -n 5 crash.out)"
	grep -Eq 'PANIC: "(Oops: |Kernel panic - not syncing: (Fatal exception|sysrq triggered crash))' crash.out
	ok $? "crash finds the panic" "$(grep PANIC crash.out)"
elif ! grep -qx 'CONFIG_DEBUG_INFO=y' "$config"; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP crash opens the dump: kernel $ver was built without DWARF (--no-btf)"
elif [ "${QUIZ_VM_MUST_WORK:-0}" = 1 ]; then
	ok 1 "crash opens the dump (needs a $ver kernel with DWARF and crash installed)"
else
	echo "# $vmlinux has no DWARF (or crash is missing): the crash check did not run"
fi

# Reports: a splat is its own result, with the report in the failure text.
"$QUIZ" -k "$ver" --system sys --junit "$scratch/j.xml" --tap sh -c 'modprobe quiz_splat do=warn' \
	</dev/null >tap 2>err
is "$?" 123 "a matrix of one with a splat exits 123"
release_re=$(sed -n 's/^release=//p' "$("$QUIZ_KERNEL_TOOL" path "$ver")/info" | sed 's/[.+]/\\&/g')
grep -Eq "^not ok 1 - [^ ]+ \($release_re\): splat\$" tap
ok $? "TAP: not ok ...: splat" "$(head -n 3 tap)"
grep -Eq "^    quiz: kernel report \(warning\): $warn_title$" tap && grep -q 'quiz_splat_init+0x' tap
ok $? "TAP: the report and its trace in the YAML block"
grep -Eq '<failure message="exit status 123" type="splat">quiz: kernel report \(warning\): WARNING: ' j.xml
ok $? "JUnit: a failure of type splat quoting the report" "$(grep -A2 '<failure' j.xml)"
printf '[a]\nkernel = %s\nprogram = true\n[b]\nkernel = %s\nprogram = true\n' "$ver" "$ver" >two.ini
"$QUIZ" --targets two.ini --dump "$scratch/core2" </dev/null >out 2>err
is "$?" 125 "--dump with several runs: 125"
is "$(cat err)" "quiz: --dump takes one run, and these are 2; run the one to dump by itself" \
	"one line says why"

# The other kernels: a WARN fails a passing run there too, decoded against their own vmlinux.
for other in ${QUIZ_TEST_KERNELS:-6.1 6.12}; do
	[ "$other" = "$ver" ] && continue
	okb=$("$QUIZ_KERNEL_TOOL" path "$other" kbuild) || { ok 1 "kernel $other is built"; continue; }
	rm -rf sys2 && build_module "$module_src" "$okb" "$scratch/sys2"
	ok $? "the splat module builds against $other" "$(tail -n 5 build.log)"
	"$QUIZ" -k "$other" -r raw --system sys2 sh -c 'modprobe quiz_splat do=warn' </dev/null >out 2>err
	is "$?" 123 "$other: a WARN in a passing run: exit 123"
	grep -Eq "quiz_splat_init$frame \[quiz_splat\] \(.*/module.sys2/quiz_splat.c:[0-9]+\)$" err
	ok $? "$other: the trace is decoded" "$(grep -m3 quiz_splat err)"
done

# Bad input: one line, nothing booted.
"$QUIZ" -k "$ver" --splat=sometimes true </dev/null >out 2>err
is "$?" 125 "--splat=sometimes: 125"
is "$(cat err)" "quiz: --splat sometimes: expected fail, warn or ignore" "with a one-line error"
"$QUIZ" -k "$ver" --splat-allow '(' true </dev/null >out 2>err
is "$?" 125 "a bad --splat-allow regex: 125"
is "$(wc -l <err)" 1 "one line: $(cat err)"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
