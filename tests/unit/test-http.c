// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-http: store/http, the registries' HTTP client.
 *
 * Responses are crafted byte for byte and fed to the parser through a
 * socketpair (whole, or by a child in pieces of 1 to 7 bytes, so that
 * every line and chunk boundary falls inside a read): good ones
 * (Content-Length, chunked with extensions and a trailer, to the
 * connection's end, HEAD, 100 Continue) and malformed ones (a huge header
 * line, too many headers, bad status lines, bad chunk sizes, junk
 * lengths, bodies cut short, a silent server): each one an error, never a
 * crash (ASan).  http_request talks to a server forked here on
 * 127.0.0.1 (the request it sends, redirects, credentials kept from
 * another host); the https path to fake fetchers (shell scripts named
 * curl and wget on PATH).  base64 against RFC 4648's vectors.
 */
#define UNIT_NAME "test-http"
#include "tests/unit/unit.h"

#include "store/http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Feed resp (n bytes) to the parser; pieces: in 1-7 byte writes by a
 * child.  The peer is closed after it (unless keep).  Returns the
 * parse's result; r is to be freed by the caller. */
static int feed(const char *resp, size_t n, int pieces, int head, struct http_resp *r,
		struct err *e)
{
	int sv[2];
	pid_t pid = 0;
	int rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -2;
	if (pieces) {
		pid = fork();
		if (pid == 0) {
			unsigned seed = 7;

			close(sv[0]);
			for (size_t i = 0; i < n;) {
				size_t k = 1 + (seed = seed * 1103515245 + 12345) % 7;

				if (k > n - i)
					k = n - i;
				if (write(sv[1], resp + i, k) < 0)
					_exit(1);
				i += k;
				usleep(100);
			}
			_exit(0);
		}
	} else if (write(sv[1], resp, n) != (ssize_t)n) {
		return -2;
	}
	close(sv[1]);
	rc = http_resp_read(r, sv[0], head, 2000, e);
	if (pid > 0) {
		/* reading the body happens after: the child may still be writing */
		r->timeout_ms = 2000;
	}
	return rc;
}

static char *body_of(struct http_resp *r, struct err *e)
{
	return http_read_body(r, 1 << 20, NULL, e);
}

static void reap_all(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void test_content_length(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				   "Content-Length: 5\r\nX-Empty:\r\n"
				   "Docker-Content-Digest:   sha256:x  \r\n\r\nhelloEXTRA";

	for (int pieces = 0; pieces < 2; pieces++) {
		struct http_resp r;
		struct err e = { 0 };
		char *b;

		CHECK(feed(resp, sizeof(resp) - 1, pieces, 0, &r, &e) == 0);
		CHECK(r.status == 200);
		CHECK_STR(http_header(&r, "content-type"), "text/plain");
		CHECK_STR(http_header(&r, "X-Empty"), "");
		CHECK_STR(http_header(&r, "docker-content-digest"), "sha256:x");
		CHECK(http_header(&r, "Location") == NULL);
		b = body_of(&r, &e);
		CHECK_STR(b, "hello"); /* never what follows the body */
		free(b);
		http_resp_free(&r);
		reap_all();
	}
}

static void test_chunked(void)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "5;ext=1\r\nhello\r\n"
				   "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
				   "0\r\nX-Trailer: t\r\n\r\n";

	for (int pieces = 0; pieces < 2; pieces++) {
		struct http_resp r;
		struct err e = { 0 };
		char *b;

		CHECK(feed(resp, sizeof(resp) - 1, pieces, 0, &r, &e) == 0);
		b = body_of(&r, &e);
		CHECK_STR(b, "helloabcdefghijklmnopqrstuvwxyz");
		free(b);
		http_resp_free(&r);
		reap_all();
	}
}

