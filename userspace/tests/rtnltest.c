// SPDX-License-Identifier: GPL-2.0
/*
 * rtnltest addr|route|link add|del IFNAME ADDR [PLEN]: the daemon's rtnl.c
 * calls ("link" only sets IFF_UP), one at a time, so run.sh can check them against "ip" in a private
 * network namespace. Prints the error line the daemon would log.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rtnl.h"
#include "../util.h"

int main(int argc, char **argv)
{
	uint32_t ifindex, addr;
	bool add;
	struct nl nl;
	int err;

	if (argc < 5 || !(ifindex = if_nametoindex(argv[3])) ||
	    inet_pton(AF_INET, argv[4], &addr) != 1) {
		fprintf(stderr, "usage: rtnltest addr|route add|del IFNAME ADDR [PLEN]\n");
		return 2;
	}
	add = !strcmp(argv[2], "add");
	err = nl_open(&nl, NETLINK_ROUTE);
	if (!err && !strcmp(argv[1], "link"))
		err = rtnl_link_up(&nl, ifindex);
	else if (!err && !strcmp(argv[1], "addr"))
		err = rtnl_addr(&nl, add, ifindex, addr);
	else if (!err)
		err = rtnl_route(&nl, add, ifindex, addr,
				 argc > 5 ? (unsigned int)atoi(argv[5]) : 32);
	if (err)
		nl_perror(&nl, err, "%s %s", argv[1], argv[2]);
	return err ? 1 : 0;
}
