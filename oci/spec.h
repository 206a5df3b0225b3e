/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec: OCI runtime-spec (1.0 - 1.2) config.json <-> C structs.
 *
 * Parsing validates types and values; an error names the JSON path of the
 * offending value ("linux.resources.memory.limit: expected integer").
 * Unknown fields are ignored, as the spec requires.  Every string and array
 * in the structs is owned by the struct oci_spec and freed by oci_spec_free.
 * Optional scalars carry a `has_*` flag: absent and zero differ.
 */
#ifndef NOOK_SPEC_H
#define NOOK_SPEC_H

#include <stdint.h>
#include <sys/types.h>

#include "oci/util.h"

/* GNU C modes (-std=gnu11) predefine `linux` as 1, which would turn the
 * `linux` member of struct oci_spec into a syntax error.  __linux__ is the
 * name to test; the bare one is obsolete. */
#undef linux

struct oci_user {
	uint32_t uid, gid;
	int has_umask;
	mode_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

struct oci_rlimit {
	int resource; /* RLIMIT_* from "RLIMIT_NOFILE" etc. */
	uint64_t soft, hard;
};

/* Capability sets as bit masks (bit n = capability n, n < 64). */
struct oci_caps {
	int present; /* process.capabilities was given */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_process {
	int terminal;
	int has_console_size;
	unsigned console_height, console_width;
	struct oci_user user;
	char **args; /* NULL-terminated, at least one element */
	char **env; /* NULL-terminated, may be empty */
	char *cwd; /* absolute */
	struct oci_caps caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile; /* applied on exec; refused without AppArmor */
	char *selinux_label; /* accepted, not applied */
};

/* A mount's "options" split into what mount(2) needs. */
struct oci_mount {
	char *destination; /* absolute, inside the container */
	char *source; /* may be NULL (e.g. tmpfs without source) */
	char *type; /* may be NULL (bind mounts) */
	unsigned long flags; /* MS_RDONLY, MS_NOSUID, ... to set */
	unsigned long clear_flags; /* flags explicitly cleared ("rw", "suid") */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE
				    * (| MS_REC), 0 if none */
	int bind; /* "bind" or "rbind" */
	int recursive; /* "rbind" */
	char *data; /* remaining options joined by ',' (size=, mode=) or NULL */
	uint64_t rec_set, rec_clr; /* "rro", "rnosuid"...: NOOK_MOUNT_ATTR_* for
				    * mount_setattr(AT_RECURSIVE), 0 if none */
	char *rec_opts; /* those options joined by ',' (for messages) or NULL */
};

struct oci_hook {
	char *path;
	char **args; /* may be NULL */
	char **env; /* may be NULL */
	int timeout; /* seconds, 0 = none */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hooks {
	struct oci_hook *list[OCI_HOOK_KINDS];
	size_t n[OCI_HOOK_KINDS];
};

struct oci_namespace {
	int type; /* CLONE_NEWPID, CLONE_NEWNS, ... */
	char *path; /* join this namespace; NULL = create a new one */
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	int has_file_mode;
	mode_t file_mode;
	int has_uid, has_gid;
	uint32_t uid, gid;
};

/* linux.resources.devices: the device cgroup allow/deny list. */
struct oci_device_rule {
	int allow;
	char type; /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1 = wildcard */
	char access[4]; /* subset of "rwm" */
};

struct oci_throttle {
	int64_t major, minor;
	uint64_t rate;
};

struct oci_weight_device {
	int64_t major, minor;
	int has_weight;
	uint16_t weight;
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct oci_keyval {
	char *key, *value;
};

struct oci_resources {
	/* memory */
	int has_memory_limit, has_memory_reservation, has_memory_swap;
	int64_t memory_limit, memory_reservation, memory_swap; /* -1 = max */
	int has_memory_swappiness;
	uint64_t memory_swappiness;
	int disable_oom_killer;
	/* pids */
	int has_pids_limit;
	int64_t pids_limit; /* <= 0 = max */
	/* cpu */
	int has_cpu_shares, has_cpu_quota, has_cpu_period, has_cpu_idle;
	uint64_t cpu_shares;
	int64_t cpu_quota; /* -1 = max */
	uint64_t cpu_period;
	int64_t cpu_idle;
	char *cpuset_cpus, *cpuset_mems;
	/* io (blockIO) */
	int has_io_weight;
	uint16_t io_weight;
	struct oci_weight_device *io_weight_devices;
	size_t n_io_weight_devices;
	struct oci_throttle *io_throttle[4]; /* read bps, write bps, read iops, write iops */
	size_t n_io_throttle[4];
	/* hugetlb */
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	/* unified: raw cgroup v2 files */
	struct oci_keyval *unified;
	size_t n_unified;
	/* device cgroup rules */
	struct oci_device_rule *devices;
	size_t n_devices;
};

enum oci_seccomp_action {
	OCI_SCMP_KILL, /* SCMP_ACT_KILL = kill thread */
	OCI_SCMP_KILL_PROCESS,
	OCI_SCMP_KILL_THREAD,
	OCI_SCMP_TRAP,
	OCI_SCMP_ERRNO,
	OCI_SCMP_TRACE,
	OCI_SCMP_ALLOW,
	OCI_SCMP_LOG,
	OCI_SCMP_NOTIFY, /* to the agent at listener_path */
};

enum oci_seccomp_op {
	OCI_SCMP_CMP_NE,
	OCI_SCMP_CMP_LT,
	OCI_SCMP_CMP_LE,
	OCI_SCMP_CMP_EQ,
	OCI_SCMP_CMP_GE,
	OCI_SCMP_CMP_GT,
	OCI_SCMP_CMP_MASKED_EQ,
};

struct oci_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_rule {
	char **names; /* NULL-terminated */
	enum oci_seccomp_action action;
	int has_errno_ret;
	unsigned errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action;
	int has_default_errno_ret;
	unsigned default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", ...; may be NULL */
	char **flags; /* "SECCOMP_FILTER_FLAG_LOG", ...; may be NULL */
	char *listener_path; /* the SCMP_ACT_NOTIFY agent's socket; may be NULL */
	char *listener_metadata; /* passed to the agent; may be NULL */
	struct oci_seccomp_rule *rules;
	size_t n_rules;
	/* Deferred (oci_spec_parse_owned): the text of the syscalls array,
	 * not parsed yet (rules is empty), inside doc, the whole config.json;
	 * oci_seccomp_rules parses it.  NULL: rules is the list. */
	const char *syscalls_text, *syscalls_doc;
	size_t syscalls_len;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	int has_resources;
	struct oci_resources resources;
	char *cgroups_path; /* may be NULL */
	struct oci_keyval *sysctl;
	size_t n_sysctl;
	struct oci_seccomp *seccomp; /* NULL = no filter */
	char **masked_paths; /* may be NULL */
	char **readonly_paths; /* may be NULL */
	unsigned long rootfs_propagation; /* 0 = default (MS_REC|MS_SLAVE) */
	char *mount_label; /* accepted and ignored (no SELinux) */
	/* linux.timeOffsets for the time namespace */
	int has_time_offsets;
	int64_t boottime_secs, monotonic_secs;
	uint32_t boottime_nanosecs, monotonic_nanosecs;
};

struct oci_spec {
	char *oci_version;
	struct oci_process *process; /* NULL if absent (allowed for create only) */
	char *root_path; /* as given (may be relative to the bundle) */
	int root_readonly;
	char *hostname, *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hooks hooks;
	struct oci_keyval *annotations;
	size_t n_annotations;
	struct oci_linux linux;
	char *text; /* oci_spec_parse_owned's */
};

/* Parse a config.json text.  Returns a new spec or NULL with e set; the
 * message names the JSON path ("process.args: expected array of strings"). */
struct oci_spec *oci_spec_parse(const char *json, struct err *e);
/* The same from a parsed tree (an object nook holds already). */
struct cJSON;
struct oci_spec *oci_spec_from_json(const struct cJSON *j, struct err *e);
/* The same, owning text (freed with the spec, or on failure): a seccomp
 * profile's syscall list may stay unparsed in it until a start needs it
 * (see oci_seccomp_rules). */
struct oci_spec *oci_spec_parse_owned(char *text, struct err *e);
/* Read and parse a file (as oci_spec_parse_owned). */
struct oci_spec *oci_spec_load(const char *path, struct err *e);
/* A deferred syscalls list (sc->syscalls_text) parsed into *rules and *n, with
 * the errors a full parse gives ("linux.seccomp.syscalls[3].action: ...",
 * or the document's JSON error).  0 with nothing when none is deferred. */
int oci_seccomp_rules(const struct oci_seccomp *sc, struct oci_seccomp_rule **rules, size_t *n,
		      struct err *e);
void oci_seccomp_rules_free(struct oci_seccomp_rule *rules, size_t n);
void oci_spec_free(struct oci_spec *s);

/* Parse only a "process" object (runc exec --process). */
struct oci_process *oci_process_parse(const char *json, struct err *e);
void oci_process_free(struct oci_process *p);

/* Parse a resources object (runc update --resources). */
int oci_resources_parse(const char *json, struct oci_resources *r, struct err *e);
void oci_resources_free(struct oci_resources *r);

/* Find a namespace entry of type (CLONE_NEW*), or NULL. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, int type);

/* "SCMP_ACT_KILL", ...: the name of a seccomp action. */
const char *oci_seccomp_action_name(enum oci_seccomp_action a);

/* Capability name ("CAP_SYS_ADMIN") to number, -1 if unknown; and back. */
int oci_cap_from_name(const char *name);
const char *oci_cap_name(int cap);
/* Highest capability number this build knows. */
int oci_cap_last(void);

/* The default config.json text `nook runtime spec` writes (runc's default:
 * sh, terminal, the usual mounts and masked paths).  flags:
 * OCI_SPEC_ROOTLESS adds a user namespace with mappings for the current
 * user instead of a network namespace; OCI_SPEC_NO_CGROUPNS leaves out the
 * cgroup namespace (runc has one only where /sys/fs/cgroup is cgroup2).
 * Caller frees. */
#define OCI_SPEC_ROOTLESS 1
#define OCI_SPEC_NO_CGROUPNS 2
char *oci_spec_default_json(int flags);
/* The same as a tree (the caller's to delete), NULL when out of memory. */
struct cJSON *oci_spec_default(int flags);

#endif
