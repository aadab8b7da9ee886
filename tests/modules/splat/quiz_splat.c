// SPDX-License-Identifier: GPL-2.0
/*
 * quiz's test module for the kernel's own verdict: loaded with do=ACTION, it makes the kernel
 * report what a buggy module would.
 *   warn   WARN_ON_ONCE, then loads (the program goes on and passes)
 *   noise  a WARN with a known message (an allow-list lets it pass)
 *   oops   a NULL pointer dereference (an oops; quiz kernels panic on oops)
 *   hang   sleeps uninterruptibly for an hour (state D: a hang)
 *   spin   spins with interrupts off (a stuck CPU that no task can interrupt)
 *   stay   loads, and does nothing (a module a test leaves loaded)
 */
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/processor.h>
#include <linux/string.h>

static char *action = "warn";
module_param_named(do, action, charp, 0444);
MODULE_PARM_DESC(do, "warn, noise, oops, hang, spin or stay");

static noinline void quiz_splat_warn(void)
{
	WARN_ON_ONCE(1);
}

static noinline void quiz_splat_noise(void)
{
	WARN(1, "quiz_splat: known noise\n");
}

static noinline int quiz_splat_oops(int *volatile p)
{
	return *p;
}

static noinline void quiz_splat_hang(void)
{
	msleep(3600 * 1000);
}

static noinline void quiz_splat_spin(void)
{
	local_irq_disable();
	for (;;)
		cpu_relax();
}

static int __init quiz_splat_init(void)
{
	pr_info("quiz_splat: do=%s\n", action);
	if (!strcmp(action, "warn"))
		quiz_splat_warn();
	else if (!strcmp(action, "noise"))
		quiz_splat_noise();
	else if (!strcmp(action, "oops"))
		return quiz_splat_oops(NULL);
	else if (!strcmp(action, "hang"))
		quiz_splat_hang();
	else if (!strcmp(action, "spin"))
		quiz_splat_spin();
	else if (!strcmp(action, "stay"))
		return 0; /* loaded, and nothing else: what a test leaves for the next one */
	else
		return -EINVAL;
	return 0;
}

static void __exit quiz_splat_exit(void) {}

module_init(quiz_splat_init);
module_exit(quiz_splat_exit);
MODULE_DESCRIPTION("quiz test module: kernel reports on purpose");
MODULE_LICENSE("GPL");
