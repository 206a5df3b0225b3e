/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft: nook's firewall rules, in its own table, by the nft program.
 *
 * Why the nft program and not netlink: the nf_tables netlink protocol
 * (expressions, set element encoding, batches) would cost more code than
 * the whole network module, and every router whose firewall is nftables
 * (OpenWrt's fw4) ships nft anyway.  Each call writes a script into a
 * memfd and runs `nft -f -` with it on stdin and its stderr in another
 * memfd (no pipe to deadlock on); a script is one transaction: all of it
 * applies or none.  A failure reports nft's first line of stderr.
 *
 * The ruleset (IPv4 only), `table inet nook`:
 *   sets  nets {ipv4_addr, interval}  bridges {ifname}  internal {ifname}
 *         self {ifname . ifname}: "br" . "br" for each bridge
 *   maps  ports     {l4proto . port : ctr_ip . ctr_port}   -p PORT:PORT
 *         hostports {host_ip . l4proto . port : ctr_ip . ctr_port}
 *                                                    -p IP:PORT:PORT
 *   chain published: dnat by hostports, else by ports (a miss falls through)
 *   prerouting (nat, dstnat): no new flow from outside to 127.0.0.0/8
 *         (route_localnet=1 on the bridges would otherwise let a container
 *         reach the host's loopback services, CVE-2020-8558), then
 *         `fib daddr type local` jump published
 *   output (nat, -100): `fib daddr type local` jump published
 *   postrouting (nat, srcnat): masquerade a subnet leaving by a non-nook
 *         interface; and DNAT'd flows into a bridge that come from
 *         127.0.0.0/8 (the host to -p 127.0.0.1:...) or from a container
 *         (hairpin: the reply must come back through the host)
 *   forward (filter, policy accept): established accept; "br" -> "br"
 *         accept (bridged traffic with br_netfilter loaded); in or out of
 *         an internal bridge drop; DNAT'd accept (published ports are
 *         public); bridge -> other bridge drop (isolation).
 * One set of rules for all networks rather than rules per network: the
 * rules never change, the networks are set elements, so nothing ever needs
 * a rule handle.  Masquerade by "subnet and not out a nook bridge" is the
 * same as "not out its own bridge" because forward drops the traffic
 * between bridges first.
 *
 * Idempotence:
 * - nft_network_add declares the table, sets, maps and chains with `add`
 *   (a no-op when they exist with the same definition), then flushes nook's
 *   own chains and adds their rules again in the same transaction: the
 *   state is in the sets and maps, which are never flushed, and the chains
 *   always end up with exactly one copy of the current rules (a newer nook
 *   replaces an older one's; a table someone half deleted heals).
 * - Deletion: nft 1.0.6 has no `destroy` (nft 1.0.8 and kernel 6.3 added
 *    it, so older 1.0.x, as OpenWrt 22.03 ships, lack it), and `delete element`
 *   of an absent element fails the whole transaction with ENOENT.  So a
 *   delete is `add element X; delete element X` in one transaction: add
 *   is a no-op when X is there with the same data, and the pair ends with
 *   X gone either way.  A key that maps to other data (another container
 *   took the port) makes `add` fail with EEXIST: the call fails and
 *   nothing is deleted, which is what it should do.  The delete scripts
 *   also declare the table and its sets/maps (no chains), so they work
 *   after a reboot or a `nft flush ruleset` too.  nft_remove_all is
 *   `add table; delete table`.
 *
 * Hazards: names go into a script, so a bridge name is checked against
 * [A-Za-z0-9_.-]{1,15} first.  The engine sets route_localnet=1 on its
 * bridges for -p 127.0.0.1:...; the prerouting drop above is what keeps
 * that safe.  fw4 (OpenWrt) must accept the same traffic in its own
 * forward chain: board/openwrt/nook/files/nook-fw4.nft.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "oci/netlink.h"
#include "oci/nft.h"
#include "oci/sys.h"

#define T "inet nook"

extern char **environ;

/* A script is kept in short: each line is the digit of its verb (the
 * words before the table's name: verbs[], V_*), then what follows the
 * name; lines() writes it out whole ("add set inet nook nets {...}"). */
static const char verbs[] = "add table\0add set\0add map\0add chain\0flush chain\0add rule\0"
			    "add element\0delete element\0delete table";
enum { V_TABLE, V_SET, V_MAP, V_CHAIN, V_FLUSH, V_RULE, V_ADD_EL, V_DEL_EL, V_DEL_TABLE };
#define TABLE "0"
#define SET "1"
#define MAP "2"
#define CHAIN "3"
#define FLUSH "4"
#define RULE "5"
#define DEL_TABLE "8"

/* The table, its sets and maps: what every script needs. */
/* clang-format off */
static const char decl_sets[] =
	TABLE "\n"
	SET " nets { type ipv4_addr; flags interval; }\n"
	SET " bridges { type ifname; }\n"
	SET " internal { type ifname; }\n"
	SET " self { type ifname . ifname; }\n"
	MAP " ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
	MAP " hostports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n";

/* The chains and their rules (see the header). */
static const char decl_chains[] =
	CHAIN " published\n"
	CHAIN " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
	CHAIN " output { type nat hook output priority -100; policy accept; }\n"
	CHAIN " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
	CHAIN " forward { type filter hook forward priority filter; policy accept; }\n"
	FLUSH " published\n"
	FLUSH " prerouting\n"
	FLUSH " output\n"
	FLUSH " postrouting\n"
	FLUSH " forward\n"
	RULE " published dnat ip to ip daddr . meta l4proto . th dport map @hostports\n"
	RULE " published dnat ip to meta l4proto . th dport map @ports\n"
	RULE " prerouting iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"
	RULE " prerouting fib daddr type local jump published\n"
	RULE " output fib daddr type local jump published\n"
	RULE " postrouting ip saddr @nets oifname != @bridges masquerade\n"
	RULE " postrouting oifname @bridges ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
	RULE " postrouting oifname @bridges ct status dnat ip saddr @nets masquerade\n"
	RULE " forward ct state established,related accept\n"
	RULE " forward iifname . oifname @self accept\n"
	RULE " forward iifname @internal drop\n"
	RULE " forward oifname @internal drop\n"
	RULE " forward ct status dnat accept\n"
	RULE " forward iifname @bridges oifname @bridges drop\n";
/* clang-format on */

/* One line of a script: verb v, the table, the first len bytes of rest
 * (all of it when len < 0). */
static void line(int fd, int v, const char *rest, int len)
{
	const char *w = verbs;

	while (v--)
		w += strlen(w) + 1;
	dprintf(fd, "%s " T "%.*s\n", w, len, rest);
}

/* The lines of s, kept in short as decl_sets. */
static void lines(int fd, const char *s)
{
	while (*s) {
		int n = (int)strcspn(s + 1, "\n");

		line(fd, *s - '0', s + 1, n);
		s += n + 2;
	}
}

static int not_installed(struct err *e)
{
	return err_setk(e, ERRK_DEPENDENCY, 0, "the nft program (nftables) is not installed");
}

/* Run `nft -f -` with the script in the memfd in.  On failure e holds
 * "nft: <its first line of stderr>". */
static int nft_run(int in, struct err *e)
{
	_cleanup_free_ char *exe = program_path("nft");
	_cleanup_close_ int out = -1;
	char line[400];
	ssize_t n;
	int status;
	pid_t pid;

	if (!exe)
		return not_installed(e);
	out = memfd_create("nook-nft-err", MFD_CLOEXEC);
	if (out < 0)
		return err_sys(e, "memfd_create");
	if (lseek(in, 0, SEEK_SET) < 0)
		return err_sys(e, "nft script: lseek");
	pid = fork();
	if (pid < 0)
		return err_sys(e, "fork");
	if (pid == 0) {
		char *argv[] = { "nft", "-f", "-", NULL };

		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		sys_close_range(3, ~0U, 0);
		execve(exe, argv, environ);
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_sys(e, "waitpid nft");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return not_installed(e);
	n = pread(out, line, sizeof(line) - 1, 0);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (line[0])
		return err_set(e, 0, "nft: %s", line);
	if (WIFSIGNALED(status))
		return err_set(e, 0, "nft: killed by signal %d", WTERMSIG(status));
	return err_set(e, 0, "nft: exit status %d", WEXITSTATUS(status));
}

static int script_open(struct err *e)
{
	int fd = memfd_create("nook-nft", MFD_CLOEXEC);

	if (fd < 0)
		return err_sys(e, "memfd_create");
	return fd;
}

/* A bridge name as it goes into a script between quotes. */
static int bridge_valid(const char *b, struct err *e)
{
	size_t n = strlen(b);

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && !strchr("_.-", b[i]))
			n = 0; /* [A-Za-z0-9_.-] only */
	if (n == 0 || n > 15)
		return err_setk(e, ERRK_INVALID_ARG, 0, "bad bridge name '%.32s'", b);
	return 0;
}

/* The elements of one network; del: each as an add/delete pair. */
static void net_elements(int fd, const char *bridge, struct in_addr net, int prefix, int internal,
			 int del)
{
	uint32_t mask = prefix ? ~0U << (32 - prefix) : 0;
	struct in_addr a = { .s_addr = net.s_addr & htonl(mask) };
	char ip[INET_ADDRSTRLEN];
	char el[4][64];

	nl_ip4(a, ip);
	snprintf(el[0], sizeof(el[0]), " nets { %s/%d }", ip, prefix);
	snprintf(el[1], sizeof(el[1]), " bridges { \"%s\" }", bridge);
	snprintf(el[2], sizeof(el[2]), " self { \"%s\" . \"%s\" }", bridge, bridge);
	snprintf(el[3], sizeof(el[3]), " internal { \"%s\" }", bridge);
	for (int i = 0; i < 4; i++) {
		if (del || i < 3 || internal)
			line(fd, V_ADD_EL, el[i], -1);
		if (del)
			line(fd, V_DEL_EL, el[i], -1);
	}
}

static int net_script(const char *what, const char *bridge, struct in_addr net, int prefix,
		      int internal, int del, struct err *e)
{
	_cleanup_close_ int fd = -1;

	if (prefix < 0 || prefix > 32)
		return err_setk(e, ERRK_INVALID_ARG, 0, "%s %s: bad prefix /%d", what, bridge,
				prefix);
	if (bridge_valid(bridge, e) < 0)
		return err_wrap(e, "%s", what);
	if ((fd = script_open(e)) < 0)
		return err_wrap(e, "%s %s", what, bridge);
	lines(fd, decl_sets);
	if (!del)
		lines(fd, decl_chains);
	net_elements(fd, bridge, net, prefix, internal, del);
	if (nft_run(fd, e) < 0)
		return err_wrap(e, "%s %s", what, bridge);
	return 0;
}

int nft_network_add(const char *bridge, struct in_addr net, int prefix, int internal, struct err *e)
{
	return net_script("firewall for network", bridge, net, prefix, internal, 0, e);
}

int nft_network_del(const char *bridge, struct in_addr net, int prefix, struct err *e)
{
	return net_script("remove firewall of network", bridge, net, prefix, 0, 1, e);
}

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	}
	return NULL;
}

