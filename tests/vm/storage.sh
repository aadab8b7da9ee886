#!/bin/bash
# SPDX-License-Identifier: MIT
# Storage rigs for real: blkdebug errors on a blockdev disk, dm stacks (linear, striped,
# mirror, flakey, delay, error, crypt, dust), XFS and Btrfs on scratch disks, LVM and md,
# the kernel's fault injection, and the storage examples of docs/profiles-and-storage.md as
# written there.
. "$(dirname "$0")/lib.sh"
need_vm
doc=$(cd "$(dirname "$0")/../.." && pwd)/docs/profiles-and-storage.md
cd "$scratch" || exit 1
q() { "$QUIZ" -k "$QUIZ_TEST_KERNEL" -r raw "$@" </dev/null >"$scratch/out" 2>"$scratch/err"; }
line() { sed -n "s/^$1: //p" out | head -n1; } # the program's "KEY: value" line
# A lean kernel (quiz-kernel build --no-debug: CI's kernel by version word) has no fault
# injection: there failinject must be refused in one line naming the option, before a boot.
config=$("$(dirname "$QUIZ")/quiz-kernel" path "$QUIZ_TEST_KERNEL" config)
has() { grep -qx "$1=y" "$config"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

# --- blkdebug: the first write succeeds, every read after it fails, on disk 0 only ---
cat >inject.sh <<'SCRIPT'
#!/bin/sh
echo "dev: $(basename "$(readlink -f /dev/quizb0)")"
rd() { dd if="$1" of=/dev/null bs=4k count=1 iflag=direct status=none 2>&1 && echo ok; }
wr() { dd if=/dev/zero of="$1" bs=4k count=1 oflag=direct status=none 2>&1 && echo ok; }
echo "read before: $(rd /dev/quizb0)"
echo "write: $(wr /dev/quizb0)"
echo "read after: $(rd /dev/quizb0)"
echo "write again: $(wr /dev/quizb0)"
echo "other disk: $(wr /dev/quizb1) $(rd /dev/quizb1)"
echo "flush: $(dd if=/dev/zero of=/dev/quizb1 bs=4k count=1 conv=fsync status=none 2>&1 && echo ok)"
echo "flush again: $(dd if=/dev/zero of=/dev/quizb1 bs=4k count=1 conv=fsync status=none 2>&1 && echo ok)"
echo "sector: $(dd if=/dev/zero of=/dev/quizb1 bs=4k seek=1 count=1 oflag=direct status=none 2>&1 && echo ok)"
echo "sector range: $(dd if=/dev/zero of=/dev/quizb1 bs=4k seek=2 count=1 oflag=direct status=none 2>&1 && echo ok)"
SCRIPT
chmod +x inject.sh
q -p blockdev:count=2,size=16M,inject=read:EIO:after=write:disk=0+flush:EIO:once:disk=1+write:ENOSPC:sector=20-23:disk=1 \
	--dmesg ./inject.sh
is "$?" 0 "inject: the run succeeds" 
is "$(line 'read before')" ok "inject=read:EIO:after=write: a read before any write succeeds"
is "$(line write)" ok "...the first write succeeds"
is "$(line 'read after')" "dd: error reading '/dev/quizb0': Input/output error" \
	"...the next read fails with EIO, in dd's words"
is "$(line 'write again')" ok "...and writes still succeed (the rule is about reads)"
is "$(line 'other disk')" "ok ok" "disk=0: the other disk is not touched"
is "$(line flush)" "dd: fsync failed for '/dev/quizb1': Input/output error" "flush:EIO: a cache flush fails"
is "$(line 'flush again')" ok "...once"
is "$(line sector)" ok "sector=20-23: a write before the range succeeds"
is "$(line 'sector range')" "dd: error writing '/dev/quizb1': Input/output error" \
	"...one that covers it fails (ENOSPC reaches the guest as EIO, and QEMU does not pause)"
dev=$(line dev)
grep -qE "I/O error, dev $dev, sector 0 op 0x0:\(READ\)" err
ok $? "--dmesg shows the kernel's I/O error line for $dev" "$(cat err)"

# --- dm: linear, flakey, crypt, dust, delay and error in one boot ---
cat >dm.sh <<'SCRIPT'
#!/bin/sh
echo "nodes: $(ls /dev/mapper | grep quiz- | tr '\n' ' ')"
wr() { dd if=/dev/zero of="$1" bs=4k count=1 oflag=direct status=none 2>&1 && echo ok; }
# flakey (built last): up for 2 s, then writes fail for 60 s; reads keep working.
echo "flakey up: $(wr /dev/mapper/quiz-flakey)"
sleep 2.5
echo "flakey down: $(wr /dev/mapper/quiz-flakey)"
echo "flakey down read: $(dd if=/dev/mapper/quiz-flakey of=/dev/null bs=4k count=1 iflag=direct status=none 2>&1 && echo ok)"
# linear over b0 and b1 (32M each): their sizes added, the second half is b1.
echo "linear size: $(blockdev --getsize64 /dev/mapper/quiz-linear)"
printf 'on-the-second-disk' | dd of=/dev/mapper/quiz-linear bs=1M seek=33 conv=fsync status=none
echo "linear on b1: $(dd if=/dev/quizb1 bs=1M skip=1 count=1 status=none | head -c 18)"
# crypt over m0: what is written reads back, and the raw device holds no trace of it.
yes QUIZ-PLAINTEXT | head -c 1048576 >/tmp/plain
dd if=/tmp/plain of=/dev/mapper/quiz-crypt bs=1M conv=fsync status=none
echo "crypt back: $(dd if=/dev/mapper/quiz-crypt bs=1M count=1 iflag=direct status=none | cmp - /tmp/plain && echo same)"
echo "crypt raw: $(grep -c QUIZ-PLAINTEXT /dev/quizm0)"
echo "crypt luks: $(cryptsetup isLuks /dev/quizm0 && echo yes)"
echo "crypt cipher: $(cryptsetup status quiz-crypt | sed -n 's/^ *cipher: *//p')"
cryptsetup close quiz-crypt
echo "crypt wrong key: $(printf wrong | cryptsetup open --key-file - /dev/quizm0 again >/dev/null 2>&1 || echo refused)"
echo "crypt key: $(printf secret | cryptsetup open --key-file - /dev/quizm0 again && cmp -n 1048576 /dev/mapper/again /tmp/plain && echo same)"
# dust over m1: block 8 reads fail until written.
rd() { dd if=/dev/mapper/quiz-dust of=/dev/null bs=512 skip="$1" count=1 iflag=direct status=none 2>&1 && echo ok; }
echo "dust 7: $(rd 7)"
echo "dust 8: $(rd 8)"
dd if=/dev/zero of=/dev/mapper/quiz-dust bs=512 seek=8 count=1 oflag=direct status=none
echo "dust 8 written: $(rd 8)"
# delay over m2: a direct read takes at least ms=300.
t0=$(date +%s%N)
dd if=/dev/mapper/quiz-delay of=/dev/null bs=4k count=1 iflag=direct status=none
echo "delay ms: $((($(date +%s%N) - t0) / 1000000))"
# error: a device of 10M on which everything fails.
echo "error size: $(blockdev --getsize64 /dev/mapper/quiz-error)"
echo "error read: $(dd if=/dev/mapper/quiz-error of=/dev/null bs=4k count=1 iflag=direct status=none 2>&1)"
SCRIPT
chmod +x dm.sh
q -p memdev:count=3,size=32M,blockdev:count=3,size=32M \
	-p dm:linear=b0+b1,flakey=b2:up=2:down=60:mode=error,crypt=m0:key=secret,dust=m1:bad=8,delay=m2:ms=300,error=10M ./dm.sh
is "$?" 0 "dm: the run succeeds" "$(cat err)"
is "$(line nodes)" "quiz-crypt quiz-delay quiz-dust quiz-error quiz-flakey quiz-linear " \
	"every stack is /dev/mapper/quiz-TARGET"
is "$(line 'flakey up')" ok "flakey: a write in its up interval succeeds"
is "$(line 'flakey down')" "dd: error writing '/dev/mapper/quiz-flakey': Input/output error" \
	"flakey mode=error: a write in its down interval fails with EIO"
is "$(line 'flakey down read')" ok "...while reads still work"
is "$(line 'linear size')" 67108864 "linear over two 32M disks is 64M"
is "$(line 'linear on b1')" "on-the-second-disk" "...and its second half is the second disk"
is "$(line 'crypt back')" same "crypt: what was written reads back"
is "$(line 'crypt raw')" 0 "...and the raw device holds none of it (ciphertext)"
is "$(line 'crypt luks')" yes "...which is LUKS"
is "$(line 'crypt cipher')" aes-xts-plain64 "...with cryptsetup's default cipher"
is "$(line 'crypt wrong key')" refused "...that a wrong passphrase does not open"
is "$(line 'crypt key')" same "...and key=secret does, with the same data"
is "$(line 'dust 7')" ok "dust: a good block reads"
is "$(line 'dust 8')" "dd: error reading '/dev/mapper/quiz-dust': Input/output error" "dust bad=8: block 8 does not"
is "$(line 'dust 8 written')" ok "...until it is written"
ms=$(line 'delay ms')
[ "${ms:-0}" -ge 300 ]
ok $? "delay ms=300: a read takes at least 300 ms (took $ms)"
is "$(line 'error size')" 10485760 "error=10M is 10M"
is "$(line 'error read')" "dd: error reading '/dev/mapper/quiz-error': Input/output error" "...and fails every read"

# --- dm: striped and mirror, and a stack over a stack ---
cat >dm2.sh <<'SCRIPT'
#!/bin/sh
echo "striped size: $(blockdev --getsize64 /dev/mapper/quiz-striped)"
# chunk=64 (KiB): the second chunk is the second disk's first.
printf 'second-chunk' | dd of=/dev/mapper/quiz-striped bs=64k seek=1 conv=fsync status=none
echo "striped on b1: $(head -c 12 /dev/quizb1)"
printf 'both-legs' | dd of=/dev/mapper/quiz-mirror conv=fsync status=none
echo "mirror legs: $(head -c 9 /dev/quizm0) $(head -c 9 /dev/quizm1)"
echo "delay over: $(dmsetup deps -o devname quiz-delay | sed 's/.*(//; s/).*//')"
SCRIPT
chmod +x dm2.sh
q -p memdev:count=2,size=16M,blockdev:count=2,size=16M -p dm:striped=b0+b1:chunk=64,mirror=m0+m1,delay=mirror:ms=1 ./dm2.sh
is "$?" 0 "dm striped/mirror: the run succeeds" "$(cat err)"
is "$(line 'striped size')" 33554432 "striped over two 16M disks is 32M"
is "$(line 'striped on b1')" second-chunk "...with its second 64 KiB chunk on the second disk"
is "$(line 'mirror legs')" "both-legs both-legs" "mirror: a write lands on both legs"
is "$(line 'delay over')" quiz-mirror "delay=mirror: a stack sits on another stack" 

# --- XFS and Btrfs (and LVM, md) on scratch disks ---
cat >fs.sh <<'SCRIPT'
#!/bin/sh
head -c 3000000 /dev/urandom >/tmp/data
fs() { # fs TYPE DEV
	mkfs."$1" -q "$2" >/dev/null 2>&1 || mkfs."$1" -f "$2" >/dev/null || { echo "mkfs failed"; return; }
	mkdir -p "/mnt/$1" && mount -t "$1" "$2" "/mnt/$1" || { echo "mount failed"; return; }
	cp /tmp/data "/mnt/$1/data" && umount "/mnt/$1" && mount -t "$1" "$2" "/mnt/$1" &&
		cmp "/mnt/$1/data" /tmp/data && echo "read back on $(stat -f -c %T "/mnt/$1")"
	umount "/mnt/$1"
}
echo "xfs: $(fs xfs /dev/quizb0)"
echo "btrfs: $(fs btrfs /dev/quizb1)"
pvcreate -q /dev/quizb2 >/dev/null && vgcreate -q quizvg /dev/quizb2 >/dev/null &&
	lvcreate -q -L 32M -n lv quizvg >/dev/null 2>&1 && echo "lvm: $(blockdev --getsize64 /dev/quizvg/lv)"
mdadm --create /dev/md0 --run --quiet --level=1 --raid-devices=2 --assume-clean --metadata=1.2 \
	/dev/quizb3 /dev/quizm0 >/dev/null 2>&1 && echo "md: $(cat /sys/block/md0/md/level)"
SCRIPT
chmod +x fs.sh
q -p blockdev:count=4,size=320M,memdev:size=320M ./fs.sh
is "$?" 0 "filesystems: the run succeeds" "$(cat err)"
is "$(line xfs)" "read back on xfs" "XFS made, mounted, written, read back"
is "$(line btrfs)" "read back on btrfs" "Btrfs made, mounted, written, read back"
is "$(line lvm)" 33554432 "LVM: a logical volume on a scratch disk"
is "$(line md)" raid1 "md: a RAID1 array from mdadm"

# --- the guest's udev: dmsetup, LVM and cryptsetup as scripts call them (no dm profile) ---
# fstests waits for its dm-flakey node with `udevadm wait`: without a udevd it never returned,
# and a plain `dmsetup create` left no /dev/mapper link (--append quiz.udev=0 shows both).
cat >mapper.sh <<'SCRIPT'
# dmsetup, LVM and cryptsetup as scripts call them: no DM_DISABLE_UDEV, no dm profile.
mkdir -p /mnt/t
fs() { test -b "$1" && mkfs.ext4 -q "$1" 2>&1 && mount "$1" /mnt/t && echo data >/mnt/t/f &&
	umount /mnt/t && echo "node, mounted"; }
echo "0 65536 linear /dev/quizb0 0" | dmsetup create plain
echo "dmsetup: $(fs /dev/mapper/plain)"
{ pvcreate -q /dev/quizb1 && vgcreate -q vg /dev/quizb1 && lvcreate -q -L 16M -n lv vg; } >/dev/null 2>&1
echo "lvcreate: $(fs /dev/mapper/vg-lv) $(test -b /dev/vg/lv && echo 'and /dev/vg/lv')"
printf secret | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file - /dev/quizb2 && printf secret | cryptsetup open --key-file - /dev/quizb2 sec
echo "cryptsetup: $(fs /dev/mapper/sec)"
echo "wait: $(udevadm wait -t 20 /dev/mapper/plain /dev/mapper/vg-lv /dev/mapper/sec 2>&1 && echo ok)"
echo "settle: $(udevadm settle -t 20 2>&1 && echo ok)"
dmsetup remove plain
echo "removed: $(udevadm wait -t 20 --removed /dev/mapper/plain 2>&1 && echo ok)"
SCRIPT
chmod +x mapper.sh
q -t 300 -p blockdev:count=3,size=64M ./mapper.sh
is "$?" 0 "udev: the run succeeds" "$(cat err)"
is "$(line dmsetup)" "node, mounted" "dmsetup create leaves /dev/mapper/NAME; ext4 made on it mounts"
is "$(line lvcreate)" "node, mounted and /dev/vg/lv" "lvcreate leaves /dev/mapper/VG-LV and /dev/VG/LV"
is "$(line cryptsetup)" "node, mounted" "cryptsetup open leaves /dev/mapper/NAME"
is "$(line wait)" ok "udevadm wait returns for the mapper nodes"
is "$(line settle)" ok "udevadm settle returns"
is "$(line removed)" ok "udevadm wait --removed returns once dmsetup remove is done"
# udevd starts with the first tool that needs it: a run that calls none has none (it would cost
# every run 0.14 s under TCG), and a layer's own /usr/local/sbin/dmsetup is the one run.
q sh -c 'test -e /run/udev/control && echo "udevd: running" || echo "udevd: none"; dmsetup version >/dev/null
test -e /run/udev/control && echo "after dmsetup: running"'
is "$(line udevd)$(line 'after dmsetup')" "nonerunning" "no udevd until a tool needs it; dmsetup starts it" "$(cat err)"
mkdir -p mine/usr/local/sbin && printf '#!/bin/sh\necho "mine: $*"\n' >mine/usr/local/sbin/dmsetup &&
	chmod +x mine/usr/local/sbin/dmsetup
q -u mine dmsetup version
is "$(cat out)" "mine: version" "a layer's own /usr/local/sbin/dmsetup wins over quiz's" "$(cat err)"

# --- failinject: a disk's I/O at probability 100, that disk only ---
cat >fail.sh <<'SCRIPT'
#!/bin/sh
wr() { dd if=/dev/zero of="$1" bs=4k count=1 oflag=direct status=none 2>&1 && echo ok; }
echo "chosen: $(wr /dev/quizb1)"
echo "chosen read: $(dd if=/dev/quizb1 of=/dev/null bs=4k count=1 iflag=direct status=none 2>&1 && echo ok)"
echo "other: $(wr /dev/quizb0)"
SCRIPT
chmod +x fail.sh
if ! has CONFIG_FAIL_MAKE_REQUEST || ! has CONFIG_FAILSLAB; then
	q -p blockdev:count=2,size=16M,failinject:disk=b1 ./fail.sh
	is "$?" 125 "failinject on a kernel without fault injection (--no-debug): 125"
	contains err '^quiz: profile failinject needs CONFIG_FAIL[A-Z_]*, kernel [^ ]+ lacks it; build a kernel with it: quiz-kernel build -e CONFIG_' \
		"one line names the option it lacks and the build that has it"
	is "$(wc -l <err)" 1 "and only that line"
	skip "failinject's effects: kernel $QUIZ_TEST_KERNEL has no fault injection (built --no-debug)"
else
q -p blockdev:count=2,size=16M,failinject:disk=b1 --dmesg ./fail.sh
is "$?" 0 "failinject: the run succeeds" "$(cat err)"
is "$(line chosen)" "dd: error writing '/dev/quizb1': Input/output error" \
	"failinject disk=b1 (probability 100): a write to it fails with EIO"
is "$(line 'chosen read')" "dd: error reading '/dev/quizb1': Input/output error" "...and so does a read"
is "$(line other)" ok "...while the other disk works"
grep -q "FAULT_INJECTION: forcing a failure" err && grep -q "name fail_make_request" err
ok $? "--dmesg shows the kernel's fault-injection lines" "$(cat err)"

# --- failinject: failslab in make-it-fail's processes only ---
cat >slab.sh <<'SCRIPT'
#!/bin/sh
t=/sys/kernel/debug/failslab/times
echo "before: $(cat $t)"
make-it-fail sh -c 'i=0; while [ $i -lt 20 ]; do cat /proc/version >/dev/null 2>&1; i=$((i + 1)); done' 2>/dev/null
echo "after: $(cat $t)"
echo "unmarked: $(cat /proc/version >/dev/null && echo ok)"
SCRIPT
chmod +x slab.sh
q -p failinject:slab=100,times=3 ./slab.sh
is "$?" 0 "failinject slab: the run succeeds" "$(cat err)"
is "$(line before)" 3 "slab=100,times=3: nothing failed in the program's own (unmarked) processes"
is "$(line after)" 0 "...all 3 failures went to make-it-fail's processes"
is "$(line unmarked)" ok "...and the program goes on"
fi

# --- debug tools, in the image quickstart and scripts/test build (--with debug) ---
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
if grep -q '^lists=.*debug' "${QUIZ_IMAGE:-$home/images/bookworm-amd64.ext2}.info" 2>/dev/null; then
	q sh -c 'strace -V | head -n1; gdb --version | head -n1; perf --version; bpftrace --version'
	is "$(cut -d' ' -f1 out | paste -sd' ')" "strace GNU perf bpftrace" \
		"the debug set runs: strace, gdb, perf, bpftrace" "$(cat out err)"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP the image has no debug set (quiz-image build --with debug)"
fi

# --- the docs' storage examples, as written there ---
awk '/^## Storage/ { on = 1; next } /^## / { on = 0 } on' "$doc" >storage.md
# Each example: an indented block whose first line starts "quiz "; its "# " lines are output
# it must print, and "# exit status N" the status it must end with (else 0).
awk '/^    quiz / { n++; f = "example." n; print substr($0, 5) >f; inb = 1; next }
	inb && /^    / { print substr($0, 5) >>f; next } { inb = 0 }' storage.md
count=$(ls example.* 2>/dev/null | wc -l)
[ "$count" -ge 4 ]
ok $? "the docs' Storage section has examples ($count)"
for ex in $(ls example.* | sort -t. -k2 -n); do
	if grep -q failinject "$ex" && ! has CONFIG_FAIL_MAKE_REQUEST; then
		skip "docs example $ex: kernel $QUIZ_TEST_KERNEL has no fault injection"
		continue
	fi
	cmd=$(grep -v '^# ' "$ex" | sed "s/^quiz -k 6\.1 /quiz -k $QUIZ_TEST_KERNEL /")
	want=$(sed -n 's/^# exit status //p' "$ex")
	( quiz() { "$QUIZ" "$@"; }; cd "$scratch" && eval "$cmd" ) </dev/null >out 2>&1
	is "$?" "${want:-0}" "docs example $ex exits ${want:-0}: $(head -n1 "$ex")"
	# The lines the docs show, in their order, among what the run printed (stdout and stderr
	# come on two channels: their lines may interleave either way).
	grep '^# ' "$ex" | grep -v '^# exit status' | sed 's/^# //' >want
	is "$(grep -xF -f want out)" "$(cat want)" "...and prints what the docs say" 
done
done_testing
