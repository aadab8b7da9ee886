/* SPDX-License-Identifier: MIT */
/* The accelerator verdict: QUIZ_ACCEL, the cache key and file, probe decisions, messages. */
#include <stdlib.h>

#include "accel.h"
#include "tap.h"

static void test_mode(void)
{
	enum accel_mode m = ACCEL_MODE_TCG;
	CHECK(accel_mode_parse(NULL, &m) == 0 && m == ACCEL_MODE_AUTO, "unset QUIZ_ACCEL: auto");
	CHECK(accel_mode_parse("", &m) == 0 && m == ACCEL_MODE_AUTO, "empty QUIZ_ACCEL: auto");
	CHECK(accel_mode_parse("auto", &m) == 0 && m == ACCEL_MODE_AUTO, "auto");
	CHECK(accel_mode_parse("kvm", &m) == 0 && m == ACCEL_MODE_KVM, "kvm");
	CHECK(accel_mode_parse("tcg", &m) == 0 && m == ACCEL_MODE_TCG, "tcg");
	CHECK(accel_mode_parse("KVM", &m) == -EINVAL, "KVM (capitals) is refused");
	CHECK(accel_mode_parse("hvf", &m) == -EINVAL, "hvf is refused");
}

static void test_key(void)
{
	char a[17], b[17], c[17], d[17], e[17], f[17];
	accel_cache_key("6.1.0 #1 x86_64", "/usr/bin/qemu 100 200 3", "cpu|flags", KVM_OPENS, a);
	accel_cache_key("6.1.0 #1 x86_64", "/usr/bin/qemu 100 200 3", "cpu|flags", KVM_OPENS, b);
	accel_cache_key("6.1.1 #1 x86_64", "/usr/bin/qemu 100 200 3", "cpu|flags", KVM_OPENS, c);
	accel_cache_key("6.1.0 #1 x86_64", "/usr/bin/qemu 100 201 3", "cpu|flags", KVM_OPENS, d);
	accel_cache_key("6.1.0 #1 x86_64", "/usr/bin/qemu 100 200 3", "cpu|flags2", KVM_OPENS, e);
	accel_cache_key("6.1.0 #1 x86_64", "/usr/bin/qemu 100 200 3", "cpu|flags", KVM_DENIED, f);
	CHECK(strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16, "the key is 16 hex digits");
	CHECK_STR(a, b, "the same host gives the same key");
	CHECK(strcmp(a, c) != 0, "another host kernel: another key");
	CHECK(strcmp(a, d) != 0, "another QEMU binary (mtime): another key");
	CHECK(strcmp(a, e) != 0, "another CPU: another key");
	CHECK(strcmp(a, f) != 0, "another /dev/kvm access: another key");
	char g[17], h[17];
	accel_cache_key("ab", "c", "", KVM_OPENS, g);
	accel_cache_key("a", "bc", "", KVM_OPENS, h);
	CHECK(strcmp(g, h) != 0, "fields do not run into each other");
}

static void test_round_trip(void)
{
	struct accel_verdict v = {.accel = ACCEL_KVM,
				  .reason = "KVM booted the probe in 120 ms",
				  .kvm_ms = 120,
				  .tcg_ms = -1,
				  .probed = "2026-12-01T10:00:00Z"};
	_cleanup_buf_ struct buf text = {0};
	struct accel_verdict back = {0};
	CHECK(accel_verdict_format(&v, &text) == 0, "a verdict formats");
	CHECK_STR(text.data,
		  "accel=kvm\nreason=KVM booted the probe in 120 ms\nkvm_ms=120\ntcg_ms=-1\n"
		  "probed=2026-12-01T10:00:00Z\n",
		  "its file, line by line");
	CHECK(accel_verdict_parse(text.data, &back) == 0, "and parses back");
	CHECK(back.accel == ACCEL_KVM && back.kvm_ms == 120 && back.tcg_ms == -1,
	      "with its accelerator and times");
	CHECK_STR(back.reason, v.reason, "its reason");
	CHECK_STR(back.probed, v.probed, "its date");
	accel_verdict_free(&back);
	CHECK(accel_verdict_parse("accel=hvf\nreason=x\n", &back) == -EINVAL,
	      "an unknown accelerator in the file is refused");
	CHECK(accel_verdict_parse("accel=tcg\n", &back) == -EINVAL, "a verdict needs a reason");
	CHECK(accel_verdict_parse("", &back) == -EINVAL, "an empty file is no verdict");
	CHECK(accel_verdict_parse("accel=tcg\nreason=r\nkvm_ms=abc\n", &back) == 0 &&
		      back.kvm_ms == -1,
	      "a bad number reads as unknown");
	accel_verdict_free(&back);
}

