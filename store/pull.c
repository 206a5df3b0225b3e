// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pull: see pull.h.
 *
 * What a registry sends is untrusted: manifests and configs are read up
 * to a size limit and hashed before they are parsed; blobs are read no
 * further than the size their descriptor gives; a token must fit a
 * header line.  Staged layers have names of our own ("0", "1", ...).
 */
#include "store/pull.h"

#include <inttypes.h>

#include "store/digest.h"
#include "store/http.h"
#include "store/images.h"
#include "store/jobs.h"
#include "store/layer.h"
#include "store/manifest.h"

#define MANIFEST_MAX (4u << 20)
#define CONFIG_MAX (8u << 20)
#define SMALL_MAX (1u << 20)
#define BLOB_TRIES 3

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
static const char accept_manifests[] =
	"Accept: " MT_OCI_INDEX ", " MT_DOCKER_LIST ", application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

/* One registry and repository, and how to talk to it. */
struct reg {
	const struct store *st;
	char *domain; /* "docker.io", "127.0.0.1:5000": the names' and auth.json's */
	char *base; /* "http://127.0.0.1:5000", "https://registry-1.docker.io" */
	char *repo; /* "library/busybox", NULL for a login */
	char *basic; /* base64 of "user:password", or NULL */
	char *authz; /* the Authorization header in use, or NULL */
	char *cafile; /* https: certs.d's CA for this registry, or NULL */
	int insecure; /* https without a check of the certificate */
	int fallback; /* insecure: plain http if https does not answer at all */
	int guessed; /* Basic tried for a 401 that came without its challenge */
};

static void reg_free(struct reg *g)
{
	free(g->domain);
	free(g->base);
	free(g->repo);
	free(g->basic);
	free(g->authz);
	free(g->cafile);
}

/* ---- which transport ----------------------------------------------------- */

/* The first "KEY = DOMAIN[ REST]" line of registries.conf for domain (or
 * its host alone): REST without a comment ("" when none), else NULL. */
static char *conf_get(const char *key, const char *domain)
{
	_cleanup_free_ char *text =
		file_read(env_or("NOOK_REGISTRIES_CONF", "/etc/nook/registries.conf"), NULL, NULL);
	size_t hl = strcspn(domain, ":"), kl = strlen(key);

	for (char *line = text, *next; line && *line; line = next) {
		char *v;
		size_t n;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (strncmp(line, key, kl))
			continue;
		v = line + kl + strspn(line + kl, " \t");
		if (*v++ != '=')
			continue;
		v += strspn(v, " \t");
		n = strcspn(v, " \t#");
		if ((n == strlen(domain) && !strncmp(v, domain, n)) ||
		    (n == hl && !strncmp(v, domain, n))) {
			v += n + strspn(v + n, " \t");
			v[strcspn(v, "#")] = '\0';
			return xstrdup(v);
		}
	}
	return NULL;
}

static int conf_insecure(const char *domain)
{
	_cleanup_free_ char *v = conf_get("insecure", domain);

	return v != NULL;
}

/* The CA that domain's certificate must chain to, in podman's certs.d
 * layout: <dir>/HOST[:PORT]/ca.crt (only that name; podman reads every
 * *.crt there).  The domain passed images_normalize: no '/' in it. */
static char *certs_ca(const char *domain)
{
	char *p = xasprintf("%s/%s/ca.crt", env_or("NOOK_CERTS_DIR", "/etc/nook/certs.d"), domain);

	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/* g's transport: an insecure registry (--tls-verify=false, registries.conf)
 * is tried with https unchecked, then plain http (as podman does); one with
 * a CA in certs.d is https checked against that CA, also on localhost; other
 * localhost and 127.0.0.0/8 ones are plain http (as docker has it); the
 * rest is https checked by the fetcher's own CA store. */
static int reg_transport(struct reg *g, const char *domain, int tls_verify)
{
	size_t hl = strcspn(domain, ":");

	g->insecure = g->fallback = !tls_verify || conf_insecure(domain);
	if (!g->insecure)
		g->cafile = certs_ca(domain);
	return g->insecure || g->cafile ||
	       !((hl == 9 && !strncmp(domain, "localhost", 9)) || !strncmp(domain, "127.", 4));
}

/* ---- credentials ---------------------------------------------------------- */

static char *auth_path(const struct store *s)
{
	return xasprintf("%s/auth.json", s->root);
}

static char *auth_get(const struct store *s, const char *domain)
{
	_cleanup_free_ char *path = auth_path(s);
	_cleanup_json_ cJSON *j = store_read_json(path, NULL);
	const char *a = json_str(cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetObjectItemCaseSensitive(j, "auths"), domain),
				 "auth");

	return a && *a ? xstrdup(a) : NULL;
}

