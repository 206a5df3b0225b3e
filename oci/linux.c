// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * linux: an OCI spec -> a process in its namespaces, cgroup and root.
 *
 * Process model.  The parent (the runtime or the monitor) clones the init
 * with clone3(CLONE_INTO_CGROUP), or clone() + cgroup.procs on kernels
 * before 5.7.  Only the user and pid namespaces are created by the clone
 * itself: the child first joins the namespaces given by path (user first),
 * then unshares the remaining new ones, so that every namespace ends up
 * owned by the right user namespace and the cgroup namespace is rooted at
 * the container's cgroup.  Parent and child talk over a SOCK_SEQPACKET
 * socketpair; the child reports every failure as {errno, message} and
 * exits; EOF without a message means execve succeeded.
 *
 * Hazards.
 * - musl caches the thread id: after a raw clone the child uses plain
 *   syscalls, snprintf into fixed buffers and no stdio streams, and leaves
 *   with _exit().  Grandchildren (hooks) are made with raw clone too.
 * - Every path inside the rootfs is resolved with oci_open_in_root() and
 *   mounted through /proc/self/fd/N, so a symlink planted in the image
 *   cannot redirect a mount to the host (CVE-2021-30465).
 * - No fd of ours survives execve (CVE-2024-21626): everything is CLOEXEC
 *   and fds from 3 + preserve_fds are marked CLOEXEC before exec; the cwd
 *   is checked to be inside the root.
 * - The child is not dumpable until it execs, and the runtime does not
 *   run the binary's file (CVE-2019-5736, oci/exe.c).
 *
 * The init's filesystem is built by mount.c, its process set up by
 * process.c (shared declarations in linux-internal.h).
 */
#include "oci/linux.h"

#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/log.h"
#include "oci/sys.h"
#include "oci/validate.h"
#include "oci/linux-internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* ---- parent <-> child protocol -------------------------------------- */

enum {
	MSG_GO = 1, /* parent: carry on */
	MSG_CREATED, /* child: namespaces and mounts exist, run hooks */
	MSG_READY, /* child: set up, about to wait for start / exec */
	MSG_ERROR, /* child: failed; errnum + msg */
	MSG_PTY, /* child: the pty master travels as SCM_RIGHTS */
	MSG_STATE_REQ, /* child: send me the state JSON for hooks */
	MSG_STATE, /* parent: here it is (variable length) */
	MSG_SOURCES_REQ, /* child: open the bind sources for me */
	MSG_SOURCE, /* parent's helper: one bind source as SCM_RIGHTS */
	MSG_SECCOMP, /* child: the seccomp listener as SCM_RIGHTS; answer GO */
};

struct sync_msg {
	int32_t type;
	int32_t errnum;
	int32_t kind; /* enum err_kind */
	char msg[512];
};

static int sync_send(int fd, int type, const struct err *e)
{
	struct sync_msg m = { .type = type };

	if (e) {
		m.errnum = e->errnum;
		m.kind = e->kind;
		memcpy(m.msg, e->msg, sizeof(m.msg));
		m.msg[sizeof(m.msg) - 1] = '\0';
	}
	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m) ? 0 : -1;
}

/* Receive one message; *fd_out gets a passed fd (or -1).  Returns the
 * message type, 0 on EOF, -1 on error. */
static int sync_recv(int fd, struct sync_msg *m, int *fd_out)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	if (fd_out)
		*fd_out = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int passed;

			memcpy(&passed, CMSG_DATA(c), sizeof(int));
			if (fd_out)
				*fd_out = passed;
			else
				close(passed);
		}
	}
	if ((size_t)n < 2 * sizeof(int32_t))
		return -1;
	m->msg[sizeof(m->msg) - 1] = '\0';
	return m->type;
}

static int send_fd(int sock, int type, int fd, const char *name)
{
	struct sync_msg m = { .type = type };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	if (name) {
		/* The console socket protocol carries just a name. */
		iov.iov_base = (void *)name;
		iov.iov_len = strlen(name);
	} else {
		iov.iov_base = &m;
		iov.iov_len = sizeof(m);
	}
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* In the child: report e and leave. */
static __attribute__((noreturn)) void child_fail(int sock, const struct err *e)
{
	sync_send(sock, MSG_ERROR, e);
	_exit(127);
}

/* The signals whose disposition is not the default (SigIgn and SigCgt of
 * /proc/self/status, bit N-1 for signal N); all where it cannot be read
 * (a child in a root without /proc). */
static uint64_t signals_set(void)
{
	char buf[2048];
	uint64_t set = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC), found = 0;
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	for (const char *k = buf; (k = strstr(k, "\nSig")); k++) {
		char *end;
		unsigned long long v;

		if (strncmp(k + 4, "Ign:", 4) && strncmp(k + 4, "Cgt:", 4))
			continue;
		v = strtoull(k + 8, &end, 16);
		if (end == k + 8 || *end != '\n')
			return UINT64_MAX;
		set |= v;
		found++;
	}
	return found == 2 ? set : UINT64_MAX;
}

/* The caller may block or ignore signals (the foreground `run` blocks
 * SIGCHLD): a container starts with a clean signal state.  Only the
 * signals not at their default are set (one status read instead of 62
 * sigaction calls, each ~1 us on a paravirtualized kernel). */
