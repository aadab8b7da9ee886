/* SPDX-License-Identifier: MIT */
/* The run's settings round-trip through the contract file exactly; what is not a setting is
 * refused. And the host's contract_build writes what the guest reads. */
#include <stdbool.h>
#include <stdlib.h>

#include "run_layer.h"
#include "settings.h"
#include "tap.h"

/* The records' bytes: each "key=value" with its NUL. */
static struct buf records(const char *const *recs, size_t n)
{
	struct buf b = {0};
	for (size_t i = 0; i < n; i++)
		buf_append(&b, recs[i], strlen(recs[i]) + 1);
	return b;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && STREQ(a, b));
}

static void check_strv(const struct strv *got, const char *want, const char *what)
{
	_cleanup_free_ char *j = join(got);
	CHECK_STR(j, want, "%s", what);
}

static void push_all(struct strv *v, const char *const *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_push(v, items[i]);
}

static void test_round_trip_full(void)
{
	static const char *const args[] = {"./test.sh", "arg two", "", "new\nline", "a=b=c", "--"};
	static const char *const env[] = {"A=1 2", "B=", "C=x=y"};
	static const char *const layers[] = {"user", "system"};
	static const char *const hooks[] = {"net", "trace"};
	static const char *const options[] = {"net.rate=10", "trace.events=sched:*"};
	_cleanup_run_settings_ struct run_settings in = {0}, out = {0};
	push_all(&in.args, args, ELEMENTSOF(args));
	push_all(&in.env, env, ELEMENTSOF(env));
	push_all(&in.layers, layers, ELEMENTSOF(layers));
	push_all(&in.hooks, hooks, ELEMENTSOF(hooks));
	push_all(&in.options, options, ELEMENTSOF(options));
	in.cwd = strdup("/home/u/my project");
	in.kernel = strdup("6.12.1-quiz");
	in.profiles = strdup("net,trace");
	in.term = strdup("xterm-256color");
	in.mode = GUEST_MODE_TMUX;
	in.shared = in.shell = in.dmesg = in.verbose = in.attach = true;
	in.rows = 1;
	in.cols = 65535;

	_cleanup_buf_ struct buf b = {0};
	CHECK(run_settings_encode(&in, &b) == 0, "encode a full struct");
	CHECK(run_settings_decode(b.data, b.len, &out) == 0, "decode it");
	check_strv(&out.args, "./test.sh|arg two||new\nline|a=b=c|--", "args, in order");
	check_strv(&out.env, "A=1 2|B=|C=x=y", "env, in order");
	check_strv(&out.layers, "user|system", "layers, top first");
	check_strv(&out.hooks, "net|trace", "hooks, in order");
	check_strv(&out.options, "net.rate=10|trace.events=sched:*", "options, in order");
	CHECK_STR(out.cwd, "/home/u/my project", "cwd");
	CHECK_STR(out.kernel, "6.12.1-quiz", "kernel");
	CHECK_STR(out.profiles, "net,trace", "profiles");
	CHECK_STR(out.term, "xterm-256color", "term");
	CHECK(out.mode == GUEST_MODE_TMUX, "mode tmux");
	CHECK(out.shared && out.shell && out.dmesg && out.verbose && out.attach, "the flags");
	CHECK(out.rows == 1 && out.cols == 65535, "sizes at their bounds (%u, %u)", out.rows,
	      out.cols);
}

