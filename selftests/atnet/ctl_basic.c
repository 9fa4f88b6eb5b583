// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane against the simulated modem on ttyS1 (attached by the
 * bed before the tests run), SIM7000 or SIM7020 (selftests/vm.sh --model):
 * probe result, SET_CONTEXT validation and
 * permissions, context up/down through netlink and through "ip link",
 * carrier and addresses, and the faults the modem can throw at us (PDP
 * deactivation, restart, a stalled modem, garbage on the line), each seen
 * as events and each recovered from.
 *
 * The tests share one modem and run in order; each leaves it READY with
 * its contexts down. A SIM7020's network brings its one context up by itself
 * after every probe (uapi "SIM7020"), so the tests that bring a context up
 * take it down first (ctx_ensure_down); the second context is SIM7000-only.
 */
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "../lib/vmtest.h"
#include "atnet_nl.h"

VM_TEST_META("sim7000 sim7020", "");
/*
 * The real modems' quirks (docs/at-reference.md, modem-sim --help): URCs
 * between a command and its result, "0,CONNECT OK", AT+CIPSHUT answered by
 * +PDP: DEACT alone, a modem that autobauds. SIM7020 has the first and the
 * last.
 */
VM_TEST_VARIANTS("sim7000/--urc-noise,--compact,--shut-pdp-deact,--autobaud=3 "
		 "sim7020/--urc-noise,--autobaud=3");

#define IFACE "wwan0"

/*
 * What the bed's model ($ATNET_MODEL, selftests/vm.sh --model) must look
 * like through GET. Keyed on the bed, not on what the driver reports, so
 * a misdetected modem fails probe_ready instead of choosing its own
 * expectations.
 */
static const struct bed_model {
	const char *name;
	int dialect;
	const char *model;	/* in AT+CGMM */
	const char *firmware;	/* AT+CGMR without "Revision:" */
	int n_ctx;		/* contexts GET reports */
	int auto_up;		/* the network activates context 0 itself */
	const char *lost_word;	/* in the reason of a network deactivation */
} bed_models[] = {
	{ "sim7000", ATNET_DIALECT_SIM7000, "SIM7000", "1351B04SIM7000E", 2, 0,
	  "PDP" },
	{ "sim7020", ATNET_DIALECT_SIM7020, "SIM7020", "1752B12SIM7020E", 1, 1,
	  "PDN" },
};

static const struct bed_model *bed(void)
{
	const char *m = getenv("ATNET_MODEL");
	unsigned int i;

	for (i = 0; i < sizeof(bed_models) / sizeof(bed_models[0]); i++)
		if (m && !strcmp(m, bed_models[i].name))
			return &bed_models[i];
	return &bed_models[0];
}

FIXTURE(ctl) {
	struct anl nl;
	struct anl ev;
	struct anl_modem md;
};

FIXTURE_SETUP(ctl)
{
	ASSERT_EQ(0, anl_open(&self->nl, 0));
	ASSERT_EQ(0, anl_open(&self->ev, 1));
	/* Probing runs in the background: give it its time, once. */
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    30000, &self->md)) {
		TH_LOG("state %d reason \"%s\"", self->md.state,
		       self->md.reason);
	}
}

FIXTURE_TEARDOWN(ctl)
{
	anl_close(&self->nl);
	anl_close(&self->ev);
}

static int ctx_up(struct __test_metadata *_metadata, FIXTURE_DATA(ctl) *self,
		  int ctx, const char *addr)
{
	struct anl_modem ev;

	EXPECT_EQ(0, anl_updown(&self->nl, IFACE, ctx, 1)) {
		TH_LOG("CONTEXT_UP: %s", self->nl.err);
	}
	EXPECT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_UP,
				    ctx < 0 ? 0 : ctx, 30000, &ev));
	if (_metadata->passed == 0)
		return -1;
	EXPECT_STREQ(addr, inet_ntoa(ev.ctx[ctx < 0 ? 0 : ctx].addr));
	return 0;
}

static void ctx_down(struct __test_metadata *_metadata,
		     FIXTURE_DATA(ctl) *self, int ctx)
{
	struct anl_modem ev;

	EXPECT_EQ(0, anl_updown(&self->nl, IFACE, ctx, 0));
	EXPECT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_DOWN,
				    ctx < 0 ? 0 : ctx, 70000, &ev));
}

