#!/bin/bash
# SPDX-License-Identifier: MIT
# Libraries the guest image lacks (issue 31): said before boot (no QEMU started, 127), after a
# run whose loader failed (127), and by quiz-libs over a folder; the image's IMAGE.manifest is
# hand-written here, dpkg-query a stand-in that knows one package.
. "$(dirname "$0")/lib.sh"
cd "$scratch" || exit 1

QUIZ_LIBS=${QUIZ_LIBS:-$QUIZ_BUILD_ROOT/runner/quiz-libs}
triplet=$(cc -print-multiarch 2>/dev/null)
zlib=
for d in /usr/lib/$triplet /lib/$triplet; do
	[ -e "$d/libz.so.1" ] && zlib=$d/libz.so.1 && break
done
if [ -z "$triplet" ] || [ -z "$zlib" ] || [ "$(uname -m)" != x86_64 ]; then
	echo "1..0 # SKIP needs cc and the host's libz.so.1 on x86_64"
	exit 0
fi

# dpkg-query: zlib1g owns libz.so.1 (by either name of merged /usr), nothing else is packaged.
mkdir -p bin
cat >bin/dpkg-query <<'SH'
#!/bin/sh
echo "$*" >>"${DPKG_LOG:-/dev/null}"
case $2 in
*/libz.so.1) echo "zlib1g:amd64: $2" ;;
*) echo "dpkg-query: no path found matching pattern $2" >&2; exit 1 ;;
esac
SH
chmod +x bin/dpkg-query
export PATH=$scratch/bin:$PATH DPKG_LOG=$scratch/dpkg.log

