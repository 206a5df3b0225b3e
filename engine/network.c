// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * network: a container's side of bridge networks (see network.h for the
 * layout and the model): its links, addresses and routes at init and
 * their teardown, its hosts and resolv.conf, published ports, inspect,
 * connect and disconnect.  The networks' definitions and leases are
 * network-store.c's.
 *
 * Hazards.  Everything here changes the host's network: a bridge, veths,
 * sysctls, firewall rules.  What a start made, its stop takes away; a
 * failure half-way takes away what it made before returning.  Links in
 * the container's namespace need no teardown: they die with it.  The
 * leases are the one persistent part, and change only under the lock.
 */
#include "engine/network-internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "oci/log.h"
#include "oci/netlink.h"
#include "oci/nft.h"
#include "oci/sys.h"
#include "store/digest.h"

#ifndef NOOK_NO_NETWORK
/* ---- hosts and resolv.conf ------------------------------------------------ */

static int write_in_place(const char *path, const char *text, int create, struct err *e)
{
	/* in place: a bind mount holds the inode, a rename would not reach
	 * the container */
	_cleanup_close_ int fd = open(
		path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return create ? err_sys(e, "write %s", path) : 0;
	if (write_all(fd, text, len) < 0)
		return err_sys(e, "write %s", path);
	return 0;
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (b->s && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 256;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

/* The hosts file of container id (its config cfg): localhost, itself,
 * --add-host, and the other containers of its networks r[n] with names. */
static char *hosts_build(const char *id, const cJSON *cfg, const struct net_ref *r, size_t n)
{
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec");
	const char *host = jstr(spec, "hostname") ?: "";
	const char *name = jstr(cfg, "name") ?: "";
	const cJSON *h;
	struct sbuf b = { 0 };

	sb_add(&b, "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost ip6-localhost\n");
	if (n)
		sb_add(&b, "%s\t%s%s%s\n", jstr(r[0].lease, "ip"), host,
		       strcmp(host, name) ? " " : "", strcmp(host, name) ? name : "");
	cJSON_ArrayForEach (h, cJSON_GetObjectItemCaseSensitive(cfg, "addHosts")) {
		const char *colon = strrchr(h->valuestring, ':');

		if (colon)
			sb_add(&b, "%s\t%.*s\n", colon + 1, (int)(colon - h->valuestring),
			       h->valuestring);
	}
	for (size_t i = 0; i < n; i++) {
		const cJSON *l;

		if (!jbool(r[i].net, "dnsEnabled"))
			continue;
		cJSON_ArrayForEach (l, leases(r[i].net)) {
			if (strcmp(l->string, id) != 0)
				sb_add(&b, "%s\t%s%s%s\n", jstr(l, "ip"), jstr(l, "name"),
				       jstr(l, "hostname") ? " " : "", jstr(l, "hostname") ?: "");
		}
	}
	return b.s;
}

/* The config of container id. */
static cJSON *ctr_config(struct engine *en, const char *id, struct err *e)
{
	_cleanup_free_ char *p = store_path(&en->st, id, "config.json");

	return store_read_json(p, e);
}

/* Rewrite the hosts file of container id (its config cfg, NULL: read
 * here) with the networks read here, if it has one (it runs). */
static void hosts_rewrite(struct engine *en, const char *id, const cJSON *cfg)
{
	_cleanup_free_ char *p = store_run_path(&en->st, id, "hosts");
	_cleanup_json_ cJSON *own = NULL;
	_cleanup_free_ char *t = NULL;
	struct net_ref r[10];
	size_t n;

	if (access(p, F_OK) < 0 || (!cfg && !(cfg = own = ctr_config(en, id, NULL))))
		return;
	n = ctr_nets(en, id, r);
	t = hosts_build(id, cfg, r, n);
	nets_free(r, n);
	write_in_place(p, t, 0, NULL);
}

/* Rewrite the hosts file of every running container of network n
 * (lock held): one came or went. */
static void hosts_refresh(struct engine *en, const cJSON *n)
{
	const cJSON *l;

	if (!jbool(n, "dnsEnabled"))
		return;
	cJSON_ArrayForEach (l, leases(n))
		hosts_rewrite(en, l->string, NULL);
}

/* "word item..." of a list on a line of its own; nothing when it is
 * empty. */
static void sb_list(struct sbuf *b, const char *word, const cJSON *list)
{
	const cJSON *it;

	if (!cJSON_GetArraySize(list))
		return;
	sb_add(b, "%s", word);
	cJSON_ArrayForEach (it, list)
		sb_add(b, " %s", it->valuestring);
	sb_add(b, "\n");
}

/* resolv.conf: the host's, with --dns, --dns-search, --dns-option; a
 * resolver of the host's loopback (OpenWrt's dnsmasq, systemd-resolved)
 * cannot be reached from the container: the gateway instead, where the
 * host's resolver listens too (never a public one). */
static char *resolv_text(const cJSON *cfg, const char *gw)
{
	_cleanup_free_ char *host = file_read("/etc/resolv.conf", NULL, NULL);
	const cJSON *dns = cJSON_GetObjectItemCaseSensitive(cfg, "dns");
	const cJSON *srch = cJSON_GetObjectItemCaseSensitive(cfg, "dnsSearch");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(cfg, "dnsOptions");
	const cJSON *it;
	struct sbuf b = { 0 };
	int servers = cJSON_GetArraySize(dns), gw_done = 0;
	char *save = NULL, *line;

	sb_add(&b, "%s", "");
	sb_list(&b, "search", srch);
	cJSON_ArrayForEach (it, dns)
		sb_add(&b, "nameserver %s\n", it->valuestring);
	for (line = host ? strtok_r(host, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char srv[64];
		const char *ns = srv;

		if (sscanf(line, "nameserver %63s", srv) == 1) {
			if (cJSON_GetArraySize(dns) > 0)
				continue;
			if (strncmp(srv, "127.", 4) == 0 || strcmp(srv, "::1") == 0) {
				ns = gw_done ? NULL : gw;
				gw_done = 1;
			}
			if (ns)
				sb_add(&b, "nameserver %s\n", ns);
			servers++;
		} else if (strncmp(line, "options", 7) == 0 ? !cJSON_GetArraySize(opts)
			   : strncmp(line, "search", 6) == 0 || strncmp(line, "domain", 6) == 0
				   ? !cJSON_GetArraySize(srch)
				   : 0) {
			sb_add(&b, "%s\n", line);
		}
	}
	if (!servers && gw)
		sb_add(&b, "nameserver %s\n", gw);
	sb_list(&b, "options", opts);
	return b.s;
}

#endif /* NOOK_NO_NETWORK */

/* ---- create ---------------------------------------------------------------- */

int net_mode_valid(const char *mode)
{
	_cleanup_free_ char *list = xstrdup(mode);
	char *save = NULL, *tok;

	if (!strncmp(mode, "ns:", 3))
		return mode[3] == '/';
	if (!strncmp(mode, "container:", 10))
		return mode[10] != '\0';
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (store_name_valid(tok, NULL) < 0)
			return 0;
	return *mode && mode[strlen(mode) - 1] != ',';
}

#ifndef NOOK_NO_NETWORK
int net_port_parse(const char *spec, cJSON *ports, struct err *e)
{
	_cleanup_free_ char *s = xstrdup(spec);
	char *proto = strchr(s, '/'), *parts[3] = { 0 }, *p = s;
	unsigned long hp[2] = { 0, 0 }, cp[2];
	int np = 0;
	uint32_t hip = 0;
	char ipbuf[16] = "";

	if (proto)
		*proto++ = '\0';
	if (proto && strcmp(proto, "tcp") && strcmp(proto, "udp"))
		goto bad;
	/* IP:HOST:CTR, HOST:CTR, CTR; an IP has dots, so split from the right */
	while (np < 3) {
		char *c = strrchr(p, ':');

		if (!c)
			break;
		*c = '\0';
		parts[np++] = c + 1;
	}
	{
		char *ctr = np ? parts[0] : p, *host = np >= 2 ? parts[1] : np == 1 ? p : NULL;
		char *ip = np >= 2 ? p : NULL, *end;

		if (np == 3)
			goto bad;
		if (ip && *ip) {
			if (ip_parse(ip, &hip) < 0)
				goto bad;
			ip_fmt(hip, ipbuf);
		}
		cp[0] = strtoul(ctr, &end, 10);
		cp[1] = *end == '-' ? strtoul(end + 1, &end, 10) : cp[0];
		if (*end || cp[0] < 1 || cp[1] > 65535 || cp[1] < cp[0]) /* "": 0 */
			goto bad;
		if (host && *host) {
			hp[0] = strtoul(host, &end, 10);
			hp[1] = *end == '-' ? strtoul(end + 1, &end, 10) : hp[0];
			if (*end || hp[0] < 1 || hp[1] > 65535 || hp[1] - hp[0] != cp[1] - cp[0])
				goto bad;
		}
	}
	for (unsigned long i = 0; i <= cp[1] - cp[0]; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "hostIp", ipbuf);
		cJSON_AddNumberToObject(m, "hostPort", hp[0] ? (double)(hp[0] + i) : 0);
		cJSON_AddNumberToObject(m, "containerPort", (double)(cp[0] + i));
		cJSON_AddStringToObject(m, "protocol", proto ? proto : "tcp");
		cJSON_AddItemToArray(ports, m);
	}
	return 0;
bad:
	return err_setk(e, ERRK_INVALID_ARG, 0,
			"invalid --publish %s ([IP:][HOSTPORT:]CTRPORT[/tcp|udp], ports 1-65535)",
			spec);
}

static int port_match(const cJSON *a, const cJSON *b)
{
	const char *ia = jstr(a, "hostIp") ?: "", *ib = jstr(b, "hostIp") ?: "";

	return jint(a, "hostPort", 0) == jint(b, "hostPort", -1) &&
	       strcmp(jstr(a, "protocol") ?: "", jstr(b, "protocol") ?: "") == 0 &&
	       (!*ia || !*ib || strcmp(ia, ib) == 0);
}

static int has_port(const cJSON *cfg, const void *arg)
{
	const cJSON *p;

	cJSON_ArrayForEach (p, cJSON_GetObjectItemCaseSensitive(cfg, "ports"))
		if (port_match(p, arg))
			return 1;
	return 0;
}

/* A free host port for a -p without one: the kernel's choice. */
static int port_pick(int udp)
{
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int port_free_on_host(struct in_addr ip, unsigned port, int udp, struct err *e);

/* Ports: each host port given one (-p 80), none published twice, none
 * that a process of the host holds. */
static int ports_check(struct engine *en, cJSON *ports, struct err *e)
{
	cJSON *p, *q;

	cJSON_ArrayForEach (p, ports) {
		_cleanup_strv_ char **users = NULL;
		int udp = strcmp(jstr(p, "protocol"), "udp") == 0;
		uint32_t ip = 0;

		if (jint(p, "hostPort", 0) == 0)
			jset_num(p, "hostPort", port_pick(udp));
		cJSON_ArrayForEach (q, ports) {
			if (q == p)
				break;
			if (port_match(p, q))
				goto dup;
		}
		ip_parse(jstr(p, "hostIp"), &ip);
		if (port_free_on_host(in4(ip), (unsigned)jint(p, "hostPort", 0), udp, e) < 0)
			return -1;
		users = ctr_ids_where(en, has_port, p, NULL);
		if (users && users[0]) {
			_cleanup_json_ cJSON *cfg = ctr_config(en, users[0], NULL);

			return err_setk(e, ERRK_INVALID_ARG, 0,
					"port %d/%s is already published by container %s",
					(int)jint(p, "hostPort", 0), jstr(p, "protocol"),
					jstr(cfg, "name") ?: users[0]);
		}
	}
	return 0;
dup:
	return err_setk(e, ERRK_INVALID_ARG, 0, "port %d/%s is published twice",
			(int)jint(p, "hostPort", 0), jstr(p, "protocol"));
}

static void add_mount(cJSON *spec, const char *dst, const char *src)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "destination", dst);
	cJSON_AddStringToObject(m, "type", "bind");
	cJSON_AddStringToObject(m, "source", src);
	cJSON_AddItemToObject(m, "options",
			      strv_to_json((char *[]){ "rbind", "nosuid", "nodev", NULL }));
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(spec, "mounts"), m);
}

#endif /* NOOK_NO_NETWORK */

/* The namespace of that type in the runtime's spec (NULL: none). */
static cJSON *spec_ns(cJSON *spec, const char *type)
{
	cJSON *it;

	cJSON_ArrayForEach (
		it, cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(spec, "linux"), "namespaces")) {
		if (strcmp(jstr(it, "type") ?: "", type) == 0)
			return it;
	}
	return NULL;
}

