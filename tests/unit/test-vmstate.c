/* SPDX-License-Identifier: MIT */
/* Saved VM states' keys: what makes another slot, what does not; when a run boots cold. */
#include <string.h>

#include "tap.h"
#include "vmstate.h"

static void slot_of(const char *fsdev, const char *memory, char ret[17])
{
	char *argv[] = {"qemu-system-x86_64",
			"-m",
			(char *)memory,
			"-fsdev",
			(char *)fsdev,
			"-device",
			"virtio-9p-device,fsdev=fs0,mount_tag=quiz.run",
			NULL};
	vmstate_slot(argv, ret);
}

static void test_slot(void)
{
	char a[17], b[17], c[17], d[17], e[17], f[17];
	slot_of("local,id=fs0,path=/home/u/.cache/quiz/runs/aaa/run,security_model=none", "512M",
		a);
	slot_of("local,id=fs0,path=/home/u/.cache/quiz/runs/bbb/run,security_model=none", "512M",
		b);
	CHECK_STR(a, b, "another run's share path: the same slot");
	CHECK(strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16, "16 hex digits");
	slot_of("local,id=fs0,path=/a,,b,security_model=none", "512M", c);
	slot_of("local,id=fs0,path=/x,,y,,z,security_model=none", "512M", d);
	CHECK_STR(c, d, "a path with (doubled) commas is skipped whole");
	CHECK_STR(a, c, "whatever the path");
	slot_of("local,id=fs0,path=/a,security_model=none,readonly=on", "512M", e);
	CHECK(strcmp(a, e) != 0, "a share made read-only: another slot");
	slot_of("local,id=fs0,path=/home/u/.cache/quiz/runs/aaa/run,security_model=none", "1G", f);
	CHECK(strcmp(a, f) != 0, "other memory: another slot");
	char *other[] = {"qemu-system-x86_64",
			 "-m",
			 "512M",
			 "-fsdev",
			 "local,id=fs0,path=/p,security_model=none",
			 "-device",
			 "virtio-9p-device,fsdev=fs0,mount_tag=quiz.cwd",
			 NULL};
	vmstate_slot(other, f);
	CHECK(strcmp(a, f) != 0, "another share tag: another slot");
	char *path_elsewhere[] = {"qemu-system-x86_64", "-m", "/a", "-fsdev", "x", NULL};
	char *path_elsewhere2[] = {"qemu-system-x86_64", "-m", "/b", "-fsdev", "x", NULL};
	vmstate_slot(path_elsewhere, e);
	vmstate_slot(path_elsewhere2, f);
	CHECK(strcmp(e, f) != 0, "a path anywhere but an -fsdev's path= counts");
}

static void test_identity(void)
{
	char a[17], b[17], c[17];
	const char *one[] = {"vmlinux 100 1.5", "image 7 2.0", "qemu 1"};
	const char *two[] = {"vmlinux 100 1.6", "image 7 2.0", "qemu 1"};
	const char *split[] = {"vmlinux 100 1.5image 7 2.0", "", "qemu 1"};
	vmstate_identity(one, 3, a);
	vmstate_identity(two, 3, b);
	vmstate_identity(split, 3, c);
	CHECK(strcmp(a, b) != 0, "a rebuilt kernel: another identity");
	CHECK(strcmp(a, c) != 0, "parts are kept apart");
	vmstate_identity(one, 3, b);
	CHECK_STR(a, b, "the same inputs: the same identity");
}

static void test_cold(void)
{
	const struct arch *x86 = arch_find("x86_64");
	struct vmstate_case c = {.arch = x86};
	CHECK(vmstate_cold_reason(&c) == NULL, "x86_64, no extra QEMU arguments: a saved state");
	c.cold = true;
	CHECK(vmstate_cold_reason(&c) && strstr(vmstate_cold_reason(&c), "--cold"), "--cold");
	c = (struct vmstate_case){.arch = x86, .n_extra_args = 2};
	CHECK(vmstate_cold_reason(&c) && strstr(vmstate_cold_reason(&c), "disks"),
	      "a profile's disk: cold (the kernel probed the saved one)");
	struct arch unmigrated = *x86; /* every row migrates today; one added before it is tried */
	unmigrated.saved_state = false;
	c = (struct vmstate_case){.arch = &unmigrated};
	CHECK(vmstate_cold_reason(&c) && strstr(vmstate_cold_reason(&c), "architecture"),
	      "an architecture without saved states: cold");
}

