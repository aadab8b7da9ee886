/* SPDX-License-Identifier: MIT */
/* The QEMU argv and kernel command line, byte for byte, plus their escaping rules. */
#include <stdbool.h>
#include <stdlib.h>

#include "kernel_host.h"
#include "qemu_argv.h"
#include "tap.h"

static char *joined(const struct strv *v)
{
	struct buf b = {0};
	for (size_t i = 0; i < v->len; i++) {
		if (i)
			buf_puts(&b, " ");
		shell_quote(v->items[i], &b);
	}
	return b.data;
}

static void test_golden(void)
{
	const struct share shares[] = {
		{"quiz.run", "/c/runs/run.X/layer", false},
		{"quiz.cwd", "/home/u/a,b", false},
		{"quiz.shared", "/tmp/s", true},
	};
	const char *words[] = {"nokaslr"};
	const char *extra[] = {"-s"};
	struct qemu_plan plan = {
		.arch = arch_find("x86_64"),
		.qemu = "qemu-system-x86_64",
		.kvm = false,
		.kernel_image = "/k/bzImage",
		.root_image = "/c/images/bookworm.ext2",
		.memory = "512M",
		.cpus = 2,
		.shares = shares,
		.n_shares = 3,
		.kernel_words = words,
		.n_kernel_words = 1,
		.extra_args = extra,
		.n_extra_args = 1,
		.tsc_khz = 2000000,
		.hz = 250,
	};
	struct strv v = {0};
	CHECK(qemu_argv_build(&plan, &v) == 0, "argv builds");
	char *got = joined(&v);
	CHECK_STR(
		got,
		"qemu-system-x86_64 -M microvm,acpi=off -accel tcg -cpu max -nodefaults "
		"-no-user-config -display none -no-reboot -kernel /k/bzImage -append "
		"'console=ttyS0 reboot=t noreplace-smp sysctl.kernel.panic_on_unrecovered_nmi=1 "
		"root=/dev/vda "
		"rootfstype=ext2 ro "
		"init=/sbin/init panic=-1 loglevel=5 printk.devkmsg=on tsc_early_khz=2000000 "
		"lpj=8000000 "
		"tsc=reliable nolapic_timer no_timer_check nokaslr' "
		"-chardev socket,id=console,path=console.sock -serial chardev:console -m 512M "
		"-smp 2 -drive file=/c/images/bookworm.ext2,if=none,id=root,format=raw,readonly=on "
		"-device virtio-blk-device,drive=root "
		"-fsdev local,id=fs0,path=/c/runs/run.X/layer,security_model=none,readonly=on "
		"-device virtio-9p-device,fsdev=fs0,mount_tag=quiz.run "
		"-fsdev local,id=fs1,path=/home/u/a,,b,security_model=none,readonly=on "
		"-device virtio-9p-device,fsdev=fs1,mount_tag=quiz.cwd "
		"-fsdev local,id=fs2,path=/tmp/s,security_model=none "
		"-device virtio-9p-device,fsdev=fs2,mount_tag=quiz.shared "
		"-device virtio-serial-device,max_ports=8 "
		"-chardev socket,id=stdin,path=stdin.sock -device "
		"virtserialport,chardev=stdin,name=quiz.stdin "
		"-chardev socket,id=stdout,path=stdout.sock -device "
		"virtserialport,chardev=stdout,name=quiz.stdout "
		"-chardev socket,id=stderr,path=stderr.sock -device "
		"virtserialport,chardev=stderr,name=quiz.stderr "
		"-chardev socket,id=status,path=status.sock -device "
		"virtserialport,chardev=status,name=quiz.status "
		"-chardev socket,id=qmp,path=qmp.sock -mon chardev=qmp,mode=control "
		"-s",
		"golden argv (TCG, 3 shares, comma escaped, lpj derived from tsc and HZ)");
	free(got);
	strv_free(&v);

	const struct share mapped[] = {{"quiz.shared", "/tmp/s", true, true}};
	struct qemu_plan root_plan = plan;
	root_plan.shares = mapped;
	root_plan.n_shares = 1;
	CHECK(qemu_argv_build(&root_plan, &v) == 0, "argv with a mapped share builds");
	got = joined(&v);
	CHECK(strstr(got, "-fsdev local,id=fs0,path=/tmp/s,security_model=mapped-xattr -device "
			  "virtio-9p-device,fsdev=fs0,mount_tag=quiz.shared ") != NULL,
	      "a mapped share (a root quiz's --shared): security_model=mapped-xattr, writable");
	free(got);
	strv_free(&v);

	plan.kvm = true;
	plan.tsc_khz = 0;
	CHECK(qemu_argv_build(&plan, &v) == 0, "KVM argv builds");
	got = joined(&v);
	CHECK(strstr(got, "-accel kvm -cpu host") != NULL, "KVM uses -accel kvm -cpu host");
	CHECK(strstr(got, "lpj=") == NULL, "no lpj without a TSC rate");
	CHECK(strstr(got, "nolapic_timer") == NULL, "KVM keeps the LAPIC timer (TSC deadline)");
	free(got);
	strv_free(&v);
}

