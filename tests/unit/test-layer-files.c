/* SPDX-License-Identifier: MIT */
/* Run-layer writes: the kernel cache behind hard links and host folders behind symlinks stay as
 * they were (17.2, 17.3). */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "layer_files.h"
#include "remove_tree.h"
#include "tap.h"

static char scratch[] = "/tmp/test-layer-files.XXXXXX";

static char *at(const char *rel)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, sizeof(path[0]), "%s/%s", scratch, rel);
	return p;
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(at(rel), "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *text_of(const char *rel)
{
	char *text = NULL;
	return read_file(at(rel), &text, NULL) < 0 ? NULL : text;
}

#define CHECK_TEXT(rel, want, ...)                                                                 \
	do {                                                                                       \
		char *_t = text_of(rel);                                                           \
		CHECK_STR(_t, want, __VA_ARGS__);                                                  \
		free(_t);                                                                          \
	} while (0)

static bool is_symlink(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) == 0 && S_ISLNK(st.st_mode);
}

static nlink_t links_of(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) == 0 ? st.st_nlink : 0;
}

static bool is_empty_dir(const char *rel)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A '%s')\" ]", at(rel));
	return system(cmd) == 0;
}

/* 17.2: the kernel layer is hard-linked in; a profile's file over it must not reach the cache. */
static void test_hard_links(int layer)
{
	mkdir(at("cache"), 0755);
	mkdir(at("cache/layer"), 0755);
	mkdir(at("cache/layer/boot"), 0755);
	put("cache/config", "CONFIG_CACHE=y\n");
	link(at("cache/config"), at("cache/layer/boot/config-6.1.1"));
	put("cache/layer/boot/System.map", "map\n");

	CHECK(layer_copy_tree(at("cache/layer"), layer, "", true, NULL) == 0,
	      "17.2: the kernel layer copies in");
	CHECK(links_of("cache/config") == 3, "17.2: ...as hard links (the cache's config has 3)");

	mkdir(at("profile"), 0755);
	mkdir(at("profile/boot"), 0755);
	put("profile/boot/config-6.1.1", "CONFIG_PROFILE=y\n");
	CHECK(layer_copy_tree(at("profile"), layer, "", false, NULL) == 0,
	      "17.2: a profile's files/boot/config-R copies over the kernel layer's");
	CHECK_TEXT("layer/boot/config-6.1.1", "CONFIG_PROFILE=y\n",
		   "17.2: the run layer has the profile's file");
	CHECK_TEXT("cache/config", "CONFIG_CACHE=y\n",
		   "17.2: the kernel cache's config is unchanged");
	CHECK(links_of("cache/config") == 2, "17.2: the run layer's link to it was replaced");

	CHECK(layer_write_file(layer, "boot/System.map", "new\n", 4, 0644) == 0,
	      "17.2: layer_write_file over a hard link");
	CHECK_TEXT("cache/layer/boot/System.map", "map\n",
		   "17.2: ...leaves the cache's file unchanged");
	CHECK_TEXT("layer/boot/System.map", "new\n", "17.2: ...and writes the layer's own");

	CHECK(layer_copy_file(at("profile/boot/config-6.1.1"), layer, "boot/config-6.1.1", 0644) ==
		      0,
	      "17.2: layer_copy_file over a file");
	CHECK_TEXT("cache/config", "CONFIG_CACHE=y\n", "17.2: ...leaves the cache unchanged");
}

/* 17.3: symlinks already in the run layer are never written through. */
static void test_symlinks(int layer)
{
	mkdir(at("host"), 0755);
	mkdir(at("host/dir"), 0755);
	put("host/passwd", "host's\n");

	/* One profile makes data -> the host folder; the next one ships data/x. */
	mkdir(at("first"), 0755);
	symlink(at("host/dir"), at("first/data"));
	symlink(at("host/passwd"), at("first/passwd"));
	CHECK(layer_copy_tree(at("first"), layer, "", false, NULL) == 0,
	      "17.3: a profile with symlinks copies in");
	CHECK(is_symlink("layer/data"), "17.3: ...and they stay symlinks in the run layer");

	mkdir(at("second"), 0755);
	mkdir(at("second/data"), 0755);
	put("second/data/x", "x\n");
	char *where = NULL;
	int r = layer_copy_tree(at("second"), layer, "", false, &where);
	CHECK(r == -ELOOP, "17.3: data/x through the data symlink is refused with -ELOOP (got %d)",
	      r);
	CHECK_STR(where, "data", "17.3: ...and the error names data");
	free(where);
	CHECK(is_empty_dir("host/dir"), "17.3: the host folder is unchanged (empty)");

	CHECK(layer_write_file(layer, "data/y", "y", 1, 0644) == -ELOOP,
	      "17.3: layer_write_file through a symlinked folder: -ELOOP");
	CHECK(layer_mkdir_p(layer, "data/sub") == -ELOOP,
	      "17.3: layer_mkdir_p through a symlinked folder: -ELOOP");
	CHECK(is_empty_dir("host/dir"), "17.3: the host folder is still empty");

	/* A file over a symlink replaces the link, never writes its target. */
	mkdir(at("third"), 0755);
	put("third/passwd", "profile's\n");
	CHECK(layer_copy_tree(at("third"), layer, "", false, NULL) == 0,
	      "17.3: a file where the run layer has a symlink replaces the link");
	CHECK(!is_symlink("layer/passwd"), "17.3: ...the run layer's passwd is a file now");
	CHECK_TEXT("host/passwd", "host's\n", "17.3: ...and the link's target is unchanged");

	CHECK(layer_write_file(layer, "../escaped", "e", 1, 0644) == -EINVAL &&
		      access(at("escaped"), F_OK) < 0,
	      "17.3: '..' cannot leave the run layer");
	CHECK(layer_write_file(layer, "/etc/escaped", "e", 1, 0644) == -EINVAL,
	      "17.3: nor can an absolute path");
	CHECK(layer_write_file(layer, "passwd/x", "e", 1, 0644) == -ENOTDIR,
	      "17.3: a file where a folder is wanted: -ENOTDIR");
}

int main(void)
{
	if (!mkdtemp(scratch)) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	mkdir(at("layer"), 0755);
	int layer = open(at("layer"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(layer >= 0, "the run layer opens");
	test_hard_links(layer);
	test_symlinks(layer);
	close(layer);
	CHECK(remove_tree(scratch, NULL) == 0, "scratch removed");
	return tap_done();
}
