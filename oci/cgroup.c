// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup: one container's cgroup v2 directory: create it, apply
 * linux.resources, freeze, signal, remove, read statistics.
 *
 * Invariants and hazards:
 * - Only a cgroup2 mount found in /proc/self/mountinfo is used.  cgroup v1
 *   hierarchies (a hybrid host mounts them next to cgroup2) are never read
 *   or written, and no mount is changed.
 * - Every path we write is below that mount; oci_cgroup_path() refuses ".."
 *   so a config.json cannot point us at another part of the tree.
 * - A requested limit whose controller the mount does not offer is an error
 *   naming the controller, checked before anything is created.  With no
 *   limit requested no controller is needed at all (a hybrid host's cgroup2
 *   often has none), and no ancestor's subtree_control is touched.
 * - Controllers are enabled top-down (the mount root first): a cgroup only
 *   offers its children what its parent enabled for it.
 * - Only the directories oci_cgroup_create() made are removed when it fails;
 *   oci_cgroup_remove() removes the container's cgroup (and any cgroups the
 *   container made inside it), never its parents, which other containers
 *   share.
 * - Waiting on cgroup.events is bounded (CG_WAIT_MS): poll() reports POLLPRI
 *   when the kernel changes the file; we re-read at least every 50 ms in
 *   case a notification was missed.
 * - kill() is only sent to pids read from the container's cgroup.procs, never
 *   to pid 0 (a process of another pid namespace reads as 0 there).
 */
#include "oci/cgroup.h"
#include "oci/log.h"
#include "oci/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#define CG_WAIT_MS 5000

/* ---- small helpers --------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int dir_open(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		err_sys(e, "open cgroup %s", path);
	return fd;
}

/* Write value to <path>/<file>; the error names both, as the user needs to
 * see what the kernel refused: write "100" to .../pids.max: Invalid argument */
static int cg_write(int dfd, const char *path, const char *file, const char *value, struct err *e)
{
	_cleanup_close_ int fd = openat(dfd, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write_all(fd, value, strlen(value)) < 0)
		return err_sys(e, "write \"%s\" to %s/%s", value, path, file);
	return 0;
}

static char *cg_read(int dfd, const char *path, const char *file, struct err *e)
{
	struct err local;
	char *s = file_read_at(dfd, file, NULL, &local);

	if (!s)
		err_set(e, local.errnum, "read %s/%s", path, file);
	return s;
}

/* "max" or a decimal number, stopping at whitespace. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (strncmp(s, "max", 3) == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	return 0;
}

/* The value of "key N" in a flat-keyed file (cgroup.events, cpu.stat). */
static int kv_get(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ')
			return parse_u64(p + klen + 1, v);
	return -1;
}

static int read_u64(int dfd, const char *file, uint64_t *v)
{
	_cleanup_free_ char *s = file_read_at(dfd, file, NULL, NULL);

	return s ? parse_u64(s, v) : -1;
}

/* Is word in the space-separated list? */
static int word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* ---- mount and path -------------------------------------------------- */

