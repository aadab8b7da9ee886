#!/bin/bash
# SPDX-License-Identifier: MIT
# Output and input: exact bytes both ways, EOF, stderr apart, and the guest's environment.
. "$(dirname "$0")/lib.sh"
need_vm
cd "$scratch" || exit 1

head -c 1048576 /dev/urandom >random.bin
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw cat <random.bin >echoed.bin 2>err
is "$?" 0 "cat of 1 MiB exits 0"
cmp -s random.bin echoed.bin
ok $? "1 MiB of random bytes through the guest's cat comes back byte for byte" \
	"sizes: $(stat -c %s random.bin) vs $(stat -c %s echoed.bin)"

"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw cat <random.bin | (sleep 3; cat) >slow.bin
is "${PIPESTATUS[0]}" 0 "cat to a reader that starts late exits 0"
cmp -s random.bin slow.bin
ok $? "a slow reader still gets every byte (the guest waits for quiz to have it all)" \
	"sizes: $(stat -c %s random.bin) vs $(stat -c %s slow.bin)"

# The standard streams reopen as on the host (pipes in the guest, relayed by PID 1).
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c 'cat >/dev/stdout' <random.bin >reopened.bin 2>err
is "$?" 0 "cat >/dev/stdout exits 0"
cmp -s random.bin reopened.bin
ok $? "1 MiB written through a reopened /dev/stdout comes back byte for byte" \
	"sizes: $(stat -c %s random.bin) vs $(stat -c %s reopened.bin); $(head -c 300 err)"