static void netns_path(cJSON *spec, const char *path)
{
	jset_str(spec_ns(spec, "network"), "path", path);
}

int net_create(struct engine *en, const struct engine_create_opts *o, const char *id,
	       const char *name, cJSON *cfg, cJSON *spec, struct net_use *u, struct err *e)
{
	const char *mode = o->network ? o->network : NET_MODE_DEFAULT;
	cJSON *ports = cJSON_CreateArray();

	u->lockfd = -1;
	u->n = 0;
	snprintf(u->id, sizeof(u->id), "%s", id);
#ifdef NOOK_NO_NETWORK
	if (o->ports && o->ports[0])
		cJSON_AddItemToArray(ports, cJSON_CreateNull());
#else
	for (size_t i = 0; o->ports && o->ports[i]; i++) {
		if (net_port_parse(o->ports[i], ports, e) < 0)
			goto fail;
	}
#endif
	if (!strcmp(mode, "none") || !strcmp(mode, "host") || !strncmp(mode, "ns:", 3) ||
	    !strncmp(mode, "container:", 10)) {
		if (cJSON_GetArraySize(ports) > 0 || o->ip || o->mac || o->dns || o->dns_search ||
		    o->add_hosts) {
			err_setk(e, ERRK_INVALID_ARG, 0,
				 "--network %s: -p, --ip, --mac-address, --dns and --add-host "
				 "need a bridge network",
				 mode);
			goto fail;
		}
		if (!strncmp(mode, "ns:", 3)) {
			struct stat sb;

			if (stat(mode + 3, &sb) < 0) {
				err_setk(e, ERRK_INVALID_ARG, errno, "--network %s", mode);
				goto fail;
			}
			netns_path(spec, mode + 3);
			cJSON_AddStringToObject(cfg, "netMode", "ns");
		} else if (!strncmp(mode, "container:", 10)) {
			char other[STORE_ID_LEN + 1];

			if (store_lookup(&en->st, mode + 10, other, e) < 0) {
				err_wrapk(e, ERRK_INVALID_ARG, "--network %s", mode);
				goto fail;
			}
			cJSON_AddStringToObject(cfg, "netMode", "container");
			cJSON_AddStringToObject(cfg, "netContainer", other);
		} else {
			cJSON_AddStringToObject(cfg, "netMode", mode);
		}
		cJSON_Delete(ports);
		return 0;
	}
#ifdef NOOK_NO_NETWORK
	err_setk(e, ERRK_INVALID_ARG, 0, "--network %s: " NO_BRIDGE, mode);
	goto fail;
#else
	{
		_cleanup_free_ char *list = NULL;
		char *save = NULL, *tok;
		int ifidx = 0;

		/* under the lock: two creates cannot both take a port */
		u->lockfd = nets_lock(en, e);
		if (u->lockfd < 0 || ports_check(en, ports, e) < 0)
			goto fail;
		list = xstrdup(strcmp(mode, "bridge") == 0 ? NET_DEFAULT : mode);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save), ifidx++) {
			cJSON *n;

			if (ifidx > 9) {
				err_setk(e, ERRK_INVALID_ARG, 0, "--network: at most 10 networks");
				goto fail;
			}
			n = net_get(en, tok, e);
			if (!n) {
				err_wrapk(e, ERRK_INVALID_ARG, "--network");
				goto fail;
			}
			if (lease_add(en, n, id, name, jstr(spec, "hostname"), ifidx ? NULL : o->ip,
				      ifidx ? NULL : o->mac, ifidx, !o->auto_remove, e) < 0) {
				cJSON_Delete(n);
				goto fail;
			}
			u->nets[u->n++] = n;
		}
		cJSON_AddStringToObject(cfg, "netMode", "bridge");
		cJSON_AddItemToObject(cfg, "ports", ports);
		ports = NULL;
		if (o->dns)
			cJSON_AddItemToObject(cfg, "dns", strv_to_json(o->dns));
		if (o->dns_search)
			cJSON_AddItemToObject(cfg, "dnsSearch", strv_to_json(o->dns_search));
		if (o->dns_opt)
			cJSON_AddItemToObject(cfg, "dnsOptions", strv_to_json(o->dns_opt));
		if (o->add_hosts) {
			for (size_t i = 0; o->add_hosts[i]; i++) {
				const char *c = strrchr(o->add_hosts[i], ':');
				uint32_t a;

				if (!c || c == o->add_hosts[i] || ip_parse(c + 1, &a) < 0) {
					err_setk(e, ERRK_INVALID_ARG, 0,
						 "invalid --add-host %s (NAME:IPv4)",
						 o->add_hosts[i]);
					goto fail;
				}
			}
			cJSON_AddItemToObject(cfg, "addHosts", strv_to_json(o->add_hosts));
		}
		{
			_cleanup_free_ char *h = store_run_path(&en->st, id, "hosts");
			_cleanup_free_ char *r = store_run_path(&en->st, id, "resolv.conf");

			add_mount(spec, "/etc/hosts", h);
			add_mount(spec, "/etc/resolv.conf", r);
		}
		return 0;
	}
