// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-spec: oci/spec, the config.json parser.
 *
 * A full runc-style config must parse with every field landing where the
 * runtime reads it; each class of bad input must fail with one line naming
 * the JSON path; the default `spec` output must parse back; unknown fields
 * and nulls are ignored.  JSON is written with ' for " (q() swaps them) so
 * the documents stay readable.  Runs under ASan/LSan: every path frees.
 */
#define UNIT_NAME "test-spec"
#include "tests/unit/unit.h"

#include "oci/spec.h"
#include "oci/sys.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>

static struct err err;

/* Parse json (quoted with '); NULL if it parsed (and is freed), else the
 * error message. */
static const char *spec_err(const char *json)
{
	struct oci_spec *s;

	memset(&err, 0, sizeof(err));
	s = oci_spec_parse(q(json), &err);
	if (s) {
		oci_spec_free(s);
		return NULL;
	}
	return err.msg;
}

/* A valid minimal document with `extra` members added at the top level and
 * `proc` members added to process. */
static const char *with(const char *extra, const char *proc)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "{ 'ociVersion': '1.0.2', 'root': { 'path': 'rootfs' },"
		 "  'process': { 'args': [ 'sh' ], 'cwd': '/'%s%s }%s%s }",
		 *proc ? ", " : "", proc, *extra ? ", " : "", extra);
	return buf;
}

#define CHECK_ERR(json, sub)                     \
	do {                                     \
		const char *_m = spec_err(json); \
		CHECK(_m != NULL);               \
		CHECK_HAS(_m, sub);              \
		CHECK(strchr(_m, '\n') == NULL); \
		CHECK(err.errnum == 0);          \
	} while (0)

#define CHECK_OK(json)                                   \
	do {                                             \
		const char *_m = spec_err(json);         \
		CHECK_STR(_m ? _m : "parsed", "parsed"); \
	} while (0)

/* ---- a full config --------------------------------------------------- */

static const char full_json[] =
	"{ 'ociVersion': '1.2.0',"
	"  'process': {"
	"    'terminal': true, 'consoleSize': { 'height': 25, 'width': 80 },"
	"    'user': { 'uid': 1000, 'gid': 100, 'umask': 18,"
	"              'additionalGids': [ 5, 4294967295 ] },"
	"    'args': [ '/bin/sh', '-c', 'echo hi' ],"
	"    'env': [ 'PATH=/bin', 'EMPTY=', 'X=a=b' ],"
	"    'cwd': '/home/user',"
	"    'capabilities': {"
	"      'bounding': [ 'CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE' ],"
	"      'effective': [ 'CAP_KILL' ],"
	"      'inheritable': [],"
	"      'permitted': [ 'CAP_KILL', 'CAP_SYS_ADMIN' ],"
	"      'ambient': [ 'CAP_CHOWN' ] },"
	"    'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'hard': 4096, 'soft': 1024 },"
	"                 { 'type': 'RLIMIT_CORE', 'hard': 18446744073709551615,"
	"                   'soft': 0 } ],"
	"    'noNewPrivileges': true, 'oomScoreAdj': -500,"
	"    'apparmorProfile': 'acme_secure_profile',"
	"    'selinuxLabel': 'system_u:system_r:svirt_lxc_net_t:s0:c124,c675' },"
	"  'root': { 'path': 'rootfs', 'readonly': true },"
	"  'hostname': 'slartibartfast', 'domainname': 'example.org',"
	"  'mounts': ["
	"    { 'destination': '/proc', 'type': 'proc', 'source': 'proc' },"
	"    { 'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
	"      'options': [ 'nosuid', 'strictatime', 'mode=755', 'size=65536k' ] },"
	"    { 'destination': '/data', 'type': 'bind', 'source': '/volumes/data',"
	"      'options': [ 'rbind', 'rw', 'rprivate', 'nodev', 'dev', 'noatime' ] },"
	"    { 'destination': 'relative/old', 'type': 'none', 'source': '/x',"
	"      'options': [ 'bind', 'ro', 'remount', 'tmpcopyup', 'idmap' ] } ],"
	"  'hooks': {"
	"    'prestart': [ { 'path': '/usr/bin/fix-mounts',"
	"                    'args': [ 'fix-mounts', 'arg1' ],"
	"                    'env': [ 'key1=value1' ] } ],"
	"    'createRuntime': [ { 'path': '/usr/bin/cr', 'timeout': 5 } ],"
	"    'createContainer': [ { 'path': '/usr/bin/cc' } ],"
	"    'startContainer': [ { 'path': '/usr/bin/sc' } ],"
	"    'poststart': [ { 'path': '/usr/bin/notify-start', 'timeout': 5 } ],"
	"    'poststop': [ { 'path': '/usr/sbin/cleanup.sh',"
	"                    'args': [ 'cleanup.sh', '-f' ] },"
	"                  { 'path': '/bin/true' } ] },"
	"  'annotations': { 'com.example.key1': 'value1', 'k2': '' },"
	"  'linux': {"
	"    'namespaces': [ { 'type': 'pid' }, { 'type': 'network', 'path': '/var/run/netns/x' },"
	"                    { 'type': 'ipc' }, { 'type': 'uts' }, { 'type': 'mount' },"
	"                    { 'type': 'user' }, { 'type': 'cgroup', 'path': '' },"
	"                    { 'type': 'time' } ],"
	"    'uidMappings': [ { 'containerID': 0, 'hostID': 1000, 'size': 32000 } ],"
	"    'gidMappings': [ { 'containerID': 0, 'hostID': 1000, 'size': 32000 },"
	"                     { 'containerID': 40000, 'hostID': 4000000000, 'size': 1 } ],"
	"    'devices': [ { 'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
	"                   'fileMode': 438, 'uid': 0, 'gid': 0 },"
	"                 { 'path': '/dev/sda', 'type': 'b', 'major': 8, 'minor': 0 },"
	"                 { 'path': '/dev/fifo', 'type': 'p' } ],"
	"    'resources': {"
	"      'devices': [ { 'allow': false, 'access': 'rwm' },"
	"                   { 'allow': true, 'type': 'c', 'major': 10, 'minor': 229,"
	"                     'access': 'rw' },"
	"                   { 'allow': true, 'type': 'b', 'major': 8, 'minor': -1 } ],"
	"      'memory': { 'limit': 536870912, 'reservation': 268435456, 'swap': -1,"
	"                  'kernel': -1, 'kernelTCP': -1, 'swappiness': 0,"
	"                  'disableOOMKiller': true },"
	"      'cpu': { 'shares': 1024, 'quota': 1000000, 'period': 500000,"
	"               'realtimeRuntime': 950000, 'realtimePeriod': 1000000,"
	"               'cpus': '2-3', 'mems': '0-7', 'idle': 1 },"
	"      'pids': { 'limit': 32771 },"
	"      'blockIO': { 'weight': 10, 'leafWeight': 10,"
	"        'weightDevice': [ { 'major': 8, 'minor': 0, 'weight': 500,"
	"                            'leafWeight': 300 },"
	"                          { 'major': 8, 'minor': 16 } ],"
	"        'throttleReadBpsDevice': [ { 'major': 8, 'minor': 0, 'rate': 600 } ],"
	"        'throttleWriteBpsDevice': [ { 'major': 8, 'minor': 16, 'rate': 700 } ],"
	"        'throttleReadIOPSDevice': [ { 'major': 8, 'minor': 32, 'rate': 800 } ],"
	"        'throttleWriteIOPSDevice': [ { 'major': 8, 'minor': 48, 'rate': 900 },"
	"                                     { 'major': 8, 'minor': 64, 'rate': 1 } ] },"
	"      'hugepageLimits': [ { 'pageSize': '2MB', 'limit': 209715200 },"
	"                          { 'pageSize': '1GB', 'limit': 0 } ],"
	"      'network': { 'classID': 1048577 },"
	"      'unified': { 'memory.high': '1G', 'io.max': '8:0 rbps=1024' } },"
	"    'cgroupsPath': '/myRuntime/myContainer',"
	"    'sysctl': { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '4294967295' },"
	"    'seccomp': {"
	"      'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
	"      'architectures': [ 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X86' ],"
	"      'flags': [ 'SECCOMP_FILTER_FLAG_LOG' ],"
	"      'listenerPath': '/run/x.sock',"
	"      'syscalls': ["
	"        { 'names': [ 'read', 'write' ], 'action': 'SCMP_ACT_ALLOW' },"
	"        { 'names': [ 'personality' ], 'action': 'SCMP_ACT_ALLOW',"
	"          'args': [ { 'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ' },"
	"                    { 'index': 5, 'value': 18446744073709551615,"
	"                      'valueTwo': 4294967296, 'op': 'SCMP_CMP_MASKED_EQ' } ] },"
	"        { 'names': [ 'mkdir' ], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1 },"
	"        { 'names': [ 'kill' ], 'action': 'SCMP_ACT_KILL_PROCESS' },"
	"        { 'names': [ 'a' ], 'action': 'SCMP_ACT_KILL' },"
	"        { 'names': [ 'b' ], 'action': 'SCMP_ACT_KILL_THREAD' },"
	"        { 'names': [ 'c' ], 'action': 'SCMP_ACT_TRAP' },"
	"        { 'names': [ 'd' ], 'action': 'SCMP_ACT_TRACE' },"
	"        { 'names': [ 'e' ], 'action': 'SCMP_ACT_LOG' },"
	"        { 'names': [ 'f' ], 'action': 'SCMP_ACT_NOTIFY' } ] },"
	"    'rootfsPropagation': 'rslave',"
	"    'maskedPaths': [ '/proc/kcore', '/sys/firmware' ],"
	"    'readonlyPaths': [ '/proc/sys' ],"
	"    'mountLabel': 'system_u:object_r:svirt_sandbox_file_t:s0:c715,c811',"
	"    'timeOffsets': { 'monotonic': { 'secs': -172800, 'nanosecs': 5 },"
	"                     'boottime': { 'secs': 1000000000000 } },"
	"    'intelRdt': { 'closID': 'guaranteed_group' },"
	"    'personality': { 'domain': 'LINUX' } } }";

