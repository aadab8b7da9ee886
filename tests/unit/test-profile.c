/* SPDX-License-Identifier: MIT */
/* Profiles: profile.ini parsing, -p/-o requests and the merge (order, conflicts, substitution). */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "tap.h"

#define EXAMPLE_HINT "; write e.g. -p blockdev:count=4,memdev"

/* ---- helpers ---- */

static char *join_options(const struct profile_option *o, size_t n)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s=%s", i ? "|" : "", o[i].name, o[i].value);
	return b.data;
}

static char *join_set(const struct profile_set *s)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < s->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", s->items[i].profile->name);
	return b.data;
}

static char *join_requests(const struct profile_requests *r)
{
	struct buf b = {0};
	buf_puts(&b, "");
	for (size_t i = 0; i < r->n; i++) {
		buf_printf(&b, "%s%s", i ? " " : "", r->items[i].name);
		for (size_t j = 0; j < r->items[i].settings.len; j++)
			buf_printf(&b, "%c%s", j ? ',' : ':', r->items[i].settings.items[j]);
	}
	return b.data;
}

/* ---- the in-memory profile table and its lookup ---- */

static const char *const full_example = "# a comment line\n"
					"[profile]\n"
					"description = Scratch virtio-blk disks, /dev/quizb0...\n"
					"requires = memdev, other:opt=value      ; needs\n"
					"kconfig = CONFIG_VIRTIO_BLK CONFIG_EXT4_FS=y   ; symbols\n"
					"kconfig = CONFIG_BLK_DEV_LOOP=m,CONFIG_EXT4_FS\n"
					"[options]\n"
					"count = 2          ; default\n"
					"size = 100M\n"
					"[qemu]\n"
					"arg = -device      ; one per line\n"
					"arg = virtio-rng-device\n"
					"arg = -drive\n"
					"arg = file=d${count}.img,size=${size},x=$$HOME\n"
					"[kernel]\n"
					"word = nokaslr     ; words\n"
					"word = quiz.disks=${count}\n";

static const struct {
	const char *name, *ini;
} table[] = {
	{"blockdev", "[options]\ncount = 2\nsize = 100M\n"
		     "[qemu]\narg = -drive\narg = n=${count},s=${size},lit=$$${count}$$\n"
		     "[kernel]\nword = disks=${count}\n"},
	{"memdev", "[options]\nsize = 1G\n[qemu]\narg = -m\narg = ${size}\n"},
	{"base", "[kernel]\nword = base\n"},
	{"left", "[profile]\nrequires = base\n"},
	{"right", "[profile]\nrequires = base\n"},
	{"top", "[profile]\nrequires = left, right\n"},
	{"solo", ""},
	{"deep", "[profile]\nrequires = top\n"},
	{"raid", "[profile]\nrequires = blockdev:count=4 memdev\n"},
	{"raid4", "[profile]\nrequires = blockdev:count=4,size=100M\n"},
	{"mirror", "[profile]\nrequires = blockdev:count=2\n"},
	{"badopt", "[profile]\nrequires = memdev:nope=1\n"},
	{"cyc1", "[profile]\nrequires = cyc2\n"},
	{"cyc2", "[profile]\nrequires = cyc3\n"},
	{"cyc3", "[profile]\nrequires = solo, cyc1\n"},
	{"intocycle", "[profile]\nrequires = base, cyc2\n"},
	{"self", "[profile]\nrequires = self\n"},
	{"badsub", "[options]\na = 1\nb = 2\n[qemu]\narg = x=${nope}\n"},
	{"stray", "[options]\na = 1\n[kernel]\nword = price=$5\n"},
	{"unterminated", "[options]\na = 1\n[qemu]\narg = ${a\n"},
	{"nosubst", "[options]\na = 1\n[kernel]\nword = ok=${a}\n[qemu]\narg = ${b}\n"},
	{"needsmissing", "[profile]\nrequires = nosuch\n"},
};

static struct profile parsed[ELEMENTSOF(table)];
static bool parsed_ok[ELEMENTSOF(table)];
static unsigned lookups;
static bool bad_userdata;

