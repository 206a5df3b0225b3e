// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spec: OCI runtime-spec config.json (1.0 - 1.2) into the structs of spec.h.
 *
 * The parser descends the cJSON tree with the JSON path of the current value
 * in a small buffer ("linux.resources.memory"); every error names that path
 * and the value, on one line, with errnum 0 (a bad config is not an errno).
 * A JSON null is treated as absent (Go's encoding/json does the same), and
 * unknown fields are ignored as the spec requires.
 *
 * Ownership: the parsers fill zeroed structs and count an array element as
 * soon as its parse starts, so on any failure the half-filled result is
 * released by the ordinary free functions.
 *
 * Integers: cJSON keeps numbers as doubles, which cannot hold every int64 or
 * uint64 a config may carry (memory limits near 2^63, seccomp masks).  After
 * parsing, number tokens are matched to number nodes in document order and
 * each node gets its own text as valuestring (unused for numbers; cJSON_Delete
 * frees it).  Integers are read from that text: exact, and "1.5" or "1e3" are
 * rejected where an integer is required, as runc does.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include <cjson/cJSON.h>

#include "oci/spec.h"
#include "oci/sys.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define JP_MAX 256 /* longest JSON path kept; longer ones are cut */

/* ---- names ----------------------------------------------------------- */

/* The tables are laid out by hand. */
/* clang-format off */

/* Capability names from the compiler's <linux/capability.h>: numbers are
 * never typed by hand, and caps newer than the headers are simply unknown. */
#define C(x) [x] = #x
static const char *const cap_names[] = {
	C(CAP_CHOWN),           C(CAP_DAC_OVERRIDE),     C(CAP_DAC_READ_SEARCH), C(CAP_FOWNER),
	C(CAP_FSETID),          C(CAP_KILL),             C(CAP_SETGID),          C(CAP_SETUID),
	C(CAP_SETPCAP),         C(CAP_LINUX_IMMUTABLE),  C(CAP_NET_BIND_SERVICE), C(CAP_NET_BROADCAST),
	C(CAP_NET_ADMIN),       C(CAP_NET_RAW),          C(CAP_IPC_LOCK),        C(CAP_IPC_OWNER),
	C(CAP_SYS_MODULE),      C(CAP_SYS_RAWIO),        C(CAP_SYS_CHROOT),      C(CAP_SYS_PTRACE),
	C(CAP_SYS_PACCT),       C(CAP_SYS_ADMIN),        C(CAP_SYS_BOOT),        C(CAP_SYS_NICE),
	C(CAP_SYS_RESOURCE),    C(CAP_SYS_TIME),         C(CAP_SYS_TTY_CONFIG),  C(CAP_MKNOD),
	C(CAP_LEASE),           C(CAP_AUDIT_WRITE),      C(CAP_AUDIT_CONTROL),   C(CAP_SETFCAP),
	C(CAP_MAC_OVERRIDE),    C(CAP_MAC_ADMIN),        C(CAP_SYSLOG),          C(CAP_WAKE_ALARM),
	C(CAP_BLOCK_SUSPEND),   C(CAP_AUDIT_READ),
#ifdef CAP_PERFMON
	C(CAP_PERFMON),
#endif
#ifdef CAP_BPF
	C(CAP_BPF),
#endif
#ifdef CAP_CHECKPOINT_RESTORE
	C(CAP_CHECKPOINT_RESTORE),
#endif
};
#undef C
_Static_assert(ARRAY_SIZE(cap_names) == CAP_LAST_CAP + 1,
	       "a capability below CAP_LAST_CAP is missing from cap_names");
_Static_assert(CAP_LAST_CAP < 64, "capability sets are 64-bit masks");

/* A name and the number it stands for. */
struct named {
	const char *name;
	int value;
};

#define R(x) { "RLIMIT_" #x, RLIMIT_##x }
static const struct named rlimit_names[] = {
	R(CPU),     R(FSIZE), R(DATA),  R(STACK),      R(CORE),     R(RSS),  R(NPROC),  R(NOFILE),
	R(MEMLOCK), R(AS),    R(LOCKS), R(SIGPENDING), R(MSGQUEUE), R(NICE), R(RTPRIO), R(RTTIME),
};
#undef R

static const struct named ns_names[] = {
	{ "pid", CLONE_NEWPID },   { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },     { "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* mount(2) flags by option name; `clear` options ("rw", "suid") record the
 * flag in clear_flags so a remount can drop it. */
static const struct {
	const char *name;
	unsigned long flag;
	int clear;
} mount_opts[] = {
	{ "ro", MS_RDONLY, 0 },               { "rw", MS_RDONLY, 1 },
	{ "nosuid", MS_NOSUID, 0 },           { "suid", MS_NOSUID, 1 },
	{ "nodev", MS_NODEV, 0 },             { "dev", MS_NODEV, 1 },
	{ "noexec", MS_NOEXEC, 0 },           { "exec", MS_NOEXEC, 1 },
	{ "sync", MS_SYNCHRONOUS, 0 },        { "async", MS_SYNCHRONOUS, 1 },
	{ "mand", MS_MANDLOCK, 0 },           { "nomand", MS_MANDLOCK, 1 },
	{ "noatime", MS_NOATIME, 0 },         { "atime", MS_NOATIME, 1 },
	{ "nodiratime", MS_NODIRATIME, 0 },   { "diratime", MS_NODIRATIME, 1 },
	{ "relatime", MS_RELATIME, 0 },       { "norelatime", MS_RELATIME, 1 },
	{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", MS_STRICTATIME, 1 },
	{ "lazytime", MS_LAZYTIME, 0 },       { "nolazytime", MS_LAZYTIME, 1 },
	{ "iversion", MS_I_VERSION, 0 },      { "noiversion", MS_I_VERSION, 1 },
	{ "silent", MS_SILENT, 0 },           { "loud", MS_SILENT, 1 },
	{ "nosymfollow", MS_NOSYMFOLLOW, 0 }, { "symfollow", MS_NOSYMFOLLOW, 1 },
	{ "dirsync", MS_DIRSYNC, 0 },         { "remount", MS_REMOUNT, 0 },
	{ "defaults", 0, 0 },
};

/* The recursive options (runc's names): mount_setattr(2) attributes of
 * the mount and every mount below it.  `clear` ones go to attr_clr. */
static const struct {
	const char *name;
	uint64_t attr;
	int clear;
} rec_opts[] = {
	{ "rro", NOOK_MOUNT_ATTR_RDONLY, 0 },
	{ "rrw", NOOK_MOUNT_ATTR_RDONLY, 1 },
	{ "rnosuid", NOOK_MOUNT_ATTR_NOSUID, 0 },
	{ "rsuid", NOOK_MOUNT_ATTR_NOSUID, 1 },
	{ "rnodev", NOOK_MOUNT_ATTR_NODEV, 0 },
	{ "rdev", NOOK_MOUNT_ATTR_NODEV, 1 },
	{ "rnoexec", NOOK_MOUNT_ATTR_NOEXEC, 0 },
	{ "rexec", NOOK_MOUNT_ATTR_NOEXEC, 1 },
	{ "rnodiratime", NOOK_MOUNT_ATTR_NODIRATIME, 0 },
	{ "rdiratime", NOOK_MOUNT_ATTR_NODIRATIME, 1 },
	{ "rrelatime", NOOK_MOUNT_ATTR_RELATIME, 0 },
	{ "rnorelatime", NOOK_MOUNT_ATTR_RELATIME, 1 },
	{ "rnoatime", NOOK_MOUNT_ATTR_NOATIME, 0 },
	{ "ratime", NOOK_MOUNT_ATTR_NOATIME, 1 },
	{ "rstrictatime", NOOK_MOUNT_ATTR_STRICTATIME, 0 },
	{ "rnostrictatime", NOOK_MOUNT_ATTR_STRICTATIME, 1 },
	{ "rnosymfollow", NOOK_MOUNT_ATTR_NOSYMFOLLOW, 0 },
	{ "rsymfollow", NOOK_MOUNT_ATTR_NOSYMFOLLOW, 1 },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
	{ "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static const char *const hook_keys[OCI_HOOK_KINDS] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

static const char *const scmp_actions[] = {
	[OCI_SCMP_KILL] = "SCMP_ACT_KILL",
	[OCI_SCMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[OCI_SCMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[OCI_SCMP_TRAP] = "SCMP_ACT_TRAP",
	[OCI_SCMP_ERRNO] = "SCMP_ACT_ERRNO",
	[OCI_SCMP_TRACE] = "SCMP_ACT_TRACE",
	[OCI_SCMP_ALLOW] = "SCMP_ACT_ALLOW",
	[OCI_SCMP_LOG] = "SCMP_ACT_LOG",
	[OCI_SCMP_NOTIFY] = "SCMP_ACT_NOTIFY",
};

const char *oci_seccomp_action_name(enum oci_seccomp_action a)
{
	return (size_t)a < ARRAY_SIZE(scmp_actions) ? scmp_actions[a] : "?";
}

static const char *const scmp_ops[] = {
	[OCI_SCMP_CMP_NE] = "SCMP_CMP_NE", [OCI_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[OCI_SCMP_CMP_LE] = "SCMP_CMP_LE", [OCI_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[OCI_SCMP_CMP_GE] = "SCMP_CMP_GE", [OCI_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[OCI_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The four blockIO throttle lists, in the order of oci_resources.io_throttle. */
static const char *const throttle_keys[4] = {
	"throttleReadBpsDevice", "throttleWriteBpsDevice",
	"throttleReadIOPSDevice", "throttleWriteIOPSDevice",
};

/* clang-format on */

int oci_cap_from_name(const char *name)
{
	/* "CAP_SYS_ADMIN", also "sys_admin" for command lines. */
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (cap_names[i] && strcasecmp(cap_names[i] + 4, name) == 0)
			return (int)i;
	return -1;
}

const char *oci_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int oci_cap_last(void)
{
	return CAP_LAST_CAP;
}

/* ---- paths and errors ------------------------------------------------ */

static int jerr(struct err *e, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fail with "path: message" (just the message at the top level), errnum 0. */
static int jerr(struct err *e, const char *path, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(e, 0, "%s%s%s", path, *path ? ": " : "", msg);
	/* Keys and values quoted from the config may hold "\n": one line. */
	for (char *c = e ? e->msg : NULL; c && *c; c++)
		if ((unsigned char)*c < ' ')
			*c = '?';
	return -1;
}

/* A path too long for JP_MAX ends in "...". */
static const char *jp_cut(char *buf, int n)
{
	if (n >= JP_MAX)
		memcpy(buf + JP_MAX - 4, "...", 4);
	return buf;
}

static const char *jp_key(char *buf, const char *parent, const char *key)
{
	return jp_cut(buf, snprintf(buf, JP_MAX, "%s%s%s", parent, *parent ? "." : "", key));
}

static const char *jp_idx(char *buf, const char *parent, size_t i)
{
	return jp_cut(buf, snprintf(buf, JP_MAX, "%s[%zu]", parent, i));
}

/* "parent.list[i].key" */
static const char *jp_item(char *buf, const char *parent, const char *list, size_t i,
			   const char *key)
{
	return jp_cut(buf, snprintf(buf, JP_MAX, "%s%s%s[%zu].%s", parent, *parent ? "." : "", list,
				    i, key));
}

/* ---- JSON text ------------------------------------------------------- */

static void json_freep(cJSON **j)
{
	cJSON_Delete(*j);
}
#define _cleanup_json_ __attribute__((cleanup(json_freep)))

/* The next number token at or after p (outside strings), or NULL. */
static const char *next_number(const char *p, size_t *len)
{
	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			*len = strspn(p, "0123456789+-.eE");
			return p;
		}
	}
	return NULL;
}

/* Give each number node its text, in document order (see the top). */
static void tag_numbers(cJSON *item, const char **cur)
{
	for (; item; item = item->next) {
		if (cJSON_IsNumber(item) && *cur && !item->valuestring) {
			size_t len;
			const char *t = next_number(*cur, &len);

			if (t) {
				item->valuestring = xmalloc(len + 1);
				memcpy(item->valuestring, t, len);
				item->valuestring[len] = '\0';
				*cur = t + len;
			} else {
				*cur = NULL;
			}
		}
		tag_numbers(item->child, cur);
	}
}

/* Parse text; on failure the message quotes the text around the place
 * cJSON stopped (it often stops a character or two past the culprit). */
static cJSON *json_parse(const char *text, struct err *e)
{
	const char *end = NULL, *cur = text, *p;
	char near[28];
	unsigned line = 1;
	size_t i = 0;
	cJSON *j;

	j = cJSON_ParseWithOpts(text, &end, 1);
	if (j) {
		tag_numbers(j, &cur);
		return j;
	}
	if (!end || end < text || end > text + strlen(text))
		end = text + strlen(text);
	for (p = text; p < end; p++)
		line += *p == '\n';
	p = end - text > 12 ? end - 12 : text;
	while (p < end && (unsigned char)*p <= ' ')
		p++;
	for (; i < sizeof(near) - 1 && p[i]; i++)
		near[i] = (unsigned char)p[i] < ' ' ? ' ' : p[i];
	while (i > 0 && near[i - 1] == ' ')
		i--;
	near[i] = '\0';
	if (!near[0])
		err_set(e, 0, "invalid JSON: empty input");
	else
		err_set(e, 0, "invalid JSON near '%s' (line %u)", near, line);
	return NULL;
}

/* ---- typed getters --------------------------------------------------- *
 * get_*(obj, path, key, ...): path is obj's own path.  Absent (or null)
 * leaves *out untouched and clears *has; a value of the wrong type fails
 * naming path.key.
 */

static const cJSON *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNull(v) ? NULL : v;
}

static int need(const cJSON *o, const char *path, const char *key, struct err *e)
{
	char p[JP_MAX];

	return field(o, key) ? 0 : jerr(e, jp_key(p, path, key), "required");
}

/* o[key] into *out: NULL if absent, else it must pass is(). */
static int get_node(const cJSON *o, const char *path, const char *key,
		    cJSON_bool (*is)(const cJSON *const), const char *what, const cJSON **out,
		    struct err *e)
{
	char p[JP_MAX];

	*out = field(o, key);
	if (*out && !is(*out))
		return jerr(e, jp_key(p, path, key), "expected %s", what);
	return 0;
}

static int get_obj(const cJSON *o, const char *path, const char *key, const cJSON **out,
		   struct err *e)
{
	return get_node(o, path, key, cJSON_IsObject, "object", out, e);
}

static int get_str(const cJSON *o, const char *path, const char *key, char **out, struct err *e)
{
	const cJSON *v;

	if (get_node(o, path, key, cJSON_IsString, "string", &v, e))
		return -1;
	if (v) {
		free(*out);
		*out = xstrdup(v->valuestring);
	}
	return 0;
}

static int get_bool(const cJSON *o, const char *path, const char *key, int *out, struct err *e)
{
	const cJSON *v;

	if (get_node(o, path, key, cJSON_IsBool, "boolean", &v, e))
		return -1;
	if (v)
		*out = cJSON_IsTrue(v);
	return 0;
}

/* Sign and magnitude of the integer v, from its JSON text. */
static int val_int(const cJSON *v, const char *path, int *neg, uint64_t *mag, struct err *e)
{
	char buf[32];
	const char *s = v->valuestring, *d;
	char *end;

	if (!cJSON_IsNumber(v))
		return jerr(e, path, "expected integer");
	if (!s) { /* untagged: cannot happen, but stay exact for small ones */
		snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
		s = buf;
	}
	*neg = *s == '-';
	d = s + *neg;
	if (!*d || d[strspn(d, "0123456789")])
		return jerr(e, path, "expected integer, got %s", s);
	errno = 0;
	*mag = strtoull(d, &end, 10);
	if (errno == ERANGE)
		return jerr(e, path, "%s is out of range", s);
	return 0;
}

static int val_i64(const cJSON *v, const char *path, int64_t min, int64_t max, int64_t *out,
		   struct err *e)
{
	uint64_t mag;
	int64_t x;
	int neg;

	if (val_int(v, path, &neg, &mag, e))
		return -1;
	if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
		return jerr(e, path, "%s%" PRIu64 " is out of range", neg ? "-" : "", mag);
	x = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	if (x < min || x > max)
		return jerr(e, path, "%" PRId64 " is out of range %" PRId64 "..%" PRId64, x, min,
			    max);
	*out = x;
	return 0;
}

static int val_u64(const cJSON *v, const char *path, uint64_t max, uint64_t *out, struct err *e)
{
	uint64_t mag;
	int neg;

	if (val_int(v, path, &neg, &mag, e))
		return -1;
	if (neg && mag)
		return jerr(e, path, "expected non-negative integer, got -%" PRIu64, mag);
	if (mag > max)
		return jerr(e, path, "%" PRIu64 " is out of range 0..%" PRIu64, mag, max);
	*out = mag;
	return 0;
}

static int get_i64(const cJSON *o, const char *path, const char *key, int64_t min, int64_t max,
		   int64_t *out, int *has, struct err *e)
{
	const cJSON *v = field(o, key);
	char p[JP_MAX];
	int r = v ? val_i64(v, jp_key(p, path, key), min, max, out, e) : 0;

	if (has)
		*has = v && !r;
	return r;
}

static int get_u64(const cJSON *o, const char *path, const char *key, uint64_t max, uint64_t *out,
		   int *has, struct err *e)
{
	const cJSON *v = field(o, key);
	char p[JP_MAX];
	int r = v ? val_u64(v, jp_key(p, path, key), max, out, e) : 0;

	if (has)
		*has = v && !r;
	return r;
}

static int get_u32(const cJSON *o, const char *path, const char *key, uint32_t *out, int *has,
		   struct err *e)
{
	uint64_t x = *out;
	int r = get_u64(o, path, key, UINT32_MAX, &x, has, e);

	*out = (uint32_t)x;
	return r;
}

/* An array of strings into a NULL-terminated vector (empty array: empty
 * vector, not NULL). */
static int get_strv(const cJSON *o, const char *path, const char *key, int nonempty, char ***out,
		    struct err *e)
{
	const cJSON *v = field(o, key), *s;
	char p[JP_MAX], q[JP_MAX];
	size_t i = 0;
	char **r;

	if (!v)
		return 0;
	jp_key(p, path, key);
	if (!cJSON_IsArray(v) || (nonempty && !v->child))
		return jerr(e, p,
			    nonempty ? "expected non-empty array of strings"
				     : "expected array of strings");
	r = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*r));
	cJSON_ArrayForEach (s, v) {
		if (!cJSON_IsString(s)) {
			strv_free(r);
			return jerr(e, jp_idx(q, p, i), "expected string");
		}
		r[i++] = xstrdup(s->valuestring);
	}
	strv_free(*out);
	*out = r;
	return 0;
}

/* An object of strings ({"k": "v"}) into key/value pairs. */
static int get_kv(const cJSON *o, const char *path, const char *key, struct oci_keyval **kv,
		  size_t *n, struct err *e)
{
	const cJSON *v, *m;
	char p[JP_MAX], q[JP_MAX];

	if (get_obj(o, path, key, &v, e))
		return -1;
	if (!v)
		return 0;
	jp_key(p, path, key);
	*kv = xcalloc((size_t)cJSON_GetArraySize(v), sizeof(**kv));
	*n = 0;
	cJSON_ArrayForEach (m, v) {
		if (!cJSON_IsString(m))
			return jerr(e, jp_key(q, p, m->string), "expected string");
		(*kv)[*n].key = xstrdup(m->string);
		(*kv)[*n].value = xstrdup(m->valuestring);
		(*n)++;
	}
	return 0;
}

typedef int (*elem_fn)(const cJSON *el, const char *path, void *out, struct err *e);

/* An array of objects, each parsed by fn into an element of `size` bytes.
 * *n counts an element before fn runs, so a failure frees it too. */
static int get_list(const cJSON *o, const char *path, const char *key, size_t size, void **arr,
		    size_t *n, elem_fn fn, struct err *e)
{
	const cJSON *a = field(o, key), *el;
	char p[JP_MAX], q[JP_MAX];

	*n = 0;
	if (!a)
		return 0;
	jp_key(p, path, key);
	if (!cJSON_IsArray(a))
		return jerr(e, p, "expected array");
	*arr = xcalloc((size_t)cJSON_GetArraySize(a), size);
	cJSON_ArrayForEach (el, a) {
		jp_idx(q, p, *n);
		(*n)++;
		if (!cJSON_IsObject(el))
			return jerr(e, q, "expected object");
		if (fn(el, q, (char *)*arr + (*n - 1) * size, e))
			return -1;
	}
	return 0;
}

/* get_list into a typed array (no void ** aliasing at the call site). */
#define GET_LIST(o, path, key, arr, n, fn, e)                                      \
	({                                                                         \
		void *_a = NULL;                                                   \
		int _r = get_list(o, path, key, sizeof(*(arr)), &_a, &(n), fn, e); \
		(arr) = _a;                                                        \
		_r;                                                                \
	})

/* A required absolute path at path.key. */
static int get_abs(const cJSON *o, const char *path, const char *key, char **out, struct err *e)
{
	char p[JP_MAX];

	if (need(o, path, key, e) || get_str(o, path, key, out, e))
		return -1;
	if ((*out)[0] != '/')
		return jerr(e, jp_key(p, path, key), "must be an absolute path, got \"%s\"", *out);
	return 0;
}

/* Index of s in a table whose entries start with a name, n if absent. */
static size_t name_index_(const void *tab, size_t n, size_t stride, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(*(const char *const *)((const char *)tab + i * stride), s))
			break;
	return i;
}
#define name_index(tab, s) name_index_(tab, ARRAY_SIZE(tab), sizeof((tab)[0]), s)

static const char *name_of(const struct named *tab, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return "?";
}

/* A required string at path.key naming an entry of a table whose entries
 * start with the name: its index into *idx.  `what` is for the error. */
static int get_enum_(const cJSON *o, const char *path, const char *key, const void *tab, size_t n,
		     size_t stride, const char *what, size_t *idx, struct err *e)
{
	_cleanup_free_ char *s = NULL;
	char p[JP_MAX];

	if (need(o, path, key, e) || get_str(o, path, key, &s, e))
		return -1;
	*idx = name_index_(tab, n, stride, s);
	if (*idx < n)
		return 0;
	return jerr(e, jp_key(p, path, key), "unknown %s \"%s\"", what, s);
}
#define get_enum(o, path, key, tab, what, idx, e) \
	get_enum_(o, path, key, tab, ARRAY_SIZE(tab), sizeof((tab)[0]), what, idx, e)

/* ---- process --------------------------------------------------------- */

static int parse_rlimit(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_rlimit *r = out;
	size_t i;

	if (get_enum(o, path, "type", rlimit_names, "rlimit type", &i, e))
		return -1;
	r->resource = rlimit_names[i].value;
	if (need(o, path, "soft", e) || need(o, path, "hard", e) ||
	    get_u64(o, path, "soft", UINT64_MAX, &r->soft, NULL, e) ||
	    get_u64(o, path, "hard", UINT64_MAX, &r->hard, NULL, e))
		return -1;
	if (r->soft > r->hard)
		return jerr(e, path, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64, r->soft,
			    r->hard);
	return 0;
}

static int parse_caps(const cJSON *o, const char *path, struct oci_caps *c, struct err *e)
{
	static const char *const keys[] = { "bounding", "effective", "inheritable", "permitted",
					    "ambient" };
	uint64_t *sets[] = { &c->bounding, &c->effective, &c->inheritable, &c->permitted,
			     &c->ambient };
	char p[JP_MAX], q[JP_MAX];

	c->present = 1;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		_cleanup_strv_ char **v = NULL;

		if (get_strv(o, path, keys[k], 0, &v, e))
			return -1;
		for (size_t i = 0; v && v[i]; i++) {
			int cap = oci_cap_from_name(v[i]);

			if (cap < 0)
				return jerr(e, jp_idx(q, jp_key(p, path, keys[k]), i),
					    "unknown capability \"%s\"", v[i]);
			*sets[k] |= 1ULL << cap;
		}
	}
	return 0;
}

static int parse_user(const cJSON *o, const char *path, struct oci_user *u, struct err *e)
{
	const cJSON *a, *g;
	char p[JP_MAX], q[JP_MAX];
	uint64_t umask;

	if (get_u32(o, path, "uid", &u->uid, NULL, e) ||
	    get_u32(o, path, "gid", &u->gid, NULL, e) ||
	    get_u64(o, path, "umask", 07777, &umask, &u->has_umask, e))
		return -1;
	if (u->has_umask)
		u->umask = (mode_t)umask;
	a = field(o, "additionalGids");
	if (!a)
		return 0;
	jp_key(p, path, "additionalGids");
	if (!cJSON_IsArray(a))
		return jerr(e, p, "expected array of integers");
	u->additional_gids = xcalloc((size_t)cJSON_GetArraySize(a), sizeof(uint32_t));
	cJSON_ArrayForEach (g, a) {
		uint64_t x;

		if (val_u64(g, jp_idx(q, p, u->n_additional_gids), UINT32_MAX, &x, e))
			return -1;
		u->additional_gids[u->n_additional_gids++] = (uint32_t)x;
	}
	return 0;
}

static int parse_process(const cJSON *o, const char *path, struct oci_process *pr, struct err *e)
{
	const cJSON *sub;
	char p[JP_MAX], q[JP_MAX];
	int64_t oom;

	if (!cJSON_IsObject(o))
		return jerr(e, path, "expected object");
	if (get_bool(o, path, "terminal", &pr->terminal, e) ||
	    get_obj(o, path, "consoleSize", &sub, e))
		return -1;
	if (sub) {
		uint32_t h = 0, w = 0;

		jp_key(p, path, "consoleSize");
		if (get_u32(sub, p, "height", &h, NULL, e) || get_u32(sub, p, "width", &w, NULL, e))
			return -1;
		pr->has_console_size = 1;
		pr->console_height = h;
		pr->console_width = w;
	}
	if (get_obj(o, path, "user", &sub, e))
		return -1;
	if (sub && parse_user(sub, jp_key(p, path, "user"), &pr->user, e))
		return -1;

	if (need(o, path, "args", e) || get_strv(o, path, "args", 1, &pr->args, e))
		return -1;
	if (get_strv(o, path, "env", 0, &pr->env, e))
		return -1;
	if (!pr->env)
		pr->env = xcalloc(1, sizeof(char *));
	for (size_t i = 0; pr->env[i]; i++) {
		const char *eq = strchr(pr->env[i], '=');

		if (!eq || eq == pr->env[i])
			return jerr(e, jp_idx(q, jp_key(p, path, "env"), i),
				    "expected NAME=VALUE, got \"%s\"", pr->env[i]);
	}
	if (get_abs(o, path, "cwd", &pr->cwd, e))
		return -1;

	if (get_obj(o, path, "capabilities", &sub, e))
		return -1;
	if (sub && parse_caps(sub, jp_key(p, path, "capabilities"), &pr->caps, e))
		return -1;

	if (GET_LIST(o, path, "rlimits", pr->rlimits, pr->n_rlimits, parse_rlimit, e))
		return -1;
	/* The spec: duplicated types MUST be an error. */
	for (size_t j = 1; j < pr->n_rlimits; j++)
		for (size_t i = 0; i < j; i++)
			if (pr->rlimits[i].resource == pr->rlimits[j].resource)
				return jerr(e, jp_item(p, path, "rlimits", j, "type"),
					    "duplicate rlimit type \"%s\"",
					    name_of(rlimit_names, ARRAY_SIZE(rlimit_names),
						    pr->rlimits[j].resource));

	if (get_bool(o, path, "noNewPrivileges", &pr->no_new_privileges, e) ||
	    get_i64(o, path, "oomScoreAdj", -1000, 1000, &oom, &pr->has_oom_score_adj, e) ||
	    get_str(o, path, "apparmorProfile", &pr->apparmor_profile, e) ||
	    get_str(o, path, "selinuxLabel", &pr->selinux_label, e))
		return -1;
	if (pr->has_oom_score_adj)
		pr->oom_score_adj = (int)oom;
	return 0;
}

/* ---- mounts and hooks ------------------------------------------------ */

static void join_opt(char **data, const char *opt)
{
	char *d = *data ? xasprintf("%s,%s", *data, opt) : xstrdup(opt);

	free(*data);
	*data = d;
}

/* Split mount options into flags, propagation and fs data. */
static int mount_options(struct oci_mount *m, char **opts, const char *path, struct err *e)
{
	char p[JP_MAX];

	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];
		size_t k = name_index(mount_opts, o);

		if (k < ARRAY_SIZE(mount_opts)) {
			unsigned long f = mount_opts[k].flag;

			if (mount_opts[k].clear) {
				m->flags &= ~f;
				m->clear_flags |= f;
			} else {
				m->flags |= f;
				m->clear_flags &= ~f;
			}
			continue;
		}
		k = name_index(propagations, o);
		if (k < ARRAY_SIZE(propagations)) {
			m->propagation = propagations[k].flags; /* last wins */
			continue;
		}
		if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0) {
			m->bind = 1;
			m->recursive = o[0] == 'r';
			continue;
		}
		k = name_index(rec_opts, o);
		if (k < ARRAY_SIZE(rec_opts)) {
			uint64_t a = rec_opts[k].attr;

			if (rec_opts[k].clear) {
				m->rec_clr |= a;
				m->rec_set &= ~a;
			} else {
				m->rec_set |= a;
				m->rec_clr &= ~a;
			}
			/* An atime mode is set by clearing the field whole
			 * (mount_setattr(2)); "ratime" leaves relatime. */
			if ((a & NOOK_MOUNT_ATTR__ATIME) == a)
				m->rec_clr |= NOOK_MOUNT_ATTR__ATIME;
			join_opt(&m->rec_opts, o);
			continue;
		}
		/* Handled by the kernel or by tools we do not run. */
		if (strcmp(o, "tmpcopyup") == 0 || strcmp(o, "idmap") == 0 ||
		    strcmp(o, "ridmap") == 0)
			continue;
		/* "rsync", "rmand"...: runc has no recursive form of these
		 * either; a silently non-recursive flag would be worse than
		 * an error. */
		if (o[0] == 'r' && name_index(mount_opts, o + 1) < ARRAY_SIZE(mount_opts))
			return jerr(e, jp_idx(p, path, i),
				    "recursive mount option \"%s\" is not supported", o);
		join_opt(&m->data, o);
	}
	return 0;
}

static int parse_mount(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_mount *m = out;
	_cleanup_strv_ char **opts = NULL;
	char p[JP_MAX];
	char *d;

	if (need(o, path, "destination", e) ||
	    get_str(o, path, "destination", &m->destination, e) ||
	    get_str(o, path, "source", &m->source, e) || get_str(o, path, "type", &m->type, e) ||
	    get_strv(o, path, "options", 0, &opts, e))
		return -1;
	if (!m->destination[0])
		return jerr(e, jp_key(p, path, "destination"), "empty path");
	/* runc accepts relative destinations from old specs as absolute. */
	if (m->destination[0] != '/') {
		d = xasprintf("/%s", m->destination);
		free(m->destination);
		m->destination = d;
	}
	if (m->type && strcmp(m->type, "bind") == 0)
		m->bind = 1;
	return mount_options(m, opts, jp_key(p, path, "options"), e);
}

static int parse_hook(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_hook *h = out;
	char p[JP_MAX];
	int64_t t;
	int has;

	if (get_abs(o, path, "path", &h->path, e) || get_strv(o, path, "args", 0, &h->args, e) ||
	    get_strv(o, path, "env", 0, &h->env, e) ||
	    get_i64(o, path, "timeout", INT64_MIN, INT64_MAX, &t, &has, e))
		return -1;
	if (has && (t <= 0 || t > INT_MAX))
		return jerr(e, jp_key(p, path, "timeout"),
			    "must be a positive number of seconds, got %" PRId64, t);
	h->timeout = has ? (int)t : 0;
	return 0;
}

/* ---- linux ----------------------------------------------------------- */

static int parse_namespace(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_namespace *ns = out;
	size_t i;

	if (get_enum(o, path, "type", ns_names, "namespace type", &i, e) ||
	    get_str(o, path, "path", &ns->path, e))
		return -1;
	ns->type = ns_names[i].value;
	if (ns->path && !ns->path[0]) { /* "" = create one, as in runc */
		free(ns->path);
		ns->path = NULL;
	}
	return 0;
}

static int parse_idmap(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_idmap *m = out;

	if (need(o, path, "containerID", e) || need(o, path, "hostID", e) ||
	    need(o, path, "size", e) ||
	    get_u32(o, path, "containerID", &m->container_id, NULL, e) ||
	    get_u32(o, path, "hostID", &m->host_id, NULL, e) ||
	    get_u32(o, path, "size", &m->size, NULL, e))
		return -1;
	return 0;
}

static int parse_device(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_device *d = out;
	_cleanup_free_ char *type = NULL;
	char p[JP_MAX];
	uint32_t mode = 0;

	if (get_abs(o, path, "path", &d->path, e) || need(o, path, "type", e) ||
	    get_str(o, path, "type", &type, e))
		return -1;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return jerr(e, jp_key(p, path, "type"), "expected one of c, b, u, p, got \"%s\"",
			    type);
	d->type = type[0];
	if (d->type != 'p' && (need(o, path, "major", e) || need(o, path, "minor", e)))
		return -1;
	/* fileMode may carry S_IFCHR etc. (Docker writes 8630): the consumer
	 * masks it. */
	if (get_i64(o, path, "major", 0, INT64_MAX, &d->major, NULL, e) ||
	    get_i64(o, path, "minor", 0, INT64_MAX, &d->minor, NULL, e) ||
	    get_u32(o, path, "fileMode", &mode, &d->has_file_mode, e) ||
	    get_u32(o, path, "uid", &d->uid, &d->has_uid, e) ||
	    get_u32(o, path, "gid", &d->gid, &d->has_gid, e))
		return -1;
	if (d->has_file_mode)
		d->file_mode = (mode_t)mode;
	return 0;
}

static int parse_device_rule(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_device_rule *r = out;
	_cleanup_free_ char *type = NULL, *access = NULL;
	char p[JP_MAX];

	if (need(o, path, "allow", e) || get_bool(o, path, "allow", &r->allow, e) ||
	    get_str(o, path, "type", &type, e) || get_str(o, path, "access", &access, e))
		return -1;
	if (type && type[0] && (strlen(type) != 1 || !strchr("acb", type[0])))
		return jerr(e, jp_key(p, path, "type"), "expected one of a, c, b, got \"%s\"",
			    type);
	r->type = type && type[0] ? type[0] : 'a';
	r->major = r->minor = -1;
	if (get_i64(o, path, "major", -1, INT64_MAX, &r->major, NULL, e) ||
	    get_i64(o, path, "minor", -1, INT64_MAX, &r->minor, NULL, e))
		return -1;
	if (!access || !access[0]) { /* unspecified: all of them (crun) */
		strcpy(r->access, "rwm");
		return 0;
	}
	for (size_t i = 0; access[i]; i++)
		if (!strchr("rwm", access[i]) || strchr(access + i + 1, access[i]))
			return jerr(e, jp_key(p, path, "access"),
				    "expected a subset of \"rwm\", got \"%s\"", access);
	strcpy(r->access, access); /* at most 3 distinct letters: fits */
	return 0;
}

static int parse_weight_device(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_weight_device *w = out;
	uint64_t x;

	if (need(o, path, "major", e) || need(o, path, "minor", e) ||
	    get_i64(o, path, "major", 0, INT64_MAX, &w->major, NULL, e) ||
	    get_i64(o, path, "minor", 0, INT64_MAX, &w->minor, NULL, e) ||
	    get_u64(o, path, "weight", UINT16_MAX, &x, &w->has_weight, e))
		return -1;
	if (w->has_weight)
		w->weight = (uint16_t)x;
	return 0;
}

static int parse_throttle(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_throttle *t = out;

	if (need(o, path, "major", e) || need(o, path, "minor", e) || need(o, path, "rate", e) ||
	    get_i64(o, path, "major", 0, INT64_MAX, &t->major, NULL, e) ||
	    get_i64(o, path, "minor", 0, INT64_MAX, &t->minor, NULL, e) ||
	    get_u64(o, path, "rate", UINT64_MAX, &t->rate, NULL, e))
		return -1;
	return 0;
}

static int parse_hugepage(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_hugepage_limit *h = out;

	if (need(o, path, "pageSize", e) || need(o, path, "limit", e) ||
	    get_str(o, path, "pageSize", &h->page_size, e) ||
	    get_u64(o, path, "limit", UINT64_MAX, &h->limit, NULL, e))
		return -1;
	return 0;
}

/* The scalar numbers of linux.resources: {section, key, signed, field}. */
/* clang-format off */
#define RN(sec, key, sgn, f) \
	{ sec, key, sgn, offsetof(struct oci_resources, f), offsetof(struct oci_resources, has_##f) }
static const struct {
	const char *section, *key;
	int is_signed;
	size_t off, has_off;
} res_numbers[] = {
	RN("memory", "limit", 1, memory_limit),
	RN("memory", "reservation", 1, memory_reservation),
	RN("memory", "swap", 1, memory_swap),
	RN("memory", "swappiness", 0, memory_swappiness),
	RN("pids", "limit", 1, pids_limit),
	RN("cpu", "shares", 0, cpu_shares),
	RN("cpu", "quota", 1, cpu_quota),
	RN("cpu", "period", 0, cpu_period),
	RN("cpu", "idle", 1, cpu_idle),
};
#undef RN
/* clang-format on */

static int parse_resources(const cJSON *o, const char *path, struct oci_resources *r, struct err *e)
{
	const cJSON *sub;
	char p[JP_MAX];
	uint64_t x;

	if (!cJSON_IsObject(o))
		return jerr(e, path, "expected object");

	for (size_t i = 0; i < ARRAY_SIZE(res_numbers); i++) {
		char *base = (char *)r;
		void *f = base + res_numbers[i].off;
		int *has = (int *)(base + res_numbers[i].has_off);
		const char *key = res_numbers[i].key;

		if (get_obj(o, path, res_numbers[i].section, &sub, e))
			return -1;
		if (!sub)
			continue;
		jp_key(p, path, res_numbers[i].section);
		if (res_numbers[i].is_signed ? get_i64(sub, p, key, INT64_MIN, INT64_MAX, f, has, e)
					     : get_u64(sub, p, key, UINT64_MAX, f, has, e))
			return -1;
	}
	/* memory.kernel/kernelTCP, cpu.realtime*: cgroup v1 only, ignored. */
	if (get_obj(o, path, "memory", &sub, e))
		return -1;
	if (sub &&
	    get_bool(sub, jp_key(p, path, "memory"), "disableOOMKiller", &r->disable_oom_killer, e))
		return -1;
	if (get_obj(o, path, "cpu", &sub, e))
		return -1;
	if (sub && (get_str(sub, jp_key(p, path, "cpu"), "cpus", &r->cpuset_cpus, e) ||
		    get_str(sub, p, "mems", &r->cpuset_mems, e)))
		return -1;

	if (get_obj(o, path, "blockIO", &sub, e))
		return -1;
	if (sub) {
		jp_key(p, path, "blockIO");
		if (get_u64(sub, p, "weight", UINT16_MAX, &x, &r->has_io_weight, e))
			return -1;
		if (r->has_io_weight)
			r->io_weight = (uint16_t)x;
		if (GET_LIST(sub, p, "weightDevice", r->io_weight_devices, r->n_io_weight_devices,
			     parse_weight_device, e))
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(throttle_keys); i++)
			if (GET_LIST(sub, p, throttle_keys[i], r->io_throttle[i],
				     r->n_io_throttle[i], parse_throttle, e))
				return -1;
	}

	if (GET_LIST(o, path, "hugepageLimits", r->hugepage_limits, r->n_hugepage_limits,
		     parse_hugepage, e))
		return -1;

	if (get_kv(o, path, "unified", &r->unified, &r->n_unified, e))
		return -1;
	/* Keys name files in the container's cgroup directory: a '/' or
	 * ".." would reach outside it. */
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;

		if (!k[0] || strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
			return jerr(e, jp_key(p, path, "unified"),
				    "invalid key \"%s\": must be a file name", k);
	}

	return GET_LIST(o, path, "devices", r->devices, r->n_devices, parse_device_rule, e);
}

static int parse_scmp_arg(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_seccomp_arg *a = out;
	uint64_t idx;
	size_t op;

	if (need(o, path, "index", e) || need(o, path, "value", e) ||
	    get_u64(o, path, "index", 5, &idx, NULL, e) ||
	    get_u64(o, path, "value", UINT64_MAX, &a->value, NULL, e) ||
	    get_u64(o, path, "valueTwo", UINT64_MAX, &a->value_two, NULL, e) ||
	    get_enum(o, path, "op", scmp_ops, "seccomp operator", &op, e))
		return -1;
	a->index = (unsigned)idx;
	a->op = (enum oci_seccomp_op)op;
	return 0;
}

static int get_action(const cJSON *o, const char *path, const char *key,
		      enum oci_seccomp_action *act, struct err *e)
{
	size_t i;

	if (get_enum(o, path, key, scmp_actions, "seccomp action", &i, e))
		return -1;
	*act = (enum oci_seccomp_action)i;
	return 0;
}

static int parse_syscall(const cJSON *o, const char *path, void *out, struct err *e)
{
	struct oci_seccomp_rule *r = out;
	uint32_t ret = 0;

	if (need(o, path, "names", e) || get_strv(o, path, "names", 1, &r->names, e) ||
	    get_action(o, path, "action", &r->action, e) ||
	    get_u32(o, path, "errnoRet", &ret, &r->has_errno_ret, e))
		return -1;
	if (r->has_errno_ret)
		r->errno_ret = ret;
	return GET_LIST(o, path, "args", r->args, r->n_args, parse_scmp_arg, e);
}

static int parse_seccomp(const cJSON *o, const char *path, struct oci_seccomp *sc, struct err *e)
{
	uint32_t ret = 0;

	if (get_action(o, path, "defaultAction", &sc->default_action, e) ||
	    get_str(o, path, "listenerPath", &sc->listener_path, e) ||
	    get_str(o, path, "listenerMetadata", &sc->listener_metadata, e) ||
	    get_u32(o, path, "defaultErrnoRet", &ret, &sc->has_default_errno_ret, e) ||
	    get_strv(o, path, "architectures", 0, &sc->architectures, e) ||
	    get_strv(o, path, "flags", 0, &sc->flags, e))
		return -1;
	if (sc->has_default_errno_ret)
		sc->default_errno_ret = ret;
	return GET_LIST(o, path, "syscalls", sc->rules, sc->n_rules, parse_syscall, e);
}

static int parse_time_offsets(const cJSON *o, const char *path, struct oci_linux *l, struct err *e)
{
	static const char *const clocks[] = { "boottime", "monotonic" };
	int64_t *secs[] = { &l->boottime_secs, &l->monotonic_secs };
	uint32_t *nsecs[] = { &l->boottime_nanosecs, &l->monotonic_nanosecs };
	const cJSON *c;
	char p[JP_MAX];

	cJSON_ArrayForEach (c, o) {
		size_t k = name_index(clocks, c->string);
		uint64_t x = 0;

		if (cJSON_IsNull(c))
			continue;
		if (k == ARRAY_SIZE(clocks))
			return jerr(e, path, "unknown clock \"%s\"", c->string);
		jp_key(p, path, c->string);
		if (!cJSON_IsObject(c))
			return jerr(e, p, "expected object");
		if (get_i64(c, p, "secs", INT64_MIN, INT64_MAX, secs[k], NULL, e) ||
		    get_u64(c, p, "nanosecs", 999999999, &x, NULL, e))
			return -1;
		*nsecs[k] = (uint32_t)x;
	}
	l->has_time_offsets = 1;
	return 0;
}

static int parse_linux(const cJSON *o, const char *path, struct oci_linux *l, struct err *e)
{
	const cJSON *sub;
	char p[JP_MAX];

	if (GET_LIST(o, path, "namespaces", l->namespaces, l->n_namespaces, parse_namespace, e))
		return -1;
	for (size_t j = 1; j < l->n_namespaces; j++)
		for (size_t i = 0; i < j; i++)
			if (l->namespaces[i].type == l->namespaces[j].type)
				return jerr(e, jp_item(p, path, "namespaces", j, "type"),
					    "duplicate namespace type \"%s\"",
					    name_of(ns_names, ARRAY_SIZE(ns_names),
						    l->namespaces[j].type));

	if (GET_LIST(o, path, "uidMappings", l->uid_mappings, l->n_uid_mappings, parse_idmap, e) ||
	    GET_LIST(o, path, "gidMappings", l->gid_mappings, l->n_gid_mappings, parse_idmap, e) ||
	    GET_LIST(o, path, "devices", l->devices, l->n_devices, parse_device, e))
		return -1;

	if (get_obj(o, path, "resources", &sub, e))
		return -1;
	if (sub) {
		l->has_resources = 1;
		if (parse_resources(sub, jp_key(p, path, "resources"), &l->resources, e))
			return -1;
	}

	if (get_str(o, path, "cgroupsPath", &l->cgroups_path, e) ||
	    get_kv(o, path, "sysctl", &l->sysctl, &l->n_sysctl, e))
		return -1;

	if (get_obj(o, path, "seccomp", &sub, e))
		return -1;
	if (sub) {
		l->seccomp = xcalloc(1, sizeof(*l->seccomp));
		if (parse_seccomp(sub, jp_key(p, path, "seccomp"), l->seccomp, e))
			return -1;
	}

	if (get_strv(o, path, "maskedPaths", 0, &l->masked_paths, e) ||
	    get_strv(o, path, "readonlyPaths", 0, &l->readonly_paths, e) ||
	    get_str(o, path, "mountLabel", &l->mount_label, e))
		return -1;
	sub = field(o, "rootfsPropagation"); /* "" is the default, as in runc */
	if (sub && !(cJSON_IsString(sub) && !sub->valuestring[0])) {
		size_t i;

		if (get_enum(o, path, "rootfsPropagation", propagations, "propagation", &i, e))
			return -1;
		l->rootfs_propagation = propagations[i].flags;
	}

	/* intelRdt, personality, netDevices, memoryPolicy...: not supported,
	 * ignored like any unknown field. */
	if (get_obj(o, path, "timeOffsets", &sub, e))
		return -1;
	if (sub && parse_time_offsets(sub, jp_key(p, path, "timeOffsets"), l, e))
		return -1;
	return 0;
}

/* ---- the document ---------------------------------------------------- */

static int parse_spec(const cJSON *j, struct oci_spec *s, struct err *e)
{
	const cJSON *sub;

	if (!cJSON_IsObject(j))
		return jerr(e, "", "expected a JSON object at the top level");
	if (get_str(j, "", "ociVersion", &s->oci_version, e))
		return -1;

	if (need(j, "", "root", e) || get_obj(j, "", "root", &sub, e) ||
	    need(sub, "root", "path", e) || get_str(sub, "root", "path", &s->root_path, e) ||
	    get_bool(sub, "root", "readonly", &s->root_readonly, e))
		return -1;
	if (!s->root_path[0])
		return jerr(e, "root.path", "empty path");

	if (get_obj(j, "", "process", &sub, e))
		return -1;
	if (sub) {
		s->process = xcalloc(1, sizeof(*s->process));
		if (parse_process(sub, "process", s->process, e))
			return -1;
	}

	if (get_str(j, "", "hostname", &s->hostname, e) ||
	    get_str(j, "", "domainname", &s->domainname, e) ||
	    GET_LIST(j, "", "mounts", s->mounts, s->n_mounts, parse_mount, e))
		return -1;

	if (get_obj(j, "", "hooks", &sub, e))
		return -1;
	for (int k = 0; sub && k < OCI_HOOK_KINDS; k++)
		if (GET_LIST(sub, "hooks", hook_keys[k], s->hooks.list[k], s->hooks.n[k],
			     parse_hook, e))
			return -1;

	if (get_kv(j, "", "annotations", &s->annotations, &s->n_annotations, e))
		return -1;

	if (get_obj(j, "", "linux", &sub, e))
		return -1;
	return sub ? parse_linux(sub, "linux", &s->linux, e) : 0;
}

struct oci_spec *oci_spec_from_json(const struct cJSON *j, struct err *e)
{
	struct oci_spec *s = xcalloc(1, sizeof(*s));

	if (parse_spec(j, s, e)) {
		oci_spec_free(s);
		return NULL;
	}
	return s;
}

struct oci_spec *oci_spec_parse(const char *json, struct err *e)
{
	_cleanup_json_ cJSON *j = json_parse(json, e);

	return j ? oci_spec_from_json(j, e) : NULL;
}

/* ---- linux.seccomp.syscalls, deferred --------------------------------
 * A seccomp profile's syscall list is most of a config.json (podman's: 17
 * of 19 KB, ~1500 JSON nodes: half a millisecond of parsing and page
 * faults per start), and a start needs it only when its built program is
 * not in the cache (oci_seccomp_get keys the program by the list's bytes).
 * So oci_spec_parse_owned cuts the list out of the text before cJSON sees
 * it, and oci_seccomp_rules parses it when asked.  The cut must not change
 * what is parsed: the scanner reads the JSON structure as cJSON does (any
 * byte <= ' ' is space; a string ends at its first unescaped quote), and
 * gives up, leaving the whole text to cJSON, on anything else: a key with
 * an escape (cJSON would compare it decoded) or twice in one of the three
 * objects on the path (cJSON takes the first), nesting deeper than
 * SKIP_DEPTH, a value that is not an array, or an invalid structure.  What
 * the list holds is only ever parsed from its own bytes, the same bytes
 * that key the cache.
 */
#define SKIP_DEPTH 64

static const char *sk_ws(const char *p)
{
	while (*p && (unsigned char)*p <= ' ')
		p++;
	return p;
}

/* p at '"': past the closing quote, or NULL. */
static const char *sk_str(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\') {
			if (!*++p)
				return NULL;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *sk_value(const char *p, int depth)
{
	const char *s;

	p = sk_ws(p);
	if (*p == '"')
		return sk_str(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		if (depth >= SKIP_DEPTH)
			return NULL;
		p = sk_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*p != '"' || !(p = sk_str(p)))
					return NULL;
				p = sk_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = sk_value(p, depth + 1)))
				return NULL;
			p = sk_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
			p = sk_ws(p);
		}
	}
	for (s = p; *p && *p != ',' && *p != '}' && *p != ']' && (unsigned char)*p > ' '; p++)
		;
	return p > s ? p : NULL;
}

/* The value of key in the object at p: 1 and [*vs, *ve), 0 if absent, -1
 * if the scan gives up (see above). */
static int sk_find(const char *p, const char *key, const char **vs, const char **ve)
{
	size_t kl = strlen(key);
	int found = 0;

	p = sk_ws(p);
	if (*p != '{')
		return -1;
	p = sk_ws(p + 1);
	if (*p == '}')
		return 0;
	for (;;) {
		const char *k = p + 1, *v, *end;

		if (*p != '"' || !(p = sk_str(p)) || memchr(k, '\\', (size_t)(p - 1 - k)))
			return -1;
		if ((size_t)(p - 1 - k) == kl && !memcmp(k, key, kl) && found++)
			return -1;
		p = sk_ws(p);
		if (*p != ':')
			return -1;
		v = sk_ws(p + 1);
		if (!(end = sk_value(v, 1)))
			return -1;
		if (found == 1 && !*vs) {
			*vs = v;
			*ve = end;
		}
		p = sk_ws(end);
		if (*p == '}')
			return found;
		if (*p != ',')
			return -1;
		p = sk_ws(p + 1);
	}
}

/* [*vs, *ve): linux.seccomp.syscalls's array in text, or 0. */
static int syscalls_span(const char *text, const char **vs, const char **ve)
{
	const char *a = NULL, *b = NULL;

	if (sk_find(text, "linux", &a, &b) != 1)
		return 0;
	*vs = NULL;
	if (sk_find(a, "seccomp", vs, ve) != 1)
		return 0;
	a = *vs;
	*vs = NULL;
	return sk_find(a, "syscalls", vs, ve) == 1 && **vs == '[';
}

/* Below this, parsing costs less than hashing and cutting. */
#define DEFER_MIN 1024

struct oci_spec *oci_spec_parse_owned(char *text, struct err *e)
{
	const char *vs = NULL, *ve = NULL;
	struct oci_spec *s = NULL;

	if (syscalls_span(text, &vs, &ve) && ve - vs >= DEFER_MIN) {
		/* The text with "[]" for the list; its newlines kept after it,
		 * so that an error elsewhere names the same line. */
		size_t head = (size_t)(vs - text), tail = strlen(ve), nl = 0;
		_cleanup_free_ char *cut = NULL;
		struct err ignored = { 0 };

		for (const char *p = vs; p < ve; p++)
			nl += *p == '\n';
		cut = xmalloc(head + 2 + nl + tail + 1);
		memcpy(cut, text, head);
		memcpy(cut + head, "[]", 2);
		memset(cut + head + 2, '\n', nl);
		memcpy(cut + head + 2 + nl, ve, tail + 1);
		s = oci_spec_parse(cut, &ignored);
		if (s && s->linux.seccomp && !s->linux.seccomp->n_rules) {
			s->linux.seccomp->syscalls_text = vs;
			s->linux.seccomp->syscalls_len = (size_t)(ve - vs);
			s->linux.seccomp->syscalls_doc = text;
		} else {
			/* Whatever went wrong, the whole text says it as before. */
			oci_spec_free(s);
			s = NULL;
		}
	}
	if (!s)
		s = oci_spec_parse(text, e);
	if (!s) {
		free(text);
		return NULL;
	}
	s->text = text;
	return s;
}

int oci_seccomp_rules(const struct oci_seccomp *sc, struct oci_seccomp_rule **rules, size_t *n,
		      struct err *e)
{
	_cleanup_free_ char *t = NULL;
	_cleanup_json_ cJSON *o = NULL;
	cJSON *a;

	*rules = NULL;
	*n = 0;
	if (!sc->syscalls_text)
		return 0;
	t = xmalloc(sc->syscalls_len + 1);
	memcpy(t, sc->syscalls_text, sc->syscalls_len);
	t[sc->syscalls_len] = '\0';
	a = json_parse(t, e);
	if (!a) {
		/* The document's own message (its line), as a full parse. */
		cJSON_Delete(json_parse(sc->syscalls_doc, e));
		return -1;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "syscalls", a);
	if (GET_LIST(o, "linux.seccomp", "syscalls", *rules, *n, parse_syscall, e)) {
		oci_seccomp_rules_free(*rules, *n);
		*rules = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

struct oci_spec *oci_spec_load(const char *path, struct err *e)
{
	char *text = file_read(path, NULL, e);
	struct oci_spec *s;

	if (!text)
		return NULL;
	s = oci_spec_parse_owned(text, e);
	if (!s)
		err_wrap(e, "%s", path);
	return s;
}

struct oci_process *oci_process_parse(const char *json, struct err *e)
{
	_cleanup_json_ cJSON *j = json_parse(json, e);
	struct oci_process *p;

	if (!j)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	if (parse_process(j, "process", p, e)) {
		oci_process_free(p);
		return NULL;
	}
	return p;
}

int oci_resources_parse(const char *json, struct oci_resources *r, struct err *e)
{
	_cleanup_json_ cJSON *j = json_parse(json, e);

	memset(r, 0, sizeof(*r));
	if (!j)
		return -1;
	if (parse_resources(j, "", r, e)) {
		oci_resources_free(r);
		return -1;
	}
	return 0;
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, int type)
{
	for (size_t i = 0; i < s->linux.n_namespaces; i++)
		if (s->linux.namespaces[i].type == type)
			return &s->linux.namespaces[i];
	return NULL;
}

/* ---- freeing --------------------------------------------------------- */

static void kv_free(struct oci_keyval *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void oci_process_free(struct oci_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p);
}

void oci_resources_free(struct oci_resources *r)
{
	free(r->cpuset_cpus);
	free(r->cpuset_mems);
	free(r->io_weight_devices);
	for (size_t i = 0; i < ARRAY_SIZE(r->io_throttle); i++)
		free(r->io_throttle[i]);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	kv_free(r->unified, r->n_unified);
	free(r->devices);
	memset(r, 0, sizeof(*r));
}

static void seccomp_free(struct oci_seccomp *sc)
{
	if (!sc)
		return;
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	oci_seccomp_rules_free(sc->rules, sc->n_rules);
	free(sc);
}

void oci_seccomp_rules_free(struct oci_seccomp_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strv_free(rules[i].names);
		free(rules[i].args);
	}
	free(rules);
}

void oci_spec_free(struct oci_spec *s)
{
	struct oci_linux *l;

	if (!s)
		return;
	l = &s->linux;
	free(s->oci_version);
	oci_process_free(s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].source);
		free(s->mounts[i].type);
		free(s->mounts[i].data);
		free(s->mounts[i].rec_opts);
	}
	free(s->mounts);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; i < s->hooks.n[k]; i++) {
			free(s->hooks.list[k][i].path);
			strv_free(s->hooks.list[k][i].args);
			strv_free(s->hooks.list[k][i].env);
		}
		free(s->hooks.list[k]);
	}
	kv_free(s->annotations, s->n_annotations);
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	oci_resources_free(&l->resources);
	free(l->cgroups_path);
	kv_free(l->sysctl, l->n_sysctl);
	seccomp_free(l->seccomp);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	free(s->text);
	free(s);
}

