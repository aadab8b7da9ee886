/* SPDX-License-Identifier: MIT */
/* Decoding a report: frames read by quiz's grammar, nm and addr2line run with plain argv. */
#include "decode_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode.h"
#include "exit_status.h"
#include "file.h"
#include "signals.h"
#include "vm.h"

/* nm and addr2line on a big vmlinux: bounded, then the frames left are shown undecoded. */
#define DECODE_TIMEOUT_MS 60000
/* A report's frames decoded at most (a trace has tens), and what a tool may answer. */
#define DECODE_FRAMES_MAX 4096
#define TOOL_OUTPUT_MAX (256 << 20)
/* How far a module is looked for: lib/modules/RELEASE/kernel/drivers/net/... under --system. */
#define MODULE_WALK_DEPTH 16
#define MODULE_WALK_ENTRIES 200000
/* Modules looked for at most: a real trace names a few; a guest's lines could name thousands. */
#define MODULES_MAX 32

struct located {
	const char *line; /* in the report: the line the frame is in */
	struct frame frame;
	struct strv places; /* addr2line's, "file:line" */
};

struct decoding {
	const struct kernel *k;
	long long deadline;
	int stop_fd;
	struct located *frames;
	size_t n;
	char *root; /* the kernel's source tree in its places ("/src/linux-6.1/"), or NULL */
};

static void decoding_free(struct decoding *d)
{
	for (size_t i = 0; i < d->n; i++)
		strv_free(&d->frames[i].places);
	free(d->frames);
	free(d->root);
}

static bool code_line(const char *line, size_t len)
{
	const char *code = memmem(line, len, "Code: ", 6);
	return code != NULL;
}

/* Every line's frame, in order; Code: lines have none (their bytes are not frames). */
static int frames_collect(struct decoding *d, const char *text)
{
	for (const char *l = text; *l && d->n < DECODE_FRAMES_MAX;) {
		size_t len = strcspn(l, "\n");
		struct frame f;
		if (!code_line(l, len) && frame_find(l, len, &f)) {
			struct located *grown = reallocarray(d->frames, d->n + 1, sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			d->frames = grown;
			d->frames[d->n++] = (struct located){.line = l, .frame = f};
		}
		l += len + (l[len] == '\n');
	}
	return 0;
}

/* --- the tools: plain argv, no shell; they die with quiz and after the deadline --- */

static _noreturn_ void tool_child(char *const argv[], const char *cross, int out, pid_t parent)
{
	child_reset_signals();
	(void)setpgid(0, 0);
	if (child_die_with_parent(parent, SIGKILL) < 0)
		_exit(EXIT_QUIZ_FAILED);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(null, 2) < 0)
		_exit(EXIT_QUIZ_FAILED);
	child_close_fds();
	if (cross)
		execvp(cross, argv); /* argv[0] stays the plain name: nm does not read it */
	execvp(argv[0], argv);
	_exit(EXIT_NOT_FOUND);
}

static int tool_read(const struct decoding *d, int fd, struct buf *out)
{
	char chunk[65536];
	for (;;) {
		long long left = d->deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
					{.fd = d->stop_fd, .events = POLLIN}};
		int n = poll(pfd, d->stop_fd >= 0 ? 2 : 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && d->stop_fd >= 0 && pfd[1].revents)
			return -ECANCELED; /* the caller reads the signal */
		if (n <= 0)
			continue;
		ssize_t got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : 0;
		if (out->len + (size_t)got > TOOL_OUTPUT_MAX)
			return -EFBIG;
		int r = buf_append(out, chunk, (size_t)got);
		if (r < 0)
			return r;
	}
}

/* What the tool (argv[0], the kernel architecture's cross one when there is one) wrote on its
 * stdout until it closed it; -ETIMEDOUT past the deadline, -errno. */
