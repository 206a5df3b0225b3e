/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network: bridge networks, the engine side (oci/netlink makes the links,
 * oci/nft the firewall rules).
 *
 *   <root>/networks/
 *     .lock          flock(LOCK_EX) around every change of any network and
 *                    every write of a container's hosts file
 *     <name>.json    name, id, driver "bridge", interface (nook0, nook1...),
 *                    subnet, gateway, ipRange, internal, dnsEnabled,
 *                    created, and leases {<container id>: {name, ip, mac,
 *                    iface}}; written atomically
 *   <runroot>/networks/
 *     <name>.json    the leases of --rm containers {<container id>: ...}
 *                    (RAM: such containers end at a reboot; refresh
 *                    removes what is left of them); written atomically
 *
 * The network "nook" (bridge nook0) is the default, made on first use in
 * the first free subnet (10.88.0.0/16, else 10.89.N.0/24).  A container
 * gets its leases (address, MAC) when it is created and keeps them until
 * it is removed: its address survives restarts and reboots.  The links
 * are made when it starts, before its process runs: in a network
 * namespace made for it that its init joins, while the monitor starts
 * that init (at the same time, on another CPU); with a user namespace (or
 * a restore) in the init's own once it exists.  They go when it stops
 * (with the namespace).  Names resolve through /etc/hosts files kept current
 * under the lock (no DNS daemon): every container of a network with
 * dnsEnabled lists the others.
 */
#ifndef NOOK_ENGINE_NETWORK_H
#define NOOK_ENGINE_NETWORK_H

#include <cjson/cJSON.h>

#include "engine/ctr.h"

#define NET_DEFAULT "nook"

/* A build without bridge networks (make NOOK_NETWORK=0: none, host, ns:
 * and container: only) says so in these words; its default is none. */
#define NO_BRIDGE "this build has no bridge networks (NOOK_NETWORK=0)"
#ifdef NOOK_NO_NETWORK
#define NET_MODE_DEFAULT "none"
#else
#define NET_MODE_DEFAULT "bridge"
#endif

/* --network's value is of the right form (what it names is checked by
 * create). */
int net_mode_valid(const char *mode);

/* -p: parse one [IP:][HOSTPORT[-END]:]CTRPORT[-END][/tcp|udp] into config
 * entries {hostIp, hostPort, containerPort, protocol} appended to ports. */
int net_port_parse(const char *spec, cJSON *ports, struct err *e);

/* create: check o's network options and take the leases of a new
 * container: what config.json records goes into cfg ("netMode", "ports",
 * "dns"...).  The networks store stays locked until net_create_end, so
 * that a failed create gives its leases back (created 0). */
struct net_use {
	int lockfd;
	char id[STORE_ID_LEN + 1];
	cJSON *nets[10]; /* the networks leased in, as written */
	size_t n;
};
int net_create(struct engine *en, const struct engine_create_opts *o, const char *id,
	       const char *name, cJSON *cfg, cJSON *spec, struct net_use *u, struct err *e);
void net_create_end(struct engine *en, struct net_use *u, int created);
/* restore --import: new leases of container id (config cfg from another
 * machine) on the networks nets, its ports checked, its hosts and
 * resolv.conf mounts in its own run dir; end with net_create_end. */
int net_import(struct engine *en, const char *id, const char *name, cJSON *cfg, char *const *nets,
	       struct net_use *u, struct err *e);
/* The names of the networks container id is on (NULL-terminated). */
char **net_ctr_names(struct engine *en, const char *id);

/* init: before the monitor is spawned, the container's hosts and
 * resolv.conf in its run directory (bind-mounted by its spec); with the
 * runtime's config in spec, the namespace to join (container:, ns:).
 * The networks it read stay in c->net for net_ctr_up (ctr_close frees
 * them if that never comes). */
int net_ctr_prepare(struct ctr *c, cJSON *spec, struct err *e);
/* init: the init pid exists: links, addresses, routes, published ports. */
int net_ctr_up(struct ctr *c, pid_t pid, struct err *e);
/* init, bridge without a user namespace: a new network namespace made
 * here for the container, its path (/proc/OURPID/fd/N) put in the
 * runtime's spec: the init joins it.  Returns the fd holding it (the
 * caller closes it once the init exists), -1 where the init makes its
 * own (then net_ctr_up), -2 on error. */
int net_ctr_netns(struct ctr *c, cJSON *spec, struct err *e);
/* net_ctr_up in that namespace (lo up too), while the monitor starts the
 * init: the links cost no time of the start's own. */
int net_ctr_up_ns(struct ctr *c, int nsfd, struct err *e);
/* teardown: the host's ends of the links, the published ports. */
void net_ctr_down(struct ctr *c);
/* rm: the leases go (a --rm container's from the runroot only), and the
 * container from the others' hosts files. */
void net_ctr_release(struct ctr *c);
/* refresh: the leases of containers that no longer exist (a crash
 * between their removal and the release) go. */
void net_gc(struct engine *en);
/* inspect: NetworkSettings into j, HostConfig's NetworkMode/PortBindings
 * into hc. */
void net_ctr_inspect(struct ctr *c, cJSON *j, cJSON *hc);
/* port: "80/tcp -> 0.0.0.0:8080" lines of the container (caller frees). */
char **net_ctr_ports(struct engine *en, const char *ref, struct err *e);

/* network commands */
struct net_create_opts {
	const char *name;
	const char *subnet, *gateway, *ip_range;
	int internal;
	int disable_dns;
};
int engine_network_create(struct engine *en, const struct net_create_opts *o, struct err *e);
/* podman's network inspect objects: of name, or (name NULL) of all */
cJSON *engine_network_inspect(struct engine *en, const char *name, struct err *e);
/* refused while containers use it (ERRK_STATE_INVALID) unless force,
 * which removes them first; a damaged file: force removes it, with its
 * bridge when still identifiable (a warning says what stays), unless that
 * bridge has ports (ERRK_STATE_INVALID: its containers first) */
int engine_network_remove(struct engine *en, const char *name, int force, struct err *e);
/* the networks no container uses (the default stays) */
int engine_network_prune(struct engine *en, char ***out, struct err *e);
int engine_network_connect(struct engine *en, const char *net, const char *ref, int connect,
			   struct err *e);

#endif
