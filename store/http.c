// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * http: see http.h.
 *
 * A response's body is read through r->buf in one of these modes: a
 * Content-Length (M_LEN), chunks (M_CSIZE, M_CDATA, M_CCRLF, then the
 * trailer), up to the connection's end (M_CLOSE: HTTP/1.0 style), or a
 * fetcher's pipe up to its end, then its exit status (M_PIPE).  After an
 * error every read fails again (M_ERR): a consumer that goes on never
 * sees bytes from the middle of a broken frame.
 */
#include "store/http.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BUF_SIZE 16384
#define WGET_HEADS_MAX 65536 /* what is read of wget's stderr */

enum { M_DONE, M_ERR, M_LEN, M_CSIZE, M_CDATA, M_CCRLF, M_CLOSE, M_PIPE };

/* ---- URLs ----------------------------------------------------------- */

int http_url_parse(const char *url, struct http_url *u, struct err *e)
{
	const char *p, *end, *hs, *he, *port = NULL;
	size_t pl = 0;

	*u = (struct http_url){ 0 };
	if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		p = url + 8, u->https = 1;
	else
		return err_set(e, 0, "%s: not an http:// or https:// URL", url);
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)))
		return err_set(e, 0, "%s: user names in URLs are not supported", url);
	if (*p == '[') { /* [v6]:port */
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(end - hs));
		if (!he)
			return err_set(e, 0, "%s: no ']' after an IPv6 address", url);
		if (he + 1 < end) {
			if (he[1] != ':')
				return err_set(e, 0, "%s: junk after ']'", url);
			port = he + 2;
		}
	} else {
		hs = p;
		he = memchr(p, ':', (size_t)(end - p));
		if (he)
			port = he + 1;
		else
			he = end;
	}
	if (port) {
		pl = (size_t)(end - port);
		if (pl == 0 || pl > 5 || strspn(port, "0123456789") < pl)
			return err_set(e, 0, "%s: bad port", url);
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(u->host))
		return err_set(e, 0, "%s: bad host", url);
	for (const char *c = hs; c < he; c++)
		if (!(c[0] >= 'a' && c[0] <= 'z') && !(c[0] >= 'A' && c[0] <= 'Z') &&
		    !(c[0] >= '0' && c[0] <= '9') && !strchr(".-_:%", c[0]))
			return err_set(e, 0, "%s: bad host", url);
	memcpy(u->host, hs, (size_t)(he - hs));
	snprintf(u->port, sizeof(u->port), "%.*s", (int)pl, port ? port : "");
	if (!pl)
		snprintf(u->port, sizeof(u->port), "%s", u->https ? "443" : "80");
	snprintf(u->hostport, sizeof(u->hostport), "%.*s", (int)(end - p), p);
	u->path = *end == '/' ? xstrdup(end) : xasprintf("/%s", end);
	/* never a fragment, nor a byte that would end the request line */
	u->path[strcspn(u->path, "#")] = '\0';
	for (const char *c = u->path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			http_url_free(u);
			return err_set(e, 0, "%s: a space or control character in the path", url);
		}
	return 0;
}

void http_url_free(struct http_url *u)
{
	free(u->path);
	u->path = NULL;
}

/* ---- reading --------------------------------------------------------- */

/* Data in r->buf: 1, 0 at the end, -1 on error or timeout. */
static int fill(struct http_resp *r, struct err *e)
{
	if (r->off < r->len)
		return 1;
	if (r->eof)
		return 0;
	r->off = r->len = 0;
	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		int k = poll(&p, 1, r->timeout_ms);
		ssize_t n;

		if (k < 0 && errno != EINTR)
			return err_sys(e, "poll");
		if (k == 0)
			return err_set(e, ETIMEDOUT, "no data from the server for %d s",
				       r->timeout_ms / 1000);
		if (k < 0)
			continue;
		n = read(r->fd, r->buf, BUF_SIZE);
		if (n > 0) {
			r->len = (size_t)n;
			return 1;
		}
		if (n == 0) {
			r->eof = 1;
			return 0;
		}
		if (errno != EINTR && errno != EAGAIN)
			return err_sys(e, "read from the server");
	}
}