static void test_restore_argv(void)
{
	char *argv[] = {"qemu-system-x86_64", "-m", "512M", NULL};
	struct strv v = {0};
	CHECK(vmstate_restore_argv(argv, &v) == 0, "restore argv: made");
	CHECK(v.len == 5, "restore argv: QEMU's own words and two more (%zu)", v.len);
	CHECK_STR(v.items[0], "qemu-system-x86_64", "restore argv: the command first");
	CHECK_STR(v.items[2], "512M", "restore argv: the words kept in order");
	CHECK_STR(v.items[3], "-incoming", "restore argv: -incoming");
	CHECK_STR(v.items[4], "fd:3", "restore argv: from the descriptor quiz hands QEMU");
	CHECK(v.items[5] == NULL, "restore argv: NULL-terminated");
	strv_free(&v);
}

static void test_boot_cold_again(void)
{
	struct vmstate_start s = {.park = VM_PARK_RESTORE, .no_status = true};
	CHECK(vmstate_boot_cold_again(&s),
	      "a restore that ended without a status and never resumed: "
	      "cold again");
	s = (struct vmstate_start){.park = VM_PARK_RESTORE, .guest_error = true};
	CHECK(vmstate_boot_cold_again(&s),
	      "a restored guest that refused to go on (unseeded): cold again");
	CHECK(vmstate_start_refused(&s), "... it refused to go on");
	s.resumed = true;
	CHECK(!vmstate_boot_cold_again(&s),
	      "an error after it resumed is the run's: no second boot");
	CHECK(!vmstate_start_refused(&s), "... and no refusal at the park point");
	s = (struct vmstate_start){.park = VM_PARK_RESTORE, .resumed = true, .no_status = true};
	CHECK(!vmstate_boot_cold_again(&s), "a resumed guest that died: the run's end, not again");
	s = (struct vmstate_start){.park = VM_PARK_RESTORE};
	CHECK(!vmstate_boot_cold_again(&s),
	      "a restore stopped by -t or a signal before it resumed: not again");
	s = (struct vmstate_start){.park = VM_PARK_SAVE, .guest_error = true};
	CHECK(!vmstate_boot_cold_again(&s), "a save run is a cold boot already: not again");
	CHECK(vmstate_start_refused(&s),
	      "... but its guest refused to go on: the state is not kept");
	s = (struct vmstate_start){.park = VM_PARK_GO, .no_status = true};
	CHECK(!vmstate_boot_cold_again(&s), "a cold boot without a status: not again");
}

/* Restore, save or boot cold: every branch of the choice, and what it says. */
static void test_choose(void)
{
	static const struct {
		struct vmstate_facts f;
		enum vm_park park;
		const char *why;
		const char *what;
	} cases[] = {
		{{NULL, 0, 0, true}, VM_PARK_RESTORE, NULL, "a trusted state: restore it"},
		{{NULL, 0, -ENOENT, true}, VM_PARK_SAVE, NULL, "none, the slot ran before: save"},
		{{NULL, 0, -ENOENT, false},
		 VM_PARK_GO,
		 VMSTATE_FIRST_RUN,
		 "none, the slot's first run: cold, the next run saves"},
		{{"--cold", 0, 0, true}, VM_PARK_GO, "--cold", "a forced reason wins over a state"},
		{{NULL, -EPERM, 0, true},
		 VM_PARK_GO,
		 "its folder is not private (see above)",
		 "a folder not private: cold, its state unused"},
		{{NULL, -EACCES, 0, true},
		 VM_PARK_GO,
		 "its folder cannot be made or opened",
		 "a folder that cannot be opened: cold"},
		{{NULL, 0, -EPERM, true},
		 VM_PARK_GO,
		 "the saved state is not to be trusted (see above)",
		 "an untrusted state: cold"},
		{{NULL, 0, -ENOMEM, true}, VM_PARK_GO, "out of memory", "out of memory: cold"},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const char *why = "unset";
		enum vm_park park = vmstate_choose(&cases[i].f, &why);
		CHECK(park == cases[i].park &&
			      (why == cases[i].why ||
			       (why && cases[i].why && strcmp(why, cases[i].why) == 0)),
		      "%s (park %d, %s)", cases[i].what, park, why ? why : "no reason");
	}
}

int main(void)
{
	test_choose();
	test_boot_cold_again();
	test_restore_argv();
	test_slot();
	test_identity();
	test_cold();
	return tap_done();
}
