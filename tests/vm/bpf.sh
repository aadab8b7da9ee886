#!/bin/bash
# SPDX-License-Identifier: MIT
# BPF and tracing as their users call them, on the default kernel's debug set and the debug
# image: a bpftrace syscall tracepoint and an fentry (kfunc) probe, and two of libbpf-tools'
# CO-RE programs on the kernel's BTF, each seeing an event the test causes.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1
config=$("$(dirname "$QUIZ")/quiz-kernel" path "$QUIZ_TEST_KERNEL" config)
missing=
for o in CONFIG_FTRACE_SYSCALLS CONFIG_DEBUG_INFO_BTF CONFIG_BPF_SYSCALL; do
	grep -qx "$o=y" "$config" || missing+=" $o"
done
if [ -n "$missing" ]; then
	# CI's main kernel is built with the debug set and BTF: there this is a failure.
	if [ "${QUIZ_VM_MUST_WORK:-0}" = 1 ]; then
		echo "not ok 1 - kernel $QUIZ_TEST_KERNEL lacks$missing (quiz-kernel build $QUIZ_TEST_KERNEL)"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP kernel $QUIZ_TEST_KERNEL lacks$missing"
	exit 0
fi

# Each tracer runs in the background; the script causes its event over and over (the tracer
# may still be starting: bpftrace compiles its program, under TCG for seconds) until the tracer
# has printed it or 120 s have passed. The events are the script's own: a file name and a
# program name nothing else in the guest uses.
cat >trace.sh <<'SCRIPT'
#!/bin/bash
cd /tmp
cp /bin/true quizmark && cp /bin/sync quizsync && : >quiz-marker
watch() { # watch NAME MATCH TRIGGER TRACER...: prints "NAME: seen" once MATCH is in its output
	local name=$1 match=$2 trigger=$3 i
	shift 3
	"$@" >"$name.out" 2>&1 &
	local pid=$!
	for i in $(seq 240); do
		grep -q "$match" "$name.out" && break
		kill -0 "$pid" 2>/dev/null || break
		$trigger
		sleep 0.5
	done
	grep -q "$match" "$name.out" && echo "$name: seen" || { echo "$name: not seen"; cat "$name.out"; }
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true # the tracer, stopped
}
watch tracepoint "opened /tmp/quiz-marker" "cat /tmp/quiz-marker" bpftrace -e \
	'tracepoint:syscalls:sys_enter_openat /str(args->filename) == "/tmp/quiz-marker"/ { printf("opened %s\n", str(args->filename)); }'
watch fentry "fsync by quizsync" "./quizsync /tmp/quiz-marker" bpftrace -e \
	'kfunc:vfs_fsync_range /comm == "quizsync"/ { printf("fsync by %s\n", comm); }'
watch execsnoop " quizmark " ./quizmark execsnoop
watch opensnoop "/tmp/quiz-marker" "cat /tmp/quiz-marker" opensnoop -n cat
SCRIPT
chmod +x trace.sh
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -t 900 ./trace.sh </dev/null >out 2>err
is "$?" 0 "the tracing run succeeds" "$(tail -n 20 err)"
line() { grep "^$1: " out | head -n 1; }
is "$(line tracepoint)" "tracepoint: seen" "bpftrace: tracepoint:syscalls:sys_enter_openat sees the script's openat" "$(cat out)"
is "$(line fentry)" "fentry: seen" "bpftrace: a kfunc (fentry) probe on vfs_fsync_range sees its fsync" "$(cat out)"
is "$(line execsnoop)" "execsnoop: seen" "libbpf-tools' execsnoop sees the script's exec" "$(cat out)"
is "$(line opensnoop)" "opensnoop: seen" "libbpf-tools' opensnoop sees the script's open" "$(cat out)"
done_testing