static void test_full_process(void)
{
	struct oci_spec *s = oci_spec_parse(q(full_json), &err);
	struct oci_process *p;
	int ok = 0;

	CHECK(s != NULL);
	do {
		p = s->process;
		if (!p || !s->oci_version || strcmp(s->oci_version, "1.2.0"))
			break;
		if (!p->terminal || !p->has_console_size || p->console_height != 25 ||
		    p->console_width != 80)
			break;
		if (p->user.uid != 1000 || p->user.gid != 100 || !p->user.has_umask ||
		    p->user.umask != 022 || p->user.n_additional_gids != 2 ||
		    p->user.additional_gids[0] != 5 || p->user.additional_gids[1] != 4294967295u)
			break;
		if (strv_len(p->args) != 3 || strcmp(p->args[0], "/bin/sh") ||
		    strcmp(p->args[2], "echo hi"))
			break;
		if (strv_len(p->env) != 3 || strcmp(p->env[1], "EMPTY=") ||
		    strcmp(p->env[2], "X=a=b"))
			break;
		if (strcmp(p->cwd, "/home/user"))
			break;
		if (!p->caps.present ||
		    p->caps.bounding != ((1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) |
					 (1ULL << CAP_NET_BIND_SERVICE)) ||
		    p->caps.effective != 1ULL << CAP_KILL || p->caps.inheritable != 0 ||
		    p->caps.permitted != ((1ULL << CAP_KILL) | (1ULL << CAP_SYS_ADMIN)) ||
		    p->caps.ambient != 1ULL << CAP_CHOWN)
			break;
		if (p->n_rlimits != 2 || p->rlimits[0].resource != RLIMIT_NOFILE ||
		    p->rlimits[0].soft != 1024 || p->rlimits[0].hard != 4096 ||
		    p->rlimits[1].resource != RLIMIT_CORE || p->rlimits[1].hard != UINT64_MAX ||
		    p->rlimits[1].soft != 0)
			break;
		if (!p->no_new_privileges || !p->has_oom_score_adj || p->oom_score_adj != -500)
			break;
		if (strcmp(p->apparmor_profile, "acme_secure_profile") ||
		    strcmp(p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675"))
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

static void test_full_top_mounts_hooks(void)
{
	struct oci_spec *s = oci_spec_parse(q(full_json), &err);
	const struct oci_mount *m;
	const struct oci_hooks *h;
	int ok = 0;

	CHECK(s != NULL);
	do {
		if (strcmp(s->root_path, "rootfs") || !s->root_readonly ||
		    strcmp(s->hostname, "slartibartfast") || strcmp(s->domainname, "example.org"))
			break;
		if (s->n_annotations != 2 || strcmp(s->annotations[0].key, "com.example.key1") ||
		    strcmp(s->annotations[0].value, "value1") ||
		    strcmp(s->annotations[1].key, "k2") || strcmp(s->annotations[1].value, ""))
			break;
		if (s->n_mounts != 4)
			break;
		m = &s->mounts[0];
		if (strcmp(m->destination, "/proc") || strcmp(m->type, "proc") ||
		    strcmp(m->source, "proc") || m->flags || m->clear_flags || m->data || m->bind ||
		    m->propagation)
			break;
		m = &s->mounts[1];
		if (m->flags != (MS_NOSUID | MS_STRICTATIME) ||
		    strcmp(m->data, "mode=755,size=65536k") || m->bind)
			break;
		/* "nodev" then "dev": the later one wins */
		m = &s->mounts[2];
		if (!m->bind || !m->recursive || m->propagation != (MS_PRIVATE | MS_REC) ||
		    m->flags != MS_NOATIME || m->clear_flags != (MS_RDONLY | MS_NODEV) || m->data)
			break;
		m = &s->mounts[3];
		if (strcmp(m->destination, "/relative/old") || !m->bind || m->recursive ||
		    m->flags != (MS_RDONLY | MS_REMOUNT) || m->data)
			break;
		h = &s->hooks;
		if (h->n[OCI_HOOK_PRESTART] != 1 ||
		    strcmp(h->list[OCI_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts") ||
		    strv_len(h->list[OCI_HOOK_PRESTART][0].args) != 2 ||
		    strcmp(h->list[OCI_HOOK_PRESTART][0].args[1], "arg1") ||
		    strcmp(h->list[OCI_HOOK_PRESTART][0].env[0], "key1=value1") ||
		    h->list[OCI_HOOK_PRESTART][0].timeout != 0)
			break;
		if (h->n[OCI_HOOK_CREATE_RUNTIME] != 1 ||
		    h->list[OCI_HOOK_CREATE_RUNTIME][0].timeout != 5 ||
		    h->n[OCI_HOOK_CREATE_CONTAINER] != 1 ||
		    strcmp(h->list[OCI_HOOK_CREATE_CONTAINER][0].path, "/usr/bin/cc") ||
		    h->list[OCI_HOOK_CREATE_CONTAINER][0].args != NULL ||
		    h->n[OCI_HOOK_START_CONTAINER] != 1 ||
		    strcmp(h->list[OCI_HOOK_START_CONTAINER][0].path, "/usr/bin/sc") ||
		    h->n[OCI_HOOK_POSTSTART] != 1 || h->n[OCI_HOOK_POSTSTOP] != 2 ||
		    strcmp(h->list[OCI_HOOK_POSTSTOP][1].path, "/bin/true"))
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

static void test_full_linux(void)
{
	struct oci_spec *s = oci_spec_parse(q(full_json), &err);
	const struct oci_linux *l;
	const struct oci_namespace *ns;
	int ok = 0;

	CHECK(s != NULL);
	l = &s->linux;
	do {
		if (l->n_namespaces != 8 || l->namespaces[0].type != CLONE_NEWPID ||
		    l->namespaces[0].path || l->namespaces[1].type != CLONE_NEWNET ||
		    strcmp(l->namespaces[1].path, "/var/run/netns/x") ||
		    l->namespaces[2].type != CLONE_NEWIPC ||
		    l->namespaces[3].type != CLONE_NEWUTS || l->namespaces[4].type != CLONE_NEWNS ||
		    l->namespaces[5].type != CLONE_NEWUSER ||
		    l->namespaces[6].type != CLONE_NEWCGROUP ||
		    l->namespaces[6].path != NULL || /* "" = new */
		    l->namespaces[7].type != CLONE_NEWTIME)
			break;
		ns = oci_spec_namespace(s, CLONE_NEWNET);
		if (ns != &l->namespaces[1])
			break;
		if (l->n_uid_mappings != 1 || l->uid_mappings[0].container_id != 0 ||
		    l->uid_mappings[0].host_id != 1000 || l->uid_mappings[0].size != 32000 ||
		    l->n_gid_mappings != 2 || l->gid_mappings[1].container_id != 40000 ||
		    l->gid_mappings[1].host_id != 4000000000u || l->gid_mappings[1].size != 1)
			break;
		if (l->n_devices != 3 || strcmp(l->devices[0].path, "/dev/fuse") ||
		    l->devices[0].type != 'c' || l->devices[0].major != 10 ||
		    l->devices[0].minor != 229 || !l->devices[0].has_file_mode ||
		    l->devices[0].file_mode != 0666 || !l->devices[0].has_uid ||
		    !l->devices[0].has_gid || l->devices[1].type != 'b' ||
		    l->devices[1].major != 8 || l->devices[1].has_file_mode ||
		    l->devices[1].has_uid || l->devices[2].type != 'p')
			break;
		if (strcmp(l->cgroups_path, "/myRuntime/myContainer") || l->n_sysctl != 2 ||
		    strcmp(l->sysctl[0].key, "net.ipv4.ip_forward") ||
		    strcmp(l->sysctl[0].value, "1") || strcmp(l->sysctl[1].value, "4294967295"))
			break;
		if (l->rootfs_propagation != (MS_SLAVE | MS_REC) ||
		    strv_len(l->masked_paths) != 2 || strcmp(l->masked_paths[1], "/sys/firmware") ||
		    strv_len(l->readonly_paths) != 1 || strcmp(l->readonly_paths[0], "/proc/sys") ||
		    strcmp(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811"))
			break;
		if (!l->has_time_offsets || l->monotonic_secs != -172800 ||
		    l->monotonic_nanosecs != 5 || l->boottime_secs != 1000000000000LL ||
		    l->boottime_nanosecs != 0)
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

static void test_full_resources(void)
{
	struct oci_spec *s = oci_spec_parse(q(full_json), &err);
	const struct oci_resources *r;
	int ok = 0;

	CHECK(s != NULL);
	r = &s->linux.resources;
	do {
		if (!s->linux.has_resources)
			break;
		if (!r->has_memory_limit || r->memory_limit != 536870912 ||
		    !r->has_memory_reservation || r->memory_reservation != 268435456 ||
		    !r->has_memory_swap || r->memory_swap != -1 || !r->has_memory_swappiness ||
		    r->memory_swappiness != 0 || !r->disable_oom_killer)
			break;
		if (!r->has_cpu_shares || r->cpu_shares != 1024 || !r->has_cpu_quota ||
		    r->cpu_quota != 1000000 || !r->has_cpu_period || r->cpu_period != 500000 ||
		    !r->has_cpu_idle || r->cpu_idle != 1 || strcmp(r->cpuset_cpus, "2-3") ||
		    strcmp(r->cpuset_mems, "0-7"))
			break;
		if (!r->has_pids_limit || r->pids_limit != 32771)
			break;
		if (!r->has_io_weight || r->io_weight != 10 || r->n_io_weight_devices != 2 ||
		    r->io_weight_devices[0].major != 8 || !r->io_weight_devices[0].has_weight ||
		    r->io_weight_devices[0].weight != 500 || r->io_weight_devices[1].minor != 16 ||
		    r->io_weight_devices[1].has_weight)
			break;
		if (r->n_io_throttle[0] != 1 || r->io_throttle[0][0].rate != 600 ||
		    r->n_io_throttle[1] != 1 || r->io_throttle[1][0].minor != 16 ||
		    r->io_throttle[1][0].rate != 700 || r->n_io_throttle[2] != 1 ||
		    r->io_throttle[2][0].rate != 800 || r->n_io_throttle[3] != 2 ||
		    r->io_throttle[3][1].minor != 64 || r->io_throttle[3][1].rate != 1)
			break;
		if (r->n_hugepage_limits != 2 || strcmp(r->hugepage_limits[0].page_size, "2MB") ||
		    r->hugepage_limits[0].limit != 209715200 ||
		    strcmp(r->hugepage_limits[1].page_size, "1GB"))
			break;
		if (r->n_unified != 2 || strcmp(r->unified[0].key, "memory.high") ||
		    strcmp(r->unified[0].value, "1G") ||
		    strcmp(r->unified[1].value, "8:0 rbps=1024"))
			break;
		if (r->n_devices != 3 || r->devices[0].allow || r->devices[0].type != 'a' ||
		    r->devices[0].major != -1 || r->devices[0].minor != -1 ||
		    strcmp(r->devices[0].access, "rwm") || !r->devices[1].allow ||
		    r->devices[1].type != 'c' || r->devices[1].major != 10 ||
		    r->devices[1].minor != 229 || strcmp(r->devices[1].access, "rw") ||
		    r->devices[2].type != 'b' || r->devices[2].minor != -1 ||
		    strcmp(r->devices[2].access, "rwm"))
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

static void test_full_seccomp(void)
{
	static const enum oci_seccomp_action acts[] = {
		OCI_SCMP_ALLOW, OCI_SCMP_ALLOW,	      OCI_SCMP_ERRNO, OCI_SCMP_KILL_PROCESS,
		OCI_SCMP_KILL,	OCI_SCMP_KILL_THREAD, OCI_SCMP_TRAP,  OCI_SCMP_TRACE,
		OCI_SCMP_LOG,	OCI_SCMP_NOTIFY,
	};
	struct oci_spec *s = oci_spec_parse(q(full_json), &err);
	const struct oci_seccomp *sc;
	int ok = 0;

	CHECK(s != NULL);
	sc = s->linux.seccomp;
	do {
		if (!sc || sc->default_action != OCI_SCMP_ERRNO || !sc->has_default_errno_ret ||
		    sc->default_errno_ret != 38)
			break;
		if (strv_len(sc->architectures) != 2 ||
		    strcmp(sc->architectures[1], "SCMP_ARCH_X86") || strv_len(sc->flags) != 1 ||
		    strcmp(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG"))
			break;
		if (sc->n_rules != ARRAY_SIZE(acts))
			break;
		for (size_t i = 0; i < ARRAY_SIZE(acts); i++)
			if (sc->rules[i].action != acts[i])
				goto out;
		if (strv_len(sc->rules[0].names) != 2 || strcmp(sc->rules[0].names[1], "write") ||
		    sc->rules[0].has_errno_ret || sc->rules[0].n_args != 0)
			break;
		if (sc->rules[1].n_args != 2 || sc->rules[1].args[0].index != 0 ||
		    sc->rules[1].args[0].value != 8 || sc->rules[1].args[0].value_two != 0 ||
		    sc->rules[1].args[0].op != OCI_SCMP_CMP_EQ || sc->rules[1].args[1].index != 5 ||
		    sc->rules[1].args[1].value != UINT64_MAX ||
		    sc->rules[1].args[1].value_two != 4294967296ULL ||
		    sc->rules[1].args[1].op != OCI_SCMP_CMP_MASKED_EQ)
			break;
		if (!sc->rules[2].has_errno_ret || sc->rules[2].errno_ret != 1)
			break;
		ok = 1;
	} while (0);
out:
	oci_spec_free(s);
	CHECK(ok);
}

/* ---- errors ---------------------------------------------------------- */

static void test_malformed_json(void)
{
	CHECK_ERR("{ 'root': { 'path': 'r' }, }", "invalid JSON near '");
	CHECK_HAS(err.msg, "}, }'");
	CHECK_ERR("{ 'root': { 'path': 'r' } } trailing", "invalid JSON near '");
	CHECK_HAS(err.msg, "trailing' (line 1)");
	CHECK_ERR("{ 'root':\n  { 'path': 'r' ]", "\"r\" ]' (line 2)");
	CHECK_ERR("{ 'root': ", "invalid JSON near '{ \"root\":' (line 1)");
	CHECK_ERR("", "invalid JSON: empty input");
	CHECK_ERR(" \n ", "invalid JSON: empty input");
	CHECK_ERR("[ 1, 2 ]", "expected a JSON object");
	CHECK_ERR("'just a string'", "expected a JSON object");
}

static void test_load(void)
{
	char path[] = "/tmp/test-spec-XXXXXX";
	struct oci_spec *s;
	int fd = mkstemp(path);
	const char *bad = "{\n  \"root\": {\"path\": \"r\"},\n  oops\n}\n";

	CHECK(fd >= 0);
	CHECK(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
	close(fd);
	s = oci_spec_load(path, &err);
	if (s)
		oci_spec_free(s);
	CHECK(s == NULL);
	CHECK(strncmp(err.msg, path, strlen(path)) == 0);
	CHECK_HAS(err.msg, ": invalid JSON near '");
	CHECK_HAS(err.msg, "oops");
	CHECK_HAS(err.msg, "(line 3)");

	CHECK(file_write(path, q(with("", "")), &err) == 0);
	s = oci_spec_load(path, &err);
	unlink(path);
	CHECK(s != NULL);
	oci_spec_free(s);

	s = oci_spec_load("/nonexistent/config.json", &err);
	CHECK(s == NULL);
	CHECK_HAS(err.msg, "/nonexistent/config.json");
	CHECK(err.errnum == ENOENT);
}

static void test_wrong_types(void)
{
	CHECK_ERR("{ 'root': 'rootfs' }", "root: expected object");
	CHECK_ERR("{ 'root': { 'readonly': true } }", "root.path: required");
	CHECK_ERR("{ 'root': { 'path': 7 } }", "root.path: expected string");
	CHECK_ERR("{ 'process': {} }", "root: required");
	CHECK_ERR(with("'hostname': 1", ""), "hostname: expected string");
	CHECK_ERR(with("", "'terminal': 'yes'"), "process.terminal: expected boolean");
	CHECK_ERR(with("", "'user': { 'uid': '0' }"), "process.user.uid: expected integer");
	CHECK_ERR(with("", "'user': { 'additionalGids': [ 1, 'x' ] }"),
		  "process.user.additionalGids[1]: expected integer");
	CHECK_ERR(with("", "'consoleSize': [ 1 ]"), "process.consoleSize: expected object");
	CHECK_ERR(with("", "'env': 'A=b'"), "process.env: expected array of strings");
	CHECK_ERR(with("", "'env': [ 'A=b', 3 ]"), "process.env[1]: expected string");
	CHECK_ERR(with("", "'env': [ 'A=b', 'NOEQUALS' ]"),
		  "process.env[1]: expected NAME=VALUE, got \"NOEQUALS\"");
	CHECK_ERR(with("", "'env': [ '=x' ]"), "process.env[0]: expected NAME=VALUE");
	CHECK_ERR(with("", "'capabilities': { 'bounding': 'CAP_KILL' }"),
		  "process.capabilities.bounding: expected array of strings");
	CHECK_ERR(with("", "'rlimits': { }"), "process.rlimits: expected array");
	CHECK_ERR(with("", "'rlimits': [ 1 ]"), "process.rlimits[0]: expected object");
	CHECK_ERR(with("", "'oomScoreAdj': 1001"),
		  "process.oomScoreAdj: 1001 is out of range -1000..1000");
	CHECK_ERR(with("'mounts': { }", ""), "mounts: expected array");
	CHECK_ERR(with("'mounts': [ { 'destination': '/a' }, { 'type': 'tmpfs' } ]", ""),
		  "mounts[1].destination: required");
	CHECK_ERR(with("'mounts': [ { 'destination': '/a', 'options': [ 'ro', 1 ] } ]", ""),
		  "mounts[0].options[1]: expected string");
	CHECK_ERR(with("'annotations': { 'a': 'b', 'c': 1 }", ""),
		  "annotations.c: expected string");
	CHECK_ERR(with("'hooks': { 'poststop': [ { 'path': 'rel/hook' } ] }", ""),
		  "hooks.poststop[0].path: must be an absolute path, got \"rel/hook\"");
	CHECK_ERR(with("'hooks': { 'prestart': [ { 'args': [] } ] }", ""),
		  "hooks.prestart[0].path: required");
	CHECK_ERR(with("'hooks': { 'poststart': [ { 'path': '/h', 'timeout': 0 } ] }", ""),
		  "hooks.poststart[0].timeout: must be a positive number");
	CHECK_ERR(with("'linux': []", ""), "linux: expected object");
	CHECK_ERR(with("'linux': { 'sysctl': { 'net.ipv4.ip_forward': 1 } }", ""),
		  "linux.sysctl.net.ipv4.ip_forward: expected string");
	CHECK_ERR(with("'linux': { 'uidMappings': [ { 'containerID': 0, 'hostID': 1 } ] }", ""),
		  "linux.uidMappings[0].size: required");
	CHECK_ERR(with("'linux': { 'devices': [ { 'path': '/dev/x', 'type': 'x' } ] }", ""),
		  "linux.devices[0].type: expected one of c, b, u, p, got \"x\"");
	CHECK_ERR(with("'linux': { 'devices': [ { 'path': '/dev/x', 'type': 'c', 'major': 1 } ] }",
		       ""),
		  "linux.devices[0].minor: required");
	CHECK_ERR(with("'linux': { 'devices': [ { 'path': 'dev/x', 'type': 'p' } ] }", ""),
		  "linux.devices[0].path: must be an absolute path");
	CHECK_ERR(with("'linux': { 'resources': { 'devices': [ { 'allow': true, 'access': 'rwx' } "
		       "] } }",
		       ""),
		  "linux.resources.devices[0].access: expected a subset of \"rwm\"");
	CHECK_ERR(with("'linux': { 'resources': { 'devices': [ { 'access': 'r' } ] } }", ""),
		  "linux.resources.devices[0].allow: required");
	CHECK_ERR(with("'linux': { 'resources': { 'blockIO': { 'weight': 65536 } } }", ""),
		  "linux.resources.blockIO.weight: 65536 is out of range 0..65535");
	CHECK_ERR(with("'linux': { 'resources': { 'blockIO': { 'throttleReadBpsDevice': [ { "
		       "'major': 8, 'minor': 0 } ] } } }",
		       ""),
		  "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required");
	CHECK_ERR(with("'linux': { 'resources': { 'cpu': { 'cpus': 3 } } }", ""),
		  "linux.resources.cpu.cpus: expected string");
	CHECK_ERR(with("'linux': { 'resources': { 'hugepageLimits': [ { 'limit': 1 } ] } }", ""),
		  "linux.resources.hugepageLimits[0].pageSize: required");
	CHECK_ERR(with("'linux': { 'maskedPaths': [ '/a', null ] }", ""),
		  "linux.maskedPaths[1]: expected string");
	CHECK_ERR(with("'linux': { 'timeOffsets': { 'realtime': { 'secs': 1 } } }", ""),
		  "linux.timeOffsets: unknown clock \"realtime\"");
	CHECK_ERR(
		with("'linux': { 'timeOffsets': { 'boottime': { 'nanosecs': 1000000000 } } }", ""),
		"linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range");
}

static void test_namespaces(void)
{
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'type': 'pid' }, { 'type': 'mount' },"
		       " { 'type': 'foo' } ] }",
		       ""),
		  "linux.namespaces[2].type: unknown namespace type \"foo\"");
	CHECK_STR(err.msg, "linux.namespaces[2].type: unknown namespace type \"foo\"");
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'type': 'pid' }, { 'type': 'ipc' },"
		       " { 'type': 'pid', 'path': '/proc/1/ns/pid' } ] }",
		       ""),
		  "linux.namespaces[2].type: duplicate namespace type \"pid\"");
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'path': '/proc/1/ns/pid' } ] }", ""),
		  "linux.namespaces[0].type: required");
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'type': 'PID' } ] }", ""),
		  "unknown namespace type \"PID\"");
	CHECK_OK(with("'linux': { 'namespaces': [] }", ""));
	/* a quoted value cannot break the message into lines */
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'type': 'p\\nid\\t' } ] }", ""),
		  "unknown namespace type \"p?id?\"");
}

