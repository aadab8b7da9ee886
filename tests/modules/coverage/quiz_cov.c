// SPDX-License-Identifier: GPL-2.0
/*
 * quiz --coverage's test module: two functions, and which one runs is the parameter's choice
 * (pick=1 the first, pick=2 the second). Each line of their bodies says which it is: the test
 * reads the marks and wants exactly the chosen one's lines counted as run.
 */
#include <linux/init.h>
#include <linux/module.h>

static int pick = 1;
module_param(pick, int, 0444);
static int quiz_cov_value;

static noinline void quiz_cov_first(void)
{
	quiz_cov_value += 3;				 /* first */
	pr_info("quiz_cov: first %d\n", quiz_cov_value); /* first */
}

static noinline void quiz_cov_second(void)
{
	quiz_cov_value += 5;				  /* second */
	pr_info("quiz_cov: second %d\n", quiz_cov_value); /* second */
}

static int __init quiz_cov_init(void)
{
	if (pick == 2)
		quiz_cov_second();
	else
		quiz_cov_first();
	return 0;
}

static void __exit quiz_cov_exit(void) {}

module_init(quiz_cov_init);
module_exit(quiz_cov_exit);
MODULE_DESCRIPTION("quiz --coverage test module");
MODULE_LICENSE("GPL");
