// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-store: store/store, the container registry on disk.
 *
 * Each test opens a fresh store under a mkdtemp directory.  The hazards
 * covered: lookups by id, prefix and name (and their errors), the atomic
 * name reservation, removal that frees the name, corrupt JSON named as
 * such, atomic writes that survive a full disk (a real 16k tmpfs in a
 * private mount namespace, root only), flock exclusion across processes,
 * and lost updates under 20 concurrent read-modify-write writers.
 */
#define UNIT_NAME "test-store"
#include "tests/unit/unit.h"

#include "store/store.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

static char tmp[64];
static struct store st;
static struct err err;
static int n_store;

static const char *errtext(const struct err *e)
{
	static char buf[800];

	return err_str(e, buf, sizeof(buf));
}

/* A fresh store in tmp/<n>. */
static int fresh(void)
{
	char root[128], run[128];

	store_close(&st);
	n_store++;
	snprintf(root, sizeof(root), "%s/%d/root", tmp, n_store);
	snprintf(run, sizeof(run), "%s/%d/run", tmp, n_store);
	return store_open(&st, root, run, &err);
}

static cJSON *config(const char *v)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "image", v);
	return j;
}

/* Create a container with id (64 hex) and name. */
static int create(const char *id, const char *name)
{
	cJSON *j = config(name ? name : "none");
	int r = store_create(&st, id, name, j, 1, &err);

	cJSON_Delete(j);
	return r;
}

/* A 64-hex id starting with prefix, padded with c. */
static const char *mkid(const char *prefix, char c)
{
	static char id[STORE_ID_LEN + 1];
	size_t n = strlen(prefix);

	memcpy(id, prefix, n);
	memset(id + n, c, STORE_ID_LEN - n);
	id[STORE_ID_LEN] = '\0';
	return id;
}

static int is_dir_mode(const char *path, mode_t mode)
{
	struct stat s;

	return stat(path, &s) == 0 && S_ISDIR(s.st_mode) && (s.st_mode & 07777) == mode;
}

static int exists(const char *path)
{
	struct stat s;

	return lstat(path, &s) == 0;
}

/* ---- tests ----------------------------------------------------------- */

static void test_open_creates_dirs(void)
{
	char root[128], p[256], cwd[512];
	struct store s2 = { 0 };

	CHECK(fresh() == 0);
	CHECK(st.root[0] == '/' && st.runroot[0] == '/');
	snprintf(p, sizeof(p), "%s/containers", st.root);
	CHECK(is_dir_mode(p, 0700));
	snprintf(p, sizeof(p), "%s/names", st.root);
	CHECK(is_dir_mode(p, 0700));
	snprintf(p, sizeof(p), "%s/containers", st.runroot);
	CHECK(is_dir_mode(p, 0700));
	snprintf(p, sizeof(p), "%s/exits", st.runroot);
	CHECK(is_dir_mode(p, 0755));
	/* Opening again is fine. */
	CHECK(store_open(&s2, st.root, st.runroot, &err) == 0);
	store_close(&s2);

	/* Environment, relative paths made absolute. */
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(tmp) == 0);
	setenv("NOOK_ROOT", "envroot", 1);
	setenv("NOOK_RUNROOT", "envrun/x", 1);
	CHECK(store_open(&s2, NULL, NULL, &err) == 0);
	unsetenv("NOOK_ROOT");
	unsetenv("NOOK_RUNROOT");
	CHECK(chdir(cwd) == 0);
	snprintf(root, sizeof(root), "%s/envroot", tmp);
	CHECK_STR(s2.root, realpath(root, p));
	snprintf(root, sizeof(root), "%s/envrun/x", tmp);
	CHECK_STR(s2.runroot, realpath(root, p));
	store_close(&s2);
	CHECK(s2.root == NULL);

	/* A root that cannot be made. */
	snprintf(root, sizeof(root), "%s/file", tmp);
	close(open(root, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof(p), "%s/sub", root);
	CHECK(store_open(&s2, p, NULL, &err) < 0);
	CHECK_HAS(err.msg, p);
	CHECK(s2.root == NULL && s2.runroot == NULL);
}

