// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * save: see save.h.  Each layer's tar is written again from its tree and
 * its tar split, hashed on the way: a tree that no longer gives the diff
 * id is an error (the archive is then incomplete, and the caller drops it).
 * Layers go in uncompressed (as podman's docker-archive has them; the
 * oci-archive too, media type ...tar), each once however many images
 * share it.
 */
#include "store/save.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "store/digest.h"
#include "store/images.h"
#include "store/split.h"
#include "store/stream.h"
#include "store/tar.h"

struct hashed_out {
	int fd;
	struct sha256 h;
};

static int out_hashed(void *arg, const void *p, size_t n, struct err *e)
{
	struct hashed_out *o = arg;

	sha256_update(&o->h, p, n);
	if (write_all(o->fd, p, n) < 0)
		return err_sys(e, "write archive");
	return 0;
}

/* The layer's tar as the entry name. */
static int put_layer(struct images *im, const char *diff, const char *name, int out, struct err *e)
{
	_cleanup_free_ char *sp = images_split_path(im, diff);
	_cleanup_free_ char *tree = images_layer_path(im, diff);
	_cleanup_close_ int sfd = open(sp, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int tfd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct hashed_out o = { .fd = out };
	unsigned char d[32];
	char got[72];
	uint64_t size;

	if (sfd < 0)
		return errno == ENOENT ? err_set(e, 0,
						 "layer %s has no tar split (loaded by an older "
						 "nook): it cannot be saved",
						 diff)
				       : err_sys(e, "open %s", sp);
	if (tfd < 0)
		return err_sys(e, "open %s", tree);
	if (split_size(sfd, &size, e) < 0 || tar_write_file_header(out, name, size, 0444, 0, e) < 0)
		return err_wrap(e, "layer %s", diff);
	sha256_init(&o.h);
	if (split_replay(sfd, tfd, out_hashed, &o, "layer", e) < 0)
		return err_wrap(e, "%s", diff);
	sha256_final(&o.h, d);
	sha256_digest_str(d, got);
	if (strcmp(got, diff) != 0)
		return err_set(e, 0, "layer %s: its files no longer give its diff id (now %s)",
			       diff, got);
	return tar_write_pad(out, size, e);
}

static int put_bytes(int out, const char *name, const void *p, size_t n, struct err *e)
{
	if (tar_write_file_header(out, name, n, 0444, 0, e) < 0)
		return -1;
	if (write_all(out, p, n) < 0)
		return err_sys(e, "write archive");
	return tar_write_pad(out, n, e);
}

static int put_json(int out, const char *name, const cJSON *j, char digest[72], struct err *e)
{
	char *s = cJSON_PrintUnformatted(j);
	int r;

	if (digest)
		sha256_digest_of(s, strlen(s), digest);
	r = name ? put_bytes(out, name, s, strlen(s), e) : 0;
	cJSON_free(s);
	return r;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Whether diff was written already (by an earlier image of this save). */
static int seen(char ***done, const char *diff)
{
	for (size_t i = 0; *done && (*done)[i]; i++)
		if (!strcmp((*done)[i], diff))
			return 1;
	strv_push(done, diff);
	return 0;
}

static int config_bytes(struct images *im, const cJSON *img, char **buf, size_t *len, struct err *e)
{
	_cleanup_free_ char *p = xasprintf("%s/configs/%s", im->dir, str_of(img, "id"));

	*buf = file_read(p, len, e);
	return *buf ? 0 : -1;
}

static int save_docker(struct images *im, cJSON **imgs, cJSON **tags, int out, struct err *e)
{
	cJSON *manifest = cJSON_CreateArray();
	_cleanup_strv_ char **done = NULL;
	int r = -1;

	for (size_t i = 0; imgs[i]; i++) {
		const char *id = str_of(imgs[i], "id");
		cJSON *m = cJSON_CreateObject(), *layers, *l;
		_cleanup_free_ char *cfg = NULL, *cname = xasprintf("%s.json", id);
		size_t clen;

		cJSON_AddItemToArray(manifest, m);
		cJSON_AddStringToObject(m, "Config", cname);
		cJSON_AddItemToObject(m, "RepoTags", cJSON_Duplicate(tags[i], 1));
		layers = cJSON_AddArrayToObject(m, "Layers");
		cJSON_ArrayForEach (l, cJSON_GetObjectItemCaseSensitive(imgs[i], "layers")) {
			_cleanup_free_ char *name = xasprintf("%s.tar", l->valuestring + 7);

			cJSON_AddItemToArray(layers, cJSON_CreateString(name));
			if (!seen(&done, l->valuestring) &&
			    put_layer(im, l->valuestring, name, out, e) < 0)
				goto out;
		}
		if (config_bytes(im, imgs[i], &cfg, &clen, e) < 0 ||
		    put_bytes(out, cname, cfg, clen, e) < 0)
			goto out;
	}
	if (put_json(out, "manifest.json", manifest, NULL, e) < 0)
		goto out;
	r = tar_write_end(out, e);
out:
	cJSON_Delete(manifest);
	return r;
}

static cJSON *descriptor(const char *media, const char *digest, uint64_t size)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "mediaType", media);
	cJSON_AddStringToObject(d, "digest", digest);
	cJSON_AddNumberToObject(d, "size", (double)size);
	return d;
}