/*
 * Context 0 down before a test brings it up: "up" on a context that is
 * already up emits no event. Only a SIM7020 (its PDN comes up by itself)
 * finds it up; a SIM7000 must not.
 */
static int ctx_ensure_down(struct __test_metadata *_metadata,
			   FIXTURE_DATA(ctl) *self)
{
	struct anl_modem md;

	if (anl_get(&self->nl, IFACE, &md))
		return -1;
	if (md.ctx[0].state == ATNET_CTX_DOWN)
		return 0;
	EXPECT_TRUE(bed()->auto_up) {
		TH_LOG("context 0 in state %d, not down", md.ctx[0].state);
	}
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	ctx_down(_metadata, self, 0);
	return _metadata->passed ? 0 : -1;
}

/*
 * After a (re)probe reached READY: a SIM7020's PDN comes up by itself
 * (CONTEXT_UP, the simulator's address); a SIM7000's contexts stay down.
 */
static void after_probe(struct __test_metadata *_metadata,
			FIXTURE_DATA(ctl) *self)
{
	struct anl_modem ev, md;

	if (bed()->auto_up) {
		ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_UP, 0,
					    30000, &ev));
		EXPECT_STREQ("192.0.2.100", inet_ntoa(ev.ctx[0].addr));
		ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
		EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
		EXPECT_EQ(1, anl_carrier(IFACE));
	} else {
		ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
		EXPECT_EQ(ATNET_CTX_DOWN, md.ctx[0].state);
		EXPECT_EQ(0, anl_carrier(IFACE));
	}
}

TEST_F(ctl, probe_ready)
{
	const struct bed_model *b = bed();
	struct anl_modem *md = &self->md;

	TH_LOG("bed model %s", b->name);
	EXPECT_STREQ("ttyS1", md->tty);
	EXPECT_STREQ(IFACE, md->ifname);
	EXPECT_NE(NULL, strstr(md->model, b->model)) {
		TH_LOG("model \"%s\"", md->model);
	}
	EXPECT_STREQ(b->firmware, md->firmware);
	EXPECT_EQ(b->dialect, md->dialect);
	EXPECT_EQ(20, md->signal);
	EXPECT_STREQ("Test Operator", md->operator);
	EXPECT_EQ(b->n_ctx, md->n_ctx);
	if (b->auto_up) {
		/* The PDN the network activated, reported as context 0. */
		EXPECT_EQ(ATNET_CTX_UP, md->ctx[0].state);
		EXPECT_STREQ("192.0.2.100", inet_ntoa(md->ctx[0].addr));
		EXPECT_EQ(1, anl_carrier(IFACE));
	} else {
		EXPECT_EQ(ATNET_CTX_DOWN, md->ctx[0].state);
		EXPECT_EQ(0, anl_carrier(IFACE));
	}
	EXPECT_NE(0, md->ctx[0].ifindex);
	if (b->n_ctx < 2) {
		EXPECT_FALSE(md->ctx[1].present);
		return;
	}
	/* The second context has its own interface. */
	EXPECT_NE(0, md->ctx[1].ifindex);
	EXPECT_NE(md->ctx[0].ifindex, md->ctx[1].ifindex);
}

TEST_F(ctl, dump_and_unknown)
{
	struct anl_dump d;
	struct anl_modem md;

	ASSERT_EQ(0, anl_dump(&self->nl, &d));
	EXPECT_LE(1, d.count);
	EXPECT_EQ(-ENODEV, anl_get(&self->nl, "lo", &md));
	EXPECT_NE(0, self->nl.err[0]);
}

TEST_F(ctl, set_context)
{
	struct anl_modem md;

	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "internet.test", "joe",
			     "s3cret")) {
		TH_LOG("%s", self->nl.err);
	}
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_STREQ("internet.test", md.ctx[0].apn);
	EXPECT_STREQ("joe", md.ctx[0].user);
	EXPECT_EQ(0, md.ctx[0].has_password);
	/* Back to the plain APN the other tests use. */
	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "CMNET", "", ""));
}

