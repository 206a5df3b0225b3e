// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * api: `nook system service`, podman's API service cut down to what a
 * router needs: the lifecycle contract's http_attach (engine/LIFECYCLE.md)
 * over a unix socket, plus /_ping and /version, which clients probe first.
 *
 * One process accepts; each connection is served by a forked child (a
 * router has few clients, and a child that dies takes nothing with it).
 * The child reads one request, answers it and closes: no keep-alive.  An
 * attach hijacks the connection: after the status line the socket carries
 * the container's output (docker's framing without a tty: an 8-byte header
 * per chunk, stream byte 1 stdout / 2 stderr, 3 zero bytes, big-endian
 * length; raw bytes with a tty) and, with stdin=1, what the client sends
 * goes to the container's stdin.
 *
 * The log replay is monitor_logs() into two memfds: it buffers each stream
 * apart, so the replay gives stdout before stderr (podman 4.3 does the
 * same).  The live stream is engine_attach() (lock, state check, attach
 * event, the monitor's attach socket) in a grandchild whose stdout and
 * stderr are pipes that the child frames.  Output written between the end
 * of the replay and the attach is in the log but not streamed.
 *
 * Hazards: a child must not outlive its parent (PR_SET_PDEATHSIG: the
 * grandchild holds a monitor client slot), and the service removes its
 * socket only when it created it and exits by itself (idle or signal).
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "engine/api.h"
#include "engine/container.h"
#include "engine/ctr.h"
#include "engine/events.h"
#include "monitor/monitor.h"
#include "oci/log.h"

#define API_VERSION "1.41"
#define REQ_MAX 8192
#define CONN_MAX 32
#define REQ_TIMEOUT_MS 30000
#define CHUNK 16384

struct api {
	struct engine en;
	int opened;
};

struct conn {
	int fd;
	int head; /* HEAD: no body */
	int upgrade; /* the client sent Upgrade: tcp */
	char *method, *target, *query;
	size_t len, hdr_end; /* bytes in buf; first byte after the headers */
	char buf[REQ_MAX + 1];
};

struct attach_q {
	int logs, stream, in, out, err, std_given;
	const char *keys;
};

/* One chunk of a hijacked stream: stream 0 raw (tty), 1 stdout, 2 stderr. */
static int send_chunk(int fd, int stream, const char *p, size_t n)
{
	unsigned char h[8] = { (unsigned char)stream }; /* 3 zero bytes, then the length */

	for (int i = 0; i < 4; i++)
		h[4 + i] = (unsigned char)(n >> (24 - 8 * i));

	if (stream && write_all(fd, h, sizeof(h)) < 0)
		return -1;
	return write_all(fd, p, n);
}

/* ---- responses -------------------------------------------------------- */

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static int respond(struct conn *c, int code, const char *ctype, const char *body)
{
	char h[320];
	size_t n = strlen(body);
	int k = snprintf(h, sizeof(h),
			 "HTTP/1.1 %d %s\r\nApi-Version: " API_VERSION
			 "\r\nLibpod-Api-Version: 4.0.0\r\nServer: nook/" NOOK_VERSION
			 "\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 code, reason(code), ctype, n);

	if (write_all(c->fd, h, (size_t)k) == 0 && !c->head)
		write_all(c->fd, body, n);
	return 0;
}

static int json_respond(struct conn *c, int code, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	respond(c, code, "application/json", s ? s : "{}");
	free(s);
	cJSON_Delete(j);
	return 0;
}

/* podman's error body: {"cause":..., "message":..., "response":CODE}. */
static int respond_err(struct conn *c, int code, const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int respond_err(struct conn *c, int code, const char *cause, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	cJSON *j = cJSON_CreateObject();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(j, "cause", cause);
	cJSON_AddStringToObject(j, "message", msg);
	cJSON_AddNumberToObject(j, "response", code);
	return json_respond(c, code, j);
}

static int version(struct conn *c)
{
	struct utsname u;
	const char *m = uname(&u) == 0 ? u.machine : "unknown";
	cJSON *j = cJSON_CreateObject();
	cJSON *comp = cJSON_AddArrayToObject(j, "Components");
	cJSON *one = cJSON_CreateObject();

	/* Go's names for the architectures that differ from the kernel's. */
	if (strcmp(m, "x86_64") == 0)
		m = "amd64";
	else if (strcmp(m, "aarch64") == 0)
		m = "arm64";
	else if (strncmp(m, "arm", 3) == 0)
		m = "arm";
	cJSON_AddStringToObject(one, "Name", "nook");
	cJSON_AddStringToObject(one, "Version", NOOK_VERSION);
	cJSON_AddItemToArray(comp, one);
	cJSON_AddStringToObject(j, "Version", NOOK_VERSION);
	cJSON_AddStringToObject(j, "ApiVersion", API_VERSION);
	cJSON_AddStringToObject(j, "MinAPIVersion", "1.24");
	cJSON_AddStringToObject(j, "Os", "linux");
	cJSON_AddStringToObject(j, "Arch", m);
	cJSON_AddStringToObject(j, "KernelVersion", u.release);
	return json_respond(c, 200, j);
}

/* ---- requests --------------------------------------------------------- */

static void pct_decode(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char h[3] = { s[1], s[2], '\0' };

			*d++ = (char)strtol(h, NULL, 16);
			s += 2;
		} else {
			*d++ = *s == '+' ? ' ' : *s;
		}
	}
	*d = '\0';
}

/* Read up to the blank line; what follows it stays in buf (stdin). */
static int read_request(struct conn *c, const char **why)
{
	int64_t deadline = sys_mono_ms() + REQ_TIMEOUT_MS;

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int64_t left = deadline - sys_mono_ms();
		ssize_t n;

		for (size_t i = c->hdr_end; i < c->len; i++) {
			if (c->buf[i] != '\n')
				continue;
			if (i + 1 < c->len && c->buf[i + 1] == '\n') {
				c->hdr_end = i + 2;
				return 0;
			}
			if (i + 2 < c->len && c->buf[i + 1] == '\r' && c->buf[i + 2] == '\n') {
				c->hdr_end = i + 3;
				return 0;
			}
		}
		c->hdr_end = c->len > 2 ? c->len - 2 : 0; /* scan again from here */
		if (c->len == REQ_MAX) {
			*why = "request header larger than 8192 bytes";
			return -1;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			*why = NULL; /* too slow: just close */
			return -1;
		}
		n = read(c->fd, c->buf + c->len, REQ_MAX - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = NULL;
			return -1;
		}
		c->len += (size_t)n;
	}
}

