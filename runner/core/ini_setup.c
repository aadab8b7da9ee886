/* SPDX-License-Identifier: MIT */
/* quiz's settings of Debian's libinih (see ini_setup.h). */
#include "ini_setup.h"

#include <ini.h>

void ini_setup(bool inline_comments, int max_line)
{
	ini_stop_on_first_error = true;
	ini_allow_multiline = false; /* an indented line is a line of its own */
	ini_allow_no_value = false;
	ini_allow_inline_comments = inline_comments;
	ini_allow_bom = true;
	ini_use_stack = true;
	ini_max_line = max_line;
}
