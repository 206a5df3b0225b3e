// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load: see load.h.
 *
 * Every name and size in an archive is untrusted: entry names are only
 * compared, never used as paths (layers are staged under names of our
 * own); JSON files are read up to JSON_MAX; links between entries (docker
 * save links repeated layers) are followed a few hops at most; a layout
 * directory's blobs are opened under blobs/sha256/ without following
 * symlinks.
 */
#include "store/load.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "oci/sys.h"
#include "store/change.h"
#include "store/digest.h"
#include "store/images.h"
#include "store/inflate.h"
#include "store/jobs.h"
#include "store/layer.h"
#include "store/manifest.h"
#include "store/tar.h"

#define JSON_MAX (8u << 20)

#define LINK_HOPS 8

struct blob {
	char *name; /* the entry's name, normalised ("a/b"), or "blobs/sha256/<hex>" */
	char *link; /* another entry's name when this one is a link to it */
	char *data; /* a small file's bytes (NUL-terminated) */
	size_t len;
	char digest[72]; /* of data */
	char stage[16]; /* the staged tree of a layer, "" if none */
	int present; /* a layer already in the store: not unpacked again */
	struct layer_info li;
};

struct load {
	const struct store *s;
	const char *src; /* the archive, for errors */
	struct image_stage st;
	struct images ro; /* the index as it was, read-only */
	int dirfd; /* an OCI layout directory, or -1 */
	int afd; /* the archive, a regular file (its layers by jobs), or -1 */
	struct jobs jobs;
	struct blob **b; /* each allocated once: pointers to them stay valid */
	size_t nb;
	unsigned nstaged;
	/* what was found, to commit */
	struct found {
		char *config;
		size_t clen;
		char **diffs, **stages, **tags;
		uint64_t *sizes;
	} * img;
	size_t nimg;
};

/* "./a//b" -> "a/b"; "" for names that climb out (never matched). */
static char *norm(const char *name)
{
	char *out = xcalloc(1, strlen(name) + 1), *o = out;
	const char *p = name;

	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*out = '\0';
			return out;
		}
		if (n && !(n == 1 && p[0] == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n + (p[n] == '/');
	}
	*o = '\0';
	return out;
}

static struct blob *add_blob(struct load *l, const char *name)
{
	struct blob *b;

	l->b = xrealloc(l->b, (l->nb + 1) * sizeof(*l->b));
	b = l->b[l->nb++] = xcalloc(1, sizeof(*b));
	b->name = norm(name);
	return b;
}

static struct blob *find(struct load *l, const char *name)
{
	_cleanup_free_ char *n = norm(name);

	for (int hop = 0; hop < LINK_HOPS && *n; hop++) {
		struct blob *b = NULL;

		for (size_t i = l->nb; i-- > 0;)
			if (!strcmp(l->b[i]->name, n)) {
				b = l->b[i];
				break;
			}
		if (!b || !b->link)
			return b;
		free(n);
		n = xstrdup(b->link);
	}
	return NULL;
}

/* A small file's bytes into b (at most JSON_MAX). */
static int read_small(struct load *l, struct blob *b, struct stream *in, uint64_t size,
		      struct err *e)
{
	if (size > JSON_MAX)
		return err_set(e, 0, "%s: %s: %" PRIu64 " bytes is too large for a JSON file",
			       l->src, b->name, size);
	b->data = xmalloc((size_t)size + 1);
	b->len = (size_t)size;
	if (stream_read_full(in, b->data, b->len, b->name, e) < 0)
		return err_wrap(e, "%s", l->src);
	b->data[b->len] = '\0';
	sha256_digest_of(b->data, b->len, b->digest);
	return 0;
}

/* The 64 hex digits a docker-archive layer's name carries ("<hex>.tar",
 * "<hex>/layer.tar"), which podman and docker make its diff id. */
static int name_hex(const char *name, char hex[65])
{
	const char *p = strrchr(name, '/');
	size_t n;

	if (p && !strcmp(p, "/layer.tar")) {
		const char *q = p;

		while (q > name && q[-1] != '/')
			q--;
		n = (size_t)(p - q);
		p = q;
	} else {
		p = p ? p + 1 : name;
		n = strlen(p);
		if (n < 4 || strcmp(p + n - 4, ".tar") != 0)
			return 0;
		n -= 4;
	}
	if (n != 64)
		return 0;
	memcpy(hex, p, 64);
	hex[64] = '\0';
	return 1;
}

