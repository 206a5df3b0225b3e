// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The image store (store/images): references normalised as podman does,
 * lookups by full name, short name, id and prefix (and their errors),
 * names moving between images, layers stored once and shared, removed
 * with the last image that uses them, short names for the overlay in the
 * right order, and a crashed load's staging directory collected.
 */
#define UNIT_NAME "test-images"
#include "tests/unit/unit.h"

#include "store/images.h"

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

static const char *norm(const char *ref, const char *dom)
{
	static char buf[512];
	char *n = images_normalize(ref, dom, &err);

	snprintf(buf, sizeof(buf), "%s", n ? n : "(error)");
	free(n);
	return buf;
}

static void test_normalize(void)
{
	CHECK_STR(norm("busybox", "docker.io"), "docker.io/library/busybox:latest");
	CHECK_STR(norm("busybox:1.36", "docker.io"), "docker.io/library/busybox:1.36");
	CHECK_STR(norm("app", "localhost"), "localhost/app:latest");
	CHECK_STR(norm("me/app:2", "docker.io"), "docker.io/me/app:2");
	CHECK_STR(norm("localhost/app", "docker.io"), "localhost/app:latest");
	CHECK_STR(norm("reg.lan:5000/x/y:v1.2", "docker.io"), "reg.lan:5000/x/y:v1.2");
	CHECK_STR(norm("Upper", "localhost"), "(error)");
	CHECK_HAS(err.msg, "invalid image name \"Upper\"");
	CHECK_STR(norm("a/../b", "localhost"), "(error)");
	CHECK_STR(norm("a//b", "localhost"), "(error)");
	CHECK_STR(norm("app:", "localhost"), "(error)");
	CHECK_STR(norm("app:bad/tag", "localhost"), "(error)");
	CHECK_STR(norm("reg:5000/tag", "localhost"), "reg:5000/tag:latest");
	CHECK_STR(norm("app@sha256:0000", "localhost"), "(error)");
	CHECK_HAS(err.msg, "by digest");
	CHECK_STR(norm("", "localhost"), "(error)");
}

static const char cfg1[] =
	"{\"created\":\"2024-01-02T03:04:05Z\",\"rootfs\":{\"type\":\"layers\"}}";
static const char cfg2[] =
	"{\"created\":\"2024-01-02T03:04:06Z\",\"rootfs\":{\"type\":\"layers\"}}";

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
static char *diffs_a[] = { D("aa"), D("bb"), NULL };
static char *diffs_b[] = { D("aa"), D("cc"), NULL };

/* Stage an empty tree for each diff id (names "0", "1"...) with a marker
 * file, then commit. */
static cJSON *commit(struct images *im, const char *cfg, char **diffs, char **tags)
{
	struct image_stage sg;
	char *names[8] = { 0 };
	uint64_t sizes[8] = { 0 };
	cJSON *img;

	if (images_stage_begin(&st, &sg, &err) < 0)
		return NULL;
	for (int i = 0; diffs[i]; i++) {
		char n[8];
		int fd;

		snprintf(n, sizeof(n), "%d", i);
		mkdirat(sg.fd, n, 0755);
		fd = openat(sg.fd, n, O_RDONLY | O_DIRECTORY);
		close(openat(fd, "marker", O_CREAT | O_WRONLY, 0644));
		close(fd);
		names[i] = strdup(n);
		sizes[i] = 100 + (uint64_t)i;
	}
	img = images_commit(im, &sg, cfg, strlen(cfg), diffs, names, sizes, tags, &err);
	for (int i = 0; names[i]; i++)
		free(names[i]);
	images_stage_end(&sg);
	return img;
}

/* <root>/images/<dir>/<first n of hex>[/marker] exists */
static int exists_n(const char *dir, int n, int marker, const char *hex)
{
	char full[640];
	struct stat sb;

	snprintf(full, sizeof(full), "%s/images/%s/%.*s%s", st.root, dir, n, hex,
		 marker ? "/marker" : "");
	return lstat(full, &sb) == 0;
}

