// SPDX-License-Identifier: GPL-2.0
/*
 * atnet: attach SIMCom modems to the atnet line discipline and drive the
 * "atnet" generic netlink family. One verb per file; this is the table.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "util.h"

static const char usage[] =
"Usage: atnet VERB [ARGS]\n"
"\n"
"  attach TTY [--baud N] [--flow none|rtscts] [--ldisc N]\n"
"             [--apn APN [--user U --password P]] [--context N]\n"
"             [--up [--wait]] [--keep-up] [--route[=PREFIX]]...\n"
"             [--default-route] [--timeout SEC] [--foreground]\n"
"      Put the atnet line discipline on TTY (default 115200 8N1, no flow\n"
"      control), print the interface, and stay in the background holding\n"
"      the tty: while a context is up its address is on its interface (/32)\n"
"      with the routes asked for (--route: default 0.0.0.0/0). --up waits\n"
"      for the modem to be ready (--timeout, default 60 s), --wait also for\n"
"      the context; --keep-up (implies --up) asks again, backing off, when\n"
"      the context is lost or the modem restarts. SIGTERM (or atnet\n"
"      detach) detaches.\n"
"  detach IFACE            stop the process holding the modem's tty\n"
"  show [IFACE]            modem, contexts, links, listener, counters\n"
"  set IFACE [context N] [apn APN] [user U] [password P]\n"
"  up IFACE [context N]    activate a PDP context (result: see monitor)\n"
"  down IFACE [context N]  deactivate it\n"
"  monitor                 print events, one line each, until killed\n"
"  listen IFACE PORT [context N]   start the modem's TCP server\n"
"  unlisten IFACE          stop it\n"
"  resolve IFACE HOST      DNS lookup through the modem\n"
"  ping IFACE ADDR [-c N]  ICMP echo through the modem\n"
"  help                    this text\n"
"\n"
"Errors are reported on stderr with a non-zero exit status (2 for usage).\n";

static const struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "attach", cmd_attach },
	{ "detach", cmd_detach },
	{ "show", cmd_show },
	{ "set", cmd_set },
	{ "up", cmd_up },
	{ "down", cmd_down },
	{ "monitor", cmd_monitor },
	{ "listen", cmd_listen },
	{ "unlisten", cmd_unlisten },
	{ "resolve", cmd_resolve },
	{ "ping", cmd_ping },
};

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	return usage_error("unknown verb '%s'", argv[1]);
}
