/* SPDX-License-Identifier: MIT */
/* The splat classifier on real kernel logs (tests/unit/data/splat, see its README.md) and on
 * the lines it must leave alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "splat.h"
#include "tap.h"

/* What one report must be: its kind, title, the first and last line of its text (stamps kept),
 * and how many lines it has. */
struct want {
	enum splat_kind kind;
	const char *title, *first, *last;
	int lines;
};

static char *data_file(const char *name, size_t *ret_len)
{
	const char *dir = getenv("QUIZ_TEST_DATA");
	char *path = NULL, *text = NULL;
	if (asprintf(&path, "%s/splat/%s", dir ? dir : QUIZ_SOURCE_DIR "/tests/unit/data", name) <
	    0)
		return NULL;
	int r = read_file(path, &text, ret_len);
	if (r < 0)
		printf("# cannot read %s: %s\n", path, strerror(-r));
	free(path);
	return text;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The text's first (i == 0) or last line, without its '\n' (malloc'd). */
static char *text_line(const char *text, bool last)
{
	size_t len = strlen(text);
	if (len == 0 || text[len - 1] != '\n')
		return strdup("(not '\\n'-terminated)");
	const char *start = text, *end = strchr(text, '\n');
	if (last) {
		end = text + len - 1;
		start = end;
		while (start > text && start[-1] != '\n')
			start--;
	}
	return strndup(start, (size_t)(end - start));
}

static void check_report(const char *name, size_t i, const struct splat *got, const struct want *w)
{
	CHECK_STR(splat_kind_name(got->kind), splat_kind_name(w->kind), "%s #%zu: kind", name, i);
	CHECK_STR(got->title, w->title, "%s #%zu: title", name, i);
	char *first = text_line(got->text, false), *last = text_line(got->text, true);
	CHECK_STR(first, w->first, "%s #%zu: the text starts at the title line", name, i);
	CHECK_STR(last, w->last, "%s #%zu: the text ends at the report's end", name, i);
	CHECK(count_lines(got->text) == w->lines, "%s #%zu: %d lines (got %d)", name, i, w->lines,
	      count_lines(got->text));
	CHECK(!strchr(got->text, '\r') && !strchr(got->title, '\r'), "%s #%zu: no CR", name, i);
	free(first);
	free(last);
}

/* The log fed in pieces of size piece gives the same reports as the whole of it at once. */
static void check_stream(const char *name, const char *log, size_t len,
			 const struct splat_list *whole, size_t piece)
{
	struct splat_stream s = {0};
	struct splat_list l = {0};
	int r = 0;
	for (size_t i = 0; r >= 0 && i < len; i += piece)
		r = splat_stream_feed(&s, log + i, len - i < piece ? len - i : piece);
	if (r >= 0)
		r = splat_stream_finish(&s, &l);
	bool same = r == 0 && l.n == whole->n;
	for (size_t i = 0; same && i < l.n; i++)
		same = l.items[i].kind == whole->items[i].kind &&
		       strcmp(l.items[i].title, whole->items[i].title) == 0 &&
		       strcmp(l.items[i].text, whole->items[i].text) == 0;
	CHECK(same, "%s: fed in pieces of %zu bytes, the same %zu report(s) (got %zu, r=%d)", name,
	      piece, whole->n, l.n, r);
	splat_list_free(&l);
	splat_stream_free(&s);
}

static void check_log(const char *name, const char *log, size_t len, const struct want *w, size_t n)
{
	struct splat_list l = {0};
	int r = splat_scan(log, len, &l);
	static const size_t pieces[] = {1, 3, 17, 4096};
	for (size_t i = 0; r == 0 && i < sizeof(pieces) / sizeof(pieces[0]); i++)
		check_stream(name, log, len, &l, pieces[i]);
	CHECK(r == 0 && l.n == n, "%s: %zu report(s) (got %zu, r=%d)", name, n, l.n, r);
	for (size_t i = 0; i < l.n; i++)
		printf("#   %s #%zu: [%s] %s\n", name, i, splat_kind_name(l.items[i].kind),
		       l.items[i].title);
	for (size_t i = 0; i < n && i < l.n; i++)
		check_report(name, i, &l.items[i], &w[i]);
	splat_list_free(&l);
}

