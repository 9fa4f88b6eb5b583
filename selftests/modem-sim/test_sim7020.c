// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the SIM7020 dialect of modem-sim (TAP).
 *
 * Every dialogue of seed 002 is replayed byte for byte against a real
 * modem-sim on a pty and a real echod on 127.0.0.1; the modem's PDP address
 * is 127.0.0.100 so its sockets are really bound there.  Only the remote
 * server (116.247.119.165:5245/5246 in the seed) is replaced by echod, and
 * the ping target by 127.0.0.1: nothing leaves the host.  Then every
 * quirk, option and fault of the dialect.
 *
 * Usage: test_sim7020 [-k] [NAME-SUBSTRING]   (-k keeps /tmp/t7020.* logs)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_sim7020_lib.h"

#define T	2000		/* ms: deadline for an answer */
#define PDP	"127.0.0.100"

static struct t_echod echod;
static char hosts_path[128];

#define CHECK(x) do { if (!(x)) { t_fail("%s:%d: %s", __FILE__, __LINE__, #x); \
			goto out; } } while (0)

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Start a SIM7020 with the usual test options plus extra (NULL-terminated). */
static bool start(struct t_sim *s, const char *const *extra)
{
	const char *argv[T_MAX_ARGS];
	int n = 0;

	argv[n++] = "--ip";
	argv[n++] = PDP;
	argv[n++] = "--attach-ms";
	argv[n++] = "0";
	argv[n++] = "--hosts";
	argv[n++] = hosts_path;
	while (extra && *extra && n < T_MAX_ARGS - 12)
		argv[n++] = *extra++;
	argv[n] = NULL;
	return t_sim_start(s, argv);
}

/* Echo is on after power-up; most dialogues (like the seed's) run with ATE0. */
static bool ate0(struct t_sim *s)
{
	return t_sends(s, "ATE0\r") &&
	       t_expects(s, "ATE0\r\r\n\r\nOK\r\n", T);
}

static bool start_ate0(struct t_sim *s, const char *const *extra)
{
	return start(s, extra) && ate0(s);
}

static void hex(char *out, const void *buf, size_t len)
{
	static const char hx[] = "0123456789ABCDEF";
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * len] = 0;
}

static bool csonmi_hex(struct t_sim *s, int id, const char *data)
{
	char exp[4200], h[4100];

	hex(h, data, strlen(data));
	snprintf(exp, sizeof(exp), "\r\n+CSONMI: %d,%zu,%s\r\n", id,
		 strlen(h), h);
	return t_expects(s, exp, T);
}

/* Create a TCP (type 1) or UDP (2) socket, expect id; connect it. */
static bool sock_open(struct t_sim *s, int type, int id, int port)
{
	char cmd[128], exp[64];

	snprintf(cmd, sizeof(cmd), "AT+CSOC=1,%d,1", type);
	snprintf(exp, sizeof(exp), "+CSOC:%d\r\n\r\nOK\r\n", id);
	if (!t_cmd(s, cmd, exp, T))
		return false;
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=%d,%d,\"127.0.0.1\"", id, port);
	return t_cmd(s, cmd, "OK\r\n", T);
}

/* A TCP connection from the modem to a listener of ours. */
static bool sock_to_us(struct t_sim *s, int id, int *peer)
{
	int port, lfd = t_tcp_listen(&port);
	char cmd[128], exp[64];
	bool ok = false;

	*peer = -1;
	if (lfd < 0)
		return false;
	snprintf(exp, sizeof(exp), "+CSOC:%d\r\n\r\nOK\r\n", id);
	if (!t_cmd(s, "AT+CSOC=1,1,1", exp, T))
		goto out;
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=%d,%d,\"127.0.0.1\"", id, port);
	if (!t_sends(s, cmd) || !t_sends(s, "\r"))
		goto out;
	*peer = t_accept(lfd, T);
	if (*peer < 0) {
		t_fail("modem did not connect to us");
		goto out;
	}
	ok = t_expects(s, "\r\nOK\r\n", T);
out:
	close(lfd);
	return ok;
}

static bool peer_expect(int fd, const void *exp, size_t len)
{
	char buf[8192], e[600], g[600];
	size_t got = 0;
	long long end = ms_now() + T;

	while (got < len && ms_now() < end) {
		ssize_t n = t_recv_deadline(fd, buf + got, sizeof(buf) - got,
					    (int)(end - ms_now()));

		if (n <= 0)
			break;
		got += n;
	}
	if (got == len && !memcmp(buf, exp, len))
		return true;
	t_escape(e, sizeof(e), exp, len);
	t_escape(g, sizeof(g), buf, got);
	t_fail("peer expected \"%s\", got \"%s\"", e, g);
	return false;
}

/* ------------------------------------------------------- seed 002, 2.x */