#endif
fail:
	cJSON_Delete(ports);
	net_create_end(en, u, 0);
	return -1;
}

#ifndef NOOK_NO_NETWORK
void net_create_end(struct engine *en, struct net_use *u, int created)
{
	/* the networks as this create wrote them (the lock is still held) */
	for (size_t i = 0; i < u->n; i++) {
		cJSON *n = u->nets[i];

		if (!created) {
			lease_del(en, n, u->id, NULL);
		} else {
			hosts_refresh(en, n);
		}
		cJSON_Delete(n);
	}
	u->n = 0;
	nets_unlock(u->lockfd);
	u->lockfd = -1;
}

/* restore --import: the container came from another machine with its
 * config (cfg, spec in it): new leases (addresses and MACs of this
 * machine, from its new id) on the networks named, its published ports
 * checked here, and its hosts and resolv.conf mounts moved to its run
 * dir.  As net_create: the lock is held until net_create_end. */
int net_import(struct engine *en, const char *id, const char *name, cJSON *cfg, char *const *nets,
	       struct net_use *u, struct err *e)
{
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(cfg, "spec");
	cJSON *ports = cJSON_GetObjectItemCaseSensitive(cfg, "ports"), *m;

	u->lockfd = -1;
	u->n = 0;
	snprintf(u->id, sizeof(u->id), "%s", id);
	if (!nets || !nets[0])
		return err_setk(e, ERRK_INVALID_ARG, 0, "no network named for a bridge container");
	u->lockfd = nets_lock(en, e);
	if (u->lockfd < 0 || (ports && ports_check(en, ports, e) < 0))
		goto fail;
	for (size_t i = 0; nets[i]; i++) {
		cJSON *n;

		if (i > 9) {
			err_setk(e, ERRK_INVALID_ARG, 0, "at most 10 networks");
			goto fail;
		}
		n = net_get(en, nets[i], e);
		if (!n) {
			kind(e, ERRK_INVALID_ARG);
			goto fail;
		}
		if (lease_add(en, n, id, name, jstr(spec, "hostname"), NULL, NULL, (int)i, 1, e) <
		    0) {
			cJSON_Delete(n);
			goto fail;
		}
		u->nets[u->n++] = n;
	}
	cJSON_ArrayForEach (m, cJSON_GetObjectItemCaseSensitive(spec, "mounts")) {
		const char *d = jstr(m, "destination") ?: "";

		if (!strcmp(d, "/etc/hosts") || !strcmp(d, "/etc/resolv.conf")) {
			_cleanup_free_ char *src = store_run_path(&en->st, id, d + 5);

			jset_str(m, "source", src);
		}
	}
	return 0;
fail:
	net_create_end(en, u, 0);
	return -1;
}

