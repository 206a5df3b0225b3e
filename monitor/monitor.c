// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monitor: the per-container monitor (conmon's flow, libubox's size).
 *
 * monitor_spawn() forks; the child calls setsid() and forks the monitor,
 * then exits, so the monitor is reparented to init (or procd) and outlives
 * the CLI.  The monitor closes every fd it inherited (the caller's flock on
 * the container's lock must not live on in it), becomes a child subreaper,
 * optionally re-executes the binary (`nook __monitor ...`, monitor_main(),
 * through a read-only bind mount of it) for a small address space whose
 * code pages all monitors share, creates the container through oci/, reports
 * {init pid | errno + message} through a pipe and serves one poll() loop:
 *
 *   signalfd(SIGCHLD) -> reap; the init's status ends the loop
 *   stdout/stderr pipes or the pty master -> ctr.log + attach clients
 *   the attach socket -> clients; their STDIN frames -> the stdin pipe/pty
 *
 * Invariants.  The monitor never blocks on a peer: container output is
 * read as it comes, clients get non-blocking sends and are dropped when
 * their buffer is full, stdin is buffered (bounded) and the clients are not
 * read while it is full.  Once the init died, what is left of the output
 * is drained for at most DRAIN_MS; whatever still runs in the cgroup is
 * the business of `nook cleanup` (the exit command).  Log records are
 * complete before the exit file appears, so a reader that sees the exit
 * file and drains the log has everything.
 *
 * The log writer (log.c) and the frame codec (attach.c) run in the loop
 * too; exitfile.c writes the exit file.  internal.h is what they share.
 */
#include "monitor/internal.h"
#include "oci/alloc.h"

#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/criu.h"
#include "oci/devcg.h"
#include "oci/linux.h"
#include "oci/log.h"
#include "oci/spec.h"
#include "oci/sys.h"

#define CLIENTS_MAX 16 /* attach clients at once */
#define CLIENT_OUT_MAX (256 * 1024) /* a client further behind is dropped */
#define STDIN_BUF 8192
#define DRAIN_MS 500 /* output still read after the init died */
#define FLUSH_MS 1000 /* last frames to clients */
#define OOM_ADJ "/proc/self/oom_score_adj"
#define STACK_MARGIN 8192 /* bytes of stack kept under the frame after setup */

/* ---- small helpers ---------------------------------------------------- */

/* Milliseconds to a deadline for poll(): -1 without one, never below 0. */
HOT int monitor_ms_left(int64_t deadline)
{
	int64_t d;

	if (deadline < 0)
		return -1;
	d = deadline - sys_mono_ms();
	return d < 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

HOT void monitor_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- the monitor process ---------------------------------------------- */

struct report {
	int32_t pid; /* the init, or -1 */
	int32_t monitor_pid;
	int32_t errnum;
	int32_t kind; /* enum err_kind */
	char msg[sizeof(((struct err *)0)->msg)];
};

struct client {
	int fd; /* -1: free slot */
	struct frame_rd rd;
	char *out; /* what a slow client has not taken yet */
	size_t olen, ocap;
};

struct mon {
	const struct monitor_opts *o;
	int dirfd, sig_fd, listen_fd;
	int out_fd, err_fd; /* read ends; with a tty out_fd is the pty master */
	int in_fd; /* the stdin pipe's write end, or the master; -1 */
	int tty, stdin_eof;
	char *cgroup; /* NULL without cgroup v2 */
	uint64_t oom_start;
	pid_t init;
	int status, exited;
	int64_t exit_ns;
	int made_fifo, made_sock;
	char oom_adj[16]; /* ours before -1000, restored for the exit command */
	int cleanup_pidfd; /* o->cleanup_by's, or -1 */
	struct monitor_log log;
	struct client cl[CLIENTS_MAX];
	size_t inlen;
	char inbuf[STDIN_BUF];
};

/* The read-only clone of our binary's mount (exe_ro_tree), till reported. */
static int mon_exe_tree = -1;

static void report_send(int fd, pid_t pid, const struct err *e)
{
	struct report r = { .pid = pid, .monitor_pid = getpid() };

	if (e) {
		r.errnum = e->errnum;
		r.kind = e->kind;
		memcpy(r.msg, e->msg, sizeof(r.msg));
	}
	write_all(fd, &r, sizeof(r)); /* < PIPE_BUF: one atomic write */
}

static uint64_t oom_kills(const char *cgroup)
{
	struct oci_cgroup_stats st = { 0 };

	if (cgroup)
		oci_cgroup_stats(cgroup, &st, NULL);
	return st.memory_oom_kill;
}

static int attach_listen(struct mon *m, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	unlinkat(m->dirfd, "attach", 0);
	monitor_fd_path(sa.sun_path, sizeof(sa.sun_path), m->dirfd, "attach");
	m->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->listen_fd < 0)
		return err_sys(e, "socket");
	if (bind(m->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_sys(e, "bind %s/attach", m->o->dir);
	m->made_sock = 1;
	if (fchmodat(m->dirfd, "attach", 0600, 0) < 0)
		return err_sys(e, "chmod %s/attach", m->o->dir);
	if (listen(m->listen_fd, CLIENTS_MAX) < 0)
		return err_sys(e, "listen on %s/attach", m->o->dir);
	return 0;
}

/* Clone the init with our stdio: the pty (its master comes back over the
 * console socket) or pipes put on fds 0-2 for the clone only. */
static pid_t create_init(struct mon *m, struct oci_create_opts *co, struct err *e)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 }, cs[2] = { -1, -1 };
	int null = -1;
	pid_t pid = -1;

	if (m->tty) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cs) < 0)
			return err_sys(e, "socketpair");
		co->console_socket = cs[1];
		pid = oci_linux_create(co, e);
		close(cs[1]);
		if (pid > 0) {
			m->out_fd = m->in_fd = oci_linux_recv_fd(cs[0]);
			if (m->out_fd < 0) {
				err_set(e, EPROTO, "no pty master from the container init");
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				pid = -1;
			}
		}
		close(cs[0]);
		return pid;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* Without -i, stdin is a pipe whose write end is closed at once: it
	 * reads as /dev/null does (EOF), and CRIU can hand a new one to a
	 * restored init (the host's /dev/null is a file it cannot reach). */
	if (null < 0 || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    pipe2(pi, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		goto out;
	}
	if (!m->o->stdin_open)
		monitor_close_fd(&pi[1]);
	/* dup2 clears CLOEXEC on 0-2: the init inherits exactly these. */
	if (dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0 || dup2(pi[0], 0) < 0) {
		err_sys(e, "dup2");
		goto out;
	}
	pid = oci_linux_create(co, e);
	m->out_fd = steal_fd(po[0]);
	m->err_fd = steal_fd(pe[0]);
	m->in_fd = steal_fd(pi[1]);
out:
	for (int i = 0; i < 3; i++)
		dup2(null, i);
	monitor_close_fd(&null);
	for (int i = 0; i < 2; i++) {
		monitor_close_fd(&po[i]);
		monitor_close_fd(&pe[i]);
		monitor_close_fd(&pi[i]);
	}
	return pid;
}

/* The init restored by criu from o->restore, with new pipes where its
 * stdio had pipes (a terminal was refused at the checkpoint). */
static pid_t restore_init(struct mon *m, const struct oci_spec *spec, const char *rootfs,
			  struct err *e)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 };
	struct oci_criu crit = { .images = m->o->restore, .flags = m->o->restore_flags };
	pid_t pid = -1;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 || pipe2(pi, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
	} else {
		if (!m->o->stdin_open)
			monitor_close_fd(&pi[1]); /* as create_init */
		int stdio[3] = { pi[0], po[1], pe[1] };

		pid = oci_criu_restore(&crit, spec, rootfs, m->cgroup, stdio, e);
	}
	if (pid > 0) {
		m->out_fd = steal_fd(po[0]);
		m->err_fd = steal_fd(pe[0]);
		m->in_fd = steal_fd(pi[1]);
	}
	for (int i = 0; i < 2; i++) {
		monitor_close_fd(&po[i]);
		monitor_close_fd(&pe[i]);
		monitor_close_fd(&pi[i]);
	}
	return pid;
}

