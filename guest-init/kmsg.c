/* SPDX-License-Identifier: MIT */
/* Reading /dev/kmsg records from a point on, for --dmesg. */
#include "kmsg.h"

#include "contract.h"
#include "guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

int kmsg_capture_start(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	(void)lseek(fd, 0, SEEK_END); /* only what comes from now on */
	return fd;
}

void kmsg_capture_finish(int capture_fd, struct buf *out)
{
	if (capture_fd < 0)
		return;
	char record[8192], line[8300];
	(void)buf_puts(out, "quiz: kernel log of the run:\n"); /* ENOMEM: a shorter log */
	for (;;) {
		/* One record per read: "PRIO,SEQ,USEC,FLAGS;text\n" plus continuation lines. */
		ssize_t n = read(capture_fd, record, sizeof(record) - 1);
		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten: go on with the next one */
		if (n <= 0)
			break;
		record[n] = '\0';
		unsigned long long usec = 0;
		char *text = strchr(record, ';');
		if (!text || sscanf(record, "%*u,%*u,%llu", &usec) != 1)
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		int len = snprintf(line, sizeof(line), "[%5llu.%06llu] %s\n", usec / 1000000,
				   usec % 1000000, text);
		if (len > 0 && buf_append(out, line, (size_t)len) < 0)
			break;
	}
	(void)close(capture_fd);
}

/* klogctl's actions (syslog(2)). */
#define KLOG_CONSOLE_LEVEL 8
/* loglevel= on quiz's kernel command line (runner/core/qemu_argv.c); 7 also shows the tasks'
 * KERN_INFO stacks. */
#define CONSOLE_LEVEL_RUN 5
#define CONSOLE_LEVEL_ALL 7

static void sysrq(char key)
{
	_cleanup_close_ int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, &key, 1) != 1)
		log_err("sysrq %c: %s", key, strerror(errno));
}

void kmsg_show_stuck(void)
{
	(void)klogctl(KLOG_CONSOLE_LEVEL, NULL, CONSOLE_LEVEL_ALL); /* fails: titles only */
	sysrq('w');
	sysrq('l');
	(void)klogctl(KLOG_CONSOLE_LEVEL, NULL, CONSOLE_LEVEL_RUN);
	/* The host waits for this line on the console (an error's level: it gets there). */
	_cleanup_close_ int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0)
		(void)!write(fd, "<3>" SYSRQ_DONE "\n", strlen("<3>" SYSRQ_DONE "\n"));
}