static void test_round_trip_empty(void)
{
	_cleanup_run_settings_ struct run_settings in = {0}, out = {0};
	_cleanup_buf_ struct buf b = {0};
	CHECK(run_settings_encode(&in, &b) == 0, "encode a zeroed struct");
	/* The mode is always written; absent fields write nothing. */
	CHECK(b.len == sizeof("mode=raw") && memcmp(b.data, "mode=raw", sizeof("mode=raw")) == 0,
	      "a zeroed struct is one record, mode=raw");
	out.rows = 7; /* decode fills the whole struct */
	CHECK(run_settings_decode(b.data, b.len, &out) == 0, "decode it");
	CHECK(out.args.len == 0 && out.env.len == 0 && out.layers.len == 0 && out.hooks.len == 0 &&
		      out.options.len == 0,
	      "no list items");
	CHECK(!out.cwd && !out.kernel && !out.profiles && !out.term, "no strings");
	CHECK(out.mode == GUEST_MODE_RAW && !out.shared && !out.shell && !out.dmesg &&
		      !out.verbose && !out.attach,
	      "raw mode, no flags");
	CHECK(out.rows == 0 && out.cols == 0, "no sizes");

	_cleanup_run_settings_ struct run_settings none = {0};
	CHECK(run_settings_decode("", 0, &none) == 0 && none.mode == GUEST_MODE_RAW &&
		      !none.args.len && !none.cwd,
	      "an empty file is a zeroed struct");
	_cleanup_run_settings_ struct run_settings empty_values = {0};
	static const char *const ev[] = {"kernel=", "profiles=", "arg="};
	_cleanup_buf_ struct buf eb = records(ev, ELEMENTSOF(ev));
	CHECK(run_settings_decode(eb.data, eb.len, &empty_values) == 0, "empty values decode");
	CHECK(same_str(empty_values.kernel, "") && same_str(empty_values.profiles, ""),
	      "an empty string is present, not NULL");
	check_strv(&empty_values.args, "", "an empty argument is one");
	CHECK(empty_values.args.len == 1, "one argument");
}

/* The wire format, byte for byte (the host tests' dry-lib.sh reads it too). */
static void test_exact_bytes(void)
{
	_cleanup_run_settings_ struct run_settings in = {0};
	strv_push(&in.args, "./t.sh");
	strv_push(&in.args, "x");
	strv_push(&in.env, "A=1");
	strv_push(&in.layers, "user");
	strv_push(&in.hooks, "net");
	strv_push(&in.options, "net.rate=10");
	in.cwd = strdup("/w");
	in.kernel = strdup("6.1");
	in.profiles = strdup("net");
	in.term = strdup("dumb");
	in.mode = GUEST_MODE_TMUX;
	in.shared = in.shell = in.dmesg = true;
	in.rows = 24;
	in.cols = 80;
	static const char want[] = "arg=./t.sh\0arg=x\0env=A=1\0cwd=/w\0layer=user\0shared=1\0"
				   "mode=tmux\0dmesg=1\0shell=1\0rows=24\0cols=80\0term=dumb\0"
				   "kernel=6.1\0hook=net\0option=net.rate=10\0profiles=net";
	_cleanup_buf_ struct buf b = {0};
	CHECK(run_settings_encode(&in, &b) == 0, "encode");
	CHECK(b.len == sizeof(want) && memcmp(b.data, want, sizeof(want)) == 0,
	      "the records, in the encoder's order (%zu bytes)", b.len);
}