static int mon_setup(struct mon *m, struct err *e)
{
	const struct monitor_opts *o = m->o;
	_cleanup_free_ char *cfg = xasprintf("%s/config.json", o->dir);
	_cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", o->dir);
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *pidfile = NULL;
	_cleanup_close_ int cgfd = -1;
	struct oci_create_opts co = { .id = o->id, .console_socket = -1, .cgroup_fd = -1 };
	struct oci_spec *spec;
	char rootfs[PATH_MAX], buf[64];
	sigset_t chld;
	int rc = -1;

	m->dirfd = open(o->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m->dirfd < 0)
		return err_sys(e, "open %s", o->dir);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	m->sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (m->sig_fd < 0)
		return err_sys(e, "signalfd");
	spec = oci_spec_load(cfg, e);
	if (!spec)
		return -1;
	timing_mark("monitor: parse config");
	if (!spec->process || !spec->root_path) {
		err_set(e, EINVAL, "%s: %s: required", cfg,
			spec->process ? "root.path" : "process");
		goto out;
	}
	root = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
					 : xasprintf("%s/%s", o->dir, spec->root_path);
	if (!realpath(root, rootfs)) {
		err_sys(e, "rootfs %s", root);
		goto out;
	}
	m->tty = spec->process->terminal;

	if (oci_cgroup_setup(spec, o->id, &m->cgroup, &cgfd, e) < 0)
		goto out;
	if (cgfd >= 0) {
		if (oci_devcg_apply(cgfd, spec, NULL, e) < 0)
			goto out;
		timing_mark("device program");
		m->oom_start = oom_kills(m->cgroup);
	}
	if (attach_listen(m, e) < 0 || monitor_log_open(&m->log, m->dirfd, o->log_size_max, e) < 0)
		goto out;
	unlink(fifo);
	if (o->restore) {
		m->init = restore_init(m, spec, rootfs, e);
		if (m->init < 0) {
			m->init = 0;
			goto out;
		}
		goto started;
	}
	if (mkfifo(fifo, 0622) < 0) {
		err_sys(e, "mkfifo %s", fifo);
		goto out;
	}
	m->made_fifo = 1;
	chmod(fifo, 0622); /* the init may run as any user */
	timing_mark("monitor: attach socket, log, fifo");

	co.spec = spec;
	co.rootfs = rootfs;
	co.cgroup_fd = cgfd;
	co.cgroup_path = m->cgroup;
	co.exec_fifo = fifo;
	co.seccomp_cache = o->seccomp_cache;
	m->init = create_init(m, &co, e);
	if (m->init < 0) {
		m->init = 0;
		goto out;
	}
started:
	set_nonblock(m->out_fd);
	if (m->err_fd >= 0)
		set_nonblock(m->err_fd);
	if (m->in_fd >= 0)
		set_nonblock(m->in_fd);
	/* The OOM killer must not take the exit status with us.  Only now:
	 * the init got our score at its clone, not this one. */
	{
		_cleanup_free_ char *adj = file_read(OOM_ADJ, NULL, NULL);

		if (adj && file_write(OOM_ADJ, "-1000", NULL) == 0)
			snprintf(m->oom_adj, sizeof(m->oom_adj), "%.*s", (int)strcspn(adj, "\n"),
				 adj);
	}
	pidfile = xasprintf("%s/monitor.pid", o->dir);
	snprintf(buf, sizeof(buf), "%d %llu", (int)getpid(),
		 (unsigned long long)proc_start_time(getpid()));
	rc = file_write_nosync(pidfile, buf, strlen(buf), 0644, e);
	timing_mark("monitor: ready");
out:
	oci_spec_free(spec);
	return rc;
}