char **net_ctr_names(struct engine *en, const char *id)
{
	struct net_ref r[10];
	size_t n = ctr_nets(en, id, r);
	char **v = xcalloc(1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		strv_push(&v, jstr(r[i].net, "name"));
	nets_free(r, n);
	return v;
}

#endif /* NOOK_NO_NETWORK */

/* ---- start and stop --------------------------------------------------------- */

static const char *net_mode(const struct ctr *c)
{
	const char *m = jstr(c->config, "netMode");

	if (m)
		return m;
	/* made before networks: none or host, as the spec says */
	return "none";
}

#ifndef NOOK_NO_NETWORK
/* A container whose namespace another one joins (--network container:)
 * has a mark in its run directory, so that its stop looks for such
 * sharers (reading every container's config) only when there may be
 * some; the stop takes it away (a restart makes a new namespace). */
static char *ns_shared_path(struct engine *en, const char *id)
{
	return store_run_path(&en->st, id, "netns-shared");
}

static int ns_shared_mark(struct engine *en, const char *id, struct err *e)
{
	_cleanup_free_ char *p = ns_shared_path(en, id);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return err_sys(e, "create %s", p);
	close(fd);
	return 0;
}

#endif /* NOOK_NO_NETWORK */

int net_ctr_prepare(struct ctr *c, cJSON *spec, struct err *e)
{
	const char *mode = net_mode(c);
	int lock;

	if (strcmp(mode, "container") == 0) {
		const char *other = jstr(c->config, "netContainer");
		_cleanup_free_ char *sp = store_path(&c->en->st, other, "state.json");
		_cleanup_ctr_state_ struct ctr_state st = { 0 };
		enum cstate s;
		char path[64];
		pid_t pid;

		ctr_state_read(sp, &st, NULL);
		pid = st.pid;
		s = st.state;
		if (!pid || (s != ST_RUNNING && s != ST_CREATED && s != ST_PAUSED) ||
		    !proc_running(pid, st.pid_start))
			return err_setk(e, ERRK_DEPENDENCY, 0,
					"--network container:%.12s: that container is not running",
					other);
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		netns_path(spec, path);
#ifdef NOOK_NO_NETWORK
		return 0;
#else
		return ns_shared_mark(c->en, other, e);
#endif
	}
#ifdef NOOK_NO_NETWORK
	(void)lock;
	return 0;
#else
	if (strcmp(mode, "bridge") != 0)
		return 0;
	lock = nets_lock(c->en, e);
	if (lock < 0)
		return -1;
	{
		struct net_ref r[10];
		size_t n = ctr_nets(c->en, c->id, r);
		_cleanup_free_ char *h = store_run_path(&c->en->st, c->id, "hosts");
		_cleanup_free_ char *rp = store_run_path(&c->en->st, c->id, "resolv.conf");
		_cleanup_free_ char *ht = hosts_build(c->id, c->config, r, n);
		_cleanup_free_ char *rt =
			resolv_text(c->config, n ? jstr(r[0].net, "gateway") : NULL);
		int rc = write_in_place(h, ht, 1, e) < 0 || write_in_place(rp, rt, 1, e) < 0 ? -1
											     : 0;

		/* kept for net_ctr_up: this container's leases cannot change
		 * meanwhile (connect, disconnect and rm take its lock, which
		 * the start holds) */
		cJSON_Delete(c->net);
		c->net = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(c->net, r[i].net);
		nets_unlock(lock);
		return rc;
	}
#endif
}

#ifndef NOOK_NO_NETWORK

/* eth0's "nk" and 12 hex digits of the id; ethN's 11 and "-N", which no
 * eth0's can be (with a digit for the dash, an id whose 12th digit is N
 * gave eth0 and ethN one name: a connect took the container's eth0 for
 * a leftover and deleted it). */
static void veth_name(const char *id, int ifidx, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, ifidx ? "nk%.11s-%c" : "nk%.12s", id, '0' + ifidx % 10);
}

