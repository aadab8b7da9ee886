/* SPDX-License-Identifier: MIT */
/* Cleanup attributes and small helpers shared by the runner and the guest init. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		(void)close(*fd); /* nothing useful to do on a failed close of a cleanup */
		errno = saved;
	}
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
/* A macro's value as a string literal. */
#define STRINGIFY(x) STRINGIFY_(x)
#define STRINGIFY_(x) #x

/* Hand a cleanup-owned value to someone else: returns it and resets the variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _took = (p);                                                         \
		(p) = NULL;                                                                        \
		_took;                                                                             \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _took = (fd);                                                                  \
		(fd) = -1;                                                                         \
		_took;                                                                             \
	})

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define STREQ(a, b) (strcmp((a), (b)) == 0)
