// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * change: `commit --change` as docker and podman take it: one Dockerfile
 * line edits the config of the image being committed.  Only the
 * instructions that describe an image, none that build one (RUN, COPY).
 *
 * The text is the user's and never becomes a path here.  A line is taken
 * whole or refused with a message that names it (never half understood);
 * the caller applies every line to a scratch object first, so that a
 * refused commit writes nothing.  $VAR and ${VAR} take their value in the
 * config's Env as the line found it (none: ""; \$ is a $) in the
 * instructions the Dockerfile reference names: ENV, LABEL, EXPOSE, VOLUME,
 * USER, WORKDIR, STOPSIGNAL, never CMD, ENTRYPOINT or ONBUILD; with
 * ${VAR:-word} and ${VAR:+word}, the two forms the Dockerfile reference
 * has (the others are refused).
 */
#include "store/change.h"

#include <ctype.h>

enum {
	C_CMD,
	C_ENTRYPOINT,
	C_ENV,
	C_EXPOSE,
	C_LABEL,
	C_ONBUILD,
	C_STOPSIGNAL,
	C_USER,
	C_VOLUME,
	C_WORKDIR
};
static const char *const ins_names[] = { "CMD",	    "ENTRYPOINT", "ENV",  "EXPOSE", "LABEL",
					 "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR" };

/* env's item for the variable of the n characters at k (NULL: none) */
static cJSON *env_item(const cJSON *env, const char *k, size_t n)
{
	cJSON *x;

	cJSON_ArrayForEach (x, env)
		if (cJSON_IsString(x) && !strncmp(x->valuestring, k, n) && x->valuestring[n] == '=')
			return x;
	return NULL;
}

/* The reference at *p ('$') into o: $NAME or ${NAME}, "" when env has no
 * NAME, and docker's ${NAME:-WORD} (WORD when NAME is empty or unset) and
 * ${NAME:+WORD} (WORD when it is not); WORD may hold references itself
 * and \-escapes.  A '$' that starts no name stays.  *p is left on the
 * reference's last character; -1 on a ${ not closed or not a name. */
static int dollar(const char **p, char **o, const cJSON *env)
{
	const char *s = *p + 1, *name, *v;
	int brace = *s == '{';
	size_t n;

	s += brace;
	for (name = s; isalnum((unsigned char)*s) || *s == '_'; s++)
		;
	n = (size_t)(s - name);
	v = cJSON_GetStringValue(n ? env_item(env, name, n) : NULL);
	v = v ? v + n + 1 : n ? "" : "$";
	if (brace && n && *s == ':' && (s[1] == '-' || s[1] == '+')) {
		/* WORD goes to o as it is read, and back out if not taken */
		int take = (s[1] == '-') == !*v;
		char *start = *o;

		for (s += 2; *s && *s != '}'; s++) {
			if (*s == '\\' && s[1])
				*(*o)++ = *++s;
			else if (*s != '$')
				*(*o)++ = *s;
			else if (dollar(&s, o, env) < 0)
				return -1;
		}
		if (!take) { /* the word's buffer is zeroed: the end is the first 0 */
			memset(start, 0, (size_t)(*o - start));
			*o = start;
		}
		if (*s != '}')
			return -1;
		if (!take && *v)
			*o = stpcpy(*o, v);
		*p = s;
		return 0;
	}
	if (brace && (!n || *s != '}'))
		return -1;
	if (n)
		*p = s - !brace;
	*o = stpcpy(*o, v);
	return 0;
}

/* The next word of *p into *w (docker's quoting: "..." and '...' group,
 * a backslash escapes outside single quotes, and so does $ (dollar()); line:
 * the rest of the line as one word): 1, 0 at the end, -1 on a quote left
 * open or a bad ${. */
static int word(const char **p, char **w, const cJSON *env, int line)
{
	const char *s = *p;
	size_t len, max = 0;
	const cJSON *x;
	char *o, q = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	/* room for every $ to be the longest value */
	len = strlen(s) + 1;
	cJSON_ArrayForEach (x, env)
		if (cJSON_IsString(x) && strlen(x->valuestring) > max)
			max = strlen(x->valuestring);
	for (const char *d = s; (d = strchr(d, '$')); d++)
		len += max;
	*w = o = xcalloc(1, len);
	for (; *s && (q || line || !isspace((unsigned char)*s)); s++) {
		if (q && *s == q)
			q = 0;
		else if (!q && (*s == '"' || *s == '\''))
			q = *s;
		else if (*s == '\\' && q != '\'' && s[1])
			*o++ = *++s;
		else if (*s != '$' || q == '\'')
			*o++ = *s;
		else if (dollar(&s, &o, env) < 0)
			break;
	}
	*p = s;
	if (q || *s == '$') { /* a quote left open, or dollar() refused */
		free(*w);
		return -1;
	}
	return 1;
}

