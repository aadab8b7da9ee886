// SPDX-License-Identifier: GPL-2.0
/* A module that needs a symbol no kernel exports: loading it must fail, and say why. */
#include <linux/init.h>
#include <linux/module.h>

extern int quiz_no_such_symbol(void);

static int __init quiz_broken_init(void)
{
	return quiz_no_such_symbol();
}

module_init(quiz_broken_init);
MODULE_LICENSE("GPL");
