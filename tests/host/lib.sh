# SPDX-License-Identifier: MIT
# Shared by the host tests: TAP output, a scratch folder, a fake cache and the fake QEMU.
set -u

: "${QUIZ:?QUIZ must point at the quiz binary (meson sets it)}"
: "${FAKE_QEMU:?FAKE_QEMU must point at tests/fake-qemu (meson sets it)}"
case $QUIZ in */*) QUIZ=$(readlink -f "$QUIZ") ;; esac
FAKE_QEMU=$(readlink -f "$FAKE_QEMU")
source_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/quiz-host-test.XXXXXX")
export TMPDIR=$scratch/tmp # what the tools under test leave behind goes with the scratch folder
mkdir -p "$TMPDIR"
# Whatever a test left running (a quiz that did not stop, its QEMU, a make) goes with it.
cleanup_scratch() {
	local p
	for p in $(ours .); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$scratch"
}
trap cleanup_scratch EXIT

# A kernel in the cache as quiz-kernel build leaves it: RELEASE -> .store/RELEASE-KEY, with a
# config that has everything quiz checks for (kconfig/base.config and arch/x86_64.config, CONFIG_HZ for TCG).
fake_kernel() { # fake_kernel RELEASE
	local kernels=$QUIZ_HOME/kernels/x86_64 store
	store=.store/$1-0123456789abcdef-1
	mkdir -p "$kernels/$store/layer/usr/lib/modules/$1"
	echo "fake bzImage" >"$kernels/$store/bzImage"
	{ grep -h "^CONFIG_" "$source_root/kconfig/base.config" "$source_root/kconfig/arch/x86_64.config"; echo CONFIG_HZ=1000; } >"$kernels/$store/config"
	ln -sfn "$store" "$kernels/$1"
}

# A quiz cache with one kernel (6.1.1), a stand-in image and the fake QEMU.
export QUIZ_HOME=$scratch/home
export QUIZ_IMAGE=$scratch/fake.ext2
export QUIZ_ACCEL=tcg
# No host test asks a server for kernel sources (quiz-kernel-fetch): only what is installed.
export QUIZ_KERNEL_SOURCES=${QUIZ_KERNEL_SOURCES:-installed}
export QUIZ_QEMU=$FAKE_QEMU
export FAKE_QEMU_LOG_DIR=$scratch/qemu-logs
mkdir -p "$QUIZ_HOME" "$FAKE_QEMU_LOG_DIR"
echo "fake image" >"$QUIZ_IMAGE"
fake_kernel 6.1.1

runs_left() { # run directories left in the cache
	ls -A "$QUIZ_HOME/runs" 2>/dev/null | grep -c . || true
}

# Processes whose command line holds PATTERN (a regular expression) and whose environment
# holds this test's scratch folder (exported after this shell started: only what it ran since
# has it, and parallel tests never see each other's), one pid a line.
ours() { # ours PATTERN
	local p
	for p in $(pgrep -f -- "$1"); do
		[ "$p" != $$ ] || continue
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qF "$scratch" && echo "$p"
	done
}
none_left() { # none_left PATTERN: no process of ours matches
	[ -z "$(ours "$1")" ]
}
running() { # running PATTERN [N]: at least N (1) processes of ours match
	[ "$(ours "$1" | grep -c .)" -ge "${2:-1}" ]
}
run_dirs() { # run_dirs N: at least N run directories exist
	[ "$(runs_left)" -ge "$1" ]
}

# The status of background job PID once it ends, or 255 when it did not end within SECONDS
# (it is then killed).
wait_exit() { # wait_exit PID SECONDS
	local until=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$SECONDS" -ge "$until" ]; then
			kill -9 "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			return 255
		fi
		sleep 0.05
	done
	wait "$1"
}

# Wait up to SECONDS for COMMAND to succeed; returns its last status.
wait_for() { # wait_for SECONDS COMMAND...
	local until=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -lt "$until" ] || return 1
		sleep 0.1
	done
}

# serve_dir DIR: a web server for DIR on the loopback (Python's, in the background): sets
# server (its pid) and port; its log is server.log, and requests counts the GETs in it.
serve_dir() {
	python3 -u -m http.server --bind 127.0.0.1 0 --directory "$1" >server.out 2>server.log &
	server=$!
	wait_for 10 grep -qs ' port ' server.out
	port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' server.out)
}
requests() { grep -c '"GET ' server.log; }

# kbuild_makefile REL: the rules of a fake kernel Makefile with just enough for quiz-kernel-build
# (allnoconfig takes the wanted config as it is, all makes what is installed, kernelrelease
# says REL: a make expression), for the version-word tests (kernel-fetch, kernel-sources).
kbuild_makefile() {
	printf 'MAKEFLAGS += --no-print-directory\nO ?= .\nREL := %s\n' "$1"
	cat <<'MAKE'
.PHONY: allnoconfig olddefconfig all kernelrelease modules_install
allnoconfig:
	mkdir -p $(O)
	cp $(KCONFIG_ALLCONFIG) $(O)/.config
olddefconfig:
	@:
all:
	mkdir -p $(O)/arch/x86/boot $(O)/include/config
	printf 'deps_config := \\\n\tMakefile \\\n\n' >$(O)/include/config/auto.conf.cmd
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
	echo $(REL) >$(O)/include/config/kernel.release
kernelrelease:
	@echo $(REL)
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(REL)
MAKE
}

# git_daemon_env: for a test that serves git repositories on 127.0.0.1 (kernel-git,
# kernel-sources): skips without git daemon; the user's git configuration stays out (an
# insteadOf would send the fetches elsewhere), no proxy for the loopback, a fixed identity.
git_daemon_env() {
	[ -x "$(git --exec-path)/git-daemon" ] || { echo "1..0 # SKIP git daemon is not installed"; exit 0; }
	export HOME=$scratch GIT_CONFIG_NOSYSTEM=1 no_proxy=127.0.0.1 NO_PROXY=127.0.0.1
	export GIT_AUTHOR_NAME=quiz GIT_AUTHOR_EMAIL=quiz@example.org
	export GIT_COMMITTER_NAME=quiz GIT_COMMITTER_EMAIL=quiz@example.org
}
