// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp: linux.seccomp -> a classic BPF program, and its installation.
 *
 * The filter is built in the parent with libseccomp (which knows every
 * architecture's syscall numbers: none are typed here) and exported into a
 * malloc'd array of struct sock_filter.  The container child, after a raw
 * clone, only makes the seccomp(2) (or prctl) call on that array: no
 * libseccomp, no malloc, no stdio on that side.
 *
 * Semantics follow runc: a syscall name unknown on this architecture is
 * skipped; a rule whose action equals the default action is skipped
 * (libseccomp refuses it); when two conditions of one rule test the same
 * argument, each condition becomes a rule of its own (libseccomp cannot AND
 * two tests of one argument), otherwise the conditions are ANDed.  Unknown
 * actions, operators, architectures and flags are errors naming the entry.
 * SCMP_ACT_NOTIFY is refused: nook runs no seccomp listener.  Under an
 * errno default, syscalls newer than the profile answer ENOSYS (runc's
 * rule), so that libc falls back to their older forms.
 *
 * libseccomp is told to leave no_new_privs alone (the runtime sets it), and
 * the spec's flags go straight into our own seccomp(2) call.
 */
#include "oci/seccomp.h"

#include <ctype.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Kernel ABI values (not per-arch), for older UAPI headers. */
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1U << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1U << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1U << 2)
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif

/* libseccomp accepts SCMP_ACT_ERRNO(n) only for n < MAX_ERRNO (4095). */
#define ERRNO_RET_MAX 4094
/* Above this many syscall names, ask for libseccomp's binary tree (runc's
 * threshold; libseccomp <= 2.5.4 misbehaves with the tree and no rules). */
#define OPTIMIZE_MIN_NAMES 32

/* The runtime-spec names; libseccomp's name is the lowercased suffix. */
static const char *const arch_names[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K",    "SCMP_ARCH_SH",	   "SCMP_ARCH_SHEB",
};

