// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-nft: oci/nft against the kernel, with real traffic.  Needs root, the
 * nft and ip programs, and network namespaces (not under qemu-user): each
 * missing piece skips, saying so.  Everything runs in a network namespace
 * the test makes first (nftables rulesets are per namespace: the host's is
 * never touched) and two more that children hold:
 *
 *   client ns  eth0 192.0.2.2/24 ----- vw0 192.0.2.1/24   this ns ("host")
 *                                      nook9 10.98.0.1/24 (bridge)
 *   ctr ns     eth0 10.98.0.2/24 ----- vc0 (port of nook9)
 *
 * Servers answer with the address they saw the peer come from, so the
 * test sees DNAT (it reached the container) and masquerade (which source).
 * All namespaces die with the processes: nothing to clean up on the host.
 */
#define UNIT_NAME "test-nft"
#include "tests/unit/unit.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "oci/nft.h"

static char skip_why[160];
static int self_ns = -1, ctr_ns = -1, cli_ns = -1;
static pid_t ctr_pid, cli_pid, srv_pids[2];
static struct in_addr ctr_ip, bridge_net;

static struct in_addr ip4(const char *s)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, s, &a);
	return a;
}

/* A command line through sh in the namespace of the calling thread;
 * its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The output of a command (caller frees). */
static char *run_out(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	size_t n;

	if (!f) {
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	pclose(f);
	return buf;
}

/* A child that holds a new network namespace until killed; its ns fd. */
static int ns_holder(pid_t *pid)
{
	int p[2];
	char c;
	char path[64];

	if (pipe(p) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		close(p[0]);
		c = unshare(CLONE_NEWNET) == 0 ? 'y' : 'n';
		if (write(p[1], &c, 1) != 1 || c != 'y')
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (*pid < 0 || read(p[0], &c, 1) != 1 || c != 'y') {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)*pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int enter(int ns)
{
	return setns(ns, CLONE_NEWNET);
}

/* Serve in a child: a TCP connection gets "<peer ip>", so does a UDP
 * datagram. */
static pid_t serve(int tcp, int udp)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (;;) {
		struct pollfd pf[2] = { { tcp, POLLIN, 0 }, { udp, POLLIN, 0 } };
		struct sockaddr_in peer;
		socklen_t sl = sizeof(peer);
		char buf[64], ip[INET_ADDRSTRLEN];
		int c;

		if (poll(pf, udp >= 0 ? 2 : 1, -1) < 0)
			continue;
		if (pf[0].revents & POLLIN) {
			c = accept(tcp, (struct sockaddr *)&peer, &sl);
			if (c >= 0) {
				inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
				if (write(c, ip, strlen(ip)) < 0)
					_exit(1);
				close(c);
			}
		}
		if (udp >= 0 && (pf[1].revents & POLLIN)) {
			sl = sizeof(peer);
			if (recvfrom(udp, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &sl) >=
			    0) {
				inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
				sendto(udp, ip, strlen(ip), 0, (struct sockaddr *)&peer, sl);
			}
		}
	}
}

static int listener(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 8) < 0))
		return -1;
	return fd;
}

/* Ask a server at ip:port over TCP (udp 0) or UDP, within 2 s.  0 and its
 * answer in out, or -errno (ETIMEDOUT when nothing came). */
static int ask(int udp, const char *ip, uint16_t port, char *out, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	_cleanup_close_ int fd =
		socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	struct pollfd pf = { fd, POLLIN, 0 };
	socklen_t sl = sizeof(int);
	int soerr = 0;
	ssize_t n;

	a.sin_addr = ip4(ip);
	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		return -errno;
	if (udp && send(fd, "?", 1, 0) < 0)
		return -errno;
	if (!udp) {
		struct pollfd po = { fd, POLLOUT, 0 };

		if (poll(&po, 1, 2000) <= 0)
			return -ETIMEDOUT;
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr)
			return -soerr;
	}
	if (poll(&pf, 1, 2000) <= 0)
		return -ETIMEDOUT;
	n = recv(fd, out, len - 1, 0);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/* ask() from the namespace ns (-1: this one). */
static int ask_from(int ns, int udp, const char *ip, uint16_t port, char *out, size_t len)
{
	int r;

	if (ns >= 0 && enter(ns) < 0)
		return -errno;
	r = ask(udp, ip, port, out, len);
	if (ns >= 0)
		enter(self_ns);
	return r;
}

