# SPDX-License-Identifier: MIT
# TAP for the shell tests (VM and host): ok/is lines, the plan at the end.
tap_n=0
tap_failed=0

ok() { # ok CONDITION-STATUS DESCRIPTION [DIAGNOSTIC]
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
		[ $# -ge 3 ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "got:  $(printf %q "$1")
want: $(printf %q "$2")"; fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}
# contains FILE ERE DESCRIPTION / lacks FILE ERE DESCRIPTION: FILE must exist (a missing or
# unwritten output is a failure, never a pass), then holds a line matching ERE, or none.
contains() {
	if [ ! -f "$1" ]; then ok 1 "$3" "$1: no such file"; return; fi
	LC_ALL=C grep -Eqa -- "$2" "$1"
	ok $? "$3" "$(printf 'no line of %s matches %s; its last lines:\n%s' "$1" "$2" "$(tail -n 5 "$1" | cut -c1-300)")"
}
lacks() {
	if [ ! -f "$1" ]; then ok 1 "$3" "$1: no such file"; return; fi
	! LC_ALL=C grep -Eqa -- "$2" "$1"
	ok $? "$3" "$(printf '%s has lines matching %s:\n%s' "$1" "$2" "$(grep -Eam 3 -- "$2" "$1" | cut -c1-300)")"
}