/* Each of these is refused with -EINVAL, *ret untouched. */
static void test_refusals(void)
{
	static const struct {
		const char *what;
		const char *recs[3];
	} bad[] = {
		{"a record without '='", {"argx"}},
		{"a record without a key", {"=x"}},
		{"an unknown key", {"colour=1"}},
		{"a key in another case", {"ARG=x"}},
		{"cwd twice", {"cwd=/a", "cwd=/b"}},
		{"kernel twice", {"kernel=6.1", "kernel=6.1"}},
		{"profiles twice", {"profiles=", "profiles="}},
		{"term twice", {"term=a", "term=b"}},
		{"mode twice", {"mode=raw", "mode=raw"}},
		{"shell twice", {"shell=1", "shell=1"}},
		{"shared twice", {"shared=1", "shared=1"}},
		{"dmesg twice", {"dmesg=1", "dmesg=1"}},
		{"verbose twice", {"verbose=1", "verbose=1"}},
		{"rows twice", {"rows=24", "rows=25"}},
		{"cols twice", {"cols=80", "cols=80"}},
		{"shell=0", {"shell=0"}},
		{"shell empty", {"shell="}},
		{"shared=yes", {"shared=yes"}},
		{"dmesg=true", {"dmesg=true"}},
		{"dmesg=11", {"dmesg=11"}},
		{"rows=0", {"rows=0"}},
		{"rows empty", {"rows="}},
		{"rows=-1", {"rows=-1"}},
		{"rows=+5", {"rows=+5"}},
		{"rows with a space", {"rows= 5"}},
		{"rows=5x", {"rows=5x"}},
		{"cols=65536", {"cols=65536"}},
		{"cols of 20 digits", {"cols=99999999999999999999"}},
		{"cols=0x10", {"cols=0x10"}},
		{"mode empty", {"mode="}},
		{"mode=Raw", {"mode=Raw"}},
		{"mode=tty", {"mode=tty"}},
		{"a layer with a '/'", {"layer=user/../../etc"}},
		{"a layer of '..'", {"layer=.."}},
		{"an empty layer", {"layer="}},
		{"a hook with a '/'", {"hook=../../bin/sh"}},
		{"a hook with a space", {"hook=a b"}},
		{"a bad record after good ones", {"arg=a", "mode=raw", "nope"}},
	};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		size_t n = 0;
		while (n < ELEMENTSOF(bad[i].recs) && bad[i].recs[n])
			n++;
		_cleanup_buf_ struct buf b = records(bad[i].recs, n);
		struct run_settings s = {.rows = 7, .mode = GUEST_MODE_TMUX};
		int r = run_settings_decode(b.data, b.len, &s);
		CHECK(r == -EINVAL, "%s: refused (%d)", bad[i].what, r);
		CHECK(s.rows == 7 && s.mode == GUEST_MODE_TMUX && !s.args.len && !s.cwd,
		      "%s: the struct untouched", bad[i].what);
	}

	struct run_settings s = {.rows = 7};
	static const char truncated[] = {'a', 'r', 'g', '=', 'x'};
	CHECK(run_settings_decode(truncated, sizeof(truncated), &s) == -EINVAL && s.rows == 7,
	      "a record without its NUL: refused, the struct untouched");
	static const char nul_first[] = "\0";
	CHECK(run_settings_decode(nul_first, 1, &s) == -EINVAL, "an empty record: refused");

	/* What the decoder refuses, the encoder does not write. */
	struct buf b = {.data = (char *)"sentinel", .len = 8};
	struct run_settings big = {.rows = 65536};
	CHECK(run_settings_encode(&big, &b) == -EINVAL, "encode: rows over 65535 refused");
	struct run_settings wide = {.cols = 100000};
	CHECK(run_settings_encode(&wide, &b) == -EINVAL, "encode: cols over 65535 refused");
	struct run_settings escaping = {0};
	strv_push(&escaping.hooks, "../x");
	CHECK(run_settings_encode(&escaping, &b) == -EINVAL,
	      "encode: a hook that is a path refused");
	run_settings_free(&escaping);
	struct run_settings odd = {.mode = (enum guest_mode)2};
	CHECK(run_settings_encode(&odd, &b) == -EINVAL, "encode: a mode out of range refused");
	CHECK(b.len == 8 && STREQ(b.data, "sentinel"), "encode: the buffer untouched on refusal");
}

static void test_repeated_lists(void)
{
	static const char *const recs[] = {"layer=user", "arg=a",	 "hook=x",
					   "arg=b",	 "layer=system", "option=x.k=v",
					   "hook=y",	 "env=E=1",	 "env=E=2"};
	_cleanup_buf_ struct buf b = records(recs, ELEMENTSOF(recs));
	_cleanup_run_settings_ struct run_settings s = {0};
	CHECK(run_settings_decode(b.data, b.len, &s) == 0, "interleaved list keys decode");
	check_strv(&s.args, "a|b", "args keep their order");
	check_strv(&s.layers, "user|system", "layers keep their order");
	check_strv(&s.hooks, "x|y", "hooks keep their order");
	check_strv(&s.options, "x.k=v", "options");
	check_strv(&s.env, "E=1|E=2", "a repeated variable stays twice, in order");
}

