#!/bin/bash
# SPDX-License-Identifier: MIT
# The accelerator by proof: QEMU wrappers that fail like broken KVM hosts (an abort on
# -accel kvm, a guest stopped on a KVM internal error), that play a working KVM and a slow
# one; the verdict, its notice said once, its cache, QUIZ_ACCEL, --doctor.
. "$(dirname "$0")/lib.sh"
need_vm
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
real_qemu=$(command -v qemu-system-x86_64)
cd "$scratch" || exit 1
mkdir -p "$home/accel"
ls "$home/accel" >verdicts.before
# Verdicts are per QEMU binary: each wrapper here gets its own; they go at the end.
trap 'ls "$home/accel" | grep -vxF -f "$scratch/verdicts.before" | sed "s|^|$home/accel/|" |
	xargs -r rm -f; rm -rf "$scratch"' EXIT
# A /dev/kvm stand-in that opens on any host, so that quiz probes.
export QUIZ_KVM_DEVICE=/dev/null

# wrapper NAME BODY: a QEMU that logs each start's accelerator to NAME.log, then runs BODY
# with $kvm set (1 when asked for -accel kvm) and the arguments in "$@".
wrapper() {
	cat >"$1" <<EOF
#!/bin/bash
kvm=0 prev= probe=1
for a; do
	[ "\$prev" = -accel ] && [ "\$a" = kvm ] && kvm=1
	[ "\$a" = -drive ] && probe=0
	prev=\$a
done
echo "\$( [ \$kvm = 1 ] && echo kvm || echo tcg)\$( [ \$probe = 1 ] && echo -probe)" >>"$scratch/$1.log"
as_tcg() { # the same QEMU under TCG, for a "KVM" that works
	local out=() prev=
	for a; do
		if [ "\$prev" = -accel ] && [ "\$a" = kvm ]; then a=tcg; fi
		if [ "\$prev" = -cpu ] && [ "\$a" = host ]; then a=max; fi
		out+=("\$a"); prev=\$a
	done
	exec "$real_qemu" "\${out[@]}"
}
$2
exec "$real_qemu" "\$@"
EOF
	chmod +x "$1"
}
wrapper abort-kvm 'if [ $kvm = 1 ]; then
	echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2
	echo "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: Assertion failed." >&2
	kill -ABRT $$
fi'
wrapper hang-kvm 'if [ $kvm = 1 ]; then
	printf "KVM internal error. Suberror: 1\nemulation failure\n" >&2
	exec -a "$0 (stuck)" sleep 1000 # named for pgrep -f: a leftover is found
fi'
wrapper works-kvm 'if [ $kvm = 1 ]; then as_tcg "$@"; fi
[ $probe = 1 ] && sleep 2 # this host'"'"'s TCG: slower than its "KVM"'
wrapper slow-kvm 'if [ $kvm = 1 ]; then sleep 2; as_tcg "$@"; fi'

q() { # WRAPPER ARGS...: a run with that QEMU, stdout to out, stderr to err, its time in secs
	local w=$1 start
	shift
	start=$(date +%s)
	QUIZ_QEMU=$scratch/$w "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw "$@" </dev/null >out 2>err
	status=$?
	secs=$(($(date +%s) - start))
}
count() { grep -c "^$2\$" "$1.log" 2>/dev/null || true; }

# A KVM that aborts QEMU (failed to set MSR): the probe catches it, TCG runs the program.
q abort-kvm sh -c 'echo hi; exit 3'
is "$status" 3 "KVM aborts QEMU: the run still gives the program's status"
is "$(cat out)" hi "and its output"
is "$(cat err)" "quiz: using TCG (slow): KVM failed a probe boot on this host: QEMU aborted: failed to set MSR 0x10a to 0x69; QUIZ_ACCEL=kvm forces KVM, quiz --doctor tells more" \
	"the notice: one line, the reason, the override"
is "$(count abort-kvm kvm-probe) $(count abort-kvm tcg)" "1 1" \
	"one KVM probe, then the run under TCG"