int oci_cgroup_mount(char *buf, size_t len, struct err *e)
{
	/* The usual places first: one statfs each, where reading a long
	 * mountinfo costs a tenth of a container start. */
	static const char *const usual[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < ARRAY_SIZE(usual); i++) {
		struct statfs sf;

		if (statfs(usual[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC &&
		    strlen(usual[i]) < len) {
			strcpy(buf, usual[i]);
			return 0;
		}
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return err_sys(e, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root MOUNTPOINT opts [tags] - TYPE ... */
		char *sep = strstr(line, " - "), *p = line, *end;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		for (int i = 0; i < 4 && p; i++)
			p = strchr(p, ' '), p = p ? p + 1 : p;
		if (!p || !(end = strchr(p, ' ')))
			continue;
		*end = '\0';
		unescape_octal(p);
		if (strlen(p) >= len)
			return err_set(e, ENAMETOOLONG, "cgroup2 mount %s", p);
		strcpy(buf, p);
		return 0;
	}
	return err_set(e, ENOENT,
		       "no cgroup2 mount in /proc/self/mountinfo (cgroup v1 is not supported)");
}

/* Our own cgroup, from the "0::" line of /proc/self/cgroup. */
static char *own_cgroup(struct err *e)
{
	_cleanup_free_ char *s = file_read("/proc/self/cgroup", NULL, e);
	char *p, *nl;

	if (!s)
		return NULL;
	for (p = s; p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, "0::", 3) != 0)
			continue;
		p += 3;
		if ((nl = strchr(p, '\n')))
			*nl = '\0';
		return xstrdup(p);
	}
	err_set(e, ENOENT, "no cgroup v2 entry (0::) in /proc/self/cgroup");
	return NULL;
}

/* Append the components of rel to out (which has room), skipping empty and
 * "." ones; ".." is refused.  Returns the number appended or -1. */
static int append_components(char *out, const char *rel, const char *orig, struct err *e)
{
	_cleanup_free_ char *copy = xstrdup(rel);
	char *save = NULL, *c;
	int n = 0;

	for (c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			return err_set(e, 0, "linux.cgroupsPath \"%s\": \"..\" is not allowed",
				       orig);
		strcat(out, "/");
		strcat(out, c);
		n++;
	}
	return n;
}

char *oci_cgroup_path(const char *cgroups_path, const char *id, struct err *e)
{
	char mnt[4096];
	_cleanup_free_ char *own = NULL, *def = NULL;
	_cleanup_free_ char *out = NULL;
	const char *p = cgroups_path;
	int colons = 0, n;

	if (!p || !*p) {
		if (id_valid(id, e) < 0)
			return NULL;
		p = def = xasprintf("/nook/%s", id);
	}
	for (const char *c = p; *c; c++)
		colons += *c == ':';
	if (p[0] != '/' && colons == 2) {
		err_set(e, 0, "linux.cgroupsPath \"%s\": systemd cgroup paths are not supported",
			p);
		return NULL;
	}
	if (oci_cgroup_mount(mnt, sizeof(mnt), e) < 0)
		return NULL;
	if (strcmp(mnt, "/") == 0)
		mnt[0] = '\0';
	if (p[0] != '/' && !(own = own_cgroup(e)))
		return NULL;
	out = xmalloc(strlen(mnt) + (own ? strlen(own) : 0) + strlen(p) + 3);
	strcpy(out, mnt);
	if (own && append_components(out, own, own, e) < 0)
		return NULL;
	if ((n = append_components(out, p, p, e)) < 0)
		return NULL;
	if (n == 0) {
		err_set(e, 0, "linux.cgroupsPath \"%s\" names no cgroup of its own", p);
		return NULL;
	}
	return steal_ptr(out);
}

/* ---- controllers ----------------------------------------------------- */

struct need {
	char name[32];
	char why[96];
};

struct needs {
	struct need v[24];
	size_t n;
};

static void need_add(struct needs *nd, const char *name, size_t len, const char *why)
{
	if (len >= sizeof(nd->v[0].name) || nd->n == ARRAY_SIZE(nd->v))
		return;
	for (size_t i = 0; i < nd->n; i++)
		if (strlen(nd->v[i].name) == len && strncmp(nd->v[i].name, name, len) == 0)
			return;
	memcpy(nd->v[nd->n].name, name, len);
	nd->v[nd->n].name[len] = '\0';
	snprintf(nd->v[nd->n].why, sizeof(nd->v[0].why), "%s", why);
	nd->n++;
}

/* What each part of linux.resources writes; collect_needs() and the
 * apply_*() functions must agree, so the tests live here. */
static int want_memory(const struct oci_resources *r)
{
	return (r->has_memory_limit && r->memory_limit != 0) ||
	       (r->has_memory_reservation && r->memory_reservation != 0) ||
	       (r->has_memory_swap && r->memory_swap != 0);
}

static int want_cpu(const struct oci_resources *r)
{
	return (r->has_cpu_shares && r->cpu_shares != 0) || r->has_cpu_quota || r->has_cpu_period ||
	       r->has_cpu_idle;
}

static int want_io(const struct oci_resources *r)
{
	size_t n = r->n_io_weight_devices;

	for (size_t i = 0; i < ARRAY_SIZE(r->n_io_throttle); i++)
		n += r->n_io_throttle[i];
	return (r->has_io_weight && r->io_weight != 0) || n > 0;
}

/* "Unlimited" (-1, or 0 for pids) asks nothing of a controller: podman
 * sends pids.limit -1 by default, and a host without the pids controller
 * must still run it.  Such a value is written only where the file exists
 * (to lift an earlier limit on update). */
static int limited_memory(const struct oci_resources *r)
{
	return (r->has_memory_limit && r->memory_limit > 0) ||
	       (r->has_memory_reservation && r->memory_reservation > 0) ||
	       (r->has_memory_swap && r->memory_swap > 0);
}

static void collect_needs(const struct oci_resources *r, struct needs *nd)
{
	char why[96];

	nd->n = 0;
	if (limited_memory(r))
		need_add(nd, "memory", 6, "linux.resources.memory");
	if (r->has_pids_limit && r->pids_limit > 0)
		need_add(nd, "pids", 4, "linux.resources.pids");
	if (want_cpu(r))
		need_add(nd, "cpu", 3, "linux.resources.cpu");
	if ((r->cpuset_cpus && *r->cpuset_cpus) || (r->cpuset_mems && *r->cpuset_mems))
		need_add(nd, "cpuset", 6, "linux.resources.cpu.cpus/mems");
	if (want_io(r))
		need_add(nd, "io", 2, "linux.resources.blockIO");
	if (r->n_hugepage_limits)
		need_add(nd, "hugetlb", 7, "linux.resources.hugepageLimits");
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key, *dot = strchr(k, '.');

		/* cgroup.* files belong to the core, not to a controller. */
		if (!dot || (dot - k == 6 && strncmp(k, "cgroup", 6) == 0))
			continue;
		snprintf(why, sizeof(why), "linux.resources.unified.%s", k);
		need_add(nd, k, (size_t)(dot - k), why);
	}
}

