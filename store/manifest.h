/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * manifest: what load and pull share about image manifests and indexes:
 * the platform this build runs on, descriptors' platforms matched against
 * one, and the small JSON helpers both use.
 */
#ifndef NOOK_MANIFEST_H
#define NOOK_MANIFEST_H

#include <cjson/cJSON.h>

#include "oci/util.h"

void manifest_json_freep(cJSON **j);
#define _cleanup_json_ __attribute__((cleanup(manifest_json_freep)))

/* o[key] when it is a string, else NULL. */
const char *json_str(const cJSON *o, const char *key);

/* An OCI platform: "linux", "arm", "v7" ("" when unset). */
struct platform {
	char os[32], arch[32], variant[16];
};

/* This build's: linux, amd64|arm64|arm|mips|mipsle|386|riscv64, and for
 * arm the variant of __ARM_ARCH (v5, v6, v7). */
void platform_native(struct platform *p);
/* "os/arch[/variant]" into p; -1 (EINVAL) when s is not one. */
int platform_parse(const char *s, struct platform *p, struct err *e);
/* "linux/arm/v7" into buf. */
const char *platform_str(const struct platform *p, char *buf, size_t len);
/* Whether an index's descriptor is for p: its platform's os and
 * architecture are p's (absent: a descriptor without a platform matches any), and its
 * variant too when both name one. */
int platform_match(const cJSON *desc, const struct platform *p);

#endif
