# SPDX-License-Identifier: MIT
# A kernel tree's Makefile as quiz-kernel-build sees it, for the host tests (kernel-flavour,
# kernel-bpf, kernel-llvm): allnoconfig takes the wanted config with kconfig's rule (a symbol's
# last line wins) and writes the build folder's Makefile as the kernel does; olddefconfig drops
# the symbols in FAKE_DROP (an option that does not take effect); kernelrelease is 6.1.99 and
# the config's CONFIG_LOCALVERSION, as the kernel's setlocalversion makes it; "all" notes that
# it ran in FAKE_MAKE_LOG when that is set, and in FAKE_GCOV_LOG, as Kbuild's sub-makes for a
# few folders (obj=FOLDER) see it, each folder's GCOV_PROFILE (quiz-kernel build --gcov-only).
MAKEFLAGS += --no-print-directory
O ?= .
FAKE_FOLDERS = fs fs/ext4 fs/ext4/sub fs/ext2 fs/ext4x kernel/gcov
.PHONY: allnoconfig olddefconfig syncconfig all kernelrelease modules_install gcov-profile
allnoconfig:
	mkdir -p $(O)
	tac $(KCONFIG_ALLCONFIG) | awk '{ s = $$0; sub(/^# /, "", s); sub(/[= ].*/, "", s); if (s !~ /^CONFIG_/ || !seen[s]++) print }' | tac >$(O)/.config
	echo '# generated' >$(O)/Makefile
olddefconfig:
	for s in $(FAKE_DROP); do grep -v "^$$s=" $(O)/.config >$(O)/.config.new; mv $(O)/.config.new $(O)/.config; done
syncconfig:
	@:
all:
	$(if $(FAKE_MAKE_LOG),echo all >>$(FAKE_MAKE_LOG))
	$(if $(FAKE_GCOV_LOG),for d in $(FAKE_FOLDERS); do $(MAKE) gcov-profile obj=$$d || exit; done)
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
gcov-profile:
	echo "$(obj) GCOV_PROFILE=$(GCOV_PROFILE)" >>$(FAKE_GCOV_LOG)
kernelrelease:
	@echo "6.1.99$$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$$/\1/p' $(O)/.config)"
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$$($(MAKE) -s kernelrelease)