/* A layer of an uncompressed archive file, by a job: its bytes read with
 * pread (the file's offset is the parent's), into its stage. */
struct range_job {
	struct stream s;
	int fd, dirfd;
	off_t off;
	uint64_t left;
	const char *stage, *what;
};

static ssize_t range_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct range_job *r = (struct range_job *)s;
	ssize_t k;

	if (n > r->left)
		n = (size_t)r->left;
	if (n == 0)
		return 0;
	while ((k = pread(r->fd, buf, n, r->off)) < 0 && errno == EINTR)
		;
	if (k <= 0)
		return k < 0 ? err_sys(e, "read %s", r->what)
			     : err_set(e, 0, "%s: truncated", r->what);
	r->off += k;
	r->left -= (uint64_t)k;
	return k;
}

static int range_job(void *arg, struct layer_info *li, struct err *e)
{
	struct range_job *r = arg;

	r->s.read = range_read;
	return layer_unpack(&r->s, r->dirfd, r->stage, r->what, li, e);
}

/* The answer of the next job to end, into its blob (tags: blob indexes). */
static int job_done(struct load *l, struct err *e)
{
	size_t i;
	struct layer_info li;
	int r = jobs_wait(&l->jobs, &i, &li, e);

	if (r > 0)
		l->b[i]->li = li;
	return r < 0 ? -1 : 0;
}

/* A layer blob: unpacked into the stage, unless the store has it; by a
 * job when the archive is a file of its own (size bytes from where in
 * stands, less the ahead bytes already read of it) and there is a CPU for
 * one. */
static int take_layer(struct load *l, struct blob *b, struct stream *in, uint64_t size,
		      size_t ahead, struct err *e)
{
	_cleanup_free_ char *what = xasprintf("%s: layer %s", l->src, b->name);
	_cleanup_free_ char *diff = NULL;
	char hex[65];
	off_t pos;

	if (name_hex(b->name, hex)) {
		diff = xasprintf("sha256:%s", hex);
		if (images_has_layer(&l->ro, diff)) {
			b->present = 1;
			snprintf(b->li.diff, sizeof(b->li.diff), "%s", diff);
			return 0;
		}
	}
	snprintf(b->stage, sizeof(b->stage), "%u", l->nstaged++);
	if (l->afd >= 0 && ahead != SIZE_MAX && l->jobs.max > 1 &&
	    (pos = lseek(l->afd, 0, SEEK_CUR)) >= (off_t)ahead) {
		size_t i = 0;
		struct range_job r = { .fd = l->afd,
				       .dirfd = l->st.fd,
				       .off = pos - (off_t)ahead,
				       .left = size,
				       .stage = b->stage,
				       .what = what };

		while (l->b[i] != b)
			i++;
		if (l->jobs.n == l->jobs.max && job_done(l, e) < 0)
			return -1;
		return jobs_start(&l->jobs, i, range_job, &r, e);
	}
	return layer_unpack(in, l->st.fd, b->stage, what, &b->li, e);
}

/* ---- reading an archive ---------------------------------------------- */

