// SPDX-License-Identifier: GPL-2.0
/* "atnet monitor": the events group, one line per event, until killed. */
#include <errno.h>
#include <stdio.h>
#include <linux/atnet.h>

#include "commands.h"
#include "genl.h"
#include "show.h"
#include "util.h"

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *gh = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*gh) ||
	    gh->cmd != ATNET_CMD_EVENT)
		return 0;
	show_event(stdout, nlh);
	/* a reader at the end of a pipe (a test) sees each event at once */
	fflush(stdout);
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	struct genl g;
	int err;

	(void)argv;
	if (argc != 1)
		return usage_error("usage: atnet monitor");
	if (genl_open(&g) || genl_join_events(&g))
		return 1;
	for (;;) {
		err = nl_recv(&g.nl, monitor_cb, NULL);
		if (err == -ENOBUFS) {
			errorf("monitor: events lost (receive buffer overrun)");
			continue;
		}
		if (err && err != -EINTR)
			break;
	}
	nl_perror(NULL, err, "monitor");
	genl_close(&g);
	return 1;
}