static int lookup(const char *name, void *userdata, const struct profile **ret, char **ret_error)
{
	lookups++;
	if (userdata != &lookups)
		bad_userdata = true;
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		if (!STREQ(table[i].name, name))
			continue;
		if (!parsed_ok[i]) {
			char *err = NULL;
			int r = profile_parse(name, table[i].ini, &parsed[i], &err);
			if (r < 0) {
				printf("# table profile %s does not parse: %s\n", name, err);
				*ret_error = err;
				return r;
			}
			parsed_ok[i] = true;
		}
		*ret = &parsed[i];
		return 0;
	}
	if (asprintf(ret_error, "profile %s: not found in /p1, /p2; check the name", name) < 0)
		*ret_error = NULL;
	return -ENOENT;
}

/* Resolves "-p" arguments (a NULL-terminated list) and returns the order, or "ERROR: msg". */
static char *resolve_p(struct profile_set *out, const char *const *args)
{
	struct profile_requests req = {0};
	struct profile_set set = {0};
	char *err = NULL, *s = NULL;

	for (; *args; args++) {
		int r = (*args)[0] == '-' && (*args)[1] == 'o'
				? profile_requests_add_option(&req, *args + 2, &err)
				: profile_requests_add(&req, *args, &err);
		if (r < 0) {
			if (asprintf(&s, "REQUEST ERROR: %s", err) < 0)
				s = NULL;
			free(err);
			profile_requests_free(&req);
			return s;
		}
	}
	int r = profiles_resolve(&req, lookup, &lookups, &set, &err);
	profile_requests_free(&req);
	if (r < 0) {
		if (asprintf(&s, "ERROR(%d): %s", r, err ? err : "(no message)") < 0)
			s = NULL;
		free(err);
		return s;
	}
	s = join_set(&set);
	if (out)
		*out = set;
	else
		profile_set_free(&set);
	return s;
}

#define RESOLVE(out, ...) resolve_p(out, (const char *const[]){__VA_ARGS__, NULL})

/* ---- parsing ---- */

static void test_parse_full(void)
{
	struct profile p = {0};
	char *err = NULL, *s;

	CHECK(profile_parse("blockdev", full_example, &p, &err) == 0, "full example parses (%s)",
	      err ? err : "");
	CHECK_STR(p.name, "blockdev", "name");
	CHECK(!p.dir && !p.source, "parse leaves dir and source unset");
	CHECK_STR(p.description, "Scratch virtio-blk disks, /dev/quizb0...", "description");
	CHECK_STR(s = join(&p.requires), "memdev|other:opt=value", "requires: two raw requests");
	free(s);
	CHECK_STR(s = join_options(p.options, p.n_options), "count=2|size=100M",
		  "options with defaults, in file order, inline comments stripped");
	free(s);
	CHECK_STR(s = join(&p.kconfig),
		  "CONFIG_VIRTIO_BLK=y|CONFIG_EXT4_FS=y|CONFIG_BLK_DEV_LOOP=m",
		  "kconfig normalized to =y, =m kept, repeated identical symbol once");
	free(s);
	CHECK_STR(s = join(&p.qemu_args),
		  "-device|virtio-rng-device|-drive|file=d${count}.img,size=${size},x=$$HOME",
		  "qemu args in order, unsubstituted");
	free(s);
	CHECK_STR(s = join(&p.kernel_words), "nokaslr|quiz.disks=${count}", "kernel words");
	free(s);
	CHECK(!p.host_hook && !p.guest_hook && !p.files, "parse sets no optional parts");
	profile_free(&p);
	CHECK(!p.name && !p.options && !p.qemu_args.items, "profile_free clears");

	CHECK(profile_parse("empty", "", &p, &err) == 0, "an empty profile.ini is fine");
	CHECK(!p.description && p.n_options == 0 && p.qemu_args.len == 0 && p.requires.len == 0,
	      "empty profile has nothing");
	CHECK(!p.saved_state, "a profile's QEMU arguments keep runs cold unless it says otherwise");
	profile_free(&p);
	CHECK(profile_parse("n", "[profile]\nsaved-state = yes\n", &p, &err) == 0 && p.saved_state,
	      "saved-state = yes");
	profile_free(&p);
	CHECK(profile_parse("n", "[profile]\nsaved-state = no\n", &p, &err) == 0 && !p.saved_state,
	      "saved-state = no");
	profile_free(&p);

	/* requires: merged per line, whitespace or commas, canonical raw form */
	CHECK(profile_parse("x", "[profile]\nrequires = a:k=1 b a:j=2,k2=3\nrequires=c\n", &p,
			    &err) == 0,
	      "requires with mixed separators parses");
	CHECK_STR(s = join(&p.requires), "a:k=1,j=2,k2=3|b|c", "requires canonical form");
	free(s);
	profile_free(&p);

	/* an indented line is not a continuation (multi-line values are off) */
	CHECK(profile_parse("x", "[qemu]\narg = a\n  arg = b\n\targ = c d\n", &p, &err) == 0,
	      "indented keys parse");
	CHECK_STR(s = join(&p.qemu_args), "a|b|c d", "indented lines are their own args");
	free(s);
	profile_free(&p);

	/* lines longer than inih's default 200 bytes */
	char long_ini[1200] = "[profile]\ndescription = ";
	size_t at = strlen(long_ini);
	memset(long_ini + at, 'd', 1000);
	strcpy(long_ini + at + 1000, "\n[kernel]\nword = w\n");
	CHECK(profile_parse("x", long_ini, &p, &err) == 0, "a 1000-byte line parses");
	CHECK(p.description && strlen(p.description) == 1000, "long description kept whole");
	CHECK_STR(s = join(&p.kernel_words), "w", "the line after a long line still parses");
	free(s);
	profile_free(&p);
}

