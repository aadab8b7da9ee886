/* SPDX-License-Identifier: MIT */
/*
 * The host→guest contract: one file of NUL-terminated "key=value" records in the run layer. Its
 * keys and what they mean are settings.h's struct run_settings, written and read by settings.c.
 */
#pragma once

#include <stddef.h>

#include "buf.h"

/* Where the contract lives, seen from the guest (the run layer's root is the overlay's top). */
#define CONTRACT_GUEST_PATH "/quiz/run/contract"
#define CONTRACT_INIT1_PATH "/quiz/layers/run/quiz/run/contract"

struct contract_entry {
	const char *key;
	const char *value;
};

/* Append one record; -EINVAL when the key is empty or holds '=' or either holds a NUL. */
int contract_add(struct buf *b, const char *key, const char *value);

/* Split data (modified in place, must stay alive) into entries; -EINVAL on a malformed record. */
int contract_parse(char *data, size_t size, struct contract_entry **ret_entries, size_t *ret_n);

/*
 * Guest→host on the status port: "timeline STAGE=MS ..." (guest uptime of each boot stage),
 * then the status, "exit N" or "error MESSAGE".
 * Host→guest: "winsize ROWS COLS" when the host terminal changes size (tmux mode), "sysrq"
 * when the run passed its --timeout (the guest shows its blocked tasks and CPUs on the console,
 * then logs SYSRQ_DONE), and an empty line, the answer that quiz has all the output the status
 * line counts.
 */
#define STATUS_TIMELINE "timeline"
#define STATUS_EXIT "exit "
#define STATUS_ERROR "error "
#define STATUS_WINSIZE "winsize "
#define STATUS_SYSRQ "sysrq"
/*
 * The park point (guest-init/park.c), before the status: the guest says STATUS_PARKED and waits
 * for the host's "go SEC NSEC SEED" (its CLOCK_REALTIME, GO_SEED_BYTES of randomness as hex),
 * then says STATUS_RESUMED. quiz may save the parked VM first, and start later runs from it.
 */
#define STATUS_PARKED "parked"
#define STATUS_GO "go "
#define STATUS_RESUMED "resumed"
#define GO_SEED_BYTES 32
/*
 * Instead of STATUS_RESUMED, when the go's seed could not reseed the kernel's randomness: an
 * error status whose message starts so, then the guest powers off (a restored guest would draw
 * the saved state's random numbers). The host boots again, cold, without the state.
 */
#define STATUS_UNSEEDED "the kernel's randomness could not be reseeded from the host's go: "
/* On the console after the guest's answer to STATUS_SYSRQ. */
#define SYSRQ_DONE "quiz: sysrq done"

/* virtio-serial port names, the same on both sides. */
#define PORT_STDIN "quiz.stdin"
#define PORT_STDOUT "quiz.stdout"
#define PORT_STDERR "quiz.stderr"
#define PORT_STATUS "quiz.status"
/* quiz --attach's sessions (attach_frame.h), served by the guest's agent. */
#define PORT_ATTACH "quiz.attach"
