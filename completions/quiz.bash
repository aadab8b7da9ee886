# SPDX-License-Identifier: MIT
# Bash completion of quiz, quiz-kernel and quiz-image. The options come from quiz --help (so
# they never drift from the program), -k from the built kernels (quiz-kernel list), -p from
# the profiles found (quiz --list-profiles), -a from the architectures (quiz-kernel arch).

# The tool beside the one being completed (./build/runner/quiz: ./build/runner/quiz-kernel).
_quiz_sibling() { # _quiz_sibling COMMAND-AS-TYPED NAME
	local dir
	case $1 in
	*/*) dir=${1%/*} ;;
	*) printf '%s\n' "$2"; return ;;
	esac
	dir=${dir/#\~/$HOME}
	if [ -x "$dir/$2" ]; then printf '%s\n' "$dir/$2"; else printf '%s\n' "$2"; fi
}

# Each option of quiz --help, one a line; with a trailing '=' when it takes an argument.
_quiz_options() { # _quiz_options QUIZ
	"${1/#\~/$HOME}" --help 2>/dev/null | sed -nE \
		-e 's/^  (-[A-Za-z]), (--[a-z][a-z-]*) [A-Z][^ ]*.*/\1=\n\2=/p' \
		-e 's/^  (-[A-Za-z]), (--[a-z][a-z-]*)( .*)?$/\1\n\2/p' \
		-e 's/^      (--[a-z][a-z-]*) [A-Z][^ ]*.*/\1=/p' \
		-e 's/^      (--[a-z][a-z-]*)( .*)?$/\1/p'
}

# Kernel selectors: each built release and its X.Y (the newest X.Y.z), and "all".
_quiz_kernels() { # _quiz_kernels QUIZ-KERNEL [ARCH]
	"${1/#\~/$HOME}" list ${2:+-a "$2"} 2>/dev/null | awk 'NR > 1 { print $1 }' |
		sed -E 'p; s/^([0-9]+\.[0-9]+)[.-].*/\1/' | sort -u
	echo all
}

_quiz_profiles() { # _quiz_profiles QUIZ
	"${1/#\~/$HOME}" --list-profiles 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_quiz_archs() { # _quiz_archs QUIZ-KERNEL
	"${1/#\~/$HOME}" arch 2>/dev/null | sed -n 's/^name=//p; s/^alias=\(..*\)/\1/p'
}

# COMPREPLY from WORDS for the current word; after a comma, for its last item (-k 6.1,6.<TAB>).
_quiz_reply_list() { # _quiz_reply_list CUR WORDS
	local head= item=$1
	case $1 in *,*) head=${1%,*},; item=${1##*,} ;; esac
	local IFS=$'\n' w
	COMPREPLY=()
	for w in $2; do
		[[ $w == "$item"* ]] && COMPREPLY+=("$head$w")
	done
}

_quiz() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev= quiz=${COMP_WORDS[0]} qk opts arch= i w
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	qk=$(_quiz_sibling "$quiz" quiz-kernel)
	opts=$(_quiz_options "$quiz")
	# After the program's name, its arguments are its own (files, as bash would).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-a | --arch) arch=${COMP_WORDS[i + 1]} ;;
		--arch=*) arch=${w#--arch=} ;;
		esac
		if grep -qxF -- "$w=" <<<"$opts"; then
			((i++))
		elif [[ $w != -* ]]; then
			COMPREPLY=()
			return 0
		fi
	done
	case $prev in
	-k | --kernel) _quiz_reply_list "$cur" "$(_quiz_kernels "$qk" "${arch%%,*}")"; return 0 ;;
	-p | --profile) _quiz_reply_list "$cur" "$(_quiz_profiles "$quiz")"; return 0 ;;
	--describe-profile) _quiz_reply_list "$cur" "$(_quiz_profiles "$quiz")"; return 0 ;;
	-a | --arch) _quiz_reply_list "$cur" "$(_quiz_archs "$qk")"; return 0 ;;
	-r | --mode) _quiz_reply_list "$cur" $'raw\ntmux\nauto'; return 0 ;;
	--splat) _quiz_reply_list "$cur" $'fail\nwarn\nignore'; return 0 ;;
	--cwd-share) _quiz_reply_list "$cur" $'auto\n9p\nimage'; return 0 ;;
	esac
	if grep -qxF -- "$prev=" <<<"$opts"; then
		COMPREPLY=() # an argument: files and folders (complete -o default)
		return 0
	fi
	if [[ $cur == -* ]]; then
		_quiz_reply_list "$cur" "$(sed 's/=$//' <<<"$opts")"
		return 0
	fi
	COMPREPLY=() # the program: a file, or a command of the guest's
}

_quiz_kernel() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev= qk=${COMP_WORDS[0]} cmd= i
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-a | --arch) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	-a | --arch) _quiz_reply_list "$cur" "$(_quiz_archs "$qk")"; return 0 ;;
	esac
	case $cmd in
	'') _quiz_reply_list "$cur" $'build\nlist\npath\nremove\ncache\nconfigure\ninstall\ncheck\nconfig\narch\n-a\n--arch\n--help' ;;
	remove | configure | install) if [ "$prev" = "$cmd" ]; then _quiz_reply_list "$cur" "$(_quiz_kernels "$qk")"
		else COMPREPLY=(); fi ;;
	cache) _quiz_reply_list "$cur" $'clean\n--all\n--dry-run\n--help' ;;
	path) if [ "$prev" = path ]; then _quiz_reply_list "$cur" "$(_quiz_kernels "$qk")"
		else _quiz_reply_list "$cur" $'dir\nimage\nbzimage\nvmlinux\nconfig\nkbuild\nmodules\nsystem-map\nmake-args'; fi ;;
	arch) _quiz_reply_list "$cur" "$(_quiz_archs "$qk")" ;;
	*) COMPREPLY=() ;;
	esac
}

_quiz_image() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	-a | --arch) _quiz_reply_list "$cur" "$(_quiz_archs "$(_quiz_sibling "${COMP_WORDS[0]}" quiz-kernel)")"; return 0 ;;
	esac
	if [ "$COMP_CWORD" = 1 ]; then
		_quiz_reply_list "$cur" $'build\ncheck\nrefresh-init1\nlist\ninfo\npath\nlibs\n--help'
	elif [[ $cur == -* ]]; then
		case ${COMP_WORDS[1]} in
		build) _quiz_reply_list "$cur" $'--suite\n--arch\n--with\n--lean\n--packages\n--add\n--drop\n--init1\n--force\n--help' ;;
		refresh-init1) _quiz_reply_list "$cur" $'--suite\n--arch\n--init1\n--help' ;;
		info) _quiz_reply_list "$cur" $'--suite\n--arch\n--manifest\n--help' ;;
		path | libs) _quiz_reply_list "$cur" $'--suite\n--arch\n--help' ;;
		*) _quiz_reply_list "$cur" $'--help' ;;
		esac
	else
		COMPREPLY=()
	fi
}

complete -o default -F _quiz quiz
complete -o default -F _quiz_kernel quiz-kernel
complete -o default -F _quiz_image quiz-image