static const struct {
	const char *name;
	unsigned int flag; /* 0: accepted, not passed to the kernel */
} filter_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	/* Only changes how a listener receives notifications; without
	 * SECCOMP_FILTER_FLAG_NEW_LISTENER (we refuse SCMP_ACT_NOTIFY) the
	 * kernel rejects it with EINVAL, so it is accepted and dropped. */
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0 },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	[OCI_SCMP_CMP_NE] = { "SCMP_CMP_NE", SCMP_CMP_NE },
	[OCI_SCMP_CMP_LT] = { "SCMP_CMP_LT", SCMP_CMP_LT },
	[OCI_SCMP_CMP_LE] = { "SCMP_CMP_LE", SCMP_CMP_LE },
	[OCI_SCMP_CMP_EQ] = { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	[OCI_SCMP_CMP_GE] = { "SCMP_CMP_GE", SCMP_CMP_GE },
	[OCI_SCMP_CMP_GT] = { "SCMP_CMP_GT", SCMP_CMP_GT },
	[OCI_SCMP_CMP_MASKED_EQ] = { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* Syscalls added to Linux since 5.3, in libseccomp's names.  Under an
 * errno default, a profile written before one of them existed would answer
 * it with EPERM, and libc (musl, glibc) falls back to the older call only
 * on ENOSYS: clone3 -> clone, openat2 -> openat, faccessat2 -> faccessat,
 * close_range -> a loop.  runc answers ENOSYS for every number above the
 * highest the profile names (by patching the BPF); with libseccomp alone
 * we name them.  Names this libseccomp does not know are skipped: their
 * numbers cannot come from anywhere else. */
static const char *const newer_syscalls[] = {
	"pidfd_send_signal",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"open_tree",
	"move_mount",
	"fsopen",
	"fsconfig",
	"fsmount",
	"fspick",
	"pidfd_open",
	"clone3",
	"close_range",
	"openat2",
	"pidfd_getfd",
	"faccessat2",
	"process_madvise",
	"epoll_pwait2",
	"mount_setattr",
	"quotactl_fd",
	"landlock_create_ruleset",
	"landlock_add_rule",
	"landlock_restrict_self",
	"memfd_secret",
	"process_mrelease",
	"futex_waitv",
	"set_mempolicy_home_node",
	"cachestat",
	"fchmodat2",
	"map_shadow_stack",
	"futex_wake",
	"futex_wait",
	"futex_requeue",
	"statmount",
	"listmount",
	"lsm_get_self_attr",
	"lsm_set_self_attr",
	"lsm_list_modules",
	"mseal",
	"setxattrat",
	"getxattrat",
	"listxattrat",
	"removexattrat",
	"open_tree_attr",
};

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* OCI action (+ errnoRet) -> SCMP_ACT_*.  path names the entry, e.g.
 * "linux.seccomp.syscalls[3]"; ret_field the errnoRet key. */
static int action_get(enum oci_seccomp_action a, int has_ret, unsigned ret, const char *path,
		      const char *act_field, const char *ret_field, uint32_t *out, struct err *e)
{
	switch (a) {
	case OCI_SCMP_KILL:
	case OCI_SCMP_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
	case OCI_SCMP_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
	case OCI_SCMP_TRAP: *out = SCMP_ACT_TRAP; return 0;
	case OCI_SCMP_ERRNO:
		if (has_ret && ret > ERRNO_RET_MAX)
			return err_set(e, 0, "%s.%s: %u out of range (0-%d)", path, ret_field, ret,
				       ERRNO_RET_MAX);
		*out = SCMP_ACT_ERRNO(has_ret ? ret : EPERM);
		return 0;
	case OCI_SCMP_TRACE:
		if (has_ret && ret > 0xffff)
			return err_set(e, 0, "%s.%s: %u out of range (0-65535)", path, ret_field,
				       ret);
		*out = SCMP_ACT_TRACE(has_ret ? ret : EPERM);
		return 0;
	case OCI_SCMP_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
	case OCI_SCMP_LOG: *out = SCMP_ACT_LOG; return 0;
	case OCI_SCMP_NOTIFY:
		return err_set(e, 0,
			       "%s.%s: SCMP_ACT_NOTIFY is not supported "
			       "(no seccomp listener)",
			       path, act_field);
	}
	return err_set(e, 0, "%s.%s: unknown action %d", path, act_field, (int)a);
}

/* "SCMP_ARCH_MIPSEL64N32" -> libseccomp's "mipsel64n32" -> its token;
 * 0 if the spec does not name it or this libseccomp does not know it. */
static uint32_t arch_resolve(const char *name)
{
	const size_t plen = strlen("SCMP_ARCH_");
	char low[32];
	size_t k, j;

	for (k = 0; k < ARRAY_SIZE(arch_names); k++)
		if (!strcmp(name, arch_names[k]))
			break;
	if (k == ARRAY_SIZE(arch_names))
		return 0;
	for (j = 0; name[plen + j] && j < sizeof(low) - 1; j++)
		low[j] = (char)tolower((unsigned char)name[plen + j]);
	low[j] = '\0';
	return seccomp_arch_resolve_name(low);
}

static int arch_add(scmp_filter_ctx ctx, size_t i, const char *name, struct err *e)
{
	uint32_t arch = arch_resolve(name);
	int rc;

	if (!arch)
		return err_set(e, 0,
			       "linux.seccomp.architectures[%zu] \"%s\": "
			       "unknown architecture",
			       i, name);
	/* The native arch is already there: EEXIST is fine. */
	rc = seccomp_arch_add(ctx, arch);
	if (rc < 0 && rc != -EEXIST)
		return err_set(e, -rc,
			       "linux.seccomp.architectures[%zu] \"%s\": "
			       "add to filter",
			       i, name);
	return 0;
}

static int flag_get(size_t i, const char *name, unsigned int *flags, struct err *e)
{
	for (size_t k = 0; k < ARRAY_SIZE(filter_flags); k++) {
		if (!strcmp(name, filter_flags[k].name)) {
			*flags |= filter_flags[k].flag;
			return 0;
		}
	}
	return err_set(e, 0, "linux.seccomp.flags[%zu] \"%s\": unknown flag", i, name);
}

/* Translate a rule's args into cmp[]; *split says whether an argument is
 * tested twice (then every condition goes into a rule of its own). */
static int conds_get(const struct oci_seccomp_rule *r, size_t ri, struct scmp_arg_cmp *cmp,
		     int *split, struct err *e)
{
	unsigned count[6] = { 0 };

	*split = 0;
	for (size_t i = 0; i < r->n_args; i++) {
		const struct oci_seccomp_arg *a = &r->args[i];

		if (a->index >= ARRAY_SIZE(count))
			return err_set(e, 0,
				       "linux.seccomp.syscalls[%zu].args[%zu]."
				       "index: %u out of range (0-5)",
				       ri, i, a->index);
		if ((unsigned)a->op >= ARRAY_SIZE(operators))
			return err_set(e, 0,
				       "linux.seccomp.syscalls[%zu].args[%zu]."
				       "op: unknown operator %d",
				       ri, i, (int)a->op);
		if (++count[a->index] > 1)
			*split = 1;
		cmp[i] = (struct scmp_arg_cmp){
			.arg = a->index,
			.op = operators[a->op].op,
			.datum_a = a->value,
			.datum_b = a->value_two,
		};
	}
	return 0;
}

static int rule_add(scmp_filter_ctx ctx, const struct oci_seccomp_rule *r, size_t ri,
		    uint32_t def_action, struct err *e)
{
	struct scmp_arg_cmp *cmp = NULL;
	uint32_t action;
	int split = 0, rc = 0;
	char path[64];

	snprintf(path, sizeof(path), "linux.seccomp.syscalls[%zu]", ri);
	if (action_get(r->action, r->has_errno_ret, r->errno_ret, path, "action", "errnoRet",
		       &action, e) < 0)
		return -1;
	/* Checked even when the rule turns out redundant: a bad profile is
	 * bad on every host. */
	if (r->n_args) {
		cmp = xcalloc(r->n_args, sizeof(*cmp));
		if (conds_get(r, ri, cmp, &split, e) < 0) {
			free(cmp);
			return -1;
		}
	}
	/* libseccomp refuses a rule with the default action (EACCES). */
	if (action == def_action) {
		free(cmp);
		return 0;
	}
	for (size_t i = 0; r->names && r->names[i]; i++) {
		const char *name = r->names[i];
		int nr;

		if (!*name) {
			rc = err_set(e, 0, "%s.names[%zu]: empty syscall name", path, i);
			break;
		}
		/* Unknown here (newer kernel, other arch): skip, as runc. */
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		/* Non-exact: libseccomp maps the rule onto every arch of the
		 * filter (and onto socketcall/ipc multiplexers). */
		if (!split) {
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)r->n_args, cmp);
		} else {
			for (size_t k = 0; k < r->n_args && rc == 0; k++)
				rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[k]);
		}
		if (rc < 0) {
			rc = err_set(e, -rc, "%s.names[%zu] \"%s\": add rule", path, i, name);
			break;
		}
	}
	free(cmp);
	return rc;
}