static int sysctl_set(const char *path, const char *val)
{
	char cur[16] = "";
	int fd = open(path, O_RDWR | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, cur, sizeof(cur) - 1);
	if (n <= 0 || strncmp(cur, val, strlen(val)) != 0)
		n = pwrite(fd, val, strlen(val), 0);
	close(fd);
	return n < 0 ? -1 : 0;
}

/* The bridge of n (its subnet sub, its gateway gw), made if missing
 * (after a reboot, or on first use): its index, and its mtu into *mtu. */
static int bridge_up(struct nl *nl, const cJSON *n, struct cidr sub, uint32_t gw, int *mtu,
		     struct err *e)
{
	const char *br = jstr(n, "interface");
	int idx = nl_link_index(nl, br, mtu, e);

	if (idx < 0)
		return -1;
	if (!jbool(n, "internal") && sysctl_set("/proc/sys/net/ipv4/ip_forward", "1") < 0)
		return err_sys(e, "network %s: enable IPv4 forwarding", jstr(n, "name"));
	if (idx > 0)
		return idx;
	if (nl_bridge_add(nl, br, 0, e) < 0 && e->errnum != EEXIST)
		goto fail;
	if (nl_link_setup4(nl, br, in4(gw), sub.prefix, in4(0), e) < 0)
		goto fail;
	{
		/* a port published on 127.0.0.1 is DNAT'd to the bridge */
		_cleanup_free_ char *p = xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", br);

		sysctl_set(p, "1");
	}
	if (nft_network_add(br, in4(sub.net), sub.prefix, jbool(n, "internal"), e) < 0) {
		if (e->kind != ERRK_DEPENDENCY)
			goto fail;
		/* no nft: containers reach each other and the host, not
		 * beyond it */
		log_msg(LOGL_WARN, "network %s: %s: outbound traffic is not masqueraded",
			jstr(n, "name"), e->msg);
	}
	return nl_link_index(nl, br, mtu, e);
fail:
	err_wrap(e, "network %s", jstr(n, "name"));
	nl_link_del(nl, br, NULL);
	return -1;
}

/* Published ports of cfg, for oci/nft (*out malloc'd). */
static size_t ports_of(const cJSON *cfg, struct nft_port **out)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(cfg, "ports"), *p;
	size_t n = 0;

	*out = xcalloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof(**out));
	cJSON_ArrayForEach (p, ps) {
		uint32_t ip = 0;

		ip_parse(jstr(p, "hostIp"), &ip);
		(*out)[n].host_ip = in4(ip);
		(*out)[n].host_port = (uint16_t)jint(p, "hostPort", 0);
		(*out)[n].ctr_port = (uint16_t)jint(p, "containerPort", 0);
		(*out)[n++].proto =
			strcmp(jstr(p, "protocol") ?: "", "udp") ? IPPROTO_TCP : IPPROTO_UDP;
	}
	return n;
}

/* The process that holds a socket bound to port (tcp: listening): "pid
 * N (comm)" into out, from /proc/net and /proc/PID/fd.  IPv4's table,
 * then IPv6's: a socket on [::] (not v6only) holds the IPv4 port too. */
static void port_owner(unsigned port, int udp, char *out, size_t len)
{
	char line[256], want[32];
	unsigned long inode = 0;
	DIR *d;
	struct dirent *de;

	snprintf(out, len, "a process of the host");
	for (int v6 = 0; v6 < 2 && !inode; v6++) {
		_cleanup_fclose_ FILE *f = NULL;

		snprintf(line, sizeof(line), "/proc/net/%s%s", udp ? "udp" : "tcp", v6 ? "6" : "");
		f = fopen(line, "re");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned lport, st;
			unsigned long ino;

			/* sl local rem st queues timer retrnsmt uid timeout inode */
			if (sscanf(line, " %*d: %*[0-9A-F]:%x %*s %x %*s %*s %*s %*s %*s %lu",
				   &lport, &st, &ino) == 3 &&
			    lport == port && (udp || st == 0x0a)) {
				inode = ino;
				break;
			}
		}
	}
	if (!inode || !(d = opendir("/proc")))
		return;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while ((de = readdir(d))) {
		char fdp[300], link[64];
		DIR *fds;
		struct dirent *fe;
		int found = 0;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(fdp, sizeof(fdp), "/proc/%s/fd", de->d_name);
		if (!(fds = opendir(fdp)))
			continue;
		while (!found && (fe = readdir(fds))) {
			ssize_t n = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);

			found = n > 0 && (link[n] = '\0', strcmp(link, want) == 0);
		}
		closedir(fds);
		if (found) {
			_cleanup_free_ char *comm = NULL;

			snprintf(fdp, sizeof(fdp), "/proc/%s/comm", de->d_name);
			comm = file_read(fdp, NULL, NULL);

			if (comm)
				comm[strcspn(comm, "\n")] = '\0';
			snprintf(out, len, "pid %s (%s)", de->d_name, comm ? comm : "?");
			break;
		}
	}
	closedir(d);
}

/* A host port a process of the host holds: an error naming it. */
static int port_free_on_host(struct in_addr ip, unsigned port, int udp, struct err *e)
{
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr = ip };
	int one = 1, r = 0;

	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRINUSE) {
		char who[300];

		port_owner(port, udp, who, sizeof(who));
		r = err_setk(e, ERRK_INVALID_ARG, 0, "publish port %u/%s: it is in use by %s", port,
			     udp ? "udp" : "tcp", who);
	}
	close(fd);
	return r;
}

/* Put the container (its netns nsfd, and ns, a socket in it) on network
 * r: bridge, veth, then its end's address, link and (the first network)
 * default route in one round trip; the veth's name appended to made. */
