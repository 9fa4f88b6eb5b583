/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmtest.h - register a VM test program with selftests/run_vm_tests.sh.
 *
 * A program in build/vm-tests/ may embed which simulated models it runs
 * against and extra selftests/vm.sh options; the runner finds the strings
 * in the binary (grep -a).  Scripts write the same lines as comments:
 *   # vm-models: sim7000 sim7020
 *   # vm-args: --no-attach --baud 9600
 *   # vm-variants: sim7000/--urc-noise sim7020/--autobaud=3
 * A sidecar file NAME.vm with those lines overrides both.
 */
#ifndef ATNET_SELFTEST_VMTEST_H
#define ATNET_SELFTEST_VMTEST_H

#define VM_TEST_META(models, args)					\
	static const char vm_test_meta[] __attribute__((used)) =	\
		"\nvm-models: " models "\nvm-args: " args "\n"

/*
 * Extra runs against the simulator's real-modem quirks, "MODELS/OPTS ..."
 * (selftests/run_vm_tests.sh): VM_TEST_VARIANTS("sim7000/--compact").
 */
#define VM_TEST_VARIANTS(variants)					\
	static const char vm_test_variants[] __attribute__((used)) =	\
		"\nvm-variants: " variants "\n"

#endif