static void test_decisions(void)
{
	struct probe_result kvm_fail = {.ok = false, .ms = 90, .failure = "QEMU aborted: x"};
	struct probe_result kvm_fast = {.ok = true, .ms = 150};
	struct probe_result kvm_slow = {.ok = true, .ms = 900};
	struct probe_result tcg = {.ok = true, .ms = 700};
	struct probe_result tcg_fail = {.ok = false, .failure = "y"};
	struct accel_verdict v;

	CHECK(accel_verdict_from_probes(&kvm_fail, NULL, &v) == 0 && v.accel == ACCEL_TCG,
	      "a failed KVM probe: TCG");
	CHECK_STR(v.reason, "KVM failed a probe boot on this host: QEMU aborted: x",
		  "with the probe's failure as the reason");
	CHECK(v.kvm_ms == -1, "and no KVM time");
	accel_verdict_free(&v);

	CHECK(accel_verdict_from_probes(&kvm_fast, NULL, &v) == 0 && v.accel == ACCEL_KVM,
	      "a clearly fast KVM probe (TCG not timed): KVM");
	CHECK_STR(v.reason, "KVM booted the probe in 150 ms", "reason says the time");
	CHECK(v.kvm_ms == 150 && v.tcg_ms == -1, "times kept");
	accel_verdict_free(&v);

	CHECK(accel_verdict_from_probes(&kvm_slow, &tcg, &v) == 0 && v.accel == ACCEL_TCG,
	      "KVM slower than TCG: TCG");
	CHECK_STR(v.reason, "KVM booted the probe in 900 ms, slower than TCG's 700 ms",
		  "reason compares the two");
	CHECK(v.kvm_ms == 900 && v.tcg_ms == 700, "both times kept");
	accel_verdict_free(&v);

	struct probe_result kvm_ok = {.ok = true, .ms = 400};
	CHECK(accel_verdict_from_probes(&kvm_ok, &tcg, &v) == 0 && v.accel == ACCEL_KVM,
	      "KVM not clearly fast but faster than TCG: KVM");
	CHECK_STR(v.reason, "KVM booted the probe in 400 ms (TCG 700 ms)", "both in the reason");
	accel_verdict_free(&v);

	CHECK(accel_verdict_from_probes(&kvm_slow, &tcg_fail, &v) == 0 && v.accel == ACCEL_KVM,
	      "a TCG probe that failed does not count against KVM");
	accel_verdict_free(&v);
}

static void test_notice(void)
{
	struct accel_verdict v = {
		.accel = ACCEL_TCG, .reason = "KVM failed: z", .kvm_ms = -1, .tcg_ms = -1};
	_cleanup_buf_ struct buf a = {0}, b = {0}, c = {0};
	CHECK(accel_notice(&v, &a) == 0, "a TCG verdict has a notice");
	CHECK_STR(a.data,
		  "quiz: using TCG (slow): KVM failed: z; QUIZ_ACCEL=kvm forces KVM, quiz "
		  "--doctor tells more\n",
		  "one line, the reason and how to override");
	struct accel_verdict denied;
	CHECK(accel_verdict_denied("/dev/kvm", "kvm", true, &denied) == 0 &&
		      denied.accel == ACCEL_TCG,
	      "a /dev/kvm the user may not open: TCG");
	CHECK(accel_notice(&denied, &b) == 0, "its notice");
	CHECK_STR(b.data,
		  "quiz: using TCG (slow): /dev/kvm is there but this user may not open it; to use "
		  "KVM: sudo adduser $USER kvm, then log in again\n",
		  "group kvm may open it: join the group, in one line");
	accel_verdict_free(&denied);
	_cleanup_buf_ struct buf d = {0}, e = {0};
	CHECK(accel_verdict_denied("/dev/kvm", "root", false, &denied) == 0 &&
		      accel_notice(&denied, &d) == 0,
	      "a /dev/kvm of root's alone (no udev rule): TCG too");
	CHECK_STR(d.data,
		  "quiz: using TCG (slow): /dev/kvm is there but this user may not open it; to use "
		  "KVM, let group kvm open it (sudo chown root:kvm /dev/kvm; sudo chmod 660 "
		  "/dev/kvm) and join that group (sudo adduser $USER kvm, then log in again)\n",
		  "then the group must get the device first");
	CHECK(accel_verdict_format(&denied, &e) == 0 && strstr(e.data, "\nhint=to use KVM, let"),
	      "the hint is kept with the cached verdict");
	struct accel_verdict back;
	CHECK(accel_verdict_parse(e.data, &back) == 0 && back.hint && STREQ(back.hint, denied.hint),
	      "and read back");
	accel_verdict_free(&back);
	accel_verdict_free(&denied);
	struct accel_verdict kvm = {.accel = ACCEL_KVM, .reason = "fine"};
	CHECK(accel_notice(&kvm, &c) == 0 && c.len == 0, "KVM: nothing to say");
}