static void put(cJSON *o, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddItemToObject(o, key, v);
}

/* o[key], made an object (or array) if it is not one */
static cJSON *sub(cJSON *o, const char *key, int array)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);

	if (array ? cJSON_IsArray(s) : cJSON_IsObject(s))
		return s;
	s = array ? cJSON_CreateArray() : cJSON_CreateObject();
	put(o, key, s);
	return s;
}

/* ENV replaces the variable's earlier value; LABEL the label's */
static void set_pair(cJSON *cfg, int env, const char *k, const char *v)
{
	cJSON *a, *x;

	if (!env) {
		put(sub(cfg, "Labels", 0), k, cJSON_CreateString(v));
		return;
	}
	a = sub(cfg, "Env", 1);
	x = env_item(a, k, strlen(k));
	_cleanup_free_ char *kv = xasprintf("%s=%s", k, v);
	if (x)
		cJSON_ReplaceItemViaPointer(a, x, cJSON_CreateString(kv));
	else
		cJSON_AddItemToArray(a, cJSON_CreateString(kv));
}

/* ENV and LABEL: KEY=VALUE... (quoted as docker quotes them), or the
 * older KEY VALUE (the rest of the line is the value). */
static int pairs(cJSON *cfg, int env, const char *v, const cJSON *vars)
{
	size_t sp = strcspn(v, " \t");
	const char *eq = strchr(v, '='), *rest = v + sp;
	char *w;
	int r;

	if (!eq || (size_t)(eq - v) > sp) {
		_cleanup_free_ char *k = xasprintf("%.*s", (int)sp, v);

		if (word(&rest, &w, vars, 1) <= 0)
			return -1;
		set_pair(cfg, env, k, w);
		free(w);
		return 0;
	}
	while ((r = word(&v, &w, vars, 0)) > 0) {
		char *e = strchr(w, '=');
		int bad = !e || e == w;

		if (!bad) {
			*e = '\0';
			set_pair(cfg, env, w, e + 1);
		}
		free(w);
		if (bad)
			return -1;
	}
	return r;
}

/* docker's exec form: a JSON array of strings; NULL when v is not one
 * (then it is the shell form) */
static cJSON *exec_form(const char *v)
{
	cJSON *a = cJSON_Parse(v), *x;

	if (!cJSON_IsArray(a))
		goto no;
	cJSON_ArrayForEach (x, a)
		if (!cJSON_IsString(x))
			goto no;
	return a;
no:
	cJSON_Delete(a);
	return NULL;
}

/* EXPOSE PORT[-LAST][/PROTO]...: each port into ExposedPorts as "80/tcp"
 * (a range as its ports, as docker has it) */
static int expose(cJSON *cfg, const char *v, const cJSON *vars)
{
	char *w, *end, key[24];
	int r, any = 0;

	while ((r = word(&v, &w, vars, 0)) > 0) {
		unsigned long port = strtoul(w, &end, 10), last = port;
		const char *proto;

		if (*end == '-' && isdigit((unsigned char)end[1]))
			last = strtoul(end + 1, &end, 10);
		proto = *end == '/' ? end + 1 : "tcp";
		for (char *c = end; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		r = isdigit((unsigned char)*w) && port > 0 && last >= port && last < 65536 &&
		    (!*end || *end == '/') &&
		    (!strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "sctp"));
		for (; r && port <= last; port++) {
			snprintf(key, sizeof(key), "%lu/%s", port, proto);
			put(sub(cfg, "ExposedPorts", 0), key, cJSON_CreateObject());
		}
		free(w);
		if (!r)
			return -1;
		any = 1;
	}
	return r < 0 || !any ? -1 : 0;
}

/* VOLUME ["/a", "/b"] or VOLUME /a /b: absolute paths into Volumes */
static int volume(cJSON *cfg, const char *v, const cJSON *vars)
{
	cJSON *a = exec_form(v), *x;
	char *w;
	int r = 0;

	/* the strings of the JSON form are words too (docker's) */
	cJSON_ArrayForEach (x, a) {
		const char *q = x->valuestring;

		if (word(&q, &w, vars, 1) <= 0) {
			r = -1;
			continue;
		}
		cJSON_SetValuestring(x, w);
		free(w);
	}
	if (!a) {
		a = cJSON_CreateArray();
		while ((r = word(&v, &w, vars, 0)) > 0) {
			cJSON_AddItemToArray(a, cJSON_CreateString(w));
			free(w);
		}
	}
	if (r < 0 || !cJSON_GetArraySize(a))
		r = -1;
	cJSON_ArrayForEach (x, a)
		if (x->valuestring[0] != '/')
			r = -1;
	cJSON_ArrayForEach (x, a)
		if (r == 0)
			put(sub(cfg, "Volumes", 0), x->valuestring, cJSON_CreateObject());
	cJSON_Delete(a);
	return r;
}