static void test_commit_find_tag(void)
{
	struct images im;
	cJSON *a, *b;
	char *tags_a[] = { "docker.io/library/busybox:latest", NULL };
	char *tags_b[] = { "localhost/busybox:latest", "localhost/app:1", NULL };
	char *ld;

	CHECK(fresh() == 0);
	CHECK(images_open(&im, &st, 1, &err) == 0);
	a = commit(&im, cfg1, diffs_a, tags_a);
	CHECK(a);
	b = commit(&im, cfg2, diffs_b, tags_b);
	CHECK(b);
	/* the shared layer once, each with its short name */
	CHECK(exists_n("layers", 64, 1, diffs_a[0] + 7));
	CHECK(exists_n("layers", 64, 1, diffs_b[1] + 7));
	CHECK(exists_n("l", 16, 0, diffs_a[1] + 7));
	ld = images_lowerdir(&im, a);
	CHECK_STR(ld, "bbbbbbbbbbbbbbbb:aaaaaaaaaaaaaaaa"); /* top first */
	free(ld);
	/* lookups */
	CHECK(images_find(&im, "docker.io/library/busybox", &err) == a);
	CHECK(images_find(&im, "localhost/busybox:latest", &err) == b);
	CHECK(images_find(&im, "app:1", &err) == b);
	CHECK(images_find(&im, "app", &err) == NULL);
	CHECK(err.kind == ERRK_NO_SUCH);
	CHECK_HAS(err.msg, "no such image: app");
	CHECK(images_find(&im, "busybox", &err) == b); /* localhost/ first */
	CHECK(images_find(&im, "library/busybox", &err) == a);
	images_tag(&im, a, "reg.lan/x/tool:1");
	images_tag(&im, b, "reg.lan/y/tool:1");
	CHECK(images_find(&im, "tool:1", &err) == NULL); /* two match */
	CHECK_HAS(err.msg, "matches 2 images");
	CHECK(images_untag(&im, a, "reg.lan/x/tool:1", &err) == 0);
	CHECK(images_untag(&im, b, "reg.lan/y/tool:1", &err) == 0);
	{
		const char *id = cJSON_GetObjectItemCaseSensitive(a, "id")->valuestring;
		char pre[8], full[80];

		snprintf(pre, sizeof(pre), "%.5s", id);
		CHECK(images_find(&im, pre, &err) == a);
		snprintf(full, sizeof(full), "sha256:%s", id);
		CHECK(images_find(&im, full, &err) == a);
	}
	/* a name moves: b loses localhost/busybox to a */
	images_tag(&im, a, "localhost/busybox:latest");
	CHECK(images_find(&im, "localhost/busybox", &err) == a);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "names")) == 1);
	CHECK(images_untag(&im, b, "localhost/busybox:latest", &err) < 0);
	CHECK(images_untag(&im, b, "localhost/app:1", &err) == 0);
	CHECK(images_find(&im, "app:1", &err) == NULL);
	/* persisted */
	CHECK(images_save(&im, &err) == 0);
	images_close(&im);
	CHECK(images_open(&im, &st, 0, &err) == 0);
	CHECK(images_find(&im, "localhost/busybox", &err) != NULL);
	images_close(&im);
}

static void test_remove_collects_layers(void)
{
	struct images im;
	cJSON *a, *b;

	CHECK(fresh() == 0);
	CHECK(images_open(&im, &st, 1, &err) == 0);
	a = commit(&im, cfg1, diffs_a, NULL);
	b = commit(&im, cfg2, diffs_b, NULL);
	CHECK(a && b);
	CHECK(images_remove(&im, a, &err) == 0);
	CHECK(exists_n("layers", 64, 0, diffs_a[0] + 7)); /* b still uses it */
	CHECK(!exists_n("layers", 64, 0, diffs_a[1] + 7));
	CHECK(!exists_n("l", 16, 0, diffs_a[1] + 7));
	CHECK(images_remove(&im, b, &err) == 0);
	CHECK(!exists_n("layers", 64, 0, diffs_a[0] + 7));
	CHECK(!exists_n("l", 16, 0, diffs_a[0] + 7));
	CHECK(cJSON_GetArraySize(images_all(&im)) == 0);
	images_close(&im);
}

static void test_same_image_twice(void)
{
	struct images im;
	cJSON *a, *a2;

	CHECK(fresh() == 0);
	CHECK(images_open(&im, &st, 1, &err) == 0);
	a = commit(&im, cfg1, diffs_a, (char *[]){ "localhost/x:1", NULL });
	a2 = commit(&im, cfg1, diffs_a, (char *[]){ "localhost/x:2", NULL });
	CHECK(a && a == a2);
	CHECK(cJSON_GetArraySize(images_all(&im)) == 1);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "names")) == 2);
	images_close(&im);
}

/* A load that died leaves tmp/<n> with a free lock: the next writer
 * removes it; a live one's is kept. */
static void test_crashed_stage_collected(void)
{
	struct images im;
	struct image_stage live, dead;
	char *dead_path;
	struct stat sb;

	CHECK(fresh() == 0);
	CHECK(images_stage_begin(&st, &live, &err) == 0);
	CHECK(images_stage_begin(&st, &dead, &err) == 0);
	dead_path = strdup(dead.path);
	/* "crash": drop the lock without removing anything */
	close(dead.lockfd);
	close(dead.fd);
	free(dead.path);
	CHECK(images_open(&im, &st, 1, &err) == 0);
	images_close(&im);
	CHECK(stat(dead_path, &sb) < 0 && errno == ENOENT);
	CHECK(stat(live.path, &sb) == 0);
	free(dead_path);
	images_stage_end(&live);
}

static void test_corrupt_index(void)
{
	struct images im;
	char p[256];
	int fd;

	CHECK(fresh() == 0);
	CHECK(images_open(&im, &st, 1, &err) == 0);
	images_close(&im);
	snprintf(p, sizeof(p), "%s/images/images.json", st.root);
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "{\"images\":[", 11) == 11);
	close(fd);
	CHECK(images_open(&im, &st, 0, &err) < 0);
	CHECK_HAS(err.msg, "images.json");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-images-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	RUN(test_normalize);
	RUN(test_commit_find_tag);
	RUN(test_remove_collects_layers);
	RUN(test_same_image_twice);
	RUN(test_crashed_stage_collected);
	RUN(test_corrupt_index);
	store_close(&st);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	UNIT_EXIT();
}
