/* SPDX-License-Identifier: MIT */
/* An ELF file's loader needs, read from its bytes with every offset checked against its length. */
#include "elf_needed.h"

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* No real program has more; past them a file is taken as hostile, not read on. */
#define MAX_PHDRS 4096
#define MAX_DYNAMIC 65536
#define MAX_NEEDED 1024

struct elf_view {
	const unsigned char *data;
	size_t len;
	bool is64, big;
};

static uint64_t get(const struct elf_view *v, size_t off, unsigned size)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < size; i++) {
		unsigned shift = v->big ? (size - 1 - i) * 8 : i * 8;
		x |= (uint64_t)v->data[off + i] << shift;
	}
	return x;
}

/* Is [off, off + size) inside the file? Without overflow. */
static bool within(const struct elf_view *v, uint64_t off, uint64_t size)
{
	return off <= v->len && size <= v->len - off;
}

bool elf_is(const void *data, size_t len)
{
	return len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static struct phdr phdr_at(const struct elf_view *v, size_t off)
{
	if (v->is64)
		return (struct phdr){(uint32_t)get(v, off, 4), get(v, off + 8, 8),
				     get(v, off + 16, 8), get(v, off + 32, 8)};
	return (struct phdr){(uint32_t)get(v, off, 4), get(v, off + 4, 4), get(v, off + 8, 4),
			     get(v, off + 16, 4)};
}

/* The file offset of virtual address addr, through the PT_LOAD segments; false if none has it. */
static bool vaddr_offset(const struct elf_view *v, size_t phoff, size_t phentsize, size_t phnum,
			 uint64_t addr, uint64_t *ret)
{
	for (size_t i = 0; i < phnum; i++) {
		struct phdr p = phdr_at(v, phoff + i * phentsize);
		if (p.type != PT_LOAD || addr < p.vaddr || addr - p.vaddr >= p.filesz)
			continue;
		uint64_t off = p.offset + (addr - p.vaddr);
		if (off < p.offset)
			return false; /* wrapped */
		*ret = off;
		return true;
	}
	return false;
}

/* The NUL-terminated string at table[index], the table being [tab, tab + tabsz) of the file. */
static const char *string_at(const struct elf_view *v, uint64_t tab, uint64_t tabsz, uint64_t index)
{
	if (index >= tabsz)
		return NULL;
	const unsigned char *s = v->data + tab + index;
	return memchr(s, '\0', (size_t)(tabsz - index)) ? (const char *)s : NULL;
}

/* A search string "a:b:$ORIGIN/c" as its folders; empty entries skipped. */
static int push_search(struct strv *out, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, ":");
		if (n) {
			char *dir = strndup(s, n);
			int r = strv_push_take(out, dir);
			if (r < 0)
				return r;
		}
		s += n + (s[n] == ':');
	}
	return 0;
}

struct dynamic {
	uint64_t strtab, strsz;
	bool has_strtab, has_strsz;
};

static int read_dynamic(const struct elf_view *v, const struct phdr *dyn, size_t phoff,
			size_t phentsize, size_t phnum, struct elf_needed *e)
{
	size_t entsize = v->is64 ? 16 : 8, n = (size_t)(dyn->filesz / entsize);
	if (!within(v, dyn->offset, dyn->filesz))
		return -EBADMSG;
	if (n > MAX_DYNAMIC)
		return -EBADMSG;
	struct dynamic d = {0};
	bool strings = false;
	/* First the string table (its tag may come after the names that use it). */
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)dyn->offset + i * entsize, half = entsize / 2;
		uint64_t tag = get(v, at, (unsigned)half), val = get(v, at + half, (unsigned)half);
		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB)
			d.strtab = val, d.has_strtab = true;
		else if (tag == DT_STRSZ)
			d.strsz = val, d.has_strsz = true;
		strings |= tag == DT_NEEDED || tag == DT_RUNPATH || tag == DT_RPATH;
	}
	if (!strings)
		return 0; /* a static PIE's dynamic section names nothing */
	uint64_t tab;
	if (!d.has_strtab || !d.has_strsz ||
	    !vaddr_offset(v, phoff, phentsize, phnum, d.strtab, &tab) || !within(v, tab, d.strsz))
		return -EBADMSG;
	struct strv runpath = {0}, rpath = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n; i++) {
		size_t at = (size_t)dyn->offset + i * entsize, half = entsize / 2;
		uint64_t tag = get(v, at, (unsigned)half), val = get(v, at + half, (unsigned)half);
		if (tag == DT_NULL)
			break;
		if (tag != DT_NEEDED && tag != DT_RUNPATH && tag != DT_RPATH)
			continue;
		const char *s = string_at(v, tab, d.strsz, val);
		if (!s)
			r = -EBADMSG;
		else if (tag == DT_NEEDED)
			r = e->needed.len >= MAX_NEEDED ? -EBADMSG : strv_push(&e->needed, s);
		else
			r = push_search(tag == DT_RUNPATH ? &runpath : &rpath, s);
	}
	for (size_t i = 0; r >= 0 && i < runpath.len; i++)
		r = strv_push(&e->search, runpath.items[i]);
	for (size_t i = 0; r >= 0 && i < rpath.len; i++)
		r = strv_push(&e->search, rpath.items[i]);
	strv_free(&runpath);
	strv_free(&rpath);
	return r;
}

int elf_needed_parse(const void *data, size_t len, struct elf_needed *ret)
{
	const unsigned char *b = data;
	if (!elf_is(data, len))
		return -ENOEXEC;
	if (len < EI_NIDENT || (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) ||
	    (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB))
		return -EBADMSG;
	struct elf_view v = {b, len, b[EI_CLASS] == ELFCLASS64, b[EI_DATA] == ELFDATA2MSB};
	size_t ehsize = v.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize)
		return -EBADMSG;
	uint64_t phoff = v.is64 ? get(&v, 32, 8) : get(&v, 28, 4);
	size_t ph_at = v.is64 ? 54 : 42;
	size_t phentsize = (size_t)get(&v, ph_at, 2), phnum = (size_t)get(&v, ph_at + 2, 2);
	size_t want = v.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (phnum && (phentsize < want || phnum > MAX_PHDRS ||
		      !within(&v, phoff, (uint64_t)phentsize * phnum)))
		return -EBADMSG;

	struct elf_needed e = {
		.elf_class = v.is64 ? 64 : 32,
		.big_endian = v.big,
		.machine = (unsigned)get(&v, 18, 2),
	};
	int r = 0;
	const struct phdr *dyn = NULL;
	struct phdr dyn_copy;
	for (size_t i = 0; r >= 0 && i < phnum; i++) {
		struct phdr p = phdr_at(&v, (size_t)phoff + i * phentsize);
		if (p.type == PT_INTERP && !e.interp) {
			if (!p.filesz || !within(&v, p.offset, p.filesz) ||
			    !memchr(b + p.offset, '\0', (size_t)p.filesz))
				r = -EBADMSG;
			else if (!(e.interp = strdup((const char *)b + p.offset)))
				r = -ENOMEM;
		} else if (p.type == PT_DYNAMIC && !dyn) {
			dyn_copy = p;
			dyn = &dyn_copy;
		}
	}
	if (r >= 0 && dyn)
		r = read_dynamic(&v, dyn, (size_t)phoff, phentsize, phnum, &e);
	if (r < 0) {
		elf_needed_free(&e);
		return r;
	}
	*ret = e;
	return 0;
}

void elf_needed_free(struct elf_needed *e)
{
	free(e->interp);
	e->interp = NULL;
	strv_free(&e->needed);
	strv_free(&e->search);
}
