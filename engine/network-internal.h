/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network-internal: what network.c and network-store.c share, private to
 * them (network.h is the engine's surface).  The store's helpers: address
 * parsing, the networks' files and their flock, leases.  Reads need no
 * lock (files are written whole); every read-modify-write of a network
 * holds nets_lock().  A network's leases live in two files: the root's
 * (durable) and the runroot's (the --rm containers', gone at a reboot
 * with those containers).
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
/* Add the lease of container id to n and write n; durable 0 (a --rm
 * container): a volatile lease, in the runroot's file only. */
int lease_add(struct engine *en, cJSON *n, const char *id, const char *name, const char *host,
	      const char *ip, const char *mac, int ifidx, int durable, struct err *e);
/* Take the lease of id (if any) out of n and write what changed. */
int lease_del(struct engine *en, cJSON *n, const char *id, struct err *e);
cJSON *leases(const cJSON *n);
/* The lease of container id in n (NULL: none). */
cJSON *lease_of(const cJSON *n, const char *id);
int mac_parse(const char *s, uint8_t m[6]);
cJSON *net_get(struct engine *en, const char *name, struct err *e);
char **net_names(struct engine *en);
/* A network's file with the leases of both places (volatile ones marked
 * "volatile": the runroot's, of --rm containers).  Checked once here, for
 * files edited by hand: one that is no network (no valid subnet, gateway,
 * ipRange, interface, leases object or id; not JSON) is an error naming
 * it (e NULL: a warning); a lease that is not one (an id, ethN, ip, mac,
 * name) is left out with a warning; "name" is the file's. */
cJSON *net_read(struct engine *en, const char *name, struct err *e);
void net_subnet(const cJSON *n, struct cidr *c);
/* all 0: only volatile leases changed, the runroot's file alone is
 * written; else the root's too (fsync'd). */
int net_write(struct engine *en, const cJSON *n, int all, struct err *e);
void net_vol_remove(struct engine *en, const char *name);
char *nets_dir(struct engine *en);
void nets_free(struct net_ref *r, size_t n);
int nets_lock(struct engine *en, struct err *e);
void nets_unlock(int fd);

#endif /* NOOK_NO_NETWORK */

#endif
