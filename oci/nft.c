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

/* The scripts' declarations are kept in short: in decl_sets and
 * decl_chains a byte from 1 to 31 but '\n' stands for a word of words[]
 * (its macro below), which put() writes out in full: nft reads the same
 * script, the binary holds it in less room. */
/* clang-format off */
static const char words[] = "add set " T " \0"		/* 1 */
			    "add map " T " \0"		/* 2 */
			    "add chain " T " \0"	/* 3 */
			    "flush chain " T " \0"	/* 4 */
			    "add rule " T " \0"		/* 5 */
			    "published\0"		/* 6 */
			    "prerouting\0"		/* 7 */
			    "postrouting\0"		/* 8 */
			    "forward\0"			/* 9 */
			    "\0"			/* 10: '\n' */
			    "output\0"			/* 11 */
			    " { type \0"		/* 12 */
			    " hook \0"			/* 13 */
			    " priority \0"		/* 14 */
			    "; policy accept; }\0"	/* 15 */
			    "ipv4_addr\0"		/* 16 */
			    "inet_service\0"		/* 17 */
			    "ifname\0"			/* 18 */
			    "@bridges\0"		/* 19 */
			    "iifname \0"		/* 20 */
			    "oifname \0"		/* 21 */
			    " masquerade\0"		/* 22 */
			    "ct status dnat \0"		/* 23 */
			    "ip saddr \0"		/* 24 */
			    "fib daddr type local jump published\0" /* 25 */
			    "meta l4proto . th dport map @\0"	    /* 26 */
			    " accept\0"			/* 27 */
			    " drop\0"			/* 28 */
			    "inet_proto";		/* 29 */
#define ADD_SET "\001"
#define ADD_MAP "\002"
#define ADD_CHAIN "\003"
#define FLUSH "\004"
#define RULE "\005"
#define PUB "\006"
#define PRE "\007"
#define POST "\010"
#define FWD "\011"
#define OUTPUT "\013"
#define TYPE "\014"
#define HOOK "\015"
#define PRIO "\016"
#define POLICY "\017"
#define IPV4 "\020"
#define SERVICE "\021"
#define IFNAME "\022"
#define BRIDGES "\023"
#define IIF "\024"
#define OIF "\025"
#define MASQ "\026"
#define CTDNAT "\027"
#define SADDR "\030"
#define FIB "\031"
#define L4MAP "\032"
#define ACCEPT "\033"
#define DROP "\034"
#define PROTO "\035"

/* The table, its sets and maps: what every script needs. */
static const char decl_sets[] =
	"add table " T "\n"
	ADD_SET "nets" TYPE IPV4 "; flags interval; }\n"
	ADD_SET "bridges" TYPE IFNAME "; }\n"
	ADD_SET "internal" TYPE IFNAME "; }\n"
	ADD_SET "self" TYPE IFNAME " . " IFNAME "; }\n"
	ADD_MAP "ports" TYPE PROTO " . " SERVICE " : " IPV4 " . " SERVICE "; }\n"
	ADD_MAP "hostports" TYPE IPV4 " . " PROTO " . " SERVICE " : " IPV4 " . " SERVICE "; }\n";

/* The chains and their rules (see the header). */
static const char decl_chains[] =
	ADD_CHAIN PUB "\n"
	ADD_CHAIN PRE TYPE "nat" HOOK PRE PRIO "dstnat" POLICY "\n"
	ADD_CHAIN OUTPUT TYPE "nat" HOOK OUTPUT PRIO "-100" POLICY "\n"
	ADD_CHAIN POST TYPE "nat" HOOK POST PRIO "srcnat" POLICY "\n"
	ADD_CHAIN FWD TYPE "filter" HOOK FWD PRIO "filter" POLICY "\n"
	FLUSH PUB "\n"
	FLUSH PRE "\n"
	FLUSH OUTPUT "\n"
	FLUSH POST "\n"
	FLUSH FWD "\n"
	RULE PUB " dnat ip to ip daddr . " L4MAP "hostports\n"
	RULE PUB " dnat ip to " L4MAP "ports\n"
	RULE PRE " " IIF "!= \"lo\" ip daddr 127.0.0.0/8" DROP "\n"
	RULE PRE " " FIB "\n"
	RULE OUTPUT " " FIB "\n"
	RULE POST " " SADDR "@nets " OIF "!= " BRIDGES MASQ "\n"
	RULE POST " " OIF BRIDGES " " CTDNAT SADDR "127.0.0.0/8" MASQ "\n"
	RULE POST " " OIF BRIDGES " " CTDNAT SADDR "@nets" MASQ "\n"
	RULE FWD " ct state established,related" ACCEPT "\n"
	RULE FWD " " IIF ". " OIF "@self" ACCEPT "\n"
	RULE FWD " " IIF "@internal" DROP "\n"
	RULE FWD " " OIF "@internal" DROP "\n"
	RULE FWD " " CTDNAT "accept\n"
	RULE FWD " " IIF BRIDGES " " OIF BRIDGES DROP "\n";