/* A line without its CR LF into line (at most max bytes): its length. */
static int get_line(struct http_resp *r, char *line, size_t max, struct err *e)
{
	size_t n = 0;

	for (;;) {
		unsigned char *p, *nl;
		size_t take;
		int k = fill(r, e);

		if (k < 0)
			return -1;
		if (k == 0)
			return err_set(e, 0, "the server closed the connection in the middle of %s",
				       n ? "a line" : "the response");
		p = r->buf + r->off;
		nl = memchr(p, '\n', r->len - r->off);
		take = nl ? (size_t)(nl - p) : r->len - r->off;
		if (n + take > max)
			return err_set(e, 0, "a line of the response is longer than %zu bytes",
				       max);
		memcpy(line + n, p, take);
		n += take;
		r->off += take + (nl != NULL);
		if (nl)
			break;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (strlen(line) != n)
		return err_set(e, 0, "a NUL byte in the response's head");
	return (int)n;
}

static void drop_headers(struct http_resp *r)
{
	for (unsigned i = 0; i < r->nhdr; i++) {
		free(r->name[i]);
		free(r->value[i]);
	}
	r->nhdr = 0;
}

static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* "HTTP/1.1 200 OK": its status into r (HTTP/1.x; a fetcher may show
 * HTTP/2 and HTTP/3). */
static int parse_status(struct http_resp *r, const char *line, struct err *e)
{
	const char *p = line + 5;

	if (strncmp(line, "HTTP/", 5) || !(*p >= '1' && *p <= '3') ||
	    (p[1] == '.' ? !(p[2] >= '0' && p[2] <= '9') || p[3] != ' ' : p[1] != ' '))
		return err_set(e, 0, "not an HTTP response: \"%.40s\"", line);
	p = strchr(p, ' ') + 1;
	if (strspn(p, "0123456789") != 3 || (p[3] && p[3] != ' '))
		return err_set(e, 0, "a bad status line: \"%.60s\"", line);
	r->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return 0;
}

/* "Name: value" (line is edited) as one more header of r. */
static int add_header(struct http_resp *r, char *line, struct err *e)
{
	char *colon = strchr(line, ':'), *v, *end, *p;

	if (r->nhdr == HTTP_HEADERS_MAX)
		return err_set(e, 0, "more than %d header lines", HTTP_HEADERS_MAX);
	if (!colon || colon == line)
		return err_set(e, 0, "a bad header line: \"%.60s\"", line);
	for (p = line; p < colon; p++)
		if (!is_tchar(*p))
			return err_set(e, 0, "a bad header name: \"%.60s\"", line);
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	r->name[r->nhdr] = xasprintf("%.*s", (int)(colon - line), line);
	r->value[r->nhdr++] = xstrdup(v);
	return 0;
}

/* "HTTP/1.1 200 OK" and the header lines up to the empty one. */
static int read_head(struct http_resp *r, char *line, struct err *e)
{
	int n = get_line(r, line, HTTP_LINE_MAX, e);

	drop_headers(r);
	if (n < 0 || parse_status(r, line, e) < 0)
		return -1;
	while ((n = get_line(r, line, HTTP_LINE_MAX, e)) > 0)
		if (add_header(r, line, e) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

static int is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* How the body is framed, after the head. */
static int framing(struct http_resp *r, int head, struct err *e)
{
	const char *te = http_header(r, "Transfer-Encoding");
	const char *cl = NULL;

	for (unsigned i = 0; i < r->nhdr; i++) {
		if (strcasecmp(r->name[i], "Content-Length"))
			continue;
		if (cl && strcmp(cl, r->value[i]))
			return err_set(e, 0, "two different Content-Length headers");
		cl = r->value[i];
	}
	r->mode = M_CLOSE;
	if (head || r->status == 204 || r->status == 304) {
		r->mode = M_DONE;
	} else if (te) {
		if (strcasecmp(te, "chunked"))
			return err_set(e, 0, "Transfer-Encoding \"%.40s\" is not supported", te);
		r->mode = M_CSIZE;
	} else if (cl) {
		uint64_t v = 0;

		if (!*cl || strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 18)
			return err_set(e, 0, "a bad Content-Length \"%.40s\"", cl);
		for (; *cl; cl++)
			v = v * 10 + (uint64_t)(*cl - '0');
		r->left = v;
		r->mode = v ? M_LEN : M_DONE;
	}
	return 0;
}

/* The fetcher's end: its exit status, and what it said when it failed. */
static int reap(struct http_resp *r, struct err *e)
{
	int st = 0;
	char msg[256] = "";
	pid_t pid = r->pid;

	if (!pid)
		return 0;
	r->pid = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (r->errfd >= 0) {
		/* uclient-fetch's last line: the end of what it wrote */
		off_t end = r->noheads ? lseek(r->errfd, 0, SEEK_END) : 0;
		ssize_t n = pread(r->errfd, msg, sizeof(msg) - 1,
				  end > (off_t)sizeof(msg) - 1 ? end - (off_t)sizeof(msg) + 1 : 0);
		size_t pl = r->fetcher ? strlen(r->fetcher) : 0;

		char *m = msg;

		/* curl's and wget's first line (curl's further ones are advice;
		 * wget's heads, indented, are not its word); uclient-fetch's last
		 * (it says what it does first); without the fetcher's name */
		msg[n > 0 ? n : 0] = '\0';
		while (!strncmp(m, "  ", 2) && strchr(m, '\n'))
			m = strchr(m, '\n') + 1;
		if (!strncmp(m, "  ", 2))
			m = "";
		if (r->noheads) {
			size_t l = strlen(m);

			while (l && strchr("\r\n", m[l - 1]))
				m[--l] = '\0';
			while (l && !strchr("\r\n", m[l - 1]))
				l--;
			m += l;
			/* an HTTP error: its status is the answer, not a failure */
			if (WIFEXITED(st) && WEXITSTATUS(st) == 8 &&
			    sscanf(m, "HTTP error %d", &r->status) == 1 && r->status > 99 &&
			    r->status < 600) {
				r->nostatus = 0;
				return 0;
			}
		}
		memmove(msg, m, strlen(m) + 1);
		msg[strcspn(msg, "\r\n")] = '\0';
		if (pl && !strncmp(msg, r->fetcher, pl) && !strncmp(msg + pl, ": ", 2))
			memmove(msg, msg + pl + 2, strlen(msg + pl + 2) + 1);
	}
	/* GNU wget -q says nothing, nor may a failing uclient-fetch: the
	 * exit status (the same numbers) is all there is */
	if (!*msg && r->fetcher && strcmp(r->fetcher, "curl") && WIFEXITED(st)) {
		static const char *const why[] = {
			[4] = "a network failure",
			[5] = "the server's certificate is not trusted",
			[6] = "authentication required or refused",
			[8] = "the server answered with an error",
		};
		int x = WEXITSTATUS(st);

		if (x < (int)ARRAY_SIZE(why) && why[x])
			snprintf(msg, sizeof(msg), "%s", why[x]);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return err_set(e, 0, "the fetcher could not be run: %s", msg);
	return err_set(e, 0, "%s failed (%s %d)%s%s", r->fetcher ? r->fetcher : "the fetcher",
		       WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), *msg ? ": " : "", msg);
}

static ssize_t body_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct http_resp *r = (struct http_resp *)s;
	char line[1024];

	for (;;) {
		size_t take;
		int k;

		switch (r->mode) {
		case M_DONE: return 0;
		case M_ERR: return err_set(e, 0, "the response's body broke off before");
		case M_CSIZE: {
			char *p = line;
			uint64_t v = 0;
			size_t digits;

			if (get_line(r, line, sizeof(line) - 1, e) < 0)
				goto fail;
			digits = strspn(p, "0123456789abcdefABCDEF");
			if (digits == 0 || digits > 15 ||
			    (p[digits + strspn(p + digits, " \t")] &&
			     p[digits + strspn(p + digits, " \t")] != ';')) {
				err_set(e, 0, "a bad chunk size \"%.40s\"", line);
				goto fail;
			}
			for (; digits--; p++)
				v = v * 16 +
				    (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
			if (v) {
				r->left = v;
				r->mode = M_CDATA;
				continue;
			}
			/* the last chunk: the trailer up to an empty line */
			for (int i = 0;; i++) {
				int len = get_line(r, line, sizeof(line) - 1, e);

				if (len < 0)
					goto fail;
				if (len == 0)
					break;
				if (i == HTTP_HEADERS_MAX) {
					err_set(e, 0, "too many trailer lines");
					goto fail;
				}
			}
			r->mode = M_DONE;
			return 0;
		}
		case M_CCRLF:
			k = get_line(r, line, sizeof(line) - 1, e);
			if (k != 0) {
				if (k > 0)
					err_set(e, 0, "no CR LF after a chunk's data");
				goto fail;
			}
			r->mode = M_CSIZE;
			continue;
		default: break;
		}
		if (n == 0)
			return 0;
		k = fill(r, e);
		if (k < 0)
			goto fail;
		if (k == 0) {
			if (r->mode == M_LEN || r->mode == M_CDATA) {
				err_set(e, 0,
					"the server closed the connection before the end of the "
					"body");
				goto fail;
			}
			if (reap(r, e) < 0)
				goto fail;
			r->mode = M_DONE;
			return 0;
		}
		take = r->len - r->off < n ? r->len - r->off : n;
		if ((r->mode == M_LEN || r->mode == M_CDATA) && take > r->left)
			take = (size_t)r->left;
		memcpy(buf, r->buf + r->off, take);
		r->off += take;
		if (r->mode == M_LEN || r->mode == M_CDATA) {
			r->left -= take;
			if (r->left == 0)
				r->mode = r->mode == M_LEN ? M_DONE : M_CCRLF;
		}
		return (ssize_t)take;
	}
fail:
	r->mode = M_ERR;
	return -1;
}

static void resp_init(struct http_resp *r, int fd, int timeout_ms)
{
	*r = (struct http_resp){ .fd = fd, .errfd = -1, .mode = M_ERR };
	r->s.read = body_read;
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : HTTP_TIMEOUT_MS;
	r->buf = xmalloc(BUF_SIZE);
}

/* The head of the final response; pipe: a fetcher's -i output, whose
 * redirects it followed itself. */
static int read_resp(struct http_resp *r, int head, int pipe, struct err *e)
{
	_cleanup_free_ char *line = xmalloc(HTTP_LINE_MAX + 1);

	for (int i = 0;; i++) {
		if (read_head(r, line, e) < 0) {
			/* a fetcher that ended early says why (TLS, connect) */
			if (pipe && r->eof)
				reap(r, e);
			return -1;
		}
		if (i < 2 * HTTP_REDIRECTS_MAX + 2 &&
		    (r->status / 100 == 1 ||
		     (pipe && is_redirect(r->status) && http_header(r, "Location"))))
			continue;
		break;
	}
	if (pipe) {
		r->mode = M_PIPE;
		return 0;
	}
	return framing(r, head, e);
}

int http_resp_read(struct http_resp *r, int fd, int head, int timeout_ms, struct err *e)
{
	resp_init(r, fd, timeout_ms);
	return read_resp(r, head, 0, e);
}

const char *http_header(const struct http_resp *r, const char *name)
{
	for (unsigned i = 0; i < r->nhdr; i++)
		if (!strcasecmp(r->name[i], name))
			return r->value[i];
	return NULL;
}

void http_resp_free(struct http_resp *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		reap(r, NULL);
	}
	if (r->fd >= 0)
		close(r->fd);
	if (r->errfd >= 0)
		close(r->errfd);
	drop_headers(r);
	free(r->buf);
	free(r->url);
	*r = (struct http_resp){ .fd = -1, .errfd = -1 };
}

char *http_read_body(struct http_resp *r, size_t max, size_t *len, struct err *e)
{
	size_t n = 0, cap = 4096;
	char *b = xmalloc(cap + 1);

	for (;;) {
		ssize_t k;

		if (n == cap) {
			if (cap > max) {
				free(b);
				err_set(e, 0, "a response larger than %zu bytes", max);
				return NULL;
			}
			cap *= 2;
			b = xrealloc(b, cap + 1);
		}
		k = r->s.read(&r->s, b + n, cap - n, e);
		if (k < 0) {
			free(b);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > max) {
		free(b);
		err_set(e, 0, "a response larger than %zu bytes", max);
		return NULL;
	}
	b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

/* ---- plain http ------------------------------------------------------- */

static int wait_fd(int fd, short ev, int timeout_ms, struct err *e)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int k;

	while ((k = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (k < 0)
		return err_sys(e, "poll");
	if (k == 0)
		return err_set(e, ETIMEDOUT, "timed out after %d s", timeout_ms / 1000);
	return 0;
}

static int tcp_connect(const struct http_url *u, int timeout_ms, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *a;
	int fd = -1, rc = getaddrinfo(u->host, u->port, &hints, &res), saved = 0;

	if (rc)
		return err_set(e, 0, "resolve %s: %s", u->host, gai_strerror(rc));
	for (a = res; a && fd < 0; a = a->ai_next) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			if (wait_fd(fd, POLLOUT, timeout_ms, NULL) < 0)
				soerr = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
				soerr = errno;
			if (soerr == 0)
				break;
		} else {
			soerr = errno;
		}
		saved = soerr;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, saved, "connect to %s", u->hostport);
	return fd;
}

static int send_all(int fd, const char *p, size_t n, int timeout_ms, struct err *e)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno != EINTR && errno != EAGAIN)
			return err_sys(e, "send the request");
		if (k < 0 && errno == EAGAIN && wait_fd(fd, POLLOUT, timeout_ms, e) < 0)
			return -1;
		if (k > 0)
			p += k, n -= (size_t)k;
	}
	return 0;
}

