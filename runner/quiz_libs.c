/* SPDX-License-Identifier: MIT */
/* quiz-libs: the ELF files under some paths whose libraries the guest image lacks, and the fix. */
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch.h"
#include "file.h"
#include "image.h"
#include "libcheck_host.h"
#include "log.h"
#include "log_stderr.h"
#include "paths.h"
#include "safe_text.h"

enum { LIBS_OK = 0, LIBS_MISSING = 1, LIBS_USAGE = 2 };

static void usage(void)
{
	printf("Usage: quiz-libs [--manifest FILE] [-a ARCH] PATH...\n"
	       "Lists the ELF files under each PATH (a file, or a folder walked without following\n"
	       "symbolic links) whose libraries the guest image lacks, each with the Debian "
	       "package\n"
	       "that has it on this host, and the command that adds them to the image.\n"
	       "A library counts as present when the image's manifest lists it, or when it lies "
	       "in\n"
	       "a folder of the file's RUNPATH/RPATH ($ORIGIN too) on this host.\n"
	       "\n"
	       "  --manifest FILE  the image's manifest (default: the image's, IMAGE.manifest)\n"
	       "  -a, --arch ARCH  the guest's architecture (default: this host's): %s;\n"
	       "                   ELF files of others are skipped\n"
	       "  -h, --help       this text\n"
	       "\n"
	       "Exit status: 0 nothing missing, 1 a library is missing, 2 bad use.\n"
	       "Environment: QUIZ_IMAGE (the image; its manifest is IMAGE.manifest), QUIZ_HOME.\n",
	       arch_names());
}

/* The walk's state: nftw gives its callback no pointer of its own. */
static struct walk {
	struct libcheck_scope scope;
	struct libcheck_list all; /* every missing library, for the add command */
	unsigned long checked;
	bool failed; /* a file could not be read */
} walk;

static void say_path_error(const char *path, const char *why)
{
	log_error("%s: %s", path, why); /* the sink escapes it */
	walk.failed = true;
}

static int check_path(const char *path)
{
	struct libcheck_list found = {0};
	int r = libcheck_file(&walk.scope, path, &found);
	if (r == -ENOEXEC || r == -EXDEV) {
		libcheck_list_free(&found);
		return 0;
	}
	if (r == -EBADMSG)
		say_path_error(path, "a broken ELF file; not checked");
	else if (r < 0)
		say_path_error(path, strerror(-r));
	else
		walk.checked++;
	_cleanup_free_ char *safe = NULL;
	if (found.n && safe_text_dup(path, &safe) < 0)
		r = -ENOMEM;
	for (size_t i = 0; safe && i < found.n; i++) {
		struct libcheck_missing *m = &found.items[i];
		_cleanup_free_ char *host = NULL;
		if (m->package)
			printf("%s: needs %s (Debian package %s)\n", safe, m->name, m->package);
		else if (m->host_path && safe_text_dup(m->host_path, &host) >= 0)
			printf("%s: needs %s (not from a Debian package: %s)\n", safe, m->name,
			       host);
		else
			printf("%s: needs %s (not on this host)\n", safe, m->name);
	}
	/* The names and packages move to the whole list; they were checked names. */
	struct libcheck_missing *items =
		found.n ? reallocarray(walk.all.items, walk.all.n + found.n, sizeof(*items)) : NULL;
	if (found.n && items) {
		memcpy(items + walk.all.n, found.items, found.n * sizeof(*items));
		walk.all.items = items;
		walk.all.n += found.n;
		free(found.items);
	} else {
		libcheck_list_free(&found);
	}
	return r == -ENOMEM ? -1 : 0;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DNR)
		say_path_error(path, "a folder that cannot be read");
	if (type != FTW_F)
		return 0; /* folders, symbolic links (never followed), what cannot be read */
	return check_path(path);
}