static int reg_init(struct reg *g, const struct store *s, const char *domain, const char *repo,
		    int tls_verify)
{
	*g = (struct reg){ .st = s };
	g->domain = xstrdup(domain);
	g->repo = repo ? xstrdup(repo) : NULL;
	g->base = xasprintf("%s://%s", reg_transport(g, domain, tls_verify) ? "https" : "http",
			    strcmp(domain, "docker.io") ? domain : "registry-1.docker.io");
	g->basic = auth_get(s, domain);
	return 0;
}

/* ---- authentication ------------------------------------------------------ */

/* The value of key in a challenge's "k=v, k2=\"v 2\"" list, or NULL. */
static char *chal_param(const char *p, const char *key)
{
	while (*p) {
		const char *k;
		size_t kl;
		char *v, *o;

		p += strspn(p, " \t,");
		k = p;
		kl = strcspn(p, "= \t,");
		p += kl;
		if (*p != '=')
			continue;
		p++;
		o = v = xmalloc(strlen(p) + 1);
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				*o++ = *p;
			}
			p += *p == '"';
		} else {
			size_t n = strcspn(p, ", \t");

			memcpy(o, p, n);
			o += n;
			p += n;
		}
		*o = '\0';
		if (kl == strlen(key) && !strncasecmp(k, key, kl))
			return v;
		free(v);
	}
	return NULL;
}