static int header_ok(const char *h, struct err *e)
{
	if (strpbrk(h, "\r\n"))
		return err_set(e, 0, "a request header with a line break");
	return 0;
}

static int fetch_tcp(const struct http_url *u, const char *method, char *const *hdrs,
		     int timeout_ms, struct http_resp *r, struct err *e)
{
	_cleanup_free_ char *req = xasprintf("%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: nook/%s\r\n"
					     "Connection: close\r\n",
					     method, u->path, u->hostport, NOOK_VERSION);
	int fd;

	for (size_t i = 0; hdrs && hdrs[i]; i++) {
		char *t;

		if (header_ok(hdrs[i], e) < 0)
			return -1;
		t = xasprintf("%s%s\r\n", req, hdrs[i]);
		free(req);
		req = t;
	}
	fd = tcp_connect(u, timeout_ms, e);
	if (fd < 0)
		return -1;
	r->fd = fd;
	if (send_all(fd, req, strlen(req), timeout_ms, e) < 0 ||
	    send_all(fd, "\r\n", 2, timeout_ms, e) < 0)
		return -1;
	return read_resp(r, !strcmp(method, "HEAD"), 0, e);
}

/* ---- https: the device's fetcher ---------------------------------------- */

static char *find_prog(const char *name)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *p = xasprintf("%.*s/%s", (int)n, n ? path : ".", name);

		if (access(p, X_OK) == 0)
			return p;
		free(p);
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* A value in double quotes for curl's config file. */
static char *curl_quote(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 3), *o = out;

	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* GNU wget -S writes the head of each response it gets to its stderr,
 * each line indented by two spaces, before any of the body: the last
 * one's status and headers into r.  0 when it showed one. */