static int manifest_of(const char *given, const struct arch *a, char **ret)
{
	const char *image = getenv("QUIZ_IMAGE");
	if (given)
		return (*ret = strdup(given)) ? 0 : -ENOMEM;
	if (image && image[0])
		return asprintf(ret, "%s.manifest", image) < 0 ? -ENOMEM : 0;
	_cleanup_(paths_free) struct quiz_paths p = {0};
	_cleanup_free_ char *path = NULL;
	int r = paths_init(&p);
	if (r >= 0)
		r = image_path(p.home, a, &path);
	if (r >= 0 && asprintf(ret, "%s.manifest", path) < 0)
		r = -ENOMEM;
	return r;
}

static int load_manifest(const char *file, struct libs_manifest *ret)
{
	_cleanup_free_ char *text = NULL, *error = NULL;
	size_t len = 0;
	int r = read_file(file, &text, &len);
	if (r == -ENOENT)
		log_error("%s: no manifest there; build the image again (quiz-image build), or "
			  "give one with --manifest FILE",
			  file);
	else if (r < 0)
		log_error("%s: cannot read the manifest: %s", file, strerror(-r));
	else if ((r = libs_manifest_parse(text, len, ret, &error)) < 0)
		log_error("%s: %s; build the image again (quiz-image build)", file,
			  error ? error : strerror(-r));
	return r;
}

static int quiz_libs_main(int argc, char **argv)
{
	static const struct option options[] = {
		{"manifest", required_argument, NULL, 'M'},
		{"arch", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *manifest_file = NULL, *arch_name = NULL;
	int c;
	log_program = "quiz-libs";
	log_set_sink(log_to_stderr);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+a:h", options, NULL)) != -1) {
		if (c == 'h') {
			usage();
			return LIBS_OK;
		} else if (c == 'M') {
			manifest_file = optarg;
		} else if (c == 'a') {
			arch_name = optarg;
		} else {
			log_error("%s: not an option of quiz-libs (or it lacks its value); see "
				  "quiz-libs --help",
				  argv[optind - 1]);
			return LIBS_USAGE;
		}
	}
	if (optind >= argc) {
		log_error(
			"no PATH given; name the files or folders to check, see quiz-libs --help");
		return LIBS_USAGE;
	}
	const struct arch *a = arch_name ? arch_find(arch_name) : arch_host();
	if (!a) {
		log_error("-a %s: not an architecture quiz knows; use one of %s",
			  arch_name ? arch_name : "(this host's)", arch_names());
		return LIBS_USAGE;
	}
	_cleanup_free_ char *file = NULL;
	struct libs_manifest manifest = {0};
	if (manifest_of(manifest_file, a, &file) < 0 || load_manifest(file, &manifest) < 0)
		return LIBS_USAGE;
	walk.scope = (struct libcheck_scope){.arch = a, .manifest = &manifest};
	int status = LIBS_OK;
	for (int i = optind; i < argc && status == LIBS_OK; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			log_error("%s: %s; name an existing file or folder", argv[i],
				  strerror(errno));
			status = LIBS_USAGE;
		} else if (S_ISDIR(st.st_mode)) {
			_cleanup_free_ char *top = NULL; /* a link given by name is followed */
			if (asprintf(&top, "%s/", argv[i]) < 0 ||
			    nftw(top, visit, 64, FTW_PHYS) != 0) {
				log_error("%s: the walk stopped: %s", argv[i], strerror(errno));
				status = LIBS_USAGE;
			}
		} else if (check_path(argv[i]) < 0) {
			status = LIBS_USAGE;
		}
	}
	_cleanup_buf_ struct buf add = {0};
	if (status == LIBS_OK && walk.all.n) {
		status = LIBS_MISSING;
		if (libcheck_add_command(a, &walk.all, &add) >= 0 && add.len)
			printf("add them: %s\n", add.data);
	} else if (status == LIBS_OK) {
		printf("quiz-libs: %lu ELF file%s checked, nothing missing\n", walk.checked,
		       walk.checked == 1 ? "" : "s");
	}
	libcheck_list_free(&walk.all);
	libs_manifest_free(&manifest);
	return status;
}

int main(int argc, char **argv)
{
	return stdout_checked(quiz_libs_main(argc, argv), LIBS_USAGE);
}
