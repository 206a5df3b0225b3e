// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * network-store: the networks' definitions and their leases (see
 * network.h for the layout), and the network commands (create, inspect,
 * remove, prune).
 *
 * Hazards.  The leases are the one persistent part of networking: they
 * change only under the networks' flock (nets_lock), and each network's
 * file is written whole (atomically), so a reader without the lock sees
 * the old or the new one.  A subnet is never handed out twice, nor one
 * that overlaps a route of the host.
 */
#include "engine/network-internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "oci/log.h"
#include "oci/netlink.h"
#include "oci/nft.h"
#include "store/digest.h"

#ifndef NOOK_NO_NETWORK
static int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- addresses ----------------------------------------------------------- */

static uint32_t mask_of(int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

int ip_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

const char *ip_fmt(uint32_t ip, char buf[16])
{
	return nl_ip4(in4(ip), buf);
}

struct in_addr in4(uint32_t ip)
{
	struct in_addr a = { htonl(ip) };

	return a;
}

static int cidr_parse(const char *s, struct cidr *c)
{
	char buf[32];
	char *slash, *end;
	long p;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	p = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || p < 8 || p > 30 || ip_parse(buf, &c->net) < 0)
		return -1;
	c->prefix = (int)p;
	c->net &= mask_of(c->prefix);
	return 0;
}

static int overlaps(struct cidr a, struct cidr b)
{
	uint32_t m = mask_of(a.prefix < b.prefix ? a.prefix : b.prefix);

	return (a.net & m) == (b.net & m);
}

static int in_cidr(uint32_t ip, struct cidr c)
{
	return (ip & mask_of(c.prefix)) == c.net;
}

/* ---- the store ----------------------------------------------------------- */

char *nets_dir(struct engine *en)
{
	return xasprintf("%s/networks", en->st.root);
}

static char *net_file(struct engine *en, const char *name)
{
	return xasprintf("%s/networks/%s.json", en->st.root, name);
}

int nets_lock(struct engine *en, struct err *e)
{
	_cleanup_free_ char *dir = nets_dir(en);
	_cleanup_free_ char *p = xasprintf("%s/.lock", dir);
	int fd = file_lock_open(p, O_RDWR | O_CREAT, 0600, LOCK_EX, e);

	/* the directory on first use only: four mkdir calls less per lock */
	if (fd < 0 && errno == ENOENT && mkdir_p(dir, 0700, e) == 0)
		fd = file_lock_open(p, O_RDWR | O_CREAT, 0600, LOCK_EX, e);
	return fd;
}

void nets_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Every network's name, sorted (NULL-terminated). */
char **net_names(struct engine *en)
{
	_cleanup_free_ char *dir = nets_dir(en);
	char **v = xcalloc(1, sizeof(char *));
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".json") == 0) {
			de->d_name[n - 5] = '\0';
			strv_push(&v, de->d_name);
		}
	}
	if (d)
		closedir(d);
	qsort(v, strv_len(v), sizeof(char *), strv_cmp);
	return v;
}

/* The leases of --rm containers: in the runroot (RAM), as those
 * containers end at a reboot (refresh removes them); a run writes no
 * flash and pays no fsync, nor ext4's flush of a file renamed over
 * another. */
static char *net_vol_file(struct engine *en, const char *name)
{
	return xasprintf("%s/networks/%s.json", en->st.runroot, name);
}

/* A problem of a network file, once a process: the files are read over
 * and over. */