static void check_file(const char *name, const struct want *w, size_t n)
{
	size_t len = 0;
	char *log = data_file(name, &len);
	CHECK(log != NULL, "%s: read", name);
	if (log)
		check_log(name, log, len, w, n);
	free(log);
}

#define CHECK_FILE(name, ...)                                                                      \
	do {                                                                                       \
		static const struct want _w[] = {__VA_ARGS__};                                     \
		check_file(name, _w, sizeof(_w) / sizeof(_w[0]));                                  \
	} while (0)

static void check_none(const char *name)
{
	check_file(name, NULL, 0);
}

#define WARN_61                                                                                    \
	"WARNING: CPU: 0 PID: 35 at /tmp/splatmods/warn/splat_warn.c:4 "                           \
	"splat_warn_do.constprop.0.isra.0+0x9/0x1000 [splat_warn]"
#define WARN_612                                                                                   \
	"WARNING: CPU: 0 PID: 37 at /tmp/splatmods/warn/splat_warn.c:4 "                           \
	"splat_warn_do.constprop.0.isra.0+0x9/0x1000 [splat_warn]"
#define END_TRACE "---[ end trace 0000000000000000 ]---"
#define FATAL "Kernel panic - not syncing: Fatal exception"
#define NULL_DEREF "BUG: kernel NULL pointer dereference, address: 0000000000000000"
#define OWN_BUG "kernel BUG at /tmp/splatmods/bug/splat_bug.c:4!"

/* Made here: quiz's 6.1.192 and 6.12.117 kernels with tiny modules (see the README). */
static void test_real_boots(void)
{
	check_none("boot-6.1-console.txt");
	check_none("boot-6.1-dmesg.txt");
	check_none("boot-6.12-console.txt");
	check_none("boot-6.12-dmesg.txt");
	CHECK_FILE("warn-6.1-dmesg.txt", {SPLAT_WARNING, WARN_61, "[    1.405877] " WARN_61,
					  "[    1.409455] " END_TRACE, 36});
	CHECK_FILE("warn-6.12-dmesg.txt", {SPLAT_WARNING, WARN_612, "[    1.171894] " WARN_612,
					   "[    1.174259] " END_TRACE, 38});
	CHECK_FILE("warn-6.1-console.txt",
		   {SPLAT_WARNING,
		    "WARNING: CPU: 0 PID: 34 at /tmp/splatmods/warn/splat_warn.c:4 "
		    "splat_warn_do.constprop.0.isra.0+0x9/0x1000 [splat_warn]",
		    "[    0.970826] WARNING: CPU: 0 PID: 34 at /tmp/splatmods/warn/splat_warn.c:4 "
		    "splat_warn_do.constprop.0.isra.0+0x9/0x1000 [splat_warn]",
		    "[    0.981374] " END_TRACE, 36});
	CHECK_FILE("warn-6.12-console.txt", {SPLAT_WARNING, WARN_612, "[    2.577174] " WARN_612,
					     "[    2.604095] " END_TRACE, 38});
}

/* An oops then the panic it causes (panic_on_oops): two reports, the console cut after the
 * panic's "Kernel Offset" line (quiz stops the guest there). */
static void test_real_oops_and_panic(void)
{
	CHECK_FILE("null-6.1-console.txt",
		   {SPLAT_OOPS, NULL_DEREF, "[    1.072434] " NULL_DEREF,
		    "[    1.083560] " END_TRACE, 41},
		   {SPLAT_PANIC, FATAL, "[    1.085689] " FATAL,
		    "[    1.086207] Kernel Offset: disabled", 2});
	CHECK_FILE("null-6.12-console.txt",
		   {SPLAT_OOPS, NULL_DEREF, "[    0.970744] " NULL_DEREF,
		    "[    0.979219] " END_TRACE, 43},
		   {SPLAT_PANIC, FATAL, "[    0.980978] " FATAL,
		    "[    0.981437] Kernel Offset: disabled", 2});
	CHECK_FILE("bug-6.1-console.txt",
		   {SPLAT_BUG, OWN_BUG, "[    1.180595] " OWN_BUG, "[    1.188282] " END_TRACE, 37},
		   {SPLAT_PANIC, FATAL, "[    1.190019] " FATAL,
		    "[    1.190427] Kernel Offset: disabled", 2});
	CHECK_FILE("bug-6.12-console.txt",
		   {SPLAT_BUG, OWN_BUG, "[    1.130160] " OWN_BUG, "[    1.138660] " END_TRACE, 39},
		   {SPLAT_PANIC, FATAL, "[    1.140661] " FATAL,
		    "[    1.141082] Kernel Offset: disabled", 2});
	CHECK_FILE("panic-6.1-console.txt",
		   {SPLAT_PANIC, "Kernel panic - not syncing: splat_panic: on purpose",
		    "[    1.179400] Kernel panic - not syncing: splat_panic: on purpose",
		    "[    1.190850] Kernel Offset: disabled", 29});
	CHECK_FILE("panic-6.12-console.txt",
		   {SPLAT_PANIC, "Kernel panic - not syncing: splat_panic: on purpose",
		    "[    1.096495] Kernel panic - not syncing: splat_panic: on purpose",
		    "[    1.102809] Kernel Offset: disabled", 32});
}

