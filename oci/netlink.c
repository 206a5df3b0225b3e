// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netlink: rtnetlink requests on a raw NETLINK_ROUTE socket.
 *
 * A request is built in a zeroed buffer on the stack (a name takes at most
 * IFNAMSIZ bytes in it, so the largest request, a veth pair, stays far
 * below its size), sent with NLM_F_ACK and a fresh sequence number; the
 * answer is read up to the NLMSG_ERROR of that number (the ACK, or the
 * errno) or, for a dump, up to NLMSG_DONE, however many datagrams it
 * spans.  Several requests can share one datagram (a container's address,
 * link and route: one system call each way instead of three); the kernel
 * runs them in order and answers each, and the first failure is the
 * call's.  Messages of other numbers (a stale answer) are skipped, and so is
 * anything not sent by the kernel.  Hazards: every length read from the
 * kernel is checked before use (a truncated datagram is an error, never a
 * partial parse); attribute payloads are copied out with memcpy, since
 * only 4-byte alignment is promised; and the kernel ABI structs have the
 * same layout on 32-bit targets.
 */
#include "oci/netlink.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Requests: one or several messages (header, fixed part, attributes) one
 * after the other, sent in one datagram; h is the one being built. */
struct req {
	struct nlmsghdr *h;
	unsigned n; /* messages */
	unsigned ok_exist; /* bit i: EEXIST from message i is no error */
	char buf[1024] __attribute__((aligned(8)));
};

typedef void (*nl_cb)(const struct nlmsghdr *m, void *arg);

/* Begin a new message in r (zeroed: `struct req r = { 0 }`, so a field
 * not set is 0: AF_UNSPEC, no flags). */
static void *req_init(struct req *r, uint16_t type, uint16_t flags, size_t len)
{
	struct nlmsghdr *h =
		(struct nlmsghdr *)(r->n ? (char *)r->h + NLMSG_ALIGN(r->h->nlmsg_len) : r->buf);

	r->h = h;
	r->n++;
	h->nlmsg_len = NLMSG_LENGTH(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(h);
}

static struct rtattr *put(struct req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r->h + NLMSG_ALIGN(r->h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len = NLMSG_ALIGN(r->h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void put_u32(struct req *r, uint16_t type, uint32_t v)
{
	put(r, type, &v, sizeof(v));
}

/* At most IFNAMSIZ bytes: a longer name goes out cut and without its NUL,
 * which the kernel refuses (the policy of IFLA_IFNAME), never truncated
 * into the name of another link. */
static void put_str(struct req *r, uint16_t type, const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	put(r, type, s, n < IFNAMSIZ ? n + 1 : n);
}

/* Close a nested attribute opened with put(r, type, NULL, 0). */
static void nest_end(struct req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)r->h + r->h->nlmsg_len - (char *)a);
}

/* tb[type] = the attribute of that type in [p, end), for type < n. */
static void attrs(const char *p, const char *end, const struct rtattr **tb, unsigned n)
{
	memset(tb, 0, n * sizeof(*tb));
	while (end - p >= (ptrdiff_t)sizeof(struct rtattr)) {
		const struct rtattr *a = (const struct rtattr *)p;

		if (a->rta_len < sizeof(*a) || a->rta_len > end - p)
			break;
		if (a->rta_type < n)
			tb[a->rta_type] = a;
		p += RTA_ALIGN(a->rta_len);
	}
}

/* The attributes of m after its fixed part of len bytes. */
static void msg_attrs(const struct nlmsghdr *m, size_t len, const struct rtattr **tb, unsigned n)
{
	const char *p = (const char *)m;

	attrs(p + NLMSG_SPACE(len), p + m->nlmsg_len, tb, n);
}

/* A 4-byte payload into *v; 0 if it has none. */
static int get_u32(const struct rtattr *a, uint32_t *v)
{
	if (!a || RTA_PAYLOAD(a) < sizeof(*v))
		return 0;
	memcpy(v, RTA_DATA(a), sizeof(*v));
	return 1;
}

/* The NLMSG_ERROR m: 0 for an ACK, else the errno, and in *ext the
 * kernel's own words when it gave any. */
static int nl_ack(const struct nlmsghdr *m, const char **ext)
{
	const struct nlmsgerr *er = NLMSG_DATA(m);
	const struct rtattr *tb[NLMSGERR_ATTR_MSG + 1], *a;

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*er)))
		return EPROTO;
	if (!er->error)
		return 0;
	/* Extended ack: attributes after the error and, unless capped, the
	 * echo of our request. */
	if ((m->nlmsg_flags & NLM_F_ACK_TLVS) && er->msg.nlmsg_len >= NLMSG_HDRLEN) {
		size_t off = sizeof(*er);

		if (!(m->nlmsg_flags & NLM_F_CAPPED))
			off += er->msg.nlmsg_len - NLMSG_HDRLEN;
		off = NLMSG_HDRLEN + NLMSG_ALIGN(off);
		if (off < m->nlmsg_len) {
			attrs((const char *)m + off, (const char *)m + m->nlmsg_len, tb,
			      NLMSGERR_ATTR_MSG + 1);
			a = tb[NLMSGERR_ATTR_MSG];
			if (a && RTA_PAYLOAD(a) > 1 && memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)))
				*ext = RTA_DATA(a);
		}
	}
	return er->error < 0 ? -er->error : EIO;
}