static void test_until_close_head_continue(void)
{
	struct http_resp r;
	struct err e = { 0 };
	char *b;
	static const char close_[] = "HTTP/1.0 200 OK\r\n\r\nall of it";
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n"
				   "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
	static const char h2[] = "HTTP/2 204\r\n\r\n";

	CHECK(feed(close_, sizeof(close_) - 1, 0, 0, &r, &e) == 0);
	b = body_of(&r, &e);
	CHECK_STR(b, "all of it");
	free(b);
	http_resp_free(&r);

	CHECK(feed(head, sizeof(head) - 1, 0, 1, &r, &e) == 0);
	b = body_of(&r, &e);
	CHECK_STR(b, "");
	free(b);
	http_resp_free(&r);

	CHECK(feed(cont, sizeof(cont) - 1, 0, 0, &r, &e) == 0);
	CHECK(r.status == 404);
	b = body_of(&r, &e);
	CHECK_STR(b, "no");
	free(b);
	http_resp_free(&r);

	CHECK(feed(h2, sizeof(h2) - 1, 0, 0, &r, &e) == 0);
	CHECK(r.status == 204);
	http_resp_free(&r);
}

/* Each of these fails, in the head or in the body, with a message. */
static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"HTTP/1.1 200 OK\r\n", /* no end of the head */
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 junk\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", /* no last */
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
		"HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
		"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 abc OK\r\n\r\n",
		"HTTP/9.9 200 OK\r\n\r\n",
		"HTTP/1.1200 OK\r\n\r\n",
		"SSH-2.0-OpenSSH\r\n\r\n",
	};
	static const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n";

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		for (int pieces = 0; pieces < 2; pieces++) {
			struct http_resp r;
			struct err e = { 0 };
			int rc = feed(bad[i], strlen(bad[i]), pieces, 0, &r, &e);
			char *b = NULL;

			CHECK(rc != -2);
			if (rc == 0) {
				b = body_of(&r, &e);
				if (b)
					snprintf(unit_why, sizeof(unit_why), "bad[%zu] read \"%s\"",
						 i, b);
				/* after an error, reads keep failing */
				if (!b) {
					char x[4];

					CHECK(r.s.read(&r.s, x, sizeof(x), NULL) < 0);
				}
			}
			http_resp_free(&r);
			reap_all();
			if (b) {
				free(b);
				unit_cur_failed = 1;
				return;
			}
			CHECK(e.msg[0] != '\0');
		}
	}
	{
		struct http_resp r;
		struct err e = { 0 };

		CHECK(feed(nul, sizeof(nul) - 1, 0, 0, &r, &e) < 0);
		CHECK_HAS(e.msg, "NUL");
		http_resp_free(&r);
	}
}

static void test_limits(void)
{
	size_t big = HTTP_LINE_MAX + 100;
	char *resp = malloc(big + 64 + 20 * (HTTP_HEADERS_MAX + 1));
	struct http_resp r;
	struct err e = { 0 };
	size_t n;

	CHECK(resp);
	/* one header line over the limit */
	n = (size_t)sprintf(resp, "HTTP/1.1 200 OK\r\nX: ");
	memset(resp + n, 'a', big);
	n += big;
	n += (size_t)sprintf(resp + n, "\r\n\r\n");
	CHECK(feed(resp, n, 0, 0, &r, &e) < 0);
	http_resp_free(&r);
	CHECK_HAS(e.msg, "longer than");
	/* exactly HTTP_HEADERS_MAX headers are fine, one more is not */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(resp, "HTTP/1.1 200 OK\r\n");
		for (int i = 0; i < HTTP_HEADERS_MAX + extra; i++)
			n += (size_t)sprintf(resp + n, "H%d: %d\r\n", i, i);
		n += (size_t)sprintf(resp + n, "\r\n");
		memset(&e, 0, sizeof(e));
		CHECK(feed(resp, n, 0, 0, &r, &e) == (extra ? -1 : 0));
		if (!extra)
			CHECK_STR(http_header(&r, "h99"), "99");
		http_resp_free(&r);
	}
	CHECK_HAS(e.msg, "header lines");
	free(resp);
}