static char *urlenc(const char *s)
{
	char *out = xmalloc(3 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

static int token_unknown(struct reg *g, struct err *e)
{
	return err_setk(e, ERRK_INVALID_ARG, 0,
			"registry %s %s (401), and uclient-fetch shows no headers to say "
			"where a token comes from: add \"token = %s REALM SERVICE\" (its "
			"WWW-Authenticate's) to %s, or install curl or wget",
			g->domain,
			g->guessed ? "refused the credentials as Basic auth"
				   : "asks for a login or a token",
			g->domain, env_or("NOOK_REGISTRIES_CONF", "/etc/nook/registries.conf"));
}

static int login_needed(struct reg *g, struct err *e)
{
	if (g->guessed)
		return token_unknown(g, e);
	if (g->basic)
		return err_setk(
			e, ERRK_INVALID_ARG, 0,
			"registry %s refused the credentials (401 Unauthorized): nook login "
			"%s",
			g->domain, g->domain);
	return err_setk(e, ERRK_INVALID_ARG, 0,
			"registry %s requires a login (401 Unauthorized): nook login %s", g->domain,
			g->domain);
}

/* A token from the realm of a Bearer challenge. */
static int bearer(struct reg *g, const char *chal, struct err *e)
{
	_cleanup_free_ char *realm = chal_param(chal, "realm"),
			    *service = chal_param(chal, "service");
	_cleanup_free_ char *scope = chal_param(chal, "scope"), *url = NULL, *body = NULL;
	_cleanup_free_ char *basic =
		g->basic ? xasprintf("Authorization: Basic %s", g->basic) : NULL;
	char *hdrs[] = { basic, NULL };
	struct http_request q = { .headers = hdrs };
	struct http_resp r;
	const char *tok;
	cJSON *j;
	int rc = -1;

	if (!realm)
		return err_set(e, 0, "registry %s: a Bearer challenge without a realm", g->domain);
	if (!scope && g->repo)
		scope = xasprintf("repository:%s:pull", g->repo);
	{
		_cleanup_free_ char *s1 = service ? urlenc(service) : NULL;
		_cleanup_free_ char *s2 = scope ? urlenc(scope) : NULL;

		url = xasprintf("%s%cservice=%s%s%s", realm, strchr(realm, '?') ? '&' : '?',
				s1 ? s1 : "", s2 ? "&scope=" : "", s2 ? s2 : "");
	}
	q.url = url;
	/* the registry's own CA only for a realm on the registry: with
	 * --cacert curl trusts that CA alone */
	if (!strncmp(url, g->base, strlen(g->base)) && url[strlen(g->base)] == '/')
		q.cafile = g->cafile;
	q.insecure = g->insecure;
	if (http_request(&q, &r, e) < 0) {
		http_resp_free(&r);
		return err_wrap(e, "token for %s", g->domain);
	}
	if (r.status == 401 || r.status == 403) {
		http_resp_free(&r);
		return login_needed(g, e);
	}
	if (r.status != 200) {
		err_set(e, 0, "token for %s: %s answered %d", g->domain, realm, r.status);
		http_resp_free(&r);
		return -1;
	}
	body = http_read_body(&r, SMALL_MAX, NULL, e);
	http_resp_free(&r);
	if (!body)
		return err_wrap(e, "token for %s", g->domain);
	j = cJSON_Parse(body);
	tok = json_str(j, "token") ?: json_str(j, "access_token");
	if (tok && *tok && strlen(tok) < HTTP_LINE_MAX - 32 && !strpbrk(tok, "\r\n")) {
		free(g->authz);
		g->authz = xasprintf("Authorization: Bearer %s", tok);
		rc = 0;
	} else {
		err_set(e, 0, "token for %s: no token in %s's answer", g->domain, realm);
	}
	cJSON_Delete(j);
	return rc;
}

/* The Bearer challenge that a registry's 401 would have carried, for a
 * fetcher that shows no headers (uclient-fetch): a "token = DOMAIN REALM
 * [SERVICE]" line of registries.conf, or the well-known public ones'. */
static char *token_realm(const char *domain)
{
	static const char *const known[][2] = {
		{ "docker.io", "https://auth.docker.io/token registry.docker.io" },
		{ "ghcr.io", "https://ghcr.io/token ghcr.io" },
		{ "quay.io", "https://quay.io/v2/auth quay.io" },
	};
	_cleanup_free_ char *v = conf_get("token", domain);
	const char *t = v && *v ? v : NULL;
	char realm[512], service[256] = "";

	for (size_t i = 0; i < ARRAY_SIZE(known) && !t; i++)
		if (!strcmp(domain, known[i][0]))
			t = known[i][1];
	if (!t || sscanf(t, "%511s %255s", realm, service) < 1 || strpbrk(realm, "\"\\") ||
	    strpbrk(service, "\"\\"))
		return NULL;
	return xasprintf("Bearer realm=\"%s\",service=\"%s\"", realm, service);
}

/* Answer a 401's challenge: 0 when there is something new to try. */
static int authenticate(struct reg *g, const struct http_resp *r, struct err *e)
{
	const char *chal = http_header(r, "WWW-Authenticate");
	_cleanup_free_ char *known = NULL;

	if (!chal && r->noheads && !(chal = known = token_realm(g->domain))) {
		/* a login, and no token known: Basic it is */
		if (!g->basic || g->authz)
			return token_unknown(g, e);
		g->guessed = 1;
		chal = "Basic";
	}
	if (chal && !strncasecmp(chal, "Bearer ", 7))
		return bearer(g, chal + 7, e);
	if (chal && !strncasecmp(chal, "Basic", 5) && g->basic && !g->authz) {
		g->authz = xasprintf("Authorization: Basic %s", g->basic);
		return 0;
	}
	if (!chal || !strncasecmp(chal, "Basic", 5))
		return login_needed(g, e);
	return err_set(e, 0, "registry %s: unsupported authentication \"%.40s\"", g->domain, chal);
}

/* GET base+path, with a login when the registry asks for one; any
 * status is a success here (r is the caller's to free). */
static int reg_get(struct reg *g, const char *path, const char *accept, uint64_t from,
		   struct http_resp *r, struct err *e)
{
	for (int tries = 0, rc;; tries++) {
		_cleanup_free_ char *url = xasprintf("%s%s", g->base, path);
		char range[48], *h[4];
		size_t n = 0;
		struct http_request q = {
			.url = url, .headers = h, .cafile = g->cafile, .insecure = g->insecure
		};

		if (accept)
			h[n++] = (char *)accept;
		if (from) {
			snprintf(range, sizeof(range), "Range: bytes=%" PRIu64 "-", from);
			h[n++] = range;
		}
		if (g->authz)
			h[n++] = g->authz;
		h[n] = NULL;
		rc = http_request(&q, r, e);
		if (rc < 0 && g->fallback) {
			/* nothing answered https: plain http, once and for all */
			char *b = xasprintf("http%s", g->base + 5);

			free(g->base);
			g->base = b;
			g->fallback = 0;
			http_resp_free(r);
			tries--;
			continue;
		}
		g->fallback = 0;
		if (rc < 0)
			return -1;
		if (r->status != 401 || tries)
			return 0;
		if (authenticate(g, r, e) < 0)
			return -1;
		http_resp_free(r);
	}
}

/* 200 and 206 are fine; anything else is an error naming what. */
static int check_status(struct reg *g, struct http_resp *r, const char *what, struct err *e)
{
	_cleanup_free_ char *body = NULL;
	_cleanup_json_ cJSON *j = NULL;
	const char *msg;

	if (r->status == 200 || r->status == 206)
		return 0;
	if (r->status == 401) {
		login_needed(g, e);
		return err_wrap(e, "%s", what);
	}
	body = http_read_body(r, SMALL_MAX, NULL, NULL);
	j = body ? cJSON_Parse(body) : NULL;
	msg = json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "errors"), 0),
		       "message");
	/* else a short line of text says it ("Client sent an HTTP request to
	 * an HTTPS server."); HTML is no message */
	if (!msg && body && *body && *body != '<' && strcspn(body, "\r\n") < 120) {
		body[strcspn(body, "\r\n")] = '\0';
		for (char *c = body; *c; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				*c = '?';
		msg = body;
	}
	if (r->status == 404)
		return err_setk(e, ERRK_NO_SUCH, 0, "%s: %s (404 from %s)", what,
				msg ? msg : "not found", g->domain);
	return err_set(e, 0, "%s: registry %s answered %d%s%s", what, g->domain, r->status,
		       msg ? ": " : "", msg ? msg : "");
}

