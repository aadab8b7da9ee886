/* SPDX-License-Identifier: MIT */
/* quiz's options: one table, from which getopt_long's arrays and --help are made; parsing
 * fills one struct. */
#include "options.h"

#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "qemu_argv.h"
#include "targets.h"

enum {
	OPT_SHARED = OPTION_KEY_LONG_ONLY,
	OPT_SYSTEM,
	OPT_APPEND,
	OPT_QEMU_ARG,
	OPT_DRY_RUN,
	OPT_KEEP,
	OPT_TIMINGS,
	OPT_DMESG,
	OPT_GDB_WAIT,
	OPT_TAP,
	OPT_JUNIT,
	OPT_RESULTS,
	OPT_TARGETS,
	OPT_FILTER,
	OPT_EACH,
	OPT_LIST_CMD,
	OPT_RETRIES,
	OPT_KNOWN_FAILURES,
	OPT_FLAKY_FAILS,
	OPT_RERUN_FAILED,
	OPT_MERGE,
	OPT_PROFILE_DIR,
	OPT_LIST_PROFILES,
	OPT_DESCRIBE_PROFILE,
	OPT_DOCTOR,
	OPT_SPLAT,
	OPT_SPLAT_ALLOW,
	OPT_DUMP,
	OPT_DUMP_ON_PANIC,
	OPT_LIST,
	OPT_JSON,
	OPT_SHARD,
	OPT_COLD,
	OPT_PS,
	OPT_ATTACH,
	OPT_CWD_SHARE,
	OPT_COVERAGE,
	OPT_COVERAGE_FILTER,
};

/* The key is what getopt_long returns, parse_one's case. man/quiz.1 lists the same options in
 * the same order (tests/unit/test-options.c checks both ways). */
