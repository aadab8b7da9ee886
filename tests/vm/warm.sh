#!/bin/bash
# SPDX-License-Identifier: MIT
# Saved VM states: the second run of a kernel, image, QEMU and device layout saves the guest
# parked before its first 9p mount (a first run boots cold and saves nothing: a kernel run once
# would pay for a save nothing restores); later runs start from it. The guest must not notice
# beyond the speed: the host's time, its own boot id and randomness, its own cwd, stdin and
# shares; and a rebuilt kernel, another layout, another QEMU or a broken state never restore.
. "$(dirname "$0")/lib.sh"
need_vm
# This test is about the states themselves: it runs the default however the suite is run (the
# rest of the suite passes both ways, with QUIZ_COLD=1 and without).
unset QUIZ_COLD
cd "$scratch" || exit 1
kernel=(-k "$QUIZ_TEST_KERNEL")
# A memory size no other test uses: this test's own slots.
mem=301M

# state_of ERR: the state file -v named, and what happened to it (saved, restored, cold, failed).
state_of() {
	sed -n 's/^quiz: VM state: \(saved\) to \([^ ]*\) .*/\1 \2/p
		s/^quiz: VM state: \(restored\) from \(.*\)/\1 \2/p
		s/^quiz: VM state: \([^ ]*\) did not restore.*/failed \1/p
		s/^quiz: VM state: none at \([^;]*\); a \(cold\) boot: .*/\2 \1/p
		s/^quiz: VM state: none; a \(cold\) boot: .*/\1 -/p' "$1" | tail -n1
}
guest_script='read -r line; echo "stdin=$line"; echo "pwd=$PWD"; ls; date +%s.%N
cat /proc/sys/kernel/random/boot_id; head -c 16 /dev/urandom | od -An -tx1 | tr -d " "; exit 7'
run() { # run NAME [QUIZ OPTIONS]: the guest script in folder NAME; out.NAME, err.NAME, rc.NAME
	local name=$1
	shift
	mkdir -p "$name" && touch "$name/file-$name"
	date +%s.%N >"before.$name"
	(cd "$name" && echo "input-$name" |
		"$QUIZ" "${kernel[@]}" -m "$mem" -r raw -v "$@" sh -c "$guest_script") \
		>"out.$name" 2>"err.$name"
	echo $? >"rc.$name"
	date +%s.%N >"after.$name"
}
forget() { local s; for s; do rm -f "$s" "${s%.state}.console" "${s%.state}.seen"; done; } # all of a state
line() { sed -n "$2p" "out.$1"; } # line NAME N: the guest's Nth line of output
# the guest's clock within a second of the host's while it ran
clock_ok() {
	awk -v g="$(line "$1" 4)" -v b="$(cat "before.$1")" -v a="$(cat "after.$1")" \
		'BEGIN { exit !(g != "" && g >= b - 1 && g <= a + 1) }'
}