static int read_archive(struct load *l, struct stream *in, struct err *e)
{
	struct stream_peek peek;
	struct inflate *z = NULL;
	struct tar_reader *r;
	const struct tar_entry *t;
	int n;

	if (stream_peek_init(&peek, in, e) < 0)
		return err_wrap(e, "%s", l->src);
	if (peek.len == 0)
		return err_set(e, 0, "%s: empty archive", l->src);
	if (inflate_is_gzip(peek.buf, peek.len)) {
		z = inflate_new(&peek.s, NULL);
		in = inflate_stream(z);
	} else if (!tar_block_is_header(peek.buf, peek.len)) {
		return err_set(e, 0, "%s: not an image archive (neither tar nor gzip)", l->src);
	} else {
		in = &peek.s;
	}
	r = tar_reader_new(in);
	while ((n = tar_reader_next(r, &t, e)) > 0) {
		struct blob *b;
		struct stream_peek data;

		if (t->type == '1' || t->type == '2') {
			b = add_blob(l, t->name);
			if (t->type == '2') { /* relative to the link's directory */
				const char *slash = strrchr(b->name, '/');
				_cleanup_free_ char *j =
					t->linkname[0] == '/'
						? xstrdup("..") /* never matches */
						: xasprintf("%.*s%s",
							    slash ? (int)(slash - b->name + 1) : 0,
							    b->name, t->linkname);

				b->link = norm(j);
			} else {
				b->link = norm(t->linkname);
			}
			continue;
		}
		if (t->type != '0')
			continue;
		b = add_blob(l, t->name);
		if (stream_peek_init(&data, tar_reader_data(r), e) < 0) {
			n = err_wrap(e, "%s", l->src);
			break;
		}
		if (layer_sniff(data.buf, data.len) != LAYER_NONE) {
			if (take_layer(l, b, &data.s, t->size, z ? SIZE_MAX : data.len, e) < 0) {
				n = -1;
				break;
			}
		} else if (read_small(l, b, &data.s, t->size, e) < 0) {
			n = -1;
			break;
		}
	}
	if (n == 0 && z)
		n = stream_drain(in, e); /* the gzip trailer: checked */
	while (n == 0 && l->jobs.n) /* the layers still being unpacked */
		n = job_done(l, e);
	tar_reader_free(r);
	inflate_free(z);
	if (n < 0 && e && !strstr(e->msg, l->src))
		err_wrap(e, "%s", l->src);
	return n < 0 ? -1 : 0;
}

/* ---- an OCI layout directory ------------------------------------------ */

static int open_blob(struct load *l, const char *hex, struct err *e)
{
	_cleanup_close_ int b = -1, s = -1;
	int fd;

	b = openat(l->dirfd, "blobs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (b >= 0)
		s = openat(b, "sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	fd = s < 0 ? -1 : openat(s, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "%s: blob sha256:%s", l->src, hex);
	return fd;
}

/* The blob for digest: from the archive, or read from the directory now
 * (a layer unpacked, anything else read whole). */
static struct blob *get_blob(struct load *l, const char *digest, int layer, struct err *e)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int fd = -1;
	struct blob *b;
	struct stream_fd f;
	struct stat st;

	if (!digest_valid(digest)) {
		err_set(e, 0, "%s: bad digest \"%s\"", l->src, digest);
		return NULL;
	}
	name = xasprintf("blobs/sha256/%s", digest + 7);
	b = find(l, name);
	if (b || l->dirfd < 0) {
		if (!b)
			err_set(e, 0, "%s: blob %s is missing", l->src, digest);
		return b;
	}
	fd = open_blob(l, digest + 7, e);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			err_sys(e, "%s: stat blob %s", l->src, digest);
		return NULL;
	}
	b = add_blob(l, name);
	stream_fd_init(&f, fd, name);
	if (layer ? take_layer(l, b, &f.s, 0, SIZE_MAX, e) < 0
		  : read_small(l, b, &f.s, (uint64_t)st.st_size, e) < 0)
		return NULL;
	return b;
}

/* ---- manifests --------------------------------------------------------- */

/* Record an image: its config blob and its layers, checked against the
 * config's diff ids. */
static int add_image(struct load *l, struct blob *cfg, struct blob **layers, size_t nl, char **tags,
		     struct err *e)
{
	_cleanup_json_ cJSON *c = cJSON_ParseWithLength(cfg->data, cfg->len);
	const cJSON *diffs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(c, "rootfs"), "diff_ids");
	struct found *f;

	if (!cJSON_IsObject(c) || !cJSON_IsArray(diffs))
		return err_set(e, 0, "%s: config %s is not an image config (no rootfs.diff_ids)",
			       l->src, cfg->name);
	if ((size_t)cJSON_GetArraySize(diffs) != nl)
		return err_set(e, 0, "%s: config %s lists %d layers, the manifest %zu", l->src,
			       cfg->name, cJSON_GetArraySize(diffs), nl);
	l->img = xrealloc(l->img, (l->nimg + 1) * sizeof(*l->img));
	f = &l->img[l->nimg++];
	*f = (struct found){ .config = cfg->data, .clen = cfg->len, .tags = tags };
	f->diffs = xcalloc(nl + 1, sizeof(char *));
	f->stages = xcalloc(nl + 1, sizeof(char *));
	f->sizes = xcalloc(nl + 1, sizeof(uint64_t));
	for (size_t i = 0; i < nl; i++) {
		const cJSON *d = cJSON_GetArrayItem(diffs, (int)i);

		if (!cJSON_IsString(d) || strcmp(d->valuestring, layers[i]->li.diff) != 0)
			return err_set(e, 0,
				       "%s: layer %s: its content's digest %s is not the diff id "
				       "%s that config %s expects",
				       l->src, layers[i]->name, layers[i]->li.diff,
				       cJSON_IsString(d) ? d->valuestring : "?", cfg->name);
		f->diffs[i] = xstrdup(d->valuestring);
		f->stages[i] = layers[i]->present ? NULL : xstrdup(layers[i]->stage);
		f->sizes[i] = layers[i]->li.size;
	}
	return 0;
}

