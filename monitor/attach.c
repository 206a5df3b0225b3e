// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monitor/attach.c: the attach protocol (see monitor/monitor.h): the frame
 * codec, which the monitor's side in monitor.c shares (HOT: its loop
 * parses its clients' frames), and the client, `nook attach` and
 * `nook start -a`: detach keys, a raw terminal and its resizes, EOF on
 * stdin.  A client blocks on its peer; the monitor never does.
 */
#include "monitor/internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>

/* ---- the codec -------------------------------------------------------- */

static HOT int frame_small(int type)
{
	return type == MONITOR_FRAME_RESIZE || type == MONITOR_FRAME_EXIT ||
	       type == MONITOR_FRAME_EOF_STDIN;
}

HOT int monitor_frame_feed(struct frame_rd *r, const char *p, size_t n, frame_cb cb, void *arg)
{
	while (n > 0 || (r->hn == 5 && r->left == 0)) {
		int type = r->hdr[0];
		size_t k;

		if (r->hn < 5) {
			r->hdr[r->hn++] = (unsigned char)*p++;
			n--;
			if (r->hn == 5) {
				r->left = (uint32_t)r->hdr[1] << 24 | (uint32_t)r->hdr[2] << 16 |
					  (uint32_t)r->hdr[3] << 8 | r->hdr[4];
				r->sn = 0;
			}
			continue;
		}
		k = n < r->left ? n : r->left;
		if (frame_small(type)) {
			for (size_t i = 0; i < k && r->sn < sizeof(r->small) - 1; i++)
				r->small[r->sn++] = p[i];
		} else if (k && cb(arg, type, p, k) < 0) {
			return -1;
		}
		p += k;
		n -= k;
		r->left -= (uint32_t)k;
		if (r->left == 0) {
			r->hn = 0;
			if (frame_small(type)) {
				r->small[r->sn] = '\0';
				if (cb(arg, type, r->small, r->sn) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---- the client ------------------------------------------------------- */

/* Blocking send of one frame. */
static int frame_send(int sock, int type, const void *data, size_t n)
{
	unsigned char h[5];
	struct iovec iov[2] = { { h, 5 }, { (void *)data, n } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	monitor_frame_hdr(h, type, n);
	while (mh.msg_iovlen) {
		ssize_t k = sendmsg(sock, &mh, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		while (mh.msg_iovlen && (size_t)k >= mh.msg_iov->iov_len) {
			k -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + k;
			mh.msg_iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

void monitor_fd_path(char *buf, size_t len, int dirfd, const char *name)
{
	snprintf(buf, len, "/proc/self/fd/%d/%s", dirfd, name);
}

static int attach_connect(const char *dir, struct err *e)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (dfd < 0)
		return err_sys(e, "open %s", dir);
	monitor_fd_path(sa.sun_path, sizeof(sa.sun_path), dfd, "attach");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err_sys(e, "connect to %s/attach", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* Docker's detach key syntax: "ctrl-p,ctrl-q", "a,ctrl-@". */
static int detach_keys_parse(const char *s, unsigned char *keys, size_t *n, struct err *e)
{
	static const char ctrl_sym[] = "@[\\]^_";
	_cleanup_free_ char *copy = xstrdup(s ? s : "ctrl-p,ctrl-q");
	char *save = NULL;

	*n = 0;
	for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		const char *sym;
		unsigned char c;

		if (*n == 16)
			return err_set(e, EINVAL, "detach keys \"%s\": too many", s);
		if (strlen(k) == 1) {
			c = (unsigned char)k[0];
		} else if (strncasecmp(k, "ctrl-", 5) == 0 && strlen(k) == 6 &&
			   isalpha((unsigned char)k[5])) {
			c = (unsigned char)(tolower((unsigned char)k[5]) - 'a' + 1);
		} else if (strncasecmp(k, "ctrl-", 5) == 0 && strlen(k) == 6 && k[5] &&
			   (sym = strchr(ctrl_sym, k[5]))) {
			c = sym == ctrl_sym ? 0 : (unsigned char)(27 + (sym - ctrl_sym) - 1);
		} else {
			return err_set(e, EINVAL, "detach keys \"%s\": unknown key \"%s\"", s, k);
		}
		keys[(*n)++] = c;
	}
	return 0;
}

struct attach_ctx {
	struct monitor_attach_opts *o;
	int exited;
};

static int attach_frame(void *arg, int type, const char *d, size_t n)
{
	struct attach_ctx *a = arg;
	int fd = type == MONITOR_FRAME_STDERR && a->o->err_fd >= 0 ? a->o->err_fd : a->o->out_fd;

	if (type == MONITOR_FRAME_EXIT) {
		a->exited = 1;
		a->o->exit_code = atoi(d);
	} else if ((type == MONITOR_FRAME_STDOUT || type == MONITOR_FRAME_STDERR) && fd >= 0 &&
		   monitor_write_full(fd, d, n) < 0)
		return -1;
	return 0;
}

static int send_resize(int sock, const struct monitor_attach_opts *o)
{
	struct winsize ws;
	char buf[32];

	if (ioctl(o->in_fd, TIOCGWINSZ, &ws) < 0 && ioctl(o->out_fd, TIOCGWINSZ, &ws) < 0)
		return 0;
	snprintf(buf, sizeof(buf), "%u %u", ws.ws_col, ws.ws_row);
	return frame_send(sock, MONITOR_FRAME_RESIZE, buf, strlen(buf));
}

int monitor_attach(const char *dir, struct monitor_attach_opts *o, struct err *e)
{
	unsigned char keys[16];
	size_t nkeys = 0, held = 0;
	_cleanup_close_ int sock = -1;
	_cleanup_close_ int sfd = -1;
	struct termios saved, raw;
	sigset_t winch, oldmask;
	int is_raw = 0, masked = 0, in_open = o->in_fd >= 0, rc = -1;
	struct frame_rd rd = { 0 };
	struct attach_ctx ac = { .o = o };

	if (detach_keys_parse(o->detach_keys, keys, &nkeys, e) < 0)
		return -1;
	sock = attach_connect(dir, e);
	if (sock < 0)
		return -1;
	if (o->tty) {
		if (o->in_fd >= 0 && isatty(o->in_fd) && tcgetattr(o->in_fd, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			is_raw = tcsetattr(o->in_fd, TCSANOW, &raw) == 0;
		}
		sigemptyset(&winch);
		sigaddset(&winch, SIGWINCH);
		masked = sigprocmask(SIG_BLOCK, &winch, &oldmask) == 0;
		sfd = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);
		if (send_resize(sock, o) < 0) {
			err_sys(e, "attach %s: send", dir);
			goto out;
		}
	}
	if (o->on_connected && o->on_connected(o->arg, e) < 0)
		goto out;
	for (;;) {
		struct pollfd p[3] = { { .fd = sock, .events = POLLIN },
				       { .fd = in_open ? o->in_fd : -1, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN } };
		char buf[16384];
		ssize_t n;

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_sys(e, "poll");
			break;
		}
		if (p[0].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				err_set(e, n < 0 ? errno : EPIPE,
					"attach %s: the monitor closed the connection", dir);
				break;
			}
			if (monitor_frame_feed(&rd, buf, (size_t)n, attach_frame, &ac) < 0) {
				err_sys(e, "attach %s: write output", dir);
				break;
			}
			if (ac.exited) {
				rc = 0;
				break;
			}
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) > 0)
				;
			send_resize(sock, o);
		}
		if (p[1].revents) {
			char out[sizeof(buf) + 16];
			size_t k = 0;
			int detach = 0;

			n = read(o->in_fd, buf, 4096);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				/* Keys held back as a possible detach go out. */
				if ((held &&
				     frame_send(sock, MONITOR_FRAME_STDIN, keys, held) < 0) ||
				    frame_send(sock, MONITOR_FRAME_EOF_STDIN, NULL, 0) < 0) {
					err_sys(e, "attach %s: send", dir);
					break;
				}
				held = 0;
				in_open = 0;
				continue;
			}
			/* Match the detach sequence in the stream; bytes of a
			 * partial match are held back until it fails. */
			for (ssize_t i = 0; i < n && !detach; i++) {
				unsigned char c = (unsigned char)buf[i];

				if (nkeys && c == keys[held]) {
					detach = ++held == nkeys;
					continue;
				}
				memcpy(out + k, keys, held);
				k += held;
				held = 0;
				if (nkeys && c == keys[0])
					held = 1;
				else
					out[k++] = (char)c;
			}
			if (k && frame_send(sock, MONITOR_FRAME_STDIN, out, k) < 0) {
				err_sys(e, "attach %s: send", dir);
				break;
			}
			if (detach) {
				rc = 1;
				break;
			}
		}
	}
out:
	if (is_raw)
		tcsetattr(o->in_fd, TCSANOW, &saved);
	if (masked)
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return rc;
}

int monitor_resize(const char *dir, unsigned width, unsigned height, struct err *e)
{
	_cleanup_close_ int sock = attach_connect(dir, e);
	char buf[32];

	if (sock < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%u %u", width, height);
	if (frame_send(sock, MONITOR_FRAME_RESIZE, buf, strlen(buf)) < 0)
		return err_sys(e, "resize %s", dir);
	return 0;
}