q abort-kvm sh -c 'exit 4'
is "$status" 4 "the second run works"
is "$(cat err)" "" "and says nothing: the notice came once"
is "$(count abort-kvm kvm-probe)" 1 "the second run does not probe: the verdict is cached"
q abort-kvm -v true
grep -q '^quiz: accelerator: tcg: KVM failed a probe boot on this host: QEMU aborted: failed to set MSR 0x10a to 0x69 (verdict of .*, cached in ' err
ok $? "-v names the accelerator and why" "$(grep accelerator err)"
q abort-kvm --doctor
is "$status" 0 "--doctor on that host: a run can work"
grep -q '^note    accelerator: tcg: KVM failed a probe boot on this host: QEMU aborted' out
ok $? "--doctor shows the verdict of a fresh probe" "$(cat out)"
is "$(count abort-kvm kvm-probe)" 2 "--doctor probes again"

# QUIZ_ACCEL=kvm on it: a clear 125 at once.
QUIZ_ACCEL=kvm q abort-kvm true
is "$status" 125 "QUIZ_ACCEL=kvm where KVM aborts QEMU: 125"
is "$(tail -n 1 err)" "quiz: KVM failed on this host (QEMU aborted: failed to set MSR 0x10a to 0x69); QUIZ_ACCEL=kvm forces it: unset it to let quiz choose, or set QUIZ_ACCEL=tcg" \
	"the message says what failed and what to do"
before=$(count abort-kvm kvm)
QUIZ_ACCEL=tcg q abort-kvm sh -c 'exit 6'
is "$status $(count abort-kvm kvm)" "6 $before" "QUIZ_ACCEL=tcg never starts KVM"
is "$(cat err)" "" "and says nothing"
QUIZ_ACCEL=bogus q abort-kvm true
is "$status" 125 "QUIZ_ACCEL=bogus is refused"
is "$(cat err)" "quiz: QUIZ_ACCEL=bogus: expected auto, kvm or tcg" "with the values it takes"

# A KVM that stops the guest (KVM internal error) and leaves QEMU waiting.
q hang-kvm sh -c 'echo ok; exit 7'
is "$status" 7 "KVM stops the guest: the run still gives the program's status"
ok "$([ "$secs" -lt 30 ]; echo $?)" "without waiting out the hang (took ${secs}s)"
grep -q '^quiz: using TCG (slow): KVM failed a probe boot on this host: KVM internal error. Suberror: 1;' err
ok $? "the notice names the KVM internal error" "$(cat err)"
QUIZ_ACCEL=kvm q hang-kvm true
is "$status" 125 "QUIZ_ACCEL=kvm where KVM stops the guest: 125"
ok "$([ "$secs" -lt 30 ]; echo $?)" "within seconds, not a hang (took ${secs}s)"
grep -q 'quiz: KVM failed on this host (KVM internal error. Suberror: 1); QUIZ_ACCEL=kvm forces it' err
ok $? "the message says so" "$(tail -n 2 err)"
is "$(pgrep -f "$scratch/hang-kvm" | wc -l)" 0 "no QEMU left behind"

# A KVM that works and is faster than TCG: KVM, silently, proven once.
q works-kvm sh -c 'echo fine; exit 8'
is "$status $(cat out)" "8 fine" "a working KVM runs the program"
is "$(cat err)" "" "and says nothing"
is "$(count works-kvm kvm-probe) $(count works-kvm tcg-probe) $(count works-kvm kvm)" "1 1 1" \
	"one KVM probe, one TCG probe (KVM was not clearly fast), the run under KVM"
q works-kvm -v true
grep -q '^quiz: accelerator: kvm: KVM booted the probe in [0-9]* ms (TCG [0-9]* ms) (verdict of' err
ok $? "-v: KVM, with both probe times" "$(grep accelerator err)"
is "$(count works-kvm kvm-probe)" 1 "no probe on later runs"

# A KVM slower than TCG: TCG, said once.
q slow-kvm true
is "$status" 0 "a slow KVM: the run works"
grep -q '^quiz: using TCG (slow): KVM booted the probe in [0-9]* ms, slower than TCG.s [0-9]* ms;' err
ok $? "the notice compares the two" "$(cat err)"
is "$(count slow-kvm kvm)" 0 "the run itself is not under KVM"

# No KVM device at all: TCG, no probe, no notice; -v says why.
QUIZ_KVM_DEVICE=$scratch/no-such-device q abort-kvm -v true
is "$status $(count abort-kvm kvm-probe)" "0 2" "no KVM device: TCG, no probe"
grep -q "^quiz: accelerator: tcg: no KVM on this host ($scratch/no-such-device: No such file or directory)" err
ok $? "-v says there is no KVM" "$(grep accelerator err)"
is "$(grep -c 'using TCG' err)" 0 "no notice"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