static int wget_head(struct http_resp *r)
{
	_cleanup_free_ char *buf = xmalloc(WGET_HEADS_MAX + 1);
	ssize_t n = pread(r->errfd, buf, WGET_HEADS_MAX, 0);
	int found = 0;

	buf[n > 0 ? n : 0] = '\0';
	for (char *line = buf, *next; *line; line = next) {
		size_t len = strcspn(line, "\n");

		next = line + len + (line[len] == '\n');
		line[len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (strncmp(line, "  ", 2))
			continue;
		if (!strncmp(line + 2, "HTTP/", 5)) {
			drop_headers(r);
			found = parse_status(r, line + 2, NULL) == 0;
		} else if (found) {
			add_header(r, line + 2, NULL); /* a line it cannot be is left out */
		}
	}
	if (found)
		return 0;
	drop_headers(r);
	r->status = 200;
	return -1;
}

static int fetch_external(const struct http_request *q, const char *url, const char *method,
			  char *const *hdrs, int timeout_ms, struct http_resp *r, struct err *e)
{
	static const char *const progs[] = { "curl", "uclient-fetch", "wget" };
	_cleanup_free_ char *prog = NULL, *cfg = xstrdup(""), *tmo = NULL;
	_cleanup_strv_ char **argv = xcalloc(1, sizeof(char *));
	int curl = 0, out[2] = { -1, -1 }, in[2] = { -1, -1 };
	const char *name = NULL;
	pid_t pid;

	for (size_t i = 0; i < ARRAY_SIZE(progs) && !prog; i++)
		if ((prog = find_prog(progs[i])))
			name = progs[i];
	if (!prog)
		return err_set(e, 0,
			       "%s: nook has no TLS of its own and fetches https with curl, "
			       "uclient-fetch or wget: none of them is installed (or use "
			       "--tls-verify=false for a plain-http registry)",
			       url);
	curl = !strcmp(name, "curl");
	tmo = xasprintf("%d", (timeout_ms + 999) / 1000);
	strv_push(&argv, name);
	if (curl) {
		static const char *const a[] = { "-sS",	   "-i",
						 "-L",	   "--max-redirs",
						 "5",	   "--proto",
						 "=https", "--proto-redir",
						 "=https", "--suppress-connect-headers",
						 "-K",	   "-" };
		_cleanup_free_ char *uq = curl_quote(url);

		for (size_t i = 0; i < ARRAY_SIZE(a); i++)
			strv_push(&argv, a[i]);
		_cleanup_free_ char *ca = q->cafile ? curl_quote(q->cafile) : NULL;

		free(cfg);
		cfg = xasprintf("url = %s\nconnect-timeout = %s\nspeed-time = %s\nspeed-limit = "
				"1\n%s%s%s%s%s",
				uq, tmo, tmo, strcmp(method, "HEAD") ? "" : "head\n",
				q->insecure ? "insecure\n" : "", ca ? "cacert = " : "",
				ca ? ca : "", ca ? "\n" : "");
	} else if (!strcmp(name, "wget")) {
		/* its heads on stderr; a redirect is ours to follow (GNU wget
		 * sends an Authorization header to any host it is sent to) */
		static const char *const a[] = { "-q", "-S", "--max-redirect=0" };

		for (size_t i = 0; i < ARRAY_SIZE(a); i++)
			strv_push(&argv, a[i]);
	} /* uclient-fetch without -q: "HTTP error 401" is the only status it shows */
	if (!curl) {
		strv_push(&argv, "-O");
		strv_push(&argv, "-");
		strv_push(&argv, "-T");
		strv_push(&argv, tmo);
		if (q->insecure) {
			strv_push(&argv, "--no-check-certificate");
		} else if (q->cafile) {
			char *t = xasprintf("--ca-certificate=%s", q->cafile);

			strv_push(&argv, t);
			free(t);
		}
	}
	for (size_t i = 0; hdrs && hdrs[i]; i++) {
		if (header_ok(hdrs[i], e) < 0)
			return -1;
		if (curl) {
			_cleanup_free_ char *hq = curl_quote(hdrs[i]);
			char *t = xasprintf("%sheader = %s\n", cfg, hq);

			free(cfg);
			cfg = t;
		} else {
			char *t = xasprintf("--header=%s", hdrs[i]);

			strv_push(&argv, t);
			free(t);
		}
	}
	if (!curl)
		strv_push(&argv, url);
	r->errfd = memfd_create("nook-fetch", MFD_CLOEXEC);
	if (r->errfd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0) {
		err_sys(e, "pipe for %s", name);
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(e, "fork %s", name);
		goto fail;
	}
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || dup2(r->errfd, 2) < 0)
			_exit(127);
		execv(prog, argv);
		dprintf(2, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	r->pid = pid;
	r->fetcher = name;
	close(out[1]);
	close(in[0]);
	r->fd = out[0];
	if (curl) /* a few hundred bytes: the pipe takes them whole */
		write_all(in[1], cfg, strlen(cfg));
	close(in[1]);
	r->timeout_ms = 2 * r->timeout_ms + 5000; /* the fetcher's own come first */
	if (curl)
		return read_resp(r, 0, 1, e);
	/* uclient-fetch shows no heads: a body (200), or an exit status and
	 * a last line that say why not; wget's heads are on its stderr
	 * before the body */
	r->status = 200;
	r->nostatus = r->norange = 1;
	r->noheads = name[0] == 'u';
	r->mode = M_PIPE;
	if (fill(r, e) < 0)
		return -1;
	if (!strcmp(name, "wget") && wget_head(r) == 0) {
		r->nostatus = 0;
		if (r->status / 100 != 2) {
			/* no body: wget ends (its status 6 or 8) for an error */
			while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
				;
			r->pid = 0;
			r->mode = M_DONE;
			return 0;
		}
	}
	if (r->off == r->len && reap(r, e) < 0)
		return -1;
	if (r->status != 200)
		r->mode = M_DONE; /* uclient-fetch's HTTP error: no body */
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (in[i] >= 0)
			close(in[i]);
	}
	return -1;
}