/* 2.1: the PDN comes up by itself; address and mask run together. */
static bool t_seed_2_1(void)
{
	static const char *const x[] = {
		"--ip", "10.250.0.213", "--operator", "CHN-UNICOM", NULL };
	struct t_sim s;
	bool ok = false;

	/* The seed's own address: this dialogue opens no socket. */
	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CPIN?", "+CPIN:READY\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSQ", "+CSQ: 20,0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGREG?", "+CGREG: 0,1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+COPS?",
		    "+COPS: 0,0,\"CHN-UNICOM\",9\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGCONTRDP",
		    "+CGCONTRDP: 1,5,\"shnbiot\",\"10.250.0.213.255.255.255.0\""
		    "\r\n\r\nOK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 2.2: change the APN with the radio off. */
static bool t_seed_2_2(void)
{
	static const char *const x[] = { "--ip", "10.250.0.253", NULL };
	struct t_sim s;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CFUN=0", "+CPIN: NOT READY\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT*MCGDEFCONT=\"IP\",\"3GNET\"", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CFUN=1", "OK\r\n\r\n+CPIN: READY\r\n", T));
	CHECK(t_cmd(&s, "AT+CGREG?", "+CGREG: 0,1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGCONTRDP",
		    "+CGCONTRDP: 1,5,\"3GNET\",\"10.250.0.253.255.255.255.0\""
		    "\r\n\r\nOK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 2.3: DNS from the hosts file, then ping (127.0.0.1 for the seed's host). */
static bool t_seed_2_3(void)
{
	struct t_sim s;
	bool ok = false;
	int i;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"www.baidu.com\"",
		    "+CDNSGIP: 61.135.169.121\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CIPPING=\"127.0.0.1\"", "OK\r\n", T));
	for (i = 1; i <= 4; i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "\r\n+CIPPING: %d,127.0.0.1,#,64\r\n",
			 i);
		CHECK(t_expect_pat(&s, pat, 3 * T));
	}
	CHECK(t_quiet(&s, 300));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 2.4: deactivate the PDN; CGCONTRDP then shows nothing. */
static bool t_seed_2_4(void)
{
	struct t_sim s;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CGACT=0,1", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGCONTRDP", "OK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* ------------------------------------------------------- seed 002, 3.x */

/* 3.2: TCP client; the echo comes back as hex +CSONMI. */
static bool t_seed_3_2(void)
{
	struct t_sim s;
	char cmd[128];
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.tcp_port);
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"Hello World\"", "OK\r\n", T));
	CHECK(csonmi_hex(&s, 0, "Hello World"));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	CHECK(t_quiet(&s, 200));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 3.3: UDP "connection". */
static bool t_seed_3_3(void)
{
	struct t_sim s;
	char cmd[128];
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CSOC=1,2,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.udp_port);
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"Hello World\"", "OK\r\n", T));
	CHECK(csonmi_hex(&s, 0, "Hello World"));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 3.4/3.5: two sockets, ASCII on TCP, hex on UDP ("3132333435" = "12345"). */
