/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink: the few rtnetlink requests bridge networking needs (bridge,
 * veth pair with its peer made inside another network namespace, master,
 * up, IPv4 addresses and routes, the subnets in use), on a raw
 * NETLINK_ROUTE socket: no iproute2, no libnl.
 *
 * A socket works in the network namespace it was created in, whatever
 * namespace its user moves to later: nl_open makes it inside the one asked
 * for.  Link names are at most 15 characters (IFNAMSIZ - 1).  Every request
 * waits for the kernel's answer (several of one call go in one datagram); a failure names the action and the link,
 * carries the kernel's errno and its own words (extended ack) when it gave
 * any.  Not thread-safe: nl_open switches the calling thread's namespace
 * for a moment.
 */
#ifndef NOOK_NETLINK_H
#define NOOK_NETLINK_H

#include <netinet/in.h>
#include <stdint.h>

#include "oci/util.h"

struct nl {
	int fd;
	uint32_t seq;
};

struct nl_net4 {
	struct in_addr net; /* network byte order, host bits cleared */
	int prefix;
};

/* Open a NETLINK_ROUTE socket in the network namespace netns_fd (an fd of
 * /proc/PID/ns/net or of a bind-mounted nsfs file), or in the caller's own
 * when netns_fd < 0: setns into it, socket(), setns back (single-threaded
 * callers only).  nl->fd is -1 on failure. */
int nl_open(struct nl *nl, int netns_fd, struct err *e);
/* Close the socket (nl->fd -1 is fine). */
void nl_close(struct nl *nl);

/* ifindex of name, 0 if there is no such link, -1 on error; its mtu into
 * *mtu unless mtu is NULL (-1 when missing). */
int nl_link_index(struct nl *nl, const char *name, int *mtu, struct err *e);

/* Create a bridge; mtu 0 = the kernel's default.  An existing link of that
 * name is an error with errnum EEXIST. */
int nl_bridge_add(struct nl *nl, const char *name, int mtu, struct err *e);
/* Create a veth pair: name in nl's namespace, peer directly in the
 * namespace peer_ns_fd (< 0: nl's own), with peer_mac (6 bytes, NULL =
 * random) and mtu (0 = default) on both ends; master > 0: name up at
 * once, on the bridge of that ifindex.  EEXIST as above. */
int nl_veth_add(struct nl *nl, const char *name, const char *peer, int peer_ns_fd,
		const uint8_t *peer_mac, int mtu, int master, struct err *e);
/* Set a link up, and its master to the bridge of ifindex master when
 * master > 0. */
int nl_link_up(struct nl *nl, const char *name, int master, struct err *e);
/* Delete a link (a veth takes its peer with it); a missing one is no
 * error. */
int nl_link_del(struct nl *nl, const char *name, struct err *e);
/* How many links have the bridge of ifindex br as their master (its
 * ports); -1 when br is not a bridge, or on error. */
int nl_bridge_ports(struct nl *nl, int br, struct err *e);

/* a as a dotted quad into buf (inet_ntop's words, without its code for
 * IPv6); returns buf. */
char *nl_ip4(struct in_addr a, char buf[16]);

/* Add the IPv4 address addr/prefix to dev; an address already there is no
 * error. */
int nl_addr_add4(struct nl *nl, const char *dev, struct in_addr addr, int prefix, struct err *e);
/* Add an IPv4 route to dst/prefix (prefix 0: the default route) via gw
 * (gw.s_addr 0: none, the destination is on the link) out of dev, in the
 * main table.  An existing route is an error with errnum EEXIST. */
int nl_route_add4(struct nl *nl, struct in_addr dst, int prefix, struct in_addr gw, const char *dev,
		  struct err *e);
/* Set dev up with addr/prefix (one already there is no error) and, when
 * gw.s_addr is not 0, the default route via gw: a lookup of dev, then the
 * three requests in one datagram (one round trip). */
int nl_link_setup4(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
		   struct in_addr gw, struct err *e);
/* The IPv4 networks in use in nl's namespace, to pick a subnet that
 * overlaps none: every route of the main table but default routes (they
 * overlap everything), and every address of every link, as network/prefix,
 * without duplicates; ifindex > 0: the addresses of that link only.
 * Returns the count and *out (malloc'd, NULL when the count is 0; caller
 * frees), -1 on error. */
int nl_nets4(struct nl *nl, int ifindex, struct nl_net4 **out, struct err *e);

#endif