static int parse_request(struct conn *c, const char **why)
{
	char *line = c->buf, *next, *sp;

	c->buf[c->hdr_end - 1] = '\0';
	next = strchr(line, '\n');
	*next++ = '\0';
	line[strcspn(line, "\r")] = '\0';
	*why = "malformed request line (want METHOD TARGET HTTP/1.x)";
	c->method = line;
	sp = strchr(line, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	c->target = sp + 1;
	sp = strchr(c->target, ' ');
	if (!sp || strncmp(sp + 1, "HTTP/1.", 7) != 0 || c->target[0] != '/')
		return -1;
	*sp = '\0';
	c->query = strchr(c->target, '?');
	if (c->query)
		*c->query++ = '\0';
	c->head = strcmp(c->method, "HEAD") == 0;
	for (line = next; line && *line && *line != '\r'; line = next) {
		char *colon, *v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		colon = strchr(line, ':');
		if (!colon) {
			*why = "malformed header line (want NAME: VALUE)";
			return -1;
		}
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Upgrade") == 0 && strcasestr(v, "tcp"))
			c->upgrade = 1;
	}
	return 0;
}

/* Booleans as podman takes them (Go's ParseBool); empty is false. */
static int parse_bool(const char *v, int *out)
{
	static const char *const words[] = { "1", "t", "true", "0", "f", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (strcasecmp(v, words[i]) == 0) {
			*out = i < 3;
			return 0;
		}
	}
	*out = 0;
	return *v ? -1 : 0;
}

static int parse_query(char *q, struct attach_q *a, char *why, size_t wlen)
{
	char *save = NULL;

	for (char *kv = q ? strtok_r(q, "&", &save) : NULL; kv; kv = strtok_r(NULL, "&", &save)) {
		char *v = strchr(kv, '=');
		int *b = NULL;

		if (v)
			*v++ = '\0';
		else
			v = kv + strlen(kv); /* "" */
		pct_decode(kv);
		pct_decode(v);
		if (strcmp(kv, "logs") == 0)
			b = &a->logs;
		else if (strcmp(kv, "stream") == 0)
			b = &a->stream;
		else if (strcmp(kv, "stdin") == 0)
			b = &a->in;
		else if (strcmp(kv, "stdout") == 0)
			b = &a->out;
		else if (strcmp(kv, "stderr") == 0)
			b = &a->err;
		else if (strcmp(kv, "detachKeys") == 0)
			a->keys = v;
		if (b && parse_bool(v, b) < 0) {
			snprintf(why, wlen,
				 "invalid value \"%.64s\" for \"%s\": want true, false, 1 or 0", v,
				 kv);
			return -1;
		}
		if (b && b != &a->logs && b != &a->stream)
			a->std_given = 1;
	}
	return 0;
}

/* ---- attach ----------------------------------------------------------- */

/* Send the container's log: monitor_logs() splits it by stream into two
 * memfds (one with a tty: it is all stdout), framed on the way out. */
static int replay(struct api *a, struct conn *c, const char *id, int tty, const struct attach_q *q)
{
	_cleanup_free_ char *dir = store_run_path(&a->en.st, id, NULL);
	_cleanup_close_ int mo = memfd_create("nook-out", MFD_CLOEXEC);
	_cleanup_close_ int me = memfd_create("nook-err", MFD_CLOEXEC);
	struct monitor_logs_opts lo = { .tail = -1 };
	struct err e = { 0 };
	int fds[2] = { mo, me };
	char buf[CHUNK];

	if (mo < 0 || me < 0) {
		log_msg(LOGL_WARN, "logs of %.12s: memfd_create: %s", id, strerror(errno));
		return -1;
	}
	if (monitor_logs(dir, &lo, q->out ? mo : -1, q->err && !tty ? me : -1, &e) < 0) {
		char m[600];

		/* A container whose directory is gone has no log: not an error. */
		if (e.errnum != ENOENT)
			log_msg(LOGL_WARN, "logs of %s: %s", id, err_str(&e, m, sizeof(m)));
		return 0;
	}
	for (int s = 0; s < 2; s++) {
		ssize_t n;

		lseek(fds[s], 0, SEEK_SET);
		while ((n = read(fds[s], buf, sizeof(buf))) > 0)
			if (send_chunk(c->fd, tty ? 0 : s + 1, buf, (size_t)n) < 0)
				return -1;
	}
	return 0;
}

/* The grandchild: engine_attach() with pipes for stdio. */
static __attribute__((noreturn)) void attach_child(struct api *a, const char *id, int in, int out,
						   int err, const struct attach_q *q)
{
	struct engine_attach at = { .in_fd = in, .out_fd = out, .err_fd = err };
	struct err e = { 0 };
	char m[600];
	int code;

	/* Detach keys only mean something with stdin; unparsable ones
	 * would end an attach without stdin too. */
	at.detach_keys = in >= 0 ? q->keys : NULL;
	if (engine_attach(&a->en, id, &at, &code, &e) < 0) {
		fprintf(stderr, "Error: http attach %.12s: %s\n", id, err_str(&e, m, sizeof(m)));
		_exit(1);
	}
	_exit(0);
}

/* Relay until the grandchild's pipes close (the container exited, or the
 * attach ended) or the client goes away. */
static void stream(struct api *a, struct conn *c, const char *id, int tty, const struct attach_q *q)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	char pend[CHUNK], buf[CHUNK];
	size_t plen = 0, poff = 0;
	int cl_open = 1, gone = 0;
	pid_t pid;

	if ((q->in && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		log_msg(LOGL_WARN, "http attach %.12s: pipe: %s", id, strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		close(c->fd);
		if (in[1] >= 0)
			close(in[1]);
		close(out[0]);
		close(err[0]);
		attach_child(a, id, in[0], out[1], tty ? out[1] : err[1], q);
	}
	if (pid < 0) {
		log_msg(LOGL_WARN, "http attach %.12s: fork: %s", id, strerror(errno));
		goto out;
	}
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;
	if (in[0] >= 0) {
		close(in[0]);
		in[0] = -1;
		fcntl(in[1], F_SETFL, O_NONBLOCK);
		/* What the client sent after its headers is stdin already. */
		plen = c->len - c->hdr_end;
		memcpy(pend, c->buf + c->hdr_end, plen);
	}
	while (out[0] >= 0 || err[0] >= 0) {
		struct pollfd p[4] = { { .fd = out[0], .events = POLLIN },
				       { .fd = err[0], .events = POLLIN },
				       { .fd = cl_open && !plen ? c->fd : -1, .events = POLLIN },
				       { .fd = plen ? in[1] : -1, .events = POLLOUT } };
		int *rd[2] = { &out[0], &err[0] };
		ssize_t n;

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int s = 0; s < 2; s++) {
			if (!p[s].revents)
				continue;
			n = read(*rd[s], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(*rd[s]);
				*rd[s] = -1;
			} else if ((s == 0 ? q->out : q->err) &&
				   send_chunk(c->fd, tty ? 0 : s + 1, buf, (size_t)n) < 0) {
				gone = 1; /* the client went away */
				break;
			}
		}
		if (gone)
			break;
		if (p[2].revents) {
			n = read(c->fd, pend, sizeof(pend));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 && !q->in) {
				gone = 1;
				break;
			}
			if (n <= 0) {
				/* The client is done sending: stdin closes, the
				 * output keeps coming. */
				cl_open = 0;
				close(in[1]);
				in[1] = -1;
			} else {
				plen = q->in ? (size_t)n : 0;
				poff = 0;
			}
		}
		if (p[3].revents) {
			n = write(in[1], pend + poff, plen - poff);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0)
				plen = 0; /* the attach ended: its output tells */
			else if ((poff += (size_t)n) == plen)
				plen = 0;
		}
	}
	if (gone)
		kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
}