static char **tags_from(const cJSON *a)
{
	char **v = xcalloc(1, sizeof(char *));
	const cJSON *t;

	cJSON_ArrayForEach (t, a) {
		_cleanup_free_ char *n =
			cJSON_IsString(t) ? images_normalize(t->valuestring, "docker.io", NULL)
					  : NULL;

		if (n)
			strv_push(&v, n);
	}
	return v;
}

/* The digest a config's name carries: "<hex>.json", "blobs/sha256/<hex>". */
static int config_hex(const char *name, char hex[65])
{
	const char *base = strrchr(name, '/');
	_cleanup_free_ char *d = NULL;

	base = base ? base + 1 : name;
	if (strlen(base) < 64 || (base[64] && strcmp(base + 64, ".json") != 0))
		return 0;
	d = xasprintf("sha256:%.64s", base);
	if (!digest_valid(d))
		return 0;
	memcpy(hex, base, 64);
	hex[64] = '\0';
	return 1;
}

static int docker_manifest(struct load *l, struct blob *m, struct err *e)
{
	_cleanup_json_ cJSON *j = cJSON_ParseWithLength(m->data, m->len);
	const cJSON *it;

	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
		return err_set(e, 0, "%s: manifest.json is not a list of images", l->src);
	cJSON_ArrayForEach (it, j) {
		const cJSON *ls = cJSON_GetObjectItemCaseSensitive(it, "Layers"), *x;
		const char *cname = json_str(it, "Config");
		struct blob *cfg = cname ? find(l, cname) : NULL;
		_cleanup_free_ struct blob **layers = NULL;
		size_t nl = 0;
		char hex[65];

		if (!cfg || !cfg->data)
			return err_set(e, 0, "%s: config %s named by manifest.json is missing",
				       l->src, cname ?: "(none)");
		/* its name is its digest: "<hex>.json" or "blobs/sha256/<hex>" */
		if (config_hex(cfg->name, hex) && strcmp(cfg->digest + 7, hex) != 0)
			return err_set(e, 0, "%s: config %s: digest mismatch (its content is %s)",
				       l->src, cfg->name, cfg->digest);
		layers = xcalloc((size_t)cJSON_GetArraySize(ls) + 1, sizeof(*layers));
		cJSON_ArrayForEach (x, ls) {
			struct blob *b = cJSON_IsString(x) ? find(l, x->valuestring) : NULL;

			if (!b || (!b->stage[0] && !b->present))
				return err_set(e, 0,
					       "%s: layer %s named by manifest.json is missing",
					       l->src, cJSON_IsString(x) ? x->valuestring : "?");
			layers[nl++] = b;
		}
		if (add_image(l, cfg, layers, nl,
			      tags_from(cJSON_GetObjectItemCaseSensitive(it, "RepoTags")), e) < 0)
			return -1;
	}
	return 0;
}

static int oci_index(struct load *l, struct blob *idx, int depth, char **tags, struct err *e);