/* The other architectures' 6.1.192 (no PANIC_ON_OOPS there: no panic after the oops). arm64's
 * "Internal error: Oops - BUG" and s390's "monitor event" belong to their "kernel BUG at". */
static void test_real_other_arches(void)
{
	CHECK_FILE("null-arm64-6.1-console.txt",
		   {SPLAT_OOPS,
		    "Unable to handle kernel NULL pointer dereference at virtual address "
		    "0000000000000000",
		    "[    1.197233] Unable to handle kernel NULL pointer dereference at virtual "
		    "address "
		    "0000000000000000",
		    "[    1.209033] " END_TRACE, 44});
	CHECK_FILE("bug-arm64-6.1-console.txt",
		   {SPLAT_BUG, "kernel BUG at /tmp/splatmods/aarch64-bug/splat_bug.c:4!",
		    "[    1.071210] kernel BUG at /tmp/splatmods/aarch64-bug/splat_bug.c:4!",
		    "[    1.084001] " END_TRACE, 33});
	CHECK_FILE("bug-s390x-6.1-console.txt",
		   {SPLAT_BUG, "kernel BUG at /tmp/splatmods/s390x-bug/splat_bug.c:4!",
		    "[    1.533543] kernel BUG at /tmp/splatmods/s390x-bug/splat_bug.c:4!",
		    "[    1.536727] " END_TRACE, 29});
}

/* A panic's console that ends mid-trace, without its last line's LF: the report runs to the
 * log's end, that partial line included. */
static void test_cut_off(void)
{
	size_t len = 0;
	char *log = data_file("panic-6.1-console.txt", &len);
	const char *cut = log ? strstr(log, "do_init_module+0x") : NULL;
	CHECK(cut != NULL, "panic-6.1-console.txt has the trace line to cut at");
	if (cut) {
		static const struct want w[] = {
			{SPLAT_PANIC, "Kernel panic - not syncing: splat_panic: on purpose",
			 "[    1.179400] Kernel panic - not syncing: splat_panic: on purpose",
			 "[    1.185563]  do_init", 12},
		};
		check_log("panic-6.1 cut mid-line", log, (size_t)(cut - log) + 7, w, 1);
	}
	free(log);
}