/* The read-only pages (code, constants) of the program and of every
 * shared library it may have (a dynamic build: OpenWrt's libseccomp and
 * libcjson ran in setup only): each object's PT_LOAD segments without
 * PF_W, minus RELRO, whose pages were written at relocation and must not
 * revert to the file.  Page-rounded outward, then cut back where they
 * would meet a writable page. */
struct ro_map {
	unsigned long lo[32], hi[32];
	size_t n;
};

static int ro_map_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct ro_map *r = arg;
	unsigned long pg = (unsigned long)sysconf(_SC_PAGESIZE), wlo[8], whi[8];
	unsigned long vdso = getauxval(AT_SYSINFO_EHDR);
	size_t wn = 0;

	(void)size;
	if (vdso && (unsigned long)info->dlpi_phdr - vdso < 65536)
		return 0; /* the vDSO is the kernel's */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < info->dlpi_phnum; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
			unsigned long lo = (info->dlpi_addr + ph->p_vaddr) & ~(pg - 1);
			unsigned long hi =
				(info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(pg - 1);
			int writable = ph->p_type == PT_GNU_RELRO ||
				       (ph->p_type == PT_LOAD && (ph->p_flags & PF_W));

			if (pass == 0 && writable) {
				if (wn == ARRAY_SIZE(wlo))
					return 0; /* too odd to be sure: leave this one */
				wlo[wn] = lo;
				whi[wn++] = hi;
			} else if (pass == 1 && ph->p_type == PT_LOAD && !(ph->p_flags & PF_W) &&
				   r->n < ARRAY_SIZE(r->lo)) {
				for (size_t w = 0; w < wn; w++) {
					if (wlo[w] <= lo && whi[w] > lo)
						lo = whi[w];
					if (wlo[w] < hi && whi[w] >= hi)
						hi = wlo[w];
					if (wlo[w] > lo && whi[w] < hi)
						hi = lo; /* a hole inside: leave it alone */
				}
				if (lo < hi) {
					r->lo[r->n] = lo;
					r->hi[r->n++] = hi;
				}
			}
		}
	}
	return 0; /* on to the next object */
}

/* Setup ran most of the binary (spec parsing, cgroups, seccomp, clone);
 * the loop needs a small part of it.  Unmap our view of the read-only
 * pages of the binary and its libraries (they stay in the page cache,
 * shared; the vDSO's come back on use): what the loop
 * touches faults back in, the rest no longer counts in our VmRSS.  HOT:
 * the last code to run before the loop must not fault its window back. */
static HOT void drop_setup_pages(void)
{
	struct ro_map r = { .n = 0 };

	dl_iterate_phdr(ro_map_cb, &r);
	for (size_t i = 0; i < r.n; i++)
		madvise((void *)r.lo[i], r.hi[i] - r.lo[i], MADV_DONTNEED);
}