static void net_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void net_warn(const char *fmt, ...)
{
	static char **seen;
	char m[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	for (size_t i = 0; seen && seen[i]; i++)
		if (strcmp(seen[i], m) == 0)
			return;
	strv_push(&seen, m);
	log_msg(LOGL_WARN, "%s", m);
}

/* i is a bridge name of nook's: nookN, as net_new names them; never a
 * link of the host's own (network rm deletes it). */
static int iface_valid(const char *i)
{
	return i && strncmp(i, "nook", 4) == 0 && i[4] &&
	       strspn(i + 4, "0123456789") == strlen(i + 4) && strlen(i) < IFNAMSIZ;
}

/* What network file n lacks (NULL: nothing): what nook writes, and what
 * its readers count on. */
static const char *net_bad(const cJSON *n)
{
	const char *i = jstr(n, "interface"), *r = jstr(n, "ipRange");
	const cJSON *ls = leases(n);
	struct cidr c;
	uint32_t a;

	if (cidr_parse(jstr(n, "subnet"), &c) < 0)
		return "subnet";
	if (ip_parse(jstr(n, "gateway"), &a) < 0)
		return "gateway";
	if (r && cidr_parse(r, &c) < 0)
		return "ipRange";
	if (!iface_valid(i))
		return "interface";
	if (ls && !cJSON_IsObject(ls))
		return "leases";
	return jstr(n, "id") ? NULL : "id";
}

/* Lease l of file p is whole: else a warning, and 0. */
static int lease_ok(const cJSON *l, const char *p)
{
	const char *k = l->string, *i = jstr(l, "iface"), *bad = NULL;
	uint32_t a;
	uint8_t m[6];

	if (strspn(k, "0123456789abcdef") != STORE_ID_LEN || k[STORE_ID_LEN])
		bad = "id";
	else if (!i || strncmp(i, "eth", 3) || i[3] < '0' || i[3] > '9' || i[4])
		bad = "iface";
	else if (ip_parse(jstr(l, "ip"), &a) < 0)
		bad = "ip";
	else if (mac_parse(jstr(l, "mac"), m) < 0)
		bad = "mac";
	else if (!jstr(l, "name"))
		bad = "name";
	if (bad)
		net_warn("network file %s: lease %.12s: no valid %s: ignored", p, k, bad);
	return !bad;
}

cJSON *net_read(struct engine *en, const char *name, struct err *e)
{
	_cleanup_free_ char *p = net_file(en, name);
	_cleanup_free_ char *vp = NULL;
	_cleanup_json_ cJSON *vol = NULL;
	struct err le, *ep = e ? e : &le;
	const char *bad = NULL;
	cJSON *n = NULL, *ls, *l, *next;

	ep->errnum = ENOENT;
	if (store_name_valid(name, NULL) == 0)
		n = store_read_json(p, ep);
	if (!n && ep->errnum == ENOENT) {
		err_setk(e, ERRK_NO_SUCH, ENOENT, "no such network %s", name);
		return NULL;
	}
	/* a file edited by hand: an error naming it when it is no network
	 * (never a silent reset: its leases may hold addresses in use); a
	 * lease that is not one is dropped with a warning, and the rest of
	 * the network works; no leases at all are none */
	if (!n || (bad = net_bad(n))) {
		if (bad)
			err_set(ep, 0, "network file %s: no valid %s", p, bad);
		if (!e)
			net_warn("%s", le.msg);
		cJSON_Delete(n);
		return NULL;
	}
	jset_str(n, "name", name); /* the file's, whatever it says */
	ls = leases(n) ?: cJSON_AddObjectToObject(n, "leases");
	for (l = ls->child; l; l = next) {
		next = l->next;
		if (!lease_ok(l, p))
			cJSON_Delete(cJSON_DetachItemViaPointer(ls, l));
	}
	/* in memory, one set of leases: the volatile ones marked */
	vp = net_vol_file(en, name);
	vol = store_read_json(vp, NULL);
	while (cJSON_IsObject(vol) && vol->child) {
		l = cJSON_DetachItemViaPointer(vol, vol->child);
		if (!lease_ok(l, vp) || cJSON_GetObjectItemCaseSensitive(ls, l->string)) {
			cJSON_Delete(l);
			continue;
		}
		cJSON_AddTrueToObject(l, "volatile");
		cJSON_AddItemToObject(ls, l->string, l);
	}
	return n;
}

int net_write(struct engine *en, const cJSON *n, int all, struct err *e)
{
	_cleanup_free_ char *p = net_file(en, jstr(n, "name"));
	_cleanup_free_ char *vp = net_vol_file(en, jstr(n, "name"));
	_cleanup_json_ cJSON *d = cJSON_Duplicate(n, 1);
	_cleanup_json_ cJSON *vol = cJSON_CreateObject();
	cJSON *ls = leases(d), *l = ls ? ls->child : NULL;
	struct err le;

	while (l) {
		cJSON *next = l->next;

		if (jbool(l, "volatile")) {
			cJSON_DetachItemViaPointer(ls, l);
			cJSON_DeleteItemFromObjectCaseSensitive(l, "volatile");
			cJSON_AddItemToObject(vol, l->string, l);
		}
		l = next;
	}
	if (all && store_write_json(p, d, 1, e) < 0)
		return -1;
	if (!vol->child)
		return unlink(vp) < 0 && errno != ENOENT ? err_sys(e, "remove %s", vp) : 0;
	if (store_write_json(vp, vol, 0, &le) == 0)
		return 0;
	if (le.errnum == ENOENT) {
		/* the first since boot: its directory */
		_cleanup_free_ char *dir = xasprintf("%s/networks", en->st.runroot);

		if (mkdir_p(dir, 0700, e) < 0)
			return -1;
		return store_write_json(vp, vol, 0, e);
	}
	if (e)
		*e = le;
	return -1;
}

void net_vol_remove(struct engine *en, const char *name)
{
	_cleanup_free_ char *vp = net_vol_file(en, name);

	unlink(vp);
}

void net_subnet(const cJSON *n, struct cidr *c)
{
	if (cidr_parse(jstr(n, "subnet"), c) < 0)
		c->net = 0, c->prefix = 32;
}

/* What a new network must not take: the other networks' subnets and
 * bridges, the host's routes and addresses; read once per create. */
struct taken {
	struct cidr *subs;
	char **ifs; /* the bridges, NULL-terminated */
	size_t n;
	struct nl_net4 *host;
	int nhost;
};

static void taken_read(struct engine *en, char **names, struct taken *t)
{
	size_t k = strv_len(names);
	struct nl nl;

	*t = (struct taken){ .subs = xcalloc(k + 1, sizeof(*t->subs)),
			     .ifs = xcalloc(k + 1, sizeof(char *)),
			     .nhost = -1 };
	for (size_t i = 0; i < k; i++) {
		_cleanup_json_ cJSON *n = net_read(en, names[i], NULL);

		if (!n)
			continue;
		net_subnet(n, &t->subs[t->n]);
		t->ifs[t->n++] = xstrdup(jstr(n, "interface"));
	}
	if (nl_open(&nl, -1, NULL) == 0) {
		t->nhost = nl_nets4(&nl, 0, &t->host, NULL);
		nl_close(&nl);
	}
}

static void taken_free(struct taken *t)
{
	free(t->subs);
	strv_free(t->ifs);
	free(t->host);
}

/* Is c free: no other network's subnet, no route or address of the
 * host overlaps it. */
static int subnet_free(const struct taken *t, struct cidr c, const char **why)
{
	for (size_t i = 0; i < t->n; i++)
		if (overlaps(c, t->subs[i])) {
			*why = "another network";
			return 0;
		}
	/* overlaps() masks both: the host bits need no clearing here */
	for (int i = 0; i < t->nhost; i++)
		if (t->host[i].prefix > 0 &&
		    overlaps(c, (struct cidr){ ntohl(t->host[i].net.s_addr), t->host[i].prefix })) {
			*why = "a route or an address of the host";
			return 0;
		}
	return 1;
}

/* The first free subnet: 10.88.0.0/16 for the default network, then
 * 10.89.N.0/24. */
static int subnet_pick(const struct taken *t, int dflt, struct cidr *out, struct err *e)
{
	const char *why;

	out->net = 0x0a580000;
	out->prefix = 16;
	if (dflt && subnet_free(t, *out, &why))
		return 0;
	for (uint32_t i = 0; i < 256; i++) {
		out->net = 0x0a590000 | i << 8;
		out->prefix = 24;
		if (subnet_free(t, *out, &why))
			return 0;
	}
	return err_set(e, 0, "no free subnet in 10.89.0.0/16: give one with --subnet");
}

/* A new network's file (lock held). */
static cJSON *net_new(struct engine *en, const struct net_create_opts *o, struct err *e)
{
	_cleanup_strv_ char **names = net_names(en);
	int dflt = strcmp(o->name, NET_DEFAULT) == 0, bad = 0;
	struct cidr sub, range;
	struct taken t;
	uint32_t gw;
	char ifname[IFNAMSIZ], buf[16], sbuf[40];
	cJSON *n;

	taken_read(en, names, &t);
	if (o->subnet) {
		const char *why;

		if (cidr_parse(o->subnet, &sub) < 0)
			bad = err_setk(e, ERRK_INVALID_ARG, 0,
				       "invalid --subnet %s (an IPv4 CIDR, /8 to /30)", o->subnet);
		else if (!subnet_free(&t, sub, &why))
			bad = err_setk(e, ERRK_INVALID_ARG, 0, "subnet %s overlaps %s", o->subnet,
				       why);
	} else {
		bad = subnet_pick(&t, dflt, &sub, e);
	}
	/* its bridge: nook0 for the default, else the first free nookN
	 * (free on the host too: another --root has networks of its own) */
	for (int i = dflt ? 0 : 1; !bad; i++) {
		struct nl nl;
		int used = 0;

		snprintf(ifname, sizeof(ifname), "nook%d", i);
		for (size_t k = 0; k < t.n && !used; k++)
			used = strcmp(t.ifs[k], ifname) == 0;
		if (!used && nl_open(&nl, -1, NULL) == 0) {
			used = nl_link_index(&nl, ifname, NULL, NULL) > 0;
			nl_close(&nl);
		}
		if (!used)
			break;
	}
	taken_free(&t);
	if (bad)
		return NULL;
	gw = sub.net + 1;
	if (o->gateway && (ip_parse(o->gateway, &gw) < 0 || !in_cidr(gw, sub) || gw == sub.net ||
			   gw == (sub.net | ~mask_of(sub.prefix))))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"invalid --gateway %s: not an address of %s", o->gateway,
				ip_fmt(sub.net, buf)),
		       NULL;
	if (o->ip_range && (cidr_parse(o->ip_range, &range) < 0 || !in_cidr(range.net, sub) ||
			    range.prefix < sub.prefix))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"invalid --ip-range %s: not inside the subnet", o->ip_range),
		       NULL;
	n = cJSON_CreateObject();
	cJSON_AddStringToObject(n, "name", o->name);
	{
		char hex[72];

		/* the default network's id is the same everywhere (podman's
		 * is too: the sha256 of its name); others get a random one */
		if (dflt)
			sha256_digest_of(o->name, strlen(o->name), hex);
		else
			store_new_id(hex + 7);
		cJSON_AddStringToObject(n, "id", hex + 7);
	}
	cJSON_AddStringToObject(n, "driver", "bridge");
	cJSON_AddStringToObject(n, "interface", ifname);
	snprintf(sbuf, sizeof(sbuf), "%s/%d", ip_fmt(sub.net, buf), sub.prefix);
	cJSON_AddStringToObject(n, "subnet", sbuf);
	cJSON_AddStringToObject(n, "gateway", ip_fmt(gw, buf));
	if (o->ip_range)
		cJSON_AddStringToObject(n, "ipRange", o->ip_range);
	cJSON_AddBoolToObject(n, "internal", o->internal);
	cJSON_AddBoolToObject(n, "dnsEnabled", !dflt && !o->disable_dns);
	cJSON_AddNumberToObject(n, "created", (double)sys_wall_ns());
	cJSON_AddObjectToObject(n, "leases");
	if (net_write(en, n, 1, e) < 0) {
		cJSON_Delete(n);
		return NULL;
	}
	return n;
}