TEST_F(ctl, set_context_rejects_injection)
{
	static const char *const bad[] = {
		"CMNET\"", "CMNET;+CFUN=0", "a\rAT+CFUN=0", "a\nb",
		"a\x01", "caf\xc3\xa9", "\x7f",
		"123456789012345678901234567890123456789012345678901",
	};
	struct anl_modem md;
	unsigned int i;

	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "CMNET", NULL, NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, anl_set(&self->nl, IFACE, 0, bad[i], NULL,
					   NULL)) {
			TH_LOG("APN #%u accepted", i);
		}
		EXPECT_NE(NULL, strstr(self->nl.err, "APN")) {
			TH_LOG("APN #%u: extack \"%s\"", i, self->nl.err);
		}
		EXPECT_EQ(-EINVAL, anl_set(&self->nl, IFACE, 0, NULL, bad[i],
					   NULL));
		EXPECT_NE(NULL, strstr(self->nl.err, "user"));
		EXPECT_EQ(-EINVAL, anl_set(&self->nl, IFACE, 0, NULL, NULL,
					   bad[i]));
		EXPECT_NE(NULL, strstr(self->nl.err, "password"));
	}
	/* 50 bytes is the limit, not over it. */
	EXPECT_EQ(0, anl_set(&self->nl, IFACE, 0,
			     "12345678901234567890123456789012345678901234567890",
			     NULL, NULL));
	/* No context 5: the policy says so (-ERANGE). */
	EXPECT_GT(0, anl_set(&self->nl, IFACE, 5, "x", NULL, NULL));
	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 0, "CMNET", NULL, NULL));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_STREQ("CMNET", md.ctx[0].apn);
}

/* Without CAP_NET_ADMIN: GET works, everything else is -EPERM. */
TEST_F(ctl, unprivileged)
{
	struct anl nl;
	struct anl_modem md;
	int status;
	pid_t pid;

	/* Credentials count when the socket is opened: open it as nobody. */
	pid = anl_fork_nobody();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (anl_open(&nl, 0))
			_exit(11);
		if (anl_get(&nl, IFACE, &md) || md.state != ATNET_MODEM_READY)
			_exit(12);
		if (anl_set(&nl, IFACE, 0, "evil", NULL, NULL) != -EPERM)
			_exit(13);
		if (anl_updown(&nl, IFACE, 0, 1) != -EPERM)
			_exit(14);
		if (anl_updown(&nl, IFACE, 0, 0) != -EPERM)
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_STREQ("CMNET", md.ctx[0].apn);
}

TEST_F_TIMEOUT(ctl, up_down_netlink, 120)
{
	struct anl_modem md;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, ctx_up(_metadata, self, -1, "192.0.2.100"));
	EXPECT_EQ(1, anl_carrier(IFACE));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_STREQ("192.0.2.100", inet_ntoa(md.ctx[0].addr));
	/* Asking again changes nothing. */
	EXPECT_EQ(0, anl_updown(&self->nl, IFACE, 0, 1));
	ctx_down(_metadata, self, -1);
	EXPECT_EQ(0, anl_carrier(IFACE));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_CTX_DOWN, md.ctx[0].state);
}

TEST_F_TIMEOUT(ctl, up_down_ip_link, 120)
{
	struct anl_modem ev;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, system("ip link set " IFACE " up"));
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_UP, 0, 30000,
				    &ev));
	EXPECT_STREQ("192.0.2.100", inet_ntoa(ev.ctx[0].addr));
	EXPECT_EQ(1, anl_carrier(IFACE));
	/* IP routed into the interface is dropped and counted, for now. */
	ASSERT_EQ(0, system("ip addr add 10.99.0.1/32 peer 10.99.0.2 dev " IFACE));
	EXPECT_NE(0, system("ping -c 1 -W 1 10.99.0.2 >/dev/null 2>&1"));
	EXPECT_EQ(0, system("ip -s link show " IFACE
			    " | grep -A1 'TX:' | tail -1 | awk '{exit !($4 >= 1)}'"));
	ASSERT_EQ(0, system("ip link set " IFACE " down"));
	EXPECT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_DOWN, 0,
				    70000, &ev));
	EXPECT_EQ(0, anl_carrier(IFACE));
	system("ip addr flush dev " IFACE);
}

