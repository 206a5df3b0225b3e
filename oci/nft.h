/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: the firewall side of bridge networks, in nook's own nftables table
 * (`table inet nook`), by running the nft program (`nft -f -`, one atomic
 * transaction per call).  Masquerade for container networks, DNAT for
 * published ports (-p), isolation of networks and of --internal ones.
 * Every call keeps its state in sets and maps whose elements are added and
 * deleted by key: no rule handles, and a teardown may run twice.  See
 * oci/nft.c for the ruleset and why it is shaped so.
 */
#ifndef NOOK_NFT_H
#define NOOK_NFT_H

#include <netinet/in.h>

#include "oci/util.h"

/* Make sure the table, its sets, maps and chains exist and hold this
 * network (bridge, subnet net/prefix; internal: no traffic to or from
 * another interface).  Call it whenever the bridge is made (after a reboot
 * too: rulesets live in RAM).  Keeps every element already there. */
int nft_network_add(const char *bridge, struct in_addr net, int prefix, int internal,
		    struct err *e);
/* Remove that network's elements (network rm); fine if they are gone.
 * prefix -1: the bridge's only (its subnet is not known). */
int nft_network_del(const char *bridge, struct in_addr net, int prefix, struct err *e);

struct nft_port {
	struct in_addr host_ip; /* INADDR_ANY: every address of the host */
	uint16_t host_port, ctr_port; /* host byte order */
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP */
};

/* Publish n ports of a container: DNAT to ctr_ip.  One nft run; none when
 * n is 0.  A host port that another container publishes fails the whole
 * call (nft: "File exists"), leaving nothing half done. */
int nft_ports_add(struct in_addr ctr_ip, const struct nft_port *p, size_t n, struct err *e);
/* Unpublish them.  Ports that are not published are fine; a host port that
 * maps to another address now is left alone and fails the call. */
int nft_ports_del(struct in_addr ctr_ip, const struct nft_port *p, size_t n, struct err *e);

/* Remove the whole table (no network left); fine if it is not there. */
int nft_remove_all(struct err *e);

#endif