/* A network by name (lock held); the default one is made on first use
 * (e: not NULL). */
cJSON *net_get(struct engine *en, const char *name, struct err *e)
{
	cJSON *n = net_read(en, name, e);
	struct net_create_opts o = { .name = NET_DEFAULT };

	/* (a damaged file stays: an error) */
	if (n || e->kind != ERRK_NO_SUCH || strcmp(name, NET_DEFAULT) != 0)
		return n;
	return net_new(en, &o, e);
}

/* ---- leases -------------------------------------------------------------- */

cJSON *leases(const cJSON *n)
{
	return cJSON_GetObjectItemCaseSensitive(n, "leases");
}

cJSON *lease_of(const cJSON *n, const char *id)
{
	return cJSON_GetObjectItemCaseSensitive(leases(n), id);
}

/* A free address of n: ip if given (checked), else the lowest free one. */
static int lease_ip(const cJSON *n, const char *want, uint32_t *out, struct err *e)
{
	struct cidr sub, range;
	uint32_t gw = 0, last, ip;
	const cJSON *l;
	char buf[16];

	net_subnet(n, &sub);
	range = sub; /* cidr_parse leaves it if there is none */
	cidr_parse(jstr(n, "ipRange"), &range);
	ip_parse(jstr(n, "gateway"), &gw);
	last = sub.net | ~mask_of(sub.prefix);
	if (want) {
		if (ip_parse(want, &ip) < 0 || !in_cidr(ip, sub) || ip == sub.net || ip == last ||
		    ip == gw)
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"--ip %s is not a free address of network %s (%s)", want,
					jstr(n, "name"), jstr(n, "subnet"));
		cJSON_ArrayForEach (l, leases(n)) {
			if (strcmp(jstr(l, "ip"), want) == 0)
				return err_setk(e, ERRK_INVALID_ARG, 0,
						"--ip %s is taken by container %s on network %s",
						want, jstr(l, "name") ?: l->string,
						jstr(n, "name"));
		}
		*out = ip;
		return 0;
	}
	for (ip = range.net + 1; ip < (range.net | ~mask_of(range.prefix)); ip++) {
		int taken = ip == gw || ip == last;

		cJSON_ArrayForEach (l, leases(n)) {
			if (!taken && strcmp(jstr(l, "ip"), ip_fmt(ip, buf)) == 0)
				taken = 1;
		}
		if (!taken) {
			*out = ip;
			return 0;
		}
	}
	return err_setk(e, ERRK_INVALID_ARG, 0, "network %s has no free address left",
			jstr(n, "name"));
}