static int save_oci(struct images *im, cJSON **imgs, cJSON **tags, int out, struct err *e)
{
	cJSON *index = cJSON_CreateObject(), *mans;
	_cleanup_strv_ char **done = NULL;
	int r = -1;

	cJSON_AddNumberToObject(index, "schemaVersion", 2);
	mans = cJSON_AddArrayToObject(index, "manifests");
	if (put_bytes(out, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, e) < 0 ||
	    tar_write_file_header(out, "blobs/", 0, 0755, 0, e) < 0 ||
	    tar_write_file_header(out, "blobs/sha256/", 0, 0755, 0, e) < 0)
		goto out;
	for (size_t i = 0; imgs[i]; i++) {
		const char *id = str_of(imgs[i], "id");
		cJSON *m = cJSON_CreateObject(), *layers, *l, *n;
		_cleanup_free_ char *cfg = NULL, *cname = xasprintf("blobs/sha256/%s", id);
		_cleanup_free_ char *cdig = xasprintf("sha256:%s", id);
		char mdig[72];
		size_t clen;
		int named = 0;

		cJSON_AddNumberToObject(m, "schemaVersion", 2);
		cJSON_AddStringToObject(m, "mediaType",
					"application/vnd.oci.image.manifest.v1+json");
		if (config_bytes(im, imgs[i], &cfg, &clen, e) < 0 ||
		    put_bytes(out, cname, cfg, clen, e) < 0) {
			cJSON_Delete(m);
			goto out;
		}
		cJSON_AddItemToObject(
			m, "config",
			descriptor("application/vnd.oci.image.config.v1+json", cdig, clen));
		layers = cJSON_AddArrayToObject(m, "layers");
		cJSON_ArrayForEach (l, cJSON_GetObjectItemCaseSensitive(imgs[i], "layers")) {
			_cleanup_free_ char *name =
				xasprintf("blobs/sha256/%s", l->valuestring + 7);
			_cleanup_free_ char *sp = images_split_path(im, l->valuestring);
			_cleanup_close_ int sfd = open(sp, O_RDONLY | O_CLOEXEC);
			uint64_t size = 0;

			if (sfd < 0 || split_size(sfd, &size, e) < 0) {
				if (sfd < 0)
					err_set(e, 0,
						"layer %s has no tar split: it cannot be saved",
						l->valuestring);
				cJSON_Delete(m);
				goto out;
			}
			cJSON_AddItemToArray(layers,
					     descriptor("application/vnd.oci.image.layer.v1.tar",
							l->valuestring, size));
			if (!seen(&done, l->valuestring) &&
			    put_layer(im, l->valuestring, name, out, e) < 0) {
				cJSON_Delete(m);
				goto out;
			}
		}
		{
			char *s = cJSON_PrintUnformatted(m);
			size_t len = strlen(s);
			_cleanup_free_ char *mname = NULL;

			put_json(-1, NULL, m, mdig, e);
			mname = xasprintf("blobs/sha256/%s", mdig + 7);
			r = put_bytes(out, mname, s, len, e);
			cJSON_free(s);
			cJSON_Delete(m);
			if (r < 0)
				goto out;
			r = -1;
			cJSON_ArrayForEach (n, tags[i]) {
				cJSON *d = descriptor("application/vnd.oci.image.manifest.v1+json",
						      mdig, len);
				cJSON *an = cJSON_AddObjectToObject(d, "annotations");

				cJSON_AddStringToObject(an, "org.opencontainers.image.ref.name",
							n->valuestring);
				cJSON_AddItemToArray(mans, d);
				named = 1;
			}
			if (!named)
				cJSON_AddItemToArray(
					mans,
					descriptor("application/vnd.oci.image.manifest.v1+json",
						   mdig, len));
		}
	}
	if (put_json(out, "index.json", index, NULL, e) < 0)
		goto out;
	r = tar_write_end(out, e);
out:
	cJSON_Delete(index);
	return r;
}