static int oci_manifest(struct load *l, const cJSON *desc, char **tags, struct err *e)
{
	const char *digest = json_str(desc, "digest");
	struct blob *m = digest ? get_blob(l, digest, 0, e) : NULL;
	_cleanup_json_ cJSON *j = NULL;
	_cleanup_free_ struct blob **layers = NULL;
	const cJSON *ls, *x;
	struct blob *cfg;
	size_t nl = 0;

	if (!m)
		return digest ? -1 : err_set(e, 0, "%s: a manifest without a digest", l->src);
	if (strcmp(m->digest, digest) != 0)
		return err_set(e, 0, "%s: blob %s: digest mismatch (its content is %s)", l->src,
			       digest, m->digest);
	j = cJSON_ParseWithLength(m->data, m->len);
	if (cJSON_GetObjectItemCaseSensitive(j, "manifests"))
		return oci_index(l, m, 1, tags, e);
	ls = cJSON_GetObjectItemCaseSensitive(j, "layers");
	digest = json_str(cJSON_GetObjectItemCaseSensitive(j, "config"), "digest");
	if (!cJSON_IsArray(ls) || !digest)
		return err_set(e, 0, "%s: manifest %s has no config or layers", l->src, m->name);
	cfg = get_blob(l, digest, 0, e);
	if (!cfg)
		return -1;
	if (!cfg->data || strcmp(cfg->digest, digest) != 0)
		return err_set(e, 0, "%s: config %s: digest mismatch (its content is %s)", l->src,
			       digest, cfg->data ? cfg->digest : "a layer");
	layers = xcalloc((size_t)cJSON_GetArraySize(ls) + 1, sizeof(*layers));
	cJSON_ArrayForEach (x, ls) {
		const char *ld = json_str(x, "digest");
		struct blob *b = ld ? get_blob(l, ld, 1, e) : NULL;

		if (!b)
			return ld ? -1 : err_set(e, 0, "%s: a layer without a digest", l->src);
		if (!b->stage[0])
			return err_set(e, 0, "%s: blob %s is not a layer", l->src, ld);
		if (strcmp(b->li.blob, ld) != 0)
			return err_set(e, 0, "%s: layer %s: digest mismatch (its content is %s)",
				       l->src, ld, b->li.blob);
		layers[nl++] = b;
	}
	return add_image(l, cfg, layers, nl, tags, e);
}

static int oci_index(struct load *l, struct blob *idx, int depth, char **tags, struct err *e)
{
	_cleanup_json_ cJSON *j = cJSON_ParseWithLength(idx->data, idx->len);
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "manifests"), *d;
	size_t before = l->nimg;
	int skipped = 0;
	struct platform native;
	char pbuf[80];

	platform_native(&native);
	if (!cJSON_IsArray(ms) || depth > 4)
		return err_set(e, 0, "%s: %s is not an image index", l->src, idx->name);
	cJSON_ArrayForEach (d, ms) {
		const char *ref = json_str(cJSON_GetObjectItemCaseSensitive(d, "annotations"),
					   "org.opencontainers.image.ref.name");
		char **t = tags;

		if (!platform_match(d, &native)) {
			skipped++;
			continue;
		}
		if (!tags) {
			_cleanup_free_ char *n = ref && strpbrk(ref, "/:")
							 ? images_normalize(ref, "docker.io", NULL)
							 : NULL;

			t = xcalloc(1, sizeof(char *));
			if (n)
				strv_push(&t, n);
		} else {
			t = strv_dup(tags);
		}
		if (oci_manifest(l, d, t, e) < 0) {
			if (l->nimg == 0 || l->img[l->nimg - 1].tags != t)
				strv_free(t);
			return -1;
		}
	}
	if (l->nimg == before)
		return err_set(e, 0, "%s: no image for %s in it%s", l->src,
			       platform_str(&native, pbuf, sizeof(pbuf)),
			       skipped ? " (only other platforms)" : "");
	if (tags)
		strv_free(tags);
	return 0;
}

/* ---- the whole load ----------------------------------------------------- */

static void load_free(struct load *l)
{
	for (size_t i = 0; i < l->nb; i++) {
		free(l->b[i]->name);
		free(l->b[i]->link);
		free(l->b[i]->data);
		free(l->b[i]);
	}
	free(l->b);
	for (size_t i = 0; i < l->nimg; i++) {
		for (size_t k = 0; l->img[i].diffs[k]; k++)
			free(l->img[i].stages[k]);
		strv_free(l->img[i].diffs);
		free(l->img[i].stages);
		free(l->img[i].sizes);
		strv_free(l->img[i].tags);
	}
	free(l->img);
	jobs_kill(&l->jobs); /* after a failure: the layers still being unpacked */
	images_close(&l->ro);
	images_stage_end(&l->st);
	if (l->dirfd >= 0)
		close(l->dirfd);
}