int mac_parse(const char *s, uint8_t m[6])
{
	unsigned v[6];
	char end;

	if (!s ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6 ||
	    (v[0] & 1))
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return 0;
}

/* Add a lease of container id (name) in network n (lock held): its
 * address, a MAC that stays (locally administered, from the id), the
 * interface it gets (eth0, eth1...).  The file is written. */
int lease_add(struct engine *en, cJSON *n, const char *id, const char *name, const char *host,
	      const char *ip, const char *mac, int ifidx, int durable, struct err *e)
{
	cJSON *l;
	uint32_t a = 0;
	char buf[16], mbuf[18], ifn[8];
	uint8_t m[6];

	if (lease_of(n, id))
		return err_setk(e, ERRK_INVALID_ARG, 0, "container %s is already on network %s",
				name, jstr(n, "name"));
	if (lease_ip(n, ip, &a, e) < 0)
		return -1;
	if (mac) {
		if (mac_parse(mac, m) < 0)
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"invalid --mac-address %s (a unicast xx:xx:xx:xx:xx:xx)",
					mac);
	} else {
		m[0] = 0x02;
		for (int i = 1; i < 6; i++) {
			unsigned v;

			sscanf(id + 2 * (i - 1), "%2x", &v);
			m[i] = (uint8_t)v;
		}
		m[5] ^= (uint8_t)ifidx;
	}
	snprintf(mbuf, sizeof(mbuf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	snprintf(ifn, sizeof(ifn), "eth%d", ifidx);
	l = cJSON_AddObjectToObject(leases(n), id);
	cJSON_AddStringToObject(l, "name", name);
	if (host && strcmp(host, name) != 0)
		cJSON_AddStringToObject(l, "hostname", host);
	cJSON_AddStringToObject(l, "ip", ip_fmt(a, buf));
	cJSON_AddStringToObject(l, "mac", mbuf);
	cJSON_AddStringToObject(l, "iface", ifn);
	if (!durable)
		cJSON_AddTrueToObject(l, "volatile");
	if (net_write(en, n, durable, e) < 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(leases(n), id);
		return -1;
	}
	return 0;
}

int lease_del(struct engine *en, cJSON *n, const char *id, struct err *e)
{
	cJSON *l = lease_of(n, id);
	int all = !jbool(l, "volatile");

	if (!l)
		return 0;
	cJSON_Delete(cJSON_DetachItemViaPointer(leases(n), l));
	return net_write(en, n, all, e);
}

static int iface_cmp(const void *a, const void *b)
{
	return strcmp(jstr(((const struct net_ref *)a)->lease, "iface"),
		      jstr(((const struct net_ref *)b)->lease, "iface"));
}

size_t ctr_nets(struct engine *en, const char *id, struct net_ref out[10])
{
	_cleanup_strv_ char **names = net_names(en);
	size_t k = 0;

	for (size_t i = 0; names[i] && k < 10; i++) {
		cJSON *n = net_read(en, names[i], NULL);
		const cJSON *l = lease_of(n, id);

		if (!l) {
			cJSON_Delete(n);
			continue;
		}
		out[k].net = n;
		out[k++].lease = l;
	}
	/* eth0 first (a container's ifaces differ) */
	qsort(out, k, sizeof(*out), iface_cmp);
	return k;
}

void nets_free(struct net_ref *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(r[i].net);
}

/* ---- network commands ---------------------------------------------------------- */

int engine_network_create(struct engine *en, const struct net_create_opts *o, struct err *e)
{
	_cleanup_json_ cJSON *n = NULL;
	_cleanup_free_ char *p = NULL;
	int lock;

	if (store_name_valid(o->name, e) < 0)
		return kind(e, ERRK_INVALID_ARG);
	lock = nets_lock(en, e);
	if (lock < 0)
		return -1;
	p = net_file(en, o->name);
	if (access(p, F_OK) == 0) {
		nets_unlock(lock);
		return err_setk(e, ERRK_INVALID_ARG, EEXIST, "network %s", o->name);
	}
	n = net_new(en, o, e);
	nets_unlock(lock);
	return n ? 0 : -1;
}

static cJSON *net_inspect_json(const cJSON *n)
{
	cJSON *o = cJSON_CreateObject(), *subs, *s;
	const cJSON *l;
	char t[40];
	int64_t ns = jint(n, "created", 0);

	cJSON_AddStringToObject(o, "name", jstr(n, "name"));
	cJSON_AddStringToObject(o, "id", jstr(n, "id"));
	cJSON_AddStringToObject(o, "driver", "bridge");
	cJSON_AddStringToObject(o, "network_interface", jstr(n, "interface"));
	/* whole seconds (as gmtime of ns / 10^9 gives them), without the
	 * fraction: an int64 of ns is a year of 1677-2262, four digits */
	time_format_ns(ns - ns % 1000000000, t, sizeof(t));
	t[19] = 'Z';
	t[20] = '\0';
	cJSON_AddStringToObject(o, "created", t);
	subs = cJSON_AddArrayToObject(o, "subnets");
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "subnet", jstr(n, "subnet"));
	cJSON_AddStringToObject(s, "gateway", jstr(n, "gateway"));
	if (jstr(n, "ipRange")) {
		cJSON *lr = cJSON_AddObjectToObject(s, "lease_range");
		struct cidr r;
		char b[16];

		cidr_parse(jstr(n, "ipRange"), &r);
		cJSON_AddStringToObject(lr, "start_ip", ip_fmt(r.net + 1, b));
		cJSON_AddStringToObject(lr, "end_ip", ip_fmt((r.net | ~mask_of(r.prefix)) - 1, b));
	}
	cJSON_AddItemToArray(subs, s);
	cJSON_AddBoolToObject(o, "ipv6_enabled", 0);
	cJSON_AddBoolToObject(o, "internal", jbool(n, "internal"));
	cJSON_AddBoolToObject(o, "dns_enabled", jbool(n, "dnsEnabled"));
	s = cJSON_AddObjectToObject(o, "containers");
	cJSON_ArrayForEach (l, leases(n)) {
		cJSON *c = cJSON_AddObjectToObject(s, l->string);

		cJSON_AddStringToObject(c, "name", jstr(l, "name"));
		cJSON_AddStringToObject(c, "ip", jstr(l, "ip"));
		cJSON_AddStringToObject(c, "mac", jstr(l, "mac"));
		cJSON_AddStringToObject(c, "interface", jstr(l, "iface"));
	}
	return o;
}