static void test_timeout(void)
{
	int sv[2];
	struct http_resp r;
	struct err e = { 0 };

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(write(sv[1], "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 41) == 41);
	CHECK(http_resp_read(&r, sv[0], 0, 200, &e) == 0);
	{
		char buf[16];

		CHECK(r.s.read(&r.s, buf, sizeof(buf), &e) == 3);
		CHECK(r.s.read(&r.s, buf, sizeof(buf), &e) < 0);
	}
	CHECK(e.errnum == ETIMEDOUT);
	http_resp_free(&r);
	close(sv[1]);
}

static void test_url(void)
{
	struct http_url u;
	struct err e = { 0 };
	static const char *const bad[] = {
		"ftp://x/",	    "http://",	     "http://:80/",	 "http://h:/",
		"http://h:123456/", "http://h:12a/", "http://[::1/",	 "http://[::1]x/",
		"http://u@h/",	    "http://h/a b",  "http://h/a\r\nX:", "http://h o/",
	};

	CHECK(http_url_parse("http://[::1]:5000/v2/x?y=1#frag", &u, &e) == 0);
	CHECK_STR(u.host, "::1");
	CHECK_STR(u.port, "5000");
	CHECK_STR(u.hostport, "[::1]:5000");
	CHECK_STR(u.path, "/v2/x?y=1");
	CHECK(!u.https);
	http_url_free(&u);
	CHECK(http_url_parse("HTTPS://Registry.example:443", &u, &e) == 0);
	CHECK(u.https);
	CHECK_STR(u.host, "Registry.example");
	CHECK_STR(u.path, "/");
	http_url_free(&u);
	CHECK(http_url_parse("http://127.0.0.1?x", &u, &e) == 0);
	CHECK_STR(u.port, "80");
	CHECK_STR(u.path, "/?x");
	http_url_free(&u);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&e, 0, sizeof(e));
		if (http_url_parse(bad[i], &u, &e) == 0) {
			http_url_free(&u);
			snprintf(unit_why, sizeof(unit_why), "accepted %s", bad[i]);
			unit_cur_failed = 1;
			return;
		}
		CHECK(e.msg[0]);
	}
}

static void test_base64(void)
{
	static const char *const v[][2] = { { "", "" },
					    { "f", "Zg==" },
					    { "fo", "Zm8=" },
					    { "foo", "Zm9v" },
					    { "foob", "Zm9vYg==" },
					    { "fooba", "Zm9vYmE=" },
					    { "foobar", "Zm9vYmFy" },
					    { "user:pa:ss", "dXNlcjpwYTpzcw==" } };
	unsigned char all[256];
	char *s, *d;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		s = base64_encode(v[i][0], strlen(v[i][0]));
		CHECK_STR(s, v[i][1]);
		free(s);
		d = base64_decode(v[i][1], &n);
		CHECK_STR(d, v[i][0]);
		CHECK(n == strlen(v[i][0]));
		free(d);
	}
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (size_t k = 0; k < 256; k += 37) {
		s = base64_encode(all + k, 256 - k);
		d = base64_decode(s, &n);
		CHECK(d && n == 256 - k && !memcmp(d, all + k, n));
		free(s);
		free(d);
	}
	d = base64_decode("Zm9vYmFy", &n); /* no padding needed */
	CHECK(d && n == 6);
	free(d);
	CHECK(base64_decode("Zm9v!mFy", &n) == NULL);
	CHECK(base64_decode("Z", &n) == NULL);
	CHECK(base64_decode("Zg===", &n) == NULL);
	CHECK(base64_decode("Zm 9v", &n) == NULL);
}

/* ---- a server on 127.0.0.1 ------------------------------------------------ */

/* Serve each of answers on one connection of l, in order, writing the
 * requests received to reqfd (each ended by "--\n"). */
static pid_t serve(int l, const char *const *answers, int reqfd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	for (size_t i = 0; answers[i]; i++) {
		int c = accept(l, NULL, NULL);
		char buf[8192];
		size_t n = 0;

		if (c < 0)
			_exit(1);
		while (n < sizeof(buf) - 1) {
			ssize_t k = read(c, buf + n, sizeof(buf) - 1 - n);

			if (k <= 0)
				break;
			n += (size_t)k;
			buf[n] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
		if (write(reqfd, buf, n) < 0 || write(reqfd, "--\n", 3) < 0 ||
		    write(c, answers[i], strlen(answers[i])) < 0)
			_exit(1);
		close(c);
	}
	_exit(0);
}

static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 8) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return l;
}

