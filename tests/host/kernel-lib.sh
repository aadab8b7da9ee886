# SPDX-License-Identifier: MIT
# Shared by the host tests of quiz-kernel build's refusals (kernel-flavour, kernel-bpf), after
# lib.sh: make.log is the fake tree's FAKE_MAKE_LOG (fake-kernel.mk).

# A build refused before anything is made: exit 1, that one line on stderr, no cache, no
# temporary folder, nothing built, nothing on stdout.
refused() { # refused DESCRIPTION EXPECTED-LINE ARGS...: ARGS refused with that line only
	local desc=$1 want=$2 home=$scratch/refused-home
	shift 2
	rm -rf "$home" "$TMPDIR"/quiz-kernel.*
	mkdir "$home"
	: >make.log
	QUIZ_HOME=$home "$@" >refused.out 2>refused.err
	is "$?" 1 "$desc: exit 1"
	is "$(cat refused.err)" "$want" "$desc: the one line"
	is "$(ls -A "$home"; cd "$TMPDIR" && ls -d quiz-kernel.* 2>/dev/null)" "" "$desc: nothing created"
	[ ! -s make.log ] && [ ! -s refused.out ]
	ok $? "$desc: nothing built, nothing on stdout"
}