/* Every needed controller is listed in <path>/cgroup.controllers. */
static int check_available(int dfd, const char *path, const struct needs *nd, struct err *e)
{
	_cleanup_free_ char *list = NULL;

	if (nd->n == 0)
		return 0;
	if (!(list = cg_read(dfd, path, "cgroup.controllers", e)))
		return -1;
	for (size_t i = 0; i < nd->n; i++)
		if (!word_in(list, nd->v[i].name))
			return err_set(
				e, 0,
				"cgroup controller \"%s\" is not available in %s (needed for %s)",
				nd->v[i].name, path, nd->v[i].why);
	return 0;
}

/* Enable the needed controllers in cgroup.subtree_control of dir. */
static int enable_in(const char *dir, const struct needs *nd, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(dir, e);
	_cleanup_free_ char *cur = NULL;
	char plus[40];

	if (dfd < 0 || !(cur = cg_read(dfd, dir, "cgroup.subtree_control", e)))
		return -1;
	for (size_t i = 0; i < nd->n; i++) {
		if (word_in(cur, nd->v[i].name))
			continue;
		snprintf(plus, sizeof(plus), "+%s", nd->v[i].name);
		if (cg_write(dfd, dir, "cgroup.subtree_control", plus, e) < 0)
			return -1;
	}
	return 0;
}

/* The cgroup2 mount into mnt; path must be a cgroup strictly below it.
 * Returns the length of the mount prefix of path ("/" counts as 0). */
static int mount_of(const char *path, char *mnt, size_t len, struct err *e)
{
	size_t mlen;

	if (oci_cgroup_mount(mnt, len, e) < 0)
		return -1;
	mlen = strcmp(mnt, "/") == 0 ? 0 : strlen(mnt);
	if (strncmp(path, mnt, mlen) != 0 || path[mlen] != '/' || !path[mlen + 1])
		return err_set(e, 0, "cgroup %s is not below the cgroup2 mount %s", path, mnt);
	return (int)mlen;
}