# A run says where its state is (-v); whatever an earlier run of this test left goes first.
run first
state=$(state_of err.first | cut -d' ' -f2)
case $(state_of err.first) in
cold\ /*.state | saved\ /*.state | restored\ /*.state) ok 0 "a run says where its saved state is (-v)" ;;
*) ok 1 "a run says where its saved state is (-v)" "$(grep 'VM state' err.first; tail -n 5 err.first)" ;;
esac
forget "$state"

run a0
is "$(state_of err.a0)" "cold $state" "the first run of a layout boots cold"
is "$(cat rc.a0)$(ls "$state" 2>/dev/null)" 7 "and saves nothing"
run a
is "$(state_of err.a)" "saved $state" "the second one saves its state"
is "$(cat rc.a)" 7 "the program's status (7) after a save"
is "$(line a 1) $(line a 2) $(line a 3)" "stdin=input-a pwd=$scratch/a file-a" \
	"its stdin, its cwd and its files"
ok "$([ -s "$state" ]; echo $?)" "the state is in the cache" "$(ls -l "$(dirname "$state")")"
sleep 2 # a guest whose clock the state set would be 2 s behind now

run b
is "$(state_of err.b)" "restored $state" "the next run of the same layout restores it"
is "$(cat rc.b)" 7 "the program's status (7) from a restored state"
is "$(line b 1) $(line b 2) $(line b 3)" "stdin=input-b pwd=$scratch/b file-b" \
	"its own stdin, cwd and files, not the saving run's"
clock_ok b
ok $? "its clock is the host's, within a second" "guest $(line b 4), host $(cat before.b)..$(cat after.b)"
run c
is "$(state_of err.c)" "restored $state" "and the one after it"
clock_ok c
ok $? "its clock too" "guest $(line c 4), host $(cat before.c)..$(cat after.c)"
boot_ids=$(for n in a b c; do line $n 5; done | sort -u | grep -c .)
is "$boot_ids" 3 "each run has its own boot id" "$(for n in a b c; do line $n 5; done)"
randoms=$(for n in a b c; do line $n 6; done | sort -u | grep -c '^[0-9a-f]\{32\}$')
is "$randoms" 3 "and its own random bytes" "$(for n in a b c; do line $n 6; done)"

# Its own shares: a restored run writes into its --shared folder, not the saving run's.
mkdir -p s1 s2
run d --shared "$scratch/s1"
run d2 --shared "$scratch/s1"
run e --shared "$scratch/s2"
shared_state=$(state_of err.e | cut -d' ' -f2)
case "$(state_of err.d2) / $(state_of err.e)" in
"saved $shared_state / restored $shared_state" | "restored $shared_state / restored $shared_state")
	ok 0 "--shared is its own slot, restored the third time" ;;
*) ok 1 "--shared is its own slot, restored the third time" "$(state_of err.d2) / $(state_of err.e)" ;;
esac
ok "$([ "$shared_state" != "$state" ]; echo $?)" "another device layout: another state"
"$QUIZ" "${kernel[@]}" -m "$mem" -r raw --shared "$scratch/s2" sh -c 'echo two >/shared/mine' \
	</dev/null >/dev/null 2>&1
is "$(ls s1) / $(cat s2/mine 2>/dev/null)" " / two" "the restored run's /shared is its own folder"
run f -m 302M
is "$(state_of err.f | cut -d' ' -f1)" cold "other memory: not the 301M state; a first run of its own"
forget "$(state_of err.f | cut -d' ' -f2)"

# The boot's console goes with its state: -v, --console and the splat check see it in a
# restored run as in the boot that saved it (loglevel=8: the whole boot log on the console).
run q0 --append loglevel=8
run q --append loglevel=8
run r --append loglevel=8
is "$(state_of err.q | cut -d' ' -f1 | sed 's/^restored$/saved/') $(state_of err.r | cut -d' ' -f1)" \
	"saved restored" "loglevel=8: a slot of its own (saved, or from a stopped run), then restored"
is "$(grep -c '] Linux version ' err.q) $(grep -c '] Linux version ' err.r)" "1 1" \
	"a restored run's -v shows the boot's console too, once" "$(grep -m3 '^\[' err.r)"
forget "$(state_of err.r | cut -d' ' -f2)"

# A rebuilt kernel: a copy of the boot image given by path, then changed (its identity).
image_dir=$("$QUIZ" "${kernel[@]}" --dry-run true | awk '{for (i = 1; i < NF; i++) if ($i == "-kernel") print $(i + 1)}')
cp "$image_dir" vmlinux.copy
kernel=(-K "$scratch/vmlinux.copy")
run g0
run g
run h
touch -d '+1 minute' vmlinux.copy
run i
kernel=(-k "$QUIZ_TEST_KERNEL")
is "$(state_of err.g | cut -d' ' -f1) $(state_of err.h | cut -d' ' -f1) $(state_of err.i | cut -d' ' -f1)" \
	"saved restored cold" "a kernel given by path: saved, restored; once rebuilt, not restored"
is "$(cat rc.g rc.h rc.i | paste -sd' ')" "7 7 7" "each run's status"
ok "$([ ! -e "$(state_of err.h | cut -d' ' -f2)" ]; echo $?)" "the rebuilt kernel's first run removed the old kernel's state"
forget "$(state_of err.i | cut -d' ' -f2)"

# Another QEMU at the same path (an upgrade): a wrapper, rewritten.
real_qemu=$(command -v qemu-system-x86_64)
printf '#!/bin/sh\nexec %s "$@"\n' "$real_qemu" >qemu && chmod +x qemu
QUIZ_QEMU=$scratch/qemu run j0
QUIZ_QEMU=$scratch/qemu run j
printf '#!/bin/sh\n# upgraded\nexec %s "$@"\n' "$real_qemu" >qemu.new && chmod +x qemu.new && mv qemu.new qemu
QUIZ_QEMU=$scratch/qemu run k
is "$(state_of err.j | cut -d' ' -f1) $(state_of err.k | cut -d' ' -f1)" "saved cold" \
	"another QEMU binary at the same path: never the old one's state"
forget "$(state_of err.k | cut -d' ' -f2)"

# A state that does not load: the run boots cold, unharmed, and the state goes.
head -c 4096 /dev/urandom >"$state"
run l
is "$(state_of err.l)" "failed $state" "a broken state: said (-v), and a cold boot instead"
is "$(cat rc.l) $(line l 1) $(line l 2)" "7 stdin=input-l pwd=$scratch/l" \
	"the run is whole: its status, its stdin (unread by the failed start), its cwd"
ok "$([ ! -e "$state" ]; echo $?)" "the broken state is removed"
run m
is "$(state_of err.m)" "saved $state" "the next run saves a good one again"

# Cold, when asked.
run n --cold
is "$(state_of err.n)" "cold -" "--cold boots cold" "$(grep 'VM state' err.n)"
grep -q 'asked for' err.n
ok $? "and says why (-v)" "$(grep 'VM state' err.n)"
QUIZ_COLD=1 run o
is "$(state_of err.o) $(cat rc.o)" "cold - 7" "QUIZ_COLD=1 too"
"$QUIZ" "${kernel[@]}" -m "$mem" -r raw --qemu-arg=-no-user-config -v true </dev/null >/dev/null 2>err.p
grep -q 'VM state: none; a cold boot: QEMU arguments' err.p
ok $? "QEMU arguments of the user's (a disk, a device): cold" "$(grep 'VM state' err.p)"

# At most 12 states are kept; a new save removes the least recently used (a restore counts as
# a use). In a home of its own: the kernels and the image are the cache's (links).
home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz}
lru=$scratch/lru-home
mkdir -p "$lru/kernels" "$lru/images"
ln -s "$home/kernels/x86_64" "$lru/kernels/x86_64"
ln -s "$home/images/bookworm-amd64.ext2" "$home/images/bookworm-amd64.ext2.info" "$lru/images/"
# The verdict copied, not linked: quiz opens accel/ without following a link (a link there is
# ignored, as anything it reads back from a folder it cannot trust).
[ ! -d "$home/accel" ] || cp -a "$home/accel" "$lru/accel"
for m in $(seq 320 331); do # twice each: the second run saves
	QUIZ_HOME=$lru "$QUIZ" -k "$QUIZ_TEST_KERNEL" -m ${m}M -r raw true </dev/null >/dev/null 2>&1
	QUIZ_HOME=$lru "$QUIZ" -k "$QUIZ_TEST_KERNEL" -m ${m}M -r raw true </dev/null >/dev/null 2>&1
done
is "$(ls "$lru/states" | grep -c '\.state$')" 12 "twelve layouts: twelve states"
QUIZ_HOME=$lru "$QUIZ" -k "$QUIZ_TEST_KERNEL" -m 320M -r raw -v true </dev/null >/dev/null 2>err.lru
first=$(sed -n 's/^quiz: VM state: restored from //p' err.lru) # the first saved, used again
second=$(ls "$lru"/states/*.state | grep -vxF "$first" | xargs ls -tr | head -n1) # 321M's
QUIZ_HOME=$lru "$QUIZ" -k "$QUIZ_TEST_KERNEL" -m 332M -r raw true </dev/null >/dev/null 2>&1
QUIZ_HOME=$lru "$QUIZ" -k "$QUIZ_TEST_KERNEL" -m 332M -r raw true </dev/null >/dev/null 2>&1
is "$(ls "$lru/states" | grep -c '\.state$') $(ls "$lru/states" | grep -c '\.console$')" "12 12" \
	"a thirteenth: still twelve, each with its console"
ok "$([ -n "$first" ] && [ -e "$first" ] && [ -n "$second" ] && [ ! -e "$second" ]; echo $?)" \
	"the least recently used one went; the first one, restored since, stayed" "$(ls -lt "$lru/states")"

states_dir=$(dirname "$state")
is "$(ls "$states_dir" | grep -c '\.tmp$')" 0 "no part of a save is left in the cache"
forget "$state" "$shared_state"
is "$(runs_left)" 0 "no run directory left behind"
done_testing
