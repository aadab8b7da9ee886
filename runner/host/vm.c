/* SPDX-License-Identifier: MIT */
/* QEMU's lifetime and the relay of its sockets: program stdio, console log, status line. */
#include "vm.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "accel.h"
#include "contract.h"
#include "exit_status.h"
#include "file.h"
#include "log.h"
#include "qemu_argv.h"
#include "qmp.h"
#include "signals.h"
#include "status_line.h"

enum {
	SOCK_CONSOLE,
	SOCK_STDIN,
	SOCK_STDOUT,
	SOCK_STDERR,
	SOCK_STATUS,
	SOCK_TTY,
	SOCK_QMP, /* read only by qmp.c, when quiz asks QEMU something */
	N_SOCKETS
};
static const char *const socket_names[N_SOCKETS] = {
	SOCKET_CONSOLE, SOCKET_STDIN, SOCKET_STDOUT, SOCKET_STDERR,
	SOCKET_STATUS,	SOCKET_TTY,   SOCKET_QMP,
};

/* After the status line, QEMU has this long to exit on its own before it is killed. */
#define EXIT_GRACE_MS 10000
#define STATUS_MAX 4096
/* Past -t: how long the guest has to show its blocked tasks, then an NMI its stuck CPU. */
#define SYSRQ_WAIT_MS 3000
#define NMI_WAIT_MS 3000
/* The last line of a panic (kernel/panic.c), once its report is all on the console. */
#define PANIC_END "---[ end Kernel panic"
/* The console's last bytes, where those lines are looked for. */
#define CONSOLE_TAIL_MAX (64 << 10)
#define CONSOLE_TAIL_KEEP (16 << 10)

/* A run past its deadline: what was asked of the guest to show why. */
enum hang_phase { HANG_NONE, HANG_SYSRQ, HANG_NMI };

/*
 * Output on its way to one of quiz's own outputs. It is written as the output takes it, never
 * blocking the relay (a reader that stalls must not keep -t or Ctrl-C from working), and what
 * is not written yet stays here whatever signal comes: the loop stops reading the sockets that
 * feed a queue until it is empty again, so it holds at most about one read.
 */
struct out_queue {
	struct buf data;
	size_t done;  /* bytes of data written */
	size_t chunk; /* the most one write may take once poll says POLLOUT, without blocking */
};

struct vm {
	const struct vm_options *o;
	int listen[N_SOCKETS];
	int conn[N_SOCKETS];
	int sigfd;
	int console_log;
	pid_t qemu;
	int qemu_status;
	bool qemu_done;
	struct buf status;
	struct buf stdin_pending;
	size_t stdin_sent;
	bool stdin_eof;
	bool stdin_shut;
	struct out_queue out[3]; /* [1] quiz's stdout, [2] its stderr */
	bool output_broken;	 /* EPIPE on stdout or stderr: the run ends as a pipeline would */
	int output_error;	 /* -errno of another failed write there: the run failed */
	int output_error_fd;
	long long deadline; /* -t, CLOCK_MONOTONIC ms; 0 = none */
	unsigned long long received[N_SOCKETS];
	long long at_console;
	int input; /* where host stdin goes: SOCK_STDIN, or SOCK_TTY in tmux mode */
	struct buf console_tail;
	enum hang_phase hang;
	long long hang_until;
	struct qmp qmp; /* its fd is conn[SOCK_QMP] */
	bool go_sent;	/* the guest was let go from its park point */
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

/* Pipes and sockets take PIPE_BUF bytes per POLLOUT without blocking; files and ttys more. */
static size_t write_chunk(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) ? PIPE_BUF
										     : 1 << 16;
}

static bool output_failed(const struct vm *vm)
{
	return vm->output_broken || vm->output_error;
}

static bool queued(const struct vm *vm, int fd)
{
	return vm->out[fd].done < vm->out[fd].data.len;
}

static void fail_output(struct vm *vm, int fd, int r)
{
	if (r == -EPIPE)
		vm->output_broken = true;
	else if (!vm->output_error)
		vm->output_error = r, vm->output_error_fd = fd;
}