void oci_reset_signals(void)
{
	uint64_t set = signals_set();
	sigset_t none;

	sigemptyset(&none);
	for (int sig = 1; sig < _NSIG && sig <= 64; sig++) {
		static const char dfl[64]; /* SIG_DFL, no flags, no mask: all zero in
					    * every architecture's layout */

		if (sig == SIGKILL || sig == SIGSTOP || !(set >> (sig - 1) & 1))
			continue;
		/* libc refuses the signals it keeps for itself (musl's 32-34),
		 * which a caller may still have ignored: the kernel's call */
		if (signal(sig, SIG_DFL) == SIG_ERR)
			syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(_NSIG - 1) / 8);
	}
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- sysctls -------------------------------------------------------- */

static int set_sysctls(const struct oci_spec *s, struct err *e)
{
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		char path[PATH_MAX];
		const char *k = s->linux.sysctl[i].key;
		size_t n;

		if (strstr(k, "..") || strchr(k, '/'))
			return err_set(e, EINVAL, "linux.sysctl: invalid key %s", k);
		n = (size_t)snprintf(path, sizeof(path), "/proc/sys/%s", k);
		for (size_t j = strlen("/proc/sys/"); j < n; j++)
			if (path[j] == '.')
				path[j] = '/';
		if (write_proc(path, s->linux.sysctl[i].value, e) < 0)
			return err_wrap(e, "sysctl %s", k);
	}
	return 0;
}

static int open_pty(const struct oci_process *p, int sock, struct err *e)
{
	_cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	int unlock = 0;

	if (master < 0)
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return err_sys(e, "open /dev/ptmx for the terminal");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return err_sys(e, "unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		unsigned n;
		char path[64];

		if (ioctl(master, TIOCGPTN, &n) < 0)
			return err_sys(e, "get pty number");
		snprintf(path, sizeof(path), "/dev/pts/%u", n);
		slave = open(path, O_RDWR | O_NOCTTY);
		if (slave < 0)
			return err_sys(e, "open %s", path);
	}
	/* The process's own terminal: its uid owns it (runc's
	 * fixStdioPermissions, crun's open_terminal), the group stays
	 * devpts's gid= (tty).  EPERM, EINVAL (the owner or the uid not
	 * mapped in a user namespace) and EROFS leave it as it is, as runc
	 * does. */
	if (p->user.uid != 0 && fchown(slave, p->user.uid, (gid_t)-1) < 0 && errno != EPERM &&
	    errno != EINVAL && errno != EROFS)
		return err_sys(e, "chown the terminal to uid %u", (unsigned)p->user.uid);
	if (p->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };

		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (send_fd(sock, MSG_PTY, master, NULL) < 0)
		return err_sys(e, "send the pty master");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(e, "set controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return err_sys(e, "dup2 pty to fd %d", i);
	return 0;
}

/* Ask the parent for the state JSON, run the hooks of one kind.  Hooks
 * run here are found in the filesystem the child sees at that moment. */
/* The state JSON for hooks of ours (malloc'd, NULL on error), asked of the
 * parent: it knows the pid in its namespace and the bundle.  status is the
 * runtime spec's for the phase: "creating" inside the create operation
 * (createContainer), "created" once it is done (startContainer). */
static char *child_hook_state(int sock, const char *status, struct err *e)
{
	struct err req = { 0 };
	size_t cap = 1 << 16;
	char *json;
	ssize_t n;

	snprintf(req.msg, sizeof(req.msg), "%s", status);
	if (sync_send(sock, MSG_STATE_REQ, &req) < 0) {
		err_sys(e, "ask for the hook state");
		return NULL;
	}
	json = xmalloc(cap);
	do
		n = recv(sock, json, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		free(json);
		err_sys(e, "receive the hook state");
		return NULL;
	}
	json[n] = '\0';
	return json;
}

static int child_hooks(const struct oci_spec *s, enum oci_hook_kind k, const char *json,
		       struct err *e)
{
	for (size_t i = 0; i < s->hooks.n[k]; i++)
		if (oci_hook_run(&s->hooks.list[k][i], json, e) < 0)
			return -1;
	return 0;
}

/* With no_new_privs the filter goes on in exec_process, right before
 * execve, unless something of ours must run under it: the startContainer
 * hooks (the spec and runc run them in the container after the filter), or
 * an agent waits for the listener (runc: just before the exec fifo).  The
 * listener, made here or by finish_process, goes to the parent for the
 * agent.  Returns 1 when the filter is on (exec_process must not load it
 * again), 0 when it is left to exec_process, -1 with e set. */
static int child_seccomp(int sock, const struct oci_process *p, const struct oci_seccomp_prog *b,
			 int hooks, int preserve_fds, struct err *e)
{
	struct sync_msg m;
	int fd;

	if (!b->len)
		return 1;
	if (p->no_new_privileges && !hooks && !(b->flags & OCI_BPF_LISTENER))
		return 0;
	if (p->no_new_privileges) {
		fds_cloexec_from(3 + preserve_fds); /* before: close_range may be refused */
		if (oci_seccomp_load(b, e) < 0)
			return -1;
	}
	fd = oci_seccomp_listener();
	if (fd < 0)
		return 1;
	if (send_fd(sock, MSG_SECCOMP, fd, NULL) < 0)
		return err_sys(e, "send the seccomp listener");
	close(fd);
	if (sync_recv(sock, &m, NULL) != MSG_GO)
		_exit(127);
	return 1;
}

/* ---- the container init --------------------------------------------- */

struct child_args {
	const struct oci_create_opts *o;
	int sock;
	int ns_fds[8]; /* namespaces to join, -1 terminated; user first */
	int ns_types[8];
	int unshare_flags;
	int new_userns;
	int fifo_fd; /* O_PATH fd of the exec fifo, -1 */
	const struct oci_seccomp_prog *bpf;
};

/* With a new user namespace, its root may not reach a bind source that
 * the caller can (a directory on the way only the host's root may
 * search).  As runc 1.1 does, the child asks once its mount namespace
 * exists: a helper of ours, still the host's root, joins that namespace,
 * opens each bind source there (O_PATH: a mount of ours, so the child may
 * bind it) and passes the fds, in the order of the spec's mounts. */
static int count_bind_sources(const struct oci_spec *s)
{
	int n = 0;

	for (size_t i = 0; i < s->n_mounts; i++)
		n += s->mounts[i].bind && s->mounts[i].source;
	return n;
}

static __attribute__((noreturn)) void sources_helper(int sock, pid_t pid, const struct oci_spec *s)
{
	struct err e = { 0 };
	char p[64];
	int ns;

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)pid);
	ns = open(p, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNS) < 0) {
		err_sys(&e, "join the container's mount namespace to open bind sources");
		child_fail(sock, &e);
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		int fd;

		if (!m->bind || !m->source)
			continue;
		fd = open(m->source, O_PATH | O_CLOEXEC);
		if (fd < 0) {
			err_sys(&e, "mount %s: bind source %s", m->destination, m->source);
			child_fail(sock, &e);
		}
		if (send_fd(sock, MSG_SOURCE, fd, NULL) < 0)
			_exit(1);
		close(fd);
	}
	_exit(0);
}

