#!/bin/bash
# SPDX-License-Identifier: MIT
# Run directories a crash or SIGKILL left are removed by the next quiz; a live run's (its lock
# held) and a --keep run's stay (17.11). No VM: --dry-run makes and removes a run directory too.
. "$(dirname "$0")/dry-lib.sh"
fake_cache
cd "$scratch" || exit 1
runs=$QUIZ_HOME/runs
mkdir -p "$runs/run.stale1/layer/lib" "$runs/run.live1/layer"
echo disk >"$runs/run.stale1/disk.img"
echo module >"$runs/run.stale1/layer/lib/m.ko"
echo disk >"$runs/run.live1/disk.img"

# A quiz that held its run directory's lock, then was SIGKILLed: the lock died with it.
{ bash -c 'exec 9<"$1" && flock 9 && kill -9 $$' _ "$runs/run.stale1"; } 2>/dev/null
# A live run: the lock is held, by a process that stays.
bash -c 'exec 9<"$1" && flock 9 && echo locked >"$2" && exec sleep 600' _ \
	"$runs/run.live1" "$scratch/live-ready" &
live_pid=$!
trap 'kill $live_pid 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do [ -e "$scratch/live-ready" ] && break; sleep 0.05; done

"$QUIZ" --dry-run --keep true >out 2>err
is "$?" 0 "17.11: quiz --dry-run --keep true runs" "$(cat err)"
kept=$(kept_dir err)
[ ! -e "$runs/run.stale1" ]
ok $? "17.11: the stale run directory (its owner SIGKILLed) is removed" "$(ls -R "$runs")"
[ -f "$runs/run.live1/disk.img" ]
ok $? "17.11: a live run's directory (its lock held) is kept"
[ -n "$kept" ] && [ -d "$kept" ]
ok $? "17.11: the --keep run's directory is there after it"

"$QUIZ" --dry-run true >out 2>err
is "$?" 0 "17.11: a second quiz --dry-run true runs" "$(cat err)"
[ -d "$kept" ]
ok $? "17.11: a --keep run's directory is not collected by a later quiz"
[ -f "$runs/run.live1/disk.img" ]
ok $? "17.11: the live run's directory is still kept"
is "$(ls -A "$runs" | sort | tr '\n' ' ')" "$(printf '%s\n' run.live1 "$(basename "$kept")" | sort | tr '\n' ' ')" \
	"17.11: nothing else is left in runs/ (the dry runs removed their own)"

kill "$live_pid"
wait "$live_pid" 2>/dev/null
"$QUIZ" --dry-run true >out 2>err
[ ! -e "$runs/run.live1" ]
ok $? "17.11: once its owner is gone, the formerly live directory is collected too"

# A stale directory with a bind mount left inside: collected with the mount-safe removal (17.4).
mkdir -p "$scratch/precious" "$runs/run.stale2/mnt"
echo keep-me >"$scratch/precious/file"
if [ "$(id -u)" != 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
	echo "ok $((tap_n += 1)) - # SKIP 17.11+17.4: needs root and unshare -m for a bind mount"
else
	unshare -m --propagation private sh -c '
		mount --bind "$1" "$2" && "$3" --dry-run true >"$4/out" 2>"$4/err"' _ \
		"$scratch/precious" "$runs/run.stale2/mnt" "$QUIZ" "$scratch"
	is "$(cat "$scratch/precious/file")" keep-me \
		"17.11: a stale directory's bind mount is not entered: the host file survives"
	grep -q "^quiz: stale run directories in $QUIZ_HOME: $runs/run.stale2/mnt stayed: it is a mount point" err
	[ $? = 0 ] && [ "$(wc -l <err)" = 1 ]
	ok $? "17.11: ...and quiz says what stayed and why, in one line" "$(cat err)"
fi
done_testing
