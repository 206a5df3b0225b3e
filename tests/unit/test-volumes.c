// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The volume store (store/volumes): names validated before they touch a
 * path, podman's layout (<name>/_data, <name>/volume.json), random names,
 * labels, a second create refused, the lock held while open, a remove
 * that never follows a symlink out of the volume, and what crashed
 * creates and removes leave behind.
 */
#define UNIT_NAME "test-volumes"
#include "tests/unit/unit.h"

#include "store/volumes.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];
static struct store st;
static struct err err;
static int n_store;

static int fresh(void)
{
	char root[128], run[128];

	store_close(&st);
	n_store++;
	snprintf(root, sizeof(root), "%s/%d/root", tmp, n_store);
	snprintf(run, sizeof(run), "%s/%d/run", tmp, n_store);
	return store_open(&st, root, run, &err);
}

/* <root>/volumes/<sub> exists */
static int exists(const char *sub)
{
	char p[512];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/volumes/%s", st.root, sub);
	return lstat(p, &sb) == 0;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_names(void)
{
	static const char *const bad[] = { "a/b", "..", ".", ".x", "-x", "_x", "", "a b", "x\n" };
	char longname[140];

	CHECK(volume_name_valid("data", &err) == 0);
	CHECK(volume_name_valid("a..b", &err) == 0);
	CHECK(volume_name_valid("My_vol-1.2", &err) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err = (struct err){ 0 };
		CHECK(volume_name_valid(bad[i], &err) < 0);
		CHECK_HAS(err.msg, "invalid volume name");
		CHECK(err.kind == ERRK_INVALID_ARG);
	}
	memset(longname, 'a', 129);
	longname[129] = '\0';
	CHECK(volume_name_valid(longname, &err) < 0);
	CHECK(volume_name_valid(NULL, &err) < 0);
}

static void test_create_get(void)
{
	struct volumes v;
	char *labels[] = { "a=b", "empty", "a=c", NULL };
	cJSON *vol, *got;
	char data[256];
	struct stat sb;

	CHECK(fresh() == 0);
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	vol = volumes_create(&v, "data", labels, 0, &err);
	CHECK(vol);
	CHECK_STR(str(vol, "name"), "data");
	CHECK_STR(str(vol, "driver"), "local");
	snprintf(data, sizeof(data), "%s/volumes/data/_data", st.root);
	CHECK_STR(str(vol, "mountpoint"), data);
	CHECK(stat(data, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 07777) == 0755);
	CHECK(exists("data/volume.json"));
	cJSON_Delete(vol);
	{
		char *p = volumes_data_path(&st, "data");

		CHECK_STR(p, data);
		free(p);
	}
	got = volumes_get(&v, "data", &err);
	CHECK(got);
	CHECK_STR(str(cJSON_GetObjectItemCaseSensitive(got, "labels"), "a"), "c");
	CHECK_STR(str(cJSON_GetObjectItemCaseSensitive(got, "labels"), "empty"), "");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(got, "needsCopyUp")));
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(got, "anonymous")));
	CHECK(cJSON_GetObjectItemCaseSensitive(got, "created")->valuedouble > 1e18);
	/* a change saved is read back */
	cJSON_ReplaceItemInObjectCaseSensitive(got, "needsCopyUp", cJSON_CreateFalse());
	CHECK(volumes_save(&v, got, &err) == 0);
	cJSON_Delete(got);
	got = volumes_get(&v, "data", &err);
	CHECK(got && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(got, "needsCopyUp")));
	cJSON_Delete(got);

	/* a second create of the name is refused, the first left as it was */
	err = (struct err){ 0 };
	CHECK(volumes_create(&v, "data", NULL, 0, &err) == NULL);
	CHECK_STR(err.msg, "volume data already exists");
	CHECK(volumes_create(&v, "../x", NULL, 0, &err) == NULL);
	CHECK_HAS(err.msg, "invalid volume name \"../x\"");
	CHECK(!exists("../x") && !exists("x"));

	err = (struct err){ 0 };
	CHECK(volumes_get(&v, "nope", &err) == NULL);
	CHECK_STR(err.msg, "no such volume nope");
	CHECK(err.kind == ERRK_NO_SUCH);
	CHECK(volumes_get(&v, "../../etc", &err) == NULL);
	CHECK(err.kind == ERRK_INVALID_ARG);
	volumes_close(&v);
}

static void test_random_names_sorted(void)
{
	struct volumes v;
	cJSON *a, *b;
	char **names;

	CHECK(fresh() == 0);
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	a = volumes_create(&v, NULL, NULL, 1, &err);
	b = volumes_create(&v, "zz", NULL, 0, &err);
	CHECK(a && b);
	CHECK(strlen(str(a, "name")) == 64);
	CHECK(strspn(str(a, "name"), "0123456789abcdef") == 64);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "anonymous")));
	cJSON_Delete(a);
	a = volumes_create(&v, "aa", NULL, 0, &err);
	CHECK(a);
	names = volumes_names(&v, &err);
	CHECK(names && strv_len(names) == 3);
	CHECK(strcmp(names[0], names[1]) < 0 && strcmp(names[1], names[2]) < 0);
	CHECK_STR(names[strv_len(names) - 1], "zz");
	strv_free(names);
	cJSON_Delete(a);
	cJSON_Delete(b);
	volumes_close(&v);
}

