#!/bin/bash
# SPDX-License-Identifier: MIT
# What quiz refuses before boot and how it says it (17.20): kernel words with '"', -m and -c
# limits, and the message when no kernel is built and no -k given. No VM.
. "$(dirname "$0")/dry-lib.sh"
fake_cache
mkdir -p "$scratch/project" && cd "$scratch/project" || exit 1

refused() { # refused DESCRIPTION WANT-STDERR ARGS...: quiz exits 125 with that one line
	local desc=$1 want=$2
	shift 2
	"$QUIZ" "$@" >out 2>err
	is "$?" 125 "$desc: 125"
	is "$(cat err)" "$want" "$desc: one line says why"
}

refused "17.20: --append with a '\"'" \
	"quiz: --append: 'quiet=\"x' holds a '\"', which would make the kernel read the rest of its command line (microvm's device words too) as one quoted value; leave the quotes out" \
	--dry-run --append 'nokaslr quiet="x' true
profile quoting '[options]
v = plain
[kernel]
word = quiz_v=${v}'
"$QUIZ" --dry-run -p quoting true >out 2>err
is "$?" 0 "17.20: a profile's kernel word without a quote is fine" "$(cat err)"
refused "17.20: a profile's kernel word given a '\"' through an option" \
	"quiz: profile quoting: kernel word 'quiz_v=a\"b' holds a '\"', which would make the kernel read the rest of its command line (microvm's device words too) as one quoted value; leave the quotes out" \
	--dry-run -p quoting -o 'quoting.v=a"b' true

refused "17.20: -m 512MB" \
	"quiz: -m 512MB: expected a size like 512M or 2G (digits, then K, M, G or T; no suffix is M), from 32M to 1T" \
	--dry-run -m 512MB true
refused "17.20: -m 64T" "quiz: -m 64T: guest memory must be from 32M to 1T" --dry-run -m 64T true
"$QUIZ" --dry-run -m 2G -c 4 true >out 2>err
grep -q -- ' -m 2G -smp 4 ' out
ok $? "17.20: -m 2G -c 4 reach QEMU as given" "$(cat out err)"
refused "17.20: -c 1000000" \
	"quiz: -c 1000000: expected a whole number from 1 to 255 (x86_64's microvm without ACPI; other machines take fewer)" \
	--dry-run -c 1000000 true

QUIZ_HOME=$scratch/empty refused "17.20: nothing built, no -k" \
	"quiz: no kernel built yet in $scratch/empty; build one: quiz-kernel build 6.1" --dry-run true
QUIZ_HOME=$scratch/empty refused "17.20: nothing built, -k 6.12" \
	"quiz: no 6.12 kernel built (built: none); run: quiz-kernel build 6.12" --dry-run -k 6.12 true
done_testing
