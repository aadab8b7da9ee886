/* SPDX-License-Identifier: MIT */
/*
 * The cache's trust rules (core/cache_trust.c) and their host side (host/cache_trust_host.c,
 * common/file.c's writers): what is refused and the line that says so, private modes whatever
 * the umask, links never followed, nothing left behind.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache_trust.h"
#include "cache_trust_host.h"
#include "file.h"
#include "log.h"
#include "tap.h"

static struct buf logged;
static void log_capture(const char *line)
{
	buf_printf(&logged, "%s\n", line);
}

static char *why(bool folder, bool is_folder, bool is_regular, unsigned long owner, unsigned mode)
{
	struct cache_entry e = {.path = "/c/my states",
				.subject = folder ? "it" : "/c/my states/a.state",
				.folder = folder,
				.is_folder = is_folder,
				.is_regular = is_regular,
				.owner = owner,
				.mode = mode};
	struct buf b = {0};
	int r = cache_trust_check(&e, 1000, &b);
	if (r == 0) {
		buf_free(&b);
		return strdup("trusted");
	}
	return r == -EPERM ? b.data : strdup("?");
}

static void test_rules(void)
{
	char *s;
	CHECK_STR(s = why(true, true, false, 1000, 040700), "trusted", "a folder of mine, 0700");
	free(s);
	CHECK_STR(s = why(true, true, false, 1000, 040755), "trusted",
		  "0755: others may read, not write");
	free(s);
	CHECK_STR(s = why(true, true, false, 1000, 040775),
		  "it is writable by others (mode 0775); make it private: chmod 700 '/c/my states'",
		  "group-writable: refused, with its fix (the path quoted)");
	free(s);
	CHECK_STR(s = why(true, true, false, 1000, 041777),
		  "it is writable by others (mode 1777); make it private: chmod 700 '/c/my states'",
		  "sticky and world-writable: refused");
	free(s);
	CHECK_STR(s = why(true, true, false, 65534, 040700),
		  "it belongs to uid 65534, not to you (uid 1000); remove it: rm -r '/c/my states'",
		  "another user's folder: refused");
	free(s);
	CHECK_STR(s = why(true, false, false, 0, 0),
		  "it is not a folder; remove it: rm '/c/my states'",
		  "a link (O_NOFOLLOW refused it) where the folder should be");
	free(s);
	CHECK_STR(s = why(false, false, false, 1000, 0120777),
		  "/c/my states/a.state is not a regular file; remove it: rm '/c/my states'",
		  "a file that is a link: refused");
	free(s);
	CHECK_STR(s = why(false, false, true, 1000, 0100664),
		  "/c/my states/a.state is writable by others (mode 0664); make it private: chmod "
		  "600 '/c/my states'",
		  "a group-writable file: refused");
	free(s);
	CHECK_STR(s = why(false, false, true, 1000, 0100644), "trusted", "a file of mine, 0644");
	free(s);
}

/* A scratch folder, and what cache_dir_open said of path in it. */
static int open_logged(const char *path, int *fd, char **said)
{
	buf_free(&logged);
	log_set_sink(log_capture);
	int r = cache_dir_open(path, "saved VM states", fd);
	log_set_sink(NULL);
	*said = strdup(logged.data ? logged.data : "");
	return r;
}

/* chomp: the logged line without its newline, so that a TAP description stays one line. */
static void chomp(char *s)
{
	if (s)
		s[strcspn(s, "\n")] = '\0';
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static void test_folders(const char *top)
{
	char path[200], *said = NULL, want[1024];
	int fd = -1;
	mode_t old = umask(002);
	snprintf(path, sizeof(path), "%s/home/states", top);
	CHECK(open_logged(path, &fd, &said) == 0 && fd >= 0 && !said[0],
	      "a missing folder is made and opened, silently: '%s'", said);
	CHECK(mode_of(path) == 0700, "made 0700 under umask 002 (%o)", mode_of(path));
	snprintf(want, sizeof(want), "%s/home", top);
	CHECK(mode_of(want) == 0700, "its missing parents too (%o)", mode_of(want));
	close(fd);
	free(said);

	(void)chmod(path, 0775);
	CHECK(open_logged(path, &fd, &said) == -EPERM, "a group-writable folder: -EPERM");
	snprintf(want, sizeof(want),
		 "quiz: saved VM states in %s ignored: it is writable by others (mode 0775); make "
		 "it "
		 "private: chmod 700 %s\n",
		 path, path);
	CHECK_STR(said, want, "one line says what is ignored, why, and the fix");
	free(said);
	CHECK(open_logged(path, &fd, &said) == -EPERM && !said[0], "said once per quiz, not again");
	free(said);
	(void)chmod(path, 0700);

	char link[512];
	snprintf(link, sizeof(link), "%s/linked", top);
	CHECK(symlink(path, link) == 0, "a link to a private folder");
	int rc = open_logged(link, &fd, &said);
	chomp(said);
	CHECK(rc == -EPERM && said && strstr(said, "it is not a folder"), "is not followed: '%s'",
	      said ? said : "");
	free(said);
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/theirs", top);
		CHECK(mkdir(path, 0700) == 0 && chown(path, 65534, 65534) == 0, "nobody's folder");
		rc = open_logged(path, &fd, &said);
		chomp(said);
		CHECK(rc == -EPERM && said &&
			      strstr(said, "it belongs to uid 65534, not to you (uid 0)"),
		      "another user's folder, private as it may be: refused: '%s'",
		      said ? said : "");
		free(said);
	} else {
		printf("ok %d - # SKIP another user's folder: chown needs root\n", ++tap_n);
	}
	umask(old);
}

