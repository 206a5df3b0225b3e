// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of oci/validate: which configs would reach into the host.
 * Needs no root: namespaces joined by path are compared with our own
 * /proc/self/ns files, which anyone may stat.  JSON is written with ' for
 * " (q() swaps them). */
#define UNIT_NAME "test-validate"
#include "tests/unit/unit.h"

#include "oci/validate.h"

static struct err err;

/* A config with these namespaces, linux members and process members;
 * NULL when oci_validate accepts it, else its message. */
static const char *validate(const char *ns, const char *linux_extra, const char *top)
{
	char buf[4096];
	struct oci_spec *s;
	int r;

	snprintf(buf, sizeof(buf),
		 "{ 'ociVersion': '1.0.2', 'root': { 'path': 'rootfs' },"
		 "  'process': { 'args': [ 'sh' ], 'cwd': '/' }%s%s,"
		 "  'linux': { 'namespaces': [ %s ]%s%s } }",
		 *top ? ", " : "", top, ns, *linux_extra ? ", " : "", linux_extra);
	memset(&err, 0, sizeof(err));
	s = oci_spec_parse(q(buf), &err);
	if (!s)
		return "(parse error)";
	r = oci_validate(s, &err);
	oci_spec_free(s);
	return r < 0 ? err.msg : NULL;
}

#define ALL_NS "{'type':'mount'},{'type':'ipc'},{'type':'uts'},{'type':'network'}"

static void test_mount_namespace_required(void)
{
	const char *m;

	CHECK(validate(ALL_NS, "", "") == NULL);
	m = validate("{'type':'pid'}", "", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "mount namespace is required");
	CHECK(strchr(m, '\n') == NULL);
	m = validate("{'type':'mount','path':'/proc/self/ns/mnt'}", "", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "the mount namespace /proc/self/ns/mnt is the host's");
	m = validate("{'type':'mount','path':'/nonexistent/ns'}", "", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "/nonexistent/ns");
}

static void test_ipc_sysctls(void)
{
	const char *m;

	CHECK(validate(ALL_NS, "'sysctl': {'kernel.shmmax': '1', 'fs.mqueue.msg_max': '9'}", "") ==
	      NULL);
	m = validate("{'type':'mount'}", "'sysctl': {'kernel.sem': '1 2 3 4'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "kernel.sem needs an ipc namespace");
	m = validate("{'type':'mount'},{'type':'ipc','path':'/proc/self/ns/ipc'}",
		     "'sysctl': {'fs.mqueue.queues_max': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "fs.mqueue.queues_max needs an ipc namespace");
}

static void test_net_sysctls(void)
{
	const char *m;

	CHECK(validate(ALL_NS, "'sysctl': {'net.ipv4.ip_forward': '1'}", "") == NULL);
	m = validate("{'type':'mount'}", "'sysctl': {'net.ipv4.ip_forward': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "net.ipv4.ip_forward needs a network namespace");
	m = validate("{'type':'mount'},{'type':'network','path':'/proc/self/ns/net'}",
		     "'sysctl': {'net.core.somaxconn': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "net.core.somaxconn needs a network namespace");
}

static void test_uts_sysctls(void)
{
	const char *m;

	CHECK(validate(ALL_NS, "'sysctl': {'kernel.domainname': 'x'}", "") == NULL);
	CHECK(validate(ALL_NS, "'sysctl': {'kernel.hostname': 'x'}", "") == NULL);
	m = validate("{'type':'mount'}", "'sysctl': {'kernel.domainname': 'x'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "kernel.domainname needs a uts namespace");
	m = validate(ALL_NS, "'sysctl': {'kernel.hostname': 'x'}", "'hostname': 'h'");
	CHECK(m != NULL);
	CHECK_HAS(m, "kernel.hostname conflicts with \"hostname\"");
	m = validate(ALL_NS, "'sysctl': {'kernel.domainname': 'x'}", "'domainname': 'd'");
	CHECK(m != NULL);
	CHECK_HAS(m, "kernel.domainname conflicts with \"domainname\"");
}

static void test_global_and_bad_sysctls(void)
{
	const char *m;

	m = validate(ALL_NS, "'sysctl': {'vm.swappiness': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "vm.swappiness is not in a namespace of the container");
	m = validate(ALL_NS, "'sysctl': {'kernel.pid_max': '1'}", "");
	CHECK(m != NULL);
	m = validate(ALL_NS, "'sysctl': {'net/ipv4/ip_forward': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "invalid key");
	m = validate(ALL_NS, "'sysctl': {'net...x': '1'}", "");
	CHECK(m != NULL);
	CHECK_HAS(m, "invalid key");
}

static void test_apparmor(void)
{
	const char *m;

	CHECK(oci_apparmor_check(NULL, "x", &err) == 0);
	CHECK(oci_apparmor_check("", "x", &err) == 0);
	if (oci_apparmor_enabled()) {
		CHECK(oci_apparmor_check("p", "x", &err) == 0);
		return;
	}
	memset(&err, 0, sizeof(err));
	CHECK(oci_apparmor_check("my-profile", "process.apparmorProfile", &err) < 0);
	m = err.msg;
	CHECK_HAS(m, "process.apparmorProfile \"my-profile\": AppArmor is not enabled");
}

int main(void)
{
	RUN(test_mount_namespace_required);
	RUN(test_ipc_sysctls);
	RUN(test_net_sysctls);
	RUN(test_uts_sysctls);
	RUN(test_global_and_bad_sysctls);
	RUN(test_apparmor);
	UNIT_EXIT();
}
