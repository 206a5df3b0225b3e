// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-netlink: oci/netlink against the real kernel, in network namespaces
 * the test makes itself (root only; qemu-user has none: skipped, saying
 * why).  The process moves into a new namespace A and keeps fds of two
 * more, B (the "container") and C.  In A: a bridge, a veth whose peer is
 * made directly in B with a fixed MAC and MTU, the host end attached;
 * 10.99.0.1/24 on the bridge, 10.99.0.2/24 on the peer, a default route
 * in B via 10.99.0.1; then a TCP connection from a socket of B to one
 * bound on 10.99.0.1 in A carries data both ways.  Also: lookups of
 * missing links, errors that name the link and carry the kernel's errno
 * and words, the subnets listed, deletion (a veth takes its peer along),
 * and lo brought up in C.  Everything dies with the namespaces when the
 * process exits, whatever failed.
 */
#define UNIT_NAME "test-netlink"
#include "tests/unit/unit.h"

#include "oci/netlink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

static int ns_a = -1, ns_b = -1, ns_c = -1;
static struct nl nla = { -1, 0 }, nlb = { -1, 0 };
static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x0a, 0x63, 0x00, 0x02 };

static struct in_addr ip4(const char *s)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, s, &a);
	return a;
}

/* The mtu of a link, -1 if it is missing or on error. */
static int mtu_of(struct nl *nl, const char *name, struct err *e)
{
	int mtu = 0;

	return nl_link_index(nl, name, &mtu, e) > 0 ? mtu : -1;
}

/* A new network namespace's fd; the caller stays where it was. */
static int ns_new(void)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd = -1;

	if (self < 0)
		return -1;
	if (unshare(CLONE_NEWNET) == 0) {
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
	}
	close(self);
	return fd;
}

/* A socket of the namespace ns (made there, used from A). */
static int sock_in(int ns, int type)
{
	int fd;

	if (setns(ns, CLONE_NEWNET) < 0)
		return -1;
	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (setns(ns_a, CLONE_NEWNET) < 0)
		abort();
	return fd;
}

/* Are we still in A? */
static int in_a(void)
{
	struct stat self, a;

	return stat("/proc/self/ns/net", &self) == 0 && fstat(ns_a, &a) == 0 &&
	       self.st_ino == a.st_ino && self.st_dev == a.st_dev;
}

static void timeouts(int fd)
{
	struct timeval tv = { 5, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* A TCP connection from a socket of ns to a listener on addr in lns, data
 * both ways; NULL when it worked, else the step that failed (errno kept). */
static const char *tcp_talk(int lns, int ns, const char *addr, struct in_addr *peer)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = ip4(addr) };
	socklen_t len = sizeof(sa);
	char buf[8];
	const char *why = NULL;
	int l = sock_in(lns, SOCK_STREAM), c = sock_in(ns, SOCK_STREAM), s = -1;

	if (l < 0 || c < 0)
		return "socket";
	timeouts(l);
	timeouts(c);
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		why = "listen";
	else if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		why = "connect";
	else if ((s = accept(l, (struct sockaddr *)&sa, &len)) < 0)
		why = "accept";
	else if (write(c, "ping", 4) != 4 || read(s, buf, sizeof(buf)) != 4 ||
		 memcmp(buf, "ping", 4) != 0)
		why = "ping";
	else if (write(s, "pong", 4) != 4 || read(c, buf, sizeof(buf)) != 4 ||
		 memcmp(buf, "pong", 4) != 0)
		why = "pong";
	if (peer)
		*peer = sa.sin_addr;
	if (s >= 0)
		close(s);
	close(c);
	close(l);
	return why;
}

static int has_net(const struct nl_net4 *v, int n, const char *net, int prefix)
{
	int found = 0;

	for (int i = 0; i < n; i++)
		if (v[i].net.s_addr == ip4(net).s_addr && v[i].prefix == prefix)
			found++;
	return found;
}

static void test_open(void)
{
	struct err e = { 0 };
	struct nl n;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK(nl_open(&nla, -1, &e) == 0);
	CHECK(nl_open(&nlb, ns_b, &e) == 0);
	CHECK(in_a());
	/* not a namespace: refused, and we stay where we were */
	CHECK(fd >= 0);
	CHECK(nl_open(&n, fd, &e) == -1);
	close(fd);
	CHECK(n.fd == -1);
	CHECK(e.errnum == EINVAL);
	CHECK_HAS(e.msg, "enter network namespace");
	CHECK(in_a());
	nl_close(&n);
}