static void test_request(void)
{
	int port, l = listener(&port), p[2];
	char url[128], answer2[256], *b;
	const char *answers[] = { NULL, NULL, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
				  NULL, NULL };
	char *hdrs[] = { "Accept: a/b", "Authorization: Bearer tok", NULL };
	struct http_request q = { .url = url, .headers = hdrs, .timeout_ms = 5000 };
	struct http_resp r;
	struct err e = { 0 };
	char reqs[16384];
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	CHECK(l >= 0);
	CHECK(pipe(p) == 0);
	/* a redirect on the same server, then one to localhost: another
	 * host, which gets no credentials */
	snprintf(answer2, sizeof(answer2),
		 "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:%d/third\r\n"
		 "Content-Length: 0\r\n\r\n",
		 port);
	answers[0] = "HTTP/1.1 302 Found\r\nLocation: /second\r\nContent-Length: 3\r\n\r\nabc";
	answers[1] = answer2;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/first", port);
	pid = serve(l, answers, p[1]);
	close(p[1]);
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 200);
	b = body_of(&r, &e);
	CHECK_STR(b, "ok");
	free(b);
	CHECK_HAS(r.url, "/third");
	http_resp_free(&r);
	waitpid(pid, NULL, 0);
	while ((n = read(p[0], reqs + got, sizeof(reqs) - 1 - got)) > 0)
		got += (size_t)n;
	reqs[got] = '\0';
	close(p[0]);
	{
		char *second = strstr(reqs, "--\n"),
		     *third = second ? strstr(second + 3, "--\n") : NULL;

		CHECK(second && third);
		*second = *third = '\0';
		CHECK_HAS(reqs, "GET /first HTTP/1.1\r\n");
		CHECK_HAS(reqs, "\r\nAccept: a/b\r\n");
		CHECK_HAS(reqs, "\r\nAuthorization: Bearer tok\r\n");
		CHECK_HAS(second + 3, "GET /second HTTP/1.1\r\n");
		CHECK_HAS(second + 3, "\r\nAuthorization: Bearer tok\r\n");
		CHECK_HAS(third + 3, "GET /third HTTP/1.1\r\n");
		CHECK_HAS(third + 3, "\r\nAccept: a/b\r\n");
		CHECK(strstr(third + 3, "Authorization") == NULL);
	}
	/* more than 5 redirects; a header with a line break; nobody listening */
	{
		const char *loop[] = { "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       "HTTP/1.1 302 F\r\nLocation: /x\r\n\r\n",
				       NULL };
		int devnull = open("/dev/null", O_WRONLY);

		pid = serve(l, loop, devnull);
		close(devnull);
		q.headers = NULL;
		CHECK(http_request(&q, &r, &e) < 0);
		CHECK_HAS(e.msg, "redirects");
		http_resp_free(&r);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	{
		char *inj[] = { "X: a\r\nEvil: 1", NULL };

		q.headers = inj;
		CHECK(http_request(&q, &r, &e) < 0);
		http_resp_free(&r);
		q.headers = NULL;
	}
	close(l);
	CHECK(http_request(&q, &r, &e) < 0);
	/* qemu-user hands SO_ERROR back untranslated: on MIPS the host's
	 * ECONNREFUSED (111) arrives, not MIPS's own (146) */
#if defined(__mips__)
	CHECK(e.errnum == ECONNREFUSED || e.errnum == 111);
#else
	CHECK(e.errnum == ECONNREFUSED);
#endif
	http_resp_free(&r);
}

/* ---- https through fake fetchers ------------------------------------------ */

static char bindir[64];

static int script(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", bindir, name);
	unlink(path);
	if (!body)
		return 0;
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	return chmod(path, 0755);
}

