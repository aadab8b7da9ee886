// SPDX-License-Identifier: GPL-2.0
/* quiz's example out-of-tree module: says hello when loaded and goodbye when removed. */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/utsname.h>

static int __init quiz_hello_init(void)
{
	pr_info("quiz_hello: hello from %s\n", init_utsname()->release);
	return 0;
}

static void __exit quiz_hello_exit(void)
{
	pr_info("quiz_hello: goodbye\n");
}

module_init(quiz_hello_init);
module_exit(quiz_hello_exit);
MODULE_DESCRIPTION("quiz example module");
MODULE_LICENSE("GPL");