static void test_link_index(void)
{
	struct err e = { 0 };

	CHECK(nl_link_index(&nla, "nkmissing", NULL, &e) == 0);
	CHECK(nl_link_index(&nla, "lo", NULL, &e) == 1);
	CHECK(nl_link_index(&nlb, "lo", NULL, &e) == 1);
	/* refused by the kernel, not cut to the name of another link */
	CHECK(nl_bridge_add(&nla, "nk-name-too-lon", 0, &e) == 0);
	CHECK(nl_link_index(&nla, "nk-name-too-long", NULL, &e) == -1);
	CHECK(e.errnum != 0);
	CHECK_HAS(e.msg, "look up link nk-name-too-long");
	CHECK(nl_link_del(&nla, "nk-name-too-long", &e) == -1);
	CHECK(nl_link_index(&nla, "nk-name-too-lon", NULL, &e) > 0);
	CHECK(nl_link_del(&nla, "nk-name-too-lon", &e) == 0);
}

static void test_bridge(void)
{
	struct err e = { 0 };
	int idx;

	CHECK(nl_bridge_add(&nla, "nkbr0", 1400, &e) == 0);
	idx = nl_link_index(&nla, "nkbr0", NULL, &e);
	CHECK(idx > 1);
	CHECK(idx == (int)if_nametoindex("nkbr0"));
	CHECK(mtu_of(&nla, "nkbr0", &e) == 1400);
	/* not in B */
	CHECK(nl_link_index(&nlb, "nkbr0", NULL, &e) == 0);
	/* again: EEXIST, named */
	CHECK(nl_bridge_add(&nla, "nkbr0", 0, &e) == -1);
	CHECK(e.errnum == EEXIST);
	CHECK_HAS(e.msg, "create bridge nkbr0");
	/* the kernel's own words come along (extended ack) */
	CHECK(nl_bridge_add(&nla, "nkbig", 100000, &e) == -1);
	CHECK(e.errnum == EINVAL);
	CHECK_HAS(e.msg, "create bridge nkbig: ");
	CHECK_HAS(e.msg, "mtu");
	CHECK(nl_link_index(&nla, "nkbig", NULL, &e) == 0);
}

static void test_veth(void)
{
	struct err e = { 0 };
	struct ifreq ifr = { 0 };
	int fd;

	CHECK(nl_veth_add(&nla, "nkveth0", "nkpeer0", ns_b, peer_mac, 1400, 0, &e) == 0);
	CHECK(nl_link_index(&nla, "nkveth0", NULL, &e) > 0);
	CHECK(nl_link_index(&nla, "nkpeer0", NULL, &e) == 0);
	CHECK(nl_link_index(&nlb, "nkpeer0", NULL, &e) > 0);
	CHECK(nl_link_index(&nlb, "nkveth0", NULL, &e) == 0);
	CHECK(mtu_of(&nla, "nkveth0", &e) == 1400);
	CHECK(mtu_of(&nlb, "nkpeer0", &e) == 1400);
	/* the peer's MAC, asked in B */
	fd = sock_in(ns_b, SOCK_DGRAM);
	CHECK(fd >= 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "nkpeer0");
	CHECK(ioctl(fd, SIOCGIFHWADDR, &ifr) == 0);
	close(fd);
	CHECK(memcmp(ifr.ifr_hwaddr.sa_data, peer_mac, 6) == 0);
	/* a peer name taken in B: an error, and nothing left behind in A */
	CHECK(nl_veth_add(&nla, "nkveth1", "nkpeer0", ns_b, NULL, 0, 0, &e) == -1);
	CHECK(e.errnum == EEXIST);
	CHECK_HAS(e.msg, "create veth nkveth1");
	CHECK(nl_link_index(&nla, "nkveth1", NULL, &e) == 0);
	/* both ends here, random MAC, default MTU */
	CHECK(nl_veth_add(&nla, "nkv2", "nkv2p", -1, NULL, 0, 0, &e) == 0);
	CHECK(nl_link_index(&nla, "nkv2p", NULL, &e) > 0);
	CHECK(mtu_of(&nla, "nkv2p", &e) == 1500);
	CHECK(nl_link_del(&nla, "nkv2", &e) == 0);
	CHECK(nl_link_index(&nla, "nkv2p", NULL, &e) == 0);
}