/* ---- manifests and small blobs ------------------------------------------- */

/* The manifest ref names (a tag or a digest), checked against the digest
 * asked for or the one the registry gives; its digest into digest. */
static cJSON *get_manifest(struct reg *g, const char *ref, const char *what, char digest[72],
			   struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", g->repo, ref), *body = NULL;
	struct http_resp r;
	const char *want = NULL;
	size_t len = 0;
	cJSON *j;

	if (reg_get(g, path, accept_manifests, 0, &r, e) < 0 || check_status(g, &r, what, e) < 0 ||
	    !(body = http_read_body(&r, MANIFEST_MAX, &len, e))) {
		http_resp_free(&r);
		return NULL;
	}
	sha256_digest_of(body, len, digest);
	if (digest_valid(ref))
		want = ref;
	else if (http_header(&r, "Docker-Content-Digest") &&
		 digest_valid(http_header(&r, "Docker-Content-Digest")))
		want = http_header(&r, "Docker-Content-Digest");
	if (want && strcmp(want, digest)) {
		err_set(e, 0, "%s: manifest %s: its content's digest is %s", what, want, digest);
		http_resp_free(&r);
		return NULL;
	}
	http_resp_free(&r);
	j = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		err_set(e, 0, "%s: manifest %s is not JSON", what, digest);
	}
	return j;
}

static int is_index(const cJSON *m)
{
	const char *mt = json_str(m, "mediaType");

	return (mt && (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST))) ||
	       (!mt && cJSON_GetObjectItemCaseSensitive(m, "manifests"));
}

/* The digest of the entry of index for p, or NULL with e set. */
static const char *choose(const cJSON *index, const struct platform *p, const char *what,
			  struct err *e)
{
	const cJSON *d;
	char buf[80], have[400] = "";
	size_t n = 0;

	cJSON_ArrayForEach (d, cJSON_GetObjectItemCaseSensitive(index, "manifests")) {
		const cJSON *pl = cJSON_GetObjectItemCaseSensitive(d, "platform");
		const char *digest = json_str(d, "digest");

		if (digest && platform_match(d, p))
			return digest;
		if (pl && n < sizeof(have))
			n += (size_t)snprintf(
				have + n, sizeof(have) - n, "%s%s/%s%s%s", n ? ", " : "",
				json_str(pl, "os") ?: "?", json_str(pl, "architecture") ?: "?",
				json_str(pl, "variant") ? "/" : "", json_str(pl, "variant") ?: "");
	}
	err_setk(e, ERRK_NO_SUCH, 0, "%s: no image for %s in its manifest list (it has %s)", what,
		 platform_str(p, buf, sizeof(buf)), *have ? have : "none");
	return NULL;
}

/* ---- layer blobs, resumed ------------------------------------------------ */

struct blob_in {
	struct stream s;
	struct reg *g;
	const char *digest;
	uint64_t size, got; /* the descriptor's size; bytes passed on */
	struct http_resp r;
	int open, tries;
	int norange; /* a fetcher that passes no 206 on: never a Range */
	FILE *progress;
};