unsigned long monitor_stack_unused(unsigned long lo, unsigned long hi, unsigned long sp,
				   unsigned long pg)
{
	unsigned long end;

	if (sp < lo || sp >= hi || sp - lo < STACK_MARGIN)
		return 0;
	end = (sp - STACK_MARGIN) & ~(pg - 1);
	return end > lo ? end - lo : 0;
}

/* Setup went deep into the stack (PATH_MAX buffers, the spec parser):
 * give back what lies below the loop's frame.  Stack grows down; a margin
 * under our own frame stays, for the calls made from here (madvise's own
 * frame).  In pages of the kernel's size: madvise rounds the length up to
 * a page, and a range cut at 4 KiB on a kernel with 16 or 64 KiB pages
 * (arm64, MIPS) would zero the live stack. */
static void drop_setup_stack(void)
{
	char line[512];
	volatile char here = 0;
	unsigned long pg = (unsigned long)sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, len;

		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    (len = monitor_stack_unused(lo, hi, (unsigned long)&here, pg)) > 0)
			madvise((void *)lo, len, MADV_DONTNEED);
	}
	fclose(f);
}

/* Undo a failed setup: nothing may be left behind. */
static void mon_undo(struct mon *m)
{
	if (m->init > 0) {
		kill(m->init, SIGKILL);
		waitpid(m->init, NULL, 0);
	}
	if (m->made_fifo)
		unlinkat(m->dirfd, "exec.fifo", 0);
	if (m->made_sock)
		unlinkat(m->dirfd, "attach", 0);
	if (m->cgroup)
		oci_cgroup_remove(m->cgroup, NULL);
}

static HOT void client_drop(struct client *c)
{
	monitor_close_fd(&c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static HOT void client_flush(struct client *c)
{
	ssize_t n;

	if (c->fd < 0 || !c->olen)
		return;
	n = send(c->fd, c->out, c->olen, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		client_drop(c);
	} else if (n > 0) {
		memmove(c->out, c->out + n, c->olen - (size_t)n);
		c->olen -= (size_t)n;
	}
}

/* Queue a frame without ever blocking: sent at once when the client keeps
 * up, buffered up to CLIENT_OUT_MAX when it does not, dropped beyond. */
static HOT void client_send(struct client *c, int type, const char *data, size_t n)
{
	unsigned char h[5];
	struct iovec iov[2] = { { h, 5 }, { (void *)data, n } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t sent = 0, need;

	monitor_frame_hdr(h, type, n);
	if (c->olen == 0) {
		ssize_t k = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (k < 0 && errno != EAGAIN && errno != EINTR) {
			client_drop(c);
			return;
		}
		sent = k > 0 ? (size_t)k : 0;
	}
	if (sent == 5 + n)
		return;
	need = c->olen + 5 + n - sent;
	if (need > CLIENT_OUT_MAX) {
		client_drop(c);
		return;
	}
	if (need > c->ocap) {
		size_t cap = need < 16384		 ? 16384
			     : need * 2 > CLIENT_OUT_MAX ? CLIENT_OUT_MAX
							 : need * 2;
		char *out = realloc(c->out, cap);

		if (!out) { /* a slow client is not worth the container's monitor */
			client_drop(c);
			return;
		}
		c->out = out;
		c->ocap = cap;
	}
	for (size_t i = sent; i < 5 + n; i++)
		c->out[c->olen++] = (char)(i < 5 ? h[i] : data[i - 5]);
}

static HOT void broadcast(struct mon *m, int type, const char *data, size_t n)
{
	for (size_t i = 0; i < CLIENTS_MAX; i++)
		if (m->cl[i].fd >= 0)
			client_send(&m->cl[i], type, data, n);
}

/* One read of the container's output: 1 data or nothing to read now,
 * 0 the stream ended (EOF, or EIO on a pty master whose slave is gone). */
static HOT int read_output(struct mon *m, int *fd, int stream)
{
	static char buf[LOG_CHUNK];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		if (*fd == m->in_fd)
			m->in_fd = -1;
		monitor_close_fd(fd);
		return 0;
	}
	monitor_log_write(&m->log, stream, buf, (size_t)n, 0, NULL);
	broadcast(m, stream == 2 ? MONITOR_FRAME_STDERR : MONITOR_FRAME_STDOUT, buf, (size_t)n);
	return 1;
}

static HOT void stdin_close(struct mon *m)
{
	if (!m->tty)
		monitor_close_fd(&m->in_fd);
}

static HOT void stdin_flush(struct mon *m)
{
	ssize_t n;

	if (m->in_fd >= 0 && m->inlen) {
		n = write(m->in_fd, m->inbuf, m->inlen);
		if (n > 0) {
			memmove(m->inbuf, m->inbuf + n, m->inlen - (size_t)n);
			m->inlen -= (size_t)n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			m->inlen = 0; /* EPIPE: nobody reads stdin any more */
			stdin_close(m);
		}
	}
	if (m->stdin_eof && !m->inlen)
		stdin_close(m);
}

static HOT int mon_frame(void *arg, int type, const char *d, size_t n)
{
	struct mon *m = arg;
	unsigned w, h;

	switch (type) {
	case MONITOR_FRAME_STDIN:
		/* Clients are read only while there is room for what they
		 * send: n always fits. */
		if (m->in_fd >= 0 && !m->stdin_eof && n <= sizeof(m->inbuf) - m->inlen) {
			memcpy(m->inbuf + m->inlen, d, n);
			m->inlen += n;
		}
		break;
	case MONITOR_FRAME_RESIZE:
		if (m->tty && m->out_fd >= 0 && sscanf(d, "%u %u", &w, &h) == 2) {
			struct winsize ws = { .ws_row = (unsigned short)h,
					      .ws_col = (unsigned short)w };

			ioctl(m->out_fd, TIOCSWINSZ, &ws);
		}
		break;
	case MONITOR_FRAME_EOF_STDIN:
		if (m->tty && m->in_fd >= 0 && m->inlen < sizeof(m->inbuf))
			m->inbuf[m->inlen++] = 4; /* ^D: VEOF of a canonical tty */
		else
			m->stdin_eof = 1;
		break;
	}
	return 0;
}

static HOT void client_read(struct mon *m, struct client *c)
{
	char buf[4096];
	size_t room = sizeof(m->inbuf) - m->inlen;
	ssize_t n;

	if (room == 0) {
		client_drop(c); /* hung up while stdin is stuck */
		return;
	}
	n = recv(c->fd, buf, room < sizeof(buf) ? room : sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || monitor_frame_feed(&c->rd, buf, (size_t)n, mon_frame, m) < 0)
		client_drop(c);
}

static HOT void client_accept(struct mon *m)
{
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < CLIENTS_MAX; i++) {
		if (m->cl[i].fd < 0) {
			m->cl[i].fd = fd;
			return;
		}
	}
	close(fd); /* full */
}

static HOT void reap(struct mon *m)
{
	struct signalfd_siginfo si;
	int st;
	pid_t pid;

	while (read(m->sig_fd, &si, sizeof(si)) > 0)
		;
	/* As subreaper we also get the container's orphans: reap them too. */
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == m->init) {
			m->status = st;
			m->exited = 1;
			m->exit_ns = sys_wall_ns();
		}
	}
}

