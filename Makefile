# SPDX-License-Identifier: GPL-2.0
#
# atnet top-level Makefile.
#
#   make               build everything that exists: atnet.ko (Kbuild, against
#                      the Debian 6.1 kernel scripts/kver.sh finds), userspace/
#                      atnet, selftests/modem-sim, selftests/host, VM tests
#   make check         deps if missing, build, host tests + VM suite; TAP and a
#                      final "N passed, N failed" line
#   make demo          run selftests/demo.sh in the VM (MODEL=sim7000|sim7020)
#   make deps          apt-get install what is missing (scripts/deps.sh)
#   make ksft-headers  kselftest_harness.h/kselftest.h into build/ksft/
#   make vm-tests      build the VM test programs into build/vm-tests/
#   make sparse        module build with sparse (C=2)
#   make check-debug   the VM suite on a lockdep/KASAN/kmemleak/UBSAN kernel
#                      (see "Debug-kernel tier" below; not part of make check)
#   make install       install atnet.ko (modules_install) and the atnet tool
#   make clean         (keeps build/debug-kernel; make distclean removes it)
#
# Never loads the module on the host: tests load it only inside the QEMU guest.

TOP	:= $(CURDIR)
KVER	?= $(shell $(TOP)/scripts/kver.sh 2>/dev/null)
KDIR	?= /lib/modules/$(KVER)/build
BUILD	:= $(TOP)/build
KSFT	:= $(BUILD)/ksft
VMTESTS	:= $(BUILD)/vm-tests
MODEL	?= sim7000

export KSFT VMTESTS

# userspace parts with their own Makefile (skipped while absent)
USER_DIRS	:= userspace selftests/modem-sim selftests/host
# VM test programs, installed into $(VMTESTS)
VMTEST_DIRS	:= selftests/smoke selftests/atnet

SUBMAKE	= $(MAKE) --no-print-directory

all: module user vm-tests

kver:
	@test -n "$(KVER)" || { echo "no usable 6.1 kernel+headers: run 'make deps'" >&2; exit 1; }

module: kver
	+@if [ -f Kbuild ]; then \
		$(SUBMAKE) -C $(KDIR) M=$(TOP) modules; \
	else echo "module: no Kbuild yet, skipped"; fi

sparse: kver
	+@if [ -f Kbuild ]; then \
		$(SUBMAKE) -C $(KDIR) M=$(TOP) C=2 modules; \
	else echo "sparse: no Kbuild yet, skipped"; fi

user:
	+@for d in $(USER_DIRS); do \
		if [ -f $$d/Makefile ]; then \
			$(SUBMAKE) -C $$d all || exit 1; \
		else echo "$$d: no Makefile yet, skipped"; fi; \
	done

ksft-headers: $(KSFT)/kselftest_harness.h

$(KSFT)/kselftest_harness.h:
	@$(TOP)/scripts/ksft-headers.sh $(KSFT)

vm-tests: ksft-headers
	@mkdir -p $(VMTESTS)
	+@for d in $(VMTEST_DIRS); do \
		if [ -f $$d/Makefile ]; then \
			$(SUBMAKE) -C $$d all TOP=$(TOP) || exit 1; \
		else echo "$$d: no Makefile yet, skipped"; fi; \
	done

deps:
	@$(TOP)/scripts/deps.sh

# deps only when something is missing (no apt-get otherwise)
deps-if-missing:
	@$(TOP)/scripts/deps.sh --check || $(TOP)/scripts/deps.sh

# Sub-makes re-read KVER after deps may have installed the kernel.
check: deps-if-missing
	+@$(SUBMAKE) all
	@$(TOP)/scripts/check.sh

# The VM suite alone (after a build), e.g. make vm-check MODEL=sim7020
vm-check: all
	@$(TOP)/selftests/run_vm_tests.sh $(if $(filter command line,$(origin MODEL)),--model $(MODEL))

# Debug-kernel tier, WireGuard style: the same VM suite, booting a 6.1
# kernel built here with lockdep, KASAN, kmemleak, UBSAN and debug objects
# (scripts/debug-kernel.sh) and an atnet.ko built against it.  The one switch
# is ATNET_DEBUG_KERNEL=1 (selftests/vm.sh --debug-kernel).  Not part of
# make check: the kernel build takes tens of minutes on two cores and CI has
# 90 minutes; the build is cached, so later runs only pay for the VMs.
#   make debug-kernel   build the kernel (build/debug-kernel/, cached)
#   make debug-module   atnet.ko against it, built from a copy of the
#                       sources in build/debug-src/ (6.1 has no MO=)
#   make check-debug    both, then the VM suite on it (MODEL=... for one)
DEBUG_SRC	:= $(BUILD)/debug-src

debug-kernel:
	@$(TOP)/scripts/debug-kernel.sh >/dev/null

debug-module: debug-kernel
	@mkdir -p $(DEBUG_SRC)/kernel $(DEBUG_SRC)/uapi
	@cp -p Kbuild $(DEBUG_SRC)/
	@cp -p kernel/*.[ch] $(DEBUG_SRC)/kernel/
	@cp -pR uapi/. $(DEBUG_SRC)/uapi/
	+@$(SUBMAKE) -C $$($(TOP)/scripts/debug-kernel.sh --check) \
		M=$(DEBUG_SRC) KCFLAGS=-g modules

check-debug: deps-if-missing
	+@$(SUBMAKE) debug-module user vm-tests
	@ATNET_DEBUG_KERNEL=1 $(TOP)/selftests/run_vm_tests.sh \
		$(if $(filter command line,$(origin MODEL)),--model $(MODEL))

# The AF_ATNET benchmark: one VM boot per configuration, one table (README).
bench: deps-if-missing all
	selftests/bench/bench.sh

demo: deps-if-missing
	+@$(SUBMAKE) all
	@if [ -f selftests/demo.sh ]; then \
		$(TOP)/selftests/vm.sh --model $(MODEL) \
			$$(sed -n 's/^# vm-args:[[:space:]]*//p' selftests/demo.sh | head -n 1) \
			--add selftests/demo.sh -- sh /extra/demo.sh; \
	else echo "demo: selftests/demo.sh does not exist yet" >&2; exit 1; fi

install: all
	+@if [ -f atnet.ko ]; then $(SUBMAKE) -C $(KDIR) M=$(TOP) modules_install; fi
	+@if [ -f userspace/Makefile ]; then $(SUBMAKE) -C userspace install; fi

clean:
	+@for d in $(USER_DIRS) $(VMTEST_DIRS); do \
		[ -f $$d/Makefile ] && $(SUBMAKE) -C $$d clean || true; \
	done
	@if [ -f Kbuild ] && [ -n "$(KVER)" ] && [ -d $(KDIR) ]; then \
		$(SUBMAKE) -C $(KDIR) M=$(TOP) clean; fi
	@# keep the debug kernel (tens of minutes to rebuild): make distclean
	@if [ -d $(BUILD) ]; then \
		find $(BUILD) -mindepth 1 -maxdepth 1 ! -name debug-kernel -exec rm -rf {} +; \
	fi

distclean: clean
	rm -rf $(BUILD)

.PHONY: all bench kver module sparse user ksft-headers vm-tests deps deps-if-missing \
	check vm-check demo install clean distclean debug-kernel debug-module check-debug