static void test_new_id(void)
{
	char a[STORE_ID_LEN + 1], b[STORE_ID_LEN + 1];
	int digits = 0;

	store_new_id(a);
	store_new_id(b);
	CHECK(strlen(a) == 64 && strlen(b) == 64);
	CHECK(strcmp(a, b) != 0);
	CHECK(strspn(a, "0123456789abcdef") == 64);
	for (int i = 0; i < 12; i++)
		digits += a[i] <= '9';
	CHECK(digits < 12);
}

static void test_name_valid(void)
{
	char longname[200];

	CHECK(store_name_valid("web", &err) == 0);
	CHECK(store_name_valid("a.b_c-D9", &err) == 0);
	CHECK(store_name_valid("x/y", &err) < 0);
	CHECK_HAS(err.msg, "invalid name \"x/y\"");
	CHECK(err.errnum == EINVAL && err.kind == ERRK_INVALID_ARG);
	CHECK(store_name_valid("", &err) < 0);
	CHECK(store_name_valid(".hidden", &err) < 0);
	CHECK_HAS(err.msg, "\".hidden\"");
	CHECK(store_name_valid("-x", &err) < 0);
	CHECK(store_name_valid("..", &err) < 0);
	CHECK(store_name_valid("a b", &err) < 0);
	memset(longname, 'a', 128);
	longname[128] = '\0';
	CHECK(store_name_valid(longname, &err) == 0);
	longname[128] = 'a';
	longname[129] = '\0';
	CHECK(store_name_valid(longname, &err) < 0);
	CHECK_HAS(err.msg, "longer than 128");
	/* create refuses it too, and leaves nothing behind */
	CHECK(fresh() == 0);
	CHECK(create(mkid("1", 'a'), "x/y") < 0);
	CHECK_HAS(err.msg, "invalid name \"x/y\"");
	CHECK(store_lookup(&st, mkid("1", 'a'), longname, &err) < 0);
	/* and bad ids never become paths */
	CHECK(create("../../etc", "ok") < 0);
	CHECK_HAS(err.msg, "invalid container id");
	CHECK(store_lock(&st, "../x", &err) < 0);
	CHECK(err.errnum == EINVAL);
}

static void test_create_lookup(void)
{
	char id[STORE_ID_LEN + 1], out[STORE_ID_LEN + 1], short12[13];
	char *p;
	cJSON *j;

	CHECK(fresh() == 0);
	store_new_id(id);
	CHECK(create(id, "web") == 0);
	CHECK(store_lookup(&st, id, out, &err) == 0);
	CHECK_STR(out, id);
	snprintf(short12, sizeof(short12), "%.12s", id);
	memset(out, 0, sizeof(out));
	CHECK(store_lookup(&st, short12, out, &err) == 0);
	CHECK_STR(out, id);
	memset(out, 0, sizeof(out));
	CHECK(store_lookup(&st, "web", out, &err) == 0);
	CHECK_STR(out, id);
	/* The files are there. */
	p = store_path(&st, id, "config.json");
	j = store_read_json(p, &err);
	free(p);
	CHECK(j != NULL);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "image")), "web");
	cJSON_Delete(j);
	p = store_path(&st, id, "lock");
	CHECK(exists(p));
	free(p);
	p = store_path(&st, id, NULL);
	CHECK(is_dir_mode(p, 0700));
	free(p);
	/* Same id twice fails. */
	CHECK(create(id, "other") < 0);
	CHECK(err.errnum == EEXIST);
	CHECK(store_lookup(&st, "other", out, &err) < 0);
	/* A container without a name. */
	CHECK(create(mkid("77", '0'), NULL) == 0);
	/* a prefix long enough that the random id above cannot share it
	 * (1 in 2^32) */
	CHECK(store_lookup(&st, "77000000", out, &err) == 0);
	CHECK_STR(out, mkid("77", '0'));
}

