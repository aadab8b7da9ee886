#!/bin/bash
# SPDX-License-Identifier: MIT
# Other architectures under TCG, from kernel to exit status: each of QUIZ_TEST_ARCHES (vm-arch:
# aarch64 and s390x; vm-arch-more: riscv64 and ppc64le) gives the exit contract, bytes both
# ways, its own uname -m and byte order, the clock, a panic, --shared, a blockdev disk, gdb's
# command and a module built with the cross kbuild tree; quiz --attach reaches a run of each;
# a matrix over x86_64 and QUIZ_TEST_MATRIX_ARCHES (default: the tested ones) names each.
. "$(dirname "$0")/lib.sh"
read -ra arches <<<"${QUIZ_TEST_ARCHES:-aarch64 s390x}"
read -ra matrix_arches <<<"${QUIZ_TEST_MATRIX_ARCHES:-${arches[*]}}"
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
modules_src=$(readlink -f "$(dirname "$0")/../modules")
cd "$scratch" || exit 1

# Each architecture must have its kernel and image (scripts/test builds them); else say why.
for a in "${arches[@]}" "${matrix_arches[@]}"; do
	if ! "$QUIZ" -a "$a" -k "$QUIZ_TEST_KERNEL" --dry-run true >/dev/null 2>why; then
		if [ "${QUIZ_VM_MUST_WORK:-0}" = 1 ]; then
			echo "not ok 1 - $a cannot run: $(head -n1 why)"
			echo "1..1"
			exit 1
		fi
		echo "1..0 # SKIP $a: $(head -n1 why)"
		exit 0
	fi
done