/* contract_build (raw mode: no terminal asked) into the guest's decoder. */
static void test_contract_build(void)
{
	struct quiz_options o = {0};
	strv_push(&o.env, "A=1");
	o.dmesg = true;
	struct kernel k = {.release = (char *)"6.12.3"};
	struct profile p1 = {.name = (char *)"net", .guest_hook = true};
	struct profile p2 = {.name = (char *)"trace"};
	struct profile_option v1[] = {{(char *)"max-rate", (char *)"10"},
				      {(char *)"mode", (char *)"fast"}};
	struct profile_option v2[] = {{(char *)"events", (char *)"sched"}};
	struct resolved_profile rp[] = {{.profile = &p1, .values = v1, .n_values = 2},
					{.profile = &p2, .values = v2, .n_values = 1}};
	struct profile_set set = {rp, 2};
	struct run_setup setup = {&o, &k, "/home/u/w", "raw", &set};
	struct run_shares sh = {.n = 3};
	sh.items[0] = (struct share){.tag = "quiz.run"};
	sh.items[1] = (struct share){.tag = "quiz.cwd"};
	sh.items[2] = (struct share){.tag = "quiz.system"};
	const char *argv[] = {"./t.sh", "one"};

	_cleanup_buf_ struct buf b = {0};
	_cleanup_run_settings_ struct run_settings s = {0};
	CHECK(contract_build(&setup, argv, 2, &sh, &b) == 0, "contract_build");
	static const char want[] = "arg=./t.sh\0arg=one\0env=A=1\0cwd=/home/u/w\0layer=system\0"
				   "mode=raw\0dmesg=1\0kernel=6.12.3\0hook=net\0"
				   "option=net.max-rate=10\0option=net.mode=fast\0"
				   "option=trace.events=sched\0profiles=net,trace";
	CHECK(b.len == sizeof(want) && memcmp(b.data, want, sizeof(want)) == 0,
	      "the host's records, exactly (%zu bytes)", b.len);
	CHECK(run_settings_decode(b.data, b.len, &s) == 0, "the guest decodes them");
	check_strv(&s.args, "./t.sh|one", "args");
	CHECK_STR(s.cwd, "/home/u/w", "cwd: the shared directory");
	check_strv(&s.layers, "system", "only the shared layers");
	CHECK(!s.shared && !s.shell && s.dmesg && s.mode == GUEST_MODE_RAW, "flags and mode");
	CHECK(s.rows == 0 && s.cols == 0 && !s.term, "raw mode: no terminal");
	check_strv(&s.hooks, "net", "hooks: the profiles with a guest hook");
	CHECK_STR(s.profiles, "net,trace", "profiles");

	/* No profiles, no cwd share: QUIZ_PROFILES is still written, empty. */
	struct run_setup bare = {&o, &k, "/", "raw", NULL};
	struct run_shares only_run = {.n = 1};
	only_run.items[0] = (struct share){.tag = "quiz.run"};
	_cleanup_buf_ struct buf b2 = {0};
	_cleanup_run_settings_ struct run_settings s2 = {0};
	CHECK(contract_build(&bare, NULL, 0, &only_run, &b2) == 0 &&
		      run_settings_decode(b2.data, b2.len, &s2) == 0,
	      "contract_build without profiles");
	CHECK(!s2.cwd && !s2.args.len && same_str(s2.profiles, "") && !s2.hooks.len,
	      "no cwd, no args, profiles empty but present");
	strv_free(&o.env);
}

int main(void)
{
	test_round_trip_full();
	test_round_trip_empty();
	test_exact_bytes();
	test_refusals();
	test_repeated_lists();
	test_contract_build();
	return tap_done();
}