enum { P_SIG, P_OUT, P_ERR, P_IN, P_LISTEN, P_CLIENTS };

static HOT void mon_loop(struct mon *m)
{
	struct pollfd p[P_CLIENTS + CLIENTS_MAX];
	int64_t deadline;

	while (!m->exited) {
		int room = m->inlen < sizeof(m->inbuf);

		p[P_SIG] = (struct pollfd){ .fd = m->sig_fd, .events = POLLIN };
		p[P_OUT] = (struct pollfd){ .fd = m->out_fd,
					    .events = POLLIN | (m->tty && m->inlen ? POLLOUT : 0) };
		p[P_ERR] = (struct pollfd){ .fd = m->err_fd, .events = POLLIN };
		p[P_IN] = (struct pollfd){ .fd = !m->tty && m->inlen ? m->in_fd : -1,
					   .events = POLLOUT };
		p[P_LISTEN] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		for (size_t i = 0; i < CLIENTS_MAX; i++)
			p[P_CLIENTS + i] =
				(struct pollfd){ .fd = m->cl[i].fd,
						 .events = (room ? POLLIN : 0) |
							   (m->cl[i].olen ? POLLOUT : 0) };
		if (poll(p, ARRAY_SIZE(p), -1) < 0)
			continue; /* EINTR */
		/* Accept first: a client that connected before the output
		 * it waits for (attach before start) must get all of it. */
		if (p[P_LISTEN].revents)
			client_accept(m);
		if (p[P_SIG].revents)
			reap(m);
		if (p[P_OUT].revents & (POLLIN | POLLHUP | POLLERR))
			read_output(m, &m->out_fd, 1);
		if (p[P_ERR].revents)
			read_output(m, &m->err_fd, 2);
		for (size_t i = 0; i < CLIENTS_MAX; i++) {
			short re = p[P_CLIENTS + i].revents;

			if (re & POLLOUT)
				client_flush(&m->cl[i]);
			if ((re & (POLLIN | POLLHUP | POLLERR)) && m->cl[i].fd >= 0)
				client_read(m, &m->cl[i]);
		}
		if (m->inlen || m->stdin_eof)
			stdin_flush(m); /* at once: most writes do not block */
	}
	/* The init is gone: what it wrote is in the pipes or the pty.  Read
	 * to EOF, but not forever: an orphan may hold the other end. */
	deadline = sys_mono_ms() + DRAIN_MS;
	while (m->out_fd >= 0 || m->err_fd >= 0) {
		struct pollfd d[2] = { { .fd = m->out_fd, .events = POLLIN },
				       { .fd = m->err_fd, .events = POLLIN } };
		int r = poll(d, 2, monitor_ms_left(deadline));

		if (r == 0 || (r < 0 && errno != EINTR))
			break;
		if (d[0].revents)
			read_output(m, &m->out_fd, 1);
		if (d[1].revents)
			read_output(m, &m->err_fd, 2);
	}
}