int image_change(cJSON *cfg, const char *change, struct err *e)
{
	static const char *const usage[] = {
		"CMD takes [\"EXEC\", \"ARG\"...] or a shell command line",
		"", /* ENTRYPOINT: anything (empty clears it) */
		"ENV takes KEY=VALUE... or KEY VALUE",
		"EXPOSE takes PORT[-LAST][/tcp|udp|sctp]...",
		"LABEL takes KEY=VALUE... or KEY VALUE",
		"ONBUILD takes an instruction",
		"STOPSIGNAL takes a signal name or number",
		"USER takes USER[:GROUP]",
		"VOLUME takes absolute paths or a JSON array of them",
		"WORKDIR takes a directory",
	};
	const char *s = change + strspn(change, " \t"), *v;
	size_t n = 0;
	unsigned k;
	int r = -1;
	cJSON *a, *vars;

	while (isalpha((unsigned char)s[n]))
		n++;
	v = s + n;
	for (k = 0; k < ARRAY_SIZE(ins_names); k++)
		if (n == strlen(ins_names[k]) && !strncasecmp(s, ins_names[k], n))
			break;
	if (k == ARRAY_SIZE(ins_names) || (*v && *v != '=' && !isspace((unsigned char)*v)))
		return err_setk(e, ERRK_INVALID_ARG, 0,
				"--change \"%s\": unknown instruction \"%.*s\" (CMD, ENTRYPOINT, "
				"ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)",
				change, (int)(n + strcspn(v, " \t=")), s);
	/* "KEY VALUE", or podman's "KEY=VALUE" */
	if (*v == '=')
		v++;
	v += strspn(v, " \t");
	_cleanup_free_ char *val = xstrdup(v);
	for (size_t l = strlen(val); l && isspace((unsigned char)val[l - 1]); l--)
		val[l - 1] = '\0';
	/* $VAR: from Env as it was before this line (ENV A=2 B=$A takes the
	 * A before) */
	vars = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cfg, "Env"), 1);
	if (k == C_STOPSIGNAL || k == C_USER || k == C_WORKDIR) {
		const char *q = val;
		char *w;

		r = word(&q, &w, vars, 1);
		free(val);
		val = r > 0 ? w : xstrdup(""); /* refused below */
		r = -1;
	}

	switch (k) {
	case C_CMD:
	case C_ENTRYPOINT:
		a = exec_form(val);
		if (!a && (*val || k == C_CMD)) {
			const char *sh[] = { "/bin/sh", "-c", val };

			a = *val ? cJSON_CreateStringArray(sh, 3) : NULL;
		} else if (!a) {
			a = cJSON_CreateArray();
		}
		if (a)
			put(cfg, k == C_CMD ? "Cmd" : "Entrypoint", a);
		r = a ? 0 : -1;
		break;
	case C_ENV:
	case C_LABEL: r = pairs(cfg, k == C_ENV, val, vars); break;
	case C_EXPOSE: r = expose(cfg, val, vars); break;
	case C_VOLUME: r = volume(cfg, val, vars); break;
	case C_STOPSIGNAL:
	case C_USER:
	case C_ONBUILD:
		if (!*val || (k == C_STOPSIGNAL && signal_parse(val) <= 0))
			break;
		r = 0;
		if (k == C_ONBUILD)
			cJSON_AddItemToArray(sub(cfg, "OnBuild", 1), cJSON_CreateString(val));
		else
			put(cfg, k == C_USER ? "User" : "StopSignal", cJSON_CreateString(val));
		break;
	case C_WORKDIR: {
		const char *cur =
			cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cfg, "WorkingDir"));
		size_t cl = cur ? strlen(cur) : 0;

		if (!*val)
			break;
		/* docker's: a relative directory is under the one before */
		while (cl && cur[cl - 1] == '/')
			cl--;
		_cleanup_free_ char *d = val[0] == '/'
						 ? xstrdup(val)
						 : xasprintf("%.*s/%s", (int)cl, cur ?: "", val);
		put(cfg, "WorkingDir", cJSON_CreateString(d));
		r = 0;
		break;
	}
	}
	cJSON_Delete(vars);
	if (r < 0)
		return err_setk(e, ERRK_INVALID_ARG, 0, "--change \"%s\": %s", change, usage[k]);
	return 0;
}