static int attach(struct nl *host, struct nl *ns, int nsfd, const char *id, const struct net_ref *r,
		  int first, char ***made, struct err *e)
{
	const char *ifn = jstr(r->lease, "iface");
	char veth[IFNAMSIZ];
	uint8_t mac[6];
	uint32_t ip = 0, gw = 0;
	struct cidr sub;
	int mtu = 0, br;

	net_subnet(r->net, &sub);
	ip_parse(jstr(r->net, "gateway"), &gw);
	br = bridge_up(host, r->net, sub, gw, &mtu, e);
	if (br < 0)
		return -1;
	if (mtu < 0)
		mtu = 0;
	veth_name(id, ifn[3] - '0', veth);
	mac_parse(jstr(r->lease, "mac"), mac);
	for (int again = 0; nl_veth_add(host, veth, ifn, nsfd, mac, mtu, br, e) < 0; again++) {
		/* the last run's, which its namespace has not taken yet (or a
		 * crash's): it goes, once */
		if (again || e->errnum != EEXIST || nl_link_del(host, veth, e) < 0)
			return -1;
	}
	strv_push(made, veth);
	ip_parse(jstr(r->lease, "ip"), &ip);
	/* the default route: the first network's, if it has a way out */
	if (!first || jbool(r->net, "internal"))
		gw = 0;
	return nl_link_setup4(ns, ifn, in4(ip), sub.prefix, in4(gw), e);
}

/* The links of c in its network namespace nsfd; lo up too when that is
 * ours (net_ctr_netns: the init does not bring it up then). */
static int net_up(struct ctr *c, int nsfd, int lo, struct err *e)
{
	struct net_ref r[10];
	size_t n = 0, np = 0;
	_cleanup_free_ struct nft_port *ports = NULL;
	struct nl host = { .fd = -1 }, ns = { .fd = -1 };
	_cleanup_strv_ char **made = xcalloc(1, sizeof(char *));
	int lock = -1, rc = -1;

	np = ports_of(c->config, &ports);
	for (size_t i = 0; i < np; i++)
		if (port_free_on_host(ports[i].host_ip, ports[i].host_port,
				      ports[i].proto == IPPROTO_UDP, e) < 0)
			goto out;
	lock = nets_lock(c->en, e);
	if (lock < 0 || nl_open(&host, -1, e) < 0 || nl_open(&ns, nsfd, e) < 0 ||
	    (lo && nl_link_up(&ns, "lo", 0, e) < 0))
		goto out;
	timing_mark("network: lock, netlink sockets");
	if (c->net) {
		/* what net_ctr_prepare read */
		while (c->net->child && n < 10) {
			r[n].net = cJSON_DetachItemViaPointer(c->net, c->net->child);
			r[n].lease = lease_of(r[n].net, c->id);
			n++;
		}
		cJSON_Delete(c->net);
		c->net = NULL;
	} else {
		n = ctr_nets(c->en, c->id, r);
	}
	for (size_t i = 0; i < n; i++)
		if (attach(&host, &ns, nsfd, c->id, &r[i], i == 0, &made, e) < 0)
			goto out;
	timing_mark("network: veths, addresses, routes");
	if (np) {
		uint32_t ip = 0;

		ip_parse(jstr(r[0].lease, "ip"), &ip);
		if (!n) {
			err_set(e, 0, "no network to publish ports on");
			goto out;
		}
		if (nft_ports_add(in4(ip), ports, np, e) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		for (size_t i = 0; made[i]; i++)
			nl_link_del(&host, made[i], NULL);
		err_wrapk(e, e->kind ? e->kind : ERRK_RUNTIME, "container %s: network", cname(c));
	} else {
		strv_free(c->state.net_links);
		c->state.net_links = steal_ptr(made);
	}
	nets_free(r, n);
	nl_close(&host);
	nl_close(&ns);
	nets_unlock(lock);
	return rc;
}

int net_ctr_up(struct ctr *c, pid_t pid, struct err *e)
{
	_cleanup_close_ int nsfd = -1;
	char path[64];

	if (strcmp(net_mode(c), "bridge") != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0) {
		err_sys(e, "open %s", path);
		return err_wrapk(e, ERRK_RUNTIME, "container %s: network", cname(c));
	}
	return net_up(c, nsfd, 0, e);
}

int net_ctr_up_ns(struct ctr *c, int nsfd, struct err *e)
{
	return net_up(c, nsfd, 1, e);
}

int net_ctr_netns(struct ctr *c, cJSON *spec, struct err *e)
{
	cJSON *net = spec_ns(spec, "network");
	_cleanup_close_ int self = -1;
	int fd;
	char path[64];

	/* a user namespace comes first, and would own the network
	 * namespace: the init makes that one itself */
	if (strcmp(net_mode(c), "bridge") != 0 || spec_ns(spec, "user") || !net ||
	    jstr(net, "path"))
		return -1;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return err_sys(e, "open /proc/self/ns/net"), -2;
	if (unshare(CLONE_NEWNET) < 0)
		return err_sys(e, "container %s: new network namespace", cname(c)), -2;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(self, CLONE_NEWNET) < 0) {
		/* we are stuck in the new namespace: nothing may go on */
		err_sys(e, "return to own network namespace");
		if (fd >= 0)
			close(fd);
		return -2;
	}
	if (fd < 0)
		return err_sys(e, "open a new network namespace"), -2;
	/* the init joins it through our fd (open until it has) */
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), fd);
	jset_str(net, "path", path);
	return fd;
}

static int shares_net(const cJSON *cfg, const void *id)
{
	return strcmp(jstr(cfg, "netContainer") ?: "", id) == 0;
}

void net_ctr_down(struct ctr *c)
{
	char **links = c->state.net_links;
	_cleanup_strv_ char **sharers = NULL;
	_cleanup_free_ char *mark = NULL;
	struct nl host;

	if (!links)
		return;
	/* The veths die with the container's namespace, which the kernel
	 * takes down by itself once its processes are gone; deleting them
	 * here would wait for that (10 ms and more: RCU grace periods).  Only
	 * where another container shares the namespace (--network
	 * container:, which leaves a mark) does it outlive this one: then
	 * they go now. */
	mark = ns_shared_path(c->en, c->id);
	if (unlink(mark) == 0)
		sharers = ctr_ids_where(c->en, shares_net, c->id, NULL);
	if (sharers && sharers[0] && nl_open(&host, -1, NULL) == 0) {
		for (size_t i = 0; links[i]; i++)
			nl_link_del(&host, links[i], NULL);
		nl_close(&host);
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c->config, "ports")) > 0) {
		struct net_ref r[10];
		size_t n = ctr_nets(c->en, c->id, r);
		_cleanup_free_ struct nft_port *ports = NULL;
		size_t np = ports_of(c->config, &ports);
		uint32_t ip = 0;
		struct err le;

		if (n && ip_parse(jstr(r[0].lease, "ip"), &ip) == 0 &&
		    nft_ports_del(in4(ip), ports, np, &le) < 0)
			log_msg(LOGL_WARN, "container %s: %s", cname(c), le.msg);
		nets_free(r, n);
	}
	ctr_state_set_links(&c->state, NULL);
}

