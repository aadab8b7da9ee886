#!/bin/bash
# SPDX-License-Identifier: MIT
# The cache trusts only what the user alone could have put there. Saved VM states (made and
# restored through the fake QEMU's park point and monitor) and accelerator verdicts: private
# modes whatever the umask, no link followed where quiz writes, a state or a verdict in a folder
# another user owns or may write to ignored with one line (the run boots cold, or probes); a
# state whose boot printed a kernel report is never kept; the TSC rate in QEMU's command line
# (part of a state's key) does not move with the CPU's current clock.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1
umask 002 # a cache shared by a group (a CI cache): what quiz makes must be private anyway

base_home=$QUIZ_HOME # lib.sh's: one kernel; each case gets a copy, its own states
new_home() { # new_home NAME: QUIZ_HOME=a copy of the base cache
	rm -rf "${scratch:?}/$1"
	cp -a "$base_home" "$scratch/$1"
	export QUIZ_HOME=$scratch/$1
}
boot='console [    0.100000] booting'
export FAKE_QEMU_SCENARIO="$boot;park;text stdout hi;status 0"
n=0
run_env=() # env(1)'s words before quiz
run() { # run [QUIZ OPTIONS]: quiz -v true; out, err, rc and the fake QEMU's log (log) of it
	n=$((n + 1))
	export FAKE_QEMU_LOG_DIR=$scratch/qemu-log.$n
	mkdir -p "$FAKE_QEMU_LOG_DIR"
	env ${run_env[@]+"${run_env[@]}"} "$QUIZ" -v "$@" true >out 2>err
	echo $? >rc
	cat "$FAKE_QEMU_LOG_DIR"/qemu.* >log 2>/dev/null
}
said() { sed -n 's/^quiz: VM state: //p' err; } # what -v said of the state
stem() { sed -n 's/^quiz: VM state: none at \(.*\)\.state; .*/\1/p' err; } # the slot's files, less the suffix
restored() { grep -qx 'arg -incoming' log && grep -q '^incoming fake-state' log; }
ignored() { grep ' ignored: ' err; } # the lines that say something was ignored
modes() { local f; for f; do stat -c '%a' "$f"; done | paste -sd' '; }

# --- private modes, and the states' round trip through the fake QEMU ---
new_home modes
run
s=$(stem)
case $(said) in "none at $s.state; a cold boot: the first run of this kernel and layout"*) r=0 ;; *) r=1 ;; esac
ok $r "the first run of a layout boots cold" "$(said)"
FAKE_QEMU_STATE=one run
case $(said) in "saved to $s.state ("*) r=0 ;; *) r=1 ;; esac
ok $r "the second run saves its state" "$(said)"
ok "$(grep -q '^qmp migrate fd:quiz-state$' log; echo $?)" \
	"QEMU migrates into a descriptor quiz made and handed over (getfd, fd:NAME), no path" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
is "$(cat "$s.state")" "fake-state one" "the state is QEMU's bytes"
run
is "$(said)" "restored from $s.state" "the next run restores it"
restored
ok $? "QEMU reads it from descriptor 3 (-incoming fd:3)" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
is "$(head -n 1 out)$(cat rc)" "hi0" "the program's output and status"
is "$(modes "$QUIZ_HOME/states" "$QUIZ_HOME/runs")" "700 700" \
	"the states and runs folders are 0700 under umask 002"
is "$(modes "$s.state" "$s.console" "$s.seen")" "600 600 600" \
	"the state, its console and the .seen mark are 0600"
is "$(find "$QUIZ_HOME/states" -name '*.tmp' | wc -l)" 0 "no temporary file is left"

# --- links planted where quiz writes are never followed ---
new_home links
run
s=$(stem)
rm -f "$s.seen"
ln -s "$scratch/seen-target" "$s.seen" # dangling: a write through it would make the target
run
ok "$([ ! -e "$scratch/seen-target" ]; echo $?)" "a link planted at the .seen mark is not followed"
ok "$([ -f "$s.seen" ] && [ ! -L "$s.seen" ]; echo $?)" "the mark replaces the link"
# The temporaries' names were the PID's (NAME.console.PID.tmp, NAME.state.PID.tmp): links at the
# next few thousand PIDs, made by one process so that quiz's PID comes after them.
echo precious >"$scratch/console-target"
echo precious >"$scratch/state-target"
python3 - "$s" "$scratch" <<'EOF'
import os, sys
stem, scratch = sys.argv[1], sys.argv[2]
last = int(open("/proc/sys/kernel/ns_last_pid").read())
for pid in range(last + 1, last + 5000):
    os.symlink(scratch + "/console-target", "%s.console.%d.tmp" % (stem, pid))
    os.symlink(scratch + "/state-target", "%s.state.%d.tmp" % (stem, pid))