static bool t_seed_3_4(void)
{
	struct t_sim s;
	char cmd[128];
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,2,1", "+CSOC:1\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.tcp_port);
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=1,%d,\"127.0.0.1\"",
		 echod.udp_port);
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"Hello World\"", "OK\r\n", T));
	CHECK(csonmi_hex(&s, 0, "Hello World"));
	CHECK(t_cmd(&s, "AT+CSOSEND=1,10,\"3132333435\"", "OK\r\n", T));
	CHECK(t_expects(&s, "\r\n+CSONMI: 1,10,3132333435\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=1", "OK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 3.6: AT+CSOSENDFLAG=1: "SEND: 0,11" once the peer has the bytes. */
static bool t_seed_3_6(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CSOSENDFLAG=1", "OK\r\n", T));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"Hello World\"",
		    "OK\r\n\r\nSEND: 0,11\r\n", T));
	CHECK(peer_expect(peer, "Hello World", 11));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* 3.7: the server sends "123": +CSONMI: 0,6,313233. */
static bool t_seed_3_7(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(write(peer, "123", 3) == 3);
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,6,313233\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* 3.8: the hex dump of AT+CFUN? with echo on, byte for byte. */
static bool t_seed_3_8(void)
{
	static const unsigned char dump[] = {
		0x41, 0x54, 0x2B, 0x43, 0x46, 0x55, 0x4E, 0x3F, 0x0D, 0x0D,
		0x0A, 0x0D, 0x0A, 0x2B, 0x43, 0x46, 0x55, 0x4E, 0x3A, 0x20,
		0x31, 0x0D, 0x0A, 0x0D, 0x0A, 0x4F, 0x4B, 0x0D, 0x0A };
	struct t_sim s;
	bool ok = false;

	CHECK(start(&s, NULL));
	CHECK(t_sends(&s, "AT+CFUN?\r"));
	CHECK(t_expect(&s, dump, sizeof(dump), T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* 3.9: peer reset -> +CSOERR: 0,3; peer close -> +CSOERR: 0,4. */
static bool t_seed_3_9(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(peer);
	peer = -1;
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,3\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	CHECK(sock_to_us(&s, 0, &peer));
	close(peer);
	peer = -1;
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,4\r\n", T));
	/* The dead socket keeps its id until the host closes it. */
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"x\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Section 4: the recommended bring-up, with the CFUN cycle. */
static bool t_seed_4_flow(void)
{
	static const char *const x[] = { "--attach-ms", "300", NULL };
	struct t_sim s;
	char cmd[128];
	bool ok = false;
	int i;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CPIN?", "+CPIN:READY\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSQ", "+CSQ: 20,0\r\n\r\nOK\r\n", T));
	for (i = 0; i < 40; i++) {
		char line[128];

		CHECK(t_sends(&s, "AT+CGREG?\r"));
		CHECK(t_read_line(&s, line, sizeof(line), T));
		CHECK(t_expects(&s, "\r\nOK\r\n", T));
		if (!strcmp(line, "+CGREG: 0,1"))
			break;
		CHECK(!strcmp(line, "+CGREG: 0,2"));
		usleep(50000);
	}
	CHECK(i < 40);
	CHECK(t_cmd(&s, "AT+CGPADDR", "+CGPADDR: 1,\"" PDP "\"\r\n\r\nOK\r\n",
		    T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.tcp_port);
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,\"4142\"", "OK\r\n", T));
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,4,4142\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* ------------------------------------------------------------ commands */

static bool t_identity(void)
{
	struct t_sim s;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGMM", "SIM7020E\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGMR", "Revision:1752B12SIM7020E\r\n\r\nOK\r\n",
		    T));
	CHECK(t_cmd(&s, "ATI", "SIM7020E R1752\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CFUN?", "+CFUN: 1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGATT?", "+CGATT: 1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+BOGUS", "ERROR\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* Echo: on at power-up with the extra CRLF, ATE0/ATE1, --plain-echo. */
static bool t_echo(void)
{
	static const char *const plain[] = { "--plain-echo", NULL };
	static const char *const off[] = { "--echo", "off", NULL };
	struct t_sim s;
	bool ok = false;

	CHECK(start(&s, NULL));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_expects(&s, "AT\r\r\n\r\nOK\r\n", T));
	CHECK(ate0(&s));
	CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	CHECK(t_sends(&s, "ATE1\r"));
	CHECK(t_expects(&s, "\r\nOK\r\n", T));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_expects(&s, "AT\r\r\n\r\nOK\r\n", T));
	t_sim_stop(&s);

	CHECK(start(&s, plain));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_expects(&s, "AT\r\r\nOK\r\n", T));
	t_sim_stop(&s);

	CHECK(start(&s, off));
	CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* Five sockets, ids 0..4; the sixth is refused; ids are reused. */
static bool t_five_sockets(void)
{
	struct t_sim s;
	bool ok = false;
	int i;

	CHECK(start_ate0(&s, NULL));
	for (i = 0; i < 5; i++) {
		char exp[64];

		snprintf(exp, sizeof(exp), "+CSOC:%d\r\n\r\nOK\r\n", i);
		CHECK(t_cmd(&s, i % 2 ? "AT+CSOC=1,2,1" : "AT+CSOC=1,1,1,1",
			    exp, T));
	}
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=2", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=2", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,2,1", "+CSOC:2\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC?",
		    "+CSOC: 0,1,1,1\r\n\r\n+CSOC: 1,1,2,1\r\n\r\n"
		    "+CSOC: 2,1,2,1\r\n\r\n+CSOC: 3,1,2,1\r\n\r\n"
		    "+CSOC: 4,1,1,1\r\n\r\nOK\r\n", T));
	{
		char st[2048];

		CHECK(t_ctl(&s, "status", st, sizeof(st)) == 1);
		CHECK(strstr(st, "model sim7020\n") && strstr(st, "pdn 1\n") &&
		      strstr(st, "apn shnbiot\n") &&
		      strstr(st, "socket4 tcp created"));
	}
	/* IPv6, a bad protocol or another cid are not offered. */
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=2,1,1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,2", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1,2", "ERROR\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* The modem's sockets really come from the PDP address. */
static bool t_source_address(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(getpeername(peer, (struct sockaddr *)&sa, &sl) == 0);
	CHECK(!strcmp(inet_ntoa(sa.sin_addr), PDP));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* AT+CSOSEND checks: even hex length that matches, quoted ASCII with len 0. */
static bool t_csosend_rules(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,3,\"313\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,6,\"3132\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,\"31zz\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,Hello", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"a\"b\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"a\tb\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=1,0,\"x\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,6a6B", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"a,b\"", "OK\r\n", T));
	CHECK(peer_expect(peer, "jka,b", 5));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* AT+CSODSEND: "> ", raw bytes (all 256 values), DATA ACCEPT; binary rx. */
static bool t_binary(void)
{
	static const char *const x[] = { "--echo-data", NULL };
	unsigned char all[256], exp[400];
	struct t_sim s;
	int peer = -1, i, n;
	bool ok = false;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	CHECK(start_ate0(&s, x));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG?", "+CSORCVFLAG: 0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG=1", "OK\r\n", T));
	CHECK(t_sends(&s, "AT+CSODSEND=0,256\r"));
	CHECK(t_expects(&s, "\r\n> ", T));
	CHECK(t_send(&s, all, sizeof(all)));
	CHECK(t_expects(&s, "\r\nDATA ACCEPT: 256\r\n", T));
	CHECK(peer_expect(peer, all, sizeof(all)));
	/* The way back, binary: "+CSONMI: 0,256," and the raw bytes inline. */
	CHECK(write(peer, all, sizeof(all)) == sizeof(all));
	n = snprintf((char *)exp, sizeof(exp), "\r\n+CSONMI: 0,256,");
	memcpy(exp + n, all, 256);
	memcpy(exp + n + 256, "\r\n", 2);
	CHECK(t_expect(&s, exp, n + 258, T));
	/* Back to hex. */
	CHECK(t_cmd(&s, "AT+CSORCVFLAG=0", "OK\r\n", T));
	CHECK(write(peer, "\r\n", 2) == 2);
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,4,0D0A\r\n", T));
	/* Over the maximum, or on a socket that is not connected. */
	CHECK(t_cmd(&s, "AT+CSODSEND=0,1025", "ERROR\r\n", T));
	/* With echo and --echo-data the payload comes back too. */
	CHECK(t_sends(&s, "ATE1\r"));
	CHECK(t_expects(&s, "\r\nOK\r\n", T));
	CHECK(t_sends(&s, "AT+CSODSEND=0,3\r"));
	CHECK(t_expects(&s, "AT+CSODSEND=0,3\r\r\n\r\n> ", T));
	CHECK(t_sends(&s, "a\rb"));
	CHECK(t_expects(&s, "a\rb\r\nDATA ACCEPT: 3\r\n", T));
	CHECK(peer_expect(peer, "a\rb", 3));
	CHECK(ate0(&s));
	CHECK(t_cmd(&s, "AT+CSODSEND=3,1", "ERROR\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* --no-binary: CSODSEND/CSORCVFLAG answer ERROR, hex CSOSEND still works. */
static bool t_no_binary(void)
{
	static const char *const x[] = { "--no-binary", NULL };
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG=1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG?", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSODSEND=0,2", "ERROR\r\n", T));
	/* No prompt came: the next line is a command again. */
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,\"0D0A\"", "OK\r\n", T));
	CHECK(peer_expect(peer, "\r\n", 2));
	CHECK(write(peer, "\x01\x02", 2) == 2);
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,4,0102\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/*
 * AT+CSODSEND=? tells whether the firmware has binary send; --no-dsend is
 * a firmware with binary receive (AT+CSORCVFLAG) but without it.
 */
static bool t_dsend_probe(void)
{
	static const char *const x[] = { "--no-dsend", NULL };
	static const char *const nb[] = { "--no-binary", NULL };
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	if (!start_ate0(&s, NULL))
		return false;
	ok = t_cmd(&s, "AT+CSODSEND=?",
		   "+CSODSEND: (0-4),(1-1024)\r\n\r\nOK\r\n", T);
	t_sim_stop(&s);
	if (!ok || !start_ate0(&s, nb))
		return false;
	ok = t_cmd(&s, "AT+CSODSEND=?", "ERROR\r\n", T);
	t_sim_stop(&s);
	if (!ok || !start_ate0(&s, x))
		return false;
	ok = false;
	CHECK(t_cmd(&s, "AT+CSODSEND=?", "ERROR\r\n", T));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG=1", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSODSEND=0,2", "ERROR\r\n", T));
	/* No prompt came: the next line is a command again. */
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,\"0D0A\"", "OK\r\n", T));
	CHECK(peer_expect(peer, "\r\n", 2));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Big TCP data is cut into +CSONMI of at most 512 bytes, in order. */
static bool t_nmi_chunks(void)
{
	static const char *const x[] = { "--nmi-max", "100", NULL };
	unsigned char big[1300], got[1300];
	struct t_sim s;
	size_t have = 0;
	int peer = -1, i;
	bool ok = false;

	for (i = 0; i < 1300; i++)
		big[i] = (unsigned char)(i * 7);
	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(write(peer, big, sizeof(big)) == sizeof(big));
	while (have < sizeof(big)) {
		char line[2200], *p;
		int id, len, j;

		CHECK(t_read_line(&s, line, sizeof(line), T));
		CHECK(sscanf(line, "+CSONMI: %d,%d,", &id, &len) == 2);
		CHECK(id == 0 && len > 0 && len <= 1024 && len % 2 == 0);
		p = strrchr(line, ',') + 1;
		CHECK((int)strlen(p) == len);
		CHECK(have + len / 2 <= sizeof(big));
		for (j = 0; j < len / 2; j++)
			sscanf(p + 2 * j, "%2hhx", &got[have + j]);
		have += len / 2;
	}
	CHECK(!memcmp(got, big, sizeof(big)));
	close(peer);
	peer = -1;
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,4\r\n", T));
	t_sim_stop(&s);

	/* A UDP datagram is cut exactly: --nmi-max 100 bytes = 200 hex. */
	CHECK(start_ate0(&s, x));
	CHECK(sock_open(&s, 2, 0, echod.udp_port));
	{
		char cmd[700], h[600];

		memset(big, 'Z', 250);
		hex(h, big, 250);
		snprintf(cmd, sizeof(cmd), "AT+CSOSEND=0,500,\"%s\"", h);
		CHECK(t_cmd(&s, cmd, "OK\r\n", T));
		for (i = 0; i < 3; i++) {
			char line[700];
			int n = i < 2 ? 200 : 100;

			CHECK(t_read_line(&s, line, sizeof(line), T));
			snprintf(cmd, sizeof(cmd), "+CSONMI: 0,%d,%.*s", n, n, h);
			CHECK(!strcmp(line, cmd));
		}
	}
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Data before a close is delivered before the close is reported. */
static bool t_data_before_close(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(write(peer, "bye", 3) == 3);
	close(peer);
	peer = -1;
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,6,627965\r\n"
			"\r\n+CSOERR: 0,4\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* CFUN=0 takes the PDN and the sockets down; the APN only changes then. */
static bool t_cfun_cycle(void)
{
	static const char *const x[] = { "--attach-ms", "300", NULL };
	struct t_sim s;
	int peer = -1;
	long long t0;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	/* Before the attach finishes: searching, no PDN, no sockets. */
	CHECK(t_cmd(&s, "AT+CGREG?", "+CGREG: 0,2\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGCONTRDP", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CGREG=1", "OK\r\n", T));
	CHECK(t_expects(&s, "\r\n+CGREG: 1\r\n", T));
	CHECK(t_cmd(&s, "AT*MCGDEFCONT=\"IP\",\"other\"", "ERROR\r\n", T));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CFUN=0", "+CSOERR: 0,11\r\n\r\n+CGREG: 0\r\n"
		    "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CFUN?", "+CFUN: 0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CPIN?", "+CME ERROR: 10\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT=1,1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT*MCGDEFCONT=\"IP\",\"iot.apn\",\"u\",\"p\"", "OK\r\n",
		    T));
	CHECK(t_cmd(&s, "AT*MCGDEFCONT?",
		    "*MCGDEFCONT: \"IP\",\"iot.apn\",\"u\",\"p\"\r\n\r\nOK\r\n", T));
	t0 = ms_now();
	CHECK(t_cmd(&s, "AT+CFUN=1", "OK\r\n\r\n+CPIN: READY\r\n", T));
	CHECK(t_expects(&s, "\r\n+CGREG: 1\r\n", T));
	CHECK(ms_now() - t0 >= 250);
	CHECK(t_cmd(&s, "AT+CGCONTRDP",
		    "+CGCONTRDP: 1,5,\"iot.apn\",\"" PDP ".255.255.255.0\"\r\n"
		    "\r\nOK\r\n", T));
	/* The old socket is dead but still holds its id. */
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* AT+CGACT=0,1 with an open socket, then back up with AT+CGACT=1,1. */
static bool t_cgact(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CGEREP=1", "OK\r\n", T));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CGACT=0,1", "+CSOERR: 0,11\r\n\r\n"
		    "+CGEV: ME PDN DEACT 1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT=1,1", "+CGEV: ME PDN ACT 1\r\n\r\nOK\r\n",
		    T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,1\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:1\r\n\r\nOK\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

static bool t_dns(void)
{
	static const char *const x[] = { "--cdnsgip-long", NULL };
	struct t_sim s;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"no.such.host\"", "ERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"echo.test\"",
		    "+CDNSGIP: 127.0.0.1\r\n\r\nOK\r\n", T));
	t_sim_stop(&s);

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"www.baidu.com\"", "OK\r\n\r\n"
		    "+CDNSGIP: 1,\"www.baidu.com\",\"61.135.169.121\"\r\n", T));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"no.such.host\"",
		    "OK\r\n\r\n+CDNSGIP: 0,8\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT=0,1", "OK\r\n", T));
	CHECK(t_cmd(&s, "AT+CDNSGIP=\"www.baidu.com\"", "ERROR\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* --spaced: the manual's spelling of +CSOC and +CPIN. */
static bool t_spaced(void)
{
	static const char *const x[] = { "--spaced", NULL };
	struct t_sim s;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CPIN?", "+CPIN: READY\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOC=1,2,1", "+CSOC: 0\r\n\r\nOK\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* No server, no transparent mode, no SIM7000 toolkit (seed 3.1). */
static bool t_unsupported(void)
{
	static const char *const cmds[] = {
		"AT+CIPSERVER=1,80", "AT+CIPMODE=1", "AT+CSOLIS=0",
		"AT+CIPSTART=\"TCP\",\"127.0.0.1\",80", "AT+CIPMUX=1", "ATO",
		NULL };
	struct t_sim s;
	bool ok = false;
	int i;

	CHECK(start_ate0(&s, NULL));
	for (i = 0; cmds[i]; i++)
		CHECK(t_cmd(&s, cmds[i], "ERROR\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* A blocking AT+CSOCON: commands typed meanwhile are answered after it. */
static bool t_busy_queue(void)
{
	static const char *const x[] = { "--rtt", "300", NULL };
	struct t_sim s;
	char cmd[128];
	long long t0;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"\rAT+CSQ\r",
		 echod.tcp_port);
	t0 = ms_now();
	CHECK(t_sends(&s, cmd));
	CHECK(t_expects(&s, "\r\nOK\r\n\r\n+CSQ: 20,0\r\n\r\nOK\r\n", T));
	CHECK(ms_now() - t0 >= 250);
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* ---------------------------------------------------------------- faults */

static bool t_fault_pdp_deact(void)
{
	static const char *const x[] = { "--cgerep", NULL };
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start(&s, x));
	/* With +CGEV on from power-up, the automatic activation shows. */
	CHECK(t_expects(&s, "\r\n+CGEV: ME PDN ACT 1\r\n", T));
	CHECK(ate0(&s));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_fault(&s, "pdp-deact"));
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,11\r\n"
			"\r\n+CGEV: NW PDN DEACT 1\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,0\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"x\"", "ERROR\r\n", T));
	/* The peer sees the connection go away. */
	{
		char b[8];

		CHECK(t_recv_deadline(peer, b, sizeof(b), T) <= 0);
	}
	CHECK(t_ctl(&s, "pdp-deact", NULL, 0) < 0);
	t_sim_stop(&s);

	/* The PDN goes while an AT+CSOCON waits for its handshake. */
	{
		static const char *const slow[] = { "--rtt", "800", NULL };
		char cmd[128];

		CHECK(start_ate0(&s, slow));
		CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
		snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"\r",
			 echod.tcp_port);
		CHECK(t_sends(&s, cmd));
		CHECK(t_quiet(&s, 200));
		CHECK(t_fault(&s, "pdp-deact"));
		CHECK(t_expects(&s, "\r\n+CSOERR: 0,11\r\n\r\nERROR\r\n", T));
		CHECK(t_quiet(&s, 900));
		CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	}
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

static bool t_fault_close_reset(void)
{
	struct t_sim s;
	int peer = -1;
	char b[8];
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_fault(&s, "close 0"));
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,4\r\n", T));
	CHECK(t_recv_deadline(peer, b, sizeof(b), T) == 0);
	close(peer);
	CHECK(t_cmd(&s, "AT+CSOCL=0", "OK\r\n", T));

	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_fault(&s, "reset 0"));
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,3\r\n", T));
	CHECK(t_recv_deadline(peer, b, sizeof(b), T) < 0 && errno == ECONNRESET);
	/* Bad arguments are refused clearly. */
	CHECK(t_ctl(&s, "close 0", NULL, 0) < 0);
	CHECK(t_ctl(&s, "close 9", NULL, 0) < 0);
	CHECK(t_ctl(&s, "close", NULL, 0) < 0);
	CHECK(t_ctl(&s, "no-such-fault", NULL, 0) < 0);
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

static bool t_fault_close_code(void)
{
	static const char *const x[] = { "--close-code", "3", NULL };
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(sock_to_us(&s, 0, &peer));
	close(peer);
	peer = -1;
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,3\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* Refused: the injected fault and a real closed port, both ERROR. */
static bool t_fault_refuse(void)
{
	static const char *const x[] = { "--csocon-urc", NULL };
	struct t_sim s;
	char cmd[128];
	int port, lfd = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	CHECK(t_fault(&s, "refuse"));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.tcp_port);
	CHECK(t_cmd(&s, cmd, "ERROR\r\n", T));
	/* One shot: the retry on the same socket works. */
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	/* A port nobody listens on. */
	lfd = t_tcp_listen(&port);
	close(lfd);
	lfd = -1;
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:1\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=1,%d,\"127.0.0.1\"", port);
	CHECK(t_cmd(&s, cmd, "ERROR\r\n", T));
	t_sim_stop(&s);

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"", port);
	CHECK(t_cmd(&s, cmd, "+CSOERR: 0,3\r\n\r\nERROR\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* Blackhole: the connect never answers, ERROR after --connect-timeout. */
static bool t_fault_blackhole(void)
{
	static const char *const x[] = { "--connect-timeout", "600", NULL };
	struct t_sim s;
	char cmd[128];
	long long t0;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	CHECK(t_fault(&s, "blackhole"));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"\r",
		 echod.tcp_port);
	t0 = ms_now();
	CHECK(t_sends(&s, cmd));
	CHECK(t_quiet(&s, 400));
	CHECK(t_expects(&s, "\r\nERROR\r\n", T));
	CHECK(ms_now() - t0 >= 550);
	/* Pings get no answer either: rtt 600, ttl 255. */
	CHECK(t_fault(&s, "blackhole"));
	CHECK(t_cmd(&s, "AT+CIPPING=\"127.0.0.1\",1,32,3", "OK\r\n", T));
	CHECK(t_expects(&s, "\r\n+CIPPING: 1,127.0.0.1,600,255\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

static bool t_fault_send_fail(void)
{
	struct t_sim s;
	int peer = -1;
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_fault(&s, "send-fail 2"));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"lost\"", "ERROR\r\n", T));
	CHECK(t_sends(&s, "AT+CSODSEND=0,4\r"));
	CHECK(t_expects(&s, "\r\n> ", T));
	CHECK(t_sends(&s, "lost"));
	CHECK(t_expects(&s, "\r\nERROR\r\n", T));
	CHECK(t_cmd(&s, "AT+CSOSEND=0,0,\"kept\"", "OK\r\n", T));
	CHECK(peer_expect(peer, "kept", 4));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Restart: the fault and AT+CFUN=1,1; sockets gone, echo back on. */
static bool t_fault_restart(void)
{
	struct t_sim s;
	int peer = -1;
	char b[8];
	bool ok = false;

	CHECK(start_ate0(&s, NULL));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_fault(&s, "restart"));
	CHECK(t_expects(&s, "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n",
			T));
	CHECK(t_recv_deadline(peer, b, sizeof(b), T) == 0);
	CHECK(t_sends(&s, "AT+CSOCL=0\r"));
	CHECK(t_expects(&s, "AT+CSOCL=0\r\r\n\r\nERROR\r\n", T));
	CHECK(ate0(&s));
	CHECK(t_cmd(&s, "AT+CFUN=1,1", "OK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n"
		    "\r\n+CPIN: READY\r\n", T));
	CHECK(t_sends(&s, "AT+CSOC=1,1,1\r"));
	CHECK(t_expects(&s, "AT+CSOC=1,1,1\r\r\n\r\n+CSOC:0\r\n\r\nOK\r\n", T));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Generic faults seen through the SIM7020 dialect: stall, garbage, drop. */
static bool t_fault_generic(void)
{
	struct t_sim s;
	bool ok = false;
	char line[64];

	CHECK(start_ate0(&s, NULL));
	CHECK(t_fault(&s, "stall"));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_quiet(&s, 400));
	CHECK(t_fault(&s, "unstall"));
	CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	CHECK(t_fault(&s, "garbage 64"));
	{
		long long end = ms_now() + T;
		unsigned char b[64];
		size_t got = 0;

		while (got < 64 && ms_now() < end) {
			struct pollfd p = { .fd = s.fd, .events = POLLIN };
			ssize_t n;

			if (poll(&p, 1, 100) <= 0)
				continue;
			n = read(s.fd, b, 64 - got);
			if (n > 0)
				got += n;
		}
		CHECK(got == 64);
	}
	CHECK(t_cmd(&s, "AT", "OK\r\n", T));
	CHECK(t_fault(&s, "urc +CSOERR: 1,2"));
	CHECK(t_read_line(&s, line, sizeof(line), T));
	CHECK(!strcmp(line, "+CSOERR: 1,2"));
	CHECK(t_fault(&s, "drop"));
	{
		struct pollfd p = { .fd = s.fd, .events = POLLIN };
		unsigned char b[16];

		/* The line drop is a hangup on our side of the pty. */
		CHECK(poll(&p, 1, T) == 1);
		CHECK(read(s.fd, b, sizeof(b)) <= 0 || (p.revents & POLLHUP));
	}
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* Boot URCs, autobaud, URC noise, --cpin-notready, identity overrides. */
static bool t_realism_options(void)
{
	static const char *const rdy[] = { "--rdy", NULL };
	static const char *const ab[] = { "--rdy", "--autobaud", "2", NULL };
	static const char *const noise[] = {
		"--urc-noise", "--cpin-notready", "--model-name", "SIM7020C",
		"--revision", "Revision:1752B99SIM7020C", NULL };
	struct t_sim s;
	bool ok = false;

	CHECK(start(&s, rdy));
	CHECK(t_expects(&s, "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n",
			T));
	t_sim_stop(&s);

	/* Autobauding: no RDY, the first two ATs vanish, then echo + OK. */
	CHECK(start(&s, ab));
	CHECK(t_quiet(&s, 300));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_quiet(&s, 200));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_quiet(&s, 200));
	CHECK(t_sends(&s, "AT\r"));
	CHECK(t_expects(&s, "AT\r\r\n\r\nOK\r\n", T));
	t_sim_stop(&s);

	CHECK(start_ate0(&s, noise));
	CHECK(t_cmd(&s, "AT+CGMM", "SIM7020C\r\n\r\nOK\r\n", T));
	CHECK(t_cmd(&s, "AT+CGMR", "Revision:1752B99SIM7020C\r\n\r\nOK\r\n",
		    T));
	CHECK(t_cmd(&s, "AT+CGCONTRDP",
		    "+CGCONTRDP: 1,5,\"shnbiot\",\"" PDP ".255.255.255.0\"\r\n"
		    "\r\n*PSUTTZ: 21/11/21,05:20:00\",\"+32\",0\r\n"
		    "\r\nDST: 0\r\n\r\nOK\r\n", T));
	CHECK(t_fault(&s, "restart"));
	CHECK(t_expects(&s, "\r\n+CPIN: NOT READY\r\n\r\nRDY\r\n", T));
	ok = true;
out:
	t_sim_stop(&s);
	return ok;
}