void net_gc(struct engine *en)
{
	_cleanup_strv_ char **names = NULL;
	_cleanup_free_ char *dir = nets_dir(en);
	int lock = access(dir, F_OK) == 0 ? nets_lock(en, NULL) : -1;

	if (lock < 0)
		return;
	names = net_names(en);
	for (size_t i = 0; names[i]; i++) {
		_cleanup_json_ cJSON *n = net_read(en, names[i], NULL);
		cJSON *l = n ? leases(n)->child : NULL;
		int changed = 0;

		while (l) {
			cJSON *next = l->next;
			_cleanup_free_ char *cp = store_path(&en->st, l->string, "config.json");

			if (access(cp, F_OK) < 0 && errno == ENOENT) {
				cJSON_Delete(cJSON_DetachItemViaPointer(leases(n), l));
				changed = 1;
			}
			l = next;
		}
		if (changed && net_write(en, n, 1, NULL) == 0)
			hosts_refresh(en, n);
	}
	nets_unlock(lock);
}

void net_ctr_release(struct ctr *c)
{
	_cleanup_strv_ char **names = NULL;
	struct engine *en = c->en;
	const char *id = c->id;
	int lock;

	/* only a bridge container holds leases (connect wants one too);
	 * a stray lease of another goes with net_gc */
	if (strcmp(net_mode(c), "bridge") != 0)
		return;
	lock = nets_lock(en, NULL);
	if (lock < 0)
		return;
	names = net_names(en);
	for (size_t i = 0; names[i]; i++) {
		_cleanup_json_ cJSON *n = net_read(en, names[i], NULL);

		if (!n || !lease_of(n, id))
			continue;
		if (lease_del(en, n, id, NULL) == 0)
			hosts_refresh(en, n);
	}
	nets_unlock(lock);
}

/* ---- inspect and port --------------------------------------------------------- */

static void ports_json(const cJSON *cfg, cJSON *into)
{
	const cJSON *p;

	cJSON_ArrayForEach (p, cJSON_GetObjectItemCaseSensitive(cfg, "ports")) {
		char key[24], hp[8];
		cJSON *arr, *b;

		snprintf(key, sizeof(key), "%d/%s", (int)jint(p, "containerPort", 0),
			 jstr(p, "protocol"));
		snprintf(hp, sizeof(hp), "%d", (int)jint(p, "hostPort", 0));
		arr = cJSON_GetObjectItemCaseSensitive(into, key);
		if (!arr)
			arr = cJSON_AddArrayToObject(into, key);
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "HostIp", jstr(p, "hostIp") ?: "");
		cJSON_AddStringToObject(b, "HostPort", hp);
		cJSON_AddItemToArray(arr, b);
	}
}

static void endpoint_json(cJSON *o, const cJSON *net, const cJSON *lease)
{
	struct cidr sub;

	net_subnet(net, &sub);
	cJSON_AddStringToObject(o, "Gateway", jstr(net, "gateway") ?: "");
	cJSON_AddStringToObject(o, "IPAddress", jstr(lease, "ip") ?: "");
	cJSON_AddNumberToObject(o, "IPPrefixLen", sub.prefix);
	cJSON_AddStringToObject(o, "MacAddress", jstr(lease, "mac") ?: "");
}

void net_ctr_inspect(struct ctr *c, cJSON *j, cJSON *hc)
{
	cJSON *ns = cJSON_AddObjectToObject(j, "NetworkSettings");
	cJSON *nets, *pb;
	const char *mode = net_mode(c);
	struct net_ref r[10];
	size_t n = ctr_nets(c->en, c->id, r);
	pid_t pid = c->state.pid;
	char key[64] = "";

	if (pid > 0 && strcmp(mode, "host"))
		snprintf(key, sizeof(key), "/proc/%d/ns/net", (int)pid);
	cJSON_AddStringToObject(ns, "SandboxKey", key);
	if (n)
		endpoint_json(ns, r[0].net, r[0].lease);
	else
		endpoint_json(ns, NULL, NULL);
	ports_json(c->config, cJSON_AddObjectToObject(ns, "Ports"));
	nets = cJSON_AddObjectToObject(ns, "Networks");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_AddObjectToObject(nets, jstr(r[i].net, "name"));
		char alias[13];

		cJSON_AddStringToObject(o, "NetworkID", jstr(r[i].net, "id"));
		endpoint_json(o, r[i].net, r[i].lease);
		snprintf(alias, sizeof(alias), "%.12s", c->id);
		cJSON_AddItemToObject(o, "Aliases", strv_to_json((char *[]){ alias, NULL }));
	}
	nets_free(r, n);
	if (strcmp(mode, "container") == 0) {
		char m[STORE_ID_LEN + 12];

		snprintf(m, sizeof(m), "container:%s", jstr(c->config, "netContainer"));
		cJSON_AddStringToObject(hc, "NetworkMode", m);
	} else {
		cJSON_AddStringToObject(hc, "NetworkMode", mode);
	}
	pb = cJSON_AddObjectToObject(hc, "PortBindings");
	ports_json(c->config, pb);
}

char **net_ctr_ports(struct engine *en, const char *ref, struct err *e)
{
	char id[STORE_ID_LEN + 1];
	_cleanup_json_ cJSON *cfg = NULL;
	char **out;
	const cJSON *p;

	if (store_lookup(&en->st, ref, id, e) < 0)
		return NULL;
	out = xcalloc(1, sizeof(char *));
	cfg = ctr_config(en, id, e);
	cJSON_ArrayForEach (p, cJSON_GetObjectItemCaseSensitive(cfg, "ports")) {
		const char *ip = jstr(p, "hostIp");
		_cleanup_free_ char *l = xasprintf(
			"%d/%s -> %s:%d", (int)jint(p, "containerPort", 0), jstr(p, "protocol"),
			ip && *ip ? ip : "0.0.0.0", (int)jint(p, "hostPort", 0));

		strv_push(&out, l);
	}
	return out;
}

