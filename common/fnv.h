/* SPDX-License-Identifier: MIT */
/* FNV-1a, 64 bits: the cache keys' hash (not for anything an attacker chooses). */
#pragma once

#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ULL

/* h, with s and a separator after it, so that "ab","c" and "a","bc" differ. */
static inline uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h ^ 0xff;
}