/* A refused connection: under qemu-user a MIPS build gets the host's
 * ECONNREFUSED (111) through SO_ERROR, not MIPS's own (146). */
static int refused(int rc)
{
#if defined(__mips__)
	if (rc == -111)
		return 1;
#endif
	return rc == -ECONNREFUSED;
}

static char *table(void)
{
	return run_out("nft list table inet nook 2>&1");
}

/* ---- the tests, in order: each one builds on the one before ---------- */

static void test_network_add(void)
{
	struct err e = { 0 };
	_cleanup_free_ char *t = NULL;
	_cleanup_free_ char *t2 = NULL;

	CHECK(nft_network_add("nook9", bridge_net, 24, 0, &e) == 0);
	t = table();
	CHECK_HAS(t, "10.98.0.0/24");
	CHECK_HAS(t, "\"nook9\" . \"nook9\"");
	CHECK_HAS(t, "masquerade");
	/* again: the same table, the rules not doubled */
	CHECK(nft_network_add("nook9", bridge_net, 24, 0, &e) == 0);
	t2 = table();
	CHECK_STR(t2, t);
	/* names go into a script: refused before nft sees them */
	CHECK(nft_network_add("nook\"x", bridge_net, 24, 0, &e) < 0);
	CHECK(e.kind == ERRK_INVALID_ARG);
	CHECK(nft_network_add("nook9", bridge_net, 33, 0, &e) < 0);
}

static const struct nft_port ports[] = {
	{ .host_port = 8080, .ctr_port = 80, .proto = IPPROTO_TCP },
	{ .host_port = 5353, .ctr_port = 53, .proto = IPPROTO_UDP },
	{ .host_port = 8081, .ctr_port = 80, .proto = IPPROTO_TCP },
};

static void test_ports_add(void)
{
	struct nft_port p[3];
	struct err e = { 0 };
	_cleanup_free_ char *t = NULL;

	memcpy(p, ports, sizeof(p));
	p[2].host_ip = ip4("127.0.0.1");
	CHECK(nft_ports_add(ctr_ip, p, 3, &e) == 0);
	CHECK(nft_ports_add(ctr_ip, p, 0, &e) == 0);
	t = table();
	CHECK_HAS(t, "tcp . 8080 : 10.98.0.2 . 80");
	CHECK_HAS(t, "udp . 5353 : 10.98.0.2 . 53");
	CHECK_HAS(t, "127.0.0.1 . tcp . 8081 : 10.98.0.2 . 80");
	/* the same host port for another address: refused, nothing changed */
	p[0].ctr_port = 81;
	CHECK(nft_ports_add(ip4("10.98.0.3"), p, 1, &e) < 0);
	CHECK_HAS(e.msg, "publish ports: nft: ");
	CHECK_HAS(e.msg, "File exists");
}

static void test_traffic(void)
{
	char a[64];

	/* the host to its bridge's address: DNAT in output */
	CHECK(ask_from(-1, 0, "10.98.0.1", 8080, a, sizeof(a)) == 0);
	CHECK_STR(a, "10.98.0.1");
	CHECK(ask_from(-1, 1, "10.98.0.1", 5353, a, sizeof(a)) == 0);
	CHECK_STR(a, "10.98.0.1");
	/* the host to 127.0.0.1:8081: route_localnet, then masquerade */
	CHECK(ask_from(-1, 0, "127.0.0.1", 8081, a, sizeof(a)) == 0);
	CHECK_STR(a, "10.98.0.1");
	/* a client outside: DNAT in prerouting, forwarded, its own address */
	CHECK(ask_from(cli_ns, 0, "192.0.2.1", 8080, a, sizeof(a)) == 0);
	CHECK_STR(a, "192.0.2.2");
	CHECK(ask_from(cli_ns, 1, "192.0.2.1", 5353, a, sizeof(a)) == 0);
	CHECK_STR(a, "192.0.2.2");
	/* ...but not to a port published on 127.0.0.1 only */
	CHECK(refused(ask_from(cli_ns, 0, "192.0.2.1", 8081, a, sizeof(a))));
	/* the container out: masqueraded (the client has no route back to
	 * 10.98.0.0/24) */
	CHECK(ask_from(ctr_ns, 0, "192.0.2.2", 7, a, sizeof(a)) == 0);
	CHECK_STR(a, "192.0.2.1");
}

/* board/openwrt's fw4 include in a stand-in for fw4's table (its forward
 * chain drops what no zone accepts): published ports and the way out
 * still work; without the include they do not. */