static int attach(struct api *a, struct conn *c, const char *ref)
{
	struct attach_q q = { .stream = 1 }; /* podman's default */
	struct err e = { 0 };
	char why[160], hdr[200];
	struct engine_status es;
	_cleanup_free_ char *name = NULL;
	const char *state, *id;
	int tty, live;

	if (parse_query(c->query, &q, why, sizeof(why)) < 0)
		return respond_err(c, 400, "invalid argument", "%s", why);
	if (!q.logs && !q.stream)
		return respond_err(c, 400, "invalid argument",
				   "at least one of logs or stream must be set");
	if (!q.std_given)
		q.out = q.err = 1;
	if (engine_status(&a->en, ref, &es, &e) < 0) {
		char m[600];

		err_str(&e, m, sizeof(m));
		return respond_err(c, err_kind_info(e.kind)->http, err_kind_info(e.kind)->cause,
				   "%s", m);
	}
	state = es.status;
	tty = es.tty;
	id = es.id;
	name = es.name;
	live = strcmp(state, "created") == 0 || strcmp(state, "running") == 0;
	/* A log can be replayed from any state that has run (engine/LIFECYCLE.md:
	 * exited containers can be attached to for their logs). */
	if (q.stream ? !live
		     : strcmp(state, "configured") == 0 || strcmp(state, "removing") == 0 ||
			       strcmp(state, "unknown") == 0) {
		respond_err(c, err_kind_info(ERRK_STATE_INVALID)->http,
			    err_kind_info(ERRK_STATE_INVALID)->cause,
			    "cannot attach to container %s: container state is %s%s", name, state,
			    q.stream && q.logs ? " (logs=1&stream=0 replays its log)" : "");
		return 0;
	}
	snprintf(hdr, sizeof(hdr),
		 c->upgrade ? "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\n"
			      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
			    : "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n",
		 tty ? "application/vnd.docker.raw-stream"
		     : "application/vnd.docker.multiplexed-stream");
	if (write_all(c->fd, hdr, strlen(hdr)) < 0)
		return 0;
	if (!q.stream && events_append(&a->en.st, "attach", id, name, NULL, &e) < 0) {
		char m[600];

		log_msg(LOGL_WARN, "event attach: %s", err_str(&e, m, sizeof(m)));
	}
	if (q.logs && replay(a, c, id, tty, &q) < 0)
		return 0;
	if (q.stream)
		stream(a, c, id, tty, &q); /* engine_attach appends the event */
	return 0;
}