/* --rtt: the handshake, the SEND: ack and the echo all cross the link. */
static bool t_rtt(void)
{
	static const char *const x[] = { "--rtt", "400", NULL };
	struct t_sim s;
	int peer = -1;
	long long t0;
	bool ok = false;

	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CSOSENDFLAG=1", "OK\r\n", T));
	t0 = ms_now();
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(ms_now() - t0 >= 380);
	t0 = ms_now();
	CHECK(t_cmd(&s, "AT+CSOSEND=0,4,\"6869\"", "OK\r\n", T));
	CHECK(ms_now() - t0 < 300);
	CHECK(peer_expect(peer, "hi", 2));
	CHECK(ms_now() - t0 >= 180);
	CHECK(t_expects(&s, "\r\nSEND: 0,2\r\n", T));
	CHECK(ms_now() - t0 >= 380);
	t0 = ms_now();
	CHECK(write(peer, "yo", 2) == 2);
	CHECK(t_expects(&s, "\r\n+CSONMI: 0,4,796F\r\n", T));
	CHECK(ms_now() - t0 >= 180);
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* Dialect faults from a --script: "after PREFIX" and "at MS". */
static bool t_script(void)
{
	char path[128], cmd[128];
	const char *x[] = { "--script", path, NULL };
	struct t_sim s;
	FILE *f;
	bool ok = false;

	snprintf(path, sizeof(path), "/tmp/t7020.%d.script", getpid());
	f = fopen(path, "w");
	CHECK(f);
	fputs("# refuse the first connect, then lose the PDN at 800 ms\n"
	      "after AT+CSOC= refuse\nat 800 pdp-deact\n", f);
	fclose(f);
	CHECK(start_ate0(&s, x));
	CHECK(t_cmd(&s, "AT+CSOC=1,1,1", "+CSOC:0\r\n\r\nOK\r\n", T));
	snprintf(cmd, sizeof(cmd), "AT+CSOCON=0,%d,\"127.0.0.1\"",
		 echod.tcp_port);
	CHECK(t_cmd(&s, cmd, "ERROR\r\n", T));
	CHECK(t_cmd(&s, cmd, "OK\r\n", T));
	CHECK(t_expects(&s, "\r\n+CSOERR: 0,11\r\n", T));
	CHECK(t_cmd(&s, "AT+CGACT?", "+CGACT: 1,0\r\n\r\nOK\r\n", T));
	ok = true;
out:
	unlink(path);
	t_sim_stop(&s);
	return ok;
}

/* At 115200 baud the UART is the bottleneck: all bytes, in order, binary. */
static bool t_baud_bulk(void)
{
	static const char *const x[] = { "--baud", "115200", NULL };
	static unsigned char big[8000], got[8000];
	struct t_sim s;
	size_t have = 0;
	int peer = -1, i;
	bool ok = false;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (unsigned char)(i % 251);
	CHECK(start_ate0(&s, x));
	CHECK(sock_to_us(&s, 0, &peer));
	CHECK(t_cmd(&s, "AT+CSORCVFLAG=1", "OK\r\n", T));
	CHECK(write(peer, big, sizeof(big)) == sizeof(big));
	while (have < sizeof(big)) {
		char hdr[32];
		int len, n;

		/* "\r\n+CSONMI: 0,len," then len raw bytes and "\r\n". */
		CHECK(t_expects(&s, "\r\n+CSONMI: 0,", T));
		for (n = 0; n < (int)sizeof(hdr) - 1; n++) {
			CHECK(t_read_raw(&s, hdr + n, 1, T));
			if (hdr[n] == ',')
				break;
		}
		hdr[n] = 0;
		len = atoi(hdr);
		CHECK(len > 0 && len <= 512);
		CHECK(have + len <= sizeof(big));
		CHECK(t_read_raw(&s, got + have, len, T));
		CHECK(t_expects(&s, "\r\n", T));
		have += len;
	}
	CHECK(!memcmp(got, big, sizeof(big)));
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	t_sim_stop(&s);
	return ok;
}

/* ------------------------------------------------------------------ main */

static const struct {
	const char *name;
	bool (*fn)(void);
} tests[] = {
	{ "seed 2.1 PDN self-activation", t_seed_2_1 },
	{ "seed 2.2 APN change with CFUN=0/1", t_seed_2_2 },
	{ "seed 2.3 DNS and ping", t_seed_2_3 },
	{ "seed 2.4 PDN deactivation", t_seed_2_4 },
	{ "seed 3.2 TCP client", t_seed_3_2 },
	{ "seed 3.3 UDP", t_seed_3_3 },
	{ "seed 3.4/3.5 two sockets, ASCII and hex", t_seed_3_4 },
	{ "seed 3.6 CSOSENDFLAG SEND: ack", t_seed_3_6 },
	{ "seed 3.7 +CSONMI hex", t_seed_3_7 },
	{ "seed 3.8 hex dump of AT+CFUN? with echo", t_seed_3_8 },
	{ "seed 3.9 +CSOERR reset and close", t_seed_3_9 },
	{ "seed 4 recommended flow", t_seed_4_flow },
	{ "identity and unknown commands", t_identity },
	{ "echo quirk, ATE0/ATE1, --plain-echo, --echo off", t_echo },
	{ "five sockets, sixth ERROR", t_five_sockets },
	{ "sockets bound to the PDP address", t_source_address },
	{ "CSOSEND hex/ASCII rules", t_csosend_rules },
	{ "CSODSEND and binary CSONMI", t_binary },
	{ "--no-binary fallback to hex", t_no_binary },
	{ "AT+CSODSEND=?, --no-dsend", t_dsend_probe },
	{ "CSONMI chunking (--nmi-max)", t_nmi_chunks },
	{ "data delivered before close", t_data_before_close },
	{ "CFUN cycle, MCGDEFCONT, delayed PDN", t_cfun_cycle },
	{ "CGACT=0,1 / 1,1 and +CGEV", t_cgact },
	{ "CDNSGIP formats and failures", t_dns },
	{ "--spaced", t_spaced },
	{ "no server, no transparent mode", t_unsupported },
	{ "busy CSOCON queues later commands", t_busy_queue },
	{ "fault pdp-deact", t_fault_pdp_deact },
	{ "fault close/reset", t_fault_close_reset },
	{ "--close-code", t_fault_close_code },
	{ "fault refuse and real refusal", t_fault_refuse },
	{ "fault blackhole (connect, ping)", t_fault_blackhole },
	{ "fault send-fail", t_fault_send_fail },
	{ "fault restart and CFUN=1,1", t_fault_restart },
	{ "faults stall, garbage, urc, drop", t_fault_generic },
	{ "--rdy, --autobaud, --urc-noise, --cpin-notready", t_realism_options },
	{ "--rtt delays connect, SEND: ack and data", t_rtt },
	{ "dialect faults from --script", t_script },
	{ "8000 bytes binary at 115200 baud", t_baud_bulk },
};

int main(int argc, char **argv)
{
	const char *filter = NULL;
	int i, n = 0, failed = 0;
	size_t k;
	char *slash;
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-k"))
			setenv("T7020_KEEP", "1", 1);
		else
			filter = argv[i];
	}
	snprintf(t_bindir, 512, "%s", argv[0]);
	slash = strrchr(t_bindir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(t_bindir, 512, ".");

	snprintf(hosts_path, sizeof(hosts_path), "/tmp/t7020.%d.hosts",
		 getpid());
	f = fopen(hosts_path, "w");
	if (!f) {
		printf("Bail out! cannot write %s\n", hosts_path);
		return 1;
	}
	fputs("61.135.169.121 www.baidu.com\n127.0.0.1 echo.test\n", f);
	fclose(f);

	for (k = 0; k < sizeof(tests) / sizeof(tests[0]); k++)
		if (!filter || strstr(tests[k].name, filter))
			n++;
	printf("TAP version 13\n1..%d\n", n);
	if (!t_echod_start(&echod)) {
		printf("Bail out! echod did not start\n");
		return 1;
	}
	n = 0;
	for (k = 0; k < sizeof(tests) / sizeof(tests[0]); k++) {
		int before = t_failed_checks;
		bool ok;

		if (filter && !strstr(tests[k].name, filter))
			continue;
		ok = tests[k].fn() && t_failed_checks == before;
		printf("%sok %d - sim7020: %s\n", ok ? "" : "not ", ++n,
		       tests[k].name);
		if (!ok)
			failed++;
	}
	t_echod_stop(&echod);
	unlink(hosts_path);
	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