static int tool_run(const struct decoding *d, char *const argv[], struct buf *out)
{
	_cleanup_free_ char *cross = NULL;
	const struct arch *a = d->k->arch;
	if (a && a != arch_host() && asprintf(&cross, "%s%s", a->cross_prefix, argv[0]) < 0)
		return -ENOMEM;
	if (now_ms() >= d->deadline)
		return -ETIMEDOUT;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		tool_child(argv, cross, pipefd[1], parent);
	(void)close(pipefd[1]);
	int r = pid < 0 ? -errno : 0;
	if (pid > 0) {
		(void)setpgid(pid, pid); /* the child's own, whichever runs first */
		r = tool_read(d, pipefd[0], out);
		/* Done or not: nothing of it stays (its group; itself, had neither setpgid run). */
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	(void)close(pipefd[0]);
	return r;
}

/* --- the objects: the kernel's vmlinux, its modules' NAME.ko --- */

/* A path a tool cannot take for an option. */
static char *object_path(const char *path)
{
	char *ret = NULL;
	return asprintf(&ret, "%s%s", path[0] == '/' ? "" : "./", path) < 0 ? NULL : ret;
}

/* Module names looked up on the host: the kernel's own characters, no dot, no path. */
static bool module_plain(const char *name)
{
	return *name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_") == strlen(name);
}

/* Is file NAME.ko, '-' and '_' the same (the kernel names quiz-splat.ko quiz_splat)? */
static bool module_file_is(const char *file, const char *name)
{
	size_t n = strlen(name);
	if (strlen(file) != n + 3 || strcmp(file + n, ".ko") != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (file[i] != name[i] && !(file[i] == '-' && name[i] == '_'))
			return false;
	return true;
}

/* Under dir (fd, closed here), the first NAME.ko of each of names not found yet; symbolic links
 * are not followed (a module folder's build and source lead into the kernel's tree). */
static void modules_walk(int fd, const char *dir, int depth, size_t *budget,
			 const struct strv *names, char **paths)
{
	DIR *listing = fdopendir(fd);
	if (!listing) {
		(void)close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(listing)) && *budget > 0) {
		--*budget;
		if (STREQ(e->d_name, ".") || STREQ(e->d_name, ".."))
			continue;
		unsigned char type = e->d_type;
		struct stat st;
		if (type == DT_UNKNOWN &&
		    fstatat(dirfd(listing), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			type = S_ISDIR(st.st_mode)   ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
						     : DT_UNKNOWN;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			break;
		if (type == DT_DIR && depth > 0) {
			int sub = openat(dirfd(listing), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				modules_walk(sub, path, depth - 1, budget, names, paths);
			continue;
		}
		for (size_t i = 0; type == DT_REG && i < names->len; i++)
			if (!paths[i] && module_file_is(e->d_name, names->items[i]))
				paths[i] = TAKE_PTR(path);
	}
	(void)closedir(listing);
}

static void modules_find(const char *dir, const struct strv *names, char **paths)
{
	size_t budget = MODULE_WALK_ENTRIES;
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd >= 0)
		modules_walk(fd, dir, MODULE_WALK_DEPTH, &budget, names, paths);
}

/* The object's symbols: System.map when there is one, else nm's view of it. */
static int object_symbols(const struct decoding *d, const char *object, const char *system_map,
			  struct buf *ret)
{
	char *text = NULL;
	size_t len;
	if (system_map && read_file(system_map, &text, &len) >= 0) {
		*ret = (struct buf){.data = text, .len = len, .cap = len + 1};
		return 0;
	}
	char *argv[] = {"nm", (char *)object, NULL};
	return tool_run(d, argv, ret);
}

/*
 * The frames of module (the kernel's: "") placed by addr2line in object: symbol's address in
 * its symbols, plus the offset. For the kernel, kernel_init's place gives the source tree.
 */
static int object_decode(struct decoding *d, const char *module, const char *object,
			 const char *system_map)
{
	_cleanup_free_ const char **names = calloc(d->n + 1, sizeof(*names));
	_cleanup_free_ size_t *which = calloc(d->n + 1, sizeof(*which));
	_cleanup_free_ unsigned long long *addrs = calloc(d->n + 1, sizeof(*addrs));
	_cleanup_free_ bool *found = calloc(d->n + 1, sizeof(*found));
	_cleanup_free_ struct strv *places = calloc(d->n + 1, sizeof(*places));
	_cleanup_free_ char *path = object_path(object);
	_cleanup_buf_ struct buf symbols = {0}, answer = {0};
	_cleanup_strv_ struct strv argv = {0};
	if (!names || !which || !addrs || !found || !places || !path)
		return -ENOMEM;
	size_t n = 0, m = 0;
	for (size_t i = 0; i < d->n; i++)
		if (STREQ(d->frames[i].frame.module, module)) {
			which[n] = i;
			names[n++] = d->frames[i].frame.symbol;
		}
	bool kernel = !*module;
	if (kernel)
		names[n] = "kernel_init";
	int r = object_symbols(d, path, system_map, &symbols);
	if (r < 0 || !symbols.data ||
	    !nm_find(symbols.data, symbols.len, names, n + kernel, addrs, found))
		return r == -ENOMEM ? r : 0;
	const char *fixed[] = {"addr2line", "-i", "-a", "-e", path};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
		r = strv_push(&argv, fixed[i]);
	for (size_t i = 0; r >= 0 && i < n + kernel; i++) {
		unsigned long long offset = i < n ? d->frames[which[i]].frame.offset : 0;
		if (!found[i] || addrs[i] + offset < addrs[i]) {
			found[i] = false;
			continue;
		}
		addrs[m] = addrs[i] + offset;
		r = strv_pushf(&argv, "0x%llx", addrs[m++]);
	}
	if (r >= 0)
		r = tool_run(d, argv.items, &answer);
	if (r >= 0 && answer.data)
		r = addr2line_parse(answer.data, answer.len, addrs, m, places);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (size_t i = 0, k = 0; i < n + kernel; i++) {
		if (!found[i])
			continue;
		if (i < n)
			d->frames[which[i]].places = places[k];
		else if (places[k].len)
			d->root = frame_source_root(places[k].items[0]);
		if (i == n)
			strv_free(&places[k]);
		k++;
	}
	return 0;
}

static int frames_decode(struct decoding *d, const char *system_dir)
{
	_cleanup_strv_ struct strv modules = {0};
	bool kernel = false;
	int r = 0;
	for (size_t i = 0; r >= 0 && i < d->n; i++) {
		const char *name = d->frames[i].frame.module;
		bool seen = false;
		for (size_t j = 0; j < modules.len; j++)
			seen |= STREQ(modules.items[j], name);
		kernel |= !*name;
		if (*name && !seen && module_plain(name) && modules.len < MODULES_MAX)
			r = strv_push(&modules, name);
	}
	_cleanup_free_ char **paths = calloc(modules.len + 1, sizeof(*paths));
	_cleanup_free_ char *vmlinux = NULL, *system_map = NULL, *system = NULL, *layer = NULL;
	if (r < 0 || !paths || asprintf(&vmlinux, "%s/vmlinux", d->k->dir) < 0 ||
	    asprintf(&system_map, "%s/System.map", d->k->dir) < 0)
		return -ENOMEM;
	if (kernel && access(vmlinux, R_OK) == 0)
		r = object_decode(d, "", vmlinux, system_map);
	system = system_dir ? realpath(system_dir, NULL) : NULL;
	if (modules.len && system)
		modules_find(system, &modules, paths);
	if (modules.len && d->k->layer && asprintf(&layer, "%s/usr/lib/modules", d->k->layer) >= 0)
		modules_find(layer, &modules, paths);
	for (size_t i = 0; i < modules.len; i++) {
		if (r >= 0 && paths[i])
			r = object_decode(d, modules.items[i], paths[i], NULL);
		free(paths[i]);
	}
	return r;
}

int decode_report(const struct kernel *k, const char *system_dir, const char *text,
		  const struct decode_limits *limits, struct buf *out)
{
	struct decoding d = {.k = k, .deadline = now_ms() + DECODE_TIMEOUT_MS, .stop_fd = -1};
	if (limits && limits->deadline && limits->deadline < d.deadline)
		d.deadline = limits->deadline;
	if (limits)
		d.stop_fd = limits->stop_fd;
	int r = frames_collect(&d, text);
	if (r >= 0 && d.n && k->dir)
		r = frames_decode(&d, system_dir);
	size_t at = 0;
	for (const char *l = text; r >= 0 && *l;) {
		size_t len = strcspn(l, "\n");
		r = buf_append(out, l, len);
		if (r >= 0 && at < d.n && d.frames[at].line == l)
			r = frame_places_format(&d.frames[at++].places, d.root, out);
		if (r >= 0)
			r = buf_puts(out, "\n");
		l += len + (l[len] == '\n');
	}
	decoding_free(&d);
	return r < 0 ? r : 0;
}
