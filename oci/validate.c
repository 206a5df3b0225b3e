// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * validate: the checks of a config that keep the runtime from changing the
 * host (see validate.h).  Runs in the caller before the state directory is
 * made, and again in oci_linux_create() for the engine's monitor.  Only
 * stat(2) and one read of sysfs: nothing here changes anything.
 */
#include "oci/validate.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

/* Is the namespace of type in s one of the container's own?  1 yes, 0 no
 * (absent, or a path to ours or pid 1's), -1 when the path cannot be
 * looked at. */
static int ns_own(const struct oci_spec *s, int type, const char *file, struct err *e)
{
	const struct oci_namespace *ns = oci_spec_namespace(s, type);
	static const char *const hosts[] = { "self", "1" };
	struct stat st, host;
	char p[64];

	if (!ns)
		return 0;
	if (!ns->path || !*ns->path)
		return 1;
	if (stat(ns->path, &st) < 0)
		return err_sys(e, "linux.namespaces: %s namespace %s", file, ns->path);
	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		snprintf(p, sizeof(p), "/proc/%s/ns/%s", hosts[i], file);
		if (stat(p, &host) == 0 && st.st_dev == host.st_dev && st.st_ino == host.st_ino)
			return 0;
	}
	return 1;
}

/* The sysctls of the ipc namespace (with fs.mqueue.*). */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",	    "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shm_rmid_forced", "kernel.shmmni",
};

static int is_ipc_sysctl(const char *k)
{
	if (strncmp(k, "fs.mqueue.", 10) == 0)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		if (strcmp(k, ipc_sysctls[i]) == 0)
			return 1;
	return 0;
}

/* Each namespace looked at once, on first need: -2 not yet. */
struct ns_cache {
	int ipc, net, uts;
};

static int own(const struct oci_spec *s, int *cached, int type, const char *file, struct err *e)
{
	if (*cached == -2)
		*cached = ns_own(s, type, file, e);
	return *cached;
}

static int check_sysctl(const struct oci_spec *s, const char *k, struct ns_cache *c, struct err *e)
{
	int r;

	if (!*k || strstr(k, "..") || strchr(k, '/'))
		return err_set(e, EINVAL, "linux.sysctl: invalid key \"%s\"", k);
	if (is_ipc_sysctl(k)) {
		r = own(s, &c->ipc, CLONE_NEWIPC, "ipc", e);
		if (r < 0)
			return -1;
		if (!r)
			return err_set(e, EINVAL,
				       "linux.sysctl: %s needs an ipc namespace of the container's "
				       "own: it would change the host's",
				       k);
		return 0;
	}
	if (strncmp(k, "net.", 4) == 0) {
		r = own(s, &c->net, CLONE_NEWNET, "net", e);
		if (r < 0)
			return -1;
		if (!r)
			return err_set(e, EINVAL,
				       "linux.sysctl: %s needs a network namespace of the "
				       "container's own: it would change the host's",
				       k);
		return 0;
	}
	if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) {
		int host = k[7] == 'h';
		const char *field = host ? "hostname" : "domainname";

		r = own(s, &c->uts, CLONE_NEWUTS, "uts", e);
		if (r < 0)
			return -1;
		if (!r)
			return err_set(e, EINVAL,
				       "linux.sysctl: %s needs a uts namespace of the container's "
				       "own: it would change the host's",
				       k);
		if (host ? s->hostname != NULL : s->domainname != NULL)
			return err_set(e, EINVAL, "linux.sysctl: %s conflicts with \"%s\"", k,
				       field);
		return 0;
	}
	return err_set(e, EINVAL,
		       "linux.sysctl: %s is not in a namespace of the container: it would change "
		       "the host's",
		       k);
}

int oci_apparmor_enabled(void)
{
	char buf[2] = { 0 };
	_cleanup_close_ int fd =
		open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == 'Y';
}

int oci_apparmor_check(const char *profile, const char *what, struct err *e)
{
	if (!profile || !*profile || oci_apparmor_enabled())
		return 0;
	return err_set(e, EINVAL,
		       "%s \"%s\": AppArmor is not enabled in this kernel, the profile cannot "
		       "be applied",
		       what, profile);
}

int oci_validate(const struct oci_spec *s, struct err *e)
{
	struct ns_cache c = { -2, -2, -2 };
	int r = ns_own(s, CLONE_NEWNS, "mnt", e);

	if (r < 0)
		return -1;
	if (!r) {
		const struct oci_namespace *ns = oci_spec_namespace(s, CLONE_NEWNS);

		if (ns)
			return err_set(e, EINVAL,
				       "linux.namespaces: the mount namespace %s is the host's: "
				       "the container's mounts and root would be the host's",
				       ns->path);
		return err_set(e, EINVAL,
			       "linux.namespaces: a mount namespace is required: without one "
			       "the container's mounts and root would be the host's");
	}
	/* runc wants a uts namespace in the list, new or joined; a joined
	 * one must not be the host's (runc would rename the host). */
	if (s->hostname || s->domainname) {
		r = own(s, &c.uts, CLONE_NEWUTS, "uts", e);
		if (r < 0)
			return -1;
		if (!r)
			return err_set(e, EINVAL,
				       "%s is set but the container has no uts namespace of its "
				       "own: it would change the host's",
				       s->hostname ? "hostname" : "domainname");
	}
	for (size_t i = 0; i < s->linux.n_sysctl; i++)
		if (check_sysctl(s, s->linux.sysctl[i].key, &c, e) < 0)
			return -1;
	if (s->process &&
	    oci_apparmor_check(s->process->apparmor_profile, "process.apparmorProfile", e) < 0)
		return -1;
	return 0;
}