static int commit(struct load *l, char ***loaded, struct err *e)
{
	struct images im;
	int r = 0;

	if (images_open(&im, l->s, 1, e) < 0)
		return -1;
	for (size_t i = 0; i < l->nimg && r == 0; i++) {
		struct found *f = &l->img[i];
		cJSON *img = images_commit(&im, &l->st, f->config, f->clen, f->diffs, f->stages,
					   f->sizes, f->tags, e);
		const cJSON *n;

		if (!img) {
			r = err_wrap(e, "%s", l->src);
			break;
		}
		if (!f->tags[0]) {
			char *id =
				xasprintf("sha256:%s",
					  cJSON_GetObjectItemCaseSensitive(img, "id")->valuestring);

			strv_push(loaded, id);
			free(id);
		}
		cJSON_ArrayForEach (n, cJSON_GetObjectItemCaseSensitive(img, "names"))
			for (size_t k = 0; f->tags[k]; k++)
				if (!strcmp(f->tags[k], n->valuestring))
					strv_push(loaded, n->valuestring);
	}
	images_close(&im);
	return r;
}

int image_load(const struct store *s, const char *path, char ***loaded, struct err *e)
{
	struct load l = { .s = s, .dirfd = -1, .afd = -1 };
	_cleanup_close_ int fd = -1;
	struct blob *b;
	struct stat st;
	int r = -1;

	*loaded = xcalloc(1, sizeof(char *));
	jobs_init(&l.jobs);
	l.src = path && strcmp(path, "-") ? path : "standard input";
	if (path && strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return err_sys(e, "open %s", path);
		if (S_ISDIR(st.st_mode)) {
			l.dirfd = fd;
			fd = -1;
		} else if (S_ISREG(st.st_mode)) {
			l.afd = fd;
		}
	}
	if (images_open(&l.ro, s, 0, e) < 0 || images_stage_begin(s, &l.st, e) < 0)
		goto out;
	if (l.dirfd >= 0) {
		_cleanup_close_ int ifd =
			openat(l.dirfd, "index.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stream_fd f;

		if (ifd < 0 || fstat(ifd, &st) < 0) {
			err_sys(e, "%s: not an OCI image layout: index.json", l.src);
			goto out;
		}
		stream_fd_init(&f, ifd, "index.json");
		b = add_blob(&l, "index.json");
		if (read_small(&l, b, &f.s, (uint64_t)st.st_size, e) < 0)
			goto out;
	} else {
		struct stream_fd f;

		stream_fd_init(&f, fd >= 0 ? fd : 0, l.src);
		if (read_archive(&l, &f.s, e) < 0)
			goto out;
	}
	if ((b = find(&l, "manifest.json")) && b->data) {
		if (docker_manifest(&l, b, e) < 0)
			goto out;
	} else if ((b = find(&l, "index.json")) && b->data) {
		if (oci_index(&l, b, 0, NULL, e) < 0)
			goto out;
	} else {
		err_set(e, 0, "%s: not an image archive (no manifest.json or index.json)", l.src);
		goto out;
	}
	r = commit(&l, loaded, e);
out:
	if (r < 0) {
		strv_free(*loaded);
		*loaded = NULL;
	}
	load_free(&l);
	return r;
}

int image_import(const struct store *s, const char *path, const char *name, char **id_out,
		 struct err *e)
{
	struct load l = { .s = s, .dirfd = -1 };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *cfg = NULL, *n = NULL;
	struct stream_fd f;
	struct blob *b;
	struct images im;
	cJSON *img;
	char when[40];
	struct platform native;
	int r = -1;

	l.src = path && strcmp(path, "-") ? path : "standard input";
	if (name && !(n = images_normalize(name, "localhost", e)))
		return -1;
	if (path && strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_sys(e, "open %s", path);
	}
	if (images_open(&l.ro, s, 0, e) < 0 || images_stage_begin(s, &l.st, e) < 0)
		goto out;
	stream_fd_init(&f, fd >= 0 ? fd : 0, l.src);
	b = add_blob(&l, l.src);
	snprintf(b->stage, sizeof(b->stage), "0");
	if (layer_unpack(&f.s, l.st.fd, b->stage, l.src, &b->li, e) < 0)
		goto out;
	platform_native(&native);
	time_format_ns(sys_wall_ns(), when, sizeof(when));
	/* podman import's config: no command; the user gives one at run */
	cfg = xasprintf("{\"created\":\"%s\",\"architecture\":\"%s\",\"os\":\"linux\","
			"\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			"/usr/bin:/sbin:/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
			"[\"%s\"]},\"history\":[{\"created\":\"%s\",\"created_by\":\"nook "
			"import\"}]}",
			when, native.arch, b->li.diff, when);
	if (images_open(&im, s, 1, e) < 0)
		goto out;
	{
		char *diffs[] = { b->li.diff, NULL }, *stages[] = { b->stage, NULL };
		char *tags[] = { n, NULL };
		uint64_t sizes[] = { b->li.size };

		img = images_commit(&im, &l.st, cfg, strlen(cfg), diffs, stages, sizes,
				    n ? tags : tags + 1, e);
	}
	if (img) {
		*id_out = xstrdup(cJSON_GetObjectItemCaseSensitive(img, "id")->valuestring);
		r = 0;
	}
	images_close(&im);
out:
	load_free(&l);
	return r;
}

int image_import_squashfs(const struct store *s, const char *path, const char *name, char **id_out,
			  struct err *e)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *cfg = NULL, *n = NULL;
	struct platform native;
	struct images im;
	char hex[65], when[40], magic[4];
	uint64_t size;
	cJSON *img;
	int r = -1;

	if (name && !(n = images_normalize(name, "localhost", e)))
		return -1;
	if (fd < 0)
		return err_sys(e, "open %s", path);
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "hsqs", 4))
		return err_setk(e, ERRK_INVALID_ARG, 0, "%s: not a squashfs image", path);
	if (images_open(&im, s, 1, e) < 0)
		return -1;
	if (images_squashfs_store(&im, fd, hex, &size, e) < 0)
		goto out;
	{
		struct timespec ts;

		platform_native(&native);
		clock_gettime(CLOCK_REALTIME, &ts);
		time_format_ns((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, when, sizeof(when));
	}
	/* as import's, with the file's digest: no command, and no layers
	 * (the file is the root, mounted read-only under each container) */
	cfg = xasprintf("{\"created\":\"%s\",\"architecture\":\"%s\",\"os\":\"linux\","
			"\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			"/usr/bin:/sbin:/bin\"],\"Labels\":{\"org.nook.squashfs\":\"sha256:%s\"}},"
			"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{"
			"\"created\":\"%s\",\"created_by\":\"nook image import --squashfs\"}]}",
			when, native.arch, hex, when);
	{
		char *tags[] = { n, NULL };

		img = images_commit_squashfs(&im, hex, size, cfg, n ? tags : tags + 1, e);
	}
	if (img) {
		*id_out = xstrdup(cJSON_GetObjectItemCaseSensitive(img, "id")->valuestring);
		r = 0;
	}
out:
	images_close(&im);
	return r;
}

