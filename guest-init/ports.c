/* SPDX-License-Identifier: MIT */
/* Finding virtio-serial ports by name (no udev) and sending the status line. */
#include "ports.h"

#include "file.h"
#include "kmsg.h"
#include "layout.h"
#include "status_line.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

/* Ports are announced to the guest asynchronously after the device probes: poll up to this. */
#define PORT_WAIT_MS 5000

/* The port's device (/dev/vportNpM), found by its name in sysfs, into *ret. */
static int port_path(const char *name, char **ret)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	if (!d)
		return -errno;
	int r = -ENOENT;
	struct dirent *de;
	while (r == -ENOENT && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *attr = NULL, *value = NULL;
		if (asprintf(&attr, "/sys/class/virtio-ports/%s/name", de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		if (read_file(attr, &value, NULL) < 0)
			continue;
		value[strcspn(value, "\n")] = '\0';
		if (STREQ(value, name))
			r = asprintf(ret, "/dev/%s", de->d_name) < 0 ? -ENOMEM : 0;
	}
	closedir(d);
	return r;
}

int port_open(const char *name, int flags)
{
	for (int waited = 0;; waited += 10) {
		_cleanup_free_ char *path = NULL;
		int r = port_path(name, &path);
		if (r == 0) {
			int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);
			return fd < 0 ? -errno : fd;
		}
		if (waited >= PORT_WAIT_MS) {
			log_err("virtio port %s: not found", name);
			return r;
		}
		(void)nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
}

int ports_open(struct ports *p)
{
	if (p->status < 0 && (p->status = port_open(PORT_STATUS, O_RDWR)) < 0)
		return p->status;
	if ((p->in = port_open(PORT_STDIN, O_RDONLY)) < 0)
		return p->in;
	if ((p->out = port_open(PORT_STDOUT, O_WRONLY)) < 0)
		return p->out;
	if ((p->err = port_open(PORT_STDERR, O_WRONLY)) < 0)
		return p->err;
	return 0;
}

/* Output the host has not taken yet is lost when QEMU exits: wait for its answer. */
#define ANSWER_WAIT_MS (10 * 60 * 1000)

static bool host_line(const char *line, int tty)
{
	unsigned rows, cols;
	if (!line[0])
		return true; /* the answer */
	if (tty >= 0 && sscanf(line, STATUS_WINSIZE "%u %u", &rows, &cols) == 2) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
				     .ws_col = (unsigned short)cols};
		(void)ioctl(tty, TIOCSWINSZ, &ws); /* a wrong size is cosmetic */
	}
	if (STREQ(line, STATUS_SYSRQ))
		kmsg_show_stuck();
	return false; /* unknown lines are for a newer guest: skipped */
}

int ports_read_host(struct ports *p, int tty)
{
	char chunk[256];
	ssize_t n = read(p->status, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	int answered = 0;
	for (ssize_t i = 0; i < n; i++) {
		if (chunk[i] != '\n') {
			/* A longer line is cut, then skipped as unknown. */
			if (p->host_len < sizeof(p->host_line) - 1)
				p->host_line[p->host_len++] = chunk[i];
			continue;
		}
		p->host_line[p->host_len] = '\0';
		p->host_len = 0;
		if (host_line(p->host_line, tty))
			answered = 1;
	}
	return answered;
}

static void report_line(struct ports *p, struct status_line *status)
{
	if (p->status < 0)
		p->status = port_open(PORT_STATUS, O_RDWR);
	timeline_mark(STAGE_REPORT);
	_cleanup_buf_ struct buf timings = {0}, line = {0};
	status->out = p->sent_out;
	status->err = p->sent_err;
	int r = buf_printf(&timings, STATUS_TIMELINE "%s\n", timeline_text());
	if (r >= 0)
		r = status_line_format(status, &line);
	if (r >= 0 && p->status >= 0)
		(void)!write(p->status, timings.data, timings.len); /* only --timings needs it */
	if (r < 0 || p->status < 0 || write(p->status, line.data, line.len) < 0) {
		log_err("cannot report the status to the host: %s",
			status->error ? status->message : "exit");
		return;
	}
	struct pollfd pfd = {.fd = p->status, .events = POLLIN};
	int answered = 0;
	while (answered == 0 && poll(&pfd, 1, ANSWER_WAIT_MS) > 0)
		answered = ports_read_host(p, -1);
	if (answered != 1)
		log_err("the host did not confirm it has all output");
}

void ports_report(struct ports *p, const struct run_result *result)
{
	struct status_line s = {.error = result->error[0] != '\0',
				.exit_code = result->exit_code,
				.message = result->error};
	report_line(p, &s);
}

void ports_report_error(struct ports *p, const char *message)
{
	struct status_line s = {.error = true, .message = message};
	report_line(p, &s);
}