static __attribute__((noreturn, noinline)) void mon_finish(struct mon *m)
{
	const struct monitor_opts *o = m->o;
	struct monitor_exit x = { .time_ns = m->exit_ns };
	char code[16];
	sigset_t none;
	int64_t deadline;

	if (WIFSIGNALED(m->status)) {
		x.signal = WTERMSIG(m->status);
		x.exit_code = 128 + x.signal;
	} else {
		x.exit_code = WEXITSTATUS(m->status);
	}
	x.oom_killed = m->cgroup && oom_kills(m->cgroup) > m->oom_start;
	monitor_log_close(&m->log);
	monitor_exit_write(o->exit_path, &x, NULL);

	snprintf(code, sizeof(code), "%d", x.exit_code);
	broadcast(m, MONITOR_FRAME_EXIT, code, strlen(code));
	deadline = sys_mono_ms() + FLUSH_MS;
	for (;;) {
		struct pollfd p[CLIENTS_MAX];
		nfds_t n = 0;

		for (size_t i = 0; i < CLIENTS_MAX; i++)
			if (m->cl[i].fd >= 0 && m->cl[i].olen)
				p[n++] = (struct pollfd){ .fd = m->cl[i].fd, .events = POLLOUT };
		if (!n || poll(p, n, monitor_ms_left(deadline)) <= 0)
			break;
		for (size_t i = 0; i < CLIENTS_MAX; i++)
			client_flush(&m->cl[i]);
	}
	for (size_t i = 0; i < CLIENTS_MAX; i++)
		client_drop(&m->cl[i]);
	unlinkat(m->dirfd, "attach", 0);
	unlinkat(m->dirfd, "monitor.pid", 0);
	unlinkat(m->dirfd, "exec.fifo", 0); /* died before start */
	if (m->cleanup_pidfd >= 0) {
		/* the remover's end; the exit command only if it did not
		 * get as far as the removal (which takes <dir>) */
		struct pollfd p = { .fd = m->cleanup_pidfd, .events = POLLIN };
		struct stat st;

		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		if (fstat(m->dirfd, &st) == 0 && st.st_nlink == 0)
			_exit(0);
	}
	sys_close_range(3, ~0U, 0);

	if (o->exit_command && o->exit_command[0]) {
		/* A clean process for `nook cleanup`: no subreaper, the
		 * OOM score we had (it may start the next monitor and init),
		 * default signals. */
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		if (m->oom_adj[0])
			file_write(OOM_ADJ, m->oom_adj, NULL);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(o->exit_command[0], o->exit_command);
		_exit(127);
	}
	_exit(0);
}

/* The container's lifetime: from here on only HOT code runs, and no
 * return into the cold code that called us. */
static HOT __attribute__((noreturn, noinline)) void mon_serve(struct mon *m)
{
	/* libc finds the vDSO's clock_gettime on the first call (strcmp and
	 * version strings far from here): make that call now. */
	(void)sys_wall_ns();
	drop_setup_pages();
	mon_loop(m);
	mon_finish(m);
}

static __attribute__((noreturn)) void monitor_run(const struct monitor_opts *o, int rep)
{
	static struct mon m; /* bss: 8 KiB of stdin buffer touched only if used */
	struct err e = { 0 };
	sigset_t chld;

	m.o = o;
	m.dirfd = m.sig_fd = m.listen_fd = m.out_fd = m.err_fd = m.in_fd = -1;
	/* now, while the remover waits for our report: its pid is its own */
	m.cleanup_pidfd = o->cleanup_by > 0 ? sys_pidfd_open(o->cleanup_by, 0) : -1;
	m.log.fd = -1;
	for (size_t i = 0; i < CLIENTS_MAX; i++)
		m.cl[i].fd = -1;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (mon_setup(&m, &e) < 0) {
		mon_undo(&m);
		report_send(rep, -1, &e);
		_exit(1);
	}
	report_send(rep, m.init, NULL);
	close(rep);
	if (mon_exe_tree >= 0) /* our exe stays, on a mount of no namespace */
		close(mon_exe_tree);
	drop_setup_stack();
	alloc_trim(); /* what setup freed */
	mon_serve(&m);
}