static int blob_open(struct blob_in *b, struct err *e)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", b->g->repo, b->digest);
	_cleanup_free_ char *what = xasprintf("blob %s", b->digest);
	uint64_t skip = 0;

	b->tries++;
	if (reg_get(b->g, path, NULL, b->norange ? 0 : b->got, &b->r, e) < 0 ||
	    check_status(b->g, &b->r, what, e) < 0)
		return -1;
	b->open = 1;
	b->norange |= b->r.norange;
	if (b->got && b->r.status == 206) {
		const char *cr = http_header(&b->r, "Content-Range");
		uint64_t from;

		if (!cr || sscanf(cr, "bytes %" SCNu64 "-", &from) != 1 || from != b->got)
			return err_set(e, 0, "%s: a Content-Range \"%s\" for bytes %" PRIu64 "-",
				       what, cr ? cr : "", b->got);
	} else if (b->got) {
		skip = b->got; /* Range ignored (200): the whole blob again */
	}
	while (skip) {
		char buf[16384];
		ssize_t k = b->r.s.read(&b->r.s, buf, skip < sizeof(buf) ? skip : sizeof(buf), e);

		if (k <= 0)
			return k < 0 ? -1 : err_set(e, 0, "%s: shorter than before", what);
		skip -= (uint64_t)k;
	}
	return 0;
}

static ssize_t blob_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct blob_in *b = (struct blob_in *)s;

	for (;;) {
		ssize_t k = -1;

		if (b->open || blob_open(b, e) == 0) {
			if (n > b->size - b->got + 1)
				n = (size_t)(b->size - b->got + 1);
			k = b->r.s.read(&b->r.s, buf, n, e);
			if (k > 0 && b->got + (uint64_t)k > b->size) {
				return err_set(e, 0,
					       "blob %s: larger than the %" PRIu64
					       " bytes its manifest gives",
					       b->digest, b->size);
			}
			if (k > 0) {
				b->got += (uint64_t)k;
				return k;
			}
			if (k == 0 && b->got == b->size)
				return 0;
			if (k == 0)
				err_set(e, 0,
					"blob %s: ended after %" PRIu64 " of %" PRIu64 " bytes",
					b->digest, b->got, b->size);
		}
		/* cut: again from where it stopped, while tries are left */
		http_resp_free(&b->r);
		b->open = 0;
		/* a 404 or a login refused are no breaks in the transfer */
		if (b->tries >= BLOB_TRIES || (e && e->kind != ERRK_GENERIC))
			return -1;
		if (b->progress)
			fprintf(b->progress, "Copying blob %s: resuming at byte %" PRIu64 " (%s)\n",
				b->digest, b->got, e ? e->msg : "");
	}
}

/* A config blob: read whole (at most CONFIG_MAX, resumed as layers are)
 * and checked. */
static char *get_config(struct reg *g, const cJSON *desc, FILE *progress, size_t *len,
			struct err *e)
{
	const char *digest = json_str(desc, "digest");
	const cJSON *sz = cJSON_GetObjectItemCaseSensitive(desc, "size");
	struct blob_in b = { .g = g, .digest = digest, .progress = progress };
	char *body = NULL, got[72];
	size_t n = 0;
	ssize_t k = 1;

	if (!cJSON_IsNumber(sz) || sz->valuedouble < 0 || sz->valuedouble > CONFIG_MAX) {
		err_set(e, 0, "config %s: a bad size", digest);
		return NULL;
	}
	b.s.read = blob_read;
	b.size = (uint64_t)sz->valuedouble;
	b.r.fd = b.r.errfd = -1;
	body = xmalloc((size_t)b.size + 1);
	while (n <= b.size && (k = blob_read(&b.s, body + n, (size_t)b.size + 1 - n, e)) > 0)
		n += (size_t)k;
	http_resp_free(&b.r);
	if (k < 0) {
		free(body);
		return NULL;
	}
	body[n] = '\0';
	*len = n;
	sha256_digest_of(body, n, got);
	if (strcmp(got, digest)) {
		free(body);
		err_set(e, 0, "config %s: its content's digest is %s", digest, got);
		return NULL;
	}
	return body;
}

/* ---- the pull ------------------------------------------------------------- */

struct pulled {
	char **diffs, **stages;
	uint64_t *sizes;
	size_t n;
};

static void pulled_free(struct pulled *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->stages[i]);
	strv_free(p->diffs);
	free(p->stages);
	free(p->sizes);
}

/* One layer to pull: its blob into stage dir stage, checked against its
 * digest and diff id (run in this process or as a job, jobs.h). */
struct layer_job {
	struct reg *g;
	const char *digest, *diff;
	uint64_t size;
	int dirfd;
	char stage[24];
	FILE *progress;
};

