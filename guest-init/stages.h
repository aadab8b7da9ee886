/* SPDX-License-Identifier: MIT */
/* The stages and roles of quiz-init, the guest's one init binary (see main.c). */
#pragma once

#include "macro.h"

/* Kernel's init: layers, overlay, pivot; then goes on as init2. Never returns. */
_noreturn_ void init1_main(void);
/* PID 1 in the overlay root (status_fd: the status port init1 parked on, or -1): guest set-up,
 * tini, status, power-off. Never returns. */
_noreturn_ void init2_main(int status_fd);
