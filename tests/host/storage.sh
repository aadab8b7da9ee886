#!/bin/bash
# SPDX-License-Identifier: MIT
# The storage profiles' options (blockdev's inject, dm, failinject) are checked on the host
# before boot: a bad one stops the run with 125 and one line that says what was expected, and
# QEMU never starts. A good inject= reaches QEMU as a blkdebug drive with its rules file.
. "$(dirname "$0")/lib.sh"
# The fake kernel has what real quiz kernels have, the storage and debug fragments too.
grep -h '^CONFIG_' "$source_root/kconfig/storage.config" "$source_root/kconfig/debug.config" \
	>>"$QUIZ_HOME/kernels/x86_64/6.1.1/config"
cd "$scratch" || exit 1

bad() { # bad "PROFILES" "EXPECTED LINE"
	rm -f "$FAKE_QEMU_LOG_DIR"/*
	"$QUIZ" -k 6.1.1 -p "$1" true >out 2>err
	is "$?" 125 "-p $1: refused with 125"
	is "$(cat err)" "$2" "-p $1: ...in one line that says what was wrong"
	is "$(ls "$FAKE_QEMU_LOG_DIR" | wc -l)" 0 "-p $1: ...before QEMU starts"
}

bad 'blockdev:inject=read' \
	"quiz: profile blockdev: inject=read: rule 'read': expected EVENT:ERRNO[:once][:after=EVENT][:sector=N[-M]][:disk=N], e.g. read:EIO:after=write"
bad 'blockdev:inject=reed:EIO' \
	"quiz: profile blockdev: inject: rule 'reed:EIO': event 'reed': expected read, write or flush"
bad 'blockdev:inject=read:EBADF' \
	"quiz: profile blockdev: inject: rule 'read:EBADF': errno 'EBADF': expected EIO, ENOSPC, ENOMEM, EROFS, EINVAL, EPERM, EAGAIN, ETIMEDOUT or ENOTSUP"
bad 'blockdev:inject=read:EIO:after=open' \
	"quiz: profile blockdev: inject: rule 'read:EIO:after=open': after=open: expected read, write or flush"
bad 'blockdev:inject=read:EIO:sector=9-2' \
	"quiz: profile blockdev: inject: rule 'read:EIO:sector=9-2': sector=9-2: expected N-M with N <= M and at most 4096 sectors"
bad 'blockdev:count=2,inject=write:EIO:disk=2' \
	"quiz: profile blockdev: inject: rule 'write:EIO:disk=2': disk=2: there are 2 disks (count=2), numbered from 0"
bad 'blockdev:inject=read:EIO:after=write+write:EIO:after=flush' \
	"quiz: profile blockdev: inject: rules of one disk may wait for one event only (blkdebug has one state machine a disk); got after=write and after=flush"
bad 'blockdev:inject=read:EIO:twice' \
	"quiz: profile blockdev: inject: rule 'read:EIO:twice': 'twice': expected once, after=EVENT, sector=N[-M] or disk=N"
bad 'blockdev:inject=read:EIO++write:EIO' \
	"quiz: profile blockdev: inject=read:EIO++write:EIO: an empty rule; separate rules with one '+'"
bad 'blockdev:size=lots' "quiz: profile blockdev: size=lots: expected a size such as 100M or 1G"

bad 'dm:flakey=b0:up=soon' "quiz: profile dm: flakey: up=soon: expected a number"
bad 'dm:flakey=b0:mode=sometimes' "quiz: profile dm: flakey: mode=sometimes: expected fail, error or drop"
bad 'dm:flakey=b0+b1' "quiz: profile dm: flakey=b0+b1: one device only"
bad 'dm:striped=b0' "quiz: profile dm: striped=b0: expected two devices or more, joined by '+'"
bad 'dm:linear=c0' \
	"quiz: profile dm: linear: device 'c0': expected b0 (/dev/quizb0), m0 (/dev/quizm0), a target's stack (linear striped mirror delay error crypt dust flakey) or a /dev path"
bad 'dm:crypt=flakey' "quiz: profile dm: crypt=flakey: there is no flakey stack; add one: flakey=DEV"
bad 'dm:delay=delay' "quiz: profile dm: delay=delay: a stack cannot sit on itself"
bad 'dm:delay=b0:seconds=1' "quiz: profile dm: delay: 'seconds=' is not one of its settings; delay takes ms=N"
bad 'dm:error=big' "quiz: profile dm: error=big: expected a size such as 100M or 1G"
bad 'dm:dust=b0:bad=1+x' "quiz: profile dm: dust: bad=x: expected a number"
bad 'dm:linear=b0+b1:chunk=1' "quiz: profile dm: linear: 'chunk=' is not one of its settings; linear takes none"
bad 'dm:delay=:ms=5' "quiz: profile dm: delay=: expected a device: b0 (/dev/quizb0), m0 (/dev/quizm0), another stack's target or a /dev path"

bad 'failinject' "quiz: profile failinject: nothing to fail; give disk=b0, slab=PERCENT or page_alloc=PERCENT"
bad 'failinject:disk=b0,probability=101' "quiz: profile failinject: probability=101: expected a percentage, 0 to 100"
bad 'failinject:slab=1%' "quiz: profile failinject: slab=1%: expected a percentage, 0 to 100"
bad 'failinject:disk=sda' "quiz: profile failinject: disk=sda: expected b0 (/dev/quizb0), m0 (/dev/quizm0) or a /dev path"
bad 'failinject:disk=b0,times=many' "quiz: profile failinject: times=many: expected a number, or -1 for no limit"
bad 'failinject:disk=b0,interval=0' "quiz: profile failinject: interval=0: expected a number from 1"
bad 'failinject:disk=b0,verbose=3' "quiz: profile failinject: verbose=3: expected 0, 1 or 2"

# A good rule set: QEMU gets blkdebug over disk0 only (disk=0), the rules file is in the run
# directory, and errors are reported to the guest whatever the errno.
rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -k 6.1.1 --keep \
	-p blockdev:count=2,inject=read:EIO:after=write+write:ENOSPC:once:sector=8-9:disk=0 true >out 2>err
is "$?" 0 "a valid inject= runs"
run=$(sed -n 's/^quiz: run directory kept: //p' err)
args=$(sed -n 's/^arg //p' "$FAKE_QEMU_LOG_DIR"/qemu.*)
grep -qxF "file=blkdebug:blkdebug-disk0.conf:disk0.img,werror=report,rerror=report,if=none,id=quizb0,format=raw,cache=unsafe" <<<"$args"
ok $? "disk0 sits on blkdebug with its rules file, errors reported to the guest" "$args"
grep -qxF "file=blkdebug:blkdebug-disk1.conf:disk1.img,werror=report,rerror=report,if=none,id=quizb1,format=raw,cache=unsafe" <<<"$args"
ok $? "disk1 too: a rule without disk= is every disk's" "$args"
is "$(cat "$run/blkdebug-disk1.conf" 2>&1)" '[inject-error]
event = "read_aio"
iotype = "read"
errno = "5"
once = "off"
state = "2"

[set-state]
event = "write_aio"
state = "1"
new_state = "2"' "disk1's rules: reads fail once a write moved blkdebug to state 2"
is "$(grep -c '^\[inject-error\]' "$run/blkdebug-disk0.conf")" 3 \
	"disk0's rules: the read rule and one ENOSPC rule for each of sectors 8 and 9"
grep -qx 'sector = "9"' "$run/blkdebug-disk0.conf" && grep -qx 'errno = "28"' "$run/blkdebug-disk0.conf"
ok $? "...with the sector and ENOSPC's number" "$(cat "$run/blkdebug-disk0.conf")"

rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -k 6.1.1 -p blockdev:count=1,inject=write:EIO:after=flush true >out 2>err
args=$(sed -n 's/^arg //p' "$FAKE_QEMU_LOG_DIR"/qemu.*)
grep -qxF "file=blkdebug:blkdebug-disk0.conf:disk0.img,werror=report,rerror=report,if=none,id=quizb0,format=raw,cache=writeback" <<<"$args"
ok $? "a rule about flushes opens the disk with cache=writeback (unsafe drops flushes)" "$args"

rm -f "$FAKE_QEMU_LOG_DIR"/*
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -k 6.1.1 -p blockdev:count=1 true >out 2>err
args=$(sed -n 's/^arg //p' "$FAKE_QEMU_LOG_DIR"/qemu.*)
grep -qxF "file=disk0.img,if=none,id=quizb0,format=raw,cache=unsafe" <<<"$args"
ok $? "without inject= the disk is the plain file, as before" "$args"
rm -rf "$run"
done_testing