static void test_fw4_include(void)
{
	char inc[4096], a[64];
	int r[3] = { -1, -1, -1 };

	CHECK(realpath("board/openwrt/nook/files/nook-fw4.nft", inc));
	CHECK(sh("printf 'table inet fw4 {\\n chain forward {\\n type filter hook forward "
		 "priority filter; policy drop;\\n include \"%s\"\\n"
		 " ct state established,related accept\\n }\\n}\\n' | nft -f -",
		 inc) == 0);
	/* measured first, checked once the stand-in is gone again */
	r[0] = ask_from(cli_ns, 0, "192.0.2.1", 8080, a, sizeof(a));
	r[1] = ask_from(ctr_ns, 0, "192.0.2.2", 7, a, sizeof(a));
	if (sh("nft flush chain inet fw4 forward") == 0)
		r[2] = ask_from(cli_ns, 0, "192.0.2.1", 8080, a, sizeof(a));
	CHECK(sh("nft delete table inet fw4") == 0);
	CHECK(r[0] == 0);
	CHECK(r[1] == 0);
	CHECK(r[2] == -ETIMEDOUT);
}

static void test_ports_del(void)
{
	struct nft_port p[3];
	struct err e = { 0 };
	_cleanup_free_ char *t = NULL;
	char a[64];

	memcpy(p, ports, sizeof(p));
	p[2].host_ip = ip4("127.0.0.1");
	CHECK(nft_ports_del(ctr_ip, p, 3, &e) == 0);
	t = table();
	CHECK(!strstr(t, "8080"));
	CHECK(!strstr(t, "5353"));
	CHECK(!strstr(t, "8081"));
	/* twice: a teardown after a crash */
	CHECK(nft_ports_del(ctr_ip, p, 3, &e) == 0);
	CHECK(refused(ask_from(-1, 0, "10.98.0.1", 8080, a, sizeof(a))));
	CHECK(refused(ask_from(cli_ns, 0, "192.0.2.1", 8080, a, sizeof(a))));
	CHECK(refused(ask_from(-1, 0, "127.0.0.1", 8081, a, sizeof(a))));
	/* the container still gets out */
	CHECK(ask_from(ctr_ns, 0, "192.0.2.2", 7, a, sizeof(a)) == 0);
}

static void test_internal(void)
{
	struct err e = { 0 };
	char a[64];

	CHECK(nft_network_del("nook9", bridge_net, 24, &e) == 0);
	CHECK(nft_network_add("nook9", bridge_net, 24, 1, &e) == 0);
	CHECK(nft_ports_add(ctr_ip, ports, 1, &e) == 0);
	/* nothing in or out, published or not */
	CHECK(ask_from(ctr_ns, 0, "192.0.2.2", 7, a, sizeof(a)) == -ETIMEDOUT);
	CHECK(ask_from(cli_ns, 0, "192.0.2.1", 8080, a, sizeof(a)) == -ETIMEDOUT);
	/* the host itself still reaches it (that is not forwarding) */
	CHECK(ask_from(-1, 0, "10.98.0.1", 8080, a, sizeof(a)) == 0);
	CHECK(nft_ports_del(ctr_ip, ports, 1, &e) == 0);
}

static void test_network_del(void)
{
	struct err e = { 0 };
	_cleanup_free_ char *t = NULL;
	_cleanup_free_ char *rs = NULL;

	/* prefix -1 (a subnet not known): the bridge's elements only */
	CHECK(nft_network_del("nook9", bridge_net, -1, &e) == 0);
	t = table();
	CHECK(!strstr(t, "nook9"));
	CHECK(strstr(t, "10.98.0.0") != NULL);
	free(t);
	CHECK(nft_network_del("nook9", bridge_net, 24, &e) == 0);
	CHECK(nft_network_del("nook9", bridge_net, 24, &e) == 0);
	t = table();
	CHECK(!strstr(t, "nook9"));
	CHECK(!strstr(t, "10.98.0.0"));
	CHECK(nft_remove_all(&e) == 0);
	rs = run_out("nft list ruleset 2>&1");
	CHECK_STR(rs, "");
	/* twice, and the deletes on a missing table */
	CHECK(nft_remove_all(&e) == 0);
	CHECK(nft_ports_del(ctr_ip, ports, 3, &e) == 0);
	CHECK(nft_network_del("nook9", bridge_net, 24, &e) == 0);
	CHECK(nft_remove_all(&e) == 0);
}

/* With no nft anywhere (a tmpfs over /usr/sbin in a mount namespace of
 * a child, PATH without it): the error says so. */