static void test_up_and_addresses(void)
{
	struct err e = { 0 };
	int br = nl_link_index(&nla, "nkbr0", NULL, &e);

	CHECK(br > 0);
	{
		/* master > 0: the host's end up at birth, on the bridge */
		struct ifreq ifr = { 0 };
		int fa = sock_in(ns_a, SOCK_DGRAM), fb = sock_in(ns_b, SOCK_DGRAM), up_a, up_b;

		CHECK(fa >= 0 && fb >= 0);
		CHECK(nl_veth_add(&nla, "nkv3", "nkv3p", ns_b, NULL, 0, br, &e) == 0);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "nkv3");
		up_a = ioctl(fa, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "nkv3p");
		up_b = ioctl(fb, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP);
		close(fa);
		close(fb);
		CHECK(up_a && up_b);
		CHECK(nl_link_del(&nla, "nkv3", &e) == 0);
	}
	CHECK(nl_link_up(&nla, "nkveth0", br, &e) == 0);
	CHECK(nl_link_up(&nla, "nkbr0", 0, &e) == 0);
	CHECK(nl_addr_add4(&nla, "nkbr0", ip4("10.99.0.1"), 24, &e) == 0);
	/* already there: fine */
	CHECK(nl_addr_add4(&nla, "nkbr0", ip4("10.99.0.1"), 24, &e) == 0);
	CHECK(nl_link_up(&nlb, "lo", 0, &e) == 0);
	CHECK(nl_link_up(&nlb, "nkpeer0", 0, &e) == 0);
	CHECK(nl_addr_add4(&nlb, "nkpeer0", ip4("10.99.0.2"), 24, &e) == 0);
	CHECK(nl_route_add4(&nlb, ip4("0.0.0.0"), 0, ip4("10.99.0.1"), "nkpeer0", &e) == 0);
	CHECK(nl_route_add4(&nlb, ip4("10.98.0.0"), 16, ip4("10.99.0.1"), "nkpeer0", &e) == 0);
	/* the same route again: EEXIST, named */
	CHECK(nl_route_add4(&nlb, ip4("10.98.0.0"), 16, ip4("10.99.0.1"), "nkpeer0", &e) == -1);
	CHECK(e.errnum == EEXIST);
	CHECK_HAS(e.msg, "add route 10.98.0.0/16 via 10.99.0.1 dev nkpeer0");
	/* a gateway off every link: the kernel refuses, in its words */
	CHECK(nl_route_add4(&nlb, ip4("10.97.0.0"), 16, ip4("10.1.2.3"), "nkpeer0", &e) == -1);
	/* qemu-user hands the NLMSG_ERROR back untranslated: on MIPS the
	 * host's ENETUNREACH (101) arrives, not MIPS's own (128) */
#if defined(__mips__)
	CHECK(e.errnum == ENETUNREACH || e.errnum == 101);
#else
	CHECK(e.errnum == ENETUNREACH);
#endif
	CHECK_HAS(e.msg, "add route 10.97.0.0/16 via 10.1.2.3 dev nkpeer0");
}

static void test_errors_name_the_link(void)
{
	struct err e = { 0 };

	CHECK(nl_link_up(&nla, "nkmissing", 0, &e) == -1);
	CHECK(e.errnum == ENODEV);
	CHECK_HAS(e.msg, "set up link nkmissing");
	/* a missing link: index 0, mtu -1, no error */
	CHECK(mtu_of(&nla, "nkmissing", &e) == -1);
	CHECK(nl_addr_add4(&nla, "nkmissing", ip4("10.99.1.1"), 24, &e) == -1);
	CHECK(e.errnum == ENODEV);
	CHECK_STR(e.msg, "add address 10.99.1.1/24 to nkmissing");
	CHECK(nl_route_add4(&nla, ip4("0.0.0.0"), 0, ip4("10.99.0.254"), "nkmissing", &e) == -1);
	CHECK(e.errnum == ENODEV);
	CHECK_HAS(e.msg, "nkmissing");
	/* a bridge cannot be its own port (a failed master change of a port
	 * would take it off its bridge: the kernel detaches first) */
	CHECK(nl_link_up(&nla, "nkbr0", nl_link_index(&nla, "nkbr0", NULL, &e), &e) == -1);
	CHECK(e.errnum != 0);
	CHECK_HAS(e.msg, "set up link nkbr0");
}