static void test_lookup_errors(void)
{
	char out[STORE_ID_LEN + 1];

	CHECK(fresh() == 0);
	CHECK(create(mkid("abc0", '1'), "one") == 0);
	CHECK(create(mkid("abc1", '2'), "two") == 0);
	CHECK(create(mkid("abd", '3'), "three") == 0);
	CHECK(store_lookup(&st, "ab", out, &err) < 0);
	CHECK(err.errnum == EINVAL);
	CHECK_STR(err.msg, "ambiguous id prefix \"ab\": 3 containers match");
	CHECK(store_lookup(&st, "abc", out, &err) < 0);
	CHECK_HAS(err.msg, "2 containers match");
	CHECK(store_lookup(&st, "abd", out, &err) == 0);
	CHECK_STR(out, mkid("abd", '3'));
	CHECK(store_lookup(&st, "nosuch", out, &err) < 0);
	CHECK(err.errnum == ENOENT && err.kind == ERRK_NO_SUCH);
	CHECK_STR(err.msg, "no such container: nosuch");
	CHECK(store_lookup(&st, "ff", out, &err) < 0);
	CHECK_STR(err.msg, "no such container: ff");
	CHECK(store_lookup(&st, "", out, &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK(store_lookup(&st, "../..", out, &err) < 0);
	CHECK(err.errnum == ENOENT);
	/* A name that looks like a prefix wins over the prefix (podman). */
	CHECK(create(mkid("dd", '4'), "abc") == 0);
	CHECK(store_lookup(&st, "abc", out, &err) == 0);
	CHECK_STR(out, mkid("dd", '4'));
}

static void test_duplicate_name(void)
{
	char id1[STORE_ID_LEN + 1], id2[STORE_ID_LEN + 1], out[STORE_ID_LEN + 1], msg[128];
	char *p;

	CHECK(fresh() == 0);
	store_new_id(id1);
	store_new_id(id2);
	CHECK(create(id1, "web") == 0);
	CHECK(create(id2, "web") < 0);
	CHECK(err.errnum == EEXIST);
	snprintf(msg, sizeof(msg), "name \"web\" is already in use by container %.12s", id1);
	CHECK_STR(err.msg, msg);
	/* Nothing of the loser is left. */
	p = store_path(&st, id2, NULL);
	CHECK(!exists(p));
	free(p);
	CHECK(store_lookup(&st, "web", out, &err) == 0);
	CHECK_STR(out, id1);
}

static int create_volatile(const char *id, const char *name)
{
	cJSON *j = config(name ? name : "none");
	int r = store_create(&st, id, name, j, STORE_VOLATILE, &err);

	cJSON_Delete(j);
	return r;
}

/* The last create was refused name, held by owner: no link of it left in
 * base's names/. */
static void refused_name(const char *name, const char *owner, const char *base)
{
	char msg[128], path[256];

	snprintf(msg, sizeof(msg), "name \"%s\" is already in use by container %.12s", name, owner);
	CHECK_STR(err.msg, msg);
	snprintf(path, sizeof(path), "%s/names/%s", base, name);
	CHECK(!exists(path));
}

/* A --rm container: its record and name in the runroot, nothing under the
 * root; found by id, prefix and name; one name across both places; gone
 * with a reboot of the runroot. */
static void test_volatile(void)
{
	char vid[STORE_ID_LEN + 1], pid[STORE_ID_LEN + 1], out[STORE_ID_LEN + 1];
	char path[256], pre[13];
	char **ids;
	char *p;

	CHECK(fresh() == 0);
	store_new_id(vid);
	store_new_id(pid);
	CHECK(create_volatile(vid, "tmp") == 0);
	snprintf(path, sizeof(path), "%s/containers/%s", st.root, vid);
	CHECK(!exists(path));
	snprintf(path, sizeof(path), "%s/names/tmp", st.root);
	CHECK(!exists(path));
	snprintf(path, sizeof(path), "%s/volatile/%s/config.json", st.runroot, vid);
	CHECK(exists(path));
	p = store_path(&st, vid, "config.json");
	CHECK_STR(p, path);
	free(p);
	CHECK(store_lookup(&st, "tmp", out, &err) == 0);
	CHECK_STR(out, vid);
	snprintf(pre, sizeof(pre), "%.12s", vid);
	CHECK(store_lookup(&st, pre, out, &err) == 0);
	CHECK_STR(out, vid);
	ids = store_list(&st, &err);
	CHECK(ids && ids[0] && !ids[1] && strcmp(ids[0], vid) == 0);
	strv_free(ids);

	/* one name in both places, whichever came first */
	CHECK(create(pid, "tmp") < 0);
	refused_name("tmp", vid, st.root);
	CHECK(create(pid, "kept") == 0);
	store_new_id(out);
	CHECK(create_volatile(out, "kept") < 0);
	refused_name("kept", pid, st.runroot);
	snprintf(path, sizeof(path), "%s/volatile/%s", st.runroot, out);
	CHECK(!exists(path));

	/* removed: its name is free */
	CHECK(store_remove(&st, vid, "tmp", &err) == 0);
	CHECK(store_lookup(&st, "tmp", out, &err) < 0);
	snprintf(path, sizeof(path), "%s/volatile/%s", st.runroot, vid);
	CHECK(!exists(path));
	CHECK(create(vid, "tmp") == 0);
	CHECK(store_remove(&st, vid, "tmp", &err) == 0);

	/* a reboot empties the runroot: the container is gone, its name free */
	store_new_id(vid);
	CHECK(create_volatile(vid, "tmp") == 0);
	p = xasprintf("rm -rf %s/volatile %s/names", st.runroot, st.runroot);
	CHECK(system(p) == 0);
	free(p);
	CHECK(store_lookup(&st, "tmp", out, &err) < 0);
	ids = store_list(&st, &err);
	CHECK(ids && ids[0] && !ids[1] && strcmp(ids[0], pid) == 0);
	strv_free(ids);
	store_new_id(out);
	CHECK(create_volatile(out, "tmp") == 0);
	CHECK(store_remove(&st, out, NULL, &err) == 0); /* name found by a scan */
	snprintf(path, sizeof(path), "%s/names/tmp", st.runroot);
	CHECK(!exists(path));
}

static void test_remove_frees_name(void)
{
	char id1[STORE_ID_LEN + 1], id2[STORE_ID_LEN + 1], out[STORE_ID_LEN + 1];
	char *run, *p;
	int fd;

	CHECK(fresh() == 0);
	store_new_id(id1);
	store_new_id(id2);
	CHECK(create(id1, "web") == 0);
	CHECK(store_artifact_add(&st, id1, "cp", "x", 1, &err) == 0);
	/* runroot: logs, a subdirectory, the exit file */
	run = store_run_path(&st, id1, NULL);
	CHECK(mkdir(run, 0700) == 0);
	free(run);
	run = store_run_path(&st, id1, "ctl.log");
	close(open(run, O_CREAT | O_WRONLY, 0600));
	free(run);
	run = store_run_path(&st, id1, "sub");
	CHECK(mkdir(run, 0700) == 0);
	free(run);
	run = store_run_path(&st, id1, "sub/f");
	close(open(run, O_CREAT | O_WRONLY, 0600));
	free(run);
	p = store_exit_path(&st, id1);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0);
	close(fd);

	CHECK(store_remove(&st, id1, "web", &err) == 0);
	CHECK(!exists(p));
	free(p);
	p = store_run_path(&st, id1, NULL);
	CHECK(!exists(p));
	free(p);
	p = store_path(&st, id1, NULL);
	CHECK(!exists(p));
	free(p);
	CHECK(store_lookup(&st, "web", out, &err) < 0);
	CHECK(store_lookup(&st, id1, out, &err) < 0);
	CHECK(err.errnum == ENOENT);
	/* The name is free again; removing again is fine. */
	CHECK(create(id2, "web") == 0);
	CHECK(store_remove(&st, id1, "web", &err) == 0);
	/* ... and did not take the name from its new owner. */
	CHECK(store_lookup(&st, "web", out, &err) == 0);
	CHECK_STR(out, id2);
	/* Without the name: the link is found. */
	CHECK(store_remove(&st, id2, NULL, &err) == 0);
	CHECK(create(id1, "web") == 0);
	CHECK(store_lookup(&st, "web", out, &err) == 0);
	CHECK_STR(out, id1);
}

static void test_stale_name_reclaimed(void)
{
	char id[STORE_ID_LEN + 1], out[STORE_ID_LEN + 1], link[256];

	CHECK(fresh() == 0);
	/* A crash after the name link, before anything else. */
	snprintf(link, sizeof(link), "%s/names/web", st.root);
	CHECK(symlink(mkid("dead", '0'), link) == 0);
	store_new_id(id);
	CHECK(create(id, "web") == 0);
	CHECK(store_lookup(&st, "web", out, &err) == 0);
	CHECK_STR(out, id);
	/* A crashed remove: store_list finishes it and does not list it. */
	snprintf(link, sizeof(link), "%s/containers/.removing-%s", st.root, mkid("e", 'e'));
	CHECK(mkdir(link, 0700) == 0);
	strcat(link, "/x");
	CHECK(mkdir(link, 0700) == 0);
	{
		_cleanup_strv_ char **v = store_list(&st, &err);

		CHECK(v && strv_len(v) == 1);
		CHECK_STR(v[0], id);
	}
	*strrchr(link, '/') = '\0';
	CHECK(!exists(link));
}

static void test_list(void)
{
	_cleanup_strv_ char **v = NULL;
	char junk[256];

	CHECK(fresh() == 0);
	v = store_list(&st, &err);
	CHECK(v && v[0] == NULL);
	strv_free(steal_ptr(v));
	CHECK(create(mkid("c", '1'), "c") == 0);
	CHECK(create(mkid("a", '1'), "a") == 0);
	CHECK(create(mkid("b", '1'), NULL) == 0);
	snprintf(junk, sizeof(junk), "%s/containers/not-an-id", st.root);
	CHECK(mkdir(junk, 0700) == 0);
	v = store_list(&st, &err);
	CHECK(v && strv_len(v) == 3);
	CHECK_STR(v[0], mkid("a", '1'));
	CHECK_STR(v[1], mkid("b", '1'));
	CHECK_STR(v[2], mkid("c", '1'));
}

static void test_lookup_many(void)
{
	char out[STORE_ID_LEN + 1], path[256], id[STORE_ID_LEN + 1];
	struct timespec t0, t1;
	double ms;

	CHECK(fresh() == 0);
	/* 1000 containers (directories are all lookup reads). */
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%04x%s", i, mkid("", 'a') + 4);
		snprintf(path, sizeof(path), "%s/containers/%s", st.root, id);
		CHECK(mkdir(path, 0700) == 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++) {
		char ref[8];

		snprintf(ref, sizeof(ref), "%04x", i * 7);
		CHECK(store_lookup(&st, ref, out, &err) == 0);
		CHECK(strncmp(out, ref, 4) == 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(ms < 2000); /* ~1 ms each even under ASan */
	CHECK(store_lookup(&st, "02", out, &err) < 0);
	CHECK_HAS(err.msg, "256 containers match");
}

static void test_corrupt_json(void)
{
	char path[256], msg[400];
	cJSON *j;
	int fd;

	CHECK(fresh() == 0);
	snprintf(path, sizeof(path), "%s/state.json", st.root);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "{\"state\":\"runn", 14) == 14);
	close(fd);
	CHECK(store_read_json(path, &err) == NULL);
	CHECK(err.errnum == EINVAL);
	snprintf(msg, sizeof(msg), "%s: corrupt JSON file (14 bytes)", path);
	CHECK_STR(err.msg, msg);
	/* empty */
	CHECK(truncate(path, 0) == 0);
	CHECK(store_read_json(path, &err) == NULL);
	snprintf(msg, sizeof(msg), "%s: corrupt JSON file (0 bytes)", path);
	CHECK_STR(err.msg, msg);
	/* trailing garbage from a torn write */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "{}{\"a\"", 6) == 6);
	close(fd);
	CHECK(store_read_json(path, &err) == NULL);
	CHECK_HAS(err.msg, "corrupt JSON file (6 bytes)");
	/* missing: ENOENT passes through */
	strcat(path, ".nope");
	CHECK(store_read_json(path, &err) == NULL);
	CHECK(err.errnum == ENOENT);
	CHECK_HAS(err.msg, path);
	/* and a good one */
	*strrchr(path, '.') = '\0';
	j = config("x");
	CHECK(store_write_json(path, j, 1, &err) == 0);
	cJSON_Delete(j);
	j = store_read_json(path, &err);
	CHECK(j != NULL);
	cJSON_Delete(j);
}

