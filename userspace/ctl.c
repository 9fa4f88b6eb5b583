// SPDX-License-Identifier: GPL-2.0
/*
 * The admin verbs: set, up, down, listen, unlisten. Each is one request
 * naming the interface; validation is the kernel's (its extack message is
 * what the user sees), so the tool never second-guesses a string.
 */
#include <string.h>
#include <linux/atnet.h>

#include "commands.h"
#include "genl.h"
#include "util.h"

struct ctl {
	const char *verb;
	const char *ifname;
	struct genl g;
	struct nlmsghdr *nlh;
	char buf[NL_BUFSIZE];
};

static struct ctl ctl;

static int ctl_begin(const char *verb, const char *ifname, uint8_t cmd)
{
	uint32_t ifindex = parse_ifname(verb, ifname);

	if (!ifindex || genl_open(&ctl.g))
		return -1;
	ctl.verb = verb;
	ctl.ifname = ifname;
	ctl.nlh = genl_req(&ctl.g, ctl.buf, cmd, 0, ifindex);
	return 0;
}

/* @answered: the kernel answers once the modem did (LISTENER_*). */
static int ctl_finish_as(bool answered)
{
	int err = answered ? genl_ask(&ctl.g, ctl.nlh, NULL, NULL) :
			     nl_talk(&ctl.g.nl, ctl.nlh, NULL, NULL);

	if (err)
		nl_perror(&ctl.g.nl, err, "%s %s", ctl.verb, ctl.ifname);
	genl_close(&ctl.g);
	return err ? 1 : 0;
}

static int ctl_finish(void)
{
	return ctl_finish_as(false);
}

/* "context N" where the syntax allows it; -1 on a usage error. */
static int parse_context(const char *verb, const char *s, uint32_t *id)
{
	if (parse_u32(s, 255, id)) {
		usage_error("%s: bad context '%s'", verb, s);
		return -1;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	const char *apn = NULL, *user = NULL, *password = NULL;
	bool has_id = false;
	struct nlattr *nest;
	uint32_t id = 0;
	int i;

	if (argc < 2)
		return usage_error("set: missing interface");
	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage_error("set: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "context")) {
			if (parse_context("set", argv[i + 1], &id))
				return EXIT_USAGE;
			has_id = true;
		} else if (!strcmp(argv[i], "apn")) {
			apn = argv[i + 1];
		} else if (!strcmp(argv[i], "user")) {
			user = argv[i + 1];
		} else if (!strcmp(argv[i], "password")) {
			password = argv[i + 1];
		} else {
			return usage_error("set: unknown keyword '%s'", argv[i]);
		}
	}
	if (!apn && !user && !password)
		return usage_error("set: nothing to set (apn, user, password)");

	if (ctl_begin("set", argv[1], ATNET_CMD_SET_CONTEXT))
		return 1;
	nest = mnl_attr_nest_start(ctl.nlh, ATNET_A_CONTEXT);
	if (has_id)
		mnl_attr_put_u8(ctl.nlh, ATNET_CTX_A_ID, (uint8_t)id);
	if (apn)
		mnl_attr_put_strz(ctl.nlh, ATNET_CTX_A_APN, apn);
	if (user)
		mnl_attr_put_strz(ctl.nlh, ATNET_CTX_A_USER, user);
	if (password)
		mnl_attr_put_strz(ctl.nlh, ATNET_CTX_A_PASSWORD, password);
	mnl_attr_nest_end(ctl.nlh, nest);
	return ctl_finish();
}

static int cmd_updown(int argc, char **argv, uint8_t cmd)
{
	uint32_t id = 0;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "context")))
		return usage_error("usage: atnet %s IFACE [context N]", argv[0]);
	if (argc == 4 && parse_context(argv[0], argv[3], &id))
		return EXIT_USAGE;
	if (ctl_begin(argv[0], argv[1], cmd))
		return 1;
	if (argc == 4) {
		struct nlattr *nest = mnl_attr_nest_start(ctl.nlh, ATNET_A_CONTEXT);

		mnl_attr_put_u8(ctl.nlh, ATNET_CTX_A_ID, (uint8_t)id);
		mnl_attr_nest_end(ctl.nlh, nest);
	}
	return ctl_finish();
}

int cmd_up(int argc, char **argv)
{
	return cmd_updown(argc, argv, ATNET_CMD_CONTEXT_UP);
}

int cmd_down(int argc, char **argv)
{
	return cmd_updown(argc, argv, ATNET_CMD_CONTEXT_DOWN);
}

int cmd_listen(int argc, char **argv)
{
	uint32_t port, id = 0;
	struct nlattr *nest;

	if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "context")))
		return usage_error("usage: atnet listen IFACE PORT [context N]");
	if (parse_u32(argv[2], 65535, &port) || !port)
		return usage_error("listen: bad port '%s'", argv[2]);
	if (argc == 5 && parse_context("listen", argv[4], &id))
		return EXIT_USAGE;
	if (ctl_begin("listen", argv[1], ATNET_CMD_LISTENER_START))
		return 1;
	nest = mnl_attr_nest_start(ctl.nlh, ATNET_A_LISTENER);
	mnl_attr_put_u16(ctl.nlh, ATNET_LSN_A_PORT, (uint16_t)port);
	if (argc == 5)
		mnl_attr_put_u8(ctl.nlh, ATNET_LSN_A_CONTEXT, (uint8_t)id);
	mnl_attr_nest_end(ctl.nlh, nest);
	return ctl_finish_as(true);
}

int cmd_unlisten(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("usage: atnet unlisten IFACE");
	if (ctl_begin("unlisten", argv[1], ATNET_CMD_LISTENER_STOP))
		return 1;
	return ctl_finish_as(true);
}
