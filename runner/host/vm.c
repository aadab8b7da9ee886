/* SPDX-License-Identifier: MIT */
/* QEMU's lifetime and the relay of its sockets: program stdio, console log, status line. */
#include "vm_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "contract.h"
#include "exit_status.h"
#include "qemu_argv.h"
#include "run_decision.h"
#include "signals.h"
#include "status_line.h"

static const char *const socket_names[N_SOCKETS] = {
	SOCKET_CONSOLE, SOCKET_STDIN, SOCKET_STDOUT, SOCKET_STDERR,
	SOCKET_STATUS,	SOCKET_TTY,   SOCKET_QMP,
};

long long now_ms(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail */
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_at(int dirfd, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	/* Through /proc/self/fd the path stays short whatever the run directory's length. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int r = -errno;
		(void)close(fd);
		return r;
	}
	return fd;
}

/* In the child: the state's descriptor at VMSTATE_INCOMING_FD, kept across the exec. */
static int hand_on_state(int fd)
{
	if (fd == VMSTATE_INCOMING_FD)
		return fcntl(fd, F_SETFD, 0); /* dup2 onto itself would keep O_CLOEXEC */
	return dup2(fd, VMSTATE_INCOMING_FD) < 0 ? -1 : 0; /* the copy has no O_CLOEXEC */
}

static pid_t spawn_qemu(const struct vm_options *o, const sigset_t *old_mask)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid < 0 ? -errno : pid;

	/* Child: its own process group (Ctrl-C is quiz's to handle), dies with quiz. */
	(void)old_mask;
	child_reset_signals();
	(void)setpgid(0, 0);
	if (child_die_with_parent(parent, SIGKILL) < 0)
		_exit(EXIT_QUIZ_FAILED);
	int log = openat(o->run_dir_fd, "qemu.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (log < 0 || null < 0 || fchdir(o->run_dir_fd) < 0)
		_exit(EXIT_QUIZ_FAILED);
	if (dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(EXIT_QUIZ_FAILED);
	bool restore = o->park == VM_PARK_RESTORE;
	if (restore && hand_on_state(o->state_fd) < 0) {
		dprintf(2, "cannot hand on the VM state: %s\n", strerror(errno));
		_exit(EXIT_QUIZ_FAILED); /* no status, not resumed: quiz boots cold */
	}
	/* QEMU gets 0, 1, 2 and the state it restores: the sockets it connects to are paths. */
	child_close_fds_from(restore ? VMSTATE_INCOMING_FD + 1 : 3);
	execvp(o->argv[0], o->argv);
	dprintf(2, "cannot run %s: %s\n", o->argv[0], strerror(errno));
	_exit(EXIT_NOT_FOUND);
}

static void kill_qemu(struct vm *vm)
{
	if (vm->qemu <= 0 || vm->qemu_done)
		return;
	(void)kill(vm->qemu, SIGKILL);
	while (waitpid(vm->qemu, &vm->qemu_status, 0) < 0 && errno == EINTR)
		;
	vm->qemu_done = true;
}

static bool reap_qemu(struct vm *vm)
{
	if (!vm->qemu_done && waitpid(vm->qemu, &vm->qemu_status, WNOHANG) == vm->qemu)
		vm->qemu_done = true;
	return vm->qemu_done;
}

static int add_polls(struct vm *vm, struct pollfd *pfd, int *who)
{
	int n = 0;
	pfd[n] = (struct pollfd){.fd = vm->sigfd, .events = POLLIN}, who[n++] = -1;
	for (int i = 0; i < N_SOCKETS; i++) {
		if (vm->conn[i] < 0 && vm->listen[i] >= 0)
			pfd[n] = (struct pollfd){.fd = vm->listen[i], .events = POLLIN},
			who[n++] = 100 + i;
		else if (vm->conn[i] >= 0 && i != SOCK_STDIN && i != SOCK_QMP &&
			 !(vm_destination(vm, i) && vm_queued(vm, vm_destination(vm, i))))
			pfd[n] = (struct pollfd){.fd = vm->conn[i], .events = POLLIN}, who[n++] = i;
	}
	for (int fd = 1; fd <= 2; fd++)
		if (vm_queued(vm, fd))
			pfd[n] = (struct pollfd){.fd = fd, .events = POLLOUT}, who[n++] = 400 + fd;
	if (vm->input != SOCK_STDIN && vm->conn[SOCK_STDIN] >= 0) {
		(void)close(vm->conn[SOCK_STDIN]); /* tmux mode: the tty is the input */
		vm->conn[SOCK_STDIN] = -1;
	}
	/* A restore that fails boots again, cold: until the guest runs, stdin stays unread. */
	bool hold_input = vm->o->park == VM_PARK_RESTORE && !vm_status_said(vm, STATUS_RESUMED);
	if (vm->conn[vm->input] >= 0 && !vm->stdin_shut && !hold_input) {
		if (vm->stdin_sent < vm->stdin_pending.len)
			pfd[n] = (struct pollfd){.fd = vm->conn[vm->input], .events = POLLOUT},
			who[n++] = 300;
		else if (!vm->stdin_eof)
			pfd[n] = (struct pollfd){.fd = 0, .events = POLLIN}, who[n++] = 200;
		else if (vm->input == SOCK_STDIN)
			vm_pump_stdin(vm, 0, 0);
	}
	return n;
}

/* The loop: returns when QEMU ended, the timeout passed or a signal came. */
/* How often, under KVM, QEMU's log is read for a KVM failure that stopped the guest. */
#define KVM_WATCH_MS 250

static enum vm_stop relay(struct vm *vm, struct vm_result *res)
{
	long long grace = 0;
	bool acked = false;
	for (;;) {
		struct pollfd pfd[2 * N_SOCKETS + 4];
		int who[2 * N_SOCKETS + 4];
		nfds_t n = (nfds_t)add_polls(vm, pfd, who);

		/* Until the guest has its answer the deadline counts; after it, the grace. */
		long long wait = -1, t = now_ms();
		if (!acked && vm->deadline)
			wait = vm->deadline > t ? vm->deadline - t : 0;
		if (acked)
			wait = grace > t ? grace - t : 0;
		if (!acked && vm->hang)
			wait = vm->hang_until > t ? vm->hang_until - t : 0;
		if (vm->o->watch_kvm && !acked && (wait < 0 || wait > KVM_WATCH_MS))
			wait = KVM_WATCH_MS;
		int ready = poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (ready < 0 && errno != EINTR)
			return VM_STOP_QEMU_GONE; /* nothing more can be relayed: as if it ended */

		for (nfds_t i = 0; i < n && ready > 0; i++) {
			if (!pfd[i].revents && who[i] != 200)
				continue;
			if (who[i] == -1) {
				struct signalfd_siginfo si;
				if (read(vm->sigfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGCHLD) {
					if (!reap_qemu(vm))
						continue;
					return VM_STOP_QEMU_GONE;
				}
				if (si.ssi_signo == SIGWINCH) {
					vm_send_winsize(vm);
					continue;
				}
				res->signal = (int)si.ssi_signo;
				return VM_STOP_SIGNAL;
			} else if (who[i] >= 100 && who[i] < 200) {
				int k = who[i] - 100;
				vm->conn[k] = accept4(vm->listen[k], NULL, NULL,
						      SOCK_CLOEXEC | SOCK_NONBLOCK);
			} else if (who[i] == 200 && pfd[i].revents) {
				vm_pump_stdin(vm, pfd[i].revents, 0);
			} else if (who[i] == 300) {
				vm_pump_stdin(vm, 0, pfd[i].revents);
			} else if (who[i] > 400) {
				vm_flush_out(vm, who[i] - 400);
			} else if (who[i] >= 0 && who[i] < N_SOCKETS) {
				(void)vm_pump(vm, who[i], false);
				if (who[i] == SOCK_STATUS && vm_status_complete(vm) &&
				    !res->at_status)
					res->at_status = now_ms();
			}
		}
		if (vm_output_failed(vm))
			return VM_STOP_OUTPUT_FAILED;
		vm_park_step(vm, res);
		res->resumed = res->resumed || vm_status_said(vm, STATUS_RESUMED);
		if (vm->o->watch_kvm && !acked && vm_kvm_failed(vm, res))
			return VM_STOP_KVM_FAILED;
		if (vm->o->panic_dump && !acked && !res->dump_file &&
		    vm_console_seen(vm, PANIC_END)) {
			vm_dump_memory(vm, vm->o->panic_dump, res);
			if (res->dump_status == -ECANCELED)
				continue;     /* a stop signal: the loop reads it */
			return VM_STOP_PANIC; /* as the console says: outcome_explain tells */
		}
		if (!acked && vm_status_complete(vm) && vm_have_all_output(vm)) {
			if (vm->o->dump)
				vm_dump_memory(vm, vm->o->dump,
					       res); /* the guest waits for the answer */
			(void)!write(vm->conn[SOCK_STATUS], "\n",
				     1); /* a lost answer: the guest waits */
			acked = true;
			grace = now_ms() + EXIT_GRACE_MS;
		}
		t = now_ms();
		if (!acked && vm->deadline && t >= vm->deadline && vm_hang_step(vm, res, t)) {
			if (vm->o->dump && !res->dump_file)
				vm_dump_memory(vm, vm->o->dump, res);
			return VM_STOP_DEADLINE;
		}
		if (acked && t >= grace)
			return VM_STOP_QEMU_GONE; /* the status is in; QEMU is stuck on the way out
						   */
	}
}

/* QEMU is gone: what it wrote before exiting is still in the sockets. */
static void drain(struct vm *vm)
{
	for (int i = 0; i < N_SOCKETS; i++) {
		if (vm->conn[i] < 0 && vm->listen[i] >= 0)
			vm->conn[i] = accept4(vm->listen[i], NULL, NULL, SOCK_CLOEXEC);
		if (vm->conn[i] < 0 || i == SOCK_STDIN || i == SOCK_QMP)
			continue;
		int flags = fcntl(vm->conn[i], F_GETFL);
		(void)fcntl(vm->conn[i], F_SETFL,
			    flags & ~O_NONBLOCK); /* EOF comes: QEMU is dead */
		/* What is left in a socket is bounded by its buffer: queued whole. */
		while (vm->conn[i] >= 0 && !vm_output_failed(vm) && vm_pump(vm, i, true))
			;
	}
}

static bool is_stop_signal(int sig)
{
	sigset_t stop;
	stop_signals(&stop, false);
	return sigismember(&stop, sig) == 1;
}

/*
 * QEMU is gone: write out what is queued. A stop signal or the deadline still ends the wait
 * for a slow reader (the output is then incomplete, and the outcome says so); SIGCHLD and
 * SIGWINCH mean nothing any more.
 */
static enum vm_stop flush_all(struct vm *vm, struct vm_result *res)
{
	while ((vm_queued(vm, 1) || vm_queued(vm, 2)) && !vm_output_failed(vm)) {
		struct pollfd pfd[3] = {{.fd = vm->sigfd, .events = POLLIN}};
		nfds_t n = 1;
		for (int fd = 1; fd <= 2; fd++)
			if (vm_queued(vm, fd))
				pfd[n++] = (struct pollfd){.fd = fd, .events = POLLOUT};
		long long wait = vm->deadline ? vm->deadline - now_ms() : -1;
		int ready = vm->deadline && wait <= 0
				    ? 0
				    : poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (ready == 0)
			return VM_STOP_DEADLINE;
		if (ready < 0 && errno != EINTR) {
			vm_fail_output(vm, pfd[1].fd, -errno);
			return VM_STOP_OUTPUT_FAILED;
		}
		struct signalfd_siginfo si;
		if ((pfd[0].revents & POLLIN) && read(vm->sigfd, &si, sizeof(si)) == sizeof(si) &&
		    is_stop_signal((int)si.ssi_signo)) {
			res->signal = (int)si.ssi_signo;
			return VM_STOP_SIGNAL;
		}
		for (nfds_t i = 1; i < n; i++)
			if (pfd[i].revents)
				vm_flush_out(vm, pfd[i].fd);
	}
	return vm_output_failed(vm) ? VM_STOP_OUTPUT_FAILED : VM_STOP_QEMU_GONE;
}

/* The guest's timeline and status line into res; whether a status line came, and parsed. */
static bool parse_status(struct vm *vm, struct vm_result *res, bool *ret_error)
{
	char *timeline = vm->status.data ? strstr(vm->status.data, STATUS_TIMELINE) : NULL;
	if (timeline && (timeline == vm->status.data || timeline[-1] == '\n')) {
		timeline += strlen(STATUS_TIMELINE);
		res->timeline = strndup(timeline, strcspn(timeline, "\n"));
	}
	char *line = (char *)vm_status_line(vm);
	if (!line)
		return false;
	line[strcspn(line, "\n")] = '\0';
	struct status_line s;
	if (status_line_parse(line, &s) < 0)
		return false; /* a code out of range: no status */
	*ret_error = s.error;
	if (s.error)
		res->message = strdup(s.message);
	else
		res->exit_code = s.exit_code;
	return true;
}

int vm_run(const struct vm_options *o, struct vm_result *ret)
{
	struct vm vm = {.o = o,
			.sigfd = -1,
			.stopfd = -1,
			.console = CONSOLE_LOG_INIT,
			.qemu = -1,
			.qemu_status = -1,
			.qmp = QMP_INIT};
	struct vm_result res = {.outcome = VM_NO_STATUS, .qemu_status = -1};
	sigset_t mask, old_mask;
	int r = 0;

	struct termios saved_tty;
	bool raw_tty = false;
	for (int i = 0; i < N_SOCKETS; i++)
		vm.listen[i] = vm.conn[i] = -1;
	vm.input = o->tty ? SOCK_TTY : SOCK_STDIN;
	vm.deadline = o->timeout_s ? now_ms() + o->timeout_s * 1000LL : 0;
	stop_signals(&mask, true);
	if (o->tty)
		sigaddset(&mask, SIGWINCH);
	(void)sigprocmask(SIG_BLOCK, &mask, &old_mask);
	(void)signal(SIGPIPE, SIG_IGN);

	vm.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	sigset_t stop_set;
	stop_signals(&stop_set, false);
	vm.stopfd = signalfd(-1, &stop_set, SFD_CLOEXEC | SFD_NONBLOCK);
	r = vm.sigfd < 0 || vm.stopfd < 0 ? -errno : console_log_open(&vm.console, o->run_dir_fd);
	for (int i = 0; r >= 0 && i < N_SOCKETS; i++)
		if (i != SOCK_TTY || o->tty)
			r = vm.listen[i] = listen_at(o->run_dir_fd, socket_names[i]);
	if (r >= 0 && o->tty && tcgetattr(0, &saved_tty) == 0) {
		/* The guest's tty does the line discipline: keys, Ctrl-C included, pass through. */
		struct termios raw = saved_tty;
		cfmakeraw(&raw);
		raw_tty = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	res.at_qemu = now_ms();
	for (int fd = 1; fd <= 2; fd++)
		vm.out[fd].chunk = vm_write_chunk(fd);
	if (r >= 0 && o->park == VM_PARK_RESTORE && o->console_saved)
		vm_replay_console(&vm, o->console_saved, o->console_saved_len);
	if (r >= 0)
		r = vm.qemu = spawn_qemu(o, &old_mask);
	if (r >= 0) {
		r = 0;
		struct vm_stop_facts stop = {.stop = relay(&vm, &res)};
		kill_qemu(&vm);
		res.at_exit = now_ms();
		res.at_console = vm.at_console;
		/* Stopped by a signal, the timeout or a failed output: what is left is not waited
		 * for. */
		if ((stop.stop == VM_STOP_QEMU_GONE || stop.stop == VM_STOP_PANIC ||
		     stop.stop == VM_STOP_KVM_FAILED) &&
		    vm.hang == HANG_NONE) {
			drain(&vm);
			vm_show_console_end(&vm);
			enum vm_stop flushed = flush_all(&vm, &res);
			if (stop.stop == VM_STOP_QEMU_GONE)
				stop.stop = flushed;
		}
		res.console_error = console_log_close(&vm.console, &res.splats, &res.console_cut);
		stop.hang_steps = vm.hang != HANG_NONE;
		stop.output_broken = vm.output_broken;
		stop.status_line = parse_status(&vm, &res, &stop.guest_error);
		res.outcome = vm_outcome_of(&stop);
		if (res.outcome == VM_SIGNALED && stop.stop == VM_STOP_OUTPUT_FAILED)
			res.signal = SIGPIPE; /* as a pipeline: the reader left */
		else if (res.outcome == VM_OUTPUT_ERROR) {
			res.output_error = vm.output_error;
			res.output_fd = vm.output_error_fd;
		}
		res.restored = o->park == VM_PARK_RESTORE && res.resumed;
		res.qemu_status = vm.qemu_status;
	}

	for (int i = 0; i < N_SOCKETS; i++) {
		if (vm.conn[i] >= 0)
			(void)close(vm.conn[i]);
		if (vm.listen[i] >= 0)
			(void)close(vm.listen[i]);
		(void)unlinkat(o->run_dir_fd, socket_names[i], 0); /* may not exist */
	}
	if (raw_tty)
		(void)tcsetattr(0, TCSANOW, &saved_tty); /* nothing better to do if it fails */
	console_log_free(&vm.console);
	buf_free(&vm.console_shown);
	if (vm.sigfd >= 0)
		(void)close(vm.sigfd);
	if (vm.stopfd >= 0)
		(void)close(vm.stopfd);
	buf_free(&vm.status);
	buf_free(&vm.qmp.in); /* its fd was conn[SOCK_QMP] */
	buf_free(&vm.stdin_pending);
	buf_free(&vm.out[1].data);
	buf_free(&vm.out[2].data);
	/* The signals stay blocked: a second Ctrl-C must not cut the caller's cleanup short. */
	if (r < 0) {
		loader_watch_free(&vm.loader);
		return r;
	}
	res.loader_libs = vm.loader.names;
	*ret = res;
	return 0;
}

void vm_result_free(struct vm_result *r)
{
	free(r->message);
	free(r->timeline);
	free(r->dump_error);
	free(r->save_error);
	r->message = r->timeline = r->dump_error = r->save_error = NULL;
	splat_list_free(&r->splats);
	strv_free(&r->loader_libs);
}
