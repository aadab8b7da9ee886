#!/bin/bash
# SPDX-License-Identifier: MIT
# meson install into a DESTDIR: the commands, helpers under libexec, data under share, man pages;
# the installed quiz, quiz-kernel and quiz-image find their own tree's files, not the sources'.
. "$(dirname "$0")/lib.sh"
: "${QUIZ_BUILD_ROOT:?QUIZ_BUILD_ROOT must name the build folder (meson sets it)}"
dest=$scratch/dest
meson install -C "$QUIZ_BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet >"$scratch/install.log" 2>&1
ok $? "meson install --destdir succeeds" "$(tail -5 "$scratch/install.log")"
bin=$(dirname "$(find "$dest" -path '*/bin/quiz' -type f)")
prefix=${bin%/bin}
ok "$([ -n "$bin" ] && [ -x "$bin/quiz" ]; echo $?)" "quiz is installed in PREFIX/bin ($prefix)"

missing=
for f in bin/quiz bin/quiz-kernel bin/quiz-image libexec/quiz/quiz-init libexec/quiz/quiz-init.sha256 \
	libexec/quiz/quiz-kernel-build libexec/quiz/quiz-image libexec/quiz/quiz-libs \
	libexec/quiz/quiz-image-manifest libexec/quiz/quiz-image-packages \
	libexec/quiz/quiz-image-refresh libexec/quiz/quiz-image-static libexec/quiz/quiz-apt-private share/quiz/kconfig/base.config \
	share/quiz/kconfig/arch/x86_64.config share/quiz/kconfig/flavour/kasan.config share/quiz/image/core.list share/quiz/image/suite.list share/quiz/image/customize \
	share/quiz/profiles/blockdev share/man/man1/quiz.1 share/man/man1/quiz-kernel.1 \
	share/man/man1/quiz-image.1 share/man/man1/quiz-libs.1 share/bash-completion/completions/quiz \
	share/bash-completion/completions/quiz-kernel share/bash-completion/completions/quiz-image; do
	[ -e "$prefix/$f" ] || missing+=" $f"
done
is "$missing" "" "the commands, helpers, kconfig fragments, image lists, profiles, man pages and completion are installed"
ok "$([ ! -e "$prefix/share/quiz/scripts" ]; echo $?)" "no helper lands in share/ (they are in libexec/quiz)"
for f in libexec/quiz/quiz-kernel-build libexec/quiz/quiz-image libexec/quiz/quiz-libs \
	libexec/quiz/quiz-image-manifest; do
	[ -x "$prefix/$f" ] || missing+=" $f"
done
is "$missing" "" "the helpers are executable"
is "$(readlink "$prefix/bin/quiz-image")" "../libexec/quiz/quiz-image" \
	"bin/quiz-image is a relative link to the helper (it stays inside a DESTDIR or a moved tree)"
for cross in "$QUIZ_BUILD_ROOT"/guest-init/quiz-init-*; do
	case $cross in *.sha256) continue ;; esac
	[ -x "$prefix/libexec/quiz/${cross##*/}" ]
	ok $? "the cross-built ${cross##*/} is installed beside quiz-init"
done

# The installed tree, not the sources: a profile and an image list only it has.
cp -r "$prefix/share/quiz/profiles/memdev" "$prefix/share/quiz/profiles/installedonly"
printf 'hello\n' >"$prefix/share/quiz/image/installedonly.list"
"$bin/quiz" --help >"$scratch/help" 2>&1
ok $? "the installed quiz --help exits 0"
"$QUIZ" --help >"$scratch/help.build" 2>&1
cmp -s "$scratch/help" "$scratch/help.build"
ok $? "...and says what the build tree's quiz says"
"$bin/quiz" --list-profiles >"$scratch/profiles" 2>&1
ok $? "the installed quiz --list-profiles exits 0" "$(cat "$scratch/profiles")"
grep -q '^installedonly' "$scratch/profiles"
ok $? "...and lists the installed tree's profiles" "$(cat "$scratch/profiles")"
grep -q '^blockdev' "$scratch/profiles"
ok $? "...the shipped ones too"
"$QUIZ" --list-profiles | grep -q '^installedonly'
ok "$([ $? != 0 ]; echo $?)" "the build tree's quiz still reads the sources' profiles"

"$bin/quiz-kernel" --help >"$scratch/kh" 2>&1
ok $? "the installed quiz-kernel --help exits 0"
grep -q '^Usage: quiz-kernel COMMAND' "$scratch/kh"
ok $? "...with its usage" "$(cat "$scratch/kh")"
out=$("$bin/quiz-kernel" build --help 2>&1)
ok $? "installed quiz-kernel build --help runs the helper in libexec/quiz" "$out"
grep -q 'kasan' <<<"$out"
ok $? "...which finds the installed kconfig/flavour/ (it lists kasan)" "$out"
out=$("$bin/quiz-kernel" list 2>&1)
grep -q '^6\.1\.1 ' <<<"$out"
ok $? "installed quiz-kernel list lists the cache's kernels" "$out"
out=$(env -u QUIZ_IMAGE_DIR "$bin/quiz-image" build --help 2>&1)
ok $? "the installed quiz-image build --help exits 0 (through the link in bin)" "$out"
grep -q '^Lists available: core debug installedonly suite$' <<<"$out"
ok $? "...and finds the installed image lists" "$out"

"$bin/quiz" --dry-run true >"$scratch/dry" 2>&1
ok $? "the installed quiz --dry-run true works with the cache's kernel" "$(cat "$scratch/dry")"
# quiz-kernel check reads what quiz needs from the installed kconfig/.
config=$QUIZ_HOME/kernels/x86_64/6.1.1/config
out=$("$bin/quiz-kernel" check "$config" 2>&1)
ok $? "the installed quiz-kernel check passes the cache kernel's config" "$out"
mv "$prefix/share/quiz/kconfig" "$prefix/share/quiz/kconfig.away"
out=$("$bin/quiz-kernel" check "$config" 2>&1)
ok "$([ $? != 0 ]; echo $?)" "...and fails without the installed kconfig/ (it is the one read)" "$out"
mv "$prefix/share/quiz/kconfig.away" "$prefix/share/quiz/kconfig"

# Moved elsewhere, the tree still finds itself.
mv "$dest" "$scratch/moved"
moved=$scratch/moved${prefix#"$dest"}
"$moved/bin/quiz" --list-profiles 2>&1 | grep -q '^installedonly'
ok $? "a moved install tree still finds its own profiles"
if command -v groff >/dev/null; then
	for m in quiz quiz-kernel quiz-image; do
		w=$(groff -man -ww -z "$moved/share/man/man1/$m.1" 2>&1)
		is "$w" "" "$m(1) renders without groff warnings"
	done
fi
done_testing