head -c 1048576 /dev/urandom >random.bin
for a in "${arches[@]}"; do
	q() { "$QUIZ" -a "$a" -k "$QUIZ_TEST_KERNEL" -r raw "$@"; }
	row=$("$QUIZ_KERNEL_TOOL" arch "$a") # its row of quiz's table, KEY=VALUE lines
	order=0201 # little-endian; big-endian machines say so in quiz's table
	grep -qx 'big_endian=1' <<<"$row" && order=0102
	out=$(q sh -c 'uname -m; printf "\001\002" | od -An -tx2 | tr -d " "; date +%s >/dev/stderr; exit 3' \
		</dev/null 2>err)
	is "$?" 3 "$a: the program's exit status (3)"
	skew=$(($(date +%s) - $(tail -n 1 err)))
	ok "$([ "${skew#-}" -lt 30 ]; echo $?)" "$a: the guest's clock is the host's (${skew}s apart)"
	is "$out" "$a
$order" "$a: uname -m says $a; two bytes read as a 16-bit number: $order ($([ "$order" = 0102 ] && echo big || echo little)-endian)"
	q true </dev/null
	is "$?" 0 "$a: exit 0"
	# The runs from here start from a saved VM state where the table says the machine migrates.
	if grep -qx 'saved_state=1' <<<"$row"; then
		# (The first run of a layout boots cold, the second saves, the third restores.)
		q -v true </dev/null 2>/dev/null && q -v true </dev/null 2>/dev/null &&
			q -v sh -c 'echo restored' </dev/null >out 2>err
		grep -q '^quiz: VM state: restored from ' err && [ "$(cat out)" = restored ]
		ok $? "$a: a run starts from the saved VM state, and runs its program" "$(grep 'VM state' err)"
	else # (none today: an arch added before its machine's migration is tried)
		q -v true </dev/null 2>err
		grep -q '^quiz: VM state: none; a cold boot: no saved states for this architecture$' err
		ok $? "$a: no saved states for this architecture: a cold boot, -v says why" "$(grep 'VM state' err)"
	fi
	q no-such-command </dev/null 2>/dev/null
	is "$?" 127 "$a: a program not found: 127"
	q sh -c 'kill -TERM $$' </dev/null
	is "$?" 143 "$a: killed by SIGTERM: 143"
	q -t 20 sleep 1000 </dev/null 2>err
	is "$?" 124 "$a: past its timeout: 124"
	q cat <random.bin >echoed.bin 2>err
	cmp -s random.bin echoed.bin
	ok $? "$a: 1 MiB through the guest's cat byte for byte" "$(head -c 300 err)"
	out=$(printf 'no newline' | q sh -c 'cat; echo "<EOF>"' 2>err)
	is "$out" "no newline<EOF>" "$a: stdin reaches the program, and its EOF"
	# (busybox's mke2fs, on the static image, prints its summary despite -q)
	out=$(q -p blockdev:count=1,size=32M sh -c 'mke2fs -q /dev/quizb0 >/dev/null && mkdir -p /mnt &&
		mount /dev/quizb0 /mnt && echo on-disk >/mnt/f && umount /mnt &&
		mount -o ro /dev/quizb0 /mnt && cat /mnt/f' </dev/null 2>err)
	is "$out" on-disk "$a: a blockdev disk formatted, written and read back" "$(tail -n 3 err)"

	q sh -c 'echo c >/proc/sysrq-trigger; sleep 30' </dev/null >/dev/null 2>err
	is "$?" 125 "$a: a kernel panic: 125"
	grep -q 'the guest kernel panicked' err
	ok $? "$a: stderr says the kernel panicked" "$(tail -n 2 err)"
	rm -rf shared && mkdir shared
	if grep -qx 'image_suite=static' <<<"$row"; then
		# Not memdev: its guest hook uses losetup --find --show, which busybox's lacks.
		q --shared shared sh -c 'echo from-guest >/shared/f' </dev/null 2>err
		is "$?:$(cat shared/f 2>/dev/null)" "0:from-guest" "$a: --shared reaches the host" "$(tail -n 3 err)"
	else
		out=$(q --shared shared -p memdev:count=1,size=8M sh -c 'echo from-guest >/shared/f &&
			blockdev --getsize64 /dev/quizm0' </dev/null 2>err)
		is "$out $(cat shared/f 2>/dev/null)" "8388608 from-guest" \
			"$a: --shared reaches the host; a memdev loop device is there" "$(tail -n 3 err)"
	fi
	q -p gdb true </dev/null >/dev/null 2>err
	grep -q "^quiz: gdb: gdb-multiarch -ex 'set architecture " err
	ok $? "$a: the gdb profile prints a gdb-multiarch command set to $a's architecture" "$(cat err)"
	article=an
	[[ $a != [rp]* ]] || article=a # a riscv64, a ppc64le
	QUIZ_ACCEL=kvm q true </dev/null 2>err
	is "$?:$(cat err)" "125:quiz: QUIZ_ACCEL=kvm, but KVM runs this host's own architecture only, not $article $a guest; unset QUIZ_ACCEL (other architectures run under TCG)" \
		"$a: QUIZ_ACCEL=kvm is refused before boot, in one line"

	# The example module, built with the cross kbuild tree and the arch's make arguments.
	kbuild=$("$QUIZ_KERNEL_TOOL" path -a "$a" "$QUIZ_TEST_KERNEL" kbuild)
	read -ra make_args <<<"$("$QUIZ_KERNEL_TOOL" path -a "$a" "$QUIZ_TEST_KERNEL" make-args)"
	rm -rf mod sys && cp -r "$modules_src" mod
	make -s -C "$kbuild" "${make_args[@]}" M="$scratch/mod/hello" modules >build.log 2>&1 &&
		make -s -C "$kbuild" "${make_args[@]}" M="$scratch/mod/hello" modules_install \
			INSTALL_MOD_PATH="$scratch/sys" >>build.log 2>&1
	ok $? "$a: the example module builds with ${make_args[*]}" "$(tail -n 5 build.log)"
	out=$(q --system sys -p modules:load=quiz_hello sh -c 'grep -o "^quiz_hello " /proc/modules' \
		</dev/null 2>err)
	is "$out" "quiz_hello " "$a: -p modules loads it" "$(tail -n 5 err)"
done

# quiz --attach to a run of each other architecture: its attach port on virtio-serial there too.
# The run waits for a file the test makes in its --shared folder (9p without a cache; the current
# directory is under an overlay, which does not see a file the host makes once it looked).
mkdir -p gate
for a in "${arches[@]}"; do
	rm -f gate/go
	"$QUIZ" -a "$a" -k "$QUIZ_TEST_KERNEL" -r raw --shared gate sh -c 'until [ -e /shared/go ]; do sleep 0.2; done; exit 4' \
		</dev/null >attach-bg.out 2>&1 &
	bg=$!
	for _ in $(seq 240); do "$QUIZ" --ps 2>/dev/null | grep -q "until \[ -e /shared/go" && break; sleep 0.25; done
	"$QUIZ" --attach -- sh -c 'uname -m; exit 6' </dev/null >attach.out 2>&1
	is "$?:$(cat attach.out)" "6:$a" "$a: quiz --attach runs a command in a running run, its status back"
	touch gate/go
	wait $bg
	is "$?" 4 "$a: the attached run's own status is untouched" "$(cat attach-bg.out)"
done
rm -rf gate

if [[ " ${arches[*]} " == *" aarch64 "* ]]; then
	"$QUIZ" -a aarch64 -k "$QUIZ_TEST_KERNEL" -c 9 true </dev/null 2>err
	is "$?:$(cat err)" "125:quiz: -c 9: aarch64's QEMU machine (virt) takes at most 8 CPUs" \
		"more CPUs than the arch's machine takes: refused before boot"
fi

# One matrix over every architecture: a row each, named, and a JUnit testcase each.
all=$(IFS=,; echo "x86_64,${matrix_arches[*]}")
"$QUIZ" -a "$all" -k "$QUIZ_TEST_KERNEL" -j 2 --junit junit.xml sh -c 'uname -m; printf "\001\002" | od -An -tx2 | tr -d " "' \
	</dev/null >matrix.out 2>&1
is "$?" 0 "a matrix over $all passes" "$(tail -n 6 matrix.out)"
for a in x86_64 "${matrix_arches[@]}"; do
	grep -qE "^$a-[^ ]+ +[^ ]+ +$a +pass " matrix.out
	ok $? "its table has a $a row that passed" "$(tail -n 6 matrix.out)"
	grep -qx "$a" matrix.out
	ok $? "the $a run printed $a" "$(cat matrix.out)"
	python3 -c 'import sys, xml.dom.minidom as m
d = m.parse("junit.xml")
sys.exit(0 if any(c.getAttribute("classname") == "quiz." + sys.argv[1] and
                  c.getAttribute("name").startswith(sys.argv[1] + "-")
                  for c in d.getElementsByTagName("testcase")) else 1)' "$a"
	ok $? "the JUnit file names $a (class quiz.$a)" "$(cat junit.xml)"
done
is "$(runs_left)" 0 "no run directory left behind"
done_testing
