/* SPDX-License-Identifier: MIT */
/* ELF loader needs: hand-built files of each class and byte order, truncated and hostile ones,
 * and a real program (this test's own binary). */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "elf_needed.h"
#include "file.h"
#include "tap.h"

/* A little ELF file: header, 3 program headers (PT_LOAD of the whole file at vaddr 0x400000,
 * PT_INTERP, PT_DYNAMIC), the interpreter, the dynamic section, the string table last. */
struct spec {
	bool is64, big;
	unsigned machine;
	uint64_t strtab_vaddr_delta; /* added to DT_STRTAB: a table outside the file */
	uint64_t needed_index_add;   /* added to the first DT_NEEDED: a name past the table */
	bool no_nul;		     /* the table's last string without its NUL */
	unsigned phnum;		     /* 0: 3 */
	unsigned phentsize;	     /* 0: the right one */
	bool no_interp;
};

#define BASE 0x400000

static void put(unsigned char *b, size_t off, uint64_t v, unsigned size, bool big)
{
	for (unsigned i = 0; i < size; i++)
		b[off + i] = (unsigned char)(v >> ((big ? size - 1 - i : i) * 8));
}

static size_t build(const struct spec *s, unsigned char *b, size_t cap)
{
	static const char interp[] = "/lib/ld-test.so.1";
	static const char strtab[] = "\0libfoo.so.1\0libbar.so.2\0$ORIGIN/../lib:/opt/x\0/rp";
	size_t strtab_len = sizeof(strtab) - (s->no_nul ? 1 : 0);
	unsigned w = s->is64 ? 8 : 4, ehsize = s->is64 ? 64 : 52, phsize = s->is64 ? 56 : 32;
	unsigned phnum = 3, dynent = 2 * w;
	size_t ph = ehsize, interp_at = ph + phnum * phsize, dyn_at = interp_at + sizeof(interp);
	struct {
		uint64_t tag, val;
	} dyn[] = {
		{DT_NEEDED, 1 + s->needed_index_add},
		{DT_NEEDED, 13},
		{DT_RUNPATH, 25},
		{DT_RPATH, 47},
		{DT_STRTAB, 0}, /* below */
		{DT_STRSZ, strtab_len},
		{DT_NULL, 0},
	};
	size_t ndyn = ELEMENTSOF(dyn), str_at = dyn_at + ndyn * dynent, total = str_at + strtab_len;
	dyn[4].val = BASE + str_at + s->strtab_vaddr_delta;
	if (total > cap)
		return 0;
	memset(b, 0, total);
	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = s->is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = s->big ? ELFDATA2MSB : ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	bool big = s->big;
	put(b, 16, ET_DYN, 2, big);
	put(b, 18, s->machine, 2, big);
	put(b, s->is64 ? 32 : 28, ph, w, big); /* e_phoff */
	put(b, s->is64 ? 54 : 42, s->phentsize ? s->phentsize : phsize, 2, big);
	put(b, s->is64 ? 56 : 44, s->phnum ? s->phnum : phnum, 2, big);
	struct {
		uint32_t type;
		uint64_t off, vaddr, size;
	} phs[] = {
		{PT_LOAD, 0, BASE, total},
		{s->no_interp ? PT_NOTE : PT_INTERP, interp_at, BASE + interp_at, sizeof(interp)},
		{PT_DYNAMIC, dyn_at, BASE + dyn_at, ndyn * dynent},
	};
	for (unsigned i = 0; i < phnum; i++) {
		size_t at = ph + i * phsize;
		put(b, at, phs[i].type, 4, big);
		if (s->is64) {
			put(b, at + 8, phs[i].off, 8, big);
			put(b, at + 16, phs[i].vaddr, 8, big);
			put(b, at + 32, phs[i].size, 8, big);
			put(b, at + 40, phs[i].size, 8, big);
		} else {
			put(b, at + 4, phs[i].off, 4, big);
			put(b, at + 8, phs[i].vaddr, 4, big);
			put(b, at + 16, phs[i].size, 4, big);
			put(b, at + 20, phs[i].size, 4, big);
		}
	}
	memcpy(b + interp_at, interp, sizeof(interp));
	for (size_t i = 0; i < ndyn; i++) {
		put(b, dyn_at + i * dynent, dyn[i].tag, w, big);
		put(b, dyn_at + i * dynent + w, dyn[i].val, w, big);
	}
	memcpy(b + str_at, strtab, strtab_len);
	return total;
}