/* Keep only the report pipe (moved to >= 3) and /dev/null on 0-2. */
static int fds_reset(int rep)
{
	int null;

	if (rep < 3)
		rep = fcntl(rep, F_DUPFD_CLOEXEC, 3);
	if (sys_close_range(3, (unsigned)rep - 1, 0) < 0 ||
	    sys_close_range((unsigned)rep + 1, ~0U, 0) < 0) {
		for (int fd = 3; fd < 65536; fd++) /* kernels before 5.9 */
			if (fd != rep)
				close(fd);
	}
	null = open("/dev/null", O_RDWR);
	for (int i = 0; null >= 0 && i < 3; i++)
		if (null != i)
			dup2(null, i);
	if (null > 2)
		close(null);
	return rep;
}

/* An O_PATH fd of the monitor binary seen through a read-only bind mount
 * that is already detached (runc 1.1's answer to CVE-2019-5736): the
 * monitor and the init it clones run it, and a process in the container
 * cannot reopen /proc/<pid>/exe for writing (EROFS).  Unlike a sealed
 * memfd copy, the page cache of the binary stays shared by every monitor.
 * Needs CAP_SYS_ADMIN; -1 (and the plain path) without, or when the binary
 * already lies on a read-only mount (a router's squashfs): then the path
 * is as safe, and the mounts (whose unmount waits for an RCU grace
 * period) are saved. */