/* The child of image_commit: the upper directory as a layer tar into out;
 * its error, if any, into errfd. */
static void commit_writer(int upperfd, int out, int errfd)
{
	struct err e = { 0 };
	char buf[600];

	if (tar_write_layer(upperfd, out, &e) == 0)
		_exit(0);
	err_str(&e, buf, sizeof(buf));
	if (write(errfd, buf, strlen(buf)) < 0)
		_exit(2);
	_exit(1);
}

/* image_commit's ctr over the config c */
static void put_over(cJSON *c, const cJSON *ctr)
{
	const cJSON *x, *y;
	cJSON *to, *d;

	cJSON_ArrayForEach (x, ctr) {
		to = cJSON_GetObjectItemCaseSensitive(c, x->string);
		if (cJSON_IsObject(x) && cJSON_IsObject(to)) {
			cJSON_ArrayForEach (y, x)
				if (!cJSON_GetObjectItemCaseSensitive(to, y->string))
					cJSON_AddItemToObject(to, y->string, cJSON_Duplicate(y, 1));
		} else if (cJSON_IsArray(x) && !x->child) {
			cJSON_DeleteItemFromObjectCaseSensitive(c, x->string);
		} else if (!cJSON_ReplaceItemInObjectCaseSensitive(c, x->string,
								   d = cJSON_Duplicate(x, 1))) {
			cJSON_AddItemToObject(c, x->string, d); /* in its place, or last */
		}
	}
}

