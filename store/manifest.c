// SPDX-License-Identifier: GPL-2.0-or-later
/* manifest: see manifest.h. */
#include "store/manifest.h"

void manifest_json_freep(cJSON **j)
{
	cJSON_Delete(*j);
}

const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void platform_native(struct platform *p)
{
	*p = (struct platform){ .os = "linux" };
#if defined(__x86_64__)
	strcpy(p->arch, "amd64");
#elif defined(__aarch64__)
	strcpy(p->arch, "arm64");
#elif defined(__arm__)
	strcpy(p->arch, "arm");
#if __ARM_ARCH >= 7
	strcpy(p->variant, "v7");
#elif __ARM_ARCH == 6
	strcpy(p->variant, "v6");
#else
	strcpy(p->variant, "v5");
#endif
#elif defined(__mips__) && defined(__MIPSEL__)
	strcpy(p->arch, "mipsle");
#elif defined(__mips__)
	strcpy(p->arch, "mips");
#elif defined(__i386__)
	strcpy(p->arch, "386");
#elif defined(__riscv)
	strcpy(p->arch, "riscv64");
#endif
}

int platform_parse(const char *s, struct platform *p, struct err *e)
{
	size_t a = strcspn(s, "/"), b = a + (s[a] == '/'), c;

	*p = (struct platform){ 0 };
	c = b + strcspn(s + b, "/");
	if (a == 0 || a >= sizeof(p->os) || s[a] != '/' || c == b || c - b >= sizeof(p->arch) ||
	    (s[c] &&
	     (!s[c + 1] || strlen(s + c + 1) >= sizeof(p->variant) || strchr(s + c + 1, '/'))))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"invalid platform \"%s\" (OS/ARCH[/VARIANT], as linux/arm64)", s);
	memcpy(p->os, s, a);
	memcpy(p->arch, s + b, c - b);
	if (s[c])
		strcpy(p->variant, s + c + 1);
	return 0;
}

const char *platform_str(const struct platform *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s%s%s", p->os, p->arch, *p->variant ? "/" : "", p->variant);
	return buf;
}

int platform_match(const cJSON *desc, const struct platform *p)
{
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(desc, "platform");
	const char *os = json_str(pl, "os"), *arch = json_str(pl, "architecture");
	const char *var = json_str(pl, "variant");

	if (!pl)
		return 1;
	return (!os || !strcmp(os, p->os)) && (!arch || !strcmp(arch, p->arch)) &&
	       (!var || !*p->variant || !strcmp(var, p->variant));
}
