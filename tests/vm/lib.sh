# SPDX-License-Identifier: MIT
# Shared by the VM tests: TAP output, skip rules, a scratch folder that is always removed.
set -u

: "${QUIZ:?QUIZ must point at the quiz binary (meson sets it)}"
case $QUIZ in */*) QUIZ=$(readlink -f "$QUIZ") ;; esac
QUIZ_TEST_KERNEL=${QUIZ_TEST_KERNEL:-6.1}
# tests/meson.build's runs on kernels named by a word: the newest CI builds, a release candidate.
case $QUIZ_TEST_KERNEL in
new) QUIZ_TEST_KERNEL=${QUIZ_TEST_NEW_KERNEL:-7.2} ;;
rc) QUIZ_TEST_KERNEL=${QUIZ_TEST_RC_KERNEL:-7.3-rc7} ;;
esac
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/quiz-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# A VM suite that cannot run says why; in CI (QUIZ_VM_MUST_WORK=1) that is a failure.
need_vm() {
	local why=
	if ! "$QUIZ" -k "$QUIZ_TEST_KERNEL" --dry-run true >/dev/null 2>"$scratch/why"; then
		why=$(head -n1 "$scratch/why")
	fi
	[ -z "$why" ] && return 0
	if [ "${QUIZ_VM_MUST_WORK:-0}" = 1 ]; then
		echo "not ok 1 - VM suite cannot run: $why"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $why"
	exit 0
}

qemus_left() { # QEMUs quiz started from this cache (they run in a run directory) still alive
	local home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz} pid n=0
	local cwd
	for pid in $(pgrep -f '^qemu-system-' || true); do
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
		case $cwd in "$home"/runs/*) ! unowned "$cwd" || n=$((n + 1)) ;; esac
	done
	echo "$n"
}

# A live quiz holds a lock on its run directory (runner/host/run_dir.c) until it ends: one that
# nobody holds was left behind. Another test's or session's runs on the same cache are not.
unowned() { flock -n "$1" true 2>/dev/null; }
runs_left() { # run directories left behind by a quiz that ended
	local home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz} d n=0
	for d in "$home"/runs/* "$home"/runs/.[!.]*; do
		[ -e "$d" ] || continue
		! unowned "$d" || n=$((n + 1))
	done
	echo "$n"
}

# build_module SRC KBUILD SYSDIR: a copy of the module folder SRC built against the kernel's
# kbuild tree and installed into SYSDIR (a --system folder); make's output in build.log.
build_module() {
	local copy
	copy="$scratch/module.$(basename "$3")"
	rm -rf "$copy" && cp -r "$1" "$copy" &&
		make -s -C "$2" M="$copy" modules >"$scratch/build.log" 2>&1 &&
		make -s -C "$2" M="$copy" modules_install INSTALL_MOD_PATH="$3" \
			>>"$scratch/build.log" 2>&1
}

# selftests_source: a 6.1 source tree to build the kernel's selftests from: the one quiz-kernel
# unpacked into the cache, else the parts they need from Debian's tarball, in the scratch folder.
selftests_source() {
	local home=${QUIZ_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/quiz} src
	src=$(ls -d "$home"/src/linux-source-6.1-*/ 2>/dev/null | head -n1)
	if [ -z "$src" ]; then
		tar -xf /usr/src/linux-source-6.1.tar.xz -C "$scratch" --wildcards 'linux-source-6.1/tools/*' \
			'linux-source-6.1/include/*' 'linux-source-6.1/usr/*' 'linux-source-6.1/scripts/*' \
			'linux-source-6.1/arch/x86/include/*' 'linux-source-6.1/Makefile' || return 1
		src=$scratch/linux-source-6.1
	fi
	echo "$src"
}

# free_port: a TCP port of 127.0.0.1 that nothing listens on now (the kernel's pick for port 0).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# serve_http DIR PORT: python3's HTTP server for DIR on 127.0.0.1:PORT in the background, its pid
# in $http_pid; returns once it takes connections (5 s at most).
serve_http() {
	(cd "$1" && exec python3 -m http.server --bind 127.0.0.1 "$2" >/dev/null 2>&1) &
	http_pid=$!
	for _ in $(seq 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $2))" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
