// SPDX-License-Identifier: GPL-2.0
/*
 * The line discipline: the tty glue and nothing else. Each attached tty gets
 * one modem (modem.c); bytes from the UART go to its chat engine, bytes for
 * the UART leave through its tx work.
 *
 * The tty layer serialises open, close and hangup against each other, and
 * close runs with ldisc references blocked: no receive_buf2 or write_wakeup
 * arrives during or after it. Hangup runs first with the ldisc still
 * referenced; the line is gone by then, so it only marks the modem dead and
 * close does the teardown.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/sockios.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>

#include "ldisc.h"
#include "modem.h"

static int atnet_ldisc_open(struct tty_struct *tty)
{
	struct atnet_modem *m;

	/* The modem gets interfaces and answers netlink: admin only. */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (!tty->ops->write)
		return -EOPNOTSUPP;

	m = atnet_modem_create(tty);
	if (IS_ERR(m))
		return PTR_ERR(m);
	tty->disc_data = m;
	/* The chat engine takes every byte; the modem flow-controls itself. */
	tty->receive_room = 65536;
	atnet_modem_start(m);
	return 0;
}

static void atnet_ldisc_close(struct tty_struct *tty)
{
	struct atnet_modem *m = tty->disc_data;

	if (!m)
		return;
	atnet_modem_destroy(m);
	tty->disc_data = NULL;
}

static void atnet_ldisc_hangup(struct tty_struct *tty)
{
	struct atnet_modem *m = tty->disc_data;

	if (m)
		atnet_modem_kill(m, "tty hung up");
}

/*
 * UART errors (the flags of receive_buf2). A framing or parity error
 * flags a byte the UART did receive, damaged: it is kept, because inside
 * a length-counted payload (data after a header that gives its length)
 * dropping it would shift the count and turn the bytes after it into AT
 * lines; outside one the chat engine drops control bytes and unknown
 * lines anyway. An overrun or a break is a marker byte the tty layer adds
 * (TTY_OVERRUN's NUL follows the lost bytes): it is no data and goes, and
 * the chat engine learns that input was lost where it was, so it
 * resynchronises before its next command. Both are counted and reported.
 */
static int atnet_ldisc_receive_buf2(struct tty_struct *tty,
				    const unsigned char *cp, const char *fp,
				    int count)
{
	struct atnet_modem *m = tty->disc_data;
	unsigned int damaged = 0, lost = 0;
	int i, start = 0;

	if (!m)
		return count;
	for (i = 0; fp && i < count; i++) {
		if (fp[i] == TTY_NORMAL)
			continue;
		if (fp[i] == TTY_FRAME || fp[i] == TTY_PARITY) {
			damaged++;
			continue;
		}
		lost++;
		if (i > start)
			atnet_modem_receive(m, cp + start, i - start);
		atnet_modem_rx_lost(m);
		start = i + 1;
	}
	if (count > start)
		atnet_modem_receive(m, cp + start, count - start);
	if (damaged || lost)
		atnet_warn_ratelimited(m, "UART errors: %u damaged bytes kept, %u overrun/break markers dropped\n",
				       damaged, lost);
	return count;
}

/* May run in IRQ context: only schedule the tx work. */
static void atnet_ldisc_write_wakeup(struct tty_struct *tty)
{
	struct atnet_modem *m = tty->disc_data;

	if (m)
		atnet_modem_write_wakeup(m);
}

static int atnet_ldisc_ioctl(struct tty_struct *tty, unsigned int cmd,
			     unsigned long arg)
{
	struct atnet_modem *m = tty->disc_data;
	char name[IFNAMSIZ];

	switch (cmd) {
	case SIOCGIFNAME:
		/* As slip and can327 do: which interface did we get? */
		if (!m || atnet_modem_ifname(m, name) ||
		    copy_to_user((void __user *)arg, name, strlen(name) + 1))
			return -EFAULT;
		return 0;
	default:
		/* termios (baud rate, flow control) stays the user's to set. */
		return tty_mode_ioctl(tty, cmd, arg);
	}
}

static struct tty_ldisc_ops atnet_ldisc = {
	.owner = THIS_MODULE,
	.name = KBUILD_MODNAME,
	.open = atnet_ldisc_open,
	.close = atnet_ldisc_close,
	.hangup = atnet_ldisc_hangup,
	.ioctl = atnet_ldisc_ioctl,
	.receive_buf2 = atnet_ldisc_receive_buf2,
	.write_wakeup = atnet_ldisc_write_wakeup,
};

int __init atnet_ldisc_init(int num)
{
	atnet_ldisc.num = num;
	return tty_register_ldisc(&atnet_ldisc);
}

void atnet_ldisc_exit(void)
{
	tty_unregister_ldisc(&atnet_ldisc);
}