/* path's text (at most size - 1 bytes) into buf; "" if unreadable */
static void slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	CHECK(f);
	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void fetchers(void)
{
	struct http_request q = { .url = "https://registry.example/v2/" };
	char *hdrs[] = { "Authorization: Bearer \"quoted\"", NULL };
	struct http_resp r;
	struct err e = { 0 };
	char cfg[256], path[128], *b;

	/* none of them */
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "curl, uclient-fetch or wget");
	http_resp_free(&r);
	/* curl: its config on stdin; redirects it followed are skipped */
	CHECK(script("curl",
		     "/bin/cat >\"${0%/*}/cfg\"\n"
		     "printf 'HTTP/1.1 302 Found\\r\\nLocation: https://b/\\r\\n\\r\\n"
		     "HTTP/2 401\\r\\nwww-authenticate: Bearer realm=\"r\"\\r\\n\\r\\nbody'") == 0);
	q.headers = hdrs;
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 401 && !r.nostatus);
	CHECK_STR(http_header(&r, "WWW-Authenticate"), "Bearer realm=\"r\"");
	b = body_of(&r, &e);
	CHECK_STR(b, "body");
	free(b);
	http_resp_free(&r);
	snprintf(path, sizeof(path), "%s/cfg", bindir);
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "url = \"https://registry.example/v2/\"\n");
	CHECK_HAS(cfg, "header = \"Authorization: Bearer \\\"quoted\\\"\"\n");
	CHECK(strstr(cfg, "cacert") == NULL && strstr(cfg, "insecure") == NULL);
	/* a CA, and no check: in curl's config */
	q.cafile = "/etc/nook/certs.d/r:5000/ca.crt";
	CHECK(http_request(&q, &r, &e) == 0);
	http_resp_free(&r);
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "cacert = \"/etc/nook/certs.d/r:5000/ca.crt\"\n");
	CHECK(strstr(cfg, "insecure") == NULL);
	q.cafile = NULL;
	q.insecure = 1;
	CHECK(http_request(&q, &r, &e) == 0);
	http_resp_free(&r);
	q.insecure = 0;
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "insecure\n");
	CHECK(strstr(cfg, "cacert") == NULL);
	/* curl that fails before any output (TLS, connect): its first line */
	CHECK(script("curl",
		     "echo 'curl: (60) SSL certificate problem: unable to get local "
		     "issuer certificate' >&2; echo 'More details here' >&2; exit 60") == 0);
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "curl failed (exit 60): (60) SSL certificate problem: unable to get "
			 "local issuer certificate");
	CHECK(strstr(e.msg, "More details") == NULL);
	http_resp_free(&r);
	/* curl failing half way: the body is an error, not a short success */
	CHECK(script("curl", "printf 'HTTP/1.1 200 OK\\r\\n\\r\\npart'; "
			     "echo 'curl: (18) transfer closed' >&2; exit 18") == 0);
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(body_of(&r, &e) == NULL);
	CHECK_HAS(e.msg, "exit 18");
	CHECK_HAS(e.msg, "transfer closed");
	http_resp_free(&r);
	/* wget: no status; a body is 200, a failure an error */
	CHECK(script("curl", NULL) == 0);
	CHECK(script("wget", "for a; do case $a in --header=*) echo \"$a\" >&2;; esac; done; "
			     "echo data") == 0);
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 200 && r.nostatus);
	b = body_of(&r, &e);
	CHECK_STR(b, "data\n");
	free(b);
	http_resp_free(&r);
	CHECK(script("wget", "echo 'wget: server returned error: HTTP/1.1 404' >&2; exit 8") == 0);
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "exit 8");
	CHECK_HAS(e.msg, "404");
	http_resp_free(&r);
	/* wget: the CA and no check as options; GNU wget -q's silent exit 5 */
	CHECK(script("wget", "echo \"$@\" >\"${0%/*}/cfg\"; exit 5") == 0);
	q.cafile = "/c/ca.crt";
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "wget failed (exit 5): the server's certificate is not trusted");
	http_resp_free(&r);
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "--ca-certificate=/c/ca.crt");
	CHECK(strstr(cfg, "--no-check-certificate") == NULL);
	q.cafile = NULL;
	q.insecure = 1;
	CHECK(http_request(&q, &r, &e) < 0);
	http_resp_free(&r);
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "--no-check-certificate");
	CHECK(strstr(cfg, "--ca-certificate") == NULL);
	q.insecure = 0;
	/* wget's redirects are ours: to another host without the
	 * Authorization header and the registry's CA; never to http */
	CHECK(script("wget",
		     "case \"$*\" in *//other/*) echo \"$@\" >\"${0%/*}/cfg\"; echo data;; "
		     "*) printf '  HTTP/1.1 302 Found\\n  Location: https://other/y\\n' >&2; "
		     "exit 8;; esac") == 0);
	q.cafile = "/c/ca.crt";
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 200);
	b = body_of(&r, &e);
	CHECK_STR(b, "data\n");
	free(b);
	CHECK_STR(r.url, "https://other/y");
	http_resp_free(&r);
	slurp(path, cfg, sizeof(cfg));
	CHECK_HAS(cfg, "--max-redirect=0");
	CHECK(strstr(cfg, "Authorization") == NULL && strstr(cfg, "--ca-certificate") == NULL);
	q.cafile = NULL;
	CHECK(script("wget",
		     "printf '  HTTP/1.1 301 Moved\\n  Location: http://b/x\\n' >&2; exit 8") == 0);
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "a redirect from https to http://b/x");
	http_resp_free(&r);
	/* uclient-fetch (first when there is no curl): run without -q, its
	 * last line says an HTTP error's status, after a long redirect */
	CHECK(script("uclient-fetch",
		     "echo \"$@\" >\"${0%/*}/cfg\"; echo \"Downloading '$3'\" >&2; "
		     "printf 'Redirected to /%0400d on b\\n' 0 >&2; echo 'HTTP error 401' >&2; "
		     "exit 8") == 0);
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 401 && !r.nostatus && r.noheads);
	b = body_of(&r, &e);
	CHECK_STR(b, "");
	free(b);
	http_resp_free(&r);
	slurp(path, cfg, sizeof(cfg));
	CHECK(strncmp(cfg, "-O - -T 30 ", 11) == 0);
	/* a body is 200; another failure, its last line */
	CHECK(script("uclient-fetch",
		     "echo \"Downloading '$3'\" >&2; echo 'Writing to stdout' >&2; "
		     "echo data") == 0);
	CHECK(http_request(&q, &r, &e) == 0);
	CHECK(r.status == 200 && r.nostatus && r.noheads);
	b = body_of(&r, &e);
	CHECK_STR(b, "data\n");
	free(b);
	http_resp_free(&r);
	CHECK(script("uclient-fetch",
		     "echo \"Downloading '$3'\" >&2; echo 'SSL verify error: x' >&2; "
		     "echo 'Connection error: Invalid SSL certificate' >&2; exit 5") == 0);
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg,
		  "uclient-fetch failed (exit 5): Connection error: Invalid SSL certificate");
	http_resp_free(&r);
	CHECK(script("uclient-fetch", "echo 'Error: Partial content received' >&2; exit 8") == 0);
	CHECK(http_request(&q, &r, &e) < 0);
	CHECK_HAS(e.msg, "uclient-fetch failed (exit 8): Error: Partial content received");
	http_resp_free(&r);
}

static void test_fetchers(void)
{
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	snprintf(bindir, sizeof(bindir), "/tmp/test-http.%d", (int)getpid());
	CHECK(mkdir(bindir, 0700) == 0);
	setenv("PATH", bindir, 1);
	fetchers();
	script("curl", NULL);
	script("wget", NULL);
	script("uclient-fetch", NULL);
	script("cfg", NULL);
	rmdir(bindir);
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(test_content_length);
	RUN(test_chunked);
	RUN(test_until_close_head_continue);
	RUN(test_malformed);
	RUN(test_limits);
	RUN(test_timeout);
	RUN(test_url);
	RUN(test_base64);
	RUN(test_request);
	RUN(test_fetchers);
	UNIT_EXIT();
}