EOF
run
case $(said) in "saved to $s.state ("*) r=0 ;; *) r=1 ;; esac
ok $r "a save among links planted at predictable temporary names" "$(said)"
is "$(cat "$scratch/console-target") $(cat "$scratch/state-target")" "precious precious" \
	"no link planted at a temporary name is written through"

# --- a state in a folder others may write to, or another user owns, is ignored ---
new_home shared
run
s=$(stem)
states=$QUIZ_HOME/states
run
run
ok "$(restored; echo $?)" "a saved state restores" "$(said)"
chmod 775 "$states"
run
is "$(ignored)" \
	"quiz: saved VM states in $states ignored: it is writable by others (mode 0775); make it private: chmod 700 $states" \
	"a group-writable states folder: one line says it is ignored, why, and the fix"
ok "$(! restored; echo $?)" "and the run boots cold (QEMU has no -incoming)" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
is "$(said)" "none at $s.state; a cold boot: its folder is not private (see above)" "-v says why"
is "$(head -n 1 out)$(cat rc)" "hi0" "the run itself goes on"
is "$(find "$states" -name '*.state' | wc -l)" 1 "the ignored state is left as it was"
chmod 700 "$states"
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$states"
	run
	is "$(ignored)" \
		"quiz: saved VM states in $states ignored: it belongs to uid 65534, not to you (uid 0); remove it: rm -r $states" \
		"another user's states folder (0700 as it is): ignored, one line"
	ok "$(! restored; echo $?)" "and the run boots cold" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
	chown 0 "$states"
else
	echo "ok $((tap_n += 1)) - # SKIP another user's folder: chown needs root"
	echo "ok $((tap_n += 1)) - # SKIP (the same)"
fi
mv "$s.state" "$scratch/elsewhere.state"
ln -s "$scratch/elsewhere.state" "$s.state"
run
is "$(ignored)" \
	"quiz: saved VM states in $states ignored: $s.state is not a regular file; remove it: rm $s.state" \
	"a state that is a link: ignored, one line"
ok "$(! restored; echo $?)" "and not restored" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
rm "$s.state"
mv "$scratch/elsewhere.state" "$s.state"
chmod 664 "$s.console"
run
is "$(ignored)" \
	"quiz: saved VM states in $states ignored: $s.console is writable by others (mode 0664); make it private: chmod 600 $s.console" \
	"a group-writable console: ignored, one line"
ok "$(! restored; echo $?)" "and not restored" "$(grep -E "^(arg -incoming|incoming|qmp)" log)"
chmod 600 "$s.console"
run
ok "$(restored; echo $?)" "made private again, the state restores" "$(said)"

# --- a boot that printed a kernel report is never kept ---
new_home splat
export FAKE_QEMU_SCENARIO="$boot;console [    0.200000] WARNING: CPU: 0 PID: 1 at kernel/fake.c:1 fake_init+0x0/0x10;console [    0.200001] ---[ end trace 0000000000000000 ]---;park;text stdout hi;status 0"
run
s=$(stem)
run
is "$(said)" "not saved: its boot printed a kernel report (warning)" \
	"a save whose boot console holds a WARN is not kept (-v says so)"
is "$(find "$QUIZ_HOME/states" -type f ! -name '*.seen' | paste -sd' ')" "" \
	"nothing of it is left (no state, console or temporary)"
run
ok "$(! restored; echo $?)" "the next run boots cold, not from it" "$(said)"
export FAKE_QEMU_SCENARIO="$boot;park;text stdout hi;status 0"

