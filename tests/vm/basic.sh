#!/bin/bash
# SPDX-License-Identifier: MIT
# The walking skeleton: exit statuses, a script from the current directory, exact arguments,
# the booted kernel, and a guest write that never reaches the host.
. "$(dirname "$0")/lib.sh"
need_vm

for code in 0 1 42; do
	"$QUIZ" -k "$QUIZ_TEST_KERNEL" sh -c "exit $code" </dev/null >"$scratch/out" 2>"$scratch/err"
	is "$?" "$code" "exit status $code comes back exactly"
done

cd "$scratch" || exit 1
cat >check.sh <<'SCRIPT'
#!/bin/sh
printf '%s\n' "$#"
for a in "$@"; do printf '<%s>\n' "$a"; done
uname -r
pwd
echo guest-data >written-in-guest
echo guest-data >/etc/written-in-guest
cat written-in-guest
SCRIPT
chmod +x check.sh
before=$(ls -A "$scratch" | sort)
"$QUIZ" -k "$QUIZ_TEST_KERNEL" ./check.sh 'arg two' "it's \"quoted\"" '' '$HOME' </dev/null \
	>"$scratch/out" 2>"$scratch/err"
is "$?" 0 "a script in the current directory runs and exits 0"
mapfile -t lines <"$scratch/out"
is "${lines[0]:-}" 4 "four arguments arrive"
is "${lines[1]:-}" "<arg two>" "an argument with a space arrives unchanged"
is "${lines[2]:-}" "<it's \"quoted\">" "an argument with quotes arrives unchanged"
is "${lines[3]:-}" "<>" "an empty argument arrives"
is "${lines[4]:-}" "<\$HOME>" "no shell expansion on the way"
release=${lines[5]:-}
case $release in
"$QUIZ_TEST_KERNEL".* | "$QUIZ_TEST_KERNEL") ok 0 "guest runs kernel $release" ;;
*) ok 1 "guest runs a $QUIZ_TEST_KERNEL kernel" "uname -r: $release" ;;
esac
is "${lines[6]:-}" "$scratch" "the program runs in the host's current directory"
is "${lines[7]:-}" "guest-data" "the guest can write in its current directory"
is "$(ls -A "$scratch" | grep -v '^out$\|^err$' | sort)" "$(echo "$before" | grep -v '^out$\|^err$')" \
	"a file written in the guest does not appear on the host"
ok "$([ ! -e /etc/written-in-guest ]; echo $?)" "a guest write to /etc does not reach the host"
is "$(cat "$scratch/err")" "" "nothing on stderr"
# --timings: every stage, in order; a cold boot (with its park point) and a run from the saved
# state (whose boot before the go is the saved one's): quiz's default, however the suite runs
# (QUIZ_COLD=1 runs the rest cold).
for _ in 1 2; do # the second run of a layout saves its state
	env -u QUIZ_COLD "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw true </dev/null >/dev/null 2>&1
done
for how in --cold ""; do
	# shellcheck disable=SC2086 # no option is no word
	env -u QUIZ_COLD "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw --timings $how true </dev/null \
		>"$scratch/out" 2>"$scratch/err"
	is "$?" 0 "a --timings ${how:-(warm)} run exits 0"
	stages=$(sed -n 's/^ *[0-9]* ms  //p' "$scratch/err" | paste -sd,)
	after_go="init1 let go,root ready,init2 started,program started,program ended,guest powered off,quiz exited"
	if [ -n "$how" ]; then
		is "$stages" "QEMU started,kernel entered,init1 started,init1 parked,$after_go" \
			"--timings --cold lists every stage"
	else
		is "$stages" "QEMU started,$after_go" "--timings from a saved state: the stages after the go"
		grep -q "(kernel and init1 to its park point: the saved state's)" "$scratch/err"
		ok $? "and says the ones before were the saved state's" "$(cat "$scratch/err")"
	fi
	times=$(sed -n 's/^ *\([0-9]*\) ms  .*/\1/p' "$scratch/err")
	ok "$([ "$times" = "$(sort -n <<<"$times")" ]; echo $?)" "the stages' times never go backwards" "$(cat "$scratch/err")"
done

is "$(runs_left)" 0 "no run directory left behind"
done_testing