cJSON *engine_network_inspect(struct engine *en, const char *name, struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	cJSON *out = cJSON_CreateArray();
	int lock = nets_lock(en, e);

	if (lock < 0) {
		cJSON_Delete(out);
		return NULL;
	}
	/* the default network is always there (an error of its file is
	 * read again below) */
	cJSON_Delete(net_get(en, NET_DEFAULT, e));
	names = name ? NULL : net_names(en);
	for (size_t i = 0; name ? i < 1 : names[i] != NULL; i++) {
		/* ls: a damaged file is a warning, the others are listed */
		_cleanup_json_ cJSON *n = net_read(en, name ? name : names[i], name ? e : NULL);

		if (n) {
			cJSON_AddItemToArray(out, net_inspect_json(n));
		} else if (name) {
			cJSON_Delete(out);
			out = NULL;
		}
	}
	nets_unlock(lock);
	return out;
}

/* The last bridge of any root gone: the table goes too. */
static void table_gc(struct nl *nl)
{
	for (int i = 0; i < 64; i++) {
		char ifname[IFNAMSIZ];

		snprintf(ifname, sizeof(ifname), "nook%d", i);
		if (nl_link_index(nl, ifname, NULL, NULL) != 0)
			return;
	}
	nft_remove_all(NULL);
}