#define RUN OPTION_GROUP_RUN
#define MATRIX OPTION_GROUP_MATRIX
#define OTHER OPTION_GROUP_OTHER
const struct option_spec options_table[] = {
	{"kernel", required_argument, "VER", 'k', RUN,
	 "kernel: 6.1 (newest 6.1.x), 6.1.192, 6.12-rc3,\n"
	 "next-20261204, next (newest next build), mainline"},
	{"arch", required_argument, "ARCH", 'a', RUN,
	 "the guest's architecture: x86_64, aarch64 (arm64), s390x,\n"
	 "riscv64, ppc64le (ppc64el), ppc64 (default: the host's;\n"
	 "others run under TCG)"},
	{"kernel-path", required_argument, "PATH", 'K', RUN,
	 "a kernel you built: a build tree, or a bzImage with its\n"
	 ".config beside it (checked for what quiz needs); a\n"
	 "source tree: quiz-kernel build --again first (125 if\n"
	 "that fails: git bisect run quiz -K . ./test)"},
	{"profile", required_argument, "LIST", 'p', RUN,
	 "profiles: -p blockdev:count=4,size=1G,memdev (repeatable)"},
	{"option", required_argument, "P.KEY=VAL", 'o', RUN,
	 "set a profile option: -o blockdev.size=1G"},
	{"profile-dir", required_argument, "DIR", OPT_PROFILE_DIR, RUN,
	 "also look for profiles in DIR (shadows the others)"},
	{"list-profiles", no_argument, NULL, OPT_LIST_PROFILES, RUN,
	 "the profiles there are, where from, what they do"},
	{"describe-profile", required_argument, "NAME", OPT_DESCRIBE_PROFILE, RUN,
	 "its options and defaults, needs and parts"},
	{"mode", required_argument, "MODE", 'r', RUN,
	 "raw (pipes) | tmux (a terminal, dmesg beside) | auto\n"
	 "(tmux when stdout is a terminal); default: raw with a\n"
	 "PROGRAM, so its output stays, auto without one"},
	{"shell", no_argument, NULL, 'S', RUN, "a shell in the guest after the program"},
	{"memory", required_argument, "SIZE", 'm', RUN, "guest memory, 32M to 1T (default 512M)"},
	{"cpus", required_argument, "N", 'c', RUN, "guest CPUs, 1 to 255 (default 1)"},
	{"timeout", required_argument, "SECONDS", 't', RUN,
	 "stop the run after SECONDS (exit 124)"},
	{"shared", required_argument, "DIR", OPT_SHARED, RUN, "DIR read-write at /shared"},
	{"user-dir", required_argument, "DIR", 'u', RUN,
	 "DIR's files over the guest root, read-only"},
	{"system", required_argument, "DIR", OPT_SYSTEM, RUN,
	 "an install target (DESTDIR) over the guest root"},
	{"env", required_argument, "VAR=VALUE", 'e', RUN, "set VAR in the program's environment"},
	{"append", required_argument, "WORDS", OPT_APPEND, RUN, "extra kernel command-line words"},
	{"qemu-arg", required_argument, "ARG", OPT_QEMU_ARG, RUN,
	 "extra QEMU argument (repeatable)"},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN, RUN,
	 "print the QEMU command line and the layers; boot nothing"},
	{"verbose", no_argument, NULL, 'v', RUN, "kernel console on stderr"},
	{"keep", no_argument, NULL, OPT_KEEP, RUN, "keep the run directory and say where"},
	{"timings", no_argument, NULL, OPT_TIMINGS, RUN,
	 "after the run, each boot stage's time on stderr"},
	{"cold", no_argument, NULL, OPT_COLD, RUN,
	 "boot the kernel, not a saved VM state of it (QUIZ_COLD=1)"},
	{"cwd-share", required_argument, "HOW", OPT_CWD_SHARE, RUN,
	 "how the guest sees the current directory: auto\n"
	 "(a packed image from 10000 entries on, else 9p),\n"
	 "9p or image"},
	{"dmesg", no_argument, NULL, OPT_DMESG, RUN,
	 "after the run, its kernel log (hooks and program) on stderr"},
	{"gdb-wait", no_argument, NULL, OPT_GDB_WAIT, RUN,
	 "the gdb profile (a unix socket only your user can\n"
	 "attach to; it prints the gdb command), the guest held\n"
	 "before the kernel starts until gdb continues it"},
	{"splat", required_argument, "MODE", OPT_SPLAT, RUN,
	 "a kernel report (WARNING, BUG, Oops, KASAN, lockdep,\n"
	 "hung task, ...) in a passing run: fail (exit 123, the\n"
	 "default) | warn (shown, status kept) | ignore"},
	{"splat-allow", required_argument, "REGEX", OPT_SPLAT_ALLOW, RUN,
	 "a report whose first line matches passes (repeatable)"},
	{"dump", required_argument, "FILE", OPT_DUMP, RUN,
	 "the guest's memory as an ELF core at the run's end"},
	{"dump-on-panic", required_argument, "FILE", OPT_DUMP_ON_PANIC, RUN,
	 "the same when the guest panics (then exit 125)"},
	{"coverage", required_argument, "DIR", OPT_COVERAGE, RUN,
	 "the kernel lines the program ran (gcov: a -gcov\n"
	 "kernel, or modules built with GCOV_PROFILE := y):\n"
	 "DIR/coverage.info (lcov) and DIR/html/index.html"},
	{"coverage-filter", required_argument, "PATH", OPT_COVERAGE_FILTER, RUN,
	 "(--coverage) only the sources under PATH (fs/ext4)"},
	{"jobs", required_argument, "N", 'j', MATRIX, "runs at once (default 1)"},
	{"tap", no_argument, NULL, OPT_TAP, MATRIX, "TAP on stdout instead of the table"},
	{"junit", required_argument, "FILE", OPT_JUNIT, MATRIX, "a JUnit XML report"},
	{"results", required_argument, "DIR", OPT_RESULTS, MATRIX,
	 "keep each run's stdout, stderr and console.log in DIR/NAME/"},
	{"targets", required_argument, "FILE", OPT_TARGETS, MATRIX,
	 "named runs from an INI file (kernel, profiles, program,\n"
	 "timeout, memory), e.g. quiz.ini"},
	{"filter", required_argument, "REGEX", OPT_FILTER, MATRIX,
	 "only the targets whose name matches"},
	{"list", no_argument, NULL, OPT_LIST, MATRIX,
	 "print the runs (name, kernel, arch, profiles), run nothing"},
	{"json", no_argument, NULL, OPT_JSON, MATRIX, "--list as JSON, for a CI matrix to fan out"},
	{"shard", required_argument, "I/N", OPT_SHARD, MATRIX,
	 "only the I-th of N slices of the runs (the runs at\n"
	 "positions I, I+N, I+2N, ... in file or -k order)"},
	{"each", no_argument, NULL, OPT_EACH, MATRIX,
	 "each test of the suite in its own VM: kselftest's\n"
	 "run_kselftest.sh and fstests' check list their tests;\n"
	 "any other suite needs --list-cmd"},
	{"list-cmd", required_argument, "CMD", OPT_LIST_CMD, MATRIX,
	 "(--each) the suite's list command, run in the guest:\n"
	 "a test name a line; {} in the program is the name"},
	{"retries", required_argument, "N", OPT_RETRIES, MATRIX,
	 "(--each) runs again a failed test N times (default 1);\n"
	 "one that then passes is flaky"},
	{"known-failures", required_argument, "FILE", OPT_KNOWN_FAILURES, MATRIX,
	 "(--each) tests expected to fail, a line each: PATTERN WHY;\n"
	 "they are xfail, and fail nothing"},
	{"flaky-fails", no_argument, NULL, OPT_FLAKY_FAILS, MATRIX,
	 "(--each) a flaky test fails the run"},
	{"rerun-failed", required_argument, "DIR", OPT_RERUN_FAILED, MATRIX,
	 "(--each) only the tests that failed in an earlier\n"
	 "--results DIR"},
	{"merge", required_argument, "DIR", OPT_MERGE, MATRIX,
	 "boot nothing: one report (table or --tap, --junit,\n"
	 "--results) of earlier --results folders (repeatable)"},
	{"doctor", no_argument, NULL, OPT_DOCTOR, OTHER,
	 "check this host for quiz runs: QEMU, KVM (a probe\n"
	 "boot), kernels, image, cache; exit 0 when a run can work"},
	{"ps", no_argument, NULL, OPT_PS, OTHER,
	 "your running runs: RUN, quiz's pid, start, arch,\n"
	 "kernel, program"},
	{"attach", no_argument, NULL, OPT_ATTACH, OTHER,
	 "quiz --attach [RUN] [-- COMMAND...]: COMMAND in a\n"
	 "running run (RUN: one of --ps's; default: the only\n"
	 "one), beside its program; no COMMAND: a login shell\n"
	 "(exit: COMMAND's status; 75 another session holds\n"
	 "the run; 125 no such run, not yours, or it broke)"},
	{"help", no_argument, NULL, 'h', OTHER, "this text"},
	{"version", no_argument, NULL, 'V', OTHER, "version and build details"},
	{},
};
#undef RUN
#undef MATRIX
#undef OTHER