/* ---- the default config.json ----------------------------------------- */

/*
 * runc's `runc spec` (libcontainer/specconv/example.go), hostname "nook".
 * Written with ' for " (swapped before parsing) so it reads like the file it
 * produces.  The %s slots are what rootless (runc's ToRootless) changes: no
 * uid=/gid= mount options, /sys bind-mounted instead of a new sysfs, id
 * mappings instead of device cgroup rules, a user namespace instead of a
 * network namespace.
 */
/* clang-format off */
#define DEFAULT_SPEC \
	"{ 'ociVersion': '1.2.0'," \
	"  'process': {" \
	"    'terminal': true, 'user': { 'uid': 0, 'gid': 0 }, 'args': [ 'sh' ]," \
	"    'env': [ 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm' ]," \
	"    'cwd': '/'," \
	"    'capabilities': {" \
	"      'bounding': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ]," \
	"      'effective': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ]," \
	"      'permitted': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ] }," \
	"    'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024 } ]," \
	"    'noNewPrivileges': true }," \
	"  'root': { 'path': 'rootfs', 'readonly': true }," \
	"  'hostname': 'nook'," \
	"  'mounts': [" \
	"    { 'destination': '/proc', 'type': 'proc', 'source': 'proc' }," \
	"    { 'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs'," \
	"      'options': [ 'nosuid', 'strictatime', 'mode=755', 'size=65536k' ] }," \
	"    { 'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts'," \
	"      'options': [ 'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'%s ] }," \
	"    { 'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm'," \
	"      'options': [ 'nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k' ] }," \
	"    { 'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue'," \
	"      'options': [ 'nosuid', 'noexec', 'nodev' ] }," \
	"    { 'destination': '/sys', %s, 'options': [ %s'nosuid', 'noexec', 'nodev', 'ro' ] }," \
	"    { 'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup'," \
	"      'options': [ 'nosuid', 'noexec', 'nodev', 'relatime', 'ro' ] } ]," \
	"  'linux': {" \
	"    %s," \
	"    'namespaces': [ { 'type': 'pid' },%s { 'type': 'ipc' }, { 'type': 'uts' }," \
	"                    { 'type': 'mount' }%s%s ]," \
	"    'maskedPaths': [ '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys'," \
	"      '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug'," \
	"      '/sys/firmware', '/proc/scsi', '/sys/devices/virtual/tpm' ]," \
	"    'readonlyPaths': [ '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys'," \
	"      '/proc/sysrq-trigger' ] } }"