static void test_write_json(void)
{
	char path[256], tmpf[300];
	cJSON *j;
	struct stat s;

	CHECK(fresh() == 0);
	for (int durable = 0; durable < 2; durable++) {
		snprintf(path, sizeof(path), "%s/f%d.json", st.runroot, durable);
		snprintf(tmpf, sizeof(tmpf), "%s.tmp", path);
		for (int i = 0; i < 3; i++) {
			j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "n", i);
			CHECK(store_write_json(path, j, durable, &err) == 0);
			cJSON_Delete(j);
		}
		j = store_read_json(path, &err);
		CHECK(j != NULL);
		CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "n")) == 2);
		cJSON_Delete(j);
		CHECK(!exists(tmpf));
		CHECK(stat(path, &s) == 0 && S_ISREG(s.st_mode));
	}
	/* A missing directory: the error names the tmp file. */
	snprintf(path, sizeof(path), "%s/nodir/f.json", st.runroot);
	j = cJSON_CreateObject();
	CHECK(store_write_json(path, j, 0, &err) < 0);
	cJSON_Delete(j);
	CHECK(err.errnum == ENOENT);
	CHECK_HAS(err.msg, "f.json.tmp");
}

/* Child of test_enospc, in its own mount namespace: a 16k tmpfs, a small
 * good file, then a write that cannot fit.  Returns NULL or what failed. */
