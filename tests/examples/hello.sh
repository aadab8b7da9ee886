#!/bin/sh
# SPDX-License-Identifier: MIT
# The quickstart's example: runs in the guest, shows what the guest is, exits with 3.
echo "guest kernel: $(uname -r)"
echo "hostname: $(hostname), pid of init: $(cat /proc/1/comm)"
echo "current directory: $(pwd) (same as on the host)"
echo "root filesystem: $(awk '$2 == "/" {print $3}' /proc/mounts)"
exit 3