static void test_not_installed(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		struct err e = { 0 };

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/usr/sbin", "tmpfs", 0, NULL) < 0)
			_exit(2);
		setenv("PATH", "/nonexistent", 1);
		if (nft_ports_add(ctr_ip, ports, 1, &e) == 0)
			_exit(3);
		_exit(strcmp(e.msg, "publish ports: the nft program (nftables) is not installed") ==
					      0 &&
				      e.kind == ERRK_DEPENDENCY
			      ? 0
			      : 4);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- setup ----------------------------------------------------------- */

static int setup(void)
{
	int t, u;

	if (geteuid() != 0)
		return snprintf(skip_why, sizeof(skip_why), "needs root"), -1;
	if (sh("nft --version >/dev/null 2>&1") != 0)
		return snprintf(skip_why, sizeof(skip_why), "the nft program is not installed"), -1;
	if (sh("ip -V >/dev/null 2>&1") != 0)
		return snprintf(skip_why, sizeof(skip_why), "the ip program is not installed"), -1;
	/* qemu-user (make cross-check) refuses namespaces */
	if (unshare(CLONE_NEWNET) < 0)
		return snprintf(skip_why, sizeof(skip_why), "unshare(CLONE_NEWNET): %s",
				strerror(errno)),
		       -1;
	self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ctr_ns = ns_holder(&ctr_pid);
	cli_ns = ns_holder(&cli_pid);
	if (self_ns < 0 || ctr_ns < 0 || cli_ns < 0)
		goto fail;
	if (sh("ip link set lo up && ip link add nook9 type bridge && "
	       "ip addr add 10.98.0.1/24 dev nook9 && ip link set nook9 up && "
	       "ip link add vc0 type veth peer name eth0 netns %d && "
	       "ip link set vc0 master nook9 up && "
	       "ip link add vw0 type veth peer name eth0 netns %d && "
	       "ip addr add 192.0.2.1/24 dev vw0 && ip link set vw0 up",
	       (int)ctr_pid, (int)cli_pid) != 0)
		goto fail;
	if (file_write("/proc/sys/net/ipv4/ip_forward", "1", NULL) < 0 ||
	    file_write("/proc/sys/net/ipv4/conf/nook9/route_localnet", "1", NULL) < 0)
		goto fail;
	if (enter(ctr_ns) < 0 ||
	    sh("ip link set lo up && ip addr add 10.98.0.2/24 dev eth0 && ip link set eth0 up && "
	       "ip route add default via 10.98.0.1") != 0)
		goto fail;
	t = listener(SOCK_STREAM, 80);
	u = listener(SOCK_DGRAM, 53);
	if (t < 0 || u < 0)
		goto fail;
	srv_pids[0] = serve(t, u);
	close(t);
	close(u);
	if (enter(cli_ns) < 0 ||
	    sh("ip link set lo up && ip addr add 192.0.2.2/24 dev eth0 && ip link set eth0 up") !=
		    0)
		goto fail;
	t = listener(SOCK_STREAM, 7);
	if (t < 0)
		goto fail;
	srv_pids[1] = serve(t, -1);
	close(t);
	if (enter(self_ns) < 0)
		goto fail;
	ctr_ip = ip4("10.98.0.2");
	bridge_net = ip4("10.98.0.0");
	return 0;
fail:
	snprintf(skip_why, sizeof(skip_why), "setting up the namespaces failed");
	return -2;
}

static void teardown(void)
{
	pid_t pids[] = { srv_pids[0], srv_pids[1], ctr_pid, cli_pid };

	for (size_t i = 0; i < ARRAY_SIZE(pids); i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
}

int main(void)
{
	static const char *names[] = { "test_network_add", "test_ports_add",	"test_traffic",
				       "test_fw4_include", "test_ports_del",	"test_internal",
				       "test_network_del", "test_not_installed" };
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	r = setup();
	if (r < 0) {
		teardown();
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			printf(r == -1 ? "ok - %s: %s # SKIP optional: %s\n"
				       : "not ok - %s: %s: %s\n",
			       UNIT_NAME, names[i], skip_why);
		return r == -1 ? 0 : 1;
	}
	RUN(test_network_add);
	RUN(test_ports_add);
	RUN(test_traffic);
	RUN(test_fw4_include);
	RUN(test_ports_del);
	RUN(test_internal);
	RUN(test_network_del);
	RUN(test_not_installed);
	teardown();
	UNIT_EXIT();
}