/* Public reports (sources in the README): every kind this machine cannot make. */
static void test_public_reports(void)
{
	CHECK_FILE(
		"kasan-6.1-bcachefs.txt",
		{SPLAT_KASAN, "BUG: KASAN: slab-out-of-bounds in bch2_fs_usage_read+0x21b/0x490",
		 "[  979.025715] BUG: KASAN: slab-out-of-bounds in bch2_fs_usage_read+0x21b/0x490",
		 "[  979.026398]  bch2_ioctl_fs_usage+0x9d/0x4e0", 22});
	CHECK_FILE("kasan-6.5-mptcp.txt",
		   {SPLAT_KASAN,
		    "BUG: KASAN: slab-use-after-free in kernfs_test_super (fs/kernfs/mount.c:286)",
		    "[1502.527398][T14140] BUG: KASAN: slab-use-after-free in kernfs_test_super "
		    "(fs/kernfs/mount.c:286) ",
		    "[1502.590618][T14140] ? kernfs_test_super (fs/kernfs/mount.c:286) ", 14});
	CHECK_FILE("kcsan-6.4-lkp.txt",
		   {SPLAT_KCSAN, "BUG: KCSAN: data-race in print_report / wq_worker_tick",
		    "[  121.060132][    C0] BUG: KCSAN: data-race in print_report / wq_worker_tick",
		    "[  121.060132][    C0] "
		    "==================================================================",
		    50});
	CHECK_FILE("kfence-gdrcopy.txt",
		   {SPLAT_KFENCE, "BUG: KFENCE: use-after-free write in down_write+0x15/0x40",
		    "[215551.656059] BUG: KFENCE: use-after-free write in down_write+0x15/0x40",
		    "[215551.788638]  get_signal+0x157/0x610", 25});
	CHECK_FILE("ubsan-4.14-tempesta.txt",
		   {SPLAT_UBSAN,
		    "UBSAN: Undefined behaviour in /root/tempesta/tempesta_fw/gfsm.c:226:25",
		    "[   51.679524] UBSAN: Undefined behaviour in "
		    "/root/tempesta/tempesta_fw/gfsm.c:226:25",
		    "[   51.743153]  ? ip_copy_metadata+0x720/0x720", 22});
	CHECK_FILE("gpf-6.5-syzbot.txt",
		   {SPLAT_GPF,
		    "general protection fault, probably for non-canonical address "
		    "0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN",
		    "[   29.033669][    T1] general protection fault, probably for non-canonical "
		    "address "
		    "0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN",
		    "[   29.340653][    T1] " END_TRACE, 52},
		   {SPLAT_PANIC, FATAL, "[   29.461546][    T1] " FATAL,
		    "[   29.472099][    T1] Rebooting in 86400 seconds..", 3});
	CHECK_FILE(
		"oops-s390-6.5-zvm.txt",
		{SPLAT_OOPS,
		 "Unable to handle kernel pointer dereference in virtual kernel address space",
		 "[   27.089717] Unable to handle kernel pointer dereference in virtual kernel "
		 "address space",
		 "[   27.090066]  [<00000000005c4702>] trace_event_buffer_reserve+0x36a/0x3e8", 53},
		{SPLAT_PANIC, "Kernel panic - not syncing: Fatal exception: panic_on_oops",
		 "[   27.090077] Kernel panic - not syncing: Fatal exception: panic_on_oops",
		 "[   27.090077] Kernel panic - not syncing: Fatal exception: panic_on_oops", 1});
	CHECK_FILE("oops-arm64-4.4-tty.txt",
		   {SPLAT_OOPS,
		    "Unable to handle kernel NULL pointer dereference at virtual address 00000000",
		    "[ 867.140514] Unable to handle kernel NULL pointer dereference at virtual "
		    "address "
		    "00000000",
		    "[ 867.147536] PC: 0xffffff8000eeffa4:", 30});
}