static const char *enospc_child(const char *dir)
{
	static char why[900];
	char path[256], tmpf[300];
	struct err e;
	cJSON *j, *big;
	char *blob;

	if (unshare(CLONE_NEWNS) < 0)
		return "skip: unshare(CLONE_NEWNS) refused";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return "skip: cannot make / private";
	if (mount("tmpfs", dir, "tmpfs", 0, "size=16k,mode=0700") < 0)
		return "skip: cannot mount tmpfs";
	blob = xmalloc(64 * 1024 + 1);
	memset(blob, 'x', 64 * 1024);
	blob[64 * 1024] = '\0';
	for (int durable = 0; durable < 2; durable++) {
		snprintf(path, sizeof(path), "%s/state%d.json", dir, durable);
		snprintf(tmpf, sizeof(tmpf), "%s.tmp", path);
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "state", "running");
		if (store_write_json(path, j, durable, &e) < 0)
			return "small write failed";
		big = cJSON_CreateObject();
		cJSON_AddStringToObject(big, "state", blob);
		if (store_write_json(path, big, durable, &e) == 0)
			return "64k write into a 16k tmpfs succeeded";
		cJSON_Delete(big);
		snprintf(why, sizeof(why), "write %s.tmp: No space left on device", path);
		if (e.errnum != ENOSPC || strcmp(errtext(&e), why) != 0) {
			snprintf(why, sizeof(why), "durable=%d: wrong error: %s", durable,
				 errtext(&e));
			return why;
		}
		if (exists(tmpf))
			return "tmp file left behind";
		cJSON_Delete(j);
		j = store_read_json(path, &e);
		if (!j)
			return "old file lost";
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "state")), "running") != 0)
			return "old content changed";
		cJSON_Delete(j);
	}
	free(blob);
	return NULL;
}