static void check_parse_error(const char *name, const char *ini, const char *want, const char *what)
{
	struct profile p = {.name = (char *)"sentinel"};
	char *err = NULL;
	int r = profile_parse(name, ini, &p, &err);
	CHECK(r == -EINVAL, "%s: -EINVAL (got %d)", what, r);
	CHECK_STR(err, want, "%s: message", what);
	CHECK(STREQ(p.name, "sentinel") && !p.options, "%s: ret untouched", what);
	free(err);
}

static void test_parse_errors(void)
{
	check_parse_error("blockdev",
			  "[profile]\ndescription = x\n\n[qemu]\narg = a\n; comment\nfoo = 1\n",
			  "profile blockdev: profile.ini line 7: unknown key 'foo' in [qemu]; it "
			  "takes only arg (one QEMU argument per line)",
			  "unknown key in [qemu]");
	check_parse_error("p", "[profile]\nrequire = a\n",
			  "profile p: profile.ini line 2: unknown key 'require' in [profile]; it "
			  "takes description, requires, kconfig, splat-allow and saved-state",
			  "unknown key in [profile]");
	check_parse_error("p", "[profile]\nsaved-state = maybe\n",
			  "profile p: profile.ini line 2: saved-state = maybe: expected yes or no",
			  "saved-state takes yes or no");
	check_parse_error(
		"p", "[kernel]\nwords = a\n",
		"profile p: profile.ini line 2: unknown key 'words' in [kernel]; it takes "
		"only word (one kernel command-line word per line)",
		"unknown key in [kernel]");
	check_parse_error("p", "[profile]\ndescription = x\n[Qemu]\narg = a\n",
			  "profile p: profile.ini line 4: unknown section [Qemu]; sections are "
			  "[profile], [options], [qemu] and [kernel]",
			  "unknown section (case matters), reported at its first key");
	check_parse_error(
		"p", "a = 1\n",
		"profile p: profile.ini line 1: 'a' comes before any section; put it under "
		"[profile], [options], [qemu] or [kernel]",
		"key outside any section");
	check_parse_error("p", "[profile]\n\njunk\nfoo = 1\n",
			  "profile p: profile.ini line 3: not a 'KEY = VALUE' line or a [section] "
			  "header",
			  "syntax error line");
	check_parse_error("p", "[profile]\nfoo = 1\njunk\n",
			  "profile p: profile.ini line 2: unknown key 'foo' in [profile]; it takes "
			  "description, requires, kconfig, splat-allow and saved-state",
			  "the first error wins over a later syntax error");
	check_parse_error("p", "[profile\n",
			  "profile p: profile.ini line 1: not a 'KEY = VALUE' line or a [section] "
			  "header",
			  "unclosed section header");
	check_parse_error("p", "[qemu]\n= x\n",
			  "profile p: profile.ini line 2: no key before '='; write KEY = VALUE",
			  "empty key");
	check_parse_error("p", "[profile]\ndescription = a\ndescription = b\n",
			  "profile p: profile.ini line 3: description is given twice; keep one",
			  "description twice");
	check_parse_error("p", "[options]\nn = 1\n[qemu]\narg=x\n[options]\nn = 2\n",
			  "profile p: profile.ini line 6: option 'n' is declared twice; keep one",
			  "option declared twice");
	check_parse_error("p", "[options]\nn.x = 1\n",
			  "profile p: profile.ini line 2: option name 'n.x' is not valid (letters, "
			  "digits, '-' and '_')",
			  "bad option name");
	check_parse_error("p", "[qemu]\narg =\n",
			  "profile p: profile.ini line 2: arg is empty; give one QEMU argument or "
			  "drop the line",
			  "empty arg");
	check_parse_error(
		"p", "[kernel]\nword = a b\n",
		"profile p: profile.ini line 2: word 'a b' is not one word; put each kernel "
		"command-line word on its own 'word =' line",
		"kernel word with a space");
	check_parse_error(
		"p", "[profile]\nkconfig = CONFIG_A VIRTIO\n",
		"profile p: profile.ini line 2: kconfig 'VIRTIO' is not a CONFIG_ symbol; "
		"write e.g. CONFIG_VIRTIO_BLK or CONFIG_VIRTIO_BLK=m",
		"kconfig without CONFIG_");
	check_parse_error("p", "[profile]\nkconfig = CONFIG_A=\n",
			  "profile p: profile.ini line 2: kconfig 'CONFIG_A=' has no value after "
			  "'='; write CONFIG_A=y, =m or leave out '='",
			  "kconfig with empty value");
	check_parse_error("p", "[profile]\nkconfig = CONFIG_A\nkconfig = CONFIG_A=m\n",
			  "profile p: profile.ini line 3: kconfig CONFIG_A is given as CONFIG_A=y "
			  "and as CONFIG_A=m; keep one",
			  "kconfig contradiction");
	check_parse_error("p", "[profile]\n\nrequires = a:b\n",
			  "profile p: profile.ini line 3: requires: 'b' after 'a:' is not "
			  "KEY=VALUE; write e.g. requires = memdev, blockdev:count=2",
			  "requires syntax error");
	check_parse_error(
		"a.b", "",
		"profile 'a.b': not a valid profile name; a profile's folder name may use "
		"only letters, digits, '-' and '_'",
		"invalid profile name");

	char *huge = malloc(PROFILE_INI_MAX_LINE + 64);
	strcpy(huge, "[profile]\n\ndescription = ");
	size_t at = strlen(huge);
	memset(huge + at, 'x', PROFILE_INI_MAX_LINE);
	huge[at + PROFILE_INI_MAX_LINE] = '\0';
	char want[200];
	snprintf(want, sizeof(want),
		 "profile p: profile.ini line 3: longer than %d characters; shorten it",
		 PROFILE_INI_MAX_LINE - 3);
	check_parse_error("p", huge, want, "overlong line");
	free(huge);
}