static void test_public_lockdep_and_hangs(void)
{
	CHECK_FILE("lockdep-circular-5.10-bcachefs.txt",
		   {SPLAT_LOCKDEP, "WARNING: possible circular locking dependency detected",
		    "[ 1028.366165] WARNING: possible circular locking dependency detected",
		    "[ 1028.370994]        bch2_mount+0x673/0x8e0 [bcachefs]", 24});
	CHECK_FILE("lockdep-rcu-5.10-bcachefs.txt",
		   {SPLAT_LOCKDEP, "WARNING: suspicious RCU usage",
		    "[   39.147689] WARNING: suspicious RCU usage",
		    "[   39.147879]  ? bch2_btree_node_iter_peek_unpack+0x7f/0xe0 [bcachefs]", 21});
#define HUNG(t, task, end)                                                                         \
	{SPLAT_HUNG_TASK, "INFO: task " task " blocked for more than 120 seconds.",                \
	 "[26825." t "] INFO: task " task " blocked for more than 120 seconds.",                   \
	 "[26825." end                                                                             \
	 "] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.",          \
	 3}
	CHECK_FILE("hung-task-4.19-sonic.txt", HUNG("855448", "kworker/2:1:5747", "866477"),
		   HUNG("873379", "ntpd:11794", "882849"), HUNG("888053", "snmpd:12767", "899711"),
		   HUNG("904202", "zebra:13083", "913699"),
		   HUNG("918528", "fpmsyncd:13094", "926638"));
	CHECK_FILE("rcu-stall-tetragon.txt",
		   {SPLAT_RCU_STALL, "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
		    "[  103.087243] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
		    "[  103.088153]  ret_from_fork+0x35/0x40", 19},
		   {SPLAT_RCU_STALL, "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
		    "[  182.556239] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
		    "[  182.557153] Sending NMI from CPU 0 to CPUs 1:", 4});
	CHECK_FILE("rcu-stall-self-arm.txt",
		   {SPLAT_RCU_STALL, "rcu: INFO: rcu_sched self-detected stall on CPU",
		    "[   89.892668] rcu: INFO: rcu_sched self-detected stall on CPU",
		    "[   89.999368] 9fa0:                                     00000000 00000000 "
		    "00000000 00000000",
		    17});
	CHECK_FILE("soft-lockup-5.12-riscv.txt",
		   {SPLAT_SOFT_LOCKUP,
		    "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [cc1plus:171665]",
		    "[53021.381908] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! "
		    "[cc1plus:171665]",
		    "[53021.481885] status: 0000000200004020 badaddr: 0000000000000000 cause: "
		    "8000000000000005",
		    16});
	CHECK_FILE(
		"hard-lockup-3.16-warn.txt",
		{SPLAT_HARD_LOCKUP,
		 "WARNING: CPU: 3 PID: 0 at /build/linux-xkTWug/linux-3.16.7-ckt11/kernel/"
		 "watchdog.c:265 watchdog_overflow_callback+0x98/0xc0()",
		 "[86738.583940] WARNING: CPU: 3 PID: 0 at /build/linux-xkTWug/linux-3.16.7-ckt11/"
		 "kernel/watchdog.c:265 watchdog_overflow_callback+0x98/0xc0()",
		 "[86738.780320]  [<ffffffff81134338>] ? perf_prepare_sample+0x268/0x310", 13});
	CHECK_FILE("kmemleak-6.x-netdev.txt",
		   {SPLAT_KMEMLEAK, "kmemleak: unreferenced object 0xffff9ceb047d9948 (size 192):",
		    "[  263.201211] kmemleak: unreferenced object 0xffff9ceb047d9948 (size 192):",
		    "[  263.228708] kmemleak: 2 new suspected memory leaks (see "
		    "/sys/kernel/debug/kmemleak)",
		    41});
}

/* Lines that must not open a report: the word not at the message's start, no stamp (a
 * program's tty echo, QEMU's or SeaBIOS's lines), BUG inside a word, quiz's guest init. */
static void test_must_not_match(void)
{
	static const char log[] =
		"SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
		"WARNING: CPU: 0 PID: 1 at x\r\n"
		"BUG: kernel NULL pointer dereference, address: 0000000000000000\r\n"
		"Kernel panic - not syncing: echoed by a program\r\n"
		"qemu-system-x86_64: warning: host doesn't support requested feature\r\n"
		"[    1.000000] quiz: no WARNING: here\r\n"
		"[    1.000001] quiz-init: WARNING: CPU: 0 PID: 1 at x\r\n"
		"[    1.000002] quiz-init2: BUG: kernel NULL pointer dereference\r\n"
		"[    1.000003] DEBUG: x\r\n"
		"[    1.000004] CONFIG_BUG=y BUG: x\r\n"
		"[    1.000005]  WARNING: CPU: 0 PID: 1 at indented\r\n"
		"[    1.000006] Oopsie: 1\r\n"
		"[    1.000007] INFO: task list is fine\r\n"
		"[    1.000008] kmemleak: Kernel memory leak detector initialized (mem pool "
		"available: 15)\r\n"
		"[    1.000009] rcu: INFO: nothing\r\n"
		"[    1.000010] WARNING: nothing to see\r\n"
		"[    1.000010] WARNING: firmware at 0xfed00000 is old\r\n"
		"echo [    1.000011] WARNING: CPU: 0 PID: 1 at x\r\n"
		"[1.x] BUG: not a stamp\r\n"
		"[    1.000012][ X9] BUG: not a caller id\r\n";
	check_log("must-not-match lines", log, sizeof(log) - 1, NULL, 0);
	check_log("an empty log", "", 0, NULL, 0);
}