/* In the parent: run the helper, wait for it. */
static int send_bind_sources(int sock, pid_t pid, const struct oci_spec *s, struct err *e)
{
	int status;
	pid_t h = fork();

	if (h < 0)
		return err_sys(e, "fork");
	if (h == 0)
		sources_helper(sock, pid, s);
	while (waitpid(h, &status, 0) < 0 && errno == EINTR)
		;
	return 0; /* a failure reached the child as MSG_ERROR, it reports it */
}

/* In the child: the fds, per spec mount (-1 where none), into fds. */
static int recv_bind_sources(int sock, const struct oci_spec *s, int *fds, struct err *e)
{
	struct sync_msg m;

	if (sync_send(sock, MSG_SOURCES_REQ, NULL) < 0)
		return err_sys(e, "ask for bind sources");
	for (size_t i = 0; i < s->n_mounts; i++) {
		int t;

		fds[i] = -1;
		if (!s->mounts[i].bind || !s->mounts[i].source)
			continue;
		t = sync_recv(sock, &m, &fds[i]);
		if (t == MSG_ERROR) {
			e->errnum = m.errnum;
			e->kind = m.kind;
			memcpy(e->msg, m.msg, sizeof(e->msg));
			return -1;
		}
		if (t != MSG_SOURCE || fds[i] < 0)
			return err_set(e, EPROTO, "bind sources: unexpected message %d", t);
	}
	return 0;
}

/* Bring "lo" up in the network namespace we just made: runc and crun do,
 * and programs that talk to 127.0.0.1 (health checks, local daemons) count
 * on it.  A namespace joined by path is its creator's to configure. */
int oci_loopback_up(struct err *e)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };

	if (fd < 0)
		return err_sys(e, "bring up lo: socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return err_sys(e, "bring up lo: get its flags");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return err_sys(e, "bring up lo");
	return 0;
}

static int join_namespaces(const int *fds, const int *types, struct err *e)
{
	for (int i = 0; fds[i] >= 0; i++)
		if (setns(fds[i], types[i]) < 0)
			return err_sys(e, "join namespace (setns type 0x%x)", types[i]);
	return 0;
}

/* The bind sources of a new user namespace, from the parent's helper
 * (send_bind_sources), into mc->src_fds. */
static void child_bind_sources(const struct child_args *a, struct mount_ctx *mc)
{
	const struct oci_spec *s = a->o->spec;
	struct err e = { 0 };
	int *fds;

	if (!a->new_userns || !(a->unshare_flags & CLONE_NEWNS) || !count_bind_sources(s))
		return;
	fds = xcalloc(s->n_mounts, sizeof(int)); /* kept until execve */
	if (recv_bind_sources(a->sock, s, fds, &e) < 0)
		child_fail(a->sock, &e);
	mc->src_fds = fds;
}

/* A missing cwd is made, as by runc and crun: after the pivot, so a
 * symlink in the path resolves inside the root; before the root may turn
 * read-only. */
static void child_make_cwd(int sock, const struct oci_process *p)
{
	struct err e = { 0 };

	if (p->cwd && *p->cwd && access(p->cwd, F_OK) < 0 && errno == ENOENT &&
	    mkdir_p(p->cwd, 0755, &e) < 0)
		child_fail(sock, &e);
}

/* A session of its own, the time namespace's offsets, the names.
 * oci_validate saw that the uts namespace, new or joined, is not the
 * host's. */
static void child_identity(int sock, const struct oci_spec *s)
{
	struct err e = { 0 };

	if (setsid() < 0) {
		err_sys(&e, "setsid");
		child_fail(sock, &e);
	}
	if (s->linux.has_time_offsets) {
		char v[128];

		snprintf(v, sizeof(v), "monotonic %lld %u\nboottime %lld %u\n",
			 (long long)s->linux.monotonic_secs, s->linux.monotonic_nanosecs,
			 (long long)s->linux.boottime_secs, s->linux.boottime_nanosecs);
		if (write_proc("/proc/self/timens_offsets", v, &e) < 0)
			child_fail(sock, &e);
	}
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
		err_sys(&e, "sethostname %s", s->hostname);
		child_fail(sock, &e);
	}
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0) {
		err_sys(&e, "setdomainname %s", s->domainname);
		child_fail(sock, &e);
	}
}