static void check_good(const char *what, struct spec s)
{
	unsigned char b[1024];
	size_t len = build(&s, b, sizeof(b));
	struct elf_needed e = {0};
	int r = elf_needed_parse(b, len, &e);
	CHECK(r == 0, "%s: parsed (%d)", what, r);
	CHECK(e.elf_class == (s.is64 ? 64u : 32u) && e.big_endian == s.big &&
		      e.machine == s.machine,
	      "%s: its class, byte order and machine", what);
	if (s.no_interp)
		CHECK(!e.interp, "%s: no interpreter", what);
	else
		CHECK_STR(e.interp, "/lib/ld-test.so.1", "%s: its interpreter", what);
	_cleanup_free_ char *needed = join(&e.needed), *search = join(&e.search);
	CHECK_STR(needed, "libfoo.so.1|libbar.so.2", "%s: its DT_NEEDED, in order", what);
	CHECK_STR(search, "$ORIGIN/../lib|/opt/x|/rp", "%s: RUNPATH's folders, then RPATH's", what);
	elf_needed_free(&e);

	/* Cut anywhere, it is refused and never read past its end (ASan watches). */
	bool all_refused = true;
	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);
		memcpy(copy, b, cut);
		struct elf_needed t = {0};
		int k = elf_needed_parse(copy, cut, &t);
		if (k != -EBADMSG && k != -ENOEXEC) {
			all_refused = false;
			printf("#   cut at %zu: %d\n", cut, k);
		}
		elf_needed_free(&t);
		free(copy);
	}
	CHECK(all_refused, "%s: every truncation is refused", what);
}

static void check_bad(const char *what, struct spec s)
{
	unsigned char b[1024];
	size_t len = build(&s, b, sizeof(b));
	struct elf_needed e = {0};
	int r = elf_needed_parse(b, len, &e);
	CHECK(r == -EBADMSG, "%s: refused as broken (%d)", what, r);
	CHECK(!e.interp && !e.needed.len, "%s: nothing filled", what);
}

int main(void)
{
	check_good("64-bit little-endian", (struct spec){.is64 = true, .machine = EM_X86_64});
	check_good("64-bit big-endian",
		   (struct spec){.is64 = true, .big = true, .machine = EM_S390});
	check_good("32-bit little-endian", (struct spec){.machine = EM_386});
	check_good("32-bit big-endian", (struct spec){.big = true, .machine = EM_PPC});
	check_good("a library (no PT_INTERP)",
		   (struct spec){.is64 = true, .machine = EM_AARCH64, .no_interp = true});

	check_bad("a string table outside the file",
		  (struct spec){.is64 = true, .machine = EM_X86_64, .strtab_vaddr_delta = 1 << 20});
	check_bad("a string table at an address no segment has",
		  (struct spec){.is64 = true,
				.machine = EM_X86_64,
				.strtab_vaddr_delta = (uint64_t)-BASE - 4096});
	check_bad("a name past the string table",
		  (struct spec){.is64 = true, .machine = EM_X86_64, .needed_index_add = 1000});
	check_bad("a name at a huge index",
		  (struct spec){.machine = EM_386, .needed_index_add = 0xfffffff0});
	check_bad("a string table whose last string has no NUL",
		  (struct spec){.is64 = true, .machine = EM_X86_64, .no_nul = true});
	check_bad("program headers past the file",
		  (struct spec){.is64 = true, .machine = EM_X86_64, .phnum = 60000});
	check_bad("program headers smaller than ELF's",
		  (struct spec){.is64 = true, .machine = EM_X86_64, .phentsize = 8});

	struct elf_needed e = {0};
	CHECK(elf_needed_parse("#!/bin/sh\n", 10, &e) == -ENOEXEC, "a script is not ELF");
	CHECK(elf_needed_parse("", 0, &e) == -ENOEXEC, "nor an empty file");
	CHECK(!elf_is("\177EL", 3) && elf_is("\177ELF", 4), "elf_is: the magic, whole");
	unsigned char bad_class[64] = {0x7f, 'E', 'L', 'F', 7, ELFDATA2LSB};
	CHECK(elf_needed_parse(bad_class, sizeof(bad_class), &e) == -EBADMSG,
	      "an unknown class is refused");

	/* A real program: this test, linked by the host's toolchain. */
	_cleanup_free_ char *self = NULL;
	size_t len = 0;
	int r = read_file("/proc/self/exe", &self, &len);
	CHECK(r == 0, "this test's binary read");
	r = r == 0 ? elf_needed_parse(self, len, &e) : r;
	CHECK(r == 0, "a compiled program parses (%d)", r);
	bool libc = false;
	for (size_t i = 0; i < e.needed.len; i++)
		libc |= STREQ(e.needed.items[i], "libc.so.6");
	CHECK(libc, "it needs libc.so.6");
	CHECK(e.interp && e.interp[0] == '/', "it has an interpreter: %s",
	      e.interp ? e.interp : "-");
	CHECK(arch_host() && e.machine == arch_host()->elf_machine,
	      "its machine is the host's architecture's elf_machine");
	elf_needed_free(&e);
	return tap_done();
}