/* ---- profile_load ---- */

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void test_load(void)
{
	char dir[] = "/tmp/test-profile.XXXXXX", path[200], want[600];
	struct profile p = {0};
	char *err = NULL;

	if (!mkdtemp(dir)) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/profile.ini", dir);

	CHECK(profile_load(dir, "t", "user", &p, &err) == -ENOENT, "missing profile.ini: -ENOENT");
	snprintf(want, sizeof(want),
		 "profile t: %s does not exist; every profile folder needs one (it may be empty)",
		 path);
	CHECK_STR(err, want, "missing profile.ini message");
	free(err);
	err = NULL;

	write_file(dir, "profile.ini", "[profile]\ndescription = t\n", 0644);
	CHECK(profile_load(dir, "t", "user", &p, &err) == 0, "load without optional parts");
	CHECK_STR(p.dir, dir, "dir kept");
	CHECK_STR(p.source, "user", "source kept");
	CHECK_STR(p.description, "t", "profile.ini parsed");
	CHECK(!p.host_hook && !p.guest_hook && !p.files, "no optional parts");
	profile_free(&p);

	write_file(dir, "host-hook", "#!/bin/sh\n", 0755);
	write_file(dir, "guest-hook", "#!/bin/sh\n", 0700);
	snprintf(path, sizeof(path), "%s/files", dir);
	mkdir(path, 0755);
	CHECK(profile_load(dir, "t", "project", &p, &err) == 0, "load with all parts");
	CHECK(p.host_hook && p.guest_hook && p.files, "all optional parts seen");
	profile_free(&p);

	snprintf(path, sizeof(path), "%s/guest-hook", dir);
	chmod(path, 0644);
	CHECK(profile_load(dir, "t", "user", &p, &err) == -EACCES, "non-executable guest-hook");
	snprintf(want, sizeof(want), "profile t: %s is not executable; run chmod +x %s", path,
		 path);
	CHECK_STR(err, want, "non-executable hook message");
	free(err);
	err = NULL;
	unlink(path);

	snprintf(path, sizeof(path), "%s/host-hook", dir);
	chmod(path, 0600);
	CHECK(profile_load(dir, "t", "user", &p, &err) == -EACCES, "non-executable host-hook");
	free(err);
	err = NULL;
	unlink(path);

	snprintf(path, sizeof(path), "%s/files", dir);
	rmdir(path);
	write_file(dir, "files", "x", 0644);
	CHECK(profile_load(dir, "t", "user", &p, &err) == -ENOTDIR, "files/ that is a file");
	snprintf(want, sizeof(want),
		 "profile t: %s is not a folder; files/ must be a folder of files for the guest",
		 path);
	CHECK_STR(err, want, "files/ message");
	free(err);
	err = NULL;
	unlink(path);

	write_file(dir, "profile.ini", "[profile]\nbogus = 1\n", 0644);
	CHECK(profile_load(dir, "t", "user", &p, &err) == -EINVAL, "bad profile.ini");
	snprintf(want, sizeof(want),
		 "profile t: %s/profile.ini line 2: unknown key 'bogus' in [profile]; it takes "
		 "description, requires, kconfig, splat-allow and saved-state",
		 dir);
	CHECK_STR(err, want, "load names the file by path and line");
	free(err);
	err = NULL;

	snprintf(path, sizeof(path), "%s/profile.ini", dir);
	unlink(path);
	rmdir(dir);
}