/* clang-format on */

/* Write s to fd with its words in full (through a buffer: one write for
 * every 256 bytes or so). */
static void put(int fd, const char *s)
{
	char buf[256];
	size_t n = 0;

	for (;; s++) {
		const char *w = s;
		size_t len = 1;

		if (*s > 0 && *s < ' ' && *s != '\n') {
			for (w = words, len = (size_t)*s; --len;)
				w += strlen(w) + 1;
			len = strlen(w);
		}
		if (!*s || n + len > sizeof(buf)) {
			write_all(fd, buf, n);
			n = 0;
		}
		if (!*s)
			return;
		memcpy(buf + n, w, len);
		n += len;
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

/* An element added; del: added and deleted (see the header). */
static void element(int fd, const char *el, int del)
{
	dprintf(fd, "add element " T " %s\n", el);
	if (del)
		dprintf(fd, "delete element " T " %s\n", el);
}

/* The elements of one network; del: each as an add/delete pair; prefix
 * -1: not the subnet's. */
static void net_elements(int fd, const char *bridge, struct in_addr net, int prefix, int internal,
			 int del)
{
	uint32_t mask = prefix > 0 ? ~0U << (32 - prefix) : 0;
	struct in_addr a = { .s_addr = net.s_addr & htonl(mask) };
	char ip[INET_ADDRSTRLEN];
	char el[4][64];

	nl_ip4(a, ip);
	snprintf(el[0], sizeof(el[0]), "nets { %s/%d }", ip, prefix);
	snprintf(el[1], sizeof(el[1]), "bridges { \"%s\" }", bridge);
	snprintf(el[2], sizeof(el[2]), "self { \"%s\" . \"%s\" }", bridge, bridge);
	snprintf(el[3], sizeof(el[3]), "internal { \"%s\" }", bridge);
	for (int i = prefix < 0; i < 4; i++)
		if (del || i < 3 || internal)
			element(fd, el[i], del);
}

static int net_script(const char *what, const char *bridge, struct in_addr net, int prefix,
		      int internal, int del, struct err *e)
{
	_cleanup_close_ int fd = -1;

	if (prefix < -del || prefix > 32) /* a delete's -1: no subnet */
		return err_setk(e, ERRK_INVALID_ARG, 0, "%s %s: bad prefix /%d", what, bridge,
				prefix);
	if (bridge_valid(bridge, e) < 0)
		return err_wrap(e, "%s", what);
	if ((fd = script_open(e)) < 0)
		return err_wrap(e, "%s %s", what, bridge);
	put(fd, decl_sets);
	if (!del)
		put(fd, decl_chains);
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
		put(fd, decl_sets);
	for (size_t i = 0; i < n; i++) {
		const char *proto = proto_name(p[i].proto);
		char el[128];

		if (!proto || !p[i].host_port || !p[i].ctr_port)
			return err_setk(e, ERRK_INVALID_ARG, 0, "%s: bad port %u:%u proto %u", what,
					p[i].host_port, p[i].ctr_port, p[i].proto);
		if (p[i].host_ip.s_addr == htonl(INADDR_ANY)) {
			snprintf(el, sizeof(el), "ports { %s . %u : %s . %u }", proto,
				 p[i].host_port, cip, p[i].ctr_port);
		} else {
			nl_ip4(p[i].host_ip, hip);
			snprintf(el, sizeof(el), "hostports { %s . %s . %u : %s . %u }", hip, proto,
				 p[i].host_port, cip, p[i].ctr_port);
		}
		element(fd, el, del);
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
	put(fd, "add table " T "\ndelete table " T "\n");
	if (nft_run(fd, e) < 0)
		return err_wrap(e, "remove firewall table");
	return 0;
}
