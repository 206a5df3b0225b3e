/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http: a small HTTP/1.1 client for image registries, and base64.
 *
 * http:// URLs are fetched over our own TCP connection (getaddrinfo,
 * connect and every read bounded by a timeout with poll, one request per
 * connection).  nook links no TLS library: https:// URLs, and redirects to
 * them, are fetched by the device's own fetcher, as OpenWrt's package
 * tools do: curl (status and headers read from its -i output), else
 * uclient-fetch or wget.  GNU wget -S writes the heads to its stderr
 * before the body, where they are read; uclient-fetch shows none: a
 * success is 200, an HTTP error its status (the last line it writes,
 * "HTTP error 401"), any other failure an error.  The request's headers reach curl on its standard
 * input (-K -), never on a command line that ps shows.  A request may name
 * the CA that the https server's certificate must chain to (curl --cacert,
 * which then trusts that CA alone; wget --ca-certificate), or skip the
 * check (curl -k, wget --no-check-certificate).
 *
 * Everything the server sends is untrusted: the status line and each
 * header line are at most HTTP_LINE_MAX bytes, at most HTTP_HEADERS_MAX
 * headers; Content-Length and chunk sizes are checked for overflow and
 * junk; a body that ends early is an error (EIO), never a short success.
 * The body is a struct stream (stream.h), read as it arrives.
 */
#ifndef NOOK_HTTP_H
#define NOOK_HTTP_H

#include <stdint.h>
#include <sys/types.h>

#include "oci/util.h"
#include "store/stream.h"

#define HTTP_LINE_MAX 8192
#define HTTP_HEADERS_MAX 100
#define HTTP_REDIRECTS_MAX 5
#define HTTP_TIMEOUT_MS 30000

struct http_url {
	int https;
	char host[256]; /* an IPv6 address without its brackets */
	char port[8];
	char hostport[272]; /* as the Host header has it */
	char *path; /* "/..." with the query; owned */
};

/* "http[s]://host[:port][/path]"; -1 with e set when url is not one. */
int http_url_parse(const char *url, struct http_url *u, struct err *e);
void http_url_free(struct http_url *u);

struct http_request {
	const char *method; /* "GET" (NULL) or "HEAD" */
	const char *url;
	char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
	int timeout_ms; /* connect and each read; 0: HTTP_TIMEOUT_MS */
	const char *cafile; /* https: the CA to check the server with; NULL: the fetcher's */
	int insecure; /* https: no check of the server's certificate */
};

struct http_resp {
	struct stream s; /* the body; its end is its end (0), early or bad: -1 */
	int status;
	int nostatus; /* a fetcher that showed no status: 200 is assumed */
	int norange; /* a fetcher that passes no 206 on (uclient-fetch, wget) */
	int noheads; /* a fetcher that shows no headers (uclient-fetch): no 401's challenge */
	unsigned nhdr;
	char *name[HTTP_HEADERS_MAX], *value[HTTP_HEADERS_MAX];
	char *url; /* the URL that answered (after redirects) */
	/* private */
	int fd, timeout_ms, mode;
	pid_t pid; /* the fetcher, 0 if none */
	const char *fetcher; /* its name (static), NULL if none */
	int errfd; /* the fetcher's stderr (a memfd) */
	uint64_t left; /* of the body (Content-Length) or of the chunk */
	unsigned char *buf;
	size_t off, len;
	int eof;
	char *hbuf; /* the header lines */
	size_t hlen;
};

/* Send q and read the response's status and headers into r; redirects
 * (301, 302, 303, 307, 308) are followed, at most HTTP_REDIRECTS_MAX, and
 * an Authorization header is not sent to another host.  Any status is a
 * success here.  r is the caller's to http_resp_free, also after -1. */
int http_request(const struct http_request *q, struct http_resp *r, struct err *e);

/* Read a response from fd (a connected socket or a pipe; taken over, r
 * closes it) into r as http_request does, for a request of method head
 * or not.  For tests, and what http_request uses itself. */
int http_resp_read(struct http_resp *r, int fd, int head, int timeout_ms, struct err *e);

/* The value of header name (any case), NULL if absent; the first one. */
const char *http_header(const struct http_resp *r, const char *name);
void http_resp_free(struct http_resp *r);

/* Read at most max bytes of r's body into a NUL-terminated buffer (*len
 * may be NULL); a longer body is an error.  Caller frees. */
char *http_read_body(struct http_resp *r, size_t max, size_t *len, struct err *e);

/* base64 (RFC 4648, with padding) of p[0..n): caller frees. */
char *base64_encode(const void *p, size_t n);
/* Decode s (padding optional, no whitespace); NULL if it is not base64.
 * *n gets the length; the result is NUL-terminated.  Caller frees. */
char *base64_decode(const char *s, size_t *n);

#endif