manifest() { # manifest [LIB...]: the image's manifest: libc's libraries and these
	{
		echo "# quiz image manifest (hand-written)"
		echo "package libc6 2.36-9"
		printf 'lib %s\n' libc.so.6 libm.so.6 ld-linux-x86-64.so.2 "$@"
	} >"$QUIZ_IMAGE.manifest"
}
qemu_started() { [ -n "$(ls -A "$FAKE_QEMU_LOG_DIR")" ]; }
fresh() { rm -rf "${FAKE_QEMU_LOG_DIR:?}"/*; }

mkdir -p proj/lib proj/lib2 elsewhere
cd proj || exit 1
echo 'int main(void) { return 0; }' >main.c
echo 'int mine(void) { return 1; }' >mine.c
cc -o needz main.c -Wl,--no-as-needed "$zlib" &&
	cc -o plain main.c &&
	cc -shared -fPIC -o lib/libmine.so -Wl,-soname,libmine.so mine.c &&
	cp lib/libmine.so lib2/ && cp lib/libmine.so ../elsewhere/ &&
	cc -o origin main.c -Wl,--no-as-needed lib/libmine.so -Wl,-rpath,'$ORIGIN/lib' &&
	cc -o outside main.c -Wl,--no-as-needed lib/libmine.so -Wl,-rpath,"$scratch/elsewhere" &&
	cc -o ldpath main.c -Wl,--no-as-needed lib/libmine.so
ok $? "the programs are built"
zline="quiz: ./needz needs libz.so.1, which the guest image lacks: Debian's zlib1g has it; add it: quiz-image build --add zlib1g"

# Before boot.
manifest
fresh
FAKE_QEMU_SCENARIO='text stdout booted;status 0' "$QUIZ" ./needz >out 2>err
is "$?" 127 "a program needing a library the image lacks: 127, the loader's status, before boot"
is "$(cat err)" "$zline" "one line names the library, its package and the command that adds it"
is "$(cat out)" "" "nothing on stdout"
qemu_started
ok $((!$?)) "QEMU was not started"
is "$(runs_left)" 0 "no run directory left"
grep -q "^-S /lib/$triplet/libz.so.1\$\|^-S /usr/lib/$triplet/libz.so.1\$" "$DPKG_LOG"
ok $? "dpkg-query was asked about the host's copy"

manifest libz.so.1
fresh
FAKE_QEMU_SCENARIO='text stdout booted;status 0' "$QUIZ" ./needz >out 2>err
is "$?" 0 "with libz.so.1 in the manifest the program boots"
is "$(cat out)" "booted" "and runs"

manifest
printf '#!%s/needz\n' "$PWD" >script
chmod +x script
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./script >out 2>err
is "$?" 127 "a script whose interpreter (under the cwd) lacks a library: 127"
is "$(cat err)" "quiz: $PWD/needz needs libz.so.1, which the guest image lacks: Debian's zlib1g has it; add it: quiz-image build --add zlib1g" \
	"the line names the interpreter"

fresh
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./origin 2>err
is "$?" 0 "a library under the cwd through RUNPATH \$ORIGIN is found: it boots"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -e "LD_LIBRARY_PATH=$PWD/lib2" ./ldpath 2>err
is "$?" 0 "a library in -e LD_LIBRARY_PATH under the cwd is found"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -e "LD_LIBRARY_PATH=lib2" ./ldpath 2>err
is "$?" 0 "the same, relative to the cwd"
fresh
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./ldpath 2>err
is "$?" 127 "without it, the library is missing"
is "$(cat err)" "quiz: ./ldpath needs libmine.so, which the guest image lacks: not on this host either: carry it with --system DIR" \
	"one found nowhere on the host: carry it"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./outside 2>err
is "$?" 127 "a RUNPATH folder outside the cwd is not the guest's"
is "$(cat err)" "quiz: ./outside needs libmine.so, which the guest image lacks: not from a Debian package ($scratch/elsewhere/libmine.so): carry it with --system DIR" \
	"the host's copy, from no package: carry it with --system"
mkdir -p ../sys/usr/lib/"$triplet" "../user$scratch/elsewhere"
cp lib/libmine.so ../sys/usr/lib/"$triplet"/
cp lib/libmine.so "../user$scratch/elsewhere/"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" --system ../sys ./outside 2>err
is "$?" 0 "a library in --system's usr/lib/TRIPLET is found"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" -u "../user" ./outside 2>err
is "$?" 0 "one at the RUNPATH folder under -u is found"
qemu_started
ok $? "(those booted the fake QEMU)"

FAKE_QEMU_SCENARIO='status 0' "$QUIZ" sh -c true 2>err
is "$?" 0 "a program from the guest's PATH is not checked"
rm "$QUIZ_IMAGE.manifest"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./needz 2>err
is "$?" 0 "an image without a manifest: no check, it boots"
is "$(cat err)" "" "silently"
printf 'lib ../../etc/passwd\n' >"$QUIZ_IMAGE.manifest"
FAKE_QEMU_SCENARIO='status 0' "$QUIZ" ./needz 2>err
is "$?" 0 "a broken manifest: no check, it boots"
grep -q "^quiz: $QUIZ_IMAGE.manifest: line 1: .*libraries not checked" err
ok $? "with one line that says so" "$(cat err)"

# After a run whose loader failed in the guest.
manifest
loader='./x: error while loading shared libraries: libz.so.1: cannot open shared object file: No such file or directory'
FAKE_QEMU_SCENARIO="text stdout out;text stderr $loader;text stderr more;status 127" "$QUIZ" true >out 2>err
is "$?" 127 "the guest's 127 stays quiz's status"
is "$(cat out)" "out" "stdout is the program's"
is "$(cat err)" "$loader
more
quiz: the guest image lacks libz.so.1 (Debian's zlib1g has it); add it: quiz-image build --add zlib1g" \
	"stderr is the program's, then one line with the library and its package"
FAKE_QEMU_SCENARIO="text stderr $loader;text stderr $loader;status 127" "$QUIZ" true 2>err
is "$(grep -c '^quiz:' err)" 1 "said once for a name said twice"
FAKE_QEMU_SCENARIO="text stderr $loader;status 1" "$QUIZ" true 2>err
is "$?" 1 "another status"
is "$(grep -c '^quiz:' err)" 0 "says nothing"
manifest libz.so.1
FAKE_QEMU_SCENARIO="text stderr $loader;status 127" "$QUIZ" true 2>err
is "$(grep -c '^quiz:' err)" 0 "a library the manifest lists: nothing said"
manifest
touch_pwned="error while loading shared libraries: lib\$(touch $scratch/pwned).so: cannot open shared object file"
escape=$'error while loading shared libraries: lib\e[2J\a.so: cannot open shared object file'
FAKE_QEMU_SCENARIO="text stderr $touch_pwned;text stderr $escape;status 127" "$QUIZ" true 2>err
is "$?" 127 "hostile names: the status stays"
is "$(grep -c '^quiz:' err)" 0 "hostile names (a shell word, a terminal escape): nothing said"
[ ! -e "$scratch/pwned" ]
ok $? "and nothing run"

# A project's .quiz/image.list names packages the image must hold: one it lacks is said before
# boot (125: quiz's own), with the command that reads the list.
mkdir -p .quiz
printf '# this project loads liburing\nliburing2 # io_uring\nlibc6\n' >.quiz/image.list
manifest
fresh
FAKE_QEMU_SCENARIO='text stdout booted;status 0' "$QUIZ" ./plain >out 2>err
is "$?" 125 "a package .quiz/image.list names that the image lacks: 125 before boot"
is "$(cat err)" "quiz: the guest image lacks liburing2, which .quiz/image.list names; add them: quiz-image build (here: it reads that list)" \
	"...in one line naming the package and the command"
qemu_started
ok $((!$?)) "...and QEMU was not started"
printf 'lib-uring2\n$(touch x)\n' >.quiz/image.list
FAKE_QEMU_SCENARIO='text stdout booted;status 0' "$QUIZ" ./plain >out 2>err
is "$?:$(cat err)" "125:quiz: .quiz/image.list: line 2: '\$(touch' is not a Debian package name; fix it, then: quiz-image build" \
	"a bad name in it: 125, naming its line"
printf 'liburing2\n' >.quiz/image.list
echo "package liburing2 2.3-3" >>"$QUIZ_IMAGE.manifest"
FAKE_QEMU_SCENARIO='text stdout booted;status 0' "$QUIZ" ./plain >out 2>err
is "$?:$(cat out)" "0:booted" "with the package in the image's manifest it boots"
rm -r .quiz

# quiz-libs over a folder.
cd "$scratch" || exit 1
mkdir -p tree/sub tree/deps
cp proj/needz tree/sub/
cp proj/plain tree/
cp proj/outside tree/deps/
cp proj/needz "tree/bad$(printf '\033')name"
ln -s "$PWD/proj/needz" tree/link
echo text >tree/readme
manifest
"$QUIZ_LIBS" --manifest "$QUIZ_IMAGE.manifest" tree >out 2>err
is "$?" 1 "quiz-libs: something missing: 1"
is "$(sort out)" "add them: quiz-image build --add zlib1g
tree/bad\\x1bname: needs libz.so.1 (Debian package zlib1g)
tree/sub/needz: needs libz.so.1 (Debian package zlib1g)" \
	"one line per missing library (names escaped; a RUNPATH folder on the host counts), then the command"
is "$(tail -1 out)" "add them: quiz-image build --add zlib1g" "the command comes last"
rm -rf "$scratch/elsewhere"
"$QUIZ_LIBS" --manifest "$QUIZ_IMAGE.manifest" tree/deps >out 2>err
is "$(cat out)" "tree/deps/outside: needs libmine.so (not on this host)" "a library found nowhere"
is "$?" 0 "(quiz-libs ran)"
manifest libz.so.1 libmine.so
QUIZ_IMAGE=$QUIZ_IMAGE "$QUIZ_LIBS" tree >out 2>err
is "$?" 0 "quiz-libs: nothing missing: 0"
is "$(cat out)" "quiz-libs: 4 ELF files checked, nothing missing" \
	"and says how many it checked (the link to a fifth not followed, the text file not counted)"
"$QUIZ_LIBS" -a aarch64 --manifest "$QUIZ_IMAGE.manifest" tree >out 2>err
is "$(cat out)" "quiz-libs: 0 ELF files checked, nothing missing" "-a aarch64 skips x86_64 files"
# Power's two byte orders share an ELF machine (EM_PPC64): a big-endian program is not ppc64le's.
if command -v powerpc64-linux-gnu-gcc >/dev/null; then
	mkdir -p be && powerpc64-linux-gnu-gcc -o be/prog proj/main.c
	"$QUIZ_LIBS" -a ppc64le --manifest "$QUIZ_IMAGE.manifest" be >out 2>err
	is "$(cat out)" "quiz-libs: 0 ELF files checked, nothing missing" "-a ppc64le skips a big-endian ppc64 program"
	"$QUIZ_LIBS" -a ppc64 --manifest "$QUIZ_IMAGE.manifest" be >out 2>err
	is "$(cat out)" "quiz-libs: 1 ELF file checked, nothing missing" "-a ppc64 checks it"
else
	echo "ok $((tap_n += 1)) - # SKIP no powerpc64-linux-gnu-gcc: the byte-order check"
fi
"$QUIZ_LIBS" --manifest "$QUIZ_IMAGE.manifest" >out 2>err
is "$?" 2 "no PATH: 2"
is "$(grep -c . err)" 1 "with one line"
"$QUIZ_LIBS" --manifest "$QUIZ_IMAGE.manifest" nowhere >out 2>err
is "$?" 2 "a PATH that is not there: 2"
"$QUIZ_LIBS" --manifest "$scratch/none" tree >out 2>err
is "$?" 2 "no manifest: 2"
is "$(cat err)" "quiz-libs: $scratch/none: no manifest there; build the image again (quiz-image build), or give one with --manifest FILE" \
	"with the fix"
"$QUIZ_LIBS" -a vax tree >out 2>err
is "$?" 2 "an unknown architecture: 2"
"$QUIZ_LIBS" --help >out
is "$?" 0 "--help: 0"
missing=
for opt in $(grep -o -- '--[a-z]*' out | sort -u); do
	grep -q -- "${opt//-/\\\\-}" "$source_root/man/quiz-libs.1" || missing+=" $opt"
done
is "$missing" "" "the man page names every option --help lists"

done_testing