/* ---- routing ---------------------------------------------------------- */

static int serve(struct api *a, struct conn *c)
{
	const char *why = NULL;
	char *p, *name, *slash;
	int get;

	if (read_request(c, &why) < 0) {
		return why ? respond_err(c, 400, "bad request", "%s", why) : 0;
	}
	if (parse_request(c, &why) < 0)
		return respond_err(c, 400, "bad request", "%s", why);
	get = strcmp(c->method, "GET") == 0 || c->head;
	p = c->target;
	/* /v1.41/..., /v4.0.0/libpod/..., and the unversioned forms */
	if (p[1] == 'v' && isdigit((unsigned char)p[2])) {
		p = strchr(p + 1, '/');
		if (!p)
			return respond_err(c, 404, "not found", "no such endpoint: %s %s",
					   c->method, c->target);
	}
	if (strncmp(p, "/libpod/", 8) == 0)
		p += 7;
	if (strcmp(p, "/_ping") == 0 && get)
		return respond(c, 200, "text/plain; charset=utf-8", "OK");
	if (strcmp(p, "/version") == 0 && get)
		return version(c);
	if (strncmp(p, "/containers/", 12) == 0) {
		name = p + 12;
		slash = name + strcspn(name, "/"); /* strchr: a false -Wstringop-overread */
		if (*slash && slash > name && strcmp(slash, "/attach") == 0) {
			if (strcmp(c->method, "POST") != 0)
				return respond_err(c, 405, "method not allowed",
						   "%s %s: attach takes POST", c->method,
						   c->target);
			*slash = '\0';
			pct_decode(name);
			return attach(a, c, name);
		}
	}
	if (strcmp(p, "/_ping") == 0 || strcmp(p, "/version") == 0)
		return respond_err(c, 405, "method not allowed", "%s %s: takes GET", c->method,
				   c->target);
	return respond_err(c, 404, "not found", "no such endpoint: %s %s", c->method, c->target);
}