/* Enable what nd needs in every ancestor of path, from the mount root down:
 * a cgroup can only enable what its own parent enabled for it.  Write errors
 * name the file (EBUSY: an ancestor has processes of its own, which v2's
 * "no internal processes" rule forbids). */
static int enable_controllers(const char *path, const struct needs *nd, struct err *e)
{
	char mnt[4096];
	_cleanup_free_ char *p = xstrdup(path);
	_cleanup_close_ int mfd = -1;
	int mlen;

	if (nd->n == 0)
		return 0;
	if ((mlen = mount_of(path, mnt, sizeof(mnt), e)) < 0 || (mfd = dir_open(mnt, e)) < 0 ||
	    check_available(mfd, mnt, nd, e) < 0)
		return -1;
	/* p + mlen is "/a/b/leaf": enable in mnt, mnt/a, mnt/a/b. */
	for (char *s = p + mlen; (s = strchr(s, '/')); s++) {
		*s = '\0';
		int rc = enable_in(s == p ? "/" : p, nd, e);

		*s = '/';
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- resources ------------------------------------------------------- */

static int write_u64(int dfd, const char *path, const char *file, uint64_t v, struct err *e)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cg_write(dfd, path, file, buf, e);
}

/* -1 (or any negative value) means no limit. */
static int write_limit(int dfd, const char *path, const char *file, int64_t v, struct err *e)
{
	if (v < 0)
		return cg_write(dfd, path, file, "max", e);
	return write_u64(dfd, path, file, (uint64_t)v, e);
}

static int apply_memory(int dfd, const char *path, const struct oci_resources *r, struct err *e)
{
	int64_t lim = r->has_memory_limit ? r->memory_limit : 0;

	/* 0 means "unset" for these fields, as in runc and crun: writing 0 to
	 * memory.max would OOM-kill the container at once. */
	if (lim != 0 && write_limit(dfd, path, "memory.max", lim, e) < 0)
		return -1;
	if (r->has_memory_reservation && r->memory_reservation != 0 &&
	    write_limit(dfd, path, "memory.low", r->memory_reservation, e) < 0)
		return -1;
	/* OCI's swap is memory + swap (v1's memsw); v2's swap.max is swap
	 * alone.  swappiness and disableOOMKiller have no v2 file: ignored,
	 * as crun does. */
	if (r->has_memory_swap && r->memory_swap != 0) {
		if (r->memory_swap < 0)
			return cg_write(dfd, path, "memory.swap.max", "max", e);
		if (lim <= 0)
			return err_set(e, 0, "linux.resources.memory.swap needs a memory.limit");
		if (r->memory_swap < lim)
			return err_set(
				e, 0,
				"linux.resources.memory.swap (%" PRId64
				") is memory + swap: it cannot be below memory.limit (%" PRId64 ")",
				r->memory_swap, lim);
		return write_u64(dfd, path, "memory.swap.max", (uint64_t)(r->memory_swap - lim), e);
	}
	return 0;
}

static int apply_cpu(int dfd, const char *path, const struct oci_resources *r, struct err *e)
{
	char buf[64], quota[32] = "max";
	uint64_t period = 100000;

	if (r->has_cpu_shares && r->cpu_shares != 0) {
		/* crun's mapping of v1 shares [2, 262144] onto v2 weight
		 * [1, 10000]. */
		uint64_t s = r->cpu_shares;

		s = s < 2 ? 2 : s > 262144 ? 262144 : s;
		if (write_u64(dfd, path, "cpu.weight", 1 + ((s - 2) * 9999) / 262142, e) < 0)
			return -1;
	}
	if (r->has_cpu_quota || r->has_cpu_period) {
		/* Keep the half of cpu.max that was not given (runc update
		 * --cpu-period alone must not drop the quota). */
		_cleanup_free_ char *cur = file_read_at(dfd, "cpu.max", NULL, NULL);

		if (cur && sscanf(cur, "%31s %" SCNu64, quota, &period) < 1)
			strcpy(quota, "max");
		if (r->has_cpu_quota && r->cpu_quota < 0)
			strcpy(quota, "max");
		else if (r->has_cpu_quota)
			snprintf(quota, sizeof(quota), "%" PRId64, r->cpu_quota);
		if (r->has_cpu_period)
			period = r->cpu_period;
		snprintf(buf, sizeof(buf), "%s %" PRIu64, quota, period);
		if (cg_write(dfd, path, "cpu.max", buf, e) < 0)
			return -1;
	}
	if (r->has_cpu_idle) {
		snprintf(buf, sizeof(buf), "%" PRId64, r->cpu_idle);
		if (cg_write(dfd, path, "cpu.idle", buf, e) < 0)
			return -1;
	}
	if (r->cpuset_cpus && *r->cpuset_cpus &&
	    cg_write(dfd, path, "cpuset.cpus", r->cpuset_cpus, e) < 0)
		return -1;
	if (r->cpuset_mems && *r->cpuset_mems &&
	    cg_write(dfd, path, "cpuset.mems", r->cpuset_mems, e) < 0)
		return -1;
	return 0;
}

/* blkio weight [10, 1000] to io.weight [1, 10000], as crun and runc do. */
static uint64_t io_weight(uint64_t w)
{
	w = w < 10 ? 10 : w > 1000 ? 1000 : w;
	return 1 + (w - 10) * 9999 / 990;
}

/* io.weight comes with iocost; without it, BFQ's io.bfq.weight takes the
 * blkio value [1, 1000] as is. */
static int write_weight(int dfd, const char *path, const char *dev, uint16_t w, struct err *e)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s %" PRIu64, dev, io_weight(w));
	if (faccessat(dfd, "io.weight", F_OK, 0) < 0 &&
	    faccessat(dfd, "io.bfq.weight", F_OK, 0) == 0) {
		snprintf(buf, sizeof(buf), "%s %u", dev, (unsigned)w);
		return cg_write(dfd, path, "io.bfq.weight", buf, e);
	}
	return cg_write(dfd, path, "io.weight", buf, e);
}

