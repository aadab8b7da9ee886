# SPDX-License-Identifier: MIT
# A kernel tree's Makefile as quiz-kernel-build sees it, for the host tests (kernel-flavour,
# kernel-bpf, kernel-llvm): allnoconfig takes the wanted config with kconfig's rule (a symbol's
# last line wins) and writes the build folder's Makefile as the kernel does; olddefconfig drops
# the symbols in FAKE_DROP (an option that does not take effect); kernelrelease is 6.1.99 and
# the config's CONFIG_LOCALVERSION, as the kernel's setlocalversion makes it; "all" notes that
# it ran in FAKE_MAKE_LOG when that is set.
MAKEFLAGS += --no-print-directory
O ?= .
.PHONY: allnoconfig olddefconfig syncconfig all kernelrelease modules_install
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
	mkdir -p $(O)/arch/x86/boot
	echo bzImage >$(O)/arch/x86/boot/bzImage
	cp /bin/true $(O)/vmlinux
	echo "ffffffff81000000 T _text" >$(O)/System.map
kernelrelease:
	@echo "6.1.99$$(sed -n 's/^CONFIG_LOCALVERSION="\(.*\)"$$/\1/p' $(O)/.config)"
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$$($(MAKE) -s kernelrelease)