static int layer_job(void *arg, struct layer_info *li, struct err *e)
{
	struct layer_job *a = arg;
	struct blob_in b = {
		.g = a->g, .digest = a->digest, .size = a->size, .progress = a->progress
	};
	int rc;

	b.s.read = blob_read;
	b.r.fd = b.r.errfd = -1;
	rc = layer_unpack(&b.s, a->dirfd, a->stage, a->digest, li, e);
	http_resp_free(&b.r);
	if (rc == 0 && strcmp(li->blob, a->digest))
		rc = err_set(e, 0, "blob %s: its content's digest is %s", a->digest, li->blob);
	else if (rc == 0 && strcmp(li->diff, a->diff))
		rc = err_set(e, 0,
			     "layer %s: its content's digest %s is not the diff id %s that the "
			     "config expects",
			     a->digest, li->diff, a->diff);
	return rc;
}

/* Each layer of manifest m into the stage, unless the store has it; the
 * layers to pull by jobs (jobs.h), a few at once. */
static int get_layers(struct reg *g, const cJSON *m, const cJSON *diffs, struct image_stage *st,
		      FILE *progress, struct pulled *p, struct err *e)
{
	const cJSON *ls = cJSON_GetObjectItemCaseSensitive(m, "layers"), *x;
	struct images ro;
	struct jobs jobs;
	int n = cJSON_GetArraySize(ls), rc = 0;
	size_t *todo, ntodo = 0, next = 0;

	if (!cJSON_IsArray(ls) || !cJSON_IsArray(diffs) || cJSON_GetArraySize(diffs) != n)
		return err_set(e, 0, "the config lists %d layers, the manifest %d",
			       cJSON_GetArraySize(diffs), n);
	p->diffs = xcalloc((size_t)n + 1, sizeof(char *));
	p->stages = xcalloc((size_t)n + 1, sizeof(char *));
	p->sizes = xcalloc((size_t)n + 1, sizeof(uint64_t));
	if (images_open(&ro, g->st, 0, e) < 0)
		return -1;
	todo = xcalloc((size_t)n + 1, sizeof(size_t));
	cJSON_ArrayForEach (x, ls) {
		const cJSON *d = cJSON_GetArrayItem(diffs, (int)p->n), *sz;
		const char *digest = json_str(x, "digest");
		int have = 0;

		if (!digest_valid(digest ?: "") || !cJSON_IsString(d) ||
		    !digest_valid(d->valuestring) ||
		    !cJSON_IsNumber(sz = cJSON_GetObjectItemCaseSensitive(x, "size")) ||
		    sz->valuedouble < 0) {
			rc = err_set(e, 0, "layer %zu: a bad digest, diff id or size", p->n);
			break;
		}
		p->diffs[p->n] = xstrdup(d->valuestring);
		for (size_t k = 0; k < p->n; k++)
			have |= !strcmp(p->diffs[k], d->valuestring);
		if (have || images_has_layer(&ro, d->valuestring)) {
			if (progress)
				fprintf(progress, "Copying blob %s skipped: already exists\n",
					digest);
		} else {
			todo[ntodo++] = p->n;
		}
		p->n++;
	}
	images_close(&ro);
	jobs_init(&jobs);
	while (rc == 0 && next < ntodo) {
		const cJSON *l = cJSON_GetArrayItem(ls, (int)todo[next]);
		struct layer_job a = { .g = g,
				       .digest = json_str(l, "digest"),
				       .diff = p->diffs[todo[next]],
				       .size = (uint64_t)cJSON_GetNumberValue(
					       cJSON_GetObjectItemCaseSensitive(l, "size")),
				       .dirfd = st->fd,
				       .progress = progress };
		struct layer_info li = { 0 };
		size_t i = todo[next++];

		snprintf(a.stage, sizeof(a.stage), "%zu", i);
		p->stages[i] = xstrdup(a.stage);
		if (progress)
			fprintf(progress, "Copying blob %s\n", a.digest);
		if (jobs.max == 1 || ntodo == 1) { /* no process of its own */
			rc = layer_job(&a, &li, e);
			p->sizes[i] = li.size;
			continue;
		}
		rc = jobs_start(&jobs, i, layer_job, &a, e);
		/* all the CPUs busy, or nothing left to start: one to end */
		while (rc == 0 && jobs.n && (jobs.n == jobs.max || next == ntodo)) {
			rc = jobs_wait(&jobs, &i, &li, e) < 0 ? -1 : 0;
			p->sizes[i] = li.size;
		}
	}
	jobs_kill(&jobs); /* after a failure: the others are stopped */
	free(todo);
	return rc;
}