/* ---- requests ---- */

static void check_request_error(bool is_o, const char *arg, const char *want)
{
	struct profile_requests r = {0};
	char *err = NULL, *s;

	profile_requests_add(&r, "keep:k=1", &err);
	int ret = is_o ? profile_requests_add_option(&r, arg, &err)
		       : profile_requests_add(&r, arg, &err);
	CHECK(ret == -EINVAL, "%s '%s' is refused (%d)", is_o ? "-o" : "-p", arg, ret);
	CHECK_STR(err, want, "%s '%s' message", is_o ? "-o" : "-p", arg);
	CHECK_STR(s = join_requests(&r), "keep:k=1", "%s '%s' leaves the requests alone",
		  is_o ? "-o" : "-p", arg);
	free(s);
	free(err);
	profile_requests_free(&r);
}

static void test_requests(void)
{
	struct profile_requests r = {0};
	char *err = NULL, *s = NULL;

	CHECK(profile_requests_add(&r, "blockdev:count=4,size=1G,memdev", &err) == 0,
	      "-p blockdev:count=4,size=1G,memdev");
	CHECK(r.n == 2, "two requests (%zu)", r.n);
	CHECK_STR(r.n > 0 ? r.items[0].name : NULL, "blockdev", "first is blockdev");
	CHECK_STR(r.n > 0 ? (s = join(&r.items[0].settings)) : NULL, "count=4|size=1G",
		  "blockdev gets count and size");
	free(s);
	CHECK_STR(r.n > 1 ? r.items[1].name : NULL, "memdev", "second is memdev");
	CHECK(r.n > 1 && r.items[1].settings.len == 0, "memdev has no settings");

	CHECK(profile_requests_add_option(&r, "memdev.size=2G", &err) == 0, "-o memdev.size=2G");
	CHECK(profile_requests_add_option(&r, "net.hostfwd=tcp::2222-:22,x=a b", &err) == 0,
	      "-o with ':', '=' and spaces in the value");
	CHECK(profile_requests_add(&r, "other,blockdev:count=5", &err) == 0,
	      "-p naming a profile again");
	CHECK(profile_requests_add_option(&r, "blockdev.empty=", &err) == 0, "-o with empty value");
	CHECK_STR(s = join_requests(&r),
		  "blockdev:count=4,size=1G,count=5,empty= memdev:size=2G "
		  "net:hostfwd=tcp::2222-:22,x=a b other",
		  "requests merge per name, first-mention order, settings in order");
	free(s);
	profile_requests_free(&r);
	CHECK(r.n == 0 && !r.items, "requests_free clears");

	CHECK(profile_requests_add(&r, "a:x=1:2,y=b=c", &err) == 0, "values may hold ':' and '='");
	CHECK_STR(s = join_requests(&r), "a:x=1:2,y=b=c", "value with ':' and '='");
	free(s);
	profile_requests_free(&r);

	check_request_error(false, ":x",
			    "-p ':x': ':x' has no profile name before ':'" EXAMPLE_HINT);
	check_request_error(false, "a:=1",
			    "-p 'a:=1': 'a:=1' has no option name before '='" EXAMPLE_HINT);
	check_request_error(false, "a:b", "-p 'a:b': 'b' after 'a:' is not KEY=VALUE" EXAMPLE_HINT);
	check_request_error(false, "a:",
			    "-p 'a:': 'a:' has nothing after ':'; write a:KEY=VALUE "
			    "or just a" EXAMPLE_HINT);
	check_request_error(false, "", "-p '': names no profile" EXAMPLE_HINT);
	check_request_error(false, ",", "-p ',': names no profile" EXAMPLE_HINT);
	check_request_error(false, "count=4,blockdev",
			    "-p 'count=4,blockdev': 'count=4' comes before any profile name; write "
			    "PROFILE:count=4" EXAMPLE_HINT);
	check_request_error(false, "a,b.c",
			    "-p 'a,b.c': 'b.c' is not a valid profile name (letters, digits, '-' "
			    "and '_')" EXAMPLE_HINT);
	check_request_error(false, "a,x.y=1",
			    "-p 'a,x.y=1': 'x.y' in 'x.y=1' is not a valid option name (letters, "
			    "digits, '-' and '_')" EXAMPLE_HINT);
	check_request_error(true, "blockdev",
			    "-o 'blockdev': expected PROFILE.OPTION=VALUE; write e.g. -o "
			    "blockdev.count=4");
	check_request_error(true, "blockdev=4",
			    "-o 'blockdev=4': expected PROFILE.OPTION=VALUE; write e.g. -o "
			    "blockdev.count=4");
	check_request_error(true, "",
			    "-o '': expected PROFILE.OPTION=VALUE; write e.g. -o blockdev.count=4");
	check_request_error(
		true, ".count=4",
		"-o '.count=4': '' is not a valid profile name (letters, digits, '-' and "
		"'_')");
	check_request_error(true, "blockdev.=4",
			    "-o 'blockdev.=4': '' is not a valid option name (letters, digits, '-' "
			    "and '_')");
}