out=$(echo from-stdin | "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw bash -c '
	echo a >/dev/stdout; echo b >>/dev/stdout; exec 3>/dev/stdout; echo c >&3
	echo d >/proc/self/fd/1; : >/dev/stdout
	python3 -c "open(\"/dev/stdout\", \"w\").write(\"e\\n\")"
	echo f | tee /dev/stderr >/dev/null; echo g >/dev/stderr; echo h >/proc/self/fd/2
	cat /dev/stdin' 2>err)
is "$?" 0 "a script that reopens its streams every way exits 0"
is "$out" "$(printf 'a\nb\nc\nd\ne\nfrom-stdin')" \
	"> /dev/stdout, >> (O_APPEND), exec 3>, /proc/self/fd/1, O_TRUNC, Python's open() reach stdout"
is "$(cat err)" "$(printf 'f\ng\nh')" "tee /dev/stderr, > /dev/stderr, /proc/self/fd/2 reach stderr"
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw bash -c '
	(for i in $(seq 3000); do echo "A$i"; done >/dev/stderr) &
	(for i in $(seq 3000); do echo "B$i"; done >/dev/stderr); wait' >out 2>err
is "$?" 0 "two processes writing to /dev/stderr at once"
is "$(grep -c '^A' err) $(grep -c '^B' err) $(wc -l <err)" "3000 3000 6000" \
	"both writers' lines all arrive, none mixed into another"
is "$(grep '^A' err | sed 's/^A//' | sort -n -c && echo in-order)" "in-order" \
	"each writer's lines in its own order"

# Counting the output does not need debugfs: a program that unmounts it loses nothing.
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c 'umount /sys/kernel/debug && cat' <random.bin |
	(sleep 3; cat) >nodebugfs.bin
is "${PIPESTATUS[0]}" 0 "a run without debugfs exits 0"
cmp -s random.bin nodebugfs.bin
ok $? "without debugfs a slow reader still gets every byte" \
	"sizes: $(stat -c %s random.bin) vs $(stat -c %s nodebugfs.bin)"

"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c 'yes | head -c 100000000' 2>err | head -c 10 >/dev/null
is "${PIPESTATUS[0]}" 141 "a reader that leaves (| head) ends the run like a pipeline: 141"
is "$(cat err)" "" "quietly"

mkfifo stalled
exec 3<>stalled
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -t 10 yes >stalled 2>err
status=$?
exec 3>&-
is "$status" 124 "a reader that never reads does not keep -t from ending the run"

out=$(printf 'no newline at the end' | "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw \
	sh -c 'cat; echo "<EOF seen>"; echo to-stderr >&2' 2>err)
is "$out" "no newline at the end<EOF seen>" "stdin reaches the program and its EOF arrives"
is "$(cat err)" "to-stderr" "stderr carries the program's stderr only"

cat >env.sh <<'SCRIPT'
#!/bin/sh
echo "hostname=$(hostname)"
echo "QUIZ_KERNEL=$QUIZ_KERNEL"
echo "MY_VAR=$MY_VAR"
for fs in tracefs debugfs configfs bpf cgroup2 devpts; do
	grep -q " $fs " /proc/mounts && echo "mounted $fs"
done
test -t 1 && echo "stdout is a tty" || echo "stdout is not a tty"
ls /lib/modules >/dev/null 2>&1 && echo "modules dir present"
echo shared-write >/shared/from-guest
SCRIPT
chmod +x env.sh
mkdir shared
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -e 'MY_VAR=a b=c' --shared shared ./env.sh >out 2>err
is "$?" 0 "the environment script runs"
grep -qx 'hostname=quiz' out
ok $? "hostname is quiz" "$(cat out)"
grep -q "^QUIZ_KERNEL=$QUIZ_TEST_KERNEL" out
ok $? "QUIZ_KERNEL names the booted kernel"
grep -qx 'MY_VAR=a b=c' out
ok $? "-e sets a variable exactly"
for fs in tracefs debugfs configfs bpf cgroup2 devpts; do
	grep -qx "mounted $fs" out
	ok $? "$fs is mounted"
done
grep -qx 'stdout is not a tty' out
ok $? "raw mode: stdout is a pipe, not a tty"
is "$(cat shared/from-guest 2>/dev/null)" "shared-write" "--shared is writable and reaches the host"

# --shared under a root quiz: what the guest makes lands as root's plain files; the guest's
# owners, modes and device numbers stay the guest's view (xattrs), never the host's.
if [ "$(id -u)" = 0 ]; then
	mkdir rootshared
	out=$("$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw --shared rootshared sh -c '
		cp /bin/true /shared/suid && chmod 4755 /shared/suid && touch /shared/owned &&
		chown 1234:1234 /shared/owned && mknod /shared/dev c 1 3 && mkdir /shared/d &&
		echo hello >/shared/d/f && stat -c "%a %u %F" /shared/suid /shared/owned /shared/dev' \
		</dev/null 2>err)
	is "$?" 0 "17.1: a root quiz's guest makes a setuid program, a foreign owner, a device"
	is "$out" "$(printf '4755 0 regular file\n644 1234 regular empty file\n644 0 character special file')" \
		"17.1: in the guest they are what it asked for"
	is "$(stat -c '%a %u %F' rootshared/suid rootshared/owned rootshared/dev rootshared/d)" \
		"$(printf '600 0 regular file\n600 0 regular empty file\n600 0 regular empty file\n700 0 directory')" \
		"17.1: on the host: root's plain files, no setuid bit, no device, no other owner"
	is "$(cat rootshared/d/f)" hello "17.1: the data itself reaches the host"
fi

# A guest that writes everywhere it can leaves the host's files as they were.
mkdir -p tree/sub userdir
echo original >tree/sub/file
echo user >userdir/user-file
snapshot() { find tree userdir -printf '%p %s %T@ %m\n' | sort; cat tree/sub/file userdir/user-file; }
before=$(snapshot)
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw -u userdir sh -c '
	echo changed >tree/sub/file; rm -f tree/sub/file; mkdir tree/new; touch tree/new/x
	echo changed >/user-file; rm -f /user-file; echo x >/etc/passwd
	cat /etc/passwd; rm -rf /usr/bin/* 2>/dev/null; true' >out 2>err
is "$?" 0 "the destructive guest script ran"
is "$(snapshot)" "$before" "host files outside --shared are unchanged"

# Several runs at once keep to their own run directories and outputs.
for i in 1 2 3 4 5 6 7 8; do
	"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sh -c "echo run-$i; exit $i" >"conc-$i.out" 2>&1 </dev/null &
	eval "pid_$i=\$!"
done
all_ok=0
for i in 1 2 3 4 5 6 7 8; do
	eval "wait \$pid_$i"
	status=$?
	if [ "$status" != "$i" ] || [ "$(cat "conc-$i.out")" != "run-$i" ]; then
		all_ok=1
		echo "# run $i: status $status, output $(cat "conc-$i.out")"
	fi
done
ok "$all_ok" "8 concurrent runs each return their own output and status"

# SIGINT to quiz ends the VM and cleans up: exit 130.
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sleep 1000 </dev/null >out 2>err &
pid=$!
for _ in $(seq 100); do
	pgrep -P "$pid" >/dev/null && break
	sleep 0.1
done
sleep 1
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT to quiz: exit 130"
is "$(runs_left)" 0 "no run directory left after SIGINT or the other runs"

# QEMU killed under quiz: 125, one line saying so, nothing left.
"$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw sleep 1000 </dev/null >out 2>err &
pid=$!
for _ in $(seq 100); do
	qemu=$(pgrep -P "$pid" qemu-system || true)
	[ -n "$qemu" ] && break
	sleep 0.1
done
sleep 1
kill -KILL $qemu
wait "$pid"
is "$?" 125 "QEMU killed during the run: 125"
grep -q 'the VM ended without reporting the program.s status (QEMU killed by signal 9)' err
ok $? "stderr says the VM ended without a status" "$(tail -n 2 err)"
is "$(runs_left)" 0 "no run directory left after QEMU was killed"
is "$(qemus_left)" 0 "no QEMU of this cache's runs left running"
done_testing