/* ---- the service ------------------------------------------------------ */

static int listen_on(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	struct stat stb;
	mode_t um;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, ENAMETOOLONG, "socket path %s: longer than %zu bytes", path,
			       sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	if (lstat(path, &stb) == 0) {
		_cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (!S_ISSOCK(stb.st_mode))
			return err_set(e, EEXIST, "%s exists and is not a socket: not replacing it",
				       path);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return err_set(e, EADDRINUSE, "%s: a service already listens there", path);
		if (unlink(path) < 0)
			return err_sys(e, "remove stale socket %s", path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(e, "socket");
	/* The API is root's power over the containers: root only, from the
	 * start (no window between bind and chmod). */
	um = umask(0077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(um);
	if (r < 0)
		return err_sys(e, "bind %s", path);
	if (listen(fd, 16) < 0) {
		err_sys(e, "listen %s", path);
		unlink(path);
		return -1;
	}
	return steal_fd(fd);
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: system service: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'nook system service --help')\n");
	return 125;
}

static const char help[] =
	"usage: nook system service [--time SECONDS] [URI]\n"
	"Serve the API (podman's and docker's POST /containers/NAME/attach, /_ping,\n"
	"/version) on URI, unix:///PATH (default unix://<runroot>/nook.sock).\n"
	"  -t, --time SECONDS  exit after SECONDS without a connection (default 5,\n"
	"                      0 = never); SIGTERM and SIGINT end it too";

int api_service_main(const char *root, const char *runroot, int argc, char **argv)
{
	static const struct option lo[] = { { "time", required_argument, NULL, 't' },
					    { "timeout", required_argument, NULL, 't' },
					    { "help", no_argument, NULL, 'h' },
					    { 0 } };
	struct api a = { 0 };
	struct err e = { 0 };
	_cleanup_free_ char *path = NULL;
	pid_t conns[CONN_MAX];
	int nconn = 0, lfd = -1, sfd = -1, ch, rc = 125;
	long idle = 5;
	sigset_t mask, old;
	int64_t last;
	char *end;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+t:h", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			errno = 0;
			idle = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || idle < 0 || idle > 86400 * 365)
				return usage_err("invalid --time \"%s\" (seconds, 0 = forever)",
						 optarg);
			break;
		case 'h': puts(help); return 0;
		default: return usage_err("invalid option");
		}
	}
	if (argc - optind > 1)
		return usage_err("takes at most one URI, got \"%s\" too", argv[optind + 1]);
	if (optind < argc && (strncmp(argv[optind], "unix://", 7) != 0 || argv[optind][7] != '/'))
		return usage_err("unsupported URI \"%s\": want unix:///PATH", argv[optind]);
	if (engine_open(&a.en, root, runroot, &e) < 0)
		goto out;
	a.opened = 1;
	path = optind < argc ? xstrdup(argv[optind] + 7)
			     : xasprintf("%s/nook.sock", a.en.st.runroot);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		err_sys(&e, "signalfd");
		goto out;
	}
	lfd = listen_on(path, &e);
	if (lfd < 0)
		goto out;
	rc = 0;
	last = sys_mono_ms();
	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN },
				       { .fd = sfd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int timeout = -1, stop = 0, fd;
		pid_t pid;

		if (idle > 0 && nconn == 0) {
			int64_t left = last + (int64_t)idle * 1000 - sys_mono_ms();

			if (left <= 0)
				break;
			timeout = left > 3600000 ? 3600000 : (int)left;
		}
		if (poll(p, 2, timeout) < 0 && errno != EINTR) {
			err_sys(&e, "poll");
			rc = 125;
			break;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			stop |= si.ssi_signo != SIGCHLD;
		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
			for (int i = 0; i < nconn; i++)
				if (conns[i] == pid)
					conns[i--] = conns[--nconn];
			if (nconn == 0)
				last = sys_mono_ms();
		}
		if (stop)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (nconn == CONN_MAX) {
			struct conn busy = { .fd = fd };

			respond_err(&busy, 503, "too many connections", "%d connections at once",
				    CONN_MAX);
			close(fd);
			continue;
		}
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid == 0) {
			static struct conn c; /* 8 KiB: not on the stack */

			prctl(PR_SET_PDEATHSIG, SIGTERM);
			sigprocmask(SIG_SETMASK, &old, NULL);
			close(lfd);
			close(sfd);
			c.fd = fd;
			serve(&a, &c);
			_exit(0);
		}
		close(fd);
		if (pid > 0)
			conns[nconn++] = pid;
	}
	/* A signal or the idle time: the connections end with the service. */
	for (int i = 0; i < nconn; i++)
		kill(conns[i], SIGTERM);
	for (int i = 0; i < nconn; i++)
		while (waitpid(conns[i], NULL, 0) < 0 && errno == EINTR)
			;
	unlink(path);
out:
	if (rc && e.msg[0]) {
		char m[800];

		fprintf(stderr, "Error: system service: %s\n", err_str(&e, m, sizeof(m)));
	}
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	if (a.opened)
		engine_close(&a.en);
	return rc;
}
