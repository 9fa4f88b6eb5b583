// SPDX-License-Identifier: GPL-2.0
/* SIM7000 dialect (work in progress). */
#include <string.h>
#include "sim.h"

static void s7_line(struct sim *s, const char *line)
{
	if (!strcasecmp(line, "AT"))
		sim_ok(s);
	else if (!strcasecmp(line, "ATE0") || !strcasecmp(line, "ATE1") ||
		 !strcasecmp(line, "ATE")) {
		s->echo = line[3] == '1';
		sim_ok(s);
	} else
		sim_error(s);
}

const struct sim_dialect sim7000_dialect = {
	.name = "sim7000",
	.line = s7_line,
};
