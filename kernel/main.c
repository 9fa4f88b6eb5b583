// SPDX-License-Identifier: GPL-2.0
/*
 * atnet: SIMCom AT-command modems as a line discipline, wwan interfaces, a
 * generic netlink family and a socket family. This file is the table of
 * contents: what comes up in which order, and goes down in reverse.
 */
#include <linux/module.h>
#include <linux/tty.h>
#include <net/genetlink.h>

#include <linux/atnet.h>

#include "ldisc.h"
#include "netlink.h"
#include "socket.h"

static int ldisc = ATNET_LDISC_DEFAULT;
module_param(ldisc, int, 0444);
MODULE_PARM_DESC(ldisc, "line discipline number (default 29, N_DEVELOPMENT)");

static int __init atnet_init(void)
{
	int err;

	if (ldisc < 1 || ldisc >= NR_LDISCS) {
		pr_err("ldisc=%d out of range 1..%d\n", ldisc, NR_LDISCS - 1);
		return -EINVAL;
	}

	/* Events may be sent as soon as a tty attaches: netlink first. */
	err = atnet_netlink_init();
	if (err)
		goto err_netlink;

	err = atnet_ldisc_init(ldisc);
	if (err)
		goto err_ldisc;

	/* Sockets look modems up: the family opens once they can exist. */
	err = atnet_socket_init();
	if (err)
		goto err_socket;

	pr_info("line discipline %d registered\n", ldisc);
	return 0;

err_socket:
	atnet_ldisc_exit();
err_ldisc:
	atnet_netlink_exit();
err_netlink:
	return err;
}

static void __exit atnet_exit(void)
{
	atnet_socket_exit();
	/* No tty can still be attached: each one holds a module reference. */
	atnet_ldisc_exit();
	atnet_netlink_exit();
}

module_init(atnet_init);
module_exit(atnet_exit);

MODULE_LICENSE("GPL");
/* MODULE_DESCRIPTION names the families: it is with the model table. */
MODULE_AUTHOR("atnet developers");
MODULE_ALIAS_LDISC(ATNET_LDISC_DEFAULT);
MODULE_ALIAS_GENL_FAMILY(ATNET_GENL_NAME);