static int net_remove_locked(struct engine *en, const cJSON *n, struct err *e)
{
	_cleanup_free_ char *p = net_file(en, jstr(n, "name"));
	struct nl nl;
	struct cidr sub;
	int r = 0;

	net_subnet(n, &sub);
	nl_open(&nl, -1, NULL);
	if (nl.fd >= 0)
		nl_link_del(&nl, jstr(n, "interface"), NULL);
	nft_network_del(jstr(n, "interface"), in4(sub.net), sub.prefix, NULL);
	if (unlink(p) < 0) {
		r = err_sys(e, "remove %s", p);
		goto out;
	}
	net_vol_remove(en, jstr(n, "name"));
	if (nl.fd >= 0)
		table_gc(&nl);
out:
	nl_close(&nl);
	return r;
}

/* network rm -f of a file that is no network (lock held): the file goes,
 * with the bridge it names when that is still identifiable as its own (a
 * nookN bridge that no other file names) and its firewall elements, by the
 * subnet of the bridge's own address.  A bridge with ports is in use: an
 * error, and nothing goes (which containers use it, the damaged file cannot
 * be trusted to say).  Anything else that stays is a warning. */
static int net_remove_damaged(struct engine *en, const char *name, struct err *e)
{
	_cleanup_free_ char *p = net_file(en, name);
	_cleanup_json_ cJSON *n = store_read_json(p, NULL);
	_cleanup_free_ struct nl_net4 *a = NULL;
	const char *br = jstr(n, "interface"), *why = NULL;
	int idx = 0, k = 0, r = -1;
	struct nl nl;

	if (nl_open(&nl, -1, e) < 0)
		return -1;
	if (!iface_valid(br)) {
		why = "its file names none";
		br = "its bridge";
	} else if ((idx = nl_link_index(&nl, br, NULL, e)) > 0) {
		_cleanup_strv_ char **names = net_names(en);

		/* its own file names it once, damaged or not; another too? */
		for (size_t i = 0; names[i]; i++) {
			_cleanup_free_ char *q = net_file(en, names[i]);
			_cleanup_json_ cJSON *o = store_read_json(q, NULL);

			k += !strcmp(jstr(o, "interface") ?: "", br);
		}
		if (k > 1)
			why = "another network names it";
		k = why ? 0 : nl_bridge_ports(&nl, idx, NULL);
		if (k > 0) {
			err_setk(e, ERRK_STATE_INVALID, 0,
				 "network %s: its bridge %s is in use: remove the containers on it "
				 "first",
				 name, br);
			goto out;
		}
		if (k < 0)
			why = "it is not a bridge";
	} else if (idx < 0) {
		goto out;
	}
	if (unlink(p) < 0) {
		err_sys(e, "remove %s", p);
		goto out;
	}
	net_vol_remove(en, name);
	if (idx > 0 && !why) {
		k = nl_nets4(&nl, idx, &a, NULL);
		if (nl_link_del(&nl, br, NULL) < 0)
			why = "cannot delete it";
		else /* by its address: the file's subnet is not to be trusted */
			nft_network_del(br, k > 0 ? a->net : in4(0), k > 0 ? a->prefix : -1, NULL);
	}
	if (why)
		log_msg(LOGL_WARN, "network rm %s: %s and its firewall elements stay: %s", name, br,
			why);
	table_gc(&nl);
	r = 0;
out:
	nl_close(&nl);
	return r;
}