/* ref's parts: the registry's domain, the repository, the name a tag
 * pull gives ("domain/repo:tag"), the digest (or NULL). */
static int parse_ref(const char *ref, char **domain, char **repo, char **name, char **digest,
		     struct err *e)
{
	const char *at = strchr(ref, '@');
	_cleanup_free_ char *base = at ? xasprintf("%.*s", (int)(at - ref), ref) : xstrdup(ref);
	char *n, *slash, *colon;

	if (at && !digest_valid(at + 1))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"invalid image name \"%s\" (a digest is sha256: and 64 hex digits)",
				ref);
	n = images_normalize(base, "docker.io", e);
	if (!n)
		return -1;
	slash = strchr(n, '/');
	colon = strrchr(n, ':');
	*domain = xasprintf("%.*s", (int)(slash - n), n);
	*repo = xasprintf("%.*s", (int)(colon - slash - 1), slash + 1);
	*digest = at ? xstrdup(at + 1) : NULL;
	*name = n;
	return 0;
}

int image_pull(const struct store *s, const char *ref, const struct pull_opts *o, char **id,
	       char **name, struct err *e)
{
	_cleanup_free_ char *domain = NULL, *repo = NULL, *tagname = NULL, *digest = NULL;
	_cleanup_free_ char *what = NULL, *config = NULL;
	_cleanup_json_ cJSON *m = NULL, *cfg = NULL;
	struct platform want;
	struct reg g = { 0 };
	struct image_stage st = { .fd = -1, .lockfd = -1 };
	struct pulled p = { 0 };
	struct images im;
	FILE *pr = o->progress;
	char mdigest[72], buf[80];
	const char *cdigest;
	size_t clen = 0;
	int rc = -1;

	*id = *name = NULL;
	if (o->platform ? platform_parse(o->platform, &want, e) < 0 : (platform_native(&want), 0))
		return -1;
	if (parse_ref(ref, &domain, &repo, &tagname, &digest, e) < 0)
		return -1;
	what = digest ? xasprintf("%s/%s@%s", domain, repo, digest) : xstrdup(tagname);
	reg_init(&g, s, domain, repo, o->tls_verify);
	if (pr)
		fprintf(pr, "Trying to pull %s...\n", what);
	m = get_manifest(&g, digest ? digest : strrchr(tagname, ':') + 1, what, mdigest, e);
	if (m && is_index(m)) {
		const char *d = choose(m, &want, what, e);
		_cleanup_free_ char *dd = d ? xstrdup(d) : NULL;
		cJSON_Delete(m);
		m = dd ? get_manifest(&g, dd, what, mdigest, e) : NULL;
		if (m && is_index(m)) {
			err_set(e, 0, "%s: an index inside an index", what);
			goto out;
		}
	}
	if (!m)
		goto out;
	cdigest = json_str(cJSON_GetObjectItemCaseSensitive(m, "config"), "digest");
	if (!cdigest || !digest_valid(cdigest)) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "schemaVersion");

		err_set(e, 0, "%s: %s", what,
			cJSON_IsNumber(v) && v->valueint == 1
				? "a schema 1 manifest, which nook does not read (push it again "
				  "with a current tool)"
				: "the manifest names no config");
		goto out;
	}
	if (pr)
		fprintf(pr, "Getting image source signatures\n");
	config = get_config(&g, cJSON_GetObjectItemCaseSensitive(m, "config"), pr, &clen, e);
	cfg = config ? cJSON_ParseWithLength(config, clen) : NULL;
	if (!config || !cJSON_IsObject(cfg)) {
		if (config)
			err_set(e, 0, "config %s is not JSON", cdigest);
		goto out;
	}
	if (pr && json_str(cfg, "architecture") &&
	    (strcmp(json_str(cfg, "architecture"), want.arch) ||
	     strcmp(json_str(cfg, "os") ?: "linux", want.os)))
		fprintf(pr,
			"WARNING: image platform (%s/%s) does not match the expected platform "
			"(%s)\n",
			json_str(cfg, "os") ?: "?", json_str(cfg, "architecture"),
			platform_str(&want, buf, sizeof(buf)));
	if (images_stage_begin(s, &st, e) < 0 ||
	    get_layers(&g, m,
		       cJSON_GetObjectItemCaseSensitive(
			       cJSON_GetObjectItemCaseSensitive(cfg, "rootfs"), "diff_ids"),
		       &st, pr, &p, e) < 0)
		goto out;
	if (pr)
		fprintf(pr, "Copying config %s\nWriting manifest to image destination\n", cdigest);
	if (images_open(&im, s, 1, e) < 0)
		goto out;
	{
		char *tags[] = { digest ? NULL : tagname, NULL };
		cJSON *img =
			images_commit(&im, &st, config, clen, p.diffs, p.stages, p.sizes, tags, e);

		if (img) {
			/* the manifest's digest, and the index's a pull named */
			const char *ds[] = { mdigest,
					     digest && strcmp(digest, mdigest) ? digest : NULL };

			for (int i = 0; i < 2 && ds[i]; i++) {
				_cleanup_free_ char *dname =
					xasprintf("%s/%s@%s", domain, repo, ds[i]);

				images_add_digest(&im, img, dname);
			}
			rc = images_save(&im, e);
			*id = xstrdup(json_str(img, "id"));
			*name = digest ? NULL : xstrdup(tagname);
		}
	}
	images_close(&im);
	if (rc < 0) {
		free(*id);
		*id = NULL;
	}
