// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-overlay: store/overlay, the overlay of a `--rootfs DIR:O` container:
 * which lower paths are refused, and (as root) that the overlay shows DIR,
 * keeps writes out of it, survives an unmount and remount, and goes away
 * without leaving its mount point.
 */
#define UNIT_NAME "test-overlay"
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/overlay.h"
#include "store/store.h"

static char dir[64];

static void test_lower_valid(void)
{
	struct err e = { 0 };

	CHECK(overlay_lower_valid("/srv/rootfs", &e) == 0);
	CHECK(overlay_lower_valid("/srv/a,b", &e) < 0);
	CHECK_HAS(e.msg, "/srv/a,b");
	CHECK(overlay_lower_valid("/srv/a:b", NULL) < 0);
	CHECK(overlay_lower_valid("/srv/a\\b", NULL) < 0);
}

static int mounted(const char *path)
{
	_cleanup_free_ char *text = file_read("/proc/self/mountinfo", NULL, NULL);
	_cleanup_free_ char *pat = xasprintf(" %s ", path);

	return text && strstr(text, pat);
}

static void test_overlay(void)
{
	_cleanup_free_ char *lower = xasprintf("%s/lower", dir);
	_cleanup_free_ char *root = xasprintf("%s/root", dir);
	_cleanup_free_ char *run = xasprintf("%s/run", dir);
	_cleanup_free_ char *merged = NULL, *inlower = NULL, *seen = NULL, *written = NULL;
	_cleanup_free_ char *again = NULL;
	struct store s;
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];

	CHECK(mkdir_p(lower, 0755, &e) == 0);
	inlower = xasprintf("%s/hello", lower);
	CHECK(file_write_atomic(inlower, "hi\n", 3, 0644, &e) == 0);
	CHECK(store_open(&s, root, run, &e) == 0);
	store_new_id(id);
	merged = overlay_merged_path(&s, id);
	CHECK(overlay_mount(&s, id, lower, &e) == 0);
	CHECK(mounted(merged));
	/* twice is once */
	CHECK(overlay_mount(&s, id, lower, &e) == 0);
	seen = xasprintf("%s/hello", merged);
	CHECK(access(seen, R_OK) == 0);
	written = xasprintf("%s/new", merged);
	CHECK(file_write_atomic(written, "x", 1, 0644, &e) == 0);
	CHECK(unlink(seen) == 0);
	CHECK(access(inlower, R_OK) == 0); /* the lower layer is untouched */
	overlay_unmount(&s, id);
	CHECK(!mounted(merged));
	CHECK(access(merged, F_OK) < 0); /* its mount point is gone too */
	/* mounted again: the container's changes are still there */
	CHECK(overlay_mount(&s, id, lower, &e) == 0);
	again = xasprintf("%s/new", merged);
	CHECK(access(again, R_OK) == 0);
	CHECK(access(seen, F_OK) < 0);
	overlay_unmount(&s, id);
	CHECK(!mounted(merged));
	store_close(&s);
}

static void test_bad_lower(void)
{
	_cleanup_free_ char *root = xasprintf("%s/root2", dir);
	_cleanup_free_ char *run = xasprintf("%s/run2", dir);
	struct store s;
	struct err e = { 0 };
	char id[STORE_ID_LEN + 1];

	CHECK(store_open(&s, root, run, &e) == 0);
	store_new_id(id);
	CHECK(overlay_mount(&s, id, "/no/such/lower", &e) < 0);
	CHECK_HAS(e.msg, "/no/such/lower");
	CHECK(overlay_mount(&s, id, "/a,b", &e) < 0);
	CHECK_HAS(e.msg, "cannot have ','");
	store_close(&s);
}

int main(void)
{
	char cmd[128];

	RUN(test_lower_valid);
	if (geteuid() != 0) {
		printf("ok - %s: test_overlay # SKIP optional: needs root (mount)\n", UNIT_NAME);
		UNIT_EXIT();
	}
	snprintf(dir, sizeof(dir), "/tmp/nook-unit-image-XXXXXX");
	if (!mkdtemp(dir)) {
		printf("not ok - %s: scratch: mkdtemp failed\n", UNIT_NAME);
		return 1;
	}
	RUN(test_overlay);
	RUN(test_bad_lower);
	snprintf(cmd, sizeof(cmd), "rm -rf --one-file-system '%s'", dir);
	if (system(cmd) != 0)
		printf("# note: could not remove %s\n", dir);
	UNIT_EXIT();
}
