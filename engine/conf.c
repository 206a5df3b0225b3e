// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf: the defaults file for new containers (see conf.h).  It becomes
 * flags that create/run parse before their own, with the same parsers and
 * checks, so a value means exactly what the flag means.
 */
#include "engine/conf.h"

#include <ctype.h>
#include <stdlib.h>

#define CONF_MAX (64 * 1024)

/* Flags that take one value and make sense for every new container.
 * Lists (-e, -v) and per-container ones (--name) are not keys. */
static const char *const conf_keys[] = {
	"log-size-max", "network", "stop-timeout", "stop-signal", "pids-limit",
	"memory",	"cpus",	   "hostname",	   NULL,
};

const char *conf_path(void)
{
	return env_or("NOOK_CONF", CONF_DEFAULT_PATH);
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One "key = value" line (comments and blanks already gone from the
 * front) into "--key=value"; NULL and e set if bad. */
static char *conf_line(const char *path, unsigned no, char *s, struct err *e)
{
	char *eq = strchr(s, '='), *key, *val, *end;
	int known = 0;

	if (!eq || memchr(s, '#', (size_t)(eq - s))) {
		err_set(e, EINVAL, "%s:%u: not \"key = value\": %.80s", path, no, s);
		return NULL;
	}
	*eq = '\0';
	key = trim(s);
	for (char *p = key; *p; p++)
		if (*p == '_')
			*p = '-';
	for (size_t i = 0; conf_keys[i]; i++)
		known |= strcmp(key, conf_keys[i]) == 0;
	if (!known) {
		err_set(e, EINVAL,
			"%s:%u: unknown key \"%.64s\" (known: log_size_max, network, "
			"stop_timeout, stop_signal, pids_limit, memory, cpus, hostname)",
			path, no, key);
		return NULL;
	}
	val = eq + 1;
	while (isspace((unsigned char)*val))
		val++;
	if (*val == '"' || *val == '\'') {
		end = strchr(val + 1, *val);
		if (!end) {
			err_set(e, EINVAL, "%s:%u: %s: no closing %c", path, no, key, *val);
			return NULL;
		}
		val++;
		*end++ = '\0';
		end += strspn(end, " \t\r");
		if (*end && *end != '#') {
			err_set(e, EINVAL, "%s:%u: %s: text after the quoted value", path, no, key);
			return NULL;
		}
	} else {
		val[strcspn(val, "#")] = '\0';
		val = trim(val);
		if (strpbrk(val, "\"'")) {
			err_set(e, EINVAL, "%s:%u: %s: a quote inside the value", path, no, key);
			return NULL;
		}
	}
	if (!*val) {
		err_set(e, EINVAL, "%s:%u: %s: empty value", path, no, key);
		return NULL;
	}
	return xasprintf("--%s=%s", key, val);
}

int conf_load(const char *path, char ***flags, unsigned **lines, struct err *e)
{
	_cleanup_free_ char *text = NULL;
	struct err le = { 0 };
	char **out = NULL, *p;
	unsigned *at = NULL, no = 0;
	size_t n = 0, len = 0;

	*flags = NULL;
	*lines = NULL;
	if (!path)
		path = conf_path();
	text = file_read(path, &len, &le);
	if (!text) {
		if (le.errnum == ENOENT)
			return 0; /* no file, no defaults */
		if (e)
			*e = le;
		return -1;
	}
	if (len > CONF_MAX || memchr(text, '\0', len))
		return err_set(e, EINVAL, "%s: not a text file of at most 64 KiB", path);
	for (p = text; p;) {
		char *line = trim(strsep(&p, "\n")), *flag;
		size_t k;

		no++;
		if (!*line || *line == '#')
			continue;
		flag = conf_line(path, no, line, e);
		if (!flag)
			goto fail;
		k = strcspn(flag, "=") + 1;
		for (size_t i = 0; i < n; i++) {
			if (strncmp(out[i], flag, k) == 0) {
				err_set(e, EINVAL, "%s:%u: %.*s is already set on line %u", path,
					no, (int)(k - 3), flag + 2, at[i]);
				free(flag);
				goto fail;
			}
		}
		strv_push(&out, flag);
		free(flag);
		at = xrealloc(at, (n + 1) * sizeof(*at));
		at[n++] = no;
	}
	*flags = out;
	*lines = at;
	return 0;
fail:
	strv_free(out);
	free(at);
	return -1;
}