static void test_process_required(void)
{
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'args': [ 'sh' ], 'cwd': 'home' } }",
		  "process.cwd: must be an absolute path, got \"home\"");
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'args': [ 'sh' ] } }",
		  "process.cwd: required");
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'cwd': '/' } }",
		  "process.args: required");
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'args': [], 'cwd': '/' } }",
		  "process.args: expected non-empty array of strings");
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'args': 'sh', 'cwd': '/' } }",
		  "process.args: expected non-empty array of strings");
	CHECK_ERR("{ 'root': { 'path': 'r' }, 'process': { 'args': [ 'sh', 1 ], 'cwd': '/' } }",
		  "process.args[1]: expected string");
	/* no process at all is fine for `create` */
	CHECK_OK("{ 'root': { 'path': 'r' } }");
}

static void test_capabilities(void)
{
	CHECK_ERR(with("", "'capabilities': { 'bounding': [ 'CAP_KILL' ],"
			   " 'permitted': [ 'CAP_CHOWN', 'CAP_FOO' ] }"),
		  "process.capabilities.permitted[1]: unknown capability \"CAP_FOO\"");
	CHECK_ERR(with("", "'capabilities': { 'ambient': [ 7 ] }"),
		  "process.capabilities.ambient[0]: expected string");

	CHECK(oci_cap_last() == CAP_LAST_CAP);
	CHECK(oci_cap_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN);
	CHECK(oci_cap_from_name("sys_admin") == CAP_SYS_ADMIN);
	CHECK(oci_cap_from_name("CAP_CHOWN") == 0);
	CHECK(oci_cap_from_name("CAP_NOPE") == -1);
	CHECK(oci_cap_from_name("") == -1);
	CHECK(oci_cap_from_name("CAP_") == -1);
	CHECK_STR(oci_cap_name(CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE");
	CHECK(oci_cap_name(-1) == NULL);
	CHECK(oci_cap_name(CAP_LAST_CAP + 1) == NULL);
	for (int c = 0; c <= oci_cap_last(); c++) {
		CHECK(oci_cap_name(c) != NULL);
		CHECK(oci_cap_from_name(oci_cap_name(c)) == c);
	}
}

static void test_rlimits(void)
{
	CHECK_ERR(with("", "'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1 },"
			   " { 'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1 } ]"),
		  "process.rlimits[1].type: unknown rlimit type \"RLIMIT_FOO\"");
	CHECK_ERR(with("", "'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1 },"
			   " { 'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2 } ]"),
		  "process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\"");
	CHECK_ERR(with("", "'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'soft': 1 } ]"),
		  "process.rlimits[0].hard: required");
	CHECK_ERR(with("", "'rlimits': [ { 'type': 'RLIMIT_NOFILE', 'soft': -1, 'hard': 1 } ]"),
		  "process.rlimits[0].soft: expected non-negative integer, got -1");
	CHECK_ERR(with("", "'rlimits': [ { 'type': 'RLIMIT_NPROC', 'soft': 10, 'hard': 5 } ]"),
		  "process.rlimits[0]: soft limit 10 exceeds hard limit 5");
}

static void test_seccomp_errors(void)
{
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'names': [ 'a' ], 'action': 'SCMP_ACT_ALLOW' },"
		       " { 'names': [ 'b' ], 'action': 'SCMP_ACT_FOO' } ] } }",
		       ""),
		  "linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_FOO\"");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'ALLOW' } }", ""),
		  "linux.seccomp.defaultAction: unknown seccomp action \"ALLOW\"");
	CHECK_ERR(with("'linux': { 'seccomp': { 'syscalls': [] } }", ""),
		  "linux.seccomp.defaultAction: required");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'names': [], 'action': 'SCMP_ACT_ALLOW' } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].names: expected non-empty array of strings");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'action': 'SCMP_ACT_ALLOW' } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].names: required");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'names': [ 'x' ], 'action': 'SCMP_ACT_ALLOW',"
		       " 'args': [ { 'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ' } ] } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].args[0].index: 6 is out of range 0..5");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'names': [ 'x' ], 'action': 'SCMP_ACT_ALLOW',"
		       " 'args': [ { 'index': 1, 'value': 1, 'op': 'SCMP_CMP_XX' } ] } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW',"
		       " 'syscalls': [ { 'names': [ 'x' ], 'action': 'SCMP_ACT_ALLOW',"
		       " 'args': [ { 'index': 1, 'op': 'SCMP_CMP_EQ' } ] } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].args[0].value: required");
	CHECK_ERR(with("'linux': { 'seccomp': { 'defaultAction': 'SCMP_ACT_ERRNO',"
		       " 'defaultErrnoRet': -1 } }",
		       ""),
		  "linux.seccomp.defaultErrnoRet: expected non-negative integer");
}

