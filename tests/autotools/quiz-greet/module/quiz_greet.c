// SPDX-License-Identifier: GPL-2.0
/* The example project's module: holds a greeting for its program to read. */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *greeting = "hello from the quiz_greet module";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "what quiz-greet prints");

static int __init quiz_greet_init(void)
{
	pr_info("quiz_greet: loaded\n");
	return 0;
}

static void __exit quiz_greet_exit(void) {}

module_init(quiz_greet_init);
module_exit(quiz_greet_exit);
MODULE_DESCRIPTION("quiz example: a module of an autotools project");
MODULE_LICENSE("GPL");
