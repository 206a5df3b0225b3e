// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-syscheck: engine/syscheck, `nook system check`.
 *
 * The probes themselves are checked where the kernel is known (the VM, the
 * host's e2e run); here: the mountinfo parsing that decides pivot_root vs
 * MS_MOVE + chroot (the initramfs case cannot be recreated without a
 * reboot), the exact text format scripts grep, the JSON form, and that a
 * probe run on this machine gives every feature exactly once and leaves no
 * temporary cgroup behind.
 */
#define UNIT_NAME "test-syscheck"
#include "tests/unit/unit.h"

#include "engine/syscheck.h"
#include "oci/cgroup.h"

#include <dirent.h>

static void root_fstype(void)
{
	char t[32];

	/* an ordinary root */
	CHECK(syscheck_root_fstype("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
				   "23 22 0:5 / /proc rw - proc proc rw\n",
				   t, sizeof(t)) == 0);
	CHECK_STR(t, "ext4");
	/* still the initramfs */
	CHECK(syscheck_root_fstype("1 1 0:1 / / rw - rootfs rootfs rw\n"
				   "2 1 0:5 / /proc rw - proc proc rw",
				   t, sizeof(t)) == 0);
	CHECK_STR(t, "rootfs");
	/* switch_root: a tmpfs moved over the initramfs; the last one counts */
	CHECK(syscheck_root_fstype("1 1 0:1 / / rw - rootfs rootfs rw\n"
				   "30 1 0:30 / / rw - tmpfs tmpfs rw,mode=755\n",
				   t, sizeof(t)) == 0);
	CHECK_STR(t, "tmpfs");
	/* no optional fields, no trailing newline */
	CHECK(syscheck_root_fstype("5 1 0:2 / / rw - squashfs /dev/root ro", t, sizeof(t)) == 0);
	CHECK_STR(t, "squashfs");
	/* chrooted below a mount point: no "/" line at all */
	CHECK(syscheck_root_fstype("23 22 0:5 / /proc rw - proc proc rw\n", t, sizeof(t)) == 0);
	CHECK_STR(t, "");
	CHECK(syscheck_root_fstype("", t, sizeof(t)) == 0);
	CHECK_STR(t, "");
	/* "/ x" escaped is not "/"; a root field of "/" is not the mount point */
	CHECK(syscheck_root_fstype("7 1 0:9 / /\\040x rw - tmpfs tmpfs rw\n"
				   "8 1 0:10 / /mnt rw - xfs /dev/vdb rw\n",
				   t, sizeof(t)) == 0);
	CHECK_STR(t, "");
	/* optional fields that contain "-" */
	CHECK(syscheck_root_fstype("9 1 0:11 / / rw shared:1 master:2-x - btrfs /dev/vdc rw\n", t,
				   sizeof(t)) == 0);
	CHECK_STR(t, "btrfs");
	/* too small a buffer */
	CHECK(syscheck_root_fstype("5 1 0:2 / / rw - squashfs /dev/root ro", t, 4) == -1);
}

static struct syscheck fake(void)
{
	struct syscheck sc = { .kernel = "5.10.0", .machine = "mips" };

	sc.item[0] = (struct syscheck_item){ .name = "clone3", .status = SYSCHECK_YES };
	sc.item[1] = (struct syscheck_item){ .name = "cgroup.kill",
					     .status = SYSCHECK_NO,
					     .fallback = "freeze + kill each pid" };
	sc.item[2] = (struct syscheck_item){ .name = "cgroup2",
					     .status = SYSCHECK_YES,
					     .fallback = "not shown when yes",
					     .detail = "/sys/fs/cgroup" };
	sc.item[3] = (struct syscheck_item){ .name = "clone_into_cgroup",
					     .status = SYSCHECK_UNKNOWN,
					     .fallback = "clone(2)",
					     .detail = "why" };
	sc.item[4] = (struct syscheck_item){ .name = "namespace.net",
					     .status = SYSCHECK_NO,
					     .required = 1,
					     .fallback = "none: required" };
	sc.n = 5;
	return sc;
}

static void text_format(void)
{
	struct syscheck sc = fake();
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	syscheck_print(&sc, f);
	fclose(f);
	CHECK_STR(buf, "# kernel 5.10.0 mips\n"
		       "clone3            yes\n"
		       "cgroup.kill       no   -> freeze + kill each pid\n"
		       "cgroup2           yes  (/sys/fs/cgroup)\n"
		       "clone_into_cgroup unknown -> clone(2) (why)\n"
		       "namespace.net     no   -> none: required\n");
	free(buf);
	CHECK(syscheck_missing(&sc) == 1);
	CHECK(syscheck_find(&sc, "cgroup2") == &sc.item[2]);
	CHECK(syscheck_find(&sc, "cgroup") == NULL);
}

static void json_form(void)
{
	struct syscheck sc = fake();
	cJSON *j = syscheck_json(&sc), *m, *f;

	CHECK(j);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
	m = cJSON_GetObjectItem(j, "missingRequired");
	CHECK(cJSON_GetArraySize(m) == 1);
	CHECK_STR(cJSON_GetArrayItem(m, 0)->valuestring, "namespace.net");
	f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "features"), "cgroup.kill");
	CHECK_STR(cJSON_GetObjectItem(f, "status")->valuestring, "no");
	CHECK_STR(cJSON_GetObjectItem(f, "fallback")->valuestring, "freeze + kill each pid");
	f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "features"), "cgroup2");
	CHECK(cJSON_GetObjectItem(f, "fallback") == NULL);
	CHECK_STR(cJSON_GetObjectItem(f, "detail")->valuestring, "/sys/fs/cgroup");
	cJSON_Delete(j);
	sc.item[4].status = SYSCHECK_YES;
	j = syscheck_json(&sc);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
	cJSON_Delete(j);
}