static __attribute__((noreturn)) void child_main(struct child_args *a)
{
	const struct oci_create_opts *o = a->o;
	const struct oci_spec *s = o->spec;
	const struct oci_process *p = s->process;
	struct mount_ctx mc = { .rootfs = o->rootfs, .cgroup_path = o->cgroup_path };
	struct sync_msg m;
	struct err e = { 0 };
	char exe[PATH_MAX], home[PATH_MAX + 8];
	char *start_state = NULL; /* never freed: execve or _exit */
	int r, filtered;

	/* Die with the parent while it still cares about us. */
	timing_mark("init: cloned");
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	oci_reset_signals();
	r = sync_recv(a->sock, &m, NULL);
	if (r != MSG_GO)
		_exit(127);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	timing_mark("init: signals reset, go");

	if (join_namespaces(a->ns_fds, a->ns_types, &e) < 0)
		child_fail(a->sock, &e);
	if (a->unshare_flags && unshare(a->unshare_flags) < 0) {
		err_sys(&e, "unshare namespaces (flags 0x%x)", a->unshare_flags);
		child_fail(a->sock, &e);
	}
	timing_mark("init: namespaces");
	if (a->new_userns) {
		/* uid 0 of the new namespace (mapped by the parent). */
		if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) {
			err_sys(&e, "become root in the user namespace (is uid/gid 0 mapped?)");
			child_fail(a->sock, &e);
		}
	}
	if ((a->unshare_flags & CLONE_NEWNET) && oci_loopback_up(&e) < 0)
		child_fail(a->sock, &e);
	timing_mark("init: lo up");
	child_identity(a->sock, s);
	mc.new_cgroupns = !!(a->unshare_flags & CLONE_NEWCGROUP);
	mc.userns = a->new_userns || oci_spec_namespace(s, CLONE_NEWUSER);
	child_bind_sources(a, &mc);
	timing_mark("init: setsid, uts, timens");
	if (mnt_prepare_root(&mc, s, &e) < 0)
		child_fail(a->sock, &e);
	timing_mark("init: mounts, /dev");

	/* prestart / createRuntime hooks run in the parent now. */
	if (o->on_created) {
		if (sync_send(a->sock, MSG_CREATED, NULL) < 0 ||
		    sync_recv(a->sock, &m, NULL) != MSG_GO)
			_exit(127);
	}
	if (s->hooks.n[OCI_HOOK_CREATE_CONTAINER]) {
		char *json = child_hook_state(a->sock, "creating", &e);

		if (!json || child_hooks(s, OCI_HOOK_CREATE_CONTAINER, json, &e) < 0)
			child_fail(a->sock, &e);
		free(json);
	}

	timing_mark("init: createRuntime hooks");
	if (do_pivot(o->rootfs, o->no_pivot, &e) < 0)
		child_fail(a->sock, &e);
	close(mc.rootfd);
	timing_mark("init: pivot_root");
	child_make_cwd(a->sock, p);
	/* Before the read-only paths: /proc/sys is usually one of them. */
	if (set_sysctls(s, &e) < 0)
		child_fail(a->sock, &e);
	if (mnt_finish_root(s, &e) < 0)
		child_fail(a->sock, &e);
	if (p->terminal && open_pty(p, a->sock, &e) < 0)
		child_fail(a->sock, &e);
	/* finish_process loads the filter without no_new_privs (close_range
	 * may not pass it); the preserved fds stay open across execve. */
	if (a->bpf->len && !p->no_new_privileges)
		fds_cloexec_from(3 + o->preserve_fds);
	if (finish_process(p, a->bpf, 1, exe, sizeof(exe), home, sizeof(home), &e) < 0)
		child_fail(a->sock, &e);
	timing_mark("init: rlimits, user, caps, seccomp, cwd");

	/* Asked for now: after `create` returned nobody answers. */
	if (s->hooks.n[OCI_HOOK_START_CONTAINER]) {
		start_state = child_hook_state(a->sock, "created", &e);
		if (!start_state)
			child_fail(a->sock, &e);
	}
	filtered = child_seccomp(a->sock, p, a->bpf, s->hooks.n[OCI_HOOK_START_CONTAINER] > 0,
				 o->preserve_fds, &e);
	if (filtered < 0)
		child_fail(a->sock, &e);
	if (a->fifo_fd >= 0) {
		char path[64];
		int fd;

		/* `create` exits once it reads READY: stop dying with it
		 * first, or a slow init is killed by its parent's exit. */
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
		sync_send(a->sock, MSG_READY, NULL);
		/* Blocks until `start` opens the fifo for reading. */
		fdpath(path, sizeof(path), a->fifo_fd);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(127);
		close(fd);
		close(a->fifo_fd);
		if (child_hooks(s, OCI_HOOK_START_CONTAINER, start_state, &e) < 0)
			goto late_fail;
	} else {
		if (child_hooks(s, OCI_HOOK_START_CONTAINER, start_state, &e) < 0)
			child_fail(a->sock, &e);
		sync_send(a->sock, MSG_READY, NULL);
	}
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (exec_process(p, exe, home, filtered ? NULL : a->bpf, o->preserve_fds, &e) < 0) {
		if (a->fifo_fd < 0)
			child_fail(a->sock, &e);
		goto late_fail;
	}