static void test_cmdline_rules(void)
{
	const char *bad[][1] = {{"--"}, {"a b"}, {""}, {"a=\"b"}, {"\""}, {"x=\"1 2\""}};
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct qemu_plan plan = {
			.arch = arch_host(), .kernel_words = bad[i], .n_kernel_words = 1};
		struct buf b = {0};
		CHECK(kernel_cmdline_build(&plan, &b) == -EINVAL && !b.data,
		      "kernel word '%s' refused%s", bad[i][0],
		      strchr(bad[i][0], '"') ? " (17.20: a '\"' would swallow microvm's words)"
					     : "");
		CHECK(kernel_word_problem(bad[i][0]) != NULL, "kernel_word_problem says why ('%s')",
		      bad[i][0]);
		buf_free(&b);
	}
	CHECK_STR(kernel_word_problem("quiet=\"x"),
		  "holds a '\"', which would make the kernel read the rest of its command line "
		  "(microvm's device words too) as one quoted value; leave the quotes out",
		  "17.20: the '\"' reason names what it would do");
	const char *good[] = {"nokaslr", "quiz.x=a,b", "a='b'", "x=$y"};
	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		CHECK(kernel_word_problem(good[i]) == NULL, "kernel word '%s' is fine", good[i]);
}

static void test_memory(void)
{
	static const struct {
		const char *s;
		int r;
		unsigned long long mib;
	} cases[] = {
		{"512M", 0, 512},
		{"512m", 0, 512},
		{"2G", 0, 2048},
		{"1024", 0, 1024},
		{"32", 0, 32},
		{"32768K", 0, 32},
		{"1T", 0, 1 << 20},
		{"1024G", 0, 1 << 20},
		{"0512M", 0, 512},
		{"31M", -ERANGE, 0},
		{"32767K", -ERANGE, 0},
		{"0", -ERANGE, 0},
		{"1025G", -ERANGE, 0},
		{"2T", -ERANGE, 0},
		{"99999999999999999999999", -ERANGE, 0},
		{"18446744073709551615T", -ERANGE, 0},
		{"", -EINVAL, 0},
		{"M", -EINVAL, 0},
		{"512MB", -EINVAL, 0},
		{"1.5G", -EINVAL, 0},
		{"-1G", -EINVAL, 0},
		{"+1G", -EINVAL, 0},
		{" 1G", -EINVAL, 0},
		{"1 G", -EINVAL, 0},
		{"1P", -EINVAL, 0},
		{"size=1G", -EINVAL, 0},
		{"1G,slots=2", -EINVAL, 0},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		unsigned long long mib = 7;
		int r = qemu_memory_parse(cases[i].s, &mib);
		CHECK(r == cases[i].r && mib == (r ? 7 : cases[i].mib),
		      "17.20: -m '%s': %d, %llu MiB (7: untouched; got %d, %llu)", cases[i].s,
		      cases[i].r, r ? 7 : cases[i].mib, r, mib);
	}
}

