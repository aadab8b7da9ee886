/* SPDX-License-Identifier: MIT */
/* The rc stage: run the program, keep its status, then a shell (-S) or the end of tmux. */
#pragma once

/* Where the rc leaves the program's status for init2 (tini's own status is the fallback). */
#define RC_STATUS_FILE "/run/quiz-status"

/* "--rc": the program, its status to RC_STATUS_FILE, then a shell if asked, then the end. */
int rc_main(void);
/* "--tmux": a tmux session with the rc in one window and dmesg beside it, attached. */
int tmux_main(void);