static void test_integers(void)
{
	static const char *const bad[] = { "1.5", "1e3", "'512m'", "true", "[ 1 ]", "1.0" };
	char doc[256];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(doc, sizeof(doc),
			 "'linux': { 'resources': { 'memory': { 'limit': %s } } }", bad[i]);
		CHECK_ERR(with(doc, ""), "linux.resources.memory.limit: expected integer");
	}
	CHECK_ERR(with("'linux': { 'resources': { 'memory': { 'limit': 1.5 } } }", ""),
		  "linux.resources.memory.limit: expected integer, got 1.5");
	CHECK_ERR(with("'linux': { 'resources': { 'memory': { 'limit': 9223372036854775808 } } }",
		       ""),
		  "linux.resources.memory.limit: 9223372036854775808 is out of range");
	CHECK_ERR(with("'linux': { 'resources': { 'memory': { 'swap': -9223372036854775809 } } }",
		       ""),
		  "linux.resources.memory.swap: -9223372036854775809 is out of range");
	CHECK_ERR(
		with("'linux': { 'resources': { 'cpu': { 'shares': 18446744073709551616 } } }", ""),
		"linux.resources.cpu.shares: 18446744073709551616 is out of range");
	CHECK_ERR(with("'linux': { 'resources': { 'cpu': { 'period': -1 } } }", ""),
		  "linux.resources.cpu.period: expected non-negative integer, got -1");
	CHECK_ERR(with("", "'user': { 'uid': -1 }"),
		  "process.user.uid: expected non-negative integer, got -1");
	CHECK_ERR(with("", "'user': { 'gid': 4294967296 }"),
		  "process.user.gid: 4294967296 is out of range 0..4294967295");
	CHECK_ERR(with("", "'user': { 'umask': 4096 }"),
		  "process.user.umask: 4096 is out of range");
	CHECK_ERR(with("", "'consoleSize': { 'height': -3, 'width': 80 }"),
		  "process.consoleSize.height: expected non-negative integer");

	/* The extremes survive exactly (cJSON alone would round them). */
	struct oci_spec *s = oci_spec_parse(
		q(with("'linux': { 'resources': { 'memory': { 'limit': 9223372036854775807,"
		       " 'swap': -9223372036854775808, 'reservation': -0 },"
		       " 'pids': { 'limit': -1 }, 'cpu': { 'quota': -1,"
		       " 'shares': 18446744073709551615 } } }",
		       "")),
		&err);
	CHECK(s != NULL);
	int ok = s->linux.resources.memory_limit == INT64_MAX &&
		 s->linux.resources.memory_swap == INT64_MIN &&
		 s->linux.resources.memory_reservation == 0 &&
		 s->linux.resources.pids_limit == -1 && s->linux.resources.cpu_quota == -1 &&
		 s->linux.resources.cpu_shares == UINT64_MAX && !s->linux.resources.has_cpu_period;
	oci_spec_free(s);
	CHECK(ok);
}