/* Send the requests in r and read their answers: every message of them
 * but the last of each goes to cb.  Returns 0, or -errno of the first that
 * failed with e set to "what name: ...". */
static int talk(struct nl *nl, struct req *r, nl_cb cb, void *arg, const char *what,
		const char *name, struct err *e)
{
	char buf[8192] __attribute__((aligned(8)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	uint32_t first = nl->seq + 1;
	unsigned left = r->n;
	const char *ext = NULL;
	char *p = r->buf, *end = (char *)r->h + r->h->nlmsg_len;
	int errnum;

	for (struct nlmsghdr *h; p < end; p += NLMSG_ALIGN(h->nlmsg_len)) {
		h = (struct nlmsghdr *)p;
		h->nlmsg_seq = ++nl->seq;
		if ((h->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
			h->nlmsg_flags |= NLM_F_ACK;
	}
	if (sendto(nl->fd, r->buf, (size_t)(end - r->buf), 0, (struct sockaddr *)&sa, sizeof(sa)) <
	    0)
		goto sys;
	while (left) {
		socklen_t salen = sizeof(sa);
		/* MSG_TRUNC: the datagram's full length, to see truncation */
		ssize_t n = recvfrom(nl->fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&sa,
				     &salen);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto sys;
		errnum = EMSGSIZE;
		if ((size_t)n > sizeof(buf))
			goto fail;
		if (sa.nl_pid != 0)
			continue;
		while (left && off + NLMSG_HDRLEN <= (size_t)n) {
			const struct nlmsghdr *m = (const struct nlmsghdr *)(buf + off);
			uint32_t i = m->nlmsg_seq - first;
			int32_t v = 0;

			if (m->nlmsg_len < NLMSG_HDRLEN || m->nlmsg_len > (size_t)n - off)
				break;
			off += NLMSG_ALIGN(m->nlmsg_len);
			if (i >= r->n)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				v = nl_ack(m, &ext);
			} else if (m->nlmsg_type == NLMSG_DONE) {
				/* a dump that failed half-way says so here */
				if (m->nlmsg_len >= NLMSG_LENGTH(sizeof(v)))
					memcpy(&v, NLMSG_DATA(m), sizeof(v));
				v = v < 0 ? -v : 0;
			} else {
				if (cb)
					cb(m, arg);
				continue;
			}
			left--;
			if (v == EEXIST && (r->ok_exist >> i & 1))
				v = 0, ext = NULL;
			/* the first failure ends it: the answers to the rest
			 * are stale to the next request (seq) */
			if (v) {
				errnum = v;
				goto fail;
			}
		}
	}
	return 0;
sys:
	errnum = errno;
fail:
	err_set(e, errnum, "%s %s%s%s", what, name, ext ? ": " : "", ext ? ext : "");
	return -errnum;
}

int nl_open(struct nl *nl, int netns_fd, struct err *e)
{
	_cleanup_close_ int self = -1;
	int one = 1, errnum;

	nl->fd = -1;
	nl->seq = 0;
	if (netns_fd >= 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return err_sys(e, "open /proc/self/ns/net");
		if (setns(netns_fd, CLONE_NEWNET) < 0)
			return err_sys(e, "enter network namespace (fd %d)", netns_fd);
	}
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	errnum = errno;
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0) {
		/* we are stuck in the other namespace: nothing may go on */
		nl_close(nl);
		return err_sys(e, "return to own network namespace");
	}
	if (nl->fd < 0)
		return err_set(e, errnum, "netlink socket");
	/* Errors with the kernel's words, without the echo of the request;
	 * older kernels lack these, which costs only the words. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* ---- links ----------------------------------------------------------- */

struct link_info {
	int index, mtu;
};

static void link_cb(const struct nlmsghdr *m, void *arg)
{
	struct link_info *li = arg;
	const struct rtattr *tb[IFLA_MTU + 1];
	uint32_t mtu;

	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return;
	li->index = ((const struct ifinfomsg *)NLMSG_DATA(m))->ifi_index;
	msg_attrs(m, sizeof(struct ifinfomsg), tb, IFLA_MTU + 1);
	if (get_u32(tb[IFLA_MTU], &mtu))
		li->mtu = (int)mtu;
}

/* A link message (ifinfomsg, AF_UNSPEC) about the link name. */
static struct ifinfomsg *msg_link(struct req *r, uint16_t type, uint16_t flags, const char *name)
{
	struct ifinfomsg *ifi = req_init(r, type, flags, sizeof(*ifi));

	put_str(r, IFLA_IFNAME, name);
	return ifi;
}

/* The link name: its index (0 for none) and mtu; -errno on error, with e
 * set to "what name: ..." (also for a missing link: -ENODEV). */
static int link_get(struct nl *nl, const char *name, struct link_info *li, const char *what,
		    struct err *e)
{
	struct req r = { 0 };

	msg_link(&r, RTM_GETLINK, 0, name);
	li->index = 0;
	li->mtu = -1;
	return talk(nl, &r, link_cb, li, what, name, e);
}

int nl_link_index(struct nl *nl, const char *name, int *mtu, struct err *e)
{
	struct link_info li;
	int rc = link_get(nl, name, &li, "look up link", e);

	if (mtu)
		*mtu = li.mtu;
	if (rc == -ENODEV)
		return 0;
	return rc < 0 ? -1 : li.index;
}

struct ports {
	int br, n, bridge;
};

static void ports_cb(const struct nlmsghdr *m, void *arg)
{
	struct ports *p = arg;
	const struct rtattr *tb[IFLA_LINKINFO + 1], *ti[IFLA_INFO_KIND + 1], *li, *k;
	uint32_t master;

	if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return;
	msg_attrs(m, sizeof(struct ifinfomsg), tb, IFLA_LINKINFO + 1);
	if (get_u32(tb[IFLA_MASTER], &master) && (int)master == p->br)
		p->n++;
	li = tb[IFLA_LINKINFO];
	if (((const struct ifinfomsg *)NLMSG_DATA(m))->ifi_index != p->br || !li)
		return;
	attrs(RTA_DATA(li), (const char *)li + li->rta_len, ti, IFLA_INFO_KIND + 1);
	k = ti[IFLA_INFO_KIND];
	p->bridge = k && RTA_PAYLOAD(k) >= 7 && memcmp(RTA_DATA(k), "bridge", 7) == 0;
}

int nl_bridge_ports(struct nl *nl, int br, struct err *e)
{
	struct ports p = { br, 0, 0 };
	struct req r = { 0 };

	req_init(&r, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
	if (talk(nl, &r, ports_cb, &p, "list", "links", e) < 0)
		return -1;
	return p.bridge ? p.n : err_set(e, 0, "link %d is not a bridge", br);
}

/* RTM_NEWLINK creating name, up to the open IFLA_LINKINFO; returns it. */
static struct rtattr *link_new(struct req *r, const char *name, int mtu, const char *kind)
{
	struct rtattr *info;

	msg_link(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, name);
	if (mtu > 0)
		put_u32(r, IFLA_MTU, (uint32_t)mtu);
	info = put(r, IFLA_LINKINFO, NULL, 0);
	put_str(r, IFLA_INFO_KIND, kind);
	return info;
}

int nl_bridge_add(struct nl *nl, const char *name, int mtu, struct err *e)
{
	struct req r = { 0 };

	nest_end(&r, link_new(&r, name, mtu, "bridge"));
	return talk(nl, &r, NULL, NULL, "create bridge", name, e) < 0 ? -1 : 0;
}

int nl_veth_add(struct nl *nl, const char *name, const char *peer, int peer_ns_fd,
		const uint8_t *peer_mac, int mtu, int master, struct err *e)
{
	struct req r = { 0 };
	/* the host's end up at birth and on its bridge: one round trip
	 * instead of two (not the peer: the kernel configures it before the
	 * pair is joined, and a veth without its peer cannot go up) */
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *info, *data, *p;

	info = link_new(&r, name, mtu, "veth");
	if (master > 0) {
		struct ifinfomsg *h = NLMSG_DATA(r.h);

		h->ifi_flags = h->ifi_change = IFF_UP;
	}
	data = put(&r, IFLA_INFO_DATA, NULL, 0);
	/* the peer: a whole link request of its own, nested */
	p = put(&r, VETH_INFO_PEER, &ifi, sizeof(ifi));
	put_str(&r, IFLA_IFNAME, peer);
	if (peer_ns_fd >= 0)
		put_u32(&r, IFLA_NET_NS_FD, (uint32_t)peer_ns_fd);
	if (peer_mac)
		put(&r, IFLA_ADDRESS, peer_mac, 6);
	if (mtu > 0)
		put_u32(&r, IFLA_MTU, (uint32_t)mtu);
	nest_end(&r, p);
	nest_end(&r, data);
	nest_end(&r, info);
	if (master > 0)
		put_u32(&r, IFLA_MASTER, (uint32_t)master);
	return talk(nl, &r, NULL, NULL, "create veth", name, e) < 0 ? -1 : 0;
}

/* RTM_NEWLINK: name up, on the bridge master if > 0. */
static void msg_up(struct req *r, const char *name, int master)
{
	struct ifinfomsg *ifi = msg_link(r, RTM_NEWLINK, 0, name);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (master > 0)
		put_u32(r, IFLA_MASTER, (uint32_t)master);
}

int nl_link_up(struct nl *nl, const char *name, int master, struct err *e)
{
	struct req r = { 0 };

	msg_up(&r, name, master);
	return talk(nl, &r, NULL, NULL, "set up link", name, e) < 0 ? -1 : 0;
}

int nl_link_del(struct nl *nl, const char *name, struct err *e)
{
	struct req r = { 0 };
	int rc;

	msg_link(&r, RTM_DELLINK, 0, name);
	rc = talk(nl, &r, NULL, NULL, "delete link", name, e);
	return rc == 0 || rc == -ENODEV ? 0 : -1;
}

/* ---- IPv4 ------------------------------------------------------------ */

static uint32_t mask4(int prefix)
{
	return prefix <= 0 ? 0 : htonl(~(uint32_t)0 << (32 - prefix));
}

char *nl_ip4(struct in_addr a, char buf[16])
{
	const uint8_t *b = (const uint8_t *)&a.s_addr;

	snprintf(buf, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return buf;
}

/* RTM_NEWADDR addr/prefix on the link of index; one already there is no
 * error. */
static void msg_addr4(struct req *r, int index, struct in_addr addr, int prefix)
{
	struct ifaddrmsg *ifa = req_init(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	uint32_t brd = addr.s_addr | ~mask4(prefix);

	r->ok_exist |= 1u << (r->n - 1);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)index;
	put(r, IFA_LOCAL, &addr, 4);
	put(r, IFA_ADDRESS, &addr, 4);
	if (prefix < 31)
		put(r, IFA_BROADCAST, &brd, 4);
}

/* RTM_NEWROUTE dst/prefix via gw (0: on the link) out of index. */
static void msg_route4(struct req *r, struct in_addr dst, int prefix, struct in_addr gw, int index)
{
	struct rtmsg *rt = req_init(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));

	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = (uint8_t)prefix;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = gw.s_addr ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (prefix)
		put(r, RTA_DST, &dst, 4);
	if (gw.s_addr)
		put(r, RTA_GATEWAY, &gw, 4);
	put_u32(r, RTA_OIF, (uint32_t)index);
}

/* Check prefix and look dev up for a request described by what. */
static int ip4_dev(struct nl *nl, const char *what, const char *dev, int prefix, struct err *e)
{
	struct link_info li;

	if (prefix < 0 || prefix > 32)
		return err_set(e, EINVAL, "%s %s: bad prefix", what, dev);
	return link_get(nl, dev, &li, what, e) < 0 ? -1 : li.index;
}

int nl_addr_add4(struct nl *nl, const char *dev, struct in_addr addr, int prefix, struct err *e)
{
	char what[64], ip[16];
	struct req r = { 0 };
	int idx;

	nl_ip4(addr, ip);
	snprintf(what, sizeof(what), "add address %s/%d to", ip, prefix);
	if ((idx = ip4_dev(nl, what, dev, prefix, e)) < 0)
		return -1;
	msg_addr4(&r, idx, addr, prefix);
	return talk(nl, &r, NULL, NULL, what, dev, e) < 0 ? -1 : 0;
}

int nl_route_add4(struct nl *nl, struct in_addr dst, int prefix, struct in_addr gw, const char *dev,
		  struct err *e)
{
	char what[80], ip[16], via[16];
	struct req r = { 0 };
	int idx;

	nl_ip4(dst, ip);
	nl_ip4(gw, via);
	snprintf(what, sizeof(what), "add route %s/%d%s%s dev", ip, prefix,
		 gw.s_addr ? " via " : "", gw.s_addr ? via : "");
	if ((idx = ip4_dev(nl, what, dev, prefix, e)) < 0)
		return -1;
	msg_route4(&r, dst, prefix, gw, idx);
	return talk(nl, &r, NULL, NULL, what, dev, e) < 0 ? -1 : 0;
}

int nl_link_setup4(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		   struct in_addr gw, struct err *e)
{
	char what[80], ip[16], via[16];
	struct req r = { 0 };
	int idx;

	nl_ip4(addr, ip);
	nl_ip4(gw, via);
	snprintf(what, sizeof(what), "set up %s/%d%s%s on", ip, prefix, gw.s_addr ? " via " : "",
		 gw.s_addr ? via : "");
	if ((idx = ip4_dev(nl, what, dev, prefix, e)) < 0)
		return -1;
	/* one datagram, one answer each, in order: the kernel runs them one
	 * after the other (the route needs the address's subnet) */
	msg_addr4(&r, idx, addr, prefix);
	msg_up(&r, dev, 0);
	if (gw.s_addr)
		msg_route4(&r, (struct in_addr){ 0 }, 0, gw, idx);
	return talk(nl, &r, NULL, NULL, what, dev, e) < 0 ? -1 : 0;
}

struct nets {
	struct nl_net4 *v;
	int n;
	int ifindex; /* > 0: that link's addresses only */
};

static void nets_add(struct nets *s, uint32_t addr, int prefix)
{
	addr &= mask4(prefix);
	for (int i = 0; i < s->n; i++)
		if (s->v[i].net.s_addr == addr && s->v[i].prefix == prefix)
			return;
	s->v = xrealloc(s->v, (size_t)(s->n + 1) * sizeof(*s->v));
	s->v[s->n].net.s_addr = addr;
	s->v[s->n++].prefix = prefix;
}

static void route_cb(const struct nlmsghdr *m, void *arg)
{
	const struct rtmsg *rt = NLMSG_DATA(m);
	const struct rtattr *tb[RTA_TABLE + 1];
	uint32_t table, dst;

	if (m->nlmsg_type != RTM_NEWROUTE || m->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)) ||
	    rt->rtm_family != AF_INET || !rt->rtm_dst_len || rt->rtm_dst_len > 32)
		return;
	msg_attrs(m, sizeof(*rt), tb, RTA_TABLE + 1);
	if (!get_u32(tb[RTA_TABLE], &table))
		table = rt->rtm_table;
	if (table == RT_TABLE_MAIN && get_u32(tb[RTA_DST], &dst))
		nets_add(arg, dst, rt->rtm_dst_len);
}

static void addr_cb(const struct nlmsghdr *m, void *arg)
{
	struct nets *s = arg;
	const struct ifaddrmsg *ifa = NLMSG_DATA(m);
	const struct rtattr *tb[IFA_LOCAL + 1];
	uint32_t a;

	if (m->nlmsg_type != RTM_NEWADDR || m->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET || ifa->ifa_prefixlen > 32 ||
	    (s->ifindex && (int)ifa->ifa_index != s->ifindex))
		return;
	msg_attrs(m, sizeof(*ifa), tb, IFA_LOCAL + 1);
	if (get_u32(tb[IFA_LOCAL], &a) || get_u32(tb[IFA_ADDRESS], &a))
		nets_add(s, a, ifa->ifa_prefixlen);
}

int nl_nets4(struct nl *nl, int ifindex, struct nl_net4 **out, struct err *e)
{
	struct nets s = { NULL, 0, ifindex };
	struct req r = { 0 };

	/* rtmsg and ifaddrmsg both start with the family byte */
	((struct rtmsg *)req_init(&r, RTM_GETROUTE, NLM_F_DUMP, sizeof(struct rtmsg)))->rtm_family =
		AF_INET;
	if (!ifindex && talk(nl, &r, route_cb, &s, "list", "IPv4 routes", e) < 0)
		goto fail;
	memset(&r, 0, sizeof(r));
	((struct ifaddrmsg *)req_init(&r, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg)))
		->ifa_family = AF_INET;
	if (talk(nl, &r, addr_cb, &s, "list", "IPv4 addresses", e) < 0)
		goto fail;
	*out = s.v;
	return s.n;
fail:
	free(s.v);
	*out = NULL;
	return -1;
}
