#!/bin/bash
# SPDX-License-Identifier: MIT
# The gdb profile: by default a unix socket in the run's 0700 folder, and the attach command it
# prints works pasted into a shell; TCP only with port=, each run its own free port, and then a
# line says every local user can attach.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

# A gdb that attaches as `target remote WHERE` says (a unix socket's path, or HOST:PORT), from
# where it was started, and logs what it got.
mkdir -p bin
cat >bin/gdb <<'EOF'
#!/usr/bin/env python3
import os, socket, sys, time
args = sys.argv[1:]
log = open(os.environ["GDB_LOG"], "w")
for a in args:
    log.write("arg %s\n" % a)
for i, a in enumerate(args[:-1]):
    if a == "-ex" and args[i + 1].startswith("target remote "):
        where = args[i + 1][len("target remote "):]
        for _ in range(100):
            try:
                if ":" in where and "/" not in where:
                    host, port = where.rsplit(":", 1)
                    socket.create_connection((host, int(port))).close()
                else:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(where)
                    s.close()
                log.write("connected\n")
                sys.exit(0)
            except OSError as e:
                error = e
                time.sleep(0.05)
        log.write("failed %s\n" % error)
        sys.exit(1)
EOF
chmod +x bin/gdb

attach_line() { sed -n 's/^quiz: gdb: //p' "$1" | head -n1; }
printed() { grep -qs '^quiz: gdb: ' "$1"; }

# attach NAME ERRFILE: the printed command, pasted into sh while the run lives; "connected"?
attach() {
	wait_for 10 printed "$2"
	GDB_LOG=$scratch/$1.gdb PATH=$scratch/bin:$PATH sh -c "$(attach_line "$2")" 2>/dev/null
	grep -qx connected "$scratch/$1.gdb"
}

# The default: a unix socket in the run's folder.
FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb true 2>unix.err &
q=$!
attach unix unix.err
ok $? "27.4: -p gdb: the printed command, pasted into a shell, attaches" "$(cat unix.err unix.gdb)"
line=$(attach_line unix.err)
dir=$(sed -n 's/^arg target remote \(.*\)\/gdb\.sock$/\1/p' unix.gdb)
case $dir in "$QUIZ_HOME"/runs/run.*) ok 0 "27.4: ... to gdb.sock in the run's folder" ;;
*) ok 1 "27.4: ... to gdb.sock in the run's folder" "$line" ;; esac
is "$(stat -c %a "$dir" 2>&1)" 700 "27.4: the run's folder is its user's alone (0700)"
wait "$q"
is "$?" 0 "-p gdb exits 0" "$(cat unix.err)"
is "$(grep -h -A3 '^arg -chardev$' "$FAKE_QEMU_LOG_DIR"/qemu.* | grep -A3 'id=gdb,' | paste -sd' ')" \
	"arg socket,id=gdb,path=gdb.sock,server=on,wait=off arg -gdb arg chardev:gdb" \
	"27.4: QEMU's stub is a unix socket server in its working directory"
grep -q 'tcp:' "$FAKE_QEMU_LOG_DIR"/qemu.*
ok $((!$?)) "27.4: no TCP port is opened"
grep -q 'local user' unix.err
ok $((!$?)) "27.4: ... and no word about local users" "$(cat unix.err)"
is "$(grep -c 'vmlinux' <<<"$line")" 1 "27.4: the command names the kernel's vmlinux" "$line"

# A cache whose path a shell would split or unquote: the command still works pasted.
rm -f "$FAKE_QEMU_LOG_DIR"/*
odd="$scratch/it's a cache"
mkdir -p "$odd"
cp -a "$QUIZ_HOME/kernels" "$odd/"
QUIZ_HOME=$odd FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb true 2>odd.err &
q=$!
attach odd odd.err
ok $? "27.4: a run folder with a space and a quote: the pasted command attaches" "$(cat odd.err odd.gdb)"
wait "$q"
grep -q "^arg .*/it's a cache/kernels/.*/vmlinux$" odd.gdb
ok $? "27.4: ... and names vmlinux whole" "$(cat odd.gdb)"

# A run folder too long for a socket's address (107 bytes): the command attaches from there.
rm -f "$FAKE_QEMU_LOG_DIR"/*
long=$scratch/$(printf 'a%.0s' $(seq 120))
mkdir -p "$long"
cp -a "$QUIZ_HOME/kernels" "$long/"
QUIZ_HOME=$long FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb true 2>long.err &
q=$!
attach long long.err
ok $? "27.4: a run folder past a socket address's length: the pasted command attaches" \
	"$(cat long.err long.gdb)"
wait "$q"

# TCP when asked for: port=auto, two runs at once, each holding its stub's port for 2 s (the
# fake binds it as QEMU does).
printed_port() { sed -n "s/.*target remote 127\.0\.0\.1:\([0-9]*\)'.*/\1/p" "$1"; }
qemu_ports() { # the -gdb ports the fake QEMUs got, one a line, sorted
	grep -h -A1 '^arg -gdb$' "$FAKE_QEMU_LOG_DIR"/qemu.* | sed -n 's/^arg tcp:127\.0\.0\.1://p' | sort
}
rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb:port=auto true 2>one.err &
a=$!
FAKE_QEMU_SCENARIO='sleep 2;status 0' "$QUIZ" -p gdb:port=auto true 2>two.err &
b=$!
attach one one.err
ok $? "port=auto: the pasted command attaches over TCP" "$(cat one.err one.gdb)"
wait "$a"
is "$?" 0 "17.17: the first of two concurrent -p gdb:port=auto runs exits 0" "$(cat one.err)"
wait "$b"
is "$?" 0 "17.17: the second exits 0 too (not 125 for a port in use)" "$(cat two.err)"
p1=$(printed_port one.err) p2=$(printed_port two.err)
[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]
ok $? "17.17: each prints an attach command with its own port" "$(cat one.err two.err)"
is "$(qemu_ports | paste -sd' ')" "$(printf '%s\n' "$p1" "$p2" | sort | paste -sd' ')" \
	"17.17: the ports printed are the ones QEMU's -gdb got"
grep -q "^quiz: gdb: 127.0.0.1:$p1 is open to every local user: " one.err
ok $? "27.4: a TCP stub: one line says every local user can attach" "$(cat one.err)"

# An explicit port is kept.
rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -p gdb:port=4321 true 2>explicit.err
is "$?" 0 "-p gdb:port=4321 exits 0"
is "$(printed_port explicit.err)" 4321 "17.17: an explicit port= is the one printed"
is "$(qemu_ports)" 4321 "17.17: ... and the one QEMU gets"
grep -q "^quiz: gdb: 127.0.0.1:4321 is open to every local user: " explicit.err
ok $? "27.4: ... with the line about local users" "$(cat explicit.err)"

FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -p gdb:port=12ab true 2>bad.err
is "$?" 125 "a port that is not a number is refused: 125"
is "$(cat bad.err)" \
	"quiz: profile gdb: port=12ab: expected none (a unix socket), auto or a TCP port number" \
	"with one line that names it and what is expected"

# --gdb-wait: QEMU holds the guest (-S), and stderr says so.
rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" --gdb-wait true 2>wait.err
is "$?" 0 "--gdb-wait exits 0 (the fake needs no continue)"
grep -qx 'arg -S' "$FAKE_QEMU_LOG_DIR"/qemu.*
ok $? "--gdb-wait: QEMU gets -S"
grep -q '^quiz: gdb: the guest waits for gdb to continue it$' wait.err
ok $? "--gdb-wait: stderr says the guest waits" "$(cat wait.err)"

done_testing