static void test_propagation_and_mounts(void)
{
	struct oci_spec *s;
	int ok;

	CHECK_ERR(with("'linux': { 'rootfsPropagation': 'sideways' }", ""),
		  "linux.rootfsPropagation: unknown propagation \"sideways\"");
	CHECK_ERR(with("'linux': { 'rootfsPropagation': 5 }", ""),
		  "linux.rootfsPropagation: expected string");
	CHECK_ERR(with("'mounts': [ { 'destination': '/a', 'type': 'none', 'source': '/a',"
		       " 'options': [ 'rbind', 'rsync' ] } ]",
		       ""),
		  "mounts[0].options[1]: recursive mount option \"rsync\" is not supported");

	/* The recursive options: attr_set and attr_clr of mount_setattr,
	 * the later one of a pair wins, an atime mode clears the field. */
	s = oci_spec_parse(
		q(with("'mounts': [ { 'destination': '/a', 'type': 'none', 'source': '/a',"
		       " 'options': [ 'rbind', 'rro', 'rnosuid', 'rdev', 'rnodev', 'rexec',"
		       " 'rnosymfollow', 'rnoatime' ] },"
		       " { 'destination': '/b', 'options': [ 'rrw', 'rsuid', 'rro', 'ratime',"
		       " 'rnodiratime' ] } ]",
		       "")),
		&err);
	CHECK(s != NULL);
	ok = s->mounts[0].rec_set ==
		     (NOOK_MOUNT_ATTR_RDONLY | NOOK_MOUNT_ATTR_NOSUID | NOOK_MOUNT_ATTR_NODEV |
		      NOOK_MOUNT_ATTR_NOSYMFOLLOW | NOOK_MOUNT_ATTR_NOATIME) &&
	     s->mounts[0].rec_clr == (NOOK_MOUNT_ATTR_NOEXEC | NOOK_MOUNT_ATTR__ATIME) &&
	     strcmp(s->mounts[0].rec_opts, "rro,rnosuid,rdev,rnodev,rexec,rnosymfollow,rnoatime") ==
		     0 &&
	     s->mounts[0].flags == 0 && s->mounts[0].data == NULL && s->mounts[0].recursive &&
	     s->mounts[1].rec_set == (NOOK_MOUNT_ATTR_RDONLY | NOOK_MOUNT_ATTR_NODIRATIME) &&
	     s->mounts[1].rec_clr == (NOOK_MOUNT_ATTR_NOSUID | NOOK_MOUNT_ATTR__ATIME);
	oci_spec_free(s);
	CHECK(ok);
	CHECK_ERR(with("'mounts': [ { 'destination': '' } ]", ""),
		  "mounts[0].destination: empty path");

	static const struct {
		const char *name;
		unsigned long flags;
	} props[] = {
		{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	char doc[512];

	for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
		snprintf(doc, sizeof(doc),
			 "'linux': { 'rootfsPropagation': '%s' },"
			 " 'mounts': [ { 'destination': '/m', 'options': [ '%s' ] } ]",
			 props[i].name, props[i].name);
		s = oci_spec_parse(q(with(doc, "")), &err);
		CHECK(s != NULL);
		ok = s->linux.rootfs_propagation == props[i].flags &&
		     s->mounts[0].propagation == props[i].flags && s->mounts[0].flags == 0 &&
		     s->mounts[0].data == NULL;
		oci_spec_free(s);
		CHECK(ok);
	}

	/* Every flag option and its clearing twin. */
	s = oci_spec_parse(
		q(with("'linux': { 'rootfsPropagation': '' }, 'mounts': [ { 'destination': '/m',"
		       " 'type': 'devpts', 'source': 'devpts', 'options': [ 'ro', 'nosuid',"
		       " 'nodev', 'noexec', 'sync', 'dirsync', 'remount', 'mand', 'noatime',"
		       " 'nodiratime', 'relatime', 'strictatime', 'newinstance',"
		       " 'ptmxmode=0666', 'gid=5', 'defaults' ] },"
		       " { 'destination': '/n', 'options': [ 'rw', 'suid', 'dev', 'exec',"
		       " 'async', 'nomand', 'atime', 'diratime', 'norelatime',"
		       " 'nostrictatime' ] } ]",
		       "")),
		&err);
	CHECK(s != NULL);
	ok = s->linux.rootfs_propagation == 0 &&
	     s->mounts[0].flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
				    MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME |
				    MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME) &&
	     s->mounts[0].clear_flags == 0 && s->mounts[0].data &&
	     strcmp(s->mounts[0].data, "newinstance,ptmxmode=0666,gid=5") == 0 &&
	     s->mounts[1].flags == 0 &&
	     s->mounts[1].clear_flags ==
		     (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK |
		      MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME) &&
	     s->mounts[1].type == NULL && s->mounts[1].source == NULL;
	oci_spec_free(s);
	CHECK(ok);
}