/* CR LF line ends, a caller id, the "<N>" level prefix: exact text and title bytes. */
static void test_exact_bytes(void)
{
	static const char log[] =
		"[    0.500000] clocksource: Switched to clocksource tsc\r\n"
		"[    1.000000][  T176] ------------[ cut here ]------------\r\n"
		"[    1.000001][  T176] WARNING: CPU: 0 PID: 176 at lib/x.c:1 f+0x1/0x2 \r\r\n"
		"[    1.000002][  T176] Modules linked in:\r\n"
		"[    1.000003][    C0] \r\n"
		"[    1.000004][  T176] ---[ end trace 0000000000000000 ]---\r\n"
		"[    1.000005][  T176] after\r\n"
		"<4>[    2.000000] BUG: scheduling while atomic: sh/1/0x00000002\n"
		"<4>[    2.000001] Call Trace:\n";
	struct splat_list l = {0};
	int r = splat_scan(log, sizeof(log) - 1, &l);
	CHECK(r == 0 && l.n == 2, "two reports (got %zu)", l.n);
	if (r == 0 && l.n == 2) {
		CHECK_STR(l.items[0].title, "WARNING: CPU: 0 PID: 176 at lib/x.c:1 f+0x1/0x2",
			  "the title: no stamp, no caller id, no CR, no trailing blank");
		CHECK_STR(
			l.items[0].text,
			"[    1.000001][  T176] WARNING: CPU: 0 PID: 176 at lib/x.c:1 f+0x1/0x2 \n"
			"[    1.000002][  T176] Modules linked in:\n"
			"[    1.000003][    C0] \n"
			"[    1.000004][  T176] ---[ end trace 0000000000000000 ]---\n",
			"the text: stamps kept, CRs dropped, another CPU's line kept");
		CHECK(l.items[0].kind == SPLAT_WARNING, "a warning");
		CHECK_STR(l.items[1].title, "BUG: scheduling while atomic: sh/1/0x00000002",
			  "a \"<4>\" level prefix before the stamp");
		CHECK_STR(l.items[1].text,
			  "<4>[    2.000000] BUG: scheduling while atomic: sh/1/0x00000002\n"
			  "<4>[    2.000001] Call Trace:\n",
			  "a report at the log's end, LF line ends");
		CHECK(l.items[1].kind == SPLAT_BUG, "a bug");
	}
	splat_list_free(&l);
}

/* Without its end marker a report stops before a line a second later, before the next title,
 * or after 200 lines; trailing unstamped lines are not its. */
static void test_extents(void)
{
	static const char gap[] =
		"[   10.000000] BUG: sleeping function called from invalid context "
		"at mm/slab.h:1\n"
		"[   10.000100] in_atomic(): 1, irqs_disabled(): 0\n"
		"a program's echo\n"
		"[   15.000000] virtio_net virtio0 eth0: link up\n";
	struct splat_list l = {0};
	CHECK(splat_scan(gap, sizeof(gap) - 1, &l) == 0 && l.n == 1, "gap: one report");
	if (l.n == 1)
		CHECK_STR(l.items[0].text,
			  "[   10.000000] BUG: sleeping function called from invalid context at "
			  "mm/slab.h:1\n[   10.000100] in_atomic(): 1, irqs_disabled(): 0\n",
			  "gap: the report stops before the log moves on, the echo left out");
	splat_list_free(&l);

	struct buf b = {0};
	buf_puts(&b, "[    1.000000] WARNING: CPU: 0 PID: 1 at a.c:1 f+0x0/0x1\n");
	for (int i = 1; i < 300; i++)
		buf_printf(&b, "[    1.%06d]  f%d+0x0/0x1\n", i, i);
	buf_puts(&b, "[    1.500000] ---[ end trace 0000000000000000 ]---\n");
	CHECK(splat_scan(b.data, b.len, &l) == 0 && l.n == 1, "bound: one report");
	if (l.n == 1)
		CHECK(count_lines(l.items[0].text) == 200, "bound: 200 lines (got %d)",
		      count_lines(l.items[0].text));
	splat_list_free(&l);
	buf_free(&b);

	static const char next[] =
		"[    1.0] INFO: task a:1 blocked for more than 122 seconds.\n"
		"[    1.1] task:a state:D stack:0 pid:1 ppid:0 flags:0x00004000\n"
		"[    1.2] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [b:2]\n"
		"[    1.3] Call Trace:\n"
		"[    1.4]  <IRQ>\n"
		"[    1.5]  </IRQ>\n"
		"[    1.6]  <TASK>\n"
		"[    1.7]  </TASK>\n"
		"[    1.8] ok\n";
	CHECK(splat_scan(next, sizeof(next) - 1, &l) == 0 && l.n == 2, "next title: two reports");
	if (l.n == 2) {
		CHECK(l.items[0].kind == SPLAT_HUNG_TASK && count_lines(l.items[0].text) == 2,
		      "next title: the hung task stops before the soft lockup");
		CHECK(l.items[1].kind == SPLAT_SOFT_LOCKUP && count_lines(l.items[1].text) == 6,
		      "next title: the soft lockup ends at </TASK>, not </IRQ>");
	}
	splat_list_free(&l);
}