static void test_probe_argv(void)
{
	_cleanup_strv_ struct strv kvm = {0}, tcg = {0};
	CHECK(accel_probe_argv("qemu", arch_find("x86_64"), "/k/vmlinux.boot", ACCEL_KVM, 0, 0,
			       &kvm) == 0,
	      "KVM probe argv");
	_cleanup_free_ char *k = join(&kvm);
	CHECK_STR(k,
		  "qemu|-M|microvm,acpi=off|-accel|kvm|-cpu|host|-nodefaults|-no-user-config|"
		  "-display|none|-no-reboot|-m|256M|-smp|1|-kernel|/k/vmlinux.boot|-append|"
		  "console=ttyS0 reboot=t noreplace-smp sysctl.kernel.panic_on_unrecovered_nmi=1 "
		  "root=/dev/vda "
		  "rootfstype=ext2 ro "
		  "init=/sbin/init panic=-1 loglevel=5 printk.devkmsg=on|-serial|stdio",
		  "golden: no disk, quiz's boot words, console on stdio");
	CHECK(accel_probe_argv("qemu", arch_find("x86_64"), "/k/v", ACCEL_TCG, 2000000, 1000,
			       &tcg) == 0,
	      "TCG probe argv");
	_cleanup_free_ char *t = join(&tcg);
	CHECK(strstr(t, "|-accel|tcg|-cpu|max|") && strstr(t, " tsc_early_khz=2000000 "),
	      "TCG probe: tcg, -cpu max and the TCG timing words, like a run");
}

static void test_console_and_failures(void)
{
	CHECK(accel_probe_console_ok("[ 0.5] VFS: Cannot open root device\n[ 0.5] Kernel panic - "
				     "not syncing: VFS: Unable to mount root fs on "
				     "unknown-block(0,0)\n"),
	      "the no-root panic is the end of a good probe boot");
	CHECK(!accel_probe_console_ok("[ 0.1] Linux version 6.1\n"), "a boot cut short is not");
	CHECK(!accel_probe_console_ok(NULL), "no console output is not");

	const char *abort_text = "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
				 "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: "
				 "kvm_buf_set_msrs: Assertion failed.\n";
	const char *hit = accel_kvm_failure(abort_text);
	CHECK(hit == abort_text, "the MSR abort is a KVM failure, found at its line");
	_cleanup_buf_ struct buf text = {0}, text2 = {0};
	CHECK(accel_failure_text(hit, true, &text) == 0, "its text");
	CHECK_STR(text.data, "QEMU aborted: failed to set MSR 0x10a to 0x69",
		  "without the program name and 'error:'");
	const char *internal = "some line\nKVM internal error. Suberror: 1\nemulation failure\n";
	hit = accel_kvm_failure(internal);
	CHECK(hit && strncmp(hit, "KVM internal error", 18) == 0, "a KVM internal error is one");
	CHECK(accel_failure_text(hit, false, &text2) == 0, "its text");
	CHECK_STR(text2.data, "KVM internal error. Suberror: 1", "the line as QEMU said it");
	CHECK(!accel_kvm_failure("qemu-system-x86_64: -drive file=x: Could not open 'x'\n"),
	      "other QEMU errors are not KVM failures");
	CHECK(!accel_kvm_failure(NULL), "no stderr: none");
}

int main(void)
{
	test_mode();
	test_key();
	test_round_trip();
	test_decisions();
	test_notice();
	test_probe_argv();
	test_console_and_failures();
	return tap_done();
}