static int apply_io(int dfd, const char *path, const struct oci_resources *r, struct err *e)
{
	static const char *const keys[4] = { "rbps", "wbps", "riops", "wiops" };
	char dev[48], buf[96];

	if (r->has_io_weight && r->io_weight != 0 &&
	    write_weight(dfd, path, "default", r->io_weight, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n_io_weight_devices; i++) {
		const struct oci_weight_device *d = &r->io_weight_devices[i];

		if (!d->has_weight)
			continue;
		snprintf(dev, sizeof(dev), "%" PRId64 ":%" PRId64, d->major, d->minor);
		if (write_weight(dfd, path, dev, d->weight, e) < 0)
			return -1;
	}
	for (size_t k = 0; k < 4; k++) {
		for (size_t i = 0; i < r->n_io_throttle[k]; i++) {
			const struct oci_throttle *t = &r->io_throttle[k][i];

			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major,
				 t->minor, keys[k], t->rate);
			if (cg_write(dfd, path, "io.max", buf, e) < 0)
				return -1;
		}
	}
	return 0;
}

static int apply_unified(int dfd, const char *path, const struct oci_resources *r, struct err *e)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;

		if (!*k || k[0] == '.' || strchr(k, '/'))
			return err_set(e, 0, "linux.resources.unified: invalid key \"%s\"", k);
		if (faccessat(dfd, k, F_OK, 0) < 0)
			return err_sys(e, "linux.resources.unified: \"%s\": no such file in %s", k,
				       path);
		if (cg_write(dfd, path, k, r->unified[i].value, e) < 0)
			return -1;
	}
	return 0;
}