static int exe_ro_open(const struct monitor_opts *o)
{
	_cleanup_free_ char *tmp = xasprintf("%s/.monitor-exe", o->dir);
	struct statvfs sv;
	int fd = -1, t;

	if (statvfs(o->monitor_exe, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return -1;
	t = open(tmp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0500);
	if (t < 0)
		return -1;
	close(t);
	if (mount(o->monitor_exe, tmp, NULL, MS_BIND, NULL) == 0) {
		if (mount(NULL, tmp, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0)
			fd = open(tmp, O_PATH | O_CLOEXEC);
		umount2(tmp, MNT_DETACH);
	}
	unlink(tmp);
	return fd;
}

/* The same protection without a mount point: a read-only clone of the
 * binary's mount (open_tree + mount_setattr, 5.12), exec'd through its
 * fd.  The fd stays open across the exec, and the monitor closes it once it
 * has reported (mon_exe_tree): that close dissolves the clone's namespace,
 * which waits for an RCU grace period, as the umount above does before the
 * exec, on the start's path.  -1: use exe_ro_open. */
static int exe_ro_tree(const struct monitor_opts *o)
{
	struct statvfs sv;

	if (statvfs(o->monitor_exe, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return -1;
	return oci_ro_clone(o->monitor_exe, 0);
}

static __attribute__((noreturn)) void monitor_child(const struct monitor_opts *o, int rep)
{
	struct err e = { 0 };

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_NAME, "nook-monitor");
	rep = fds_reset(rep);
	timing_setup(); /* its fd was closed with the others */
	timing_mark("monitor: forked");
	/* Whatever the CLI blocked or ignored is not ours. */
	oci_reset_signals();
	if (chdir("/") < 0)
		_exit(1);
	umask(022);
	if (o->monitor_exe) {
		char **argv = NULL;
		char n[24];
		int exe, tree;

		strv_push(&argv, "nook");
		strv_push(&argv, "__monitor");
		strv_push(&argv, o->id);
		strv_push(&argv, o->dir);
		strv_push(&argv, o->exit_path);
		strv_push(&argv, o->stdin_open ? "1" : "0");
		snprintf(n, sizeof(n), "%llu", (unsigned long long)o->log_size_max);
		strv_push(&argv, n);
		snprintf(n, sizeof(n), "%d", rep);
		strv_push(&argv, n);
		strv_push(&argv, o->restore ? o->restore : "");
		snprintf(n, sizeof(n), "%u", o->restore_flags);
		strv_push(&argv, n);
		strv_push(&argv, o->seccomp_cache ? o->seccomp_cache : "");
		tree = exe_ro_tree(o);
		snprintf(n, sizeof(n), "%d", tree);
		strv_push(&argv, n);
		snprintf(n, sizeof(n), "%d", (int)o->cleanup_by);
		strv_push(&argv, n);
		for (size_t i = 0; o->exit_command && o->exit_command[i]; i++)
			strv_push(&argv, o->exit_command[i]);
		fcntl(rep, F_SETFD, 0);
		timing_export();
		if (tree >= 0)
			syscall(SYS_execveat, tree, "", argv, environ, AT_EMPTY_PATH);
		else if ((exe = exe_ro_open(o)) >= 0)
			fexecve(exe, argv, environ);
		execv(o->monitor_exe, argv);
		err_sys(&e, "exec the monitor %s", o->monitor_exe);
		report_send(rep, -1, &e);
		_exit(127);
	}
	monitor_run(o, rep);
}

int monitor_main(int argc, char **argv)
{
	struct monitor_opts o = { 0 };
	int rep;

	if (argc > 0 && strcmp(argv[0], "__monitor") == 0) {
		argc++; /* main() shifted argv: back to {"nook", "__monitor", ...} */
		argv--;
	}
	if (argc < 13 || strcmp(argv[1], "__monitor") != 0) {
		fprintf(stderr, "nook __monitor: internal command, run by nook itself\n");
		return 125;
	}
	prctl(PR_SET_NAME, "nook-monitor"); /* exec named us after the file */
	o.id = argv[2];
	o.dir = argv[3];
	o.exit_path = argv[4];
	o.stdin_open = atoi(argv[5]);
	o.log_size_max = strtoull(argv[6], NULL, 10);
	rep = atoi(argv[7]);
	o.restore = argv[8][0] ? argv[8] : NULL;
	o.restore_flags = (unsigned)strtoul(argv[9], NULL, 10);
	o.seccomp_cache = argv[10][0] ? argv[10] : NULL;
	mon_exe_tree = atoi(argv[11]);
	o.cleanup_by = (pid_t)atoi(argv[12]);
	o.exit_command = argc > 13 ? &argv[13] : NULL;
	fcntl(rep, F_SETFD, FD_CLOEXEC);
	if (mon_exe_tree >= 0 && fcntl(mon_exe_tree, F_SETFD, FD_CLOEXEC) < 0)
		mon_exe_tree = -1;
	monitor_run(&o, rep);
}

/* The monitor started as posix_spawn starts a program: each of the two
 * forks (the second makes the monitor no child of ours) is a clone with
 * CLONE_VM | CLONE_VFORK, which copies no page table; the caller sleeps
 * until the monitor's exec.  Two forks of the CLI and the teardown of the
 * copy at exec cost ~2 ms on a VM.  Only for a monitor that execs (the
 * other runs in the forked copy); what the children change in our memory
 * (the timing state) is put back. */
struct spawn_vm {
	const struct monitor_opts *o;
	int rep[2];
	struct err e;
};

static int spawn_vm_monitor(void *arg)
{
	struct spawn_vm *v = arg;

	monitor_child(v->o, v->rep[1]);
}

static int spawn_vm_middle(void *arg)
{
	struct spawn_vm *v = arg;

	close(v->rep[0]);
	setsid();
	if (sys_clone_vm(spawn_vm_monitor, v) < 0) {
		err_sys(&v->e, "fork the monitor");
		report_send(v->rep[1], -1, &v->e);
	}
	_exit(0);
}

static pid_t spawn_vm(const struct monitor_opts *o, int rep[2])
{
	struct spawn_vm v = { .o = o, .rep = { rep[0], rep[1] } };
	int tfd = timing_fd;
	pid_t pid = sys_clone_vm(spawn_vm_middle, &v);

	timing_fd = tfd;
	return pid;
}

int monitor_spawn_begin(const struct monitor_opts *o, struct monitor_spawning *s, struct err *e)
{
	int rep[2];
	pid_t pid = -1;

	s->fd = -1;
	s->pid = -1;
	s->id = o->id;
	if (!o->id || !o->dir || !o->exit_path || o->dir[0] != '/' || o->exit_path[0] != '/')
		return err_set(e, EINVAL,
			       "monitor: id, and absolute dir and exit path are required");
	if (pipe2(rep, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	if (NOOK_CLONE_VM && o->monitor_exe && !getenv("NOOK_MONITOR_FORK"))
		pid = spawn_vm(o, rep);
	if (pid < 0)
		pid = fork();
	if (pid < 0) {
		err_sys(e, "fork");
		close(rep[0]);
		close(rep[1]);
		return -1;
	}
	if (pid == 0) {
		close(rep[0]);
		setsid();
		pid = fork();
		if (pid < 0) {
			err_sys(e, "fork the monitor");
			report_send(rep[1], -1, e);
		}
		if (pid != 0)
			_exit(0);
		monitor_child(o, rep[1]);
	}
	close(rep[1]);
	s->fd = rep[0];
	s->pid = pid;
	return 0;
}

int monitor_spawn_end(struct monitor_spawning *s, pid_t *init_pid, pid_t *monitor_pid,
		      struct err *e)
{
	struct report r;
	int st;
	size_t got = 0;

	while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
		;
	while (got < sizeof(r)) {
		ssize_t n = read(s->fd, (char *)&r + got, sizeof(r) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(s->fd);
	s->fd = -1;
	if (got != sizeof(r))
		return err_set(e, 0, "monitor of %s: exited during setup", s->id);
	if (r.pid <= 0) {
		if (e) {
			e->errnum = r.errnum;
			e->kind = r.kind;
			memcpy(e->msg, r.msg, sizeof(e->msg));
			e->msg[sizeof(e->msg) - 1] = '\0';
		}
		return -1;
	}
	*init_pid = r.pid;
	*monitor_pid = r.monitor_pid;
	return 0;
}

int monitor_spawn(const struct monitor_opts *o, pid_t *init_pid, pid_t *monitor_pid, struct err *e)
{
	struct monitor_spawning s;

	if (monitor_spawn_begin(o, &s, e) < 0)
		return -1;
	return monitor_spawn_end(&s, init_pid, monitor_pid, e);
}