/* Write what fd takes now; the rest waits for the loop's next POLLOUT. */
static void flush_out(struct vm *vm, int fd)
{
	struct out_queue *q = &vm->out[fd];
	while (queued(vm, fd) && !output_failed(vm)) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		if (poll(&pfd, 1, 0) <= 0)
			return; /* not ready, or a signal: later */
		if (pfd.revents & POLLNVAL) {
			fail_output(vm, fd, -EBADF);
			return;
		}
		size_t left = q->data.len - q->done;
		ssize_t n = write(fd, q->data.data + q->done, left < q->chunk ? left : q->chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n < 0) {
			fail_output(vm, fd, -errno);
			return;
		}
		q->done += (size_t)n;
	}
	if (!queued(vm, fd))
		q->done = q->data.len = 0; /* the buffer is kept for the next data */
}

static void queue_out(struct vm *vm, int fd, const char *data, size_t len)
{
	if (output_failed(vm))
		return; /* the run is ending */
	int r = buf_append(&vm->out[fd].data, data, len);
	if (r < 0)
		fail_output(vm, fd, r);
	else
		flush_out(vm, fd);
}

/* console.log is a regular file, for diagnosis: a full disk there does not fail the run. */
static void log_console(struct vm *vm, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(vm->console_log, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
}

/* Which of quiz's outputs a socket's data goes to; 0: none (or not only there). */
static int destination(const struct vm *vm, int which)
{
	switch (which) {
	case SOCK_STDOUT:
	case SOCK_TTY: return 1;
	case SOCK_STDERR: return 2;
	case SOCK_CONSOLE: return vm->o->verbose ? 2 : 0;
	}
	return 0;
}

/* In the child: the state file at VMSTATE_INCOMING_FD, kept across the exec. */
static int hand_on_state(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
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
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_QUIZ_FAILED);
	int log = openat(o->run_dir_fd, "qemu.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (log < 0 || null < 0 || fchdir(o->run_dir_fd) < 0)
		_exit(EXIT_QUIZ_FAILED);
	if (dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
		_exit(EXIT_QUIZ_FAILED);
	if (o->state_restore && hand_on_state(o->state_restore) < 0) {
		dprintf(2, "cannot open the VM state %s: %s\n", o->state_restore, strerror(errno));
		_exit(EXIT_QUIZ_FAILED); /* no status, not resumed: quiz boots cold */
	}
	/* QEMU gets 0, 1, 2 and the state it restores: the sockets it connects to are paths. */
	child_close_fds_from(o->state_restore ? VMSTATE_INCOMING_FD + 1 : 3);
	execvp(o->argv[0], o->argv);
	dprintf(2, "cannot run %s: %s\n", o->argv[0], strerror(errno));
	_exit(EXIT_NOT_FOUND);
}

static void on_data(struct vm *vm, int which, const char *data, size_t len)
{
	vm->received[which] += len;
	switch (which) {
	case SOCK_CONSOLE:
		if (!vm->at_console)
			vm->at_console = now_ms();
		log_console(vm, data, len);
		if (buf_append(&vm->console_tail, data, len) >= 0 &&
		    vm->console_tail.len > CONSOLE_TAIL_MAX) {
			struct buf *t = &vm->console_tail;
			memmove(t->data, t->data + t->len - CONSOLE_TAIL_KEEP,
				CONSOLE_TAIL_KEEP + 1);
			t->len = CONSOLE_TAIL_KEEP;
		}
		if (vm->o->verbose)
			queue_out(vm, 2, data, len);
		break;
	case SOCK_STDOUT:
	case SOCK_TTY:
	case SOCK_STDERR: queue_out(vm, destination(vm, which), data, len); break;
	case SOCK_STATUS:
		if (vm->status.len + len < STATUS_MAX)
			(void)buf_append(&vm->status, data, len); /* ENOMEM: no status, exit 125 */
		break;
	}
}

/* A restored run: the console of the boot that saved its state, as if it were this run's. */
static void replay_console(struct vm *vm, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file(path, &text, &len) >= 0 && len)
		on_data(vm, SOCK_CONSOLE, text, len);
	vm->at_console = 0; /* this run's own first byte is the one --timings means */
}

/*
 * Read what is there, or (all) until EOF; returns false at EOF or error (the socket is then
 * closed). Unless all, it stops while the output this socket feeds has data queued.
 */
static bool pump(struct vm *vm, int which, bool all)
{
	char chunk[65536];
	int to = destination(vm, which);
	for (;;) {
		if (output_failed(vm) || (!all && to && queued(vm, to)))
			return true; /* the loop decides what happens next */
		ssize_t n = read(vm->conn[which], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0) {
			(void)close(vm->conn[which]);
			vm->conn[which] = -1;
			return false;
		}
		on_data(vm, which, chunk, (size_t)n);
	}
}

static void pump_stdin(struct vm *vm, short host_events, short sock_events)
{
	int sock = vm->conn[vm->input];
	if (vm->stdin_sent == vm->stdin_pending.len && (host_events & (POLLIN | POLLHUP))) {
		char chunk[65536];
		ssize_t n = read(0, chunk, sizeof(chunk));
		if (n > 0) {
			vm->stdin_pending.len = vm->stdin_sent = 0;
			(void)buf_append(&vm->stdin_pending, chunk, (size_t)n);
		} else if (n == 0 || errno != EINTR) {
			vm->stdin_eof = true;
		}
	}
	if (vm->stdin_sent < vm->stdin_pending.len && (sock_events & POLLOUT || host_events)) {
		ssize_t n = send(sock, vm->stdin_pending.data + vm->stdin_sent,
				 vm->stdin_pending.len - vm->stdin_sent, MSG_NOSIGNAL);
		if (n > 0)
			vm->stdin_sent += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			vm->stdin_eof = true; /* the guest side is gone */
	}
	if (vm->stdin_eof && vm->stdin_sent >= vm->stdin_pending.len && vm->input == SOCK_STDIN &&
	    !vm->stdin_shut) {
		/*
		 * Half-close: QEMU reads what is queued, then EOF, then disconnects the port, and
		 * the program's read() returns 0. A full close() would raise a hang-up in QEMU
		 * that drops the port at once, losing input the guest has not read yet.
		 */
		(void)shutdown(sock, SHUT_WR);
		vm->stdin_shut = true;
	}
}

/* tmux mode: the host terminal changed size; the guest sets its tty to match. */
static void send_winsize(struct vm *vm)
{
	struct winsize ws;
	char line[64];
	if (vm->conn[SOCK_STATUS] < 0 || ioctl(0, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return; /* before the guest connects, the contract carries the size */
	int n = snprintf(line, sizeof(line), STATUS_WINSIZE "%u %u\n", ws.ws_row, ws.ws_col);
	(void)!send(vm->conn[SOCK_STATUS], line, (size_t)n, MSG_NOSIGNAL); /* cosmetic if lost */
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

/* The status line, or NULL while it has not fully arrived (a timeline line comes first). */
static const char *status_line(const struct vm *vm)
{
	for (const char *line = vm->status.data; line && *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			return NULL;
		if (status_line_is(line))
			return line;
		line = end + 1;
	}
	return NULL;
}

static bool status_complete(const struct vm *vm)
{
	return status_line(vm) != NULL;
}

/* Did the guest say this line (whole) on the status port? */
static bool status_said(const struct vm *vm, const char *word)
{
	return status_text_has_line(vm->status.data, word);
}

/* The go: the host's wall clock and fresh randomness for the guest to go on with. */
static void send_go(struct vm *vm)
{
	unsigned char seed[GO_SEED_BYTES];
	_cleanup_buf_ struct buf line = {0};
	struct timespec ts;
	vm->go_sent = true;
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return; /* the guest waits: -t ends it, and says where it stopped */
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	if (status_go_format((long long)ts.tv_sec, ts.tv_nsec, seed, sizeof(seed), &line) < 0)
		return; /* out of memory: as above */
	(void)!send(vm->conn[SOCK_STATUS], line.data, line.len, MSG_NOSIGNAL); /* lost: as above */
}

/* A restored VM runs once QEMU has loaded its state; under TCG a tenth of a second. */
#define RESTORE_WAIT_MS 30000

static void wait_running(struct vm *vm)
{
	vm->qmp.fd = vm->conn[SOCK_QMP];
	(void)qmp_wait_running(&vm->qmp, RESTORE_WAIT_MS); /* QEMU gone: the guest never resumes */
}

/* The parked guest's state into o->state_save; the go after it, however that went. */
static void save_parked(struct vm *vm, struct vm_result *res)
{
	long long t = now_ms();
	vm->qmp.fd = vm->conn[SOCK_QMP];
	res->save_status = qmp_save_state(&vm->qmp, vm->o->state_save, &res->save_error);
	res->save_tried = true;
	res->save_ms = now_ms() - t;
}

/* The park protocol's next step, if there is one to take now. */
static void park_step(struct vm *vm, struct vm_result *res)
{
	if (vm->go_sent || vm->conn[SOCK_STATUS] < 0)
		return;
	if (vm->o->park == VM_PARK_RESTORE) {
		if (vm->conn[SOCK_QMP] < 0)
			return;
		wait_running(vm);
		send_go(vm);
		return;
	}
	if (!status_said(vm, STATUS_PARKED))
		return;
	if (vm->o->park == VM_PARK_SAVE) {
		/* The boot's console up to the park point goes with the state: later runs show it,
		 * and judge it, as their own boot's (the guest printed it before it parked). */
		if (vm->conn[SOCK_CONSOLE] >= 0)
			(void)pump(vm, SOCK_CONSOLE, true);
		res->console_at_save = vm->received[SOCK_CONSOLE];
		save_parked(vm, res);
	}
	send_go(vm);
}

/*
 * The guest's status line ends with the byte counts it queued on stdout and stderr
 * (" out=N err=N"); it powers off only after quiz answers that it has them all, since data
 * still queued in the guest when QEMU exits would be lost. No counts: answer at once.
 */
static bool have_all_output(const struct vm *vm)
{
	const char *line = status_line(vm);
	_cleanup_free_ char *copy = line ? strndup(line, strcspn(line, "\n")) : NULL;
	struct status_line s;
	if (!copy || status_line_parse(copy, &s) < 0 || !s.counted)
		return true;
	return vm->received[SOCK_STDOUT] >= s.out && vm->received[SOCK_STDERR] >= s.err;
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
			 !(destination(vm, i) && queued(vm, destination(vm, i))))
			pfd[n] = (struct pollfd){.fd = vm->conn[i], .events = POLLIN}, who[n++] = i;
	}
	for (int fd = 1; fd <= 2; fd++)
		if (queued(vm, fd))
			pfd[n] = (struct pollfd){.fd = fd, .events = POLLOUT}, who[n++] = 400 + fd;
	if (vm->input != SOCK_STDIN && vm->conn[SOCK_STDIN] >= 0) {
		(void)close(vm->conn[SOCK_STDIN]); /* tmux mode: the tty is the input */
		vm->conn[SOCK_STDIN] = -1;
	}
	/* A restore that fails boots again, cold: until the guest runs, stdin stays unread. */
	bool hold_input = vm->o->park == VM_PARK_RESTORE && !status_said(vm, STATUS_RESUMED);
	if (vm->conn[vm->input] >= 0 && !vm->stdin_shut && !hold_input) {
		if (vm->stdin_sent < vm->stdin_pending.len)
			pfd[n] = (struct pollfd){.fd = vm->conn[vm->input], .events = POLLOUT},
			who[n++] = 300;
		else if (!vm->stdin_eof)
			pfd[n] = (struct pollfd){.fd = 0, .events = POLLIN}, who[n++] = 200;
		else if (vm->input == SOCK_STDIN)
			pump_stdin(vm, 0, 0);
	}
	return n;
}

/* The loop: returns when QEMU ended, the timeout passed or a signal came. */
/* How often, under KVM, QEMU's log is read for a KVM failure that stopped the guest. */
#define KVM_WATCH_MS 250

/*
 * QEMU stops the guest on a KVM internal error and waits for a monitor that quiz does not
 * have: the run would hang until -t. Its log says so: end the run at once.
 */
static bool kvm_failed(struct vm *vm, struct vm_result *res)
{
	char text[16384];
	_cleanup_close_ int fd = openat(vm->o->run_dir_fd, "qemu.log", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return false;
	text[n] = '\0';
	const char *line = accel_kvm_failure(text);
	if (!line)
		return false;
	res->outcome = VM_KVM_FAILED;
	res->message = strndup(line, strcspn(line, "\n"));
	return true;
}

static bool console_seen(const struct vm *vm, const char *needle)
{
	return vm->console_tail.data && strstr(vm->console_tail.data, needle);
}

/* --dump, --dump-on-panic: the guest's memory into path, and how that went into res. */
static void dump_memory(struct vm *vm, const char *path, struct vm_result *res)
{
	vm->qmp.fd = vm->conn[SOCK_QMP];
	free(res->dump_error);
	res->dump_error = NULL;
	res->dump_file = path;
	res->dump_status = qmp_dump(&vm->qmp, path, &res->dump_error);
}

/*
 * Past the deadline, before QEMU is stopped: the guest is asked to show its blocked tasks and
 * CPUs on the console (PID 1 still runs in most hangs); a guest that does not answer gets an
 * NMI where that shows its stuck CPU. True once the run is to end.
 */
static bool hang_step(struct vm *vm, struct vm_result *res, long long t)
{
	if (vm->hang == HANG_NONE) {
		vm->hang = HANG_SYSRQ;
		vm->hang_until = t + SYSRQ_WAIT_MS;
		if (vm->conn[SOCK_STATUS] >= 0 && send(vm->conn[SOCK_STATUS], STATUS_SYSRQ "\n",
						       strlen(STATUS_SYSRQ) + 1, MSG_NOSIGNAL) > 0)
			return false;
	}
	if (vm->hang == HANG_SYSRQ && console_seen(vm, SYSRQ_DONE)) {
		res->hang = VM_HANG_SHOWN;
		return true;
	}
	if (vm->hang == HANG_SYSRQ && t < vm->hang_until)
		return false;
	if (vm->hang == HANG_SYSRQ) {
		res->hang = VM_HANG_SILENT;
		vm->qmp.fd = vm->conn[SOCK_QMP];
		if (!vm->o->nmi ||
		    qmp_execute(&vm->qmp, "{\"execute\": \"inject-nmi\"}", 1000, NULL) < 0)
			return true;
		vm->hang = HANG_NMI;
		vm->hang_until = now_ms() + NMI_WAIT_MS;
		res->hang = VM_HANG_NMI;
	}
	return console_seen(vm, PANIC_END) || t >= vm->hang_until;
}

static void relay(struct vm *vm, struct vm_result *res)
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
			return;

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
					if (vm->hang) /* the NMI's panic ended it */
						res->outcome = VM_TIMEOUT;
					return;
				}
				if (si.ssi_signo == SIGWINCH) {
					send_winsize(vm);
					continue;
				}
				res->outcome = VM_SIGNALED;
				res->signal = (int)si.ssi_signo;
				return;
			} else if (who[i] >= 100 && who[i] < 200) {
				int k = who[i] - 100;
				vm->conn[k] = accept4(vm->listen[k], NULL, NULL,
						      SOCK_CLOEXEC | SOCK_NONBLOCK);
			} else if (who[i] == 200 && pfd[i].revents) {
				pump_stdin(vm, pfd[i].revents, 0);
			} else if (who[i] == 300) {
				pump_stdin(vm, 0, pfd[i].revents);
			} else if (who[i] > 400) {
				flush_out(vm, who[i] - 400);
			} else if (who[i] >= 0 && who[i] < N_SOCKETS) {
				(void)pump(vm, who[i], false);
				if (who[i] == SOCK_STATUS && status_complete(vm) && !res->at_status)
					res->at_status = now_ms();
			}
		}
		if (output_failed(vm))
			return; /* vm_run says what it means */
		park_step(vm, res);
		res->resumed = res->resumed || status_said(vm, STATUS_RESUMED);
		if (vm->o->watch_kvm && !acked && kvm_failed(vm, res))
			return;
		if (vm->o->panic_dump && !acked && !res->dump_file && console_seen(vm, PANIC_END)) {
			dump_memory(vm, vm->o->panic_dump, res);
			if (vm->hang)
				res->outcome = VM_TIMEOUT; /* the NMI's panic */
			return; /* a panic, as the console says: outcome_report tells */
		}
		if (!acked && status_complete(vm) && have_all_output(vm)) {
			if (vm->o->dump)
				dump_memory(vm, vm->o->dump,
					    res); /* the guest waits for the answer */
			(void)!write(vm->conn[SOCK_STATUS], "\n",
				     1); /* a lost answer: the guest waits */
			acked = true;
			grace = now_ms() + EXIT_GRACE_MS;
		}
		t = now_ms();
		if (!acked && vm->deadline && t >= vm->deadline && hang_step(vm, res, t)) {
			res->outcome = VM_TIMEOUT;
			if (vm->o->dump && !res->dump_file)
				dump_memory(vm, vm->o->dump, res);
			return;
		}
		if (acked && t >= grace)
			return; /* the status is in; QEMU is stuck on the way out */
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
		while (vm->conn[i] >= 0 && !output_failed(vm) && pump(vm, i, true))
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
static void flush_all(struct vm *vm, struct vm_result *res)
{
	while ((queued(vm, 1) || queued(vm, 2)) && !output_failed(vm)) {
		struct pollfd pfd[3] = {{.fd = vm->sigfd, .events = POLLIN}};
		nfds_t n = 1;
		for (int fd = 1; fd <= 2; fd++)
			if (queued(vm, fd))
				pfd[n++] = (struct pollfd){.fd = fd, .events = POLLOUT};
		long long wait = vm->deadline ? vm->deadline - now_ms() : -1;
		int ready = vm->deadline && wait <= 0
				    ? 0
				    : poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (ready == 0) {
			res->outcome = VM_TIMEOUT;
			return;
		}
		if (ready < 0 && errno != EINTR) {
			fail_output(vm, pfd[1].fd, -errno);
			return;
		}
		struct signalfd_siginfo si;
		if ((pfd[0].revents & POLLIN) && read(vm->sigfd, &si, sizeof(si)) == sizeof(si) &&
		    is_stop_signal((int)si.ssi_signo)) {
			res->outcome = VM_SIGNALED;
			res->signal = (int)si.ssi_signo;
			return;
		}
		for (nfds_t i = 1; i < n; i++)
			if (pfd[i].revents)
				flush_out(vm, pfd[i].fd);
	}
}

