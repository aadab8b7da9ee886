/* SPDX-License-Identifier: MIT */
/* The boot benchmark's floor: an init that ends the VM at once (reboot=t, QEMU -no-reboot). */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	reboot(RB_AUTOBOOT);
	return 0;
}
