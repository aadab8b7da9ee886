/* SPDX-License-Identifier: MIT */
/* What a run shows the guest: the run layer's files, the contract and the 9p shares. */
#pragma once

#include <stdbool.h>

#include "buf.h"
#include "kernel_host.h"
#include "options.h"
#include "profile.h"
#include "qemu_argv.h"

struct run_setup {
	const struct quiz_options *options;
	const struct kernel *kernel;
	const char *cwd;  /* host working directory, its real path (getcwd: no symlinks) */
	const char *mode; /* "raw" or "tmux" */
	const struct profile_set *profiles;
	bool attach;	/* the attach port is in QEMU's argv: the guest starts its agent */
	bool cwd_image; /* the current directory from its packed image (tree_pack.h), not 9p */
};

#define MAX_SHARES 8
struct run_shares {
	struct share items[MAX_SHARES];
	size_t n;
	struct strv owned; /* strings the items point to */
};

/* The contract's bytes for this run: its settings (settings.h) from the setup, the shares and, in
 * tmux mode, the host terminal's size and TERM, encoded. */
int contract_build(const struct run_setup *s, const char *const *argv, size_t argc,
		   const struct run_shares *shares, struct buf *ret);

/* Fill the run layer under run_dir_fd ("layer/quiz/run/..."), choose the shares. */
int run_layer_write(const struct run_setup *s, int run_dir_fd, const char *run_dir,
		    struct run_shares *ret_shares);
void run_shares_free(struct run_shares *s);

/* A program path outside the shared current directory is copied into the run layer. */
#define GUEST_BIN "/quiz/run/bin"