static int ctr_live(const struct ctr *c)
{
	return c->st == ST_RUNNING || c->st == ST_PAUSED || c->st == ST_CREATED;
}

/* connect of a running container: its links now (lock held) */
static int live_attach(struct ctr *c, const cJSON *n, struct err *e)
{
	struct net_ref r = { (cJSON *)n, lease_of(n, c->id) };
	struct nl host = { .fd = -1 }, ns = { .fd = -1 };
	_cleanup_close_ int nsfd = -1;
	char path[64];
	int rc = -1;

	if (!ctr_live(c))
		return 0;
	if (!c->state.net_links)
		c->state.net_links = xcalloc(1, sizeof(char *));
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)c->state.pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		err_sys(e, "open %s", path);
	else if (nl_open(&host, -1, e) == 0 && nl_open(&ns, nsfd, e) == 0)
		rc = attach(&host, &ns, nsfd, c->id, &r, 0, &c->state.net_links, e);
	nl_close(&host);
	nl_close(&ns);
	return rc;
}

static void live_detach(struct ctr *c, const cJSON *n)
{
	const cJSON *l = lease_of(n, c->id);
	char **links = c->state.net_links;
	char veth[IFNAMSIZ];
	struct nl host;

	if (!ctr_live(c) || !l)
		return;
	veth_name(c->id, jstr(l, "iface")[3] - '0', veth);
	if (nl_open(&host, -1, NULL) == 0) {
		nl_link_del(&host, veth, NULL);
		nl_close(&host);
	}
	for (size_t i = 0; links && links[i]; i++) {
		if (strcmp(links[i], veth) == 0) {
			free(links[i]);
			memmove(&links[i], &links[i + 1],
				strv_len(&links[i + 1]) * sizeof(char *) + sizeof(char *));
			break;
		}
	}
}

int engine_network_connect(struct engine *en, const char *net, const char *ref, int connect,
			   struct err *e)
{
	struct ctr c;
	_cleanup_json_ cJSON *n = NULL;
	int lock, r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (strcmp(net_mode(&c), "bridge") != 0) {
		err_setk(e, ERRK_INVALID_ARG, 0, "container %s is not on a bridge network (%s)",
			 cname(&c), net_mode(&c));
		lock = -1;
		goto out;
	}
	lock = nets_lock(en, e);
	if (lock < 0 || !(n = net_get(en, net, e)))
		goto out;
	if (connect) {
		struct net_ref rr[10];
		size_t k = ctr_nets(en, c.id, rr);
		int used[10] = { 0 }, idx = 0;

		for (size_t i = 0; i < k; i++)
			used[jstr(rr[i].lease, "iface")[3] - '0'] = 1;
		nets_free(rr, k);
		while (idx < 10 && used[idx])
			idx++;
		if (idx == 10) {
			err_setk(e, ERRK_INVALID_ARG, 0, "container %s: at most 10 networks",
				 cname(&c));
			goto out;
		}
		if (lease_add(en, n, c.id, cname(&c),
			      jstr(cJSON_GetObjectItemCaseSensitive(c.config, "spec"), "hostname"),
			      NULL, NULL, idx, 1, e) < 0)
			goto out;
		if (live_attach(&c, n, e) < 0) {
			lease_del(en, n, c.id, NULL);
			goto out;
		}
	} else {
		if (!lease_of(n, c.id)) {
			err_setk(e, ERRK_INVALID_ARG, 0, "container %s is not on network %s",
				 cname(&c), net);
			goto out;
		}
		live_detach(&c, n);
		if (lease_del(en, n, c.id, e) < 0)
			goto out;
	}
	hosts_refresh(en, n);
	/* its own hosts file: the networks it is on changed */
	hosts_rewrite(en, c.id, c.config);
	if (ctr_save(&c, e) < 0)
		goto out;
	r = 0;
out:
	nets_unlock(lock);
	ctr_close(&c);
	return r;
}

#else /* NOOK_NO_NETWORK: no bridge networks, nothing to set up or take down */

int net_import(struct engine *en, const char *id, const char *name, cJSON *cfg, char *const *nets,
	       struct net_use *u, struct err *e)
{
	u->lockfd = -1;
	return err_setk(e, ERRK_INVALID_ARG, 0, NO_BRIDGE);
}

char **net_ctr_names(struct engine *en, const char *id)
{
	return xcalloc(1, sizeof(char *));
}

void net_create_end(struct engine *en, struct net_use *u, int created)
{
	u->lockfd = -1;
}

int net_ctr_up(struct ctr *c, pid_t pid, struct err *e)
{
	return 0;
}

int net_ctr_up_ns(struct ctr *c, int nsfd, struct err *e)
{
	return 0;
}

int net_ctr_netns(struct ctr *c, cJSON *spec, struct err *e)
{
	return -1;
}

void net_ctr_down(struct ctr *c)
{
}

void net_ctr_release(struct ctr *c)
{
}

void net_gc(struct engine *en)
{
}

void net_ctr_inspect(struct ctr *c, cJSON *j, cJSON *hc)
{
	cJSON *ns = cJSON_AddObjectToObject(j, "NetworkSettings");
	const char *mode = net_mode(c);
	pid_t pid = c->state.pid;
	char key[64] = "";

	if (pid > 0 && strcmp(mode, "host"))
		snprintf(key, sizeof(key), "/proc/%d/ns/net", (int)pid);
	cJSON_AddStringToObject(ns, "SandboxKey", key);
	cJSON_AddObjectToObject(ns, "Ports");
	cJSON_AddObjectToObject(ns, "Networks");
	cJSON_AddStringToObject(hc, "NetworkMode", mode);
	cJSON_AddObjectToObject(hc, "PortBindings");
}

char **net_ctr_ports(struct engine *en, const char *ref, struct err *e)
{
	char id[STORE_ID_LEN + 1];

	return store_lookup(&en->st, ref, id, e) < 0 ? NULL : xcalloc(1, sizeof(char *));
}

#endif