static void test_unified(void)
{
	CHECK_ERR(with("'linux': { 'resources': { 'unified': { 'memory.max': '1G',"
		       " '../../cgroup.procs': '1' } } }",
		       ""),
		  "linux.resources.unified: invalid key \"../../cgroup.procs\"");
	CHECK_ERR(with("'linux': { 'resources': { 'unified': { 'a/b': '1' } } }", ""),
		  "linux.resources.unified: invalid key \"a/b\"");
	CHECK_ERR(with("'linux': { 'resources': { 'unified': { '..': '1' } } }", ""),
		  "linux.resources.unified: invalid key \"..\"");
	CHECK_ERR(with("'linux': { 'resources': { 'unified': { 'memory.max': 1 } } }", ""),
		  "linux.resources.unified.memory.max: expected string");
}

/* ---- ignoring -------------------------------------------------------- */

static void test_unknown_fields_and_nulls(void)
{
	struct oci_spec *s = oci_spec_parse(
		q("{ 'ociVersion': '1.0.0', 'futureField': { 'x': [ 1.5, 'y' ] },"
		  "  'root': { 'path': 'r', 'extra': 1 },"
		  "  'hostname': null, 'mounts': null,"
		  "  'process': { 'args': [ 'a' ], 'cwd': '/', 'oomScoreAdj': null,"
		  "    'scheduler': { 'policy': 'SCHED_OTHER' }, 'ioPriority': {},"
		  "    'commandLine': 'x', 'user': { 'uid': 1, 'username': 'x' } },"
		  "  'linux': { 'memoryPolicy': {}, 'netDevices': {}, 'seccomp': null,"
		  "    'resources': { 'memory': { 'limit': null, 'checkBeforeUpdate': true },"
		  "      'rdma': {}, 'network': { 'priorities': [] } },"
		  "    'namespaces': [ { 'type': 'pid', 'future': 1 } ] },"
		  "  'windows': { 'layerFolders': [] }, 'solaris': {}, 'vm': {} }"),
		&err);
	int ok;

	CHECK(s != NULL);
	ok = s->hostname == NULL && s->n_mounts == 0 && s->mounts == NULL &&
	     !s->process->has_oom_score_adj && s->process->user.uid == 1 &&
	     s->linux.seccomp == NULL && s->linux.has_resources &&
	     !s->linux.resources.has_memory_limit && s->linux.n_namespaces == 1 &&
	     oci_spec_namespace(s, CLONE_NEWNET) == NULL &&
	     oci_spec_namespace(s, CLONE_NEWPID) == &s->linux.namespaces[0] &&
	     s->process->env != NULL && s->process->env[0] == NULL && !s->process->caps.present;
	oci_spec_free(s);
	CHECK(ok);
}

