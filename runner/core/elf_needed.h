/* SPDX-License-Identifier: MIT */
/* What an ELF file asks of the loader: its class, machine, interpreter, DT_NEEDED and search paths.
 */
/* Host half: host/libcheck_host.c (it maps the files and asks dpkg-query). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct elf_needed {
	unsigned elf_class; /* 32 or 64 */
	bool big_endian;
	unsigned machine;   /* e_machine: EM_X86_64 (62), EM_AARCH64 (183), EM_S390 (22) */
	char *interp;	    /* PT_INTERP, or NULL (a static program, a library) */
	struct strv needed; /* DT_NEEDED names, in order */
	/* DT_RUNPATH's folders, then DT_RPATH's, each split at ':' ($ORIGIN left as it is). */
	struct strv search;
};

/* Do the bytes start as an ELF file (the magic)? */
bool elf_is(const void *data, size_t len);

/*
 * Read an ELF file held whole in data (len bytes): -ENOEXEC when it is not ELF, -EBADMSG when
 * it is but a header, table or string lies outside the file or is malformed (a truncated or
 * hostile file is refused, never read past its end), -ENOMEM. *ret is filled on success only;
 * the caller frees it with elf_needed_free. A file without PT_DYNAMIC has no needed names. Pure.
 */
int elf_needed_parse(const void *data, size_t len, struct elf_needed *ret);
void elf_needed_free(struct elf_needed *e);
