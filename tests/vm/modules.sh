#!/bin/bash
# SPDX-License-Identifier: MIT
# Out-of-tree code: an example module built against each kernel's kbuild tree, installed into
# a system layer, loaded by the modules profile, seen in --dmesg and /proc/modules; a module
# with a missing symbol refused with the kernel's words; gdb hitting a kernel breakpoint.
. "$(dirname "$0")/lib.sh"
need_vm
QUIZ_KERNEL_TOOL=${QUIZ_KERNEL_TOOL:-$(dirname "$QUIZ")/quiz-kernel}
modules_src=$(readlink -f "$(dirname "$0")/../modules")
cd "$scratch" || exit 1

for ver in ${QUIZ_TEST_KERNELS:-6.1 6.12}; do
	kbuild=$("$QUIZ_KERNEL_TOOL" path "$ver" kbuild) || { ok 1 "kernel $ver is built"; continue; }
	rm -rf mod sys && cp -r "$modules_src" mod
	make -s -C "$kbuild" M="$scratch/mod/hello" modules >build.log 2>&1 &&
		make -s -C "$kbuild" M="$scratch/mod/hello" modules_install INSTALL_MOD_PATH="$scratch/sys" \
			>>build.log 2>&1
	ok $? "$ver: the example module builds against quiz-kernel path $ver kbuild" "$(tail -n 5 build.log)"
	"$QUIZ" -k "$ver" -r raw --system sys -p modules:load=quiz_hello --dmesg \
		sh -c 'grep -o "^quiz_hello " /proc/modules' </dev/null >out 2>err
	is "$?" 0 "$ver: a run with -p modules:load=quiz_hello succeeds"
	is "$(cat out)" "quiz_hello " "$ver: the module is listed in /proc/modules"
	grep -q "quiz_hello: hello from $ver" err
	ok $? "$ver: --dmesg shows the module's message" "$(cat err)"

	KBUILD_MODPOST_WARN=1 make -s -C "$kbuild" M="$scratch/mod/broken" modules >build.log 2>&1 &&
		make -s -C "$kbuild" M="$scratch/mod/broken" modules_install \
			INSTALL_MOD_PATH="$scratch/sys" >>build.log 2>&1
	ok $? "$ver: the broken module builds (its symbol is missing only at load time)"
	"$QUIZ" -k "$ver" -r raw --system sys -p modules:load=quiz_broken echo never </dev/null \
		>out 2>err
	is "$?" 125 "$ver: a module with a missing symbol is refused with 125"
	grep -q 'Unknown symbol quiz_no_such_symbol' err && grep -q 'quiz: profile modules: guest hook failed' err
	ok $? "$ver: the error shows the kernel's words and names the profile" "$(cat err)"
	is "$(cat out)" "" "$ver: the program did not run"
done

# gdb: hold the guest, break on the uname syscall, see it hit when the program calls it; gdb is
# the command the profile prints (its stub a unix socket in the run's folder), pasted as it is.
if command -v gdb >/dev/null; then
	"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -t 300 -p gdb --gdb-wait uname -r \
		</dev/null >out 2>err &
	quiz_pid=$!
	for _ in $(seq 50); do grep -q 'waits for gdb' err 2>/dev/null && break; sleep 0.2; done
	attach=$(sed -n 's/^quiz: gdb: //p' err | head -n1)
	timeout 240 sh -c "$attach -batch -ex 'break __x64_sys_newuname' -ex continue \
		-ex 'info symbol \$pc' -ex delete -ex detach" >gdb.out 2>&1
	# With DWARF gdb names the function and its line, without it the address "in" it.
	grep -Eq 'Breakpoint 1, (.* in )?__x64_sys_newuname' gdb.out
	ok $? "gdb -batch hits a breakpoint on the uname syscall's kernel function" "$(tail -n 5 gdb.out)"
	wait "$quiz_pid"
	is "$?" 0 "the run goes on after gdb detaches"
	grep -q "^quiz: gdb: gdb -ex 'target remote /[^']*/runs/run\.[^/]*/gdb\.sock' .*vmlinux" err
	ok $? "the gdb profile prints the command that attaches, to a socket in the run's folder" "$(cat err)"
	grep -q 'local user' err
	ok $((!$?)) "no TCP port, no word about local users" "$(cat err)"
else
	echo "# gdb not installed on the host: the gdb check did not run"
fi
is "$(runs_left)" 0 "no run directory left behind"
done_testing