/* The title table's other forms, each as the kernel prints it. */
static void test_title_forms(void)
{
	static const struct {
		const char *line;
		enum splat_kind kind;
	} forms[] = {
		{"[ 1.0] WARNING: at kernel/sched.c:1 f()", SPLAT_WARNING},
		{"[ 1.0] WARNING: kernel/x.c:12 at f+0x1/0x2, CPU#0: swapper/0/1", SPLAT_WARNING},
		{"[ 1.0] WARNING: possible recursive locking detected", SPLAT_LOCKDEP},
		{"[ 1.0] WARNING: inconsistent lock state", SPLAT_LOCKDEP},
		{"[ 1.0] WARNING: possible irq lock inversion dependency detected", SPLAT_LOCKDEP},
		{"[ 1.0] WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
		 SPLAT_LOCKDEP},
		{"[ 1.0] WARNING: bad unlock balance detected!", SPLAT_LOCKDEP},
		{"[ 1.0] BUG: unable to handle page fault for address: ffffc90000000000",
		 SPLAT_OOPS},
		{"[ 1.0] BUG: sleeping function called from invalid context at x.c:1", SPLAT_BUG},
		{"[ 1.0] BUG: soft lockup - CPU#0 stuck for 22s! [a:1]", SPLAT_SOFT_LOCKUP},
		{"[ 1.0] BUG: memory leak", SPLAT_KMEMLEAK},
		{"[ 1.0] watchdog: Watchdog detected hard LOCKUP on cpu 1", SPLAT_HARD_LOCKUP},
		{"[ 1.0] watchdog: CPU1: Watchdog detected hard LOCKUP on cpu 0",
		 SPLAT_HARD_LOCKUP},
		{"[ 1.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 2", SPLAT_HARD_LOCKUP},
		{"[ 1.0] UBSAN: shift-out-of-bounds in lib/x.c:1:2", SPLAT_UBSAN},
		{"[ 1.0] INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 0-... }",
		 SPLAT_RCU_STALL},
		{"[ 1.0] kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)",
		 SPLAT_KMEMLEAK},
		{"[ 1.0] unreferenced object 0xffff888003a1b2c0 (size 32):", SPLAT_KMEMLEAK},
		{"[ 1.0] Oops: 0000 [#1] PREEMPT SMP NOPTI", SPLAT_OOPS},
		{"[ 1.0] Oops: general protection fault, probably for non-canonical address "
		 "0xdead000000000100: 0000 [#1] SMP",
		 SPLAT_GPF},
		{"[ 1.0] general protection fault: 0000 [#1] SMP", SPLAT_GPF},
		{"[ 1.0] Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP",
		 SPLAT_OOPS},
		{"[ 1.0] invalid opcode: 0000 [#1] SMP", SPLAT_OOPS},
		{"[ 1.0] Kernel BUG at 0x0000000000123456 [verbose debug info unavailable]",
		 SPLAT_OOPS},
		{"[ 1.0] illegal operation: 0001 ilc:2 [#1] SMP", SPLAT_OOPS},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct splat_list l = {0};
		int r = splat_scan(forms[i].line, strlen(forms[i].line), &l);
		CHECK(r == 0 && l.n == 1 && l.items[0].kind == forms[i].kind, "%s: %s",
		      forms[i].line, splat_kind_name(forms[i].kind));
		splat_list_free(&l);
	}
}

/* "kernel BUG at" then its oops (arm64's "Internal error: Oops", s390's "monitor event"): one
 * report, the BUG's title. */
