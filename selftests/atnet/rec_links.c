// SPDX-License-Identifier: GPL-2.0
/*
 * Link reconciliation (seed 000 sections 9-11): the kernel's link table is
 * checked against AT+CIPSTATUS after faults and periodically
 * (status_interval_ms), so it never believes a link alive that the modem
 * lost. The simulator is made to lose the "n, CLOSED" URC (stall, close,
 * unstall): only AT+CIPSTATUS can tell. Also: each link's modem state and
 * AT+CIPACK figures in GET, links on the second context (the C: lines show
 * the bearer), and a lost link while both contexts are up.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"

VM_TEST_META("sim7000", "");

#define IFACE		"wwan0"
#define SRV		"192.0.2.1"
#define PORT_ECHO	7

/*
 * A TCP socket connected to @ip:@port on @ifname's context, whose reads
 * give up after 10 s; or -errno.
 */
static int tcp_connect(const char *ifname, const char *ip, int port)
{
	int fd = sock_connect_on(SOCK_STREAM, ifname, ip, port);

	if (fd >= 0)
		set_timeo(fd, SO_RCVTIMEO, 10000);
	return fd;
}

/* The link on @slot as GET shows it, or NULL. */
static struct anl_link *link_of(struct anl_modem *md, int slot)
{
	int i;

	for (i = 0; i < md->n_links; i++)
		if (md->links[i].slot == slot)
			return &md->links[i];
	return NULL;
}

/* Wait until GET shows @slot with modem state @state (NULL: gone). */
static int wait_link(struct anl *nl, int slot, const char *state, int ms,
		     struct anl_modem *md)
{
	long long end = anl_now_ms() + ms;
	struct anl_link *k;

	while (anl_now_ms() < end) {
		if (!anl_get(nl, IFACE, md)) {
			k = link_of(md, slot);
			if (!state ? !k : k && !strcmp(k->modem_state, state))
				return 0;
		}
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* The slot of our only link. */
static int only_slot(struct anl *nl)
{
	struct anl_modem md;

	if (anl_get(nl, IFACE, &md) || md.n_links != 1)
		return -1;
	return md.links[0].slot;
}

/* Lose "n, CLOSED": the modem closes @slot while it cannot tell us. */
static int lose_close(int slot)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "close %d", slot);
	if (sim_ctl("stall") || sim_ctl(cmd))
		return -1;
	usleep(300000);
	return sim_ctl("unstall");
}

/* Context 1 up beside 0 and an echo link on each: @fd0 on 0, @fd1 on 1. */
static void link_per_context(struct __test_metadata *_metadata,
			     struct anl *nl, int *fd0, int *fd1)
{
	ASSERT_EQ(0, anl_ctx_up(nl, IFACE, 1));
	*fd0 = tcp_connect(IFACE, SRV, PORT_ECHO);
	ASSERT_LE(0, *fd0);
	*fd1 = tcp_connect("wwan1", SRV, PORT_ECHO);
	ASSERT_LE(0, *fd1);
}

FIXTURE(rec) {
	struct anl nl;
	struct atnet_rec_params saved;
};

FIXTURE_SETUP(rec)
{
	struct anl_modem md;

	ASSERT_EQ(0, atnet_rec_params_save(&self->saved));
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    60000, &md));
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 0));
	ASSERT_EQ(0, atnet_param_set("status_interval_ms", "1000"));
	/* The faults here are on purpose: the ladder has its own test. */
	ASSERT_EQ(0, atnet_param_set("recover_close", "0"));
	ASSERT_EQ(0, atnet_param_set("recover_shut", "0"));
	ASSERT_EQ(0, atnet_param_set("recover_reset", "0"));
}

FIXTURE_TEARDOWN(rec)
{
	atnet_rec_params_restore(&self->saved);
	anl_close(&self->nl);
}

