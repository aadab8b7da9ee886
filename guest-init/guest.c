/* SPDX-License-Identifier: MIT */
/* Shared guest helpers: /dev/kmsg logging, the mount table executor, file reading, power-off. */
#include "guest.h"
#include "file.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <time.h>

static int kmsg_fd = -1;
static const char *log_name = "quiz";

void guest_log_open(const char *name)
{
	log_name = name;
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
}

void guest_log(int level, const char *fmt, ...)
{
	_cleanup_buf_ struct buf line = {0};
	va_list ap;
	int r = buf_printf(&line, "<%d>%s: ", level, log_name);
	va_start(ap, fmt);
	if (r >= 0)
		r = buf_vprintf(&line, fmt, ap);
	va_end(ap);
	/* The newline ends the record at once; without it the kernel holds it open. The kernel
	 * cuts a record past its line limit itself. */
	if (r >= 0)
		r = buf_puts(&line, "\n");
	if (r < 0)
		return; /* out of memory: nowhere to say it */
	if (kmsg_fd >= 0)
		(void)!write(kmsg_fd, line.data, line.len); /* nowhere else to report to */
	else
		fprintf(stderr, "%s", line.data + strcspn(line.data, ">") + 1);
}

int mkdir_p(const char *path, unsigned mode)
{
	_cleanup_free_ char *p = strdup(path);
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			return 0;
	}
}

int mount_one(const struct mount_op *op)
{
	if (op->how & MOUNT_MKDIR) {
		int r = mkdir_p(op->target, 0755);
		if (r < 0 && (op->how & MOUNT_FATAL)) {
			log_err("mkdir %s: %s", op->target, strerror(-r));
			return r;
		}
	}
	unsigned long long start = uptime_ms();
	if (mount(op->source, op->target, op->type, op->flags, op->data) == 0) {
		unsigned long long took = uptime_ms() - start;
		if (took >= 10) /* for boot-time work: which mount is slow */
			log_info("mount %s on %s took %llu ms", op->type ? op->type : "bind",
				 op->target, took);
		return 0;
	}
	int r = -errno;
	if (r == -EBUSY && (op->how & MOUNT_TOLERATE_BUSY))
		return 0;
	log_err("mount %s (%s) on %s: %s", op->source, op->type ? op->type : "bind", op->target,
		strerror(-r));
	return (op->how & MOUNT_FATAL) ? r : 0;
}

int mount_all(const struct mount_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = mount_one(&ops[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int run_settings_load(const char *path, struct run_settings *ret)
{
	_cleanup_free_ char *data = NULL;
	size_t size = 0;
	int r = read_file(path, &data, &size);
	if (r < 0)
		return r;
	return run_settings_decode(data, size, ret);
}

void guest_poweroff(void)
{
	sync();
	(void)reboot(
		RB_AUTOBOOT); /* kernel booted with reboot=t; QEMU -no-reboot turns it into exit */
	for (;;)
		pause();
}

int mount_option_escape(const char *path, struct buf *out)
{
	for (const char *p = path; *p; p++) {
		if (*p == ':' || *p == ',' || *p == '\\') {
			int r = buf_append(out, "\\", 1);
			if (r < 0)
				return r;
		}
		int r = buf_append(out, p, 1);
		if (r < 0)
			return r;
	}
	return 0;
}

unsigned long long uptime_ms(void)
{
	struct timespec ts;
	(void)clock_gettime(CLOCK_BOOTTIME, &ts); /* cannot fail for this clock */
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static struct buf timeline;

void timeline_mark(const char *stage)
{
	unsigned long long ms = uptime_ms();
	(void)buf_printf(&timeline, " %s=%llu", stage, ms); /* ENOMEM: --timings lacks it */
	log_info("%s at %llu ms", stage, ms);
}

const char *timeline_text(void)
{
	return timeline.data ? timeline.data : "";
}
