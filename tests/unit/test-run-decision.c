/* SPDX-License-Identifier: MIT */
/* The exit contract's decisions: what ended the run, and quiz's exit status from the facts. */
#include "exit_status.h"
#include "run_decision.h"
#include "tap.h"

static void outcome_cases(void)
{
	static const struct {
		struct vm_stop_facts f;
		enum vm_outcome want;
		const char *what;
	} cases[] = {
		{{VM_STOP_QEMU_GONE, .status_line = true},
		 VM_STATUS,
		 "QEMU gone, a status: STATUS"},
		{{VM_STOP_QEMU_GONE, .status_line = true, .guest_error = true},
		 VM_GUEST_ERROR,
		 "QEMU gone, an error status: GUEST_ERROR"},
		{{VM_STOP_QEMU_GONE}, VM_NO_STATUS, "QEMU gone, nothing said: NO_STATUS"},
		{{VM_STOP_QEMU_GONE, .hang_steps = true},
		 VM_TIMEOUT,
		 "QEMU gone after the hang steps (the NMI's panic): TIMEOUT"},
		{{VM_STOP_QEMU_GONE, .hang_steps = true, .status_line = true},
		 VM_TIMEOUT,
		 "a status after the hang steps began: still TIMEOUT"},
		{{VM_STOP_SIGNAL, .status_line = true},
		 VM_SIGNALED,
		 "a stop signal, even with a status in: SIGNALED"},
		{{VM_STOP_DEADLINE}, VM_TIMEOUT, "the deadline: TIMEOUT"},
		{{VM_STOP_DEADLINE, .status_line = true},
		 VM_TIMEOUT,
		 "the deadline while writing the rest out: TIMEOUT"},
		{{VM_STOP_PANIC}, VM_NO_STATUS, "a panic (--dump-on-panic): NO_STATUS"},
		{{VM_STOP_PANIC, .hang_steps = true}, VM_TIMEOUT, "the NMI's panic: TIMEOUT"},
		{{VM_STOP_KVM_FAILED, .status_line = true}, VM_KVM_FAILED, "KVM stopped the guest"},
		{{VM_STOP_OUTPUT_FAILED, .status_line = true},
		 VM_OUTPUT_ERROR,
		 "stdout failed: OUTPUT_ERROR, whatever the status"},
		{{VM_STOP_OUTPUT_FAILED, .output_broken = true, .status_line = true},
		 VM_SIGNALED,
		 "the reader left (EPIPE): SIGNALED, as a pipeline"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		CHECK(vm_outcome_of(&cases[i].f) == cases[i].want, "%s", cases[i].what);
}

static void status_cases(void)
{
	static const struct {
		struct run_facts f;
		int status;
		enum run_end end;
		int program;
		bool splat;
		const char *what;
	} cases[] = {
		{{VM_STATUS, 0}, 0, RUN_END_PROGRAM, 0, false, "a passing program: 0"},
		{{VM_STATUS, 3}, 3, RUN_END_PROGRAM, 3, false, "a failing one: its status"},
		{{VM_STATUS, 137}, 137, RUN_END_PROGRAM, 137, false, "killed in the guest: 128+S"},
		{{VM_STATUS, 0, .reports_shown = 1, .splat = SPLAT_MODE_FAIL},
		 EXIT_SPLAT,
		 RUN_END_PROGRAM,
		 0,
		 true,
		 "passed, a report shown, --splat=fail: 123"},
		{{VM_STATUS, 0, .reports_shown = 1, .splat = SPLAT_MODE_WARN},
		 0,
		 RUN_END_PROGRAM,
		 0,
		 false,
		 "--splat=warn: the program's 0"},
		{{VM_STATUS, 0, .reports_shown = 1, .splat = SPLAT_MODE_IGNORE},
		 0,
		 RUN_END_PROGRAM,
		 0,
		 false,
		 "--splat=ignore: 0"},
		{{VM_STATUS, 0, .reports_shown = 0, .splat = SPLAT_MODE_FAIL},
		 0,
		 RUN_END_PROGRAM,
		 0,
		 false,
		 "every report allowed: 0"},
		{{VM_STATUS, 4, .reports_shown = 2, .splat = SPLAT_MODE_FAIL},
		 4,
		 RUN_END_PROGRAM,
		 4,
		 false,
		 "a failing program keeps its status whatever the kernel said"},
		{{VM_TIMEOUT}, EXIT_TIMEOUT, RUN_END_TIMEOUT, -1, false, "timeout: 124"},
		{{VM_SIGNALED, .signal = 15}, 143, RUN_END_SIGNALED, -1, false, "SIGTERM: 143"},
		{{VM_NO_STATUS, .panicked = true}, 125, RUN_END_PANIC, -1, false, "a panic: 125"},
		{{VM_NO_STATUS}, 125, RUN_END_FAILED, -1, false, "no status: 125"},
		{{VM_GUEST_ERROR}, 125, RUN_END_FAILED, -1, false, "the guest's error: 125"},
		{{VM_OUTPUT_ERROR}, 125, RUN_END_FAILED, -1, false, "stdout failed: 125"},
		{{VM_KVM_FAILED}, 125, RUN_END_FAILED, -1, false, "KVM failed: 125"},
		{{VM_STATUS, 0, .reports_shown = 1, .splat = SPLAT_MODE_FAIL,
		  .console_failed = true},
		 125,
		 RUN_END_FAILED,
		 0,
		 false,
		 "console.log not whole: 125, the program's status kept in the result"},
		{{VM_TIMEOUT, .console_failed = true},
		 125,
		 RUN_END_TIMEOUT,
		 -1,
		 false,
		 "console.log not whole after a timeout: 125, still a timeout"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct run_result r = {0};
		run_decide(&cases[i].f, &r);
		CHECK(r.exit_status == cases[i].status && r.end == cases[i].end &&
			      r.program_status == cases[i].program &&
			      r.splat_failed == cases[i].splat,
		      "%s (got %d, %s, program %d, splat %d)", cases[i].what, r.exit_status,
		      run_end_name(r.end), r.program_status, r.splat_failed);
	}
}

int main(void)
{
	outcome_cases();
	status_cases();
	return tap_done();
}
