/* SPDX-License-Identifier: MIT */
/* A run's typed result: its file between a matrix's child and parent, both ways, and what the
 * decoder refuses. */
#include <stdlib.h>
#include <string.h>

#include "exit_status.h"
#include "run_result.h"
#include "tap.h"

static char *encoded(const struct run_result *r)
{
	struct buf b = {0};
	return run_result_encode(r, &b) == 0 ? b.data : NULL;
}

int main(void)
{
	struct run_result r = {.end = RUN_END_PROGRAM,
			       .exit_status = EXIT_SPLAT,
			       .program_status = 0,
			       .hang = RUN_HANG_NONE,
			       .splat_failed = true,
			       .restored = false,
			       .cold_reason = strdup("the first run\tof this\\layout\n")};
	CHECK(run_result_add_report(&r, SPLAT_WARNING, false,
				    "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2 \\ tab\there") ==
			      0 &&
		      run_result_add_report(&r, SPLAT_KASAN, true, "BUG: KASAN: x=y") == 0,
	      "reports added");
	char *text = encoded(&r);
	CHECK_STR(text,
		  "end=program\nexit=123\nprogram=0\nsignal=0\nhang=none\nsplat-failed=1\n"
		  "restored=0\ncold=the first run\\tof this\\\\layout\\n\n"
		  "report=warning\t0\tWARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2 \\\\ tab\\there\n"
		  "report=kasan\t1\tBUG: KASAN: x=y\n",
		  "the exact bytes of a result");
	struct run_result back = {0};
	CHECK(text && run_result_decode(text, strlen(text), &back) == 0, "it decodes");
	char *again = encoded(&back);
	CHECK_STR(again, text, "and encodes to the same bytes: a round trip");
	CHECK(back.end == RUN_END_PROGRAM && back.exit_status == 123 && back.program_status == 0 &&
		      back.splat_failed && back.n_reports == 2 &&
		      back.reports[1].kind == SPLAT_KASAN && back.reports[1].allowed &&
		      strcmp(back.reports[0].title, r.reports[0].title) == 0 &&
		      strcmp(back.cold_reason, r.cold_reason) == 0,
	      "every field as it was");
	free(text);
	free(again);
	run_result_free(&back);
	run_result_free(&r);

	static const char *const ends[] = {"program", "timeout", "panic", "signaled", "failed"};
	for (int e = RUN_END_PROGRAM; e <= RUN_END_FAILED; e++) {
		struct run_result one = {.end = (enum run_end)e,
					 .exit_status = 125,
					 .signal = 15,
					 .program_status = -1,
					 .hang = RUN_HANG_NMI};
		char *t = encoded(&one);
		struct run_result d = {0};
		CHECK(t && run_result_decode(t, strlen(t), &d) == 0 && d.end == (enum run_end)e &&
			      d.hang == RUN_HANG_NMI && d.signal == 15 && d.program_status == -1,
		      "end=%s round-trips", ends[e]);
		CHECK_STR(run_end_name((enum run_end)e), ends[e], "its name");
		free(t);
		run_result_free(&d);
	}

	static const char *const refused[] = {
		"",
		"exit=0\n",
		"end=program\n",
		"end=finished\nexit=0\n",
		"end=program\nexit=256\n",
		"end=program\nexit=-1\n",
		"end=program\nexit=0\nunknown=1\n",
		"end=program\nexit=0\nhang=sometimes\n",
		"end=program\nexit=0\nrestored=2\n",
		"end=program\nexit=0\nreport=warning\t0\n",
		"end=program\nexit=0\nreport=nosuch\t0\tx\n",
		"end=program\nexit=0\nreport=warning\t0\tbad \\q escape\n",
		"end=program\nexit=0 \n",
		"end=program\nexit\n",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct run_result d = {0};
		CHECK(run_result_decode(refused[i], strlen(refused[i]), &d) == -EINVAL,
		      "refused: %zu", i);
	}
	struct run_result failed;
	run_result_failed(&failed, EXIT_QUIZ_FAILED);
	CHECK(failed.end == RUN_END_FAILED && failed.exit_status == 125 &&
		      failed.program_status == -1,
	      "run_result_failed");
	return tap_done();
}