/* What --help says before each group's options: the matrix's paragraph, a blank line. */
static const char *const group_heads[] = {
	[OPTION_GROUP_RUN] = "",
	[OPTION_GROUP_MATRIX] =
		"\n"
		"Several kernels (-k 6.1,6.12, -k all, -k '6.*'), architectures (-a x86_64,s390x)\n"
		"or --targets run the program on each, output grouped, then a summary table; the\n"
		"exit status is the first failure's.\n",
	[OPTION_GROUP_OTHER] = "\n",
};

static const char usage_head[] =
	"Usage: quiz [OPTIONS] [PROGRAM [ARGS...]]\n"
	"Boot a quiz kernel in a QEMU microvm, run PROGRAM there (from the current\n"
	"directory, seen at the same path) and exit with its status. No PROGRAM: a shell.\n"
	"\n";
static const char usage_tail[] =
	"\n"
	"Environment:\n"
	"  QUIZ_HOME     cache root (default $XDG_CACHE_HOME/quiz or ~/.cache/quiz)\n"
	"  QUIZ_KERNEL   default for -k\n"
	"  QUIZ_QEMU     QEMU binary (default: the architecture's, qemu-system-x86_64)\n"
	"  QUIZ_ACCEL    auto | kvm | tcg (auto: KVM once a probe boot proved it on this\n"
	"                host, the verdict cached; kvm forces it, tcg avoids it)\n"
	"  QUIZ_IMAGE    another guest image (default: QUIZ_HOME/images/bookworm.ext2;\n"
	"                its IMAGE.manifest lists its libraries)\n"
	"\n"
	"Exit status: the program's (0-255); 128+S killed by signal S; 126/127 could not\n"
	"run / not found (127 also before boot for a program under the current directory\n"
	"that needs a library the image lacks: stderr names it and its package); 123 the\n"
	"program passed but the kernel reported a splat; 124 timeout; 125 quiz or the VM\n"
	"failed (stderr says which).\n";