/* The highest native syscall number the profile names (in any rule,
 * whatever its action), -1 if none. */
static int profile_max_nr(const struct oci_seccomp *s)
{
	int max = -1;

	for (size_t i = 0; i < s->n_rules; i++) {
		for (size_t k = 0; s->rules[i].names && s->rules[i].names[k]; k++) {
			int n = seccomp_syscall_resolve_name(s->rules[i].names[k]);

			if (n != __NR_SCMP_ERROR && n > max)
				max = n;
		}
	}
	return max;
}

/* Under an errno default: ENOSYS for the syscalls newer than everything
 * the profile names (see newer_syscalls); a profile that names one of
 * them has its say, as have the older ones it does not name.  The numbers
 * compared are the native architecture's: the newer syscalls share one
 * numbering tail on every architecture, so the order holds on the others
 * of the filter. */
static int newer_enosys(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t def_action,
			struct err *e)
{
	const uint32_t enosys = SCMP_ACT_ERRNO(ENOSYS);
	int max;

	if (s->default_action != OCI_SCMP_ERRNO || def_action == enosys)
		return 0;
	max = profile_max_nr(s);
	for (size_t k = 0; k < ARRAY_SIZE(newer_syscalls); k++) {
		int nr = seccomp_syscall_resolve_name(newer_syscalls[k]);
		int rc;

		if (nr == __NR_SCMP_ERROR || nr <= max)
			continue;
		rc = seccomp_rule_add(ctx, enosys, nr, 0);
		if (rc < 0)
			return err_set(e, -rc, "seccomp: ENOSYS rule for %s", newer_syscalls[k]);
	}
	return 0;
}

/* libseccomp 2.5 exports only to an fd: go through a memfd. */
static int bpf_export(scmp_filter_ctx ctx, struct oci_bpf *out, struct err *e)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ void *buf = NULL;
	struct stat st;
	size_t size, done = 0;
	int rc;

	fd = memfd_create("nook-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return err_set(e, -rc, "seccomp: export filter");
	if (fstat(fd, &st) < 0)
		return err_sys(e, "seccomp: stat exported filter");
	size = (size_t)st.st_size;
	if (!size || size % sizeof(struct sock_filter))
		return err_set(e, 0, "seccomp: exported filter has %zu bytes", size);
	/* The kernel's limit; also keeps len within unsigned short. */
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return err_set(e, E2BIG,
			       "seccomp: filter has %zu instructions "
			       "(kernel limit %d)",
			       size / sizeof(struct sock_filter), BPF_MAXINSNS);
	buf = xmalloc(size);
	while (done < size) {
		ssize_t n = pread(fd, (char *)buf + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, n < 0 ? errno : EIO, "seccomp: read exported filter");
		done += (size_t)n;
	}
	out->insns = steal_ptr(buf);
	out->len = (unsigned short)(size / sizeof(struct sock_filter));
	return 0;
}