int image_save(const struct store *s, char **refs, const char *format, int out, struct err *e)
{
	struct images im;
	cJSON **imgs, **tags;
	size_t n = strv_len(refs);
	int r = -1;

	if (strcmp(format, "docker-archive") && strcmp(format, "oci-archive"))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"unknown format \"%s\" (docker-archive or oci-archive)", format);
	/* the lock: no layer goes while it is read */
	if (images_open(&im, s, 1, e) < 0)
		return -1;
	imgs = xcalloc(n + 1, sizeof(*imgs));
	tags = xcalloc(n + 1, sizeof(*tags));
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *name = NULL;

		imgs[i] = images_find(&im, refs[i], e);
		if (!imgs[i])
			goto out;
		if (str_of(imgs[i], "squashfs")) {
			err_setk(e, ERRK_INVALID_ARG, 0,
				 "image %s is a squashfs image: it has no layers to save (copy its "
				 "file instead)",
				 refs[i]);
			goto out;
		}
		/* podman's: the name given goes with the image; by id, none */
		tags[i] = cJSON_CreateArray();
		name = images_matched_name(imgs[i], refs[i]);
		if (name)
			cJSON_AddItemToArray(tags[i], cJSON_CreateString(name));
	}
	r = !strcmp(format, "docker-archive") ? save_docker(&im, imgs, tags, out, e)
					      : save_oci(&im, imgs, tags, out, e);
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(tags[i]);
	free(tags);
	free(imgs);
	images_close(&im);
	return r;
}

/* The child's half of image_save_dir: the oci-archive into the pipe, its
 * error (if any) on the error pipe. */
static void __attribute__((noreturn))
save_child(const struct store *s, char **refs, int out, int errfd)
{
	struct err e = { 0 };

	if (image_save(s, refs, "oci-archive", out, &e) < 0) {
		write_all(errfd, e.msg, strlen(e.msg));
		_exit(1);
	}
	_exit(0);
}

int image_save_dir(const struct store *s, char **refs, const char *dir, struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", dir);
	_cleanup_close_ int dfd = -1;
	struct stream_fd in;
	int p[2], ep[2], st = 0, r;
	char msg[sizeof(e->msg)];
	ssize_t n;
	pid_t pid;

	if (access(dir, F_OK) == 0)
		return err_setk(e, ERRK_INVALID_ARG, 0, "%s already exists", dir);
	/* a stale DIR.tmp is a save that died: ours to remove */
	if (store_rm_tree(AT_FDCWD, tmp, e) < 0)
		return -1;
	if (mkdir(tmp, 0755) < 0)
		return err_sys(e, "create %s", tmp);
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || pipe2(p, O_CLOEXEC) < 0) {
		r = err_sys(e, dfd < 0 ? "open %s" : "pipe for %s", tmp);
		store_rm_tree(AT_FDCWD, tmp, NULL);
		return r;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		r = err_sys(e, "pipe");
		goto fail_pipe;
	}
	/* the archive's writer in a child, its reader (the tar extractor,
	 * which refuses what would leave the directory) here */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		close(ep[0]);
		save_child(s, refs, p[1], ep[1]);
	}
	close(p[1]);
	close(ep[1]);
	if (pid < 0) {
		r = err_sys(e, "fork");
		close(ep[0]);
		goto fail;
	}
	stream_fd_init(&in, p[0], "the archive");
	r = tar_extract_stream(&in.s, dfd, 0, NULL, NULL, e);
	if (r == 0) /* what follows the end marker: the writer must not see EPIPE */
		r = stream_drain(&in.s, e);
	close(p[0]);
	p[0] = -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	n = read(ep[0], msg, sizeof(msg) - 1);
	close(ep[0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* the writer's error is the cause; the reader's follows it */
		msg[n > 0 ? n : 0] = '\0';
		r = err_set(e, 0, "%s", n > 0 ? msg : "save: the writer died");
	}
	if (r == 0 && (fsync(dfd) < 0 || rename(tmp, dir) < 0))
		r = err_sys(e, "rename %s to %s", tmp, dir);
	if (r == 0)
		return 0;
	goto fail;
fail_pipe:
	close(p[1]);
fail:
	if (p[0] >= 0)
		close(p[0]);
	store_rm_tree(AT_FDCWD, tmp, NULL);
	return -1;
}
