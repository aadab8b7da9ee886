/* SPDX-License-Identifier: MIT */
/* Reading sysrq's blocked-task listing (kernel/sched/core.c's sched_show_task). */
#include "hang.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"

#define BLOCKED_HEADER "sysrq: Show Blocked State"

/* Functions a blocked task's trace starts with that say only that it sleeps. */
static const char *const sleep_prefixes[] = {
	"__schedule",	  "schedule",	  "preempt_schedule",
	"__cond_resched", "io_schedule",  "msleep",
	"usleep",	  "do_nanosleep", "hrtimer_nanosleep",
	"__mutex",	  "mutex_",	  "rwsem_",
	"__down",	  "down",	  "wait_for_",
	"__wait",	  "rt_mutex",	  "__rt_mutex",
	"do_wait",	  "kernel_wait",
};

/* The message of a console line: after "[   12.345678] " and a caller id, if any. */
static const char *message(const char *line)
{
	const char *p = line;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (end)
			p = end + 1;
	}
	while (*p == ' ')
		p++;
	return p;
}

static bool sleep_frame(const char *frame)
{
	for (size_t i = 0; i < sizeof(sleep_prefixes) / sizeof(*sleep_prefixes); i++)
		if (strncmp(frame, sleep_prefixes[i], strlen(sleep_prefixes[i])) == 0)
			return true;
	return false;
}

/* A frame line of a trace: " func+0x1c/0x30 [mod]"; "? func..." (unreliable) is not one. */
static bool frame_of(const char *msg, const char **ret)
{
	if (msg[0] == '?' || !strstr(msg, "+0x") || !strchr(msg, '/'))
		return false;
	*ret = msg;
	return true;
}

struct task {
	char name[64];
	long pid;
	char state;
	bool in_trace, done;
};

static int task_line(struct buf *summary, const struct task *t, const char *frame)
{
	return buf_printf(summary, "%s (pid %ld, state %c) in %s\n", t->name, t->pid, t->state,
			  frame);
}

/* One line of the section: a task's header, a frame of its trace, or something else. */
static int section_line(const char *msg, struct task *t, struct buf *summary)
{
	char name[64], state;
	const char *frame;
	if (sscanf(msg, "task:%63s state:%c", name, &state) == 2) {
		const char *pid = strstr(msg, " pid:");
		*t = (struct task){.state = state, .pid = pid ? strtol(pid + 5, NULL, 10) : -1};
		snprintf(t->name, sizeof(t->name), "%s", name);
		return 0;
	}
	if (!t->name[0] || t->done)
		return 0;
	if (strncmp(msg, "Call Trace:", 11) == 0) {
		t->in_trace = true;
		return 0;
	}
	if (t->in_trace && frame_of(msg, &frame) && !sleep_frame(frame)) {
		t->done = true;
		return task_line(summary, t, frame);
	}
	return 0;
}

int hang_explain(const char *console, struct buf *section, struct buf *summary)
{
	const char *start = NULL;
	for (const char *p = console ? strstr(console, BLOCKED_HEADER) : NULL; p;
	     p = strstr(p + 1, BLOCKED_HEADER))
		start = p;
	if (!start)
		return -ENOENT;
	while (start > console && start[-1] != '\n')
		start--;
	struct task t = {0};
	int r = 0;
	for (const char *line = start; r >= 0 && *line;) {
		size_t len = strcspn(line, "\n");
		_cleanup_free_ char *copy = strndup(line, len);
		if (!copy)
			return -ENOMEM;
		copy[strcspn(copy, "\r")] = '\0';
		bool last = strstr(copy, SYSRQ_DONE) != NULL;
		r = buf_printf(section, "%s\n", copy);
		if (r >= 0 && !last)
			r = section_line(message(copy), &t, summary);
		if (last)
			break;
		line += len + (line[len] == '\n');
	}
	return r < 0 ? r : 0;
}