TEST_F(rec, modem_state_and_acks)
{
	struct anl_modem md;
	struct anl_link *k;
	char buf[64];
	int fd, slot;

	fd = tcp_connect(IFACE, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	slot = only_slot(&self->nl);
	ASSERT_LE(0, slot);
	ASSERT_EQ(10, write(fd, "0123456789", 10));
	ASSERT_EQ(10, read(fd, buf, sizeof(buf)));
	/* The periodic check: the modem's word, and AT+CIPACK refreshed. */
	ASSERT_EQ(0, wait_link(&self->nl, slot, "CONNECTED", 5000, &md));
	EXPECT_LE(1ULL, md.reconciles);
	usleep(2500000);
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	k = link_of(&md, slot);
	ASSERT_NE(NULL, k);
	EXPECT_EQ(10ULL, k->acked);
	EXPECT_EQ(1460U, k->max_send);
	EXPECT_EQ(0ULL, md.links_lost);
	close(fd);
}

TEST_F(rec, lost_close_found)
{
	unsigned long long lost;
	struct anl_modem md;
	char c;
	int fd, slot;

	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	lost = md.links_lost;
	fd = tcp_connect(IFACE, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	slot = only_slot(&self->nl);
	ASSERT_LE(0, slot);
	ASSERT_EQ(0, lose_close(slot));
	EXPECT_TRUE(sim_has("CLOSED TCP"));
	/* No URC came: AT+CIPSTATUS finds it, the socket sees the end. */
	EXPECT_EQ(0, read(fd, &c, 1));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(lost + 1, md.links_lost);
	EXPECT_EQ(0, system("dmesg | grep -q 'link .* lost without notice (modem says CLOSED)'"));
	close(fd);
	EXPECT_EQ(0, wait_link(&self->nl, slot, NULL, 10000, &md));
}

/* Without the periodic check, the fault (a timeout) triggers it. */
TEST_F(rec, fault_triggers_check)
{
	struct anl_modem md;
	char c, cmd[32];
	int fd, slot;

	ASSERT_EQ(0, atnet_param_set("status_interval_ms", "0"));
	fd = tcp_connect(IFACE, SRV, PORT_ECHO);
	ASSERT_LE(0, fd);
	slot = only_slot(&self->nl);
	ASSERT_LE(0, slot);
	snprintf(cmd, sizeof(cmd), "close %d", slot);
	ASSERT_EQ(0, sim_ctl("stall"));
	ASSERT_EQ(0, sim_ctl(cmd));
	/* A command the silent modem lets time out. */
	EXPECT_EQ(0, system("atnet resolve " IFACE " echo.atnet.test >/dev/null 2>&1 &"));
	usleep(1500000);
	ASSERT_EQ(0, sim_ctl("unstall"));
	EXPECT_EQ(0, read(fd, &c, 1));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_MODEM_READY, md.state);
	close(fd);
}

/* Links on the second context, and a lost link while both are up. */
TEST_F(rec, second_context_bearer)
{
	struct anl_modem md;
	struct anl_link *k;
	int fd0, fd1, s0, s1, i;
	char c, want[64];

	link_per_context(_metadata, &self->nl, &fd0, &fd1);
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	ASSERT_EQ(2, md.n_links);
	s0 = s1 = -1;
	for (i = 0; i < 2; i++) {
		k = &md.links[i];
		if (k->ctx == 0)
			s0 = k->slot;
		else
			s1 = k->slot;
	}
	ASSERT_LE(0, s0);
	ASSERT_LE(0, s1);
	/* The modem's own table (the C: lines) puts each on its bearer. */
	snprintf(want, sizeof(want), "^link%d CONNECTED TCP .* ctx=1 ", s1);
	EXPECT_TRUE(sim_has(want));
	snprintf(want, sizeof(want), "^link%d CONNECTED TCP .* ctx=0 ", s0);
	EXPECT_TRUE(sim_has(want));
	ASSERT_EQ(0, wait_link(&self->nl, s1, "CONNECTED", 5000, &md));

	/* Context 1's link is lost unseen; context 0's lives on. */
	ASSERT_EQ(0, lose_close(s1));
	EXPECT_EQ(0, read(fd1, &c, 1));
	ASSERT_EQ(2, write(fd0, "ok", 2));
	EXPECT_EQ(2, read(fd0, want, 2));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[1].state);
	close(fd0);
	close(fd1);
	anl_updown(&self->nl, IFACE, 1, 0);
}

/*
 * +PDP: DEACT names no context. With both up and only context 1 lost, its
 * link dies and context 0's goes on; with both lost, both go.
 */
TEST_F(rec, pdp_deact_second_context_only)
{
	struct anl_modem md;
	int fd0, fd1, i;
	char c, buf[4];

	link_per_context(_metadata, &self->nl, &fd0, &fd1);
	ASSERT_EQ(0, sim_ctl("pdp-deact 1"));
	EXPECT_EQ(-1, read(fd1, &c, 1));
	EXPECT_EQ(ENETDOWN, errno);
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_NE(ATNET_CTX_UP, md.ctx[1].state);
	ASSERT_EQ(2, write(fd0, "ok", 2));
	EXPECT_EQ(2, read(fd0, buf, 2));
	close(fd1);

	/* Both lost: both go. */
	ASSERT_EQ(0, anl_ctx_up(&self->nl, IFACE, 1));
	ASSERT_EQ(0, sim_ctl("pdp-deact"));
	EXPECT_EQ(-1, read(fd0, &c, 1));
	EXPECT_EQ(ENETDOWN, errno);
	/* One AT+CIFSR after the other: wait for both verdicts. */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
		if (md.ctx[0].state != ATNET_CTX_UP &&
		    md.ctx[1].state != ATNET_CTX_UP)
			break;
		usleep(100000);
	}
	EXPECT_NE(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_NE(ATNET_CTX_UP, md.ctx[1].state);
	close(fd0);
}

TEST_HARNESS_MAIN
