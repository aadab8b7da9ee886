/* SPDX-License-Identifier: MIT */
/* What init1 and init2 share: logging to /dev/kmsg, the mount executor, power-off. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "contract.h"
#include "macro.h"
#include "settings.h"

enum mount_flags {
	MOUNT_FATAL = 1 << 0,	      /* failure ends the boot */
	MOUNT_MKDIR = 1 << 1,	      /* create the target first */
	MOUNT_TOLERATE_BUSY = 1 << 2, /* EBUSY means "already there" */
};

struct mount_op {
	const char *source;
	const char *target;
	const char *type;
	unsigned long flags;
	const char *data;
	enum mount_flags how;
};

/* 9p mount options: the virtio transport, 9P2000.L, 500 KB messages (bigger reads, fewer). */
#define NINEP "trans=virtio,version=9p2000.L,msize=512000"

/* Overlay options: no xino probing of the 9p lower layers; the features quiz never uses, off. */
#define OVERLAY_FAST "xino=off,index=off,redirect_dir=off,metacopy=off"

void guest_log_open(const char *name);
void guest_log(int level, const char *fmt, ...) _printf_(2, 3);
#define log_info(...) guest_log(6, __VA_ARGS__)
#define log_err(...) guest_log(3, __VA_ARGS__)

/* Run one mount; returns 0 or -errno (non-fatal rows log and return 0). */
int mount_one(const struct mount_op *op);
int mount_all(const struct mount_op *ops, size_t n);
int mkdir_p(const char *path, unsigned mode);

/* Read and decode the contract the host wrote (path: where this stage sees it). */
int run_settings_load(const char *path, struct run_settings *ret);

/* Sync and end the VM (QEMU runs with -no-reboot, so a reboot is its exit). Never returns. */
_noreturn_ void guest_poweroff(void);

/* Escape a path for a mount option string (overlayfs splits on ':' and ',' and knows '\'). */
int mount_option_escape(const char *path, struct buf *out);

/* Milliseconds since boot, for timing markers in the kernel log. */
unsigned long long uptime_ms(void);

/* Boot stages with their uptime, sent to the host at the end (--timings). */
void timeline_mark(const char *stage);
const char *timeline_text(void); /* " stage=ms stage=ms ..." */