int engine_network_remove(struct engine *en, const char *name, int force, struct err *e)
{
	_cleanup_json_ cJSON *n = NULL;
	_cleanup_strv_ char **users = xcalloc(1, sizeof(char *));
	const cJSON *l;
	int lock = nets_lock(en, e), r = -1;

	if (lock < 0)
		return -1;
	n = net_read(en, name, e);
	/* a damaged file (not the default's, which stays): its leases are
	 * not to be trusted, its containers stay */
	if (!n && e->kind != ERRK_NO_SUCH && strcmp(name, NET_DEFAULT) != 0) {
		size_t k = strlen(e->msg);

		if (force) {
			r = net_remove_damaged(en, name, e);
		} else {
			snprintf(e->msg + k, sizeof(e->msg) - k, " (network rm -f removes it)");
			e->errnum =
				0; /* not "corrupt JSON file (N bytes) (...): Invalid argument" */
		}
		goto out;
	}
	if (!n)
		goto out;
	if (strcmp(name, NET_DEFAULT) == 0) {
		err_setk(e, ERRK_INVALID_ARG, 0, "the default network %s cannot be removed", name);
		goto out;
	}
	cJSON_ArrayForEach (l, leases(n))
		strv_push(&users, l->string);
	if (users[0] && !force) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "network %s is used by %zu container(s) (%s...): remove them or use -f",
			 name, strv_len(users), jstr(leases(n)->child, "name"));
		goto out;
	}
	nets_unlock(lock);
	/* containers take the lock themselves when they go */
	for (size_t i = 0; users[i]; i++)
		if (engine_remove(en, users[i], ENGINE_RM_FORCE, e) < 0 && e->kind != ERRK_NO_SUCH)
			return err_wrap(e, "network rm %s", name);
	lock = nets_lock(en, e);
	if (lock < 0)
		return -1;
	cJSON_Delete(n);
	n = net_read(en, name, e);
	if (n)
		r = net_remove_locked(en, n, e);
out:
	nets_unlock(lock);
	return r;
}

int engine_network_prune(struct engine *en, char ***out, struct err *e)
{
	_cleanup_strv_ char **names = NULL;
	int lock = nets_lock(en, e);

	*out = xcalloc(1, sizeof(char *));
	if (lock < 0)
		return -1;
	names = net_names(en);
	for (size_t i = 0; names[i]; i++) {
		_cleanup_json_ cJSON *n = net_read(en, names[i], NULL);

		if (!n || strcmp(names[i], NET_DEFAULT) == 0 || cJSON_GetArraySize(leases(n)) > 0)
			continue;
		if (net_remove_locked(en, n, e) < 0) {
			nets_unlock(lock);
			return -1;
		}
		strv_push(out, names[i]);
	}
	nets_unlock(lock);
	return 0;
}

#endif /* NOOK_NO_NETWORK */
