// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholder SIM7020 dialect so modem-sim links; the SIM7020 helper
 * replaces this file with the real dialect.
 */
#include "sim.h"

static void stub_line(struct sim *s, const char *line)
{
	if (!sim_prefix(line, "AT") || line[2])
		sim_error(s);
	else
		sim_ok(s);
}

const struct sim_dialect sim7020_dialect = {
	.name = "sim7020",
	.line = stub_line,
};