late_fail:
	/* Nobody waits on the socket after `create` returned: say it on the
	 * container's stderr. */
	{
		char buf[700];
		int n = snprintf(buf, sizeof(buf), "nook: %s%s%s\n", e.msg, e.errnum ? ": " : "",
				 e.errnum ? strerror(e.errnum) : "");

		if (n > 0)
			write_all(2, buf, (size_t)n);
	}
	_exit(127);
}

/* ---- parent side ----------------------------------------------------- */

static const struct {
	int type;
	const char *file;
} ns_files[] = {
	/* user first: joining the others needs its capabilities. */
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },    { CLONE_NEWNET, "net" },
	{ CLONE_NEWIPC, "ipc" },   { CLONE_NEWUTS, "uts" },   { CLONE_NEWCGROUP, "cgroup" },
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWTIME, "time" },
};

static int write_idmap(pid_t pid, const char *file, const struct oci_idmap *m, size_t n,
		       struct err *e)
{
	char path[64], buf[4096];
	size_t off = 0;

	for (size_t i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return file_write(path, buf, e);
}

void lnx_reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Clone with CLONE_INTO_CGROUP where the kernel has it.  *in_cgroup says
 * whether the child is already in its cgroup. */
static pid_t clone_child(uint64_t flags, int cgroup_fd, int *in_cgroup, struct err *e)
{
	struct nook_clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
	pid_t pid;

	*in_cgroup = 0;
	if (cgroup_fd >= 0) {
		ca.flags |= NOOK_CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	pid = sys_clone3(&ca);
	if (pid >= 0) {
		*in_cgroup = cgroup_fd >= 0;
		return pid;
	}
	/* ENOSYS: kernel < 5.3 or qemu-user; E2BIG/EINVAL: no
	 * CLONE_INTO_CGROUP (< 5.7). */
	if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
		return err_sys(e, "clone3");
	pid = sys_clone((unsigned long)flags);
	if (pid < 0)
		return err_sys(e, "clone");
	return pid;
}

/* Set our pid_for_children (and time_for_children) to the namespaces the
 * child must be born in; *saved gets fds to restore them. */
static int enter_for_children(int pidns, int timens, int saved[2], struct err *e)
{
	saved[0] = saved[1] = -1;
	if (pidns >= 0) {
		saved[0] = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (saved[0] < 0)
			return err_sys(e, "open /proc/self/ns/pid_for_children");
		if (setns(pidns, CLONE_NEWPID) < 0)
			return err_sys(e, "join pid namespace");
	}
	if (timens >= 0) {
		saved[1] = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
		if (saved[1] < 0)
			return err_sys(e, "open /proc/self/ns/time_for_children");
		if (setns(timens, CLONE_NEWTIME) < 0)
			return err_sys(e, "join time namespace");
	}
	return 0;
}

static void leave_for_children(int saved[2])
{
	if (saved[0] >= 0) {
		setns(saved[0], CLONE_NEWPID);
		close(saved[0]);
	}
	if (saved[1] >= 0) {
		setns(saved[1], CLONE_NEWTIME);
		close(saved[1]);
	}
}

/* Forward a pty master to the caller's console socket. */
static int forward_pty(int console_socket, int master, struct err *e)
{
	if (console_socket < 0) {
		close(master);
		return err_set(e, EINVAL,
			       "process.terminal is set but no --console-socket was given");
	}
	if (send_fd(console_socket, 0, master, "/dev/ptmx") < 0) {
		close(master);
		return err_sys(e, "send the pty master to the console socket");
	}
	close(master);
	return 0;
}

/* Serve the child until it is ready (or has exec'd, or failed). */
static int parent_loop(int sock, pid_t pid, const struct oci_spec *spec, int console_socket,
		       const struct oci_seccomp *sc, int (*on_created)(void *, pid_t, struct err *),
		       char *(*state_json)(void *, pid_t, const char *), void *arg, int want_eof,
		       struct err *e)
{
	for (;;) {
		struct sync_msg m;
		int passed = -1;
		int t = sync_recv(sock, &m, &passed);

		switch (t) {
		case MSG_CREATED:
			if (on_created && on_created(arg, pid, e) < 0)
				return -1;
			if (sync_send(sock, MSG_GO, NULL) < 0)
				return err_sys(e, "sync with container init");
			break;
		case MSG_STATE_REQ: {
			_cleanup_free_ char *js = NULL;

			m.msg[sizeof(m.msg) - 1] = '\0';
			js = state_json ? state_json(arg, pid, m.msg) : xstrdup("{}");

			if (send(sock, js, strlen(js), MSG_NOSIGNAL) < 0)
				return err_sys(e, "send state to container init");
			break;
		}
		case MSG_SOURCES_REQ:
			if (!spec || send_bind_sources(sock, pid, spec, e) < 0)
				return -1;
			break;
		case MSG_PTY:
			if (forward_pty(console_socket, passed, e) < 0)
				return -1;
			break;
		case MSG_SECCOMP: {
			_cleanup_free_ char *js =
				state_json ? state_json(arg, pid, "creating") : NULL;
			_cleanup_close_ int fd = passed;

			if (!sc || fd < 0)
				return err_set(e, EPROTO, "unexpected seccomp listener");
			if (oci_seccomp_send_listener(sc, fd, pid, js, e) < 0)
				return -1;
			if (sync_send(sock, MSG_GO, NULL) < 0)
				return err_sys(e, "sync with container process");
			break;
		}
		case MSG_READY:
			if (!want_eof)
				return 0;
			break;
		case MSG_ERROR:
			e->errnum = m.errnum;
			e->kind = m.kind;
			memcpy(e->msg, m.msg, sizeof(e->msg));
			return -1;
		case 0:
			if (want_eof)
				return 0; /* execve closed the socket */
			return err_set(e, 0, "container init exited during setup");
		default: return err_sys(e, "read from container init");
		}
	}
}

/* What create and exec hold until they return: the namespaces to join,
 * the pid and time namespaces, one more fd (the exec fifo, the root),
 * the socket pair, the filter. */
static void release(const int *ns_fds, int nj, int pidns, int timens, int extra, const int sp[2],
		    struct oci_seccomp_prog *bpf)
{
	const int fds[] = { pidns, timens, extra, sp[0], sp[1] };

	for (int i = 0; i < nj; i++)
		close(ns_fds[i]);
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	oci_seccomp_prog_free(bpf);
}

pid_t oci_linux_create(const struct oci_create_opts *o, struct err *e)
{
	const struct oci_spec *s = o->spec;
	struct child_args a = { .o = o, .fifo_fd = -1 };
	struct oci_seccomp_prog bpf = { 0 };
	int sp[2] = { -1, -1 }, saved[2] = { -1, -1 };
	int pidns = -1, timens = -1, nj = 0, in_cgroup = 0;
	uint64_t flags = 0;
	pid_t pid = -1;

	for (int i = 0; i < 8; i++)
		a.ns_fds[i] = -1;
	if (!s->process)
		return err_set(e, EINVAL, "config.json: process is required");
	if (oci_validate(s, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (path_escapes(s->mounts[i].destination))
			return err_set(
				e, EINVAL,
				"mounts[%zu].destination \"%s\": outside the container's root", i,
				s->mounts[i].destination);

	/* Namespaces: open the ones to join (user first), pick the new ones. */
	for (size_t k = 0; k < ARRAY_SIZE(ns_files); k++) {
		const struct oci_namespace *ns = oci_spec_namespace(s, ns_files[k].type);
		int fd;

		if (!ns)
			continue;
		if (!ns->path || !*ns->path) {
			if (ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWPID)
				flags |= (uint64_t)ns->type;
			else
				a.unshare_flags |= ns->type;
			continue;
		}
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, "open %s namespace %s", ns_files[k].file, ns->path);
			goto fail;
		}
		if (ns->type == CLONE_NEWPID) {
			pidns = fd;
		} else if (ns->type == CLONE_NEWTIME) {
			timens = fd;
		} else {
			a.ns_fds[nj] = fd;
			a.ns_types[nj++] = ns->type;
		}
	}
	a.new_userns = !!(flags & CLONE_NEWUSER);
	/* runc refuses a new user namespace without mappings (crun maps the
	 * caller's ids): we refuse both absent and half given. */
	if (a.new_userns && (!s->linux.n_uid_mappings || !s->linux.n_gid_mappings)) {
		err_set(e, EINVAL, "linux.%s: required with a new user namespace",
			s->linux.n_uid_mappings ? "gidMappings" : "uidMappings");
		goto fail;
	}
	if (s->linux.has_time_offsets && !(a.unshare_flags & CLONE_NEWTIME)) {
		err_set(e, EINVAL, "linux.timeOffsets: needs a new time namespace");
		goto fail;
	}
	if (s->linux.seccomp && oci_seccomp_get(s->linux.seccomp, o->seccomp_cache, &bpf, e) < 0)
		goto fail;
	a.bpf = &bpf;
	timing_mark("seccomp build");
	if (o->exec_fifo) {
		a.fifo_fd = open(o->exec_fifo, O_PATH | O_CLOEXEC);
		if (a.fifo_fd < 0) {
			err_sys(e, "open %s", o->exec_fifo);
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		err_sys(e, "socketpair");
		goto fail;
	}
	if (enter_for_children(pidns, timens, saved, e) < 0) {
		leave_for_children(saved);
		goto fail;
	}
	pid = clone_child(flags, o->cgroup_fd, &in_cgroup, e);
	if (pid == 0) {
		close(sp[0]);
		a.sock = sp[1];
		child_main(&a);
	}
	leave_for_children(saved);
	if (pid < 0)
		goto fail;
	timing_mark("clone");
	close(sp[1]);
	sp[1] = -1;

	if (!in_cgroup && o->cgroup_path && oci_cgroup_enter(o->cgroup_path, pid, e) < 0)
		goto fail_child;
	if (a.new_userns) {
		if (write_idmap(pid, "uid_map", s->linux.uid_mappings, s->linux.n_uid_mappings, e) <
			    0 ||
		    write_idmap(pid, "gid_map", s->linux.gid_mappings, s->linux.n_gid_mappings, e) <
			    0) {
			err_wrap(e, "user namespace mappings");
			goto fail_child;
		}
	}
	if (sync_send(sp[0], MSG_GO, NULL) < 0) {
		err_sys(e, "start container init");
		goto fail_child;
	}
	if (parent_loop(sp[0], pid, s, o->console_socket, s->linux.seccomp, o->on_created,
			o->state_json, o->arg, !o->exec_fifo, e) < 0)
		goto fail_child;
	timing_mark(o->exec_fifo ? "init ready" : "init exec'd");
	goto out;

fail_child:
	lnx_reap(pid);
fail:
	pid = -1;
out:
	release(a.ns_fds, nj, pidns, timens, a.fifo_fd, sp, &bpf);
	return pid;
}

/* ---- exec ------------------------------------------------------------ */

struct exec_child {
	const struct oci_exec_opts *o;
	int sock;
	int root_fd; /* O_PATH of /proc/<init>/root, opened before setns */
	int wait_go; /* cloned without CLONE_INTO_CGROUP: wait to be moved */
	int cgroup_self; /* cgroup.procs to write "0" to, or -1 */
	int ns_fds[8];
	int ns_types[8];
	const struct oci_seccomp_prog *bpf;
};

static __attribute__((noreturn)) void exec_child_main(struct exec_child *a)
{
	const struct oci_process *p = a->o->process;
	struct sync_msg m;
	struct err e = { 0 };
	char exe[PATH_MAX], home[PATH_MAX + 8];
	int r;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	oci_reset_signals();
	/* Not born in the container's cgroup: nothing of the command may run
	 * before we are there (moved by the parent after clone(2), or by
	 * ourselves when the parent waits for our exec). */
	if (a->cgroup_self >= 0) {
		if (write(a->cgroup_self, "0", 1) != 1) {
			err_sys(&e, "join the container's cgroup");
			child_fail(a->sock, &e);
		}
		close(a->cgroup_self);
	}
	if (a->wait_go && sync_recv(a->sock, &m, NULL) != MSG_GO)
		_exit(127);
	timing_mark("exec child: cloned");
	if (join_namespaces(a->ns_fds, a->ns_types, &e) < 0)
		child_fail(a->sock, &e);
	timing_mark("exec child: setns");
	/* setns(CLONE_NEWNS) puts us at the root of the mount namespace,
	 * which is the container's root only if its init could pivot_root.
	 * Where it could not (nook run from a chroot, or without pivot), the
	 * init chrooted into a directory of that namespace: enter the very
	 * directory the init sees as "/", as it is, or we would run in the
	 * host's root. */
	if (fchdir(a->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		err_sys(&e, "enter the container's root");
		child_fail(a->sock, &e);
	}
	close(a->root_fd);
	if (setsid() < 0 && p->terminal) {
		err_sys(&e, "setsid");
		child_fail(a->sock, &e);
	}
	if (p->terminal && open_pty(p, a->sock, &e) < 0)
		child_fail(a->sock, &e);
	if (a->bpf->len && !p->no_new_privileges)
		fds_cloexec_from(3 + a->o->preserve_fds); /* as child_main */
	if (finish_process(p, a->bpf, 1, exe, sizeof(exe), home, sizeof(home), &e) < 0)
		child_fail(a->sock, &e);
	timing_mark("exec child: user, caps, seccomp");
	r = child_seccomp(a->sock, p, a->bpf, 0, a->o->preserve_fds, &e);
	if (r < 0)
		child_fail(a->sock, &e);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	exec_process(p, exe, home, r ? NULL : a->bpf, a->o->preserve_fds, &e);
	child_fail(a->sock, &e);
}

static int exec_child_fn(void *arg)
{
	exec_child_main(arg);
}

/* The exec'd process cloned with CLONE_VM | CLONE_VFORK: it runs in our
 * memory, on a stack of its own, while we sleep until its execve (or its
 * exit), as posix_spawn does.  A fork here copies and write-protects every
 * page table entry of ours, then both sides take a fault on each page they
 * write, and the child's execve tears its copy down again: about 1 ms on a
 * VM.  Only where the child never waits for us (a seccomp listener goes
 * to an agent through us first); the child enters the cgroup itself, as
 * clone(2) cannot place it there.  0: not done, the caller forks. */
static pid_t exec_clone_vm(struct exec_child *a, int cgfd)
{
	pid_t pid;

	if (!NOOK_CLONE_VM || (a->bpf->flags & OCI_BPF_LISTENER) || getenv("NOOK_EXEC_FORK"))
		return 0;
	a->cgroup_self = cgfd >= 0 ? openat(cgfd, "cgroup.procs", O_WRONLY | O_CLOEXEC) : -1;
	if (cgfd >= 0 && a->cgroup_self < 0)
		return 0;
	pid = sys_clone_vm(exec_child_fn, a);
	if (a->cgroup_self >= 0)
		close(a->cgroup_self);
	a->cgroup_self = -1;
	if (pid < 0) {
		log_msg(LOGL_DEBUG, "exec: clone(CLONE_VM): %s: fork", strerror(errno));
		return 0;
	}
	return pid;
}

pid_t oci_linux_exec(const struct oci_exec_opts *o, struct err *e)
{
	struct exec_child a = { .o = o, .root_fd = -1, .cgroup_self = -1 };
	struct oci_seccomp_prog bpf = { 0 };
	int sp[2] = { -1, -1 }, saved[2] = { -1, -1 };
	int pidns = -1, timens = -1, nj = 0, in_cgroup = 0;
	_cleanup_close_ int cgfd = -1;
	pid_t pid = -1;

	for (int i = 0; i < 8; i++)
		a.ns_fds[i] = -1;
	if (!o->process || !o->process->args || !o->process->args[0])
		return err_set(e, EINVAL, "exec: no command given");
	if (oci_apparmor_check(o->process->apparmor_profile, "exec: AppArmor profile", e) < 0)
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(ns_files); k++) {
		char path[64], self[64];
		struct stat st1, st2;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)o->pid, ns_files[k].file);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[k].file);
		if (stat(path, &st1) < 0) {
			if (errno == ENOENT && ns_files[k].type == CLONE_NEWTIME)
				continue; /* kernel without time namespaces */
			err_sys(e, "container process %d", (int)o->pid);
			goto fail;
		}
		/* Joining the namespace we are in is EINVAL for user. */
		if (stat(self, &st2) == 0 && st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err_sys(e, "open %s", path);
			goto fail;
		}
		if (ns_files[k].type == CLONE_NEWPID) {
			pidns = fd;
		} else if (ns_files[k].type == CLONE_NEWTIME) {
			timens = fd;
		} else {
			a.ns_fds[nj] = fd;
			a.ns_types[nj++] = ns_files[k].type;
		}
	}
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/root", (int)o->pid);
		a.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (a.root_fd < 0) {
			err_sys(e, "container process %d: open %s", (int)o->pid, path);
			goto fail;
		}
	}
	if (o->seccomp && oci_seccomp_get(o->seccomp, o->seccomp_cache, &bpf, e) < 0)
		goto fail;
	a.bpf = &bpf;
	timing_mark("exec: seccomp build");
	if (o->cgroup_path) {
		cgfd = open(o->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cgfd < 0) {
			err_sys(e, "open cgroup %s", o->cgroup_path);
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		err_sys(e, "socketpair");
		goto fail;
	}
	if (enter_for_children(pidns, timens, saved, e) < 0) {
		leave_for_children(saved);
		goto fail;
	}
	timing_mark("exec: namespaces opened");
	a.sock = sp[1];
	pid = exec_clone_vm(&a, cgfd);
	if (pid == 0) {
		pid = clone_child(0, cgfd, &in_cgroup, e);
		if (pid == 0) {
			close(sp[0]);
			a.wait_go = !in_cgroup && cgfd >= 0;
			exec_child_main(&a);
		}
	} else {
		in_cgroup = 1; /* the child moved itself */
	}
	leave_for_children(saved);
	if (pid < 0)
		goto fail;
	close(sp[1]);
	sp[1] = -1;
	if (!in_cgroup && cgfd >= 0) {
		if (oci_cgroup_enter(o->cgroup_path, pid, e) < 0)
			goto fail_child;
		if (sync_send(sp[0], MSG_GO, NULL) < 0) {
			err_sys(e, "start the exec'd process");
			goto fail_child;
		}
	}
	if (parent_loop(sp[0], pid, NULL, o->console_socket, o->seccomp, NULL, NULL, NULL, 1, e) <
	    0)
		goto fail_child;
	timing_mark("exec: process exec'd");
	goto out;

fail_child:
	lnx_reap(pid);
fail:
	pid = -1;
out:
	release(a.ns_fds, nj, pidns, timens, a.root_fd, sp, &bpf);
	return pid;
}