/* ---- default spec ---------------------------------------------------- */

static void test_default_spec(void)
{
	char *json = oci_spec_default_json(0);
	struct oci_spec *s;
	uint64_t caps =
		(1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE);
	int ok = 0;

	CHECK(json != NULL);
	s = oci_spec_parse(json, &err);
	free(json);
	CHECK(s != NULL);
	do {
		const struct oci_process *p = s->process;

		if (strcmp(s->oci_version, "1.2.0") || !p || !p->terminal ||
		    strv_len(p->args) != 1 || strcmp(p->args[0], "sh") || strv_len(p->env) != 2 ||
		    strcmp(p->env[0],
			   "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") ||
		    strcmp(p->env[1], "TERM=xterm") || strcmp(p->cwd, "/"))
			break;
		if (p->caps.bounding != caps || p->caps.effective != caps ||
		    p->caps.permitted != caps || p->caps.inheritable || p->caps.ambient)
			break;
		if (p->n_rlimits != 1 || p->rlimits[0].resource != RLIMIT_NOFILE ||
		    p->rlimits[0].soft != 1024 || p->rlimits[0].hard != 1024 ||
		    !p->no_new_privileges)
			break;
		if (strcmp(s->root_path, "rootfs") || !s->root_readonly ||
		    strcmp(s->hostname, "nook"))
			break;
		if (s->n_mounts != 7 || strcmp(s->mounts[2].destination, "/dev/pts") ||
		    strcmp(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5") ||
		    strcmp(s->mounts[5].type, "sysfs") ||
		    s->mounts[5].flags != (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY) ||
		    strcmp(s->mounts[6].destination, "/sys/fs/cgroup"))
			break;
		if (s->linux.n_namespaces != 6 || !oci_spec_namespace(s, CLONE_NEWNET) ||
		    !oci_spec_namespace(s, CLONE_NEWCGROUP) ||
		    oci_spec_namespace(s, CLONE_NEWUSER) || s->linux.n_uid_mappings)
			break;
		if (!s->linux.has_resources || s->linux.resources.n_devices != 1 ||
		    s->linux.resources.devices[0].allow ||
		    s->linux.resources.devices[0].type != 'a')
			break;
		if (strv_len(s->linux.masked_paths) != 11 ||
		    strcmp(s->linux.masked_paths[0], "/proc/acpi") ||
		    strv_len(s->linux.readonly_paths) != 5 ||
		    strcmp(s->linux.readonly_paths[4], "/proc/sysrq-trigger"))
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

static void test_default_spec_rootless(void)
{
	char *json = oci_spec_default_json(1);
	struct oci_spec *s;
	int ok = 0;

	CHECK(json != NULL);
	s = oci_spec_parse(json, &err);
	free(json);
	CHECK(s != NULL);
	do {
		const struct oci_linux *l = &s->linux;

		if (!oci_spec_namespace(s, CLONE_NEWUSER) || oci_spec_namespace(s, CLONE_NEWNET) ||
		    !oci_spec_namespace(s, CLONE_NEWPID) || !oci_spec_namespace(s, CLONE_NEWNS) ||
		    l->n_namespaces != 6)
			break;
		if (l->n_uid_mappings != 1 || l->uid_mappings[0].container_id != 0 ||
		    l->uid_mappings[0].host_id != (uint32_t)geteuid() ||
		    l->uid_mappings[0].size != 1 || l->n_gid_mappings != 1 ||
		    l->gid_mappings[0].host_id != (uint32_t)getegid())
			break;
		if (l->has_resources || s->n_mounts != 7 ||
		    strcmp(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620") ||
		    strcmp(s->mounts[5].destination, "/sys") ||
		    strcmp(s->mounts[5].source, "/sys") || !s->mounts[5].bind ||
		    !s->mounts[5].recursive || !(s->mounts[5].flags & MS_RDONLY))
			break;
		ok = 1;
	} while (0);
	oci_spec_free(s);
	CHECK(ok);
}

/* runc's spec on a host whose /sys/fs/cgroup is not cgroup2: no cgroup
 * namespace, the others in runc's order. */
static void test_default_spec_no_cgroupns(void)
{
	static const int want[] = { CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS,
				    CLONE_NEWNS };
	static const int want_rootless[] = { CLONE_NEWPID, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS,
					     CLONE_NEWUSER };

	for (int r = 0; r < 2; r++) {
		char *json =
			oci_spec_default_json(OCI_SPEC_NO_CGROUPNS | (r ? OCI_SPEC_ROOTLESS : 0));
		const int *w = r ? want_rootless : want;
		struct oci_spec *s;
		int ok = 1;

		CHECK(json != NULL);
		s = oci_spec_parse(json, &err);
		free(json);
		CHECK(s != NULL);
		if (!s)
			continue;
		if (s->linux.n_namespaces != 5)
			ok = 0;
		for (size_t i = 0; ok && i < 5; i++)
			if (s->linux.namespaces[i].type != w[i])
				ok = 0;
		oci_spec_free(s);
		CHECK(ok);
	}
}

/* ---- process and resources alone ------------------------------------- */

static void test_process_parse(void)
{
	struct oci_process *p = oci_process_parse(
		q("{ 'terminal': false, 'args': [ '/bin/ps', 'aux' ], 'cwd': '/tmp',"
		  "  'env': [ 'A=1' ], 'user': { 'uid': 33, 'gid': 33 },"
		  "  'capabilities': { 'effective': [ 'CAP_NET_RAW' ] },"
		  "  'noNewPrivileges': true, 'unknown': [] }"),
		&err);
	int ok;

	CHECK(p != NULL);
	ok = !p->terminal && strcmp(p->args[1], "aux") == 0 && strcmp(p->cwd, "/tmp") == 0 &&
	     p->user.uid == 33 && p->caps.present && p->caps.effective == 1ULL << CAP_NET_RAW &&
	     p->no_new_privileges && strv_len(p->env) == 1;
	oci_process_free(p);
	CHECK(ok);

	p = oci_process_parse(q("{ 'args': [ 'x' ], 'cwd': 'rel' }"), &err);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "process.cwd: must be an absolute path, got \"rel\"");
	p = oci_process_parse(q("{ 'args': [ 'x' ], 'cwd': '/',"
				" 'rlimits': [ { 'type': 'RLIMIT_X', 'soft': 1, 'hard': 1 } ] }"),
			      &err);
	CHECK(p == NULL);
	CHECK_HAS(err.msg, "process.rlimits[0].type: unknown rlimit type");
	p = oci_process_parse(q("[ 'args' ]"), &err);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "process: expected object");
	p = oci_process_parse("{ \"args\": ", &err);
	CHECK(p == NULL);
	CHECK_HAS(err.msg, "invalid JSON");
}

static void test_resources_parse(void)
{
	struct oci_resources r;
	int ok;

	CHECK(oci_resources_parse(q("{ 'memory': { 'limit': 1048576, 'swap': 2097152 },"
				    "  'cpu': { 'quota': 50000, 'period': 100000, 'cpus': '0' },"
				    "  'pids': { 'limit': 10 },"
				    "  'blockIO': { 'weight': 100 },"
				    "  'unified': { 'pids.max': '20' } }"),
				  &r, &err) == 0);
	ok = r.has_memory_limit && r.memory_limit == 1048576 && r.memory_swap == 2097152 &&
	     r.cpu_quota == 50000 && r.cpu_period == 100000 && strcmp(r.cpuset_cpus, "0") == 0 &&
	     r.pids_limit == 10 && r.io_weight == 100 && r.n_unified == 1 &&
	     !r.has_memory_reservation && !r.has_cpu_shares;
	oci_resources_free(&r);
	CHECK(ok);
	CHECK(r.cpuset_cpus == NULL && r.n_unified == 0);

	CHECK(oci_resources_parse(q("{ 'memory': { 'limit': '1G' } }"), &r, &err) == -1);
	CHECK_STR(err.msg, "memory.limit: expected integer");
	CHECK(r.has_memory_limit == 0);
	CHECK(oci_resources_parse(q("{ 'unified': { 'x': '1', '../y': '2' } }"), &r, &err) == -1);
	CHECK_HAS(err.msg, "unified: invalid key \"../y\"");
	CHECK(r.unified == NULL);
	CHECK(oci_resources_parse("5", &r, &err) == -1);
	CHECK_STR(err.msg, "expected object");
	CHECK(oci_resources_parse("{", &r, &err) == -1);
	CHECK_HAS(err.msg, "invalid JSON");
}

/* A failure deep inside nested arrays releases what was built so far (LSan
 * checks this at exit). */
static void test_partial_free(void)
{
	CHECK_ERR(with("'mounts': [ { 'destination': '/a', 'options': [ 'size=1' ] },"
		       " { 'destination': '/b', 'source': 's', 'type': 7 } ],"
		       " 'annotations': { 'a': 'b' }",
		       "'env': [ 'A=1' ], 'rlimits': [ { 'type': 'RLIMIT_AS', 'soft': 1, 'hard': 2 "
		       "} ]"),
		  "mounts[1].type: expected string");
	CHECK_ERR(with("'hooks': { 'prestart': [ { 'path': '/a', 'args': [ 'a' ] } ],"
		       " 'poststop': [ { 'path': '/b', 'env': [ 'x=1' ], 'timeout': -2 } ] }",
		       ""),
		  "hooks.poststop[0].timeout");
	CHECK_ERR(with("'linux': { 'namespaces': [ { 'type': 'pid', 'path': '/p' } ],"
		       " 'sysctl': { 'a': 'b' }, 'maskedPaths': [ '/x' ],"
		       " 'resources': { 'hugepageLimits': [ { 'pageSize': '2MB', 'limit': 1 } ],"
		       "   'unified': { 'a': 'b' }, 'cpu': { 'cpus': '1' } },"
		       " 'seccomp': { 'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': [ 'x' ],"
		       "   'syscalls': [ { 'names': [ 'a', 'b' ], 'action': 'SCMP_ACT_ALLOW',"
		       "   'args': [ { 'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ' },"
		       "             { 'index': 0, 'value': 1.5, 'op': 'SCMP_CMP_EQ' } ] } ] } }",
		       ""),
		  "linux.seccomp.syscalls[0].args[1].value: expected integer, got 1.5");
}

int main(void)
{
	RUN(test_full_process);
	RUN(test_full_top_mounts_hooks);
	RUN(test_full_linux);
	RUN(test_full_resources);
	RUN(test_full_seccomp);
	RUN(test_malformed_json);
	RUN(test_load);
	RUN(test_wrong_types);
	RUN(test_namespaces);
	RUN(test_process_required);
	RUN(test_capabilities);
	RUN(test_rlimits);
	RUN(test_seccomp_errors);
	RUN(test_integers);
	RUN(test_propagation_and_mounts);
	RUN(test_unified);
	RUN(test_unknown_fields_and_nulls);
	RUN(test_default_spec);
	RUN(test_default_spec_rootless);
	RUN(test_default_spec_no_cgroupns);
	RUN(test_process_parse);
	RUN(test_resources_parse);
	RUN(test_partial_free);
	UNIT_EXIT();
}