static void test_files(const char *top)
{
	char dir[256], path[512], target[512], *data = NULL, *said = NULL;
	int dir_fd = -1, fd = -1;
	mode_t old = umask(002);
	snprintf(dir, sizeof(dir), "%s/files", top);
	CHECK(cache_dir_open(dir, "saved VM states", &dir_fd) == 0, "a private folder");

	CHECK(write_file_at(dir_fd, "a.seen", "x", 1, 0600) == 0, "write_file_at");
	snprintf(path, sizeof(path), "%s/a.seen", dir);
	CHECK(mode_of(path) == 0600, "a file written is 0600 under umask 002 (%o)", mode_of(path));

	/* A link planted where the file goes: replaced, never written through. */
	snprintf(target, sizeof(target), "%s/precious", top);
	FILE *f = fopen(target, "w");
	fputs("precious\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/b.console", dir);
	CHECK(symlink(target, path) == 0, "a link planted at the file's name");
	CHECK(write_file_at(dir_fd, "b.console", "new", 3, 0600) == 0, "written over it");
	CHECK(read_file(target, &data, NULL) == 0 && STREQ(data, "precious\n"),
	      "the link's target is unchanged");
	free(data);
	data = NULL;
	struct stat st;
	CHECK(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3,
	      "the link was replaced by the file");

	char *name = NULL;
	fd = file_create_beside(dir_fd, "c.state", 0600, &name);
	CHECK(fd >= 0 && name && strncmp(name, "c.state.", 8) == 0 && strlen(name) == 28 &&
		      STREQ(name + 24, ".tmp"),
	      "a temporary name beside it, 16 random hex digits: %s", name ? name : "");
	char *other = NULL;
	int fd2 = file_create_beside(dir_fd, "c.state", 0600, &other);
	CHECK(fd2 >= 0 && other && !STREQ(name, other), "another one each time: %s",
	      other ? other : "");
	close(fd);
	close(fd2);
	(void)unlinkat(dir_fd, name, 0);
	(void)unlinkat(dir_fd, other, 0);
	free(name);
	free(other);

	/* Reading back: a link, a group-writable file, a FIFO are refused on their descriptor. */
	snprintf(path, sizeof(path), "%s/l.state", dir);
	CHECK(symlink(target, path) == 0, "a link in the folder");
	buf_free(&logged);
	log_set_sink(log_capture);
	int r = cache_file_open(dir_fd, dir, "l.state", "saved VM states", &fd);
	log_set_sink(NULL);
	CHECK(r == -EPERM && logged.data && strstr(logged.data, "l.state is not a regular file"),
	      "a link is not opened: %s", logged.data ? logged.data : "");
	snprintf(path, sizeof(path), "%s/g.state", dir);
	f = fopen(path, "w");
	fclose(f);
	(void)chmod(path, 0664);
	buf_free(&logged);
	log_set_sink(log_capture);
	r = cache_file_read(dir_fd, dir, "g.state", "saved VM states", &data, NULL);
	log_set_sink(NULL);
	CHECK(r == -EPERM, "a group-writable file: -EPERM");
	if (r >= 0)
		free(TAKE_PTR(data));
	CHECK(!logged.data, "said once per folder: '%s'", logged.data ? logged.data : "");
	snprintf(path, sizeof(path), "%s/p.state", dir);
	CHECK(mkfifo(path, 0600) == 0, "a FIFO in the folder");
	fd = -1;
	CHECK(cache_file_open(dir_fd, dir, "p.state", "saved VM states", &fd) == -EPERM,
	      "is refused without hanging");
	if (fd >= 0)
		close(fd);
	CHECK(cache_file_read(dir_fd, dir, "none", "saved VM states", &data, NULL) == -ENOENT,
	      "a missing file: -ENOENT");
	CHECK(cache_file_read(dir_fd, dir, "b.console", "saved VM states", &data, NULL) == 0 &&
		      STREQ(data, "new"),
	      "a file of the user's, 0600: read");
	free(data);
	free(said);
	close(dir_fd);
	umask(old);
}

int main(void)
{
	char top[] = "/tmp/quiz-test-cache.XXXXXX";
	if (!mkdtemp(top))
		return 1;
	test_rules();
	test_folders(top);
	test_files(top);
	char *argv[] = {"rm", "-rf", top, NULL};
	pid_t pid = fork();
	if (pid == 0)
		execvp(argv[0], argv);
	(void)waitpid(pid, NULL, 0);
	buf_free(&logged);
	return tap_done();
}