/* ---- foreground ------------------------------------------------------ */

/* Foreground run/exec: forward signals to the process, relay its
 * terminal when we hold the pty master (pty >= 0), reap it, return its
 * code (128+N for a signal, like a shell).  The caller has SIGCHLD
 * blocked since before the clone, so no exit is lost. */
int oci_linux_wait(pid_t pid, int pty)
{
	struct termios saved;
	int raw = 0, st = 0, sfd, in_open = 1;
	sigset_t all;
	char buf[4096];

	oci_exe_release(); /* the process has exec'd: off the start's path */

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (pty >= 0 && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;
		struct winsize ws;

		cfmakeraw(&t);
		raw = tcsetattr(0, TCSANOW, &t) == 0;
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(pty, TIOCSWINSZ, &ws);
	}
	for (;;) {
		struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
				       { .fd = pty, .events = POLLIN },
				       { .fd = in_open && pty >= 0 ? 0 : -1, .events = POLLIN } };
		struct signalfd_siginfo si;
		ssize_t n;

		if (poll(p, 3, -1) < 0)
			continue;
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(pty, buf, sizeof(buf));
			if (n > 0)
				write_all(1, buf, (size_t)n);
			else if (n <= 0 && errno != EINTR && errno != EAGAIN)
				pty = -1; /* EIO: the last slave closed */
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			n = read(0, buf, sizeof(buf));
			if (n > 0)
				write_all(pty, buf, (size_t)n);
			else
				in_open = 0;
		}
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && pty >= 0) {
			struct winsize ws;

			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(pty, TIOCSWINSZ, &ws);
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(pid, (int)si.ssi_signo);
			continue;
		}
		/* Reap every child; ours decides. */
		for (pid_t r; (r = waitpid(-1, &st, WNOHANG)) > 0;)
			if (r == pid)
				goto done;
	}