static void test_enospc_keeps_old(void)
{
	char dir[128], buf[1000] = "";
	int pfd[2];
	pid_t pid;
	ssize_t n;
	int status;

	if (geteuid() != 0) {
		unit_skip = "optional: needs root";
		return;
	}
	snprintf(dir, sizeof(dir), "%s/tiny", tmp);
	CHECK(mkdir(dir, 0700) == 0);
	CHECK(pipe(pfd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		const char *why = enospc_child(dir);

		if (why && write(pfd[1], why, strlen(why)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (n > 0) {
		buf[n] = '\0';
		if (strncmp(buf, "skip: ", 6) == 0) {
			static char why[1100];

			snprintf(why, sizeof(why), "optional: needs root: %s", buf + 6);
			unit_skip = why;
			return;
		}
		CHECK_STR(buf, "");
	}
	/* Nothing leaked into our namespace. */
	{
		char probe[160];

		snprintf(probe, sizeof(probe), "%s/state0.json", dir);
		CHECK(!exists(probe));
	}
}

static void test_lock_excludes(void)
{
	char id[STORE_ID_LEN + 1];
	char *p;
	int fd, status;
	pid_t pid;

	CHECK(fresh() == 0);
	store_new_id(id);
	CHECK(create(id, "l") == 0);
	fd = store_lock(&st, id, &err);
	CHECK(fd >= 0);
	p = store_path(&st, id, "lock");
	for (int round = 0; round < 2; round++) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			int cfd = open(p, O_RDWR | O_CLOEXEC);

			if (cfd < 0)
				_exit(3);
			if (flock(cfd, LOCK_EX | LOCK_NB) == 0)
				_exit(0);
			_exit(errno == EWOULDBLOCK ? 1 : 2);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status));
		/* round 0: held by us; round 1: released */
		CHECK(WEXITSTATUS(status) == (round == 0 ? 1 : 0));
		if (round == 0)
			store_unlock(fd);
	}
	free(p);
	/* Missing container */
	CHECK(store_lock(&st, mkid("0", '0'), &err) < 0);
	CHECK(err.errnum == ENOENT);
	CHECK_HAS(err.msg, "no such container");
	/* Removed while we waited: nlink 0 after the remove. */
	fd = store_lock(&st, id, &err);
	CHECK(fd >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct err e;
		int l;

		/* A forked child shares the parent's open file, and with it the
		 * lock: it must close the inherited fd. */
		store_unlock(fd);
		l = store_lock(&st, id, &e);

		_exit(l < 0 && e.errnum == ENOENT ? 0 : 1);
	}
	usleep(100 * 1000);
	CHECK(store_remove(&st, id, "l", &err) == 0);
	store_unlock(fd);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_concurrent_increments(void)
{
	char id[STORE_ID_LEN + 1];
	char *path;
	pid_t pids[20];
	cJSON *j;
	int status;

	CHECK(fresh() == 0);
	store_new_id(id);
	CHECK(create(id, "counter") == 0);
	path = store_path(&st, id, "state.json");
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "n", 0);
	CHECK(store_write_json(path, j, 0, &err) == 0);
	cJSON_Delete(j);
	for (int i = 0; i < 20; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (pids[i] == 0) {
			struct err e;
			int fd = store_lock(&st, id, &e);
			cJSON *c;

			if (fd < 0)
				_exit(1);
			c = store_read_json(path, &e);
			if (!c)
				_exit(2);
			usleep(2000); /* widen the window an unlocked writer loses in */
			cJSON_SetNumberValue(cJSON_GetObjectItem(c, "n"),
					     cJSON_GetNumberValue(cJSON_GetObjectItem(c, "n")) + 1);
			if (store_write_json(path, c, i % 2, &e) < 0)
				_exit(3);
			cJSON_Delete(c);
			store_unlock(fd);
			_exit(0);
		}
	}
	for (int i = 0; i < 20; i++) {
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	j = store_read_json(path, &err);
	free(path);
	CHECK(j != NULL);
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(j, "n")) == 20);
	cJSON_Delete(j);
}

