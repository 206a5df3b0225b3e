/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pull: images from registries (the distribution API v2) into the image
 * store, and the credentials for them (<root>/auth.json, podman's format:
 * {"auths":{"host:port":{"auth":"<base64 of user:password>"}}}, 0600).
 *
 * A pull reads the manifest (docker schema 2 or OCI; a manifest list or
 * an OCI index is resolved for the platform), the config blob, then each
 * layer blob as a stream straight into layer_unpack (layer.h), a few
 * layers at once by child processes (jobs.h): nothing is buffered whole
 * and nothing is kept compressed.  Every digest is
 * checked: the manifest's (the digest pulled by, or the registry's
 * Docker-Content-Digest), the config's, each blob's and each layer's
 * diff id against the config.  Layers the store has (by diff id) are not
 * downloaded.  A cut blob download is resumed with Range (or read again
 * when the registry ignores it), BLOB_TRIES attempts at most.  The image
 * enters the store only when all of it checked out; a failed pull leaves
 * nothing behind.
 *
 * Transport: https through the device's fetcher (http.h), checked against
 * the fetcher's CA store, or against the registry's own CA when
 * $NOOK_CERTS_DIR (/etc/nook/certs.d) has one in podman's layout:
 * HOST[:PORT]/ca.crt (curl then trusts that CA alone for the registry, and
 * for a redirect it follows).  Registries marked insecure (--tls-verify=false,
 * "insecure = HOST[:PORT]" lines in /etc/nook/registries.conf or
 * $NOOK_REGISTRIES_CONF) get https without the check, and plain http when
 * the first request finds no https there (podman's way).  localhost and
 * 127.0.0.0/8 are plain http (as docker has it) unless certs.d has their CA.
 * Authentication: a 401 with "Bearer realm=...,service=...,scope=..." is
 * answered with a token from the realm (anonymous, or with the stored
 * credentials), "Basic" with the stored credentials.  A 401 through a
 * fetcher that shows no headers (uclient-fetch) has no challenge: the
 * realm is a "token = HOST[:PORT] REALM [SERVICE]" line of registries.conf
 * or a known public registry's (docker.io, ghcr.io, quay.io), else Basic
 * with the stored credentials.
 */
#ifndef NOOK_PULL_H
#define NOOK_PULL_H

#include <stdio.h>

#include "oci/util.h"
#include "store/store.h"

struct pull_opts {
	const char *platform; /* "os/arch[/variant]"; NULL: this machine's */
	int tls_verify; /* 0: https unchecked, else plain http: podman's insecure */
	FILE *progress; /* podman's progress lines, or NULL */
};

/* Pull ref ("busybox", "127.0.0.1:5000/x:1", "name@sha256:...") into the
 * store: the image's id (64 hex) into *id, the name it got into *name
 * ("docker.io/library/busybox:latest"; a pull by digest names none and
 * records "repo@digest" among the image's digests).  Caller frees both.
 * A missing image or tag: ERRK_NO_SUCH. */
int image_pull(const struct store *s, const char *ref, const struct pull_opts *o, char **id,
	       char **name, struct err *e);

/* Check user and password against registry ("host[:port]") and store
 * them in <root>/auth.json. */
int registry_login(const struct store *s, const char *registry, const char *user,
		   const char *password, int tls_verify, struct err *e);
/* Forget registry's credentials (NULL: every registry's). */
int registry_logout(const struct store *s, const char *registry, struct err *e);

#endif