/* ---- resolution ---- */

static void test_order(void)
{
	char *s;

	CHECK_STR(s = RESOLVE(NULL, "solo,base"), "solo base", "command-line order");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "base", "solo"), "base solo", "command-line order, two -p");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "left"), "base left", "a requirement comes first");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "top"), "base left right top",
		  "diamond: the shared requirement once, at its first position");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "solo,top,base,deep"), "solo base left right top deep",
		  "mixed: dependencies first, then command-line order, each once");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "right,solo,left"), "base right solo left",
		  "requested later but required earlier: applied at the first need");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "base,right,left,base"), "base right left",
		  "requested twice: applied once");
	free(s);

	struct profile_requests none = {0};
	struct profile_set set = {.n = 99};
	CHECK(profiles_resolve(&none, lookup, &lookups, &set, NULL) == 0 && set.n == 0 &&
		      !set.items,
	      "no requests: an empty set");

	unsigned before = lookups;
	CHECK_STR(s = RESOLVE(NULL, "top,left,right,base"), "base left right top",
		  "lookups cached");
	free(s);
	CHECK(lookups - before == 4, "each profile looked up once (%u)", lookups - before);
}

static void test_cycles_and_lookup(void)
{
	char *s;

	CHECK_STR(s = RESOLVE(NULL, "cyc1"),
		  "ERROR(-40): profile cycle: cyc1 -> cyc2 -> cyc3 -> cyc1; remove one of these "
		  "requires",
		  "cycle of three");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "intocycle"),
		  "ERROR(-40): profile cycle: cyc2 -> cyc3 -> cyc1 -> cyc2; remove one of these "
		  "requires",
		  "the cycle only, not the profile that led into it");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "self"),
		  "ERROR(-40): profile cycle: self -> self; remove one of these requires",
		  "a profile requiring itself");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "base,nosuch"),
		  "ERROR(-2): profile nosuch: not found in /p1, /p2; check the name",
		  "unknown profile on the command line: lookup's message as is");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "needsmissing"),
		  "ERROR(-2): profile nosuch: not found in /p1, /p2; check the name",
		  "unknown required profile: lookup's message as is");
	free(s);
}