static void parse_status(struct vm *vm, struct vm_result *res)
{
	char *timeline = vm->status.data ? strstr(vm->status.data, STATUS_TIMELINE) : NULL;
	if (timeline && (timeline == vm->status.data || timeline[-1] == '\n')) {
		timeline += strlen(STATUS_TIMELINE);
		res->timeline = strndup(timeline, strcspn(timeline, "\n"));
	}
	char *line = (char *)status_line(vm);
	if (res->outcome != VM_NO_STATUS || !line)
		return;
	line[strcspn(line, "\n")] = '\0';
	struct status_line s;
	if (status_line_parse(line, &s) < 0)
		return; /* a code out of range: no status */
	if (s.error) {
		res->outcome = VM_GUEST_ERROR;
		res->message = strdup(s.message);
	} else {
		res->outcome = VM_STATUS;
		res->exit_code = s.exit_code;
	}
}

int vm_run(const struct vm_options *o, struct vm_result *ret)
{
	struct vm vm = {.o = o,
			.sigfd = -1,
			.console_log = -1,
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
	vm.console_log = openat(o->run_dir_fd, "console.log",
				O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (vm.sigfd < 0 || vm.console_log < 0)
		r = -errno;
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
		vm.out[fd].chunk = write_chunk(fd);
	if (r >= 0 && o->console_saved)
		replay_console(&vm, o->console_saved);
	if (r >= 0)
		r = vm.qemu = spawn_qemu(o, &old_mask);
	if (r >= 0) {
		r = 0;
		relay(&vm, &res);
		kill_qemu(&vm);
		res.at_exit = now_ms();
		res.at_console = vm.at_console;
		/* Stopped by a signal, the timeout or a failed output: what is left is not waited
		 * for. */
		if (res.outcome != VM_SIGNALED && res.outcome != VM_TIMEOUT &&
		    !output_failed(&vm)) {
			drain(&vm);
			flush_all(&vm, &res);
		}
		if (res.outcome == VM_NO_STATUS && vm.output_broken) {
			res.outcome = VM_SIGNALED; /* as a pipeline: the reader left, SIGPIPE */
			res.signal = SIGPIPE;
		} else if (res.outcome == VM_NO_STATUS && vm.output_error) {
			res.outcome = VM_OUTPUT_ERROR;
			res.output_error = vm.output_error;
			res.output_fd = vm.output_error_fd;
		}
		parse_status(&vm, &res);
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
	if (vm.console_log >= 0)
		(void)close(vm.console_log);
	if (vm.sigfd >= 0)
		(void)close(vm.sigfd);
	buf_free(&vm.status);
	buf_free(&vm.console_tail);
	buf_free(&vm.qmp.in); /* its fd was conn[SOCK_QMP] */
	buf_free(&vm.stdin_pending);
	buf_free(&vm.out[1].data);
	buf_free(&vm.out[2].data);
	/* The signals stay blocked: a second Ctrl-C must not cut the caller's cleanup short. */
	if (r < 0)
		return r;
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
}
