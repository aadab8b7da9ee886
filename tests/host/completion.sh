#!/bin/bash
# SPDX-License-Identifier: MIT
# Bash completion (completions/quiz.bash), sourced and called as bash calls it: COMP_WORDS and
# COMP_CWORD in, COMPREPLY out. -k from the cache's kernels, -p from the profiles, -a from the
# architectures, the options from quiz --help (all of options.c's, none more).
. "$(dirname "$0")/lib.sh"
. "$source_root/completions/quiz.bash"
qk=$(dirname "$QUIZ")/quiz-kernel
fake_kernel 6.12.3
fake_kernel 6.12.10

complete_words() { # complete_words FUNCTION WORD... (the last one is being completed)
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$fn"
	[ ${#COMPREPLY[@]} = 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

is "$(complete_words _quiz "$QUIZ" -k '')" "6.1 6.1.1 6.12 6.12.10 6.12.3 all " \
	"-k offers each built release, its X.Y and all"
is "$(complete_words _quiz "$QUIZ" --kernel 6.12.)" "6.12.10 6.12.3 " "--kernel 6.12.<TAB> narrows"
is "$(complete_words _quiz "$QUIZ" -k 6.1,6.12.1)" "6.1,6.12.10 " "-k completes a list's last item"
mkdir -p "$QUIZ_HOME/kernels/aarch64"
is "$(complete_words _quiz "$QUIZ" -a aarch64 -k '')" "all " \
	"-k after -a aarch64 offers that architecture's kernels (none here)"

want=$(ls "$source_root/profiles" | sort | tr '\n' ' ')
is "$(complete_words _quiz "$QUIZ" -p '')" "$want" "-p offers the profiles found ($want)"
mkdir -p "$scratch/conf/quiz/profiles/zz-mine"
printf '[profile]\ndescription = mine\n' >"$scratch/conf/quiz/profiles/zz-mine/profile.ini"
export XDG_CONFIG_HOME=$scratch/conf
is "$(complete_words _quiz "$QUIZ" -p zz)" "zz-mine " "-p offers the user's own profiles too"
unset XDG_CONFIG_HOME
is "$(complete_words _quiz "$QUIZ" -p blockdev,me)" "blockdev,memdev " "-p completes a list's last item"
is "$(complete_words _quiz "$QUIZ" -a '')" "aarch64 arm64 ppc64 ppc64el ppc64le riscv64 s390x x86_64 " \
	"-a offers the architectures and their aliases"
is "$(complete_words _quiz "$QUIZ" -a x86_64,s)" "x86_64,s390x " "-a completes a list's last item"
is "$(complete_words _quiz "$QUIZ" -r '')" "auto raw tmux " "-r offers the modes"

# The options: exactly the long options of runner/core/options.c's table, and its short ones.
want=$(sed -nE 's/^\t\{"([a-z-]+)", (no|required)_argument.*/--\1/p' "$source_root/runner/core/options.c" | sort | tr '\n' ' ')
is "$(complete_words _quiz "$QUIZ" --)" "$want" "-- offers every long option of options.c, no other"
is "$(complete_words _quiz "$QUIZ" --sp)" "--splat --splat-allow " "--sp<TAB> narrows"
is "$(complete_words _quiz "$QUIZ" -k 6.1 ./test.sh --)" "" \
	"after the program's name nothing of quiz's is offered (its arguments are its own)"
is "$(complete_words _quiz "$QUIZ" -t 5 -k 6.1 --ver)" "--verbose --version " \
	"options after options that take an argument still complete"
is "$(complete_words _quiz "$QUIZ" --results '')" "" "--results DIR leaves it to file completion"

is "$(complete_words _quiz_kernel "$qk" '')" "--arch --help -a arch build cache check config configure install list path remove " \
	"quiz-kernel offers its commands"
is "$(complete_words _quiz_kernel "$qk" remove 6.12.1)" "6.12.10 " "quiz-kernel remove offers the kernels"
is "$(complete_words _quiz_kernel "$qk" cache c)" "clean " "quiz-kernel cache offers clean"
is "$(complete_words _quiz_kernel "$qk" path 6.12.1)" "6.12.10 " "quiz-kernel path offers the kernels"
is "$(complete_words _quiz_image "$(dirname "$QUIZ")/quiz-image" -a a)" "aarch64 arm64 " \
	"quiz-image -a offers the architectures"
is "$(complete_words _quiz_image quiz-image '')" "--help build check info libs list path refresh-init1 " \
	"quiz-image offers its commands"
# Each command's options: the long options of its --help, and --arch (every command takes it).
for c in build info libs path refresh-init1; do
	want=$({ echo --arch; "$source_root/tools/quiz-image" "$c" --help | grep -oE '^ +(-[a-z], )?--[a-z0-9-]+' |
		grep -oE -- '--[a-z0-9-]+'; } | sort -u | tr '\n' ' ')
	is "$(complete_words _quiz_image quiz-image "$c" --)" "$want" "quiz-image $c -- offers its --help's options"
done
done_testing
