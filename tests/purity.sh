#!/bin/bash
# SPDX-License-Identifier: MIT
# The pure core (runner/meson.build's core_sources, or the guest's: guest-init/meson.build's
# libquiz_guest) calls nothing that touches the system: no object in its library has an
# undefined reference to a function of files, processes, the environment, time or signals. A
# function that needs one belongs to the host library (or the guest's stages).
set -u
. "$(dirname "$0")/tap.sh"
lib=$(readlink -f "${1:?the core library (libquiz-core.a)}")
min=${2:-20} # objects the library has at least (the guest's pure library is smaller)
denied='open|open64|openat|openat64|creat|read|write|pread|pread64|pwrite|pwrite64|close|'\
'readv|writev|lseek|lseek64|fsync|ftruncate|ftruncate64|truncate|'\
'stat|stat64|fstat|fstat64|lstat|lstat64|fstatat|fstatat64|newfstatat|statx|'\
'__xstat|__xstat64|__fxstat|__fxstat64|__lxstat|__lxstat64|access|faccessat|'\
'opendir|fdopendir|readdir|readdir64|closedir|mkdir|mkdirat|rmdir|unlink|unlinkat|'\
'rename|renameat|link|linkat|symlink|symlinkat|readlink|readlinkat|realpath|chdir|fchdir|getcwd|'\
'chmod|fchmod|chown|fchown|mount|umount|umount2|flock|fcntl|fcntl64|ioctl|dup|dup2|dup3|'\
'pipe|pipe2|socket|connect|bind|listen|accept|accept4|send|recv|sendmsg|recvmsg|poll|ppoll|select|'\
'fork|vfork|clone|execv|execve|execvp|execvpe|execl|execlp|execle|posix_spawn|posix_spawnp|'\
'system|popen|waitpid|wait|wait4|kill|raise|signal|sigaction|sigprocmask|pthread_sigmask|'\
'signalfd|getenv|secure_getenv|setenv|putenv|unsetenv|getpid|getppid|getuid|geteuid|'\
'uname|time|clock_gettime|gettimeofday|nanosleep|sleep|usleep|getrandom|'\
'fopen|fopen64|fdopen|fclose|fread|fwrite|fgets|fputs|fputc|puts|putchar|printf|fprintf|'\
'vprintf|vfprintf|dprintf|vdprintf|perror|fflush|'\
'read_file|write_all|ini_parse|ini_parse_file'
# nm -A names each member: "LIB:MEMBER.o: U symbol" (meson's archives are thin: no ar x).
members=$(nm -A "$lib" 2>/dev/null | sed -n 's/^[^:]*:\([^:]*\.o\):.*/\1/p' | sort -u)
# The undefined symbols of every member, read once (once per member took past the test's 30 s
# on a loaded machine).
undefined=$(nm -u -A "$lib")
n=0
for o in $members; do
	n=$((n + 1))
	calls=$(grep -F "$o:" <<<"$undefined" | awk '{print $NF}' | sed 's/@.*//' |
		grep -xE "$denied" | sort -u | paste -sd' ')
	is "$calls" "" "${o##*/} calls nothing of the system"
done
ok "$([ "$n" -ge "$min" ]; echo $?)" "the library has its objects ($n)"
done_testing