TEST_F_TIMEOUT(ctl, second_context, 120)
{
	struct anl_modem md;

	if (self->md.n_ctx < 2 && bed()->n_ctx < 2)
		SKIP(return, "second_context: %s has one context (GET: %d)",
		     bed()->name, self->md.n_ctx);
	ASSERT_EQ(0, anl_set(&self->nl, IFACE, 1, "CMWAP", NULL, NULL));
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ASSERT_EQ(0, ctx_up(_metadata, self, 1, "192.0.2.101"));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[0].state);
	EXPECT_EQ(ATNET_CTX_UP, md.ctx[1].state);
	ctx_down(_metadata, self, 1);
	ctx_down(_metadata, self, 0);
}

TEST_F_TIMEOUT(ctl, pdp_deact_and_recovery, 120)
{
	struct anl_modem ev;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ASSERT_EQ(0, sim_ctl("pdp-deact"));
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_LOST, 0,
				    10000, &ev));
	EXPECT_NE(NULL, strstr(ev.reason, bed()->lost_word)) {
		TH_LOG("reason \"%s\"", ev.reason);
	}
	EXPECT_EQ(0, anl_carrier(IFACE));
	/* The next up brings it back (after the mandatory AT+CIPSHUT). */
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	EXPECT_EQ(1, anl_carrier(IFACE));
	ctx_down(_metadata, self, 0);
}

TEST_F_TIMEOUT(ctl, restart_and_recovery, 120)
{
	struct anl_modem ev, md;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ASSERT_EQ(0, sim_ctl("restart"));
	/*
	 * An autobauding modem (a quirk run) restarts without a word: the
	 * next command is lost, and the liveness check after its timeout
	 * finds the modem echoing again. A one-echo ping is a short command.
	 */
	if (!system("grep -q -- --autobaud /etc/vm.conf"))
		system("atnet ping " IFACE " 192.0.2.1 -c 1 >/dev/null 2>&1");
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_MODEM_RESTART, -1,
				    30000, &ev));
	EXPECT_EQ(0, anl_carrier(IFACE));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    30000, &md));
	EXPECT_LE(1ULL, md.restarts);
	after_probe(_metadata, self);
	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ctx_down(_metadata, self, 0);
}

TEST_F_TIMEOUT(ctl, garbage_on_the_line, 60)
{
	struct anl_modem md;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, sim_ctl("garbage 300"));
	usleep(500000);
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ASSERT_EQ(0, anl_get(&self->nl, IFACE, &md));
	EXPECT_EQ(ATNET_MODEM_READY, md.state);
	ctx_down(_metadata, self, 0);
}

/* A modem that stops answering ends FAILED with a reason, not in a hang. */
TEST_F_TIMEOUT(ctl, stall_fails_then_restart_recovers, 120)
{
	struct anl_modem ev, md;
	long long t0;

	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, sim_ctl("stall"));
	t0 = anl_now_ms();
	ASSERT_EQ(0, anl_updown(&self->nl, IFACE, 0, 1));
	ASSERT_EQ(0, anl_wait_event(&self->ev, ATNET_EV_CONTEXT_LOST, 0,
				    20000, &ev));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_FAILED,
				    20000, &md));
	EXPECT_NE(NULL, strstr(md.reason, "answer")) {
		TH_LOG("reason \"%s\"", md.reason);
	}
	EXPECT_GT(30000, anl_now_ms() - t0);
	EXPECT_EQ(0, anl_carrier(IFACE));
	/* Netlink refuses to queue work for a failed modem, and says why. */
	EXPECT_EQ(-ENETDOWN, anl_updown(&self->nl, IFACE, 0, 1));
	EXPECT_NE(0, self->nl.err[0]);
	/* A modem that boots again is probed again. */
	ASSERT_EQ(0, sim_ctl("unstall"));
	ASSERT_EQ(0, sim_ctl("restart"));
	ASSERT_EQ(0, anl_wait_state(&self->nl, IFACE, ATNET_MODEM_READY,
				    30000, &md));
	after_probe(_metadata, self);
	ASSERT_EQ(0, ctx_ensure_down(_metadata, self));
	ASSERT_EQ(0, ctx_up(_metadata, self, 0, "192.0.2.100"));
	ctx_down(_metadata, self, 0);
}

TEST_HARNESS_MAIN
