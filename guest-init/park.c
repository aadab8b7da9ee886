/* SPDX-License-Identifier: MIT */
/*
 * The park point: init1 waits here, before any 9p share is mounted (a mounted share blocks
 * QEMU's migration), for the host's go. quiz may save the parked VM and start later runs from
 * that state; the go carries what must differ between such runs: the wall clock and a seed for
 * the kernel's random number generator (a fresh boot id follows from it).
 */
#include "park.h"

#include <fcntl.h>
#include <linux/random.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>

#include "kmsg.h"
#include "layout.h"
#include "ports.h"
#include "status_line.h"

/* A host line; a longer one is cut, then not understood. */
#define LINE_MAX_LEN 256

/* The host's go: its clock and the seed for the kernel's randomness. */
struct go {
	struct timespec now;
	struct {
		struct rand_pool_info info;
		unsigned char bytes[GO_SEED_BYTES];
	} seed;
};

/* Read host lines until the go; a sysrq (the host's -t ran out) is answered meanwhile. */
static int wait_for_go(int fd, struct go *ret)
{
	char line[LINE_MAX_LEN];
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1); /* a few short lines: bytewise is fine */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		long long sec;
		long nsec;
		if (status_go_parse(line, &sec, &nsec, ret->seed.bytes, GO_SEED_BYTES) == 0) {
			ret->now = (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = nsec};
			return 0;
		}
		if (STREQ(line, STATUS_SYSRQ))
			kmsg_show_stuck();
	}
}

/* The go's seed credited, then a reseed: from here the guest's randomness differs from any
 * other run's of the same state. */
static int reseed(struct go *go)
{
	go->seed.info = (struct rand_pool_info){.entropy_count = GO_SEED_BYTES * 8,
						.buf_size = GO_SEED_BYTES};
	_cleanup_close_ int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &go->seed) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0)
		return -errno;
	return 0;
}

/*
 * A guest restored from a saved state that went on unseeded would draw the same random numbers
 * as every other run of that state: it goes no further, and says why (an error status before
 * STATUS_RESUMED), so that the host boots again, cold.
 */
static void report_unseeded(int fd, int r)
{
	struct ports p = PORTS_INIT;
	char message[160];
	snprintf(message, sizeof(message), "%s%s", STATUS_UNSEEDED, strerror(-r));
	log_err("%s", message);
	p.status = fd;
	ports_report_error(&p, message);
}

static int say(int fd, const char *line)
{
	size_t len = strlen(line);
	return write(fd, line, len) == (ssize_t)len ? 0 : -errno;
}

int park(void)
{
	static const struct mount_op sys = {"sysfs", "/sys",
					    "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
					    NULL,    MOUNT_FATAL | MOUNT_TOLERATE_BUSY};
	int r = mount_one(&sys); /* to find the port by its name */
	if (r < 0)
		return r;
	int fd = port_open(PORT_STATUS, O_RDWR);
	(void)umount("/sys"); /* init2 mounts its own; busy would only leave it there */
	if (fd < 0)
		return fd;
	timeline_mark(STAGE_PARK);
	struct go go = {0};
	r = say(fd, STATUS_PARKED "\n");
	if (r >= 0)
		r = wait_for_go(fd, &go);
	if (r >= 0 && clock_settime(CLOCK_REALTIME, &go.now) < 0)
		log_err("setting the clock from the host's: %s", strerror(errno));
	if (r >= 0 && (r = reseed(&go)) < 0)
		report_unseeded(fd, r);
	if (r >= 0)
		r = say(fd, STATUS_RESUMED "\n");
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	timeline_mark(STAGE_GO);
	return fd;
}