static void test_escapes(void)
{
	struct buf b = {0};
	qemu_opt_escape("a,b,,c", &b);
	CHECK_STR(b.data, "a,,b,,,,c", "QEMU option commas doubled");
	buf_free(&b);
	const char *cases[][2] = {
		{"plain-word_1.2/x", "plain-word_1.2/x"},
		{"two words", "'two words'"},
		{"it's", "'it'\\''s'"},
		{"", "''"},
		{"$HOME", "'$HOME'"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		shell_quote(cases[i][0], &b);
		CHECK_STR(b.data, cases[i][1], "shell_quote case %zu", i);
		buf_free(&b);
	}
}

static void test_kconfig_missing(void)
{
	const char *config = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\nCONFIG_HZ=250\n";
	const char *fragment = "# comment\nCONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\nCONFIG_HZ=250\n"
			       "# CONFIG_A is not set\n# CONFIG_D is not set\nCONFIG_E=y\n";
	struct strv m = {0};
	CHECK(kconfig_missing(config, fragment, &m) == 0, "kconfig_missing runs");
	CHECK(m.len == 4, "4 missing (got %zu)", m.len);
	if (m.len == 4) {
		CHECK_STR(m.items[0], "CONFIG_B=y", "B not set");
		CHECK_STR(m.items[1], "CONFIG_C=y", "C is m, not y");
		CHECK_STR(m.items[2], "# CONFIG_A is not set", "A must be off but is on");
		CHECK_STR(m.items[3], "CONFIG_E=y", "E absent");
	}
	strv_free(&m);
}

static void test_virtio_count(void)
{
	char *argv[] = {"qemu",
			"-device",
			"virtio-blk-device,drive=root",
			"-device",
			"virtio-9p-device,fsdev=fs0",
			"-device",
			"virtserialport,name=x",
			"-device",
			"virtio-serial-device",
			"-device",
			"virtio-blk-pci",
			"-drive",
			"virtio-blk-device",
			NULL};
	CHECK(qemu_virtio_devices(arch_find("x86_64"), argv) == 3,
	      "3 virtio-mmio devices counted (ports, PCI and non-device arguments are not)");
	char *ccw[] = {"qemu",
		       "-device",
		       "virtio-blk-ccw,drive=root",
		       "-device",
		       "virtio-9p-ccw,fsdev=fs0",
		       "-device",
		       "virtio-blk-device,drive=x",
		       NULL};
	CHECK(qemu_virtio_devices(arch_find("s390x"), ccw) == 2,
	      "s390x: the -ccw devices are counted, an mmio one is not");
	char *pci[] = {"qemu",
		       "-device",
		       "virtio-blk-pci,drive=root",
		       "-device",
		       "virtio-9p-pci,fsdev=fs0",
		       "-device",
		       "virtio-blk-device,drive=x",
		       NULL};
	CHECK(qemu_virtio_devices(arch_find("ppc64le"), pci) == 2,
	      "ppc64le: the -pci devices are counted, an mmio one is not");
}

/* The attach port: on the stdio ports' bus, after them, QEMU its socket's server. */
static void test_attach_port(void)
{
	struct qemu_plan plan = {
		.arch = arch_find("x86_64"),
		.kernel_image = "/k",
		.root_image = "/i",
		.memory = "512M",
		.cpus = 1,
		.attach = true,
	};
	struct strv v = {0};
	CHECK(qemu_argv_build(&plan, &v) == 0, "argv with the attach port builds");
	char *got = joined(&v);
	CHECK(strstr(got, "virtserialport,chardev=status,name=quiz.status "
			  "-chardev socket,id=attach,path=attach.sock,server=on,wait=off "
			  "-device virtserialport,chardev=attach,name=quiz.attach ") != NULL,
	      "the port quiz.attach follows the status port, its socket a server in the run "
	      "folder");
	CHECK(qemu_virtio_devices(plan.arch, v.items) == 2,
	      "and takes no device slot (image, serial bus)");
	free(got);
	strv_free(&v);
	plan.attach = false;
	CHECK(qemu_argv_build(&plan, &v) == 0, "argv without it builds");
	got = joined(&v);
	CHECK(strstr(got, "attach") == NULL, "QUIZ_NO_ATTACH's argv has no attach port");
	free(got);
	strv_free(&v);
}

/* The same run on each other architecture: its machine, console, transport, no x86 words. */
static void test_other_archs(void)
{
	const struct share shares[] = {{"quiz.run", "/r", false}};
	struct qemu_plan plan = {
		.kernel_image = "/k/Image",
		.root_image = "/i.ext2",
		.memory = "512M",
		.cpus = 1,
		.shares = shares,
		.n_shares = 1,
		.tsc_khz = 2000000, /* would be x86's: other archs take no such words */
		.hz = 250,
	};
	struct strv v = {0};
	plan.arch = arch_find("aarch64");
	CHECK(qemu_argv_build(&plan, &v) == 0, "aarch64 argv builds");
	char *got = joined(&v);
	CHECK_STR(
		got,
		"qemu-system-aarch64 -M virt -accel tcg -cpu max -nodefaults -no-user-config "
		"-display none -no-reboot -kernel /k/Image -append 'console=ttyAMA0 "
		"root=/dev/vda rootfstype=ext2 ro init=/sbin/init panic=-1 loglevel=5 "
		"printk.devkmsg=on' "
		"-chardev socket,id=console,path=console.sock -serial chardev:console -m 512M "
		"-smp 1 -fsdev local,id=fs0,path=/r,security_model=none,readonly=on "
		"-device virtio-9p-device,fsdev=fs0,mount_tag=quiz.run "
		"-device virtio-serial-device,max_ports=8 "
		"-chardev socket,id=stdin,path=stdin.sock -device "
		"virtserialport,chardev=stdin,name=quiz.stdin "
		"-chardev socket,id=stdout,path=stdout.sock -device "
		"virtserialport,chardev=stdout,name=quiz.stdout "
		"-chardev socket,id=stderr,path=stderr.sock -device "
		"virtserialport,chardev=stderr,name=quiz.stderr "
		"-chardev socket,id=status,path=status.sock -device "
		"virtserialport,chardev=status,name=quiz.status "
		"-chardev socket,id=qmp,path=qmp.sock -mon chardev=qmp,mode=control "
		"-drive file=/i.ext2,if=none,id=root,format=raw,readonly=on "
		"-device virtio-blk-device,drive=root",
		"golden aarch64 argv: virt, the PL011 console, virtio-mmio, no x86 words, the root "
		"disk last (virt's transports go top down: the last disk is vda)");
	free(got);
	strv_free(&v);
	plan.arch = arch_find("s390x");
	CHECK(qemu_argv_build(&plan, &v) == 0, "s390x argv builds");
	got = joined(&v);
	CHECK_STR(got,
		  "qemu-system-s390x -M s390-ccw-virtio -accel tcg -cpu max -nodefaults "
		  "-no-user-config -display none -no-reboot -kernel /k/Image -append "
		  "'console=ttysclp0 root=/dev/vda rootfstype=ext2 ro init=/sbin/init panic=-1 "
		  "loglevel=5 printk.devkmsg=on' -chardev socket,id=console,path=console.sock "
		  "-serial chardev:console "
		  "-m 512M -smp 1 -drive file=/i.ext2,if=none,id=root,format=raw,readonly=on "
		  "-device virtio-blk-ccw,drive=root "
		  "-fsdev local,id=fs0,path=/r,security_model=none,readonly=on "
		  "-device virtio-9p-ccw,fsdev=fs0,mount_tag=quiz.run "
		  "-device virtio-serial-ccw,max_ports=8 "
		  "-chardev socket,id=stdin,path=stdin.sock -device "
		  "virtserialport,chardev=stdin,name=quiz.stdin "
		  "-chardev socket,id=stdout,path=stdout.sock -device "
		  "virtserialport,chardev=stdout,name=quiz.stdout "
		  "-chardev socket,id=stderr,path=stderr.sock -device "
		  "virtserialport,chardev=stderr,name=quiz.stderr "
		  "-chardev socket,id=status,path=status.sock -device "
		  "virtserialport,chardev=status,name=quiz.status "
		  "-chardev socket,id=qmp,path=qmp.sock -mon chardev=qmp,mode=control",
		  "golden s390x argv: s390-ccw-virtio, the SCLP console, virtio-ccw devices");
	free(got);
	strv_free(&v);
	/* riscv64 and Power: the machine, the console, the CPU, the transport, and the root disk
	 * first (the rest of the line is the same for every architecture). */
	const struct {
		const char *arch, *head, *devices, *why;
	} rows[] = {
		{"riscv64",
		 "qemu-system-riscv64 -M virt -accel tcg -cpu rv64 -nodefaults -no-user-config "
		 "-display none -no-reboot -kernel /k/Image -append 'console=ttyS0 root=/dev/vda ",
		 "-drive file=/i.ext2,if=none,id=root,format=raw,readonly=on "
		 "-device virtio-blk-device,drive=root "
		 "-fsdev local,id=fs0,path=/r,security_model=none,readonly=on "
		 "-device virtio-9p-device,fsdev=fs0,mount_tag=quiz.run "
		 "-device virtio-serial-device,max_ports=8 ",
		 "riscv64: virt, the NS16550A, virtio-mmio with the root disk first"},
		{"ppc64le",
		 "qemu-system-ppc64 -M "
		 "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,"
		 "cap-ccf-assist=off -accel tcg -cpu power9 -nodefaults -no-user-config -display "
		 "none "
		 "-no-reboot -kernel /k/Image -append 'console=hvc0 root=/dev/vda ",
		 "-drive file=/i.ext2,if=none,id=root,format=raw,readonly=on "
		 "-device virtio-blk-pci,drive=root "
		 "-fsdev local,id=fs0,path=/r,security_model=none,readonly=on "
		 "-device virtio-9p-pci,fsdev=fs0,mount_tag=quiz.run "
		 "-device virtio-serial-pci,max_ports=8 ",
		 "ppc64le: pseries with VOF, hvc0, virtio-pci"},
	};
	for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
		plan.arch = arch_find(rows[i].arch);
		CHECK(qemu_argv_build(&plan, &v) == 0, "%s argv builds", rows[i].arch);
		got = joined(&v);
		CHECK(strncmp(got, rows[i].head, strlen(rows[i].head)) == 0, "%s: head",
		      rows[i].why);
		CHECK(strstr(got, rows[i].devices) != NULL, "%s: devices, the root disk first",
		      rows[i].why);
		CHECK(!strstr(got, "tsc") && !strstr(got, "lpj="), "%s: no x86 words",
		      rows[i].arch);
		if (!strstr(got, rows[i].devices))
			printf("# got: %s\n", got);
		free(got);
		strv_free(&v);
	}
}

int main(void)
{
	test_virtio_count();
	test_golden();
	test_other_archs();
	test_attach_port();
	test_cmdline_rules();
	test_memory();
	test_escapes();
	test_kconfig_missing();
	return tap_done();
}
