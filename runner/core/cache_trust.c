/* SPDX-License-Identifier: MIT */
/* Whether a folder or a file of the cache is the user's own, only theirs to write. Pure. */
#include "cache_trust.h"

#include <errno.h>

#include "qemu_argv.h"

int cache_trust_check(const struct cache_entry *e, unsigned long me, struct buf *why)
{
	int r;
	if (e->folder ? !e->is_folder : !e->is_regular)
		r = buf_printf(why, "%s is not a %s; remove it: rm %s", e->subject,
			       e->folder ? "folder" : "regular file", e->is_folder ? "-r " : "");
	else if (e->owner != me)
		r = buf_printf(why, "%s belongs to uid %lu, not to you (uid %lu); remove it: rm %s",
			       e->subject, e->owner, me, e->folder ? "-r " : "");
	else if (e->mode & 022)
		r = buf_printf(why,
			       "%s is writable by others (mode %04o); make it private: chmod %s ",
			       e->subject, e->mode & 07777, e->folder ? "700" : "600");
	else
		return 0;
	if (r >= 0)
		r = shell_quote(e->path, why);
	return r < 0 ? r : -EPERM;
}