/* tcp_talk worked, else the test fails with the step and its errno. */
#define CHECK_TCP(lns, ns, addr, peer)                                                             \
	do {                                                                                       \
		const char *_why = tcp_talk(lns, ns, addr, peer);                                  \
		if (_why) {                                                                        \
			snprintf(unit_why, sizeof(unit_why), "%s:%d: tcp to %s: %s: %s", __FILE__, \
				 __LINE__, addr, _why, strerror(errno));                           \
			unit_cur_failed = 1;                                                       \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void test_traffic(void)
{
	struct in_addr peer;

	CHECK_TCP(ns_a, ns_b, "10.99.0.1", &peer);
	CHECK(peer.s_addr == ip4("10.99.0.2").s_addr);
}

/* nl_link_setup4: address, up and default route in one datagram, in a
 * namespace of its own (D), on a veth whose host end is in A. */
static void test_setup4(void)
{
	struct err e = { 0 };
	struct nl nld = { -1, 0 };
	struct ifreq ifr = { 0 };
	int nsd = ns_new(), fd, up;

	CHECK(nsd >= 0);
	CHECK(nl_open(&nld, nsd, &e) == 0);
	CHECK(nl_veth_add(&nla, "nkv4", "nkv4p", nsd, NULL, 0, 0, &e) == 0);
	CHECK(nl_link_up(&nla, "nkv4", 0, &e) == 0);
	CHECK(nl_addr_add4(&nla, "nkv4", ip4("10.97.5.1"), 24, &e) == 0);
	CHECK(nl_link_setup4(&nld, "nkv4p", ip4("10.97.5.2"), 24, ip4("10.97.5.1"), &e) == 0);
	fd = sock_in(nsd, SOCK_DGRAM);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "nkv4p");
	up = fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	if (fd >= 0)
		close(fd);
	CHECK(up);
	/* the default route is there: adding it again is EEXIST */
	CHECK(nl_route_add4(&nld, ip4("0.0.0.0"), 0, ip4("10.97.5.1"), "nkv4p", &e) == -1);
	CHECK(e.errnum == EEXIST);
	/* again without a route: the address already there is fine */
	CHECK(nl_link_setup4(&nld, "nkv4p", ip4("10.97.5.2"), 24, ip4("0.0.0.0"), &e) == 0);
	/* again with it: the route's EEXIST is the call's, named */
	CHECK(nl_link_setup4(&nld, "nkv4p", ip4("10.97.5.2"), 24, ip4("10.97.5.1"), &e) == -1);
	CHECK(e.errnum == EEXIST);
	CHECK_HAS(e.msg, "set up 10.97.5.2/24 via 10.97.5.1 on nkv4p");
	/* a missing link, a bad prefix */
	CHECK(nl_link_setup4(&nld, "nkmissing", ip4("10.97.6.2"), 24, ip4("0.0.0.0"), &e) == -1);
	CHECK(e.errnum == ENODEV);
	CHECK_HAS(e.msg, "nkmissing");
	CHECK(nl_link_setup4(&nld, "nkv4p", ip4("10.97.6.2"), 33, ip4("0.0.0.0"), &e) == -1);
	CHECK(e.errnum == EINVAL);
	/* traffic both ways over it */
	CHECK_TCP(ns_a, nsd, "10.97.5.1", NULL);
	CHECK(nl_link_del(&nla, "nkv4", &e) == 0);
	nl_close(&nld);
	close(nsd);
}

static void test_nets4(void)
{
	struct err e = { 0 };
	struct nl_net4 *v = NULL;
	int n = nl_nets4(&nla, 0, &v, &e);

	CHECK(n > 0);
	/* the address and its route: one entry */
	CHECK(has_net(v, n, "10.99.0.0", 24) == 1);
	CHECK(has_net(v, n, "10.98.0.0", 16) == 0);
	free(v);
	v = NULL;
	n = nl_nets4(&nlb, 0, &v, &e);
	CHECK(n > 0);
	CHECK(has_net(v, n, "10.99.0.0", 24) == 1);
	CHECK(has_net(v, n, "10.98.0.0", 16) == 1);
	CHECK(has_net(v, n, "127.0.0.0", 8) == 1);
	for (int i = 0; i < n; i++)
		CHECK(v[i].prefix > 0);
	free(v);
	v = NULL;
	/* a namespace with nothing up: nothing */
	{
		struct nl c;

		CHECK(nl_open(&c, ns_c, &e) == 0);
		n = nl_nets4(&c, 0, &v, &e);
		nl_close(&c);
		CHECK(n == 0);
		CHECK(v == NULL);
	}
}

/* a bridge's ports and own addresses (network prune's test of a bridge
 * that no network names) */
static void test_bridge_ports(void)
{
	struct err e = { 0 };
	struct nl_net4 *v = NULL;
	int br = nl_link_index(&nla, "nkbr0", NULL, &e);
	int n = nl_nets4(&nla, br, &v, &e);

	CHECK(br > 0);
	CHECK(n == 1);
	CHECK(has_net(v, n, "10.99.0.0", 24) == 1);
	free(v);
	/* nkveth0 is on it */
	CHECK(nl_bridge_ports(&nla, br, &e) == 1);
	CHECK(nl_bridge_ports(&nla, nl_link_index(&nla, "nkveth0", NULL, &e), &e) == -1);
	CHECK(nl_bridge_add(&nla, "nkbr1", 0, &e) == 0);
	br = nl_link_index(&nla, "nkbr1", NULL, &e);
	CHECK(nl_bridge_ports(&nla, br, &e) == 0);
	CHECK(nl_nets4(&nla, br, &v, &e) == 0);
	CHECK(nl_link_del(&nla, "nkbr1", &e) == 0);
}

static void test_delete(void)
{
	struct err e = { 0 };

	CHECK(nl_link_del(&nla, "nkmissing", &e) == 0);
	CHECK(nl_link_del(&nla, "nkveth0", &e) == 0);
	/* the peer went with it */
	CHECK(nl_link_index(&nlb, "nkpeer0", NULL, &e) == 0);
	CHECK(nl_link_del(&nla, "nkbr0", &e) == 0);
	CHECK(nl_link_index(&nla, "nkbr0", NULL, &e) == 0);
	CHECK(nl_link_del(&nla, "nkbr0", &e) == 0);
}

int main(void)
{
	struct err e = { 0 };
	char why[600];

	if (geteuid() != 0) {
		printf("ok - %s: all # SKIP optional: needs root\n", UNIT_NAME);
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("ok - %s: all # SKIP optional: no network namespaces (unshare: %s)\n",
		       UNIT_NAME, strerror(errno));
		return 0;
	}
	ns_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns_b = ns_new();
	ns_c = ns_new();
	if (ns_a < 0 || ns_b < 0 || ns_c < 0) {
		printf("not ok - %s: setup: namespaces: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	/* qemu-user (make cross-check) passes unshare through but translates
	 * rtnetlink itself, and refuses what it does not know (IFLA_LINKINFO)
	 * with ENOTSOCK, which no kernel answers on a netlink socket */
	if (nl_open(&nla, -1, &e) == 0 && nl_bridge_add(&nla, "nkprobe", 0, &e) < 0 &&
	    e.errnum == ENOTSOCK) {
		printf("ok - %s: all # SKIP optional: netlink not translated (qemu-user): %s\n",
		       UNIT_NAME, err_str(&e, why, sizeof(why)));
		return 0;
	}
	nl_link_del(&nla, "nkprobe", &e);
	nl_close(&nla);
	RUN(test_open);
	RUN(test_link_index);
	RUN(test_bridge);
	RUN(test_veth);
	RUN(test_up_and_addresses);
	RUN(test_errors_name_the_link);
	RUN(test_traffic);
	RUN(test_setup4);
	RUN(test_nets4);
	RUN(test_bridge_ports);
	RUN(test_delete);
	nl_close(&nla);
	nl_close(&nlb);
	UNIT_EXIT();
}