/* Does r (may be NULL) ask for any limit?  Without cgroup v2 a container
 * can still run when nothing is asked. */
static int limits_requested(const struct oci_resources *r)
{
	if (!r)
		return 0;
	return r->has_memory_limit || r->has_memory_reservation || r->has_memory_swap ||
	       r->has_pids_limit || r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period ||
	       r->has_cpu_idle || r->cpuset_cpus || r->cpuset_mems || r->has_io_weight ||
	       r->n_io_weight_devices || r->n_io_throttle[0] || r->n_io_throttle[1] ||
	       r->n_io_throttle[2] || r->n_io_throttle[3] || r->n_hugepage_limits || r->n_unified;
}

int oci_cgroup_apply(const char *path, const struct oci_resources *r, struct err *e)
{
	_cleanup_close_ int dfd = -1;
	struct needs nd;
	char file[96];

	if (!r)
		return 0;
	collect_needs(r, &nd);
	if ((dfd = dir_open(path, e)) < 0 || enable_controllers(path, &nd, e) < 0 ||
	    check_available(dfd, path, &nd, e) < 0)
		return -1;
	if (want_memory(r) && (limited_memory(r) || faccessat(dfd, "memory.max", F_OK, 0) == 0) &&
	    apply_memory(dfd, path, r, e) < 0)
		return -1;
	if (r->has_pids_limit && (r->pids_limit > 0 || faccessat(dfd, "pids.max", F_OK, 0) == 0) &&
	    write_limit(dfd, path, "pids.max", r->pids_limit > 0 ? r->pids_limit : -1, e) < 0)
		return -1;
	if (apply_cpu(dfd, path, r, e) < 0 || apply_io(dfd, path, r, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct oci_hugepage_limit *h = &r->hugepage_limits[i];

		snprintf(file, sizeof(file), "hugetlb.%s.max", h->page_size);
		if (write_u64(dfd, path, file, h->limit, e) < 0)
			return -1;
	}
	/* Device rules need an eBPF program on v2: the caller's business. */
	return apply_unified(dfd, path, r, e);
}

/* ---- create and enter ------------------------------------------------ */

/* rmdir path and its ancestors up to (and including) the one that ends at
 * path + stop: the directories create made. */
static void undo_mkdirs(char *path, size_t stop)
{
	for (;;) {
		char *slash;

		rmdir(path);
		if (strlen(path) <= stop || !(slash = strrchr(path, '/')))
			return;
		*slash = '\0';
		if (strlen(path) < stop)
			return;
	}
}

int oci_cgroup_setup(const struct oci_spec *spec, const char *id, char **path, int *fd,
		     struct err *e)
{
	const struct oci_resources *r = spec->linux.has_resources ? &spec->linux.resources : NULL;
	char mnt[4096];

	*path = NULL;
	*fd = -1;
	if (oci_cgroup_mount(mnt, sizeof(mnt), NULL) < 0) {
		if (limits_requested(r))
			return err_set(
				e, ENOENT,
				"linux.resources: no cgroup v2 filesystem is mounted, limits "
				"cannot be applied");
		return 0;
	}
	*path = oci_cgroup_path(spec->linux.cgroups_path, id, e);
	if (!*path)
		return -1;
	*fd = oci_cgroup_create(*path, r, e);
	if (*fd < 0) {
		free(*path);
		*path = NULL;
		return -1;
	}
	timing_mark("cgroup create");
	return 0;
}

int oci_cgroup_create(const char *path, const struct oci_resources *r, struct err *e)
{
	char mnt[4096];
	_cleanup_free_ char *p = xstrdup(path);
	size_t made = 0; /* length of the first path we created */
	struct needs nd = { .n = 0 };
	_cleanup_close_ int mfd = -1;
	int fd = -1, mlen;

	/* Refuse a missing controller before anything exists to undo. */
	if (r)
		collect_needs(r, &nd);
	if ((mlen = mount_of(path, mnt, sizeof(mnt), e)) < 0 || (mfd = dir_open(mnt, e)) < 0 ||
	    check_available(mfd, mnt, &nd, e) < 0)
		return -1;

	for (char *s = p + mlen + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0755) == 0) {
			if (!made)
				made = strlen(p);
		} else if (errno != EEXIST) {
			err_sys(e, "mkdir %s", p);
			goto fail;
		}
		*s = c;
		if (!c)
			break;
	}
	if (oci_cgroup_apply(path, r, e) < 0)
		goto fail;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err_sys(e, "open cgroup %s", path);
		goto fail;
	}
	return fd;