#define ROOTLESS_IDS \
	"'uidMappings': [ { 'containerID': 0, 'hostID': %u, 'size': 1 } ]," \
	"'gidMappings': [ { 'containerID': 0, 'hostID': %u, 'size': 1 } ]"
#define DEVICES_DENY_ALL "'resources': { 'devices': [ { 'allow': false, 'access': 'rwm' } ] }"
/* clang-format on */

char *oci_spec_default_json(int flags)
{
	_cleanup_json_ cJSON *j = oci_spec_default(flags);

	return j ? cJSON_Print(j) : NULL; /* NULL only when out of memory */
}

struct cJSON *oci_spec_default(int flags)
{
	_cleanup_free_ char *ids =
		xasprintf(ROOTLESS_IDS, (unsigned)geteuid(), (unsigned)getegid());
	_cleanup_free_ char *text = NULL;
	const char *cgns = flags & OCI_SPEC_NO_CGROUPNS ? "" : ", { 'type': 'cgroup' }";

	if (flags & OCI_SPEC_ROOTLESS)
		text = xasprintf(DEFAULT_SPEC, "", "'type': 'none', 'source': '/sys'", "'rbind', ",
				 ids, "", cgns, ", { 'type': 'user' }");
	else
		text = xasprintf(DEFAULT_SPEC, ", 'gid=5'", "'type': 'sysfs', 'source': 'sysfs'",
				 "", DEVICES_DENY_ALL, " { 'type': 'network' },", cgns, "");
	for (char *c = text; *c; c++)
		if (*c == '\'')
			*c = '"';
	return cJSON_Parse(text); /* NULL only when out of memory */
}