static void test_settings(void)
{
	struct profile_set set = {0};
	char *s;

	CHECK_STR(s = RESOLVE(&set, "blockdev"), "blockdev", "defaults only");
	free(s);
	if (set.n == 1) {
		CHECK_STR(s = join_options(set.items[0].values, set.items[0].n_values),
			  "count=2|size=100M", "every option with its default, in file order");
		free(s);
		CHECK_STR(resolved_option(&set.items[0], "size"), "100M", "resolved_option");
		CHECK(resolved_option(&set.items[0], "nope") == NULL, "resolved_option: unknown");
	}
	profile_set_free(&set);
	CHECK(!set.items && set.n == 0, "profile_set_free clears");

	CHECK_STR(s = RESOLVE(&set, "raid"), "blockdev memdev raid", "raid pulls blockdev, memdev");
	free(s);
	if (set.n == 3) {
		CHECK_STR(s = join_options(set.items[0].values, set.items[0].n_values),
			  "count=4|size=100M", "a requires setting overrides the default");
		free(s);
		CHECK(set.items[2].n_values == 0, "raid has no options");
	}
	profile_set_free(&set);

	CHECK_STR(s = RESOLVE(&set, "memdev:size=4G,blockdev:size=1G", "-oblockdev.count=8"),
		  "memdev blockdev", "command-line settings");
	free(s);
	if (set.n == 2) {
		CHECK_STR(resolved_option(&set.items[0], "size"), "4G", "memdev size from -p");
		CHECK_STR(s = join_options(set.items[1].values, set.items[1].n_values),
			  "count=8|size=1G", "blockdev from -p and -o");
		free(s);
	}
	profile_set_free(&set);

	CHECK_STR(s = RESOLVE(NULL, "raid,blockdev:count=2"),
		  "ERROR(-22): profile blockdev: option count set to 4 by profile raid and to 2 by "
		  "the command line; drop one",
		  "conflict: a profile and the command line");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "blockdev:count=2,raid"),
		  "ERROR(-22): profile blockdev: option count set to 4 by profile raid and to 2 by "
		  "the command line; drop one",
		  "conflict: same message whichever comes first on the command line");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "raid,mirror"),
		  "ERROR(-22): profile blockdev: option count set to 4 by profile raid and to 2 by "
		  "profile mirror; drop one",
		  "conflict: two profiles");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "raid", "-oblockdev.count=3"),
		  "ERROR(-22): profile blockdev: option count set to 4 by profile raid and to 3 by "
		  "the command line; drop one",
		  "conflict via -o");
	free(s);

	CHECK_STR(s = RESOLVE(&set, "raid,raid4,blockdev:count=4,size=100M", "-oblockdev.count=4"),
		  "blockdev memdev raid raid4", "the same value from several sources is fine");
	free(s);
	if (set.n == 4)
		CHECK_STR(resolved_option(&set.items[0], "count"), "4", "agreed value");
	profile_set_free(&set);

	CHECK_STR(s = RESOLVE(&set, "blockdev:count=2", "-oblockdev.count=3"), "blockdev",
		  "within the command line a later setting overrides");
	free(s);
	if (set.n == 1)
		CHECK_STR(resolved_option(&set.items[0], "count"), "3", "the later value wins");
	profile_set_free(&set);
	CHECK_STR(s = RESOLVE(&set, "raid,blockdev:count=2", "-oblockdev.count=4"),
		  "blockdev memdev raid", "overridden on the command line to the profile's value");
	free(s);
	profile_set_free(&set);

	CHECK_STR(
		s = RESOLVE(NULL, "blockdev:colour=red"),
		"ERROR(-22): profile blockdev: unknown option 'colour' (set by the command line); "
		"blockdev's options are: count, size",
		"unknown option from the command line lists the options");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "badopt"),
		  "ERROR(-22): profile memdev: unknown option 'nope' (set by profile badopt); "
		  "memdev's options are: size",
		  "unknown option from a requires line names the requirer");
	free(s);
	CHECK_STR(
		s = RESOLVE(NULL, "solo", "-obase.x=1"),
		"ERROR(-22): profile base: unknown option 'x' (set by the command line); base has "
		"no options",
		"unknown option of a profile without options");
	free(s);
}

