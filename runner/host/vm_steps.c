/* SPDX-License-Identifier: MIT */
/* The status port's protocol, step by step: the park point's go (after a save or a restore), the
 * answer once all output is in, a hang past -t, KVM stopping the guest. */
#include "vm_internal.h"

#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "contract.h"
#include "status_line.h"

/* The status line, or NULL while it has not fully arrived (a timeline line comes first). */
const char *vm_status_line(const struct vm *vm)
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

bool vm_status_complete(const struct vm *vm)
{
	return vm_status_line(vm) != NULL;
}

/* Did the guest say this line (whole) on the status port? */
bool vm_status_said(const struct vm *vm, const char *word)
{
	return status_text_has_line(vm->status.data, word);
}

/*
 * QEMU's monitor for one wait. A stop signal ends it at once (the loop then reads the signal);
 * so does the run's deadline where by_deadline: the park point's waits are the run's, while
 * past the deadline the hang's NMI and a dump have their own limits.
 */
static struct qmp *vm_qmp(struct vm *vm, bool by_deadline)
{
	vm->qmp.fd = vm->conn[SOCK_QMP];
	vm->qmp.stop_fd = vm->stopfd;
	vm->qmp.stop_at = by_deadline ? vm->deadline : 0;
	return &vm->qmp;
}

/* The go: the host's wall clock and fresh randomness for the guest to go on with. */
void vm_send_go(struct vm *vm)
{
	unsigned char seed[GO_SEED_BYTES];
	_cleanup_buf_ struct buf line = {0};
	struct timespec ts;
	vm->park_done = true;
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return; /* the guest waits: -t ends it, and says where it stopped */
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	if (status_go_format((long long)ts.tv_sec, ts.tv_nsec, seed, sizeof(seed), &line) < 0)
		return; /* out of memory: as above */
	(void)!send(vm->conn[SOCK_STATUS], line.data, line.len, MSG_NOSIGNAL); /* lost: as above */
}

/* The parked guest's state into o->state_fd, and how that went into res. */
static int save_parked(struct vm *vm, struct vm_result *res)
{
	long long t = now_ms();
	res->save_status = qmp_save_state(vm_qmp(vm, true), vm->o->state_fd, &res->save_error);
	res->save_tried = true;
	res->save_ms = now_ms() - t;
	return res->save_status;
}

/* The park protocol's next step, if there is one to take now. */
void vm_park_step(struct vm *vm, struct vm_result *res)
{
	if (vm->park_done || vm->conn[SOCK_STATUS] < 0)
		return;
	if (vm->o->park == VM_PARK_RESTORE) {
		if (vm->conn[SOCK_QMP] < 0)
			return;
		/* Not running in time, or QEMU gone: the go waits in the socket, unread. */
		if (qmp_wait_running(vm_qmp(vm, true), RESTORE_WAIT_MS) == -ECANCELED)
			vm->park_done = true; /* the run ends: no go */
		else
			vm_send_go(vm);
		return;
	}
	if (!vm_status_said(vm, STATUS_PARKED))
		return;
	if (vm->o->park == VM_PARK_SAVE) {
		/* The boot's console up to the park point goes with the state: later runs show it,
		 * and judge it, as their own boot's (the guest printed it before it parked). */
		if (vm->conn[SOCK_CONSOLE] >= 0)
			(void)vm_pump(vm, SOCK_CONSOLE, true);
		res->console_at_save = vm->received[SOCK_CONSOLE];
		if (save_parked(vm, res) == -ECANCELED) {
			vm->park_done = true; /* the run ends: no go */
			return;
		}
	}
	vm_send_go(vm);
}

/*
 * The guest's status line ends with the byte counts it queued on stdout and stderr
 * (" out=N err=N"); it powers off only after quiz answers that it has them all, since data
 * still queued in the guest when QEMU exits would be lost. No counts: answer at once.
 */
bool vm_have_all_output(const struct vm *vm)
{
	const char *line = vm_status_line(vm);
	_cleanup_free_ char *copy = line ? strndup(line, strcspn(line, "\n")) : NULL;
	struct status_line s;
	if (!copy || status_line_parse(copy, &s) < 0 || !s.counted)
		return true;
	return vm->received[SOCK_STDOUT] >= s.out && vm->received[SOCK_STDERR] >= s.err;
}

/*
 * QEMU stops the guest on a KVM internal error and waits for a monitor that quiz does not
 * have: the run would hang until -t. Its log says so: end the run at once.
 */
bool vm_kvm_failed(struct vm *vm, struct vm_result *res)
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
	res->message = strndup(line, strcspn(line, "\n"));
	return true;
}

bool vm_console_seen(const struct vm *vm, const char *needle)
{
	return console_log_seen(&vm->console, needle);
}

/* --dump, --dump-on-panic: the guest's memory into path, and how that went into res. */
void vm_dump_memory(struct vm *vm, const char *path, struct vm_result *res)
{
	free(res->dump_error);
	res->dump_error = NULL;
	res->dump_file = path;
	res->dump_status = qmp_dump(vm_qmp(vm, false), path, &res->dump_error);
}

/*
 * Past the deadline, before QEMU is stopped: the guest is asked to show its blocked tasks and
 * CPUs on the console (PID 1 still runs in most hangs); a guest that does not answer gets an
 * NMI where that shows its stuck CPU. True once the run is to end.
 */
bool vm_hang_step(struct vm *vm, struct vm_result *res, long long t)
{
	if (vm->hang == HANG_NONE) {
		vm->hang = HANG_SYSRQ;
		vm->hang_until = t + SYSRQ_WAIT_MS;
		if (vm->conn[SOCK_STATUS] >= 0 && send(vm->conn[SOCK_STATUS], STATUS_SYSRQ "\n",
						       strlen(STATUS_SYSRQ) + 1, MSG_NOSIGNAL) > 0)
			return false;
	}
	if (vm->hang == HANG_SYSRQ && vm_console_seen(vm, SYSRQ_DONE)) {
		res->hang = VM_HANG_SHOWN;
		return true;
	}
	if (vm->hang == HANG_SYSRQ && t < vm->hang_until)
		return false;
	if (vm->hang == HANG_SYSRQ) {
		res->hang = VM_HANG_SILENT;
		if (!vm->o->nmi ||
		    qmp_execute(vm_qmp(vm, false), "{\"execute\": \"inject-nmi\"}", 1000, NULL) < 0)
			return true;
		vm->hang = HANG_NMI;
		vm->hang_until = now_ms() + NMI_WAIT_MS;
		res->hang = VM_HANG_NMI;
	}
	return vm_console_seen(vm, PANIC_END) || t >= vm->hang_until;
}