# --- the accelerator verdict: private, and ignored where others may write ---
new_home accel
touch "$scratch/kvm" # a /dev/kvm that opens: the first run probes (the fake QEMU fails it: TCG)
run_env=(-u QUIZ_ACCEL QUIZ_KVM_DEVICE="$scratch/kvm")
run --cold
verdict=$(ls "$QUIZ_HOME"/accel/*)
grep -q '^quiz: accelerator: tcg: .*(probed now)' err
ok $? "a first run probes" "$(grep accelerator err)"
is "$(modes "$QUIZ_HOME/accel" "$verdict")" "700 600" "the verdict's folder is 0700, the verdict 0600"
sed -i 's/^accel=.*/accel=kvm/; s/^reason=.*/reason=planted/' "$verdict"
chmod 775 "$QUIZ_HOME/accel"
run --cold
grep -qx "quiz: accelerator verdicts in $QUIZ_HOME/accel ignored: it is writable by others (mode 0775); make it private: chmod 700 $QUIZ_HOME/accel" err
ok $? "a verdict in a group-writable folder is ignored, one line" "$(cat err)"
grep -q '^quiz: accelerator: tcg: .*(probed now)' err
ok $? "and the run probes again instead" "$(grep accelerator err)"
is "$(grep -c 'ignored' err)" 1 "said once"
run_env=()

# --- the TSC rate does not move with the CPU's clock (a cpufreq driver's "cpu MHz") ---
# /proc/cpuinfo and cpu0's sysfs folder replaced in a mount namespace of the run's own.
mkdir -p cpu0-base/cpufreq cpu0-none/cpufreq
echo 2600000 >cpu0-base/cpufreq/base_frequency
cpuinfo() { # cpuinfo FILE MHZ MODEL
	printf 'processor\t: 0\nmodel name\t: %s\ncpu MHz\t\t: %s\nflags\t\t: fpu\n' "$3" "$2" >"$1"
}
with_cpu() { # with_cpu CPUINFO CPU0 COMMAND...: COMMAND seeing them as this host's
	# shellcheck disable=SC2016 # the inner shell's arguments
	unshare -m --propagation private sh -c 'mount --bind "$1" /proc/cpuinfo &&
		mount --bind "$2" /sys/devices/system/cpu/cpu0 && shift 2 && exec "$@"' sh "$@"
}
tsc() { tr ' ' '\n' <"$1" | sed -n 's/^tsc_early_khz=//p' | head -n 1; }
if [ "$(id -u)" = 0 ] && with_cpu /proc/cpuinfo /sys/devices/system/cpu/cpu0 true 2>/dev/null; then
	new_home tsc
	cpuinfo slow 1200.000 'Fake CPU @ 2.60GHz'
	cpuinfo fast 3400.000 'Fake CPU @ 2.60GHz'
	with_cpu slow "$PWD/cpu0-base" "$QUIZ" --dry-run true >dry.slow 2>&1
	with_cpu fast "$PWD/cpu0-base" "$QUIZ" --dry-run true >dry.fast 2>&1
	is "$(tsc dry.slow) $(tsc dry.fast)" "2600000 2600000" \
		"cpufreq's base_frequency, whatever the clock (1.2 or 3.4 GHz)"
	with_cpu slow "$PWD/cpu0-none" "$QUIZ" --dry-run true >dry.slow 2>&1
	with_cpu fast "$PWD/cpu0-none" "$QUIZ" --dry-run true >dry.fast 2>&1
	is "$(tsc dry.slow) $(tsc dry.fast)" "2600000 2600000" \
		"no base_frequency: the model name's @ 2.60GHz, whatever the clock"
	cpuinfo slow 1200.000 'Fake CPU'
	cpuinfo fast 3400.000 'Fake CPU'
	cpuinfo middle 2000.000 'Fake CPU'
	export FAKE_QEMU_LOG_DIR=$scratch/qemu-log.tsc && mkdir -p "$FAKE_QEMU_LOG_DIR"
	with_cpu slow "$PWD/cpu0-none" "$QUIZ" -v true >out.slow 2>err.slow
	with_cpu fast "$PWD/cpu0-none" "$QUIZ" -v true >out.fast 2>err.fast
	with_cpu middle "$PWD/cpu0-none" "$QUIZ" -v true >out.middle 2>err.middle
	args=$(for f in "$FAKE_QEMU_LOG_DIR"/qemu.*; do grep '^arg .*tsc_early_khz' "$f"; done | sort -u)
	is "$(printf '%s\n' "$args" | grep -c .) $(tsc <(printf '%s' "$args"))" "1 1200000" \
		"nothing nominal: the first clock read since the host booted is pinned, the same command line at 1.2, 3.4 and 2 GHz"
	grep -q '^quiz: VM state: restored from' err.middle
	ok $? "so the third run restores the state the second saved" "$(grep 'VM state' err.*)"
	is "$(cut -d' ' -f2 "$QUIZ_HOME/accel/tsc-rate") $(modes "$QUIZ_HOME/accel/tsc-rate")" \
		"1200000 600" "the pin: this boot's rate, in a private file"
else
	for _ in 1 2 3 4 5; do
		echo "ok $((tap_n += 1)) - # SKIP the TSC rate's sources: replacing /proc/cpuinfo needs root and unshare -m"
	done
fi

done_testing
