/* SPDX-License-Identifier: MIT */
/* A run's exit status and what ended it, from the facts: the exit contract in one place. */
#include "run_decision.h"

#include "exit_status.h"

enum vm_outcome vm_outcome_of(const struct vm_stop_facts *f)
{
	switch (f->stop) {
	case VM_STOP_SIGNAL: return VM_SIGNALED;
	case VM_STOP_DEADLINE: return VM_TIMEOUT;
	case VM_STOP_KVM_FAILED: return VM_KVM_FAILED;
	case VM_STOP_OUTPUT_FAILED:
		/* A reader that left ends the run as a pipeline would: SIGPIPE. */
		return f->output_broken ? VM_SIGNALED : VM_OUTPUT_ERROR;
	case VM_STOP_PANIC:
		/* The NMI that showed a hung guest made it panic: a timeout still. */
		return f->hang_steps ? VM_TIMEOUT : VM_NO_STATUS;
	case VM_STOP_QEMU_GONE: break;
	}
	if (f->hang_steps)
		return VM_TIMEOUT; /* the NMI's panic ended it */
	if (f->status_line)
		return f->guest_error ? VM_GUEST_ERROR : VM_STATUS;
	return VM_NO_STATUS;
}

void run_decide(const struct run_facts *f, struct run_result *ret)
{
	ret->program_status = -1;
	ret->signal = 0;
	ret->splat_failed = false;
	switch (f->outcome) {
	case VM_STATUS:
		ret->end = RUN_END_PROGRAM;
		ret->program_status = f->exit_code;
		ret->exit_status = f->exit_code;
		if (f->exit_code == 0 && f->reports_shown && f->splat == SPLAT_MODE_FAIL) {
			ret->exit_status = EXIT_SPLAT;
			ret->splat_failed = true;
		}
		break;
	case VM_TIMEOUT:
		ret->end = RUN_END_TIMEOUT;
		ret->exit_status = EXIT_TIMEOUT;
		break;
	case VM_SIGNALED:
		ret->end = RUN_END_SIGNALED;
		ret->signal = f->signal;
		ret->exit_status = EXIT_SIGNALED + f->signal;
		break;
	case VM_NO_STATUS:
		ret->end = f->panicked ? RUN_END_PANIC : RUN_END_FAILED;
		ret->exit_status = EXIT_QUIZ_FAILED;
		break;
	case VM_GUEST_ERROR:
	case VM_OUTPUT_ERROR:
	case VM_KVM_FAILED:
		ret->end = RUN_END_FAILED;
		ret->exit_status = EXIT_QUIZ_FAILED;
		break;
	}
	if (f->console_failed) {
		/* The program's status stands as what it was; quiz's says the run is not whole. */
		ret->exit_status = EXIT_QUIZ_FAILED;
		ret->splat_failed = false;
		if (ret->end == RUN_END_PROGRAM)
			ret->end = RUN_END_FAILED;
	}
}
