/* SPDX-License-Identifier: MIT */
/* The mains' log sink: each message a line on stderr. */
#pragma once

void log_to_stderr(const char *line);