int image_commit(const struct store *s, int upperfd, const char *base, const char *name,
		 const char *author, const char *comment, const cJSON *ctr, char *const *changes,
		 char **id_out, struct err *e)
{
	struct load l = { .s = s, .dirfd = -1, .src = "the container's changes" };
	_cleanup_free_ char *n = NULL, *text = NULL;
	_cleanup_json_ cJSON *cfg = NULL;
	int p[2] = { -1, -1 }, ep[2] = { -1, -1 }, status = 0, r = -1;
	struct layer_info li;
	struct stream_fd f;
	struct images im;
	cJSON *img, *hist, *h, *l2, *c;
	char when[40];
	pid_t pid;

	if (name && !(n = images_normalize(name, "localhost", e)))
		return -1;
	if (images_open(&l.ro, s, 0, e) < 0 || images_stage_begin(s, &l.st, e) < 0)
		goto out;
	if (pipe2(p, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		err_sys(e, "fork");
		goto out;
	}
	if (pid == 0)
		commit_writer(upperfd, p[1], ep[1]);
	close(p[1]);
	close(ep[1]);
	p[1] = ep[1] = -1;
	stream_fd_init(&f, p[0], l.src);
	r = layer_unpack(&f.s, l.st.fd, "0", l.src, &li, e);
	close(p[0]);
	p[0] = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char msg[600];
		ssize_t k = read(ep[0], msg, sizeof(msg) - 1);

		msg[k > 0 ? k : 0] = '\0';
		r = err_set(e, 0, "archive the container's changes: %s", k > 0 ? msg : "failed");
	}
	if (r < 0)
		goto out;
	r = -1;
	if (images_open(&im, s, 1, e) < 0)
		goto out;
	img = images_find(&im, base, e);
	cfg = img ? images_config(&im, img, e) : NULL;
	c = cJSON_GetObjectItemCaseSensitive(cfg, "config");
	if (cfg && !cJSON_IsObject(c)) {
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, "config");
		c = cJSON_AddObjectToObject(cfg, "config");
	}
	if (cfg)
		put_over(c, ctr);
	for (size_t i = 0; cfg && changes && changes[i]; i++) {
		if (image_change(c, changes[i], e) < 0) {
			cJSON_Delete(cfg);
			cfg = NULL;
		}
	}
	if (cfg) {
		const cJSON *layers = cJSON_GetObjectItemCaseSensitive(img, "layers");
		size_t nl = (size_t)cJSON_GetArraySize(layers);
		char **diffs = xcalloc(nl + 2, sizeof(char *)),
		     **names = xcalloc(nl + 2, sizeof(char *));
		uint64_t *sizes = xcalloc(nl + 2, sizeof(uint64_t));
		char *tags[] = { n, NULL }, stage[] = "0";
		size_t i = 0;

		time_format_ns(sys_wall_ns(), when, sizeof(when));
		cJSON_ArrayForEach (l2, layers)
			diffs[i++] = l2->valuestring;
		diffs[i] = li.diff;
		names[i] = stage;
		sizes[i] = li.size;
		/* the base's config, one layer more, and a line of history */
		cJSON_AddItemToArray(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(cfg, "rootfs"), "diff_ids"),
			cJSON_CreateString(li.diff));
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, "created");
		cJSON_AddStringToObject(cfg, "created", when);
		if (author) {
			cJSON_DeleteItemFromObjectCaseSensitive(cfg, "author");
			cJSON_AddStringToObject(cfg, "author", author);
		}
		hist = cJSON_GetObjectItemCaseSensitive(cfg, "history");
		if (!cJSON_IsArray(hist)) {
			cJSON_DeleteItemFromObjectCaseSensitive(cfg, "history");
			hist = cJSON_AddArrayToObject(cfg, "history");
		}
		h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "created", when);
		cJSON_AddStringToObject(h, "created_by", "nook commit");
		if (author)
			cJSON_AddStringToObject(h, "author", author);
		if (comment)
			cJSON_AddStringToObject(h, "comment", comment);
		cJSON_AddItemToArray(hist, h);
		text = cJSON_PrintUnformatted(cfg);
		img = images_commit(&im, &l.st, text, strlen(text), diffs, names, sizes,
				    n ? tags : tags + 1, e);
		if (img) {
			*id_out = xstrdup(cJSON_GetObjectItemCaseSensitive(img, "id")->valuestring);
			r = 0;
		}
		free(diffs);
		free(names);
		free(sizes);
	}
	images_close(&im);
out:
	for (int k = 0; k < 2; k++) {
		if (p[k] >= 0)
			close(p[k]);
		if (ep[k] >= 0)
			close(ep[k]);
	}
	load_free(&l);
	return r;
}