static int ports_script(const char *what, struct in_addr ctr_ip, const struct nft_port *p, size_t n,
			int del, struct err *e)
{
	_cleanup_close_ int fd = -1;
	char cip[INET_ADDRSTRLEN], hip[INET_ADDRSTRLEN];

	if (n == 0)
		return 0;
	if ((fd = script_open(e)) < 0)
		return err_wrap(e, "%s", what);
	nl_ip4(ctr_ip, cip);
	/* the sets and maps, so that a delete works on a missing table;
	 * an add needs nft_network_add's chains anyway */
	if (del)
		lines(fd, decl_sets);
	for (size_t i = 0; i < n; i++) {
		const char *proto = proto_name(p[i].proto);
		char el[128];

		if (!proto || !p[i].host_port || !p[i].ctr_port)
			return err_setk(e, ERRK_INVALID_ARG, 0, "%s: bad port %u:%u proto %u", what,
					p[i].host_port, p[i].ctr_port, p[i].proto);
		if (p[i].host_ip.s_addr == htonl(INADDR_ANY)) {
			snprintf(el, sizeof(el), " ports { %s . %u : %s . %u }", proto,
				 p[i].host_port, cip, p[i].ctr_port);
		} else {
			nl_ip4(p[i].host_ip, hip);
			snprintf(el, sizeof(el), " hostports { %s . %s . %u : %s . %u }", hip,
				 proto, p[i].host_port, cip, p[i].ctr_port);
		}
		line(fd, V_ADD_EL, el, -1);
		if (del)
			line(fd, V_DEL_EL, el, -1);
	}
	if (nft_run(fd, e) < 0)
		return err_wrap(e, "%s", what);
	return 0;
}

int nft_ports_add(struct in_addr ctr_ip, const struct nft_port *p, size_t n, struct err *e)
{
	return ports_script("publish ports", ctr_ip, p, n, 0, e);
}

int nft_ports_del(struct in_addr ctr_ip, const struct nft_port *p, size_t n, struct err *e)
{
	return ports_script("unpublish ports", ctr_ip, p, n, 1, e);
}

int nft_remove_all(struct err *e)
{
	_cleanup_close_ int fd = script_open(e);

	if (fd < 0)
		return err_wrap(e, "remove firewall table");
	lines(fd, TABLE "\n" DEL_TABLE "\n");
	if (nft_run(fd, e) < 0)
		return err_wrap(e, "remove firewall table");
	return 0;
}