static void test_bug_then_oops(void)
{
	static const char log[] =
		"[    5.000000] kernel BUG at mm/slub.c:379!\n"
		"[    5.000001] Internal error: Oops - BUG: 00000000f2000800 [#1] SMP\n"
		"[    5.000002] Modules linked in:\n"
		"[    5.000003] ---[ end trace 0000000000000000 ]---\n"
		"[    5.000004] Kernel panic - not syncing: Oops - BUG: Fatal exception\n"
		"[    5.000005] ---[ end Kernel panic - not syncing: Oops - BUG: Fatal "
		"exception ]---\n"
		"[    5.000006] after\n";
	struct splat_list l = {0};
	CHECK(splat_scan(log, sizeof(log) - 1, &l) == 0 && l.n == 2,
	      "bug, oops, panic: two reports");
	if (l.n == 2) {
		CHECK(l.items[0].kind == SPLAT_BUG && count_lines(l.items[0].text) == 4,
		      "the bug holds its oops");
		CHECK(l.items[1].kind == SPLAT_PANIC && count_lines(l.items[1].text) == 2,
		      "the panic ends at its end marker");
	}
	splat_list_free(&l);

	static const char s390[] = "[ 2964.842229] kernel BUG at fs/btrfs/compression.c:1041!\n"
				   "[ 2964.842306] monitor event: 0040 ilc:2 [#1] PREEMPT SMP\n"
				   "[ 2964.842314] Modules linked in: btrfs\n";
	CHECK(splat_scan(s390, sizeof(s390) - 1, &l) == 0 && l.n == 1 &&
		      l.items[0].kind == SPLAT_BUG && count_lines(l.items[0].text) == 3,
	      "s390: kernel BUG, then its monitor event: one report");
	splat_list_free(&l);
}

static void test_kind_names(void)
{
	static const char *const names[] = {"warning",	 "bug",	      "oops",	     "gpf",
					    "kasan",	 "ubsan",     "kcsan",	     "kfence",
					    "lockdep",	 "hung-task", "soft-lockup", "hard-lockup",
					    "rcu-stall", "kmemleak",  "panic"};
	struct buf got = {0}, want = {0};
	for (int k = SPLAT_WARNING; k <= SPLAT_PANIC; k++) {
		buf_printf(&got, "%s ", splat_kind_name((enum splat_kind)k));
		buf_printf(&want, "%s ", names[k]);
	}
	CHECK_STR(got.data, want.data, "the kinds' names");
	buf_free(&got);
	buf_free(&want);
}

/* A console as a hostile guest writes it: NULs, endless lines and lines, reports after them. */
static void test_stream_bounds(void)
{
	static const char warn[] = "[    2.000000] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\n"
				   "[    2.000001] ---[ end trace 0000000000000000 ]---\n";
	struct splat_stream s = {0};
	struct splat_list l = {0};
	static const char nul[] = "[    1.000000] a NUL \0 here\n";
	int r = splat_stream_feed(&s, nul, sizeof(nul) - 1);
	char *junk = malloc(1 << 20);
	memset(junk, 'x', 1 << 20);
	size_t most = 0;
	for (int i = 0; r >= 0 && i < 20; i++) { /* a 20 MiB line */
		r = splat_stream_feed(&s, junk, 1 << 20);
		most = s.pending.len > most ? s.pending.len : most;
	}
	if (r >= 0)
		r = splat_stream_feed(&s, "\n", 1);
	for (size_t i = 0; i < (1 << 20); i += 64)
		junk[i + 63] = '\n';
	for (int i = 0; r >= 0 && i < 20; i++) { /* 20 MiB of lines */
		r = splat_stream_feed(&s, junk, 1 << 20);
		most = s.pending.len > most ? s.pending.len : most;
	}
	if (r >= 0)
		r = splat_stream_feed(&s, warn, sizeof(warn) - 1);
	if (r >= 0)
		r = splat_stream_finish(&s, &l);
	CHECK(r == 0 && l.n == 1 && l.items[0].kind == SPLAT_WARNING,
	      "a WARN after a NUL, a 20 MiB line and 20 MiB of lines is found (got %zu)", l.n);
	CHECK(most <= 2 * SPLAT_LINE_MAX + (1 << 20), "the stream held at most %zu bytes", most);
	splat_list_free(&l);
	splat_stream_free(&s);
	free(junk);
}

int main(void)
{
	test_real_boots();
	test_real_oops_and_panic();
	test_real_other_arches();
	test_cut_off();
	test_public_reports();
	test_public_lockdep_and_hangs();
	test_must_not_match();
	test_exact_bytes();
	test_extents();
	test_title_forms();
	test_bug_then_oops();
	test_kind_names();
	test_stream_bounds();
	return tap_done();
}