int oci_seccomp_build(const struct oci_seccomp *s, struct oci_bpf *out, struct err *e)
{
	__attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
	uint32_t def_action;
	unsigned int flags = 0;
	size_t i, n_names = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (action_get(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
		       "linux.seccomp", "defaultAction", "defaultErrnoRet", &def_action, e) < 0)
		return -1;
	ctx = seccomp_init(def_action);
	if (!ctx)
		return err_set(e, 0,
			       "linux.seccomp.defaultAction \"%s\": not "
			       "supported by this kernel or libseccomp",
			       oci_seccomp_action_name(s->default_action));
	/* We set no_new_privs ourselves (or not: CAP_SYS_ADMIN may load
	 * without it).  The attribute matters only to seccomp_load(), which
	 * we never call.  TSYNC stays at libseccomp's default (off): setting
	 * it, even to 0, probes the kernel and fails under qemu-user. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return err_set(e, -rc, "seccomp: set no_new_privs attribute");

	for (i = 0; s->architectures && s->architectures[i]; i++)
		if (arch_add(ctx, i, s->architectures[i], e) < 0)
			return -1;
	for (i = 0; s->flags && s->flags[i]; i++)
		if (flag_get(i, s->flags[i], &flags, e) < 0)
			return -1;

	for (i = 0; i < s->n_rules; i++)
		n_names += s->rules[i].names ? strv_len(s->rules[i].names) : 0;
	/* Not fatal: only speed (a binary search over syscall numbers). */
	if (n_names > OPTIMIZE_MIN_NAMES)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	for (i = 0; i < s->n_rules; i++)
		if (rule_add(ctx, &s->rules[i], i, def_action, e) < 0)
			return -1;
	if (newer_enosys(ctx, s, def_action, e) < 0)
		return -1;

	if (bpf_export(ctx, out, e) < 0)
		return -1;
	out->flags = flags;
	return 0;
}

/* Runs in the freshly cloned child: plain syscalls only. */
int oci_seccomp_load(const struct oci_bpf *b, struct err *e)
{
	struct sock_fprog prog = {
		.len = b->len,
		.filter = b->insns,
	};

	if (!b->insns || !b->len)
		return err_set(e, EINVAL, "seccomp: load filter: empty program");
	if (syscall(SYS_seccomp, (long)SECCOMP_SET_MODE_FILTER, (long)b->flags, &prog) == 0)
		return 0;
	if (errno != ENOSYS)
		return err_sys(e, "seccomp: load filter (flags 0x%x)", b->flags);
	/* Kernels before 3.17 have no seccomp(2); prctl takes no flags. */
	if (b->flags)
		return err_sys(e,
			       "seccomp: load filter: flags 0x%x need "
			       "seccomp(2)",
			       b->flags);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return err_sys(e, "seccomp: load filter with prctl");
	return 0;
}

void oci_bpf_free(struct oci_bpf *b)
{
	if (!b)
		return;
	free(b->insns);
	memset(b, 0, sizeof(*b));
}

/* For `features`: every action but SCMP_ACT_NOTIFY (refused here). */
const char *const *oci_seccomp_actions(void)
{
	static const char *list[OCI_SCMP_NOTIFY + 1];

	for (int i = 0; i < OCI_SCMP_NOTIFY; i++)
		list[i] = oci_seccomp_action_name((enum oci_seccomp_action)i);
	return list;
}

/* Only the architectures this libseccomp knows. */
const char *const *oci_seccomp_archs(void)
{
	static const char *list[ARRAY_SIZE(arch_names) + 1];

	if (!list[0]) {
		size_t n = 0;

		for (size_t k = 0; k < ARRAY_SIZE(arch_names); k++)
			if (arch_resolve(arch_names[k]))
				list[n++] = arch_names[k];
		list[n] = NULL;
	}
	return list;
}

const char *const *oci_seccomp_flags(void)
{
	static const char *list[ARRAY_SIZE(filter_flags) + 1];

	if (!list[0]) {
		size_t n = 0;

		/* Advertise only the flags that take effect. */
		for (size_t k = 0; k < ARRAY_SIZE(filter_flags); k++)
			if (filter_flags[k].flag)
				list[n++] = filter_flags[k].name;
		list[n] = NULL;
	}
	return list;
}

const char *const *oci_seccomp_operators(void)
{
	static const char *list[ARRAY_SIZE(operators) + 1];

	if (!list[0]) {
		for (size_t k = 0; k < ARRAY_SIZE(operators); k++)
			list[k] = operators[k].name;
		list[ARRAY_SIZE(operators)] = NULL;
	}
	return list;
}