fail:
	if (made) {
		strcpy(p, path);
		undo_mkdirs(p, made);
	}
	return -1;
}

int oci_cgroup_enter(const char *path, pid_t pid, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(path, e);
	char buf[24];

	if (dfd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cg_write(dfd, path, "cgroup.procs", buf, e);
}

/* ---- events, freeze, signal ------------------------------------------ */

/* Wait until cgroup.events says "key want", at most CG_WAIT_MS. */
static int wait_event(int dfd, const char *path, const char *key, uint64_t want, struct err *e)
{
	_cleanup_close_ int fd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	int64_t deadline = sys_mono_ms() + CG_WAIT_MS;

	if (fd < 0)
		return err_sys(e, "open %s/cgroup.events", path);
	for (;;) {
		char buf[512];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		uint64_t v;
		int64_t left;
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };

		if (n < 0)
			return err_sys(e, "read %s/cgroup.events", path);
		buf[n] = '\0';
		if (kv_get(buf, key, &v) == 0 && v == want)
			return 0;
		left = deadline - sys_mono_ms();
		if (left <= 0)
			return err_set(e, ETIMEDOUT,
				       "wait for \"%s %" PRIu64 "\" in %s/cgroup.events", key, want,
				       path);
		poll(&pfd, 1, left < 50 ? (int)left : 50);
	}
}

int oci_cgroup_freeze(const char *path, int frozen, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(path, e);

	if (dfd < 0)
		return -1;
	if (faccessat(dfd, "cgroup.freeze", F_OK, 0) < 0)
		return err_sys(
			e, "freeze %s: no cgroup.freeze (the cgroup v2 freezer needs Linux 5.2)",
			path);
	if (cg_write(dfd, path, "cgroup.freeze", frozen ? "1" : "0", e) < 0)
		return -1;
	if (wait_event(dfd, path, "frozen", frozen ? 1 : 0, e) < 0) {
		/* A task stuck in the kernel (D state) can keep the cgroup
		 * from freezing: leave it running rather than half frozen,
		 * as runc does. */
		if (frozen)
			cg_write(dfd, path, "cgroup.freeze", "0", NULL);
		return -1;
	}
	return 0;
}

int oci_cgroup_frozen(const char *path)
{
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t v;

	if (dfd < 0 || read_u64(dfd, "cgroup.freeze", &v) < 0)
		return -1;
	return v == 1;
}

int oci_cgroup_pids(const char *path, pid_t **pids, size_t *n, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(path, e);
	_cleanup_free_ char *s = NULL;
	size_t cap = 16;

	*pids = NULL;
	*n = 0;
	if (dfd < 0 || !(s = cg_read(dfd, path, "cgroup.procs", e)))
		return -1;
	*pids = xmalloc(cap * sizeof(pid_t));
	for (char *p = s, *end; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (*n == cap)
			*pids = xrealloc(*pids, (cap *= 2) * sizeof(pid_t));
		(*pids)[(*n)++] = (pid_t)v;
	}
	return 0;
}

/* Signal the pids of path and of every cgroup below it. */
static int kill_tree(const char *path, int sig, struct err *e)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (oci_cgroup_pids(path, &pids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0 && kill(pids[i], sig) < 0 && errno != ESRCH)
			return err_sys(e, "kill %d (in %s) with signal %d", (int)pids[i], path,
				       sig);
	if (!(d = opendir(path)))
		return err_sys(e, "open cgroup %s", path);
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			_cleanup_free_ char *sub = xasprintf("%s/%s", path, de->d_name);

			rc = kill_tree(sub, sig, e);
		}
	}
	closedir(d);
	return rc;
}