/* ---- requests --------------------------------------------------------- */

/* Location against the URL it came from: absolute, or a path on the same
 * server ("/v2/..."); NULL when it is something else. */
static char *resolve(const struct http_url *u, const char *loc)
{
	if (!strncasecmp(loc, "http://", 7) || !strncasecmp(loc, "https://", 8))
		return xstrdup(loc);
	if (loc[0] == '/' && loc[1] == '/')
		return xasprintf("%s:%s", u->https ? "https" : "http", loc);
	if (loc[0] == '/')
		return xasprintf("%s://%s%s", u->https ? "https" : "http", u->hostport, loc);
	return NULL;
}

int http_request(const struct http_request *q, struct http_resp *r, struct err *e)
{
	const char *method = q->method ? q->method : "GET";
	_cleanup_free_ char *url = xstrdup(q->url);
	_cleanup_strv_ char **hdrs = q->headers ? strv_dup(q->headers) : xcalloc(1, sizeof(char *));
	char first_host[272] = "";
	struct http_request hop_q = *q;
	int was_https = 0;

	resp_init(r, -1, q->timeout_ms);
	for (int hop = 0;; hop++) {
		struct http_url u;
		const char *loc;
		char *next;
		int rc;

		if (http_url_parse(url, &u, e) < 0)
			return -1;
		if (was_https && !u.https) { /* as curl --proto-redir =https */
			http_url_free(&u);
			return err_set(e, 0, "%s %s: a redirect from https to %.100s", method,
				       q->url, url);
		}
		was_https = u.https;
		if (!first_host[0])
			snprintf(first_host, sizeof(first_host), "%s", u.hostport);
		/* credentials and the server's own CA stay with the server they
		 * were meant for */
		if (strcasecmp(first_host, u.hostport)) {
			hop_q.cafile = NULL;
			for (size_t i = 0; hdrs[i]; i++)
				if (!strncasecmp(hdrs[i], "Authorization:", 14)) {
					free(hdrs[i]);
					memmove(hdrs + i, hdrs + i + 1,
						(strv_len(hdrs + i + 1) + 1) * sizeof(char *));
					i--;
				}
		}
		rc = u.https ? fetch_external(&hop_q, url, method, hdrs, r->timeout_ms, r, e)
			     : fetch_tcp(&u, method, hdrs, r->timeout_ms, r, e);
		loc = rc == 0 ? http_header(r, "Location") : NULL;
		next = loc && is_redirect(r->status) ? resolve(&u, loc) : NULL;
		http_url_free(&u);
		if (rc < 0)
			return err_wrap(e, "%s %s", method, url);
		if (!is_redirect(r->status) || !loc || r->pid) {
			free(next);
			r->url = steal_ptr(url);
			return 0;
		}
		if (!next)
			return err_set(e, 0, "%s %s: a redirect to \"%.100s\"", method, url, loc);
		if (hop == HTTP_REDIRECTS_MAX) {
			free(next);
			return err_set(e, 0, "%s %s: more than %d redirects", method, q->url,
				       HTTP_REDIRECTS_MAX);
		}
		{
			int t = r->timeout_ms;

			http_resp_free(r);
			resp_init(r, -1, t);
		}
		free(url);
		url = next;
	}
}

/* ---- base64 ------------------------------------------------------------ */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *p, size_t n)
{
	const unsigned char *s = p;
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
			     (i + 2 < n ? s[i + 2] : 0);

		*o++ = b64[v >> 18];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

char *base64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), k = 0;
	char *out;
	uint32_t v = 0;
	int bits = 0;

	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1 || strlen(s) - len > 2)
		return NULL;
	out = xmalloc(len * 3 / 4 + 1);
	for (size_t i = 0; i < len; i++) {
		const char *c = s[i] ? strchr(b64, s[i]) : NULL;

		if (!c) {
			free(out);
			return NULL;
		}
		v = v << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)(v >> bits);
		}
	}
	out[k] = '\0';
	if (n)
		*n = k;
	return out;
}