static void test_substitution(void)
{
	struct profile_set set = {0};
	char *s;

	CHECK_STR(s = RESOLVE(&set, "blockdev:count=3", "-oblockdev.size=${count}"), "blockdev",
		  "substitution resolves");
	free(s);
	if (set.n == 1) {
		CHECK_STR(s = join(&set.items[0].qemu_args), "-drive|n=3,s=${count},lit=$3$",
			  "qemu args: ${x} replaced, $$ literal, values not re-expanded");
		free(s);
		CHECK_STR(s = join(&set.items[0].kernel_words), "disks=3", "kernel words too");
		free(s);
		CHECK_STR(set.items[0].profile->qemu_args.items[1],
			  "n=${count},s=${size},lit=$$${count}$$",
			  "the profile stays unsubstituted");
	}
	profile_set_free(&set);

	CHECK_STR(s = RESOLVE(NULL, "badsub"),
		  "ERROR(-22): profile badsub: qemu arg 'x=${nope}' uses ${nope}, which is not an "
		  "option; badsub's options are: a, b",
		  "unknown placeholder");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "nosubst"),
		  "ERROR(-22): profile nosubst: qemu arg '${b}' uses ${b}, which is not an option; "
		  "nosubst's options are: a",
		  "unknown placeholder in a qemu arg after good kernel words");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "stray"),
		  "ERROR(-22): profile stray: kernel word 'price=$5' has a '$' without {OPTION}; "
		  "write ${OPTION} for an option's value or $$ for a literal '$'",
		  "a lone '$'");
	free(s);
	CHECK_STR(s = RESOLVE(NULL, "unterminated"),
		  "ERROR(-22): profile unterminated: qemu arg '${a' has a '$' without {OPTION}; "
		  "write ${OPTION} for an option's value or $$ for a literal '$'",
		  "an unterminated placeholder");
	free(s);
}

/* A hand-built profile (not from profile_parse) with a malformed requires string. */
static int lookup_handmade(const char *name, void *userdata, const struct profile **ret,
			   char **ret_error)
{
	(void)ret_error;
	if (!STREQ(name, "hand"))
		return lookup(name, &lookups, ret, ret_error);
	*ret = userdata;
	return 0;
}

static void test_handmade(void)
{
	struct profile hand = {.name = (char *)"hand"};
	struct profile_requests req = {0};
	struct profile_set set = {0};
	char *err = NULL;

	strv_push(&hand.requires, "base:x");
	profile_requests_add(&req, "hand", &err);
	CHECK(profiles_resolve(&req, lookup_handmade, &hand, &set, &err) == -EINVAL,
	      "malformed raw requires");
	CHECK_STR(err, "profile hand: requires 'base:x': 'x' after 'base:' is not KEY=VALUE",
		  "malformed raw requires message");
	free(err);
	strv_free(&hand.requires);
	profile_requests_free(&req);
}

int main(void)
{
	test_parse_full();
	test_parse_errors();
	test_load();
	test_requests();
	test_order();
	test_cycles_and_lookup();
	test_settings();
	test_substitution();
	test_handmade();
	CHECK(!bad_userdata, "lookup always got the caller's userdata");
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (parsed_ok[i])
			profile_free(&parsed[i]);
	return tap_done();
}