/* An option's help starts in this column, and its other lines. */
#define USAGE_HELP_COLUMN 26

/* "  -k, --kernel VER        kernel: ...", its help's other lines indented below. */
static int usage_option(struct buf *b, const struct option_spec *o)
{
	size_t start = b->len;
	int k = o->key < OPTION_KEY_LONG_ONLY ? buf_printf(b, "  -%c, --%s", o->key, o->name)
					      : buf_printf(b, "      --%s", o->name);
	if (k >= 0 && o->arg)
		k = buf_printf(b, " %s", o->arg);
	size_t width = b->len - start;
	/* A head that reaches the column (--describe-profile NAME) keeps two spaces. */
	int pad = width < USAGE_HELP_COLUMN ? (int)(USAGE_HELP_COLUMN - width) : 2;
	for (const char *h = o->help; k >= 0; pad = USAGE_HELP_COLUMN) {
		size_t n = strcspn(h, "\n");
		k = buf_printf(b, "%*s%.*s\n", pad, "", (int)n, h);
		if (!h[n])
			break;
		h += n + 1;
	}
	return k;
}

int options_usage(char **ret)
{
	_cleanup_buf_ struct buf b = {0};
	int k = buf_puts(&b, usage_head);
	for (const struct option_spec *o = options_table; k >= 0 && o->name; o++) {
		if (o == options_table || o->group != o[-1].group)
			k = buf_puts(&b, group_heads[o->group]);
		if (k >= 0)
			k = usage_option(&b, o);
	}
	if (k >= 0)
		k = buf_puts(&b, usage_tail);
	if (k < 0)
		return k;
	*ret = TAKE_PTR(b.data);
	return 0;
}

/* The short-option string's size: "+:", each letter and its ':', the NUL. */
#define SHORTS_SIZE (sizeof("+:") + 2 * ELEMENTSOF(options_table))

/* getopt_long's view of the table: its struct option[] and short-option string. */
static void options_getopt(struct option longs[static ELEMENTSOF(options_table)],
			   char shorts[static SHORTS_SIZE])
{
	/* '+': the first non-option is the program; its own options are its business. ':': a
	 * missing value is told from an unknown option. */
	char *s = stpcpy(shorts, "+:");
	size_t i = 0;
	for (const struct option_spec *o = options_table; o->name; o++, i++) {
		longs[i] = (struct option){o->name, o->has_arg, NULL, o->key};
		if (o->key < OPTION_KEY_LONG_ONLY) {
			*s++ = (char)o->key;
			if (o->has_arg == required_argument)
				*s++ = ':';
		}
	}
	longs[i] = (struct option){0};
	*s = '\0';
}