int oci_cgroup_signal_all(const char *path, int sig, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(path, e);
	int was_frozen, rc;

	if (dfd < 0)
		return -1;
	if (sig == SIGKILL) {
		/* cgroup.kill (5.14) kills the whole subtree, race-free. */
		if (cg_write(dfd, path, "cgroup.kill", "1", e) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	/* Freeze so nothing forks between reading cgroup.procs and kill();
	 * a container paused by the user stays paused. */
	was_frozen = oci_cgroup_frozen(path);
	if (was_frozen == 0 && oci_cgroup_freeze(path, 1, e) < 0)
		return -1;
	rc = kill_tree(path, sig, e);
	if (was_frozen == 0 && oci_cgroup_freeze(path, 0, rc < 0 ? NULL : e) < 0)
		rc = -1;
	return rc;
}

int oci_cgroup_populated(const char *path)
{
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *s = NULL;
	uint64_t v;

	if (dfd < 0 || !(s = file_read_at(dfd, "cgroup.events", NULL, NULL)))
		return 0;
	return kv_get(s, "populated", &v) == 0 && v == 1;
}

/* ---- remove ---------------------------------------------------------- */

/* rmdir path after the cgroups the container made inside it.  EBUSY right
 * after the last task died (notably after an OOM kill) is transient. */
static int rmdir_tree(const char *path, struct err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;
	long wait = 5;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_sys(e, "open cgroup %s", path);
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.') {
			_cleanup_free_ char *sub = xasprintf("%s/%s", path, de->d_name);

			rc = rmdir_tree(sub, e);
		}
	}
	closedir(d);
	if (rc < 0)
		return -1;
	for (int i = 0; rmdir(path) < 0; i++) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == 20)
			return err_sys(e, "rmdir %s", path);
		sleep_ms(wait);
		wait = wait < 100 ? wait * 2 : 100;
	}
	return 0;
}

int oci_cgroup_remove(const char *path, struct err *e)
{
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return errno == ENOENT ? 0 : err_sys(e, "open cgroup %s", path);
	if (oci_cgroup_populated(path)) {
		if (oci_cgroup_signal_all(path, SIGKILL, e) < 0 ||
		    wait_event(dfd, path, "populated", 0, e) < 0)
			return err_wrap(e, "remove cgroup %s", path);
	}
	return rmdir_tree(path, e);
}

/* ---- stats ----------------------------------------------------------- */

int oci_cgroup_stats(const char *path, struct oci_cgroup_stats *st, struct err *e)
{
	_cleanup_close_ int dfd = dir_open(path, e);
	_cleanup_free_ char *ev = NULL, *cpu = NULL;

	memset(st, 0, sizeof(*st));
	if (dfd < 0)
		return -1;
	/* Each file is there only if its controller is enabled. */
	read_u64(dfd, "memory.current", &st->memory_current);
	read_u64(dfd, "memory.max", &st->memory_max);
	read_u64(dfd, "pids.current", &st->pids_current);
	read_u64(dfd, "pids.max", &st->pids_max);
	if ((ev = file_read_at(dfd, "memory.events", NULL, NULL))) {
		kv_get(ev, "oom", &st->memory_oom);
		kv_get(ev, "oom_kill", &st->memory_oom_kill);
	}
	if ((cpu = file_read_at(dfd, "cpu.stat", NULL, NULL))) {
		kv_get(cpu, "usage_usec", &st->cpu_usage_usec);
		kv_get(cpu, "user_usec", &st->cpu_user_usec);
		kv_get(cpu, "system_usec", &st->cpu_system_usec);
		kv_get(cpu, "nr_throttled", &st->cpu_nr_throttled);
		kv_get(cpu, "throttled_usec", &st->cpu_throttled_usec);
	}
	return 0;
}
