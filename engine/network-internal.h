/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network-internal: what network.c and network-store.c share, private to
 * them (network.h is the engine's surface).  The store's helpers: address
 * parsing, the networks' files and their flock, leases.  Reads need no
 * lock (files are written whole); every read-modify-write of a network
 * holds nets_lock().
 */
#ifndef NOOK_NETWORK_INTERNAL_H
#define NOOK_NETWORK_INTERNAL_H

#include <netinet/in.h>

#include "engine/network.h"

static inline void json_freep(cJSON **j)
{
	cJSON_Delete(*j);
}
#define _cleanup_json_ __attribute__((cleanup(json_freep)))

#ifndef NOOK_NO_NETWORK
struct cidr {
	uint32_t net; /* host order */
	int prefix;
};

/* The networks container id is on, in the order of its interfaces,
 * each with its lease (lock held or not: files are written whole). */
struct net_ref {
	cJSON *net;
	const cJSON *lease;
};

size_t ctr_nets(struct engine *en, const char *id, struct net_ref out[10]);
struct in_addr in4(uint32_t ip);
const char *ip_fmt(uint32_t ip, char buf[16]);
int ip_parse(const char *s, uint32_t *out);
int lease_add(struct engine *en, cJSON *n, const char *id, const char *name, const char *host,
	      const char *ip, const char *mac, int ifidx, int durable, struct err *e);
cJSON *leases(const cJSON *n);
int mac_parse(const char *s, uint8_t m[6]);
cJSON *net_get(struct engine *en, const char *name, struct err *e);
char **net_names(struct engine *en);
cJSON *net_read(struct engine *en, const char *name, struct err *e);
void net_subnet(const cJSON *n, struct cidr *c);
int net_write(struct engine *en, const cJSON *n, int durable, struct err *e);
char *nets_dir(struct engine *en);
void nets_free(struct net_ref *r, size_t n);
int nets_lock(struct engine *en, struct err *e);
void nets_unlock(int fd);

#endif /* NOOK_NO_NETWORK */

#endif