static void test_lock_held(void)
{
	struct volumes v;
	char p[256];
	int fd;

	CHECK(fresh() == 0);
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	snprintf(p, sizeof(p), "%s/volumes/.lock", st.root);
	fd = open(p, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
	volumes_close(&v);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0);
	close(fd);
	/* ".lock" is no volume, and "lock" can be one */
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	{
		cJSON *l = volumes_create(&v, "lock", NULL, 0, &err);
		char **names = volumes_names(&v, &err);

		CHECK(l);
		cJSON_Delete(l);
		CHECK(names && strv_len(names) == 1);
		CHECK_STR(names[0], "lock");
		strv_free(names);
	}
	volumes_close(&v);
}

static void test_remove(void)
{
	struct volumes v;
	char p[512], outside[256];
	cJSON *vol;
	int fd;

	CHECK(fresh() == 0);
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	vol = volumes_create(&v, "gone", NULL, 0, &err);
	CHECK(vol);
	cJSON_Delete(vol);
	/* contents, and a symlink to a file and one to a directory outside */
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	mkdir(outside, 0755);
	snprintf(p, sizeof(p), "%s/keep", outside);
	fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/volumes/gone/_data/sub/deeper", st.root);
	CHECK(mkdir_p(p, 0755, &err) == 0);
	snprintf(p, sizeof(p), "%s/volumes/gone/_data/sub/to-file", st.root);
	CHECK(symlink("../../../../../outside/keep", p) == 0 || errno == EEXIST);
	snprintf(p, sizeof(p), "%s/volumes/gone/_data/to-dir", st.root);
	CHECK(symlink(outside, p) == 0);
	CHECK(volumes_remove(&v, "gone", &err) == 0);
	CHECK(!exists("gone"));
	CHECK(!exists(".rm-gone"));
	snprintf(p, sizeof(p), "%s/keep", outside);
	CHECK(access(p, F_OK) == 0);
	err = (struct err){ 0 };
	CHECK(volumes_remove(&v, "gone", &err) < 0);
	CHECK(err.kind == ERRK_NO_SUCH);
	volumes_close(&v);
}

static void test_crash_leftovers(void)
{
	struct volumes v;
	char p[512];
	char **names;
	cJSON *vol;

	CHECK(fresh() == 0);
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	volumes_close(&v);
	/* a create that crashed before volume.json, a remove after its rename */
	snprintf(p, sizeof(p), "%s/volumes/half/_data", st.root);
	CHECK(mkdir_p(p, 0755, &err) == 0);
	snprintf(p, sizeof(p), "%s/volumes/.rm-old/_data/x", st.root);
	CHECK(mkdir_p(p, 0755, &err) == 0);

	/* read-only: no volumes there, nothing touched */
	CHECK(volumes_open(&v, &st, 0, &err) == 0);
	names = volumes_names(&v, &err);
	CHECK(names && !names[0]);
	strv_free(names);
	CHECK(volumes_get(&v, "half", &err) == NULL && err.kind == ERRK_NO_SUCH);
	CHECK(exists(".rm-old"));
	volumes_close(&v);

	/* with the lock: the remove is finished, the create taken over */
	CHECK(volumes_open(&v, &st, 1, &err) == 0);
	CHECK(!exists(".rm-old"));
	vol = volumes_create(&v, "half", NULL, 0, &err);
	CHECK(vol);
	cJSON_Delete(vol);
	names = volumes_names(&v, &err);
	CHECK(names && strv_len(names) == 1);
	strv_free(names);
	volumes_close(&v);
}

static void test_missing_store(void)
{
	struct store s2;
	struct volumes v;
	char root[128], run[128];
	char **names;

	snprintf(root, sizeof(root), "%s/never/root", tmp);
	snprintf(run, sizeof(run), "%s/never/run", tmp);
	store_open_ro(&s2, root, run);
	CHECK(volumes_open(&v, &s2, 0, &err) == 0);
	names = volumes_names(&v, &err);
	CHECK(names && !names[0]);
	strv_free(names);
	volumes_close(&v);
	CHECK(access(root, F_OK) < 0);
	store_close(&s2);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-volumes-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	RUN(test_names);
	RUN(test_create_get);
	RUN(test_random_names_sorted);
	RUN(test_lock_held);
	RUN(test_remove);
	RUN(test_crash_leftovers);
	RUN(test_missing_store);
	store_close(&st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	UNIT_EXIT();
}