out:
	if (rc < 0 && e && strncmp(e->msg, what, strlen(what)))
		err_wrap(e, "%s", what);
	pulled_free(&p);
	images_stage_end(&st);
	reg_free(&g);
	return rc;
}

/* ---- login, logout --------------------------------------------------------- */

static int auth_set(const struct store *s, const char *domain, const char *auth, struct err *e)
{
	_cleanup_free_ char *path = auth_path(s);
	_cleanup_json_ cJSON *j = store_read_json(path, NULL);
	cJSON *auths;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = cJSON_CreateObject();
	}
	auths = cJSON_GetObjectItemCaseSensitive(j, "auths");
	if (!cJSON_IsObject(auths)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "auths");
		auths = cJSON_AddObjectToObject(j, "auths");
	}
	if (!auth) {
		if (!cJSON_GetObjectItemCaseSensitive(auths, domain))
			return err_setk(e, ERRK_NO_SUCH, 0, "not logged in to %s", domain);
		cJSON_DeleteItemFromObjectCaseSensitive(auths, domain);
	} else {
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "auth", auth);
		cJSON_DeleteItemFromObjectCaseSensitive(auths, domain);
		cJSON_AddItemToObject(auths, domain, a);
	}
	return store_write_json(path, j, 1, e);
}

/* "https://host:port/" as "host:port"; -1 when it is not a registry. */
static char *registry_domain(const char *registry, struct err *e)
{
	const char *r = strstr(registry, "://") ? strstr(registry, "://") + 3 : registry;
	_cleanup_free_ char *d = xasprintf("%.*s", (int)strcspn(r, "/"), r);
	_cleanup_free_ char *probe = xasprintf("%s/x", d);
	_cleanup_free_ char *n = images_normalize(probe, "localhost", NULL);

	if (!n || strncmp(n, d, strlen(d)) || n[strlen(d)] != '/') {
		err_setk(e, ERRK_INVALID_ARG, 0, "invalid registry \"%s\" (HOST[:PORT])", registry);
		return NULL;
	}
	return steal_ptr(d);
}

int registry_login(const struct store *s, const char *registry, const char *user,
		   const char *password, int tls_verify, struct err *e)
{
	_cleanup_free_ char *domain = registry_domain(registry, e), *up = NULL;
	struct reg g;
	struct http_resp r;
	int rc;

	if (!domain)
		return -1;
	if (strchr(user, ':'))
		return err_setk(e, ERRK_INVALID_ARG, 0, "a user name with ':'");
	reg_init(&g, s, domain, NULL, tls_verify);
	up = xasprintf("%s:%s", user, password);
	free(g.basic);
	g.basic = base64_encode(up, strlen(up));
	rc = reg_get(&g, "/v2/", NULL, 0, &r, e);
	if (rc == 0 && r.status != 200)
		rc = check_status(&g, &r, "login", e);
	http_resp_free(&r);
	if (rc == 0)
		rc = auth_set(s, domain, g.basic, e);
	reg_free(&g);
	return rc;
}

int registry_logout(const struct store *s, const char *registry, struct err *e)
{
	_cleanup_free_ char *domain = NULL, *path = NULL;

	if (registry) {
		domain = registry_domain(registry, e);
		return domain ? auth_set(s, domain, NULL, e) : -1;
	}
	path = auth_path(s);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(e, "remove %s", path);
	return 0;
}
