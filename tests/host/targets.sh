#!/bin/bash
# SPDX-License-Identifier: MIT
# Target names become folders under --results: "[..]" and friends are refused before any run,
# with the file and line, and nothing is written beside the results folder (17.5). No VM.
. "$(dirname "$0")/dry-lib.sh"
fake_cache
mkdir -p "$scratch/project" && cd "$scratch/project" || exit 1

for name in .. . .hidden; do
	printf '[fine]\nkernel = 6.1\nprogram = true\n\n[%s]\nkernel = 6.1\nprogram = true\n' \
		"$name" >quiz.ini
	rm -rf results "$scratch"/stdout "$scratch"/stderr stdout stderr
	"$QUIZ" --dry-run --targets quiz.ini --results results/r >out 2>err
	is "$?" 125 "17.5: target [$name] is refused (125)"
	is "$(cat err)" "quiz: quiz.ini line 5: [$name]: a target name must not start with '.' (it names a folder under --results); rename it" \
		"17.5: ...in one line naming the file and the line"
	is "$(ls -A results 2>/dev/null; ls "$scratch" | grep -E '^std(out|err)$'; ls | grep -E '^std(out|err)$')" "" \
		"17.5: ...before anything is written under or beside --results"
done

printf '[a.b-6.1]\nkernel = 6.1\nprogram = true\n' >quiz.ini
"$QUIZ" --dry-run --targets quiz.ini --results results >out 2>err
is "$?" 0 "17.5: a name with '.' inside runs (dry run)" "$(cat err)"
[ -f results/a.b-6.1/stdout ]
ok $? "17.5: ...and its output is kept in results/a.b-6.1/"
done_testing