static void test_artifacts(void)
{
	char id[STORE_ID_LEN + 1];
	static const char data[] = "bin\0ary\xff data";
	char *got;
	size_t len = 0;

	CHECK(fresh() == 0);
	store_new_id(id);
	CHECK(create(id, "a") == 0);
	CHECK(store_artifact_add(&st, id, "checkpoint.tar", data, sizeof(data), &err) == 0);
	got = store_artifact_get(&st, id, "checkpoint.tar", &len, &err);
	CHECK(got != NULL);
	CHECK(len == sizeof(data) && memcmp(got, data, len) == 0);
	free(got);
	/* replace */
	CHECK(store_artifact_add(&st, id, "checkpoint.tar", "new", 3, &err) == 0);
	got = store_artifact_get(&st, id, "checkpoint.tar", &len, &err);
	CHECK(got && len == 3 && strcmp(got, "new") == 0);
	free(got);
	/* empty */
	CHECK(store_artifact_add(&st, id, "empty", "", 0, &err) == 0);
	got = store_artifact_get(&st, id, "empty", &len, &err);
	CHECK(got && len == 0);
	free(got);
	CHECK(store_artifact_remove(&st, id, "checkpoint.tar", &err) == 0);
	CHECK(store_artifact_get(&st, id, "checkpoint.tar", &len, &err) == NULL);
	CHECK(err.errnum == ENOENT);
	CHECK_HAS(err.msg, "no artifact \"checkpoint.tar\"");
	CHECK(store_artifact_remove(&st, id, "checkpoint.tar", &err) < 0);
	CHECK(err.errnum == ENOENT);
	/* bad names, missing container */
	CHECK(store_artifact_add(&st, id, "../config.json", "x", 1, &err) < 0);
	CHECK(err.errnum == EINVAL);
	CHECK_HAS(err.msg, "invalid artifact name \"../config.json\"");
	CHECK(store_artifact_add(&st, id, "x.tmp", "x", 1, &err) < 0);
	CHECK_HAS(err.msg, ".tmp is reserved");
	CHECK(store_artifact_add(&st, mkid("f", '0'), "x", "x", 1, &err) < 0);
	CHECK(err.errnum == ENOENT && err.kind == ERRK_NO_SUCH);
	CHECK(store_artifact_get(&st, mkid("f", '0'), "x", &len, &err) == NULL);
	CHECK(err.errnum == ENOENT);
}

static void test_boot_id(void)
{
	char id[40];

	CHECK(store_boot_id(id, &err) == 0);
	CHECK(strlen(id) == 36);
	CHECK(id[8] == '-' && id[13] == '-' && id[18] == '-' && id[23] == '-');
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-store-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	RUN(test_open_creates_dirs);
	RUN(test_new_id);
	RUN(test_name_valid);
	RUN(test_create_lookup);
	RUN(test_lookup_errors);
	RUN(test_duplicate_name);
	RUN(test_remove_frees_name);
	RUN(test_volatile);
	RUN(test_stale_name_reclaimed);
	RUN(test_list);
	RUN(test_lookup_many);
	RUN(test_corrupt_json);
	RUN(test_write_json);
	RUN(test_enospc_keeps_old);
	RUN(test_lock_excludes);
	RUN(test_concurrent_increments);
	RUN(test_artifacts);
	RUN(test_boot_id);
	store_close(&st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	UNIT_EXIT();
}