/* No nook-syscheck.* directory under the cgroup2 root. */
static int leftover_cgroup(void)
{
	char mnt[4096];
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (oci_cgroup_mount(mnt, sizeof(mnt), NULL) < 0 || !(d = opendir(mnt)))
		return 0;
	while ((de = readdir(d)))
		found |= strncmp(de->d_name, "nook-syscheck.", 14) == 0;
	closedir(d);
	return found;
}

static void probe_here(void)
{
	static const char *const names[] = {
		"proc",
		"namespace.mnt",
		"namespace.pid",
		"namespace.uts",
		"namespace.ipc",
		"namespace.net",
		"namespace.cgroup",
		"namespace.user",
		"namespace.time",
		"seccomp",
		"clone3",
		"openat2",
		"pidfd_open",
		"close_range",
		"clone_into_cgroup",
		"cgroup2",
		"cgroup.memory",
		"cgroup.pids",
		"cgroup.cpu",
		"cgroup.io",
		"cgroup.freeze",
		"cgroup.kill",
		"overlay",
		"pivot_root",
	};
	static struct syscheck sc;

	syscheck_probe(&sc);
	CHECK(sc.kernel[0]);
	CHECK(sc.n == ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct syscheck_item *it = syscheck_find(&sc, names[i]);

		CHECK_STR(it ? it->name : NULL, names[i]);
		CHECK(it->status == SYSCHECK_YES || it->status == SYSCHECK_NO ||
		      it->status == SYSCHECK_UNKNOWN);
		/* a missing optional feature always says what nook does */
		CHECK(it->status == SYSCHECK_YES || it->fallback);
	}
	CHECK(syscheck_find(&sc, "proc")->status == SYSCHECK_YES);
	CHECK(syscheck_find(&sc, "proc")->required);
	CHECK(!syscheck_find(&sc, "clone3")->required);
	CHECK(!leftover_cgroup());
}

int main(void)
{
	RUN(root_fstype);
	RUN(text_format);
	RUN(json_form);
	RUN(probe_here);
	UNIT_EXIT();
}