static int parse_unsigned(const char *opt, const char *s, unsigned min, unsigned max,
			  const char *why_max, unsigned *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] < '0' || s[0] > '9' || v < min || v > max) {
		log_error("%s %s: expected a whole number from %u to %u%s", opt, s, min, max,
			  why_max);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static int parse_memory(const char *s, const char **ret)
{
	unsigned long long mib;
	int r = qemu_memory_parse(s, &mib);
	if (r == -ERANGE)
		log_error("-m %s: guest memory must be from " QEMU_MEMORY_LIMITS, s);
	else if (r < 0)
		log_error("-m %s: expected a size like 512M or 2G (digits, then K, M, G or T; no "
			  "suffix is M), from " QEMU_MEMORY_LIMITS,
			  s);
	if (r < 0)
		return -EINVAL;
	*ret = s;
	return 0;
}

static int split_words(struct strv *v, const char *s)
{
	_cleanup_free_ char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		const char *why = kernel_word_problem(w);
		if (why) {
			log_error("--append: '%s' %s", w, why);
			return -EINVAL;
		}
		int r = strv_push(v, w);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_splat(const char *s, enum splat_mode *ret)
{
	if (STREQ(s, "fail"))
		*ret = SPLAT_MODE_FAIL;
	else if (STREQ(s, "warn"))
		*ret = SPLAT_MODE_WARN;
	else if (STREQ(s, "ignore"))
		*ret = SPLAT_MODE_IGNORE;
	else {
		log_error("--splat %s: expected fail, warn or ignore", s);
		return -EINVAL;
	}
	return 0;
}

/* A source path's part, as lcov matches it: no wildcard, no ".." component. */
static int parse_coverage_filter(const char *s, const char **ret)
{
	bool bad = !s[0] || strpbrk(s, "*?[]\\");
	for (const char *p = s; !bad && p; p = strchr(p, '/'), p = p ? p + 1 : NULL)
		bad = strncmp(p, "..", 2) == 0 && (p[2] == '/' || !p[2]);
	if (bad) {
		log_error("--coverage-filter '%s': expected a source path such as fs/ext4 or "
			  "drivers/net/veth.c (no wildcards, no '..')",
			  s);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

static int parse_cwd_share(const char *s, enum cwd_share *ret)
{
	if (STREQ(s, "auto"))
		*ret = CWD_SHARE_AUTO;
	else if (STREQ(s, "9p"))
		*ret = CWD_SHARE_9P;
	else if (STREQ(s, "image"))
		*ret = CWD_SHARE_IMAGE;
	else {
		log_error("--cwd-share %s: expected auto, 9p or image", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_regex(const char *opt, const char *s, struct strv *v)
{
	regex_t re;
	int r = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
	if (r != 0) {
		char why[128];
		(void)regerror(r, &re, why, sizeof(why));
		log_error("%s '%s': not an extended regular expression (%s)", opt, s, why);
		return -EINVAL;
	}
	regfree(&re);
	return strv_push(v, s);
}

static bool parse_shard_number(const char *s, const char *end, unsigned *ret)
{
	unsigned long v = 0;
	if (s == end || end - s > 6)
		return false;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*ret = (unsigned)v;
	return true;
}

int options_parse_shard(const char *s, unsigned *ret_index, unsigned *ret_count,
			const char **ret_why)
{
	const char *slash = strchr(s, '/');
	unsigned i, n;
	if (!slash || !parse_shard_number(s, slash, &i) ||
	    !parse_shard_number(slash + 1, slash + strlen(slash), &n)) {
		*ret_why =
			"expected I/N, two whole numbers: --shard 2/5 runs the second of 5 slices";
		return -EINVAL;
	}
	if (n < 1 || n > OPTIONS_SHARD_MAX) {
		*ret_why = "N, the number of slices, must be from 1 to 100000";
		return -EINVAL;
	}
	if (i < 1 || i > n) {
		*ret_why = "I must be from 1 to N (slices are counted from 1)";
		return -EINVAL;
	}
	*ret_index = i;
	*ret_count = n;
	return 0;
}

static int parse_shard(const char *s, struct quiz_options *o)
{
	const char *why = NULL;
	int r = options_parse_shard(s, &o->shard_index, &o->shard_count, &why);
	if (r < 0)
		log_error("--shard %s: %s", s, why);
	return r;
}

static int parse_list_cmd(const char *s, struct quiz_options *o)
{
	_cleanup_free_ char *error = NULL;
	int r = split_command_line(s, &o->list_cmd, &error);
	if (r >= 0 && (!o->list_cmd.len || !o->list_cmd.items[0][0])) {
		log_error("--list-cmd '%s': name a command, e.g. --list-cmd './suite --list'", s);
		return -EINVAL;
	}
	if (r == -EINVAL)
		log_error("--list-cmd '%s': %s", s, error ? error : "cannot split it into words");
	o->each = true;
	return r;
}

static int parse_one(int c, struct quiz_options *o)
{
	switch (c) {
	case 'k': o->kernel = optarg; return 0;
	case 'a': o->arch = optarg; return 0;
	case 'K': o->kernel_path = optarg; return 0;
	case 'p': return strv_push(&o->profiles, optarg);
	case 'o': return strv_push(&o->profile_options, optarg);
	case OPT_PROFILE_DIR: return strv_push(&o->profile_dirs, optarg);
	case OPT_LIST_PROFILES: o->list_profiles = true; return 0;
	case OPT_DESCRIBE_PROFILE: o->describe_profile = optarg; return 0;
	case 'r':
		if (STREQ(optarg, "raw"))
			o->mode = RUN_MODE_RAW;
		else if (STREQ(optarg, "tmux"))
			o->mode = RUN_MODE_TMUX;
		else if (STREQ(optarg, "auto"))
			o->mode = RUN_MODE_AUTO;
		else {
			log_error("-r %s: expected raw, tmux or auto", optarg);
			return -EINVAL;
		}
		return 0;
	case 'S': o->shell_after = true; return 0;
	case 'm': return parse_memory(optarg, &o->memory);
	case 'c':
		return parse_unsigned("-c", optarg, 1, QEMU_MAX_CPUS,
				      " (x86_64's microvm without ACPI; other machines take fewer)",
				      &o->cpus);
	case 't': return parse_unsigned("-t", optarg, 1, 1000000, "", &o->timeout_s);
	case OPT_SHARED: o->shared_dir = optarg; return 0;
	case 'u': o->user_dir = optarg; return 0;
	case OPT_SYSTEM: o->system_dir = optarg; return 0;
	case 'e':
		if (!strchr(optarg, '=') || optarg[0] == '=') {
			log_error("-e %s: expected VAR=VALUE", optarg);
			return -EINVAL;
		}
		return strv_push(&o->env, optarg);
	case OPT_APPEND: return split_words(&o->append, optarg);
	case OPT_QEMU_ARG: return strv_push(&o->qemu_args, optarg);
	case OPT_DRY_RUN: o->dry_run = true; return 0;
	case 'v': o->verbose = true; return 0;
	case OPT_KEEP: o->keep = true; return 0;
	case OPT_TIMINGS: o->timings = true; return 0;
	case OPT_COLD: o->cold = true; return 0;
	case OPT_CWD_SHARE: return parse_cwd_share(optarg, &o->cwd_share);
	case OPT_DMESG: o->dmesg = true; return 0;
	case OPT_GDB_WAIT: return strv_push(&o->profiles, "gdb:wait=1");
	case OPT_SPLAT: return parse_splat(optarg, &o->splat);
	case OPT_SPLAT_ALLOW: return parse_regex("--splat-allow", optarg, &o->splat_allow);
	case OPT_DUMP: o->dump = optarg; return 0;
	case OPT_DUMP_ON_PANIC: o->dump_on_panic = optarg; return 0;
	case OPT_COVERAGE: o->coverage = optarg; return 0;
	case OPT_COVERAGE_FILTER: return parse_coverage_filter(optarg, &o->coverage_filter);
	case 'j': return parse_unsigned("-j", optarg, 1, 1000000, "", &o->jobs);
	case OPT_TAP: o->tap = true; return 0;
	case OPT_JUNIT: o->junit = optarg; return 0;
	case OPT_RESULTS: o->results_dir = optarg; return 0;
	case OPT_TARGETS: o->targets = optarg; return 0;
	case OPT_FILTER: o->filter = optarg; return 0;
	case OPT_LIST: o->list = true; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_SHARD: return parse_shard(optarg, o);
	case OPT_EACH: o->each = true; return 0;
	case OPT_LIST_CMD: return parse_list_cmd(optarg, o);
	case OPT_RETRIES:
		o->retries_given = true;
		return parse_unsigned("--retries", optarg, 0, 10, "", &o->retries);
	case OPT_KNOWN_FAILURES: o->known_failures = optarg; return 0;
	case OPT_FLAKY_FAILS: o->flaky_fails = true; return 0;
	case OPT_RERUN_FAILED: o->rerun_failed = optarg; return 0;
	case OPT_MERGE: return strv_push(&o->merge, optarg);
	case OPT_DOCTOR: o->doctor = true; return 0;
	case OPT_PS: o->ps = true; return 0;
	case OPT_ATTACH: o->attach = true; return 0;
	case 'h': o->help = true; return 0;
	case 'V': o->version = true; return 0;
	default: log_error("unknown option; see quiz --help"); return -EINVAL;
	}
}

/* Options that go together, checked once all are read. */
static int options_check(const struct quiz_options *o)
{
	const char *alone = o->known_failures  ? "--known-failures"
			    : o->rerun_failed  ? "--rerun-failed"
			    : o->flaky_fails   ? "--flaky-fails"
			    : o->retries_given ? "--retries"
					       : NULL;
	if (alone && !o->each && !(o->flaky_fails && o->merge.len)) {
		log_error("%s goes with --each (each test of a suite in its own VM)", alone);
		return -EINVAL;
	}
	if (o->each && !o->program[0] && !o->targets) {
		log_error("--each runs a suite's program: quiz --each ./run_kselftest.sh");
		return -EINVAL;
	}
	if (o->merge.len && (o->each || o->program[0] || o->targets)) {
		log_error("--merge reports earlier runs and runs nothing: quiz --merge DIR "
			  "[--merge DIR...] [--junit FILE] [--tap] [--results DIR]");
		return -EINVAL;
	}
	if (o->coverage_filter && !o->coverage) {
		log_error("--coverage-filter goes with --coverage: quiz --coverage DIR "
			  "--coverage-filter %s PROGRAM",
			  o->coverage_filter);
		return -EINVAL;
	}
	if (o->json && !o->list) {
		log_error("--json goes with --list: quiz --targets FILE --list --json");
		return -EINVAL;
	}
	return 0;
}

/*
 * --ps takes no words; --attach [RUN] [-- COMMAND...]: after RUN only "--" and the command.
 * "quiz ps" stays a run of the program ps: these are options, never subcommands.
 */
static int options_attach(struct quiz_options *o, bool dashes)
{
	if (o->ps && o->attach) {
		log_error("--ps and --attach go one at a time");
		return -EINVAL;
	}
	if (o->ps) {
		if (o->program[0]) {
			log_error("--ps takes no program ('%s'); quiz --ps lists your running runs",
				  o->program[0]);
			return -EINVAL;
		}
		return 0;
	}
	if (dashes || !o->program[0])
		return 0;
	o->attach_run = o->program[0];
	o->program++;
	if (o->program[0] && !STREQ(o->program[0], "--")) {
		log_error("--attach %s %s: put -- before the command: quiz --attach %s -- COMMAND",
			  o->attach_run, o->program[0], o->attach_run);
		return -EINVAL;
	}
	if (o->program[0])
		o->program++;
	return 0;
}

int options_parse(int argc, char **argv, const char *kernel, struct quiz_options *o)
{
	*o = (struct quiz_options){
		.memory = "512M", .cpus = 1, .mode = RUN_MODE_DEFAULT, .retries = 1};
	o->kernel = kernel;
	optind = 1;
	opterr = 0; /* our own one-line messages */
	struct option longs[ELEMENTSOF(options_table)];
	char shorts[SHORTS_SIZE];
	options_getopt(longs, shorts);
	int c;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == '?' || c == ':') {
			if (optopt)
				log_error("option -%c %s; see quiz --help", optopt,
					  c == ':' ? "needs a value" : "is unknown");
			else
				log_error("option %s %s; see quiz --help", argv[optind - 1],
					  c == ':' ? "needs a value" : "is unknown");
			return -EINVAL;
		}
		int r = parse_one(c, o);
		if (r < 0)
			return r;
	}
	o->program = argv + optind;
	if (o->attach || o->ps) {
		/* getopt took a "--" right after the options: no RUN, the command follows. */
		bool dashes = optind > 1 && STREQ(argv[optind - 1], "--");
		return options_attach(o, dashes);
	}
	return options_check(o);
}

void options_free(struct quiz_options *o)
{
	strv_free(&o->env);
	strv_free(&o->append);
	strv_free(&o->qemu_args);
	strv_free(&o->profiles);
	strv_free(&o->profile_options);
	strv_free(&o->profile_dirs);
	strv_free(&o->splat_allow);
	strv_free(&o->list_cmd);
	strv_free(&o->merge);
}
