/* SPDX-License-Identifier: MIT */
/* Which host folders the guest can show at their own path without covering its own system. */
#include "guest_layout.h"

#include <string.h>

#include "macro.h"

/* path is dir, or inside it. */
static bool at_or_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool cwd_shareable(const char *cwd)
{
	/* Folders the guest's own programs live in: a folder at or above one would hide it. */
	static const char *const needed[] = {"/usr/bin", "/usr/sbin", "/usr/lib", "/etc"};
	/* Kernel and guest-init filesystems: nothing of the host belongs in them. */
	static const char *const owned[] = {"/dev", "/proc", "/sys", "/run", "/quiz"};
	if (cwd[0] != '/' || STREQ(cwd, "/"))
		return false;
	for (size_t i = 0; i < ELEMENTSOF(needed); i++)
		if (at_or_under(needed[i], cwd))
			return false;
	for (size_t i = 0; i < ELEMENTSOF(owned); i++)
		if (at_or_under(cwd, owned[i]))
			return false;
	return true;
}