done:
	/* Drain what the process wrote last. */
	while (pty >= 0) {
		struct pollfd p = { .fd = pty, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 0) <= 0 || (n = read(pty, buf, sizeof(buf))) <= 0)
			break;
		write_all(1, buf, (size_t)n);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* For a foreground terminal without --console-socket we are the console
 * socket's other end: a socketpair whose far end receives the master. */
int oci_linux_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], data[64];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) < 0)
		return -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ---- start ----------------------------------------------------------- */

int oci_linux_start(const char *exec_fifo, pid_t pid, uint64_t pid_start, struct err *e)
{
	_cleanup_close_ int fd = open(exec_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char b;

	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, 0, "cannot start an already running container");
		return err_sys(e, "open %s", exec_fifo);
	}
	for (;;) {
		/* The init opens the fifo for writing (it blocked until we
		 * opened it for reading) and writes one byte.  Poll with a
		 * bounded wait so a dead init is noticed. */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 100);

		if (r > 0 && read(fd, &b, 1) == 1)
			break;
		if (r < 0 && errno != EINTR)
			return err_sys(e, "poll %s", exec_fifo);
		if (!proc_running(pid, pid_start))
			return err_set(e, 0, "cannot start a container that has stopped");
		if (r > 0) {
			/* POLLHUP before the writer wrote: a moment. */
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	unlink(exec_fifo);
	return 0;
}
