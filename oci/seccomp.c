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
 * Under an errno default, syscalls numbered above the profile answer ENOSYS
 * (runc's rule, enosys_stub), so that libc falls back to their older forms.
 *
 * SCMP_ACT_NOTIFY rules make the filter return a listener fd
 * (SECCOMP_FILTER_FLAG_NEW_LISTENER); the runtime gives it to the agent at
 * linux.seccomp.listenerPath with the container's state, over a unix
 * socket (oci_seccomp_send_listener: the protocol of runc and crun).  Until
 * the agent has it, a notified syscall of the container's process blocks:
 * NOTIFY cannot be the default, nor cover sendmsg, which hands it over.
 *
 * libseccomp is told to leave no_new_privs alone (the runtime sets it), and
 * the spec's flags go straight into our own seccomp(2) call.
 *
 * The cache (oci_seccomp_get): libseccomp's compile of a large profile costs
 * 0.6-1 ms of every start and exec, for the same few profiles again and
 * again.  Its output is kept in <dir>/<key>, <key> the hex SHA-256 of what
 * determines the program: the parsed profile (struct oci_seccomp, every
 * field, in a fixed length-prefixed encoding: JSON spacing, key order and
 * the rest of config.json do not split entries; defaults the parser filled
 * in are there; a syscall list that oci_spec_parse_owned deferred is
 * hashed as its bytes instead, so a hit never parses it), and what turns
 * it into BPF: this file's build (nook's
 * version, a format number and the compile date and time of this file, so
 * a new binary never uses an old binary's program), libseccomp's version,
 * the native architecture (a 32-bit nook on a 64-bit kernel shares the
 * directory) and the kernel release (seccomp_init probes the kernel).
 * A hit loads the stored program without calling into libseccomp; the
 * spec's flags are computed on both paths (spec_flags), the listener flag
 * of NOTIFY rules is stored with the program.
 *
 * Where: the engine's runroot and the runtime's state root, both tmpfs by
 * default (/run): no flash writes, and a reboot (new kernel, new binary)
 * empties it.  Hazards: a program from the cache runs as the container's
 * filter, so the cache is trusted only as far as root's own files are.  The
 * directory must be ours (euid), 0700-like (no group/other write), not a
 * symlink; a file must be a regular file of ours without group/other write
 * bits.  A file is written as <key>.<pid>.tmp and renamed (readers see all
 * or nothing; two racing misses write the same bytes), never fsync'd (a
 * crash on a disk root can leave it short: refused below, then rewritten).
 * A file is read defensively: size within [header + 1, header +
 * BPF_MAXINSNS] instructions, magic and format, the key in the header equal
 * to the one asked for, the length matching the size, and a checksum of the
 * instructions (against damage: forgery is kept out by owner and mode);
 * anything else is ignored and rewritten.  A cache that
 * cannot be used or written is never an error: the start builds as before.
 * The directory holds at most CACHE_MAX_FILES entries; past that a miss
 * empties it first (profiles are few: the engine's default and a handful).
 */
#include "oci/seccomp.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <cjson/cJSON.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "oci/sha256.h"

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
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1U << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1U << 5)
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
	 * SECCOMP_FILTER_FLAG_NEW_LISTENER (no SCMP_ACT_NOTIFY rule) the
	 * kernel rejects it with EINVAL: then it is dropped (spec_flags). */
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
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
	case OCI_SCMP_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
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

/* 1 if the rules have SCMP_ACT_NOTIFY, 0 if not, -1 if one covers sendmsg. */
static int rules_notify(const struct oci_seccomp *s, struct err *e)
{
	int notify = 0;

	for (size_t i = 0; i < s->n_rules; i++) {
		if (s->rules[i].action != OCI_SCMP_NOTIFY)
			continue;
		notify = 1;
		for (size_t k = 0; s->rules[i].names && s->rules[i].names[k]; k++)
			if (!strcmp(s->rules[i].names[k], "sendmsg"))
				return err_set(
					e, 0,
					"linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY "
					"for sendmsg: the runtime hands the listener over with it",
					i, k);
	}
	return notify;
}

/* The seccomp(2) flags of the profile: its own, and a listener for its
 * SCMP_ACT_NOTIFY rules (which need an agent to talk to, and cannot be
 * the default: the runtime's own calls after the filter would wait on an
 * agent that has not got the fd yet; runc refuses both too). */
static int spec_flags(const struct oci_seccomp *s, int notify, unsigned int *flags, struct err *e)
{
	*flags = 0;
	for (size_t i = 0; s->flags && s->flags[i]; i++)
		if (flag_get(i, s->flags[i], flags, e) < 0)
			return -1;
	if (s->default_action == OCI_SCMP_NOTIFY)
		return err_set(
			e, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");
	if (notify && (!s->listener_path || !*s->listener_path))
		return err_set(e, 0, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
	if (notify)
		*flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	else
		*flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	return 0;
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

/* The highest number on arch that the profile names (in any rule,
 * whatever its action), -1 if none. */
static int profile_max_nr(const struct oci_seccomp *s, uint32_t arch)
{
	int max = -1;

	for (size_t i = 0; i < s->n_rules; i++) {
		for (size_t k = 0; s->rules[i].names && s->rules[i].names[k]; k++) {
			int n = seccomp_syscall_resolve_name_arch(arch, s->rules[i].names[k]);

			if (n > max)
				max = n; /* __NR_SCMP_ERROR and pseudo numbers are < 0 */
		}
	}
	return max;
}

/* x86_64 syscall numbers with this bit set are the x32 ABI's. */
#define X32_SYSCALL_BIT 0x40000000U
#define STUB_MAX (1 + (ARRAY_SIZE(arch_names) + 1) * 5 + 2)

/* Under an errno default, every syscall numbered above the highest the
 * profile names on its architecture answers ENOSYS, as runc's patched
 * BPF does: a profile written before a syscall existed (clone3, openat2,
 * statmount, ...; or one this libseccomp does not know) would answer it
 * with EPERM, and libc falls back to the older call only on ENOSYS.  The
 * numbers come from libseccomp per architecture, so this covers syscalls
 * newer than libseccomp too.  A stub runs before libseccomp's program:
 *	ld arch; per arch: jeq ARCH ? (ld nr; [x86_64: jset X32 -> prog];
 *	jgt MAX -> enosys; ja prog); ja prog; enosys: ret ERRNO(ENOSYS)
 * An arch the stub does not list falls through to libseccomp's program,
 * which applies its own bad-arch action.  x32 calls (and s390's setup(0)
 * multiplexer) are left to the profile.  Returns the stub's length. */
static size_t enosys_stub(scmp_filter_ctx ctx, const struct oci_seccomp *s, struct sock_filter *f)
{
	size_t n = 0, to_enosys[ARRAY_SIZE(arch_names) + 1], to_prog[STUB_MAX];
	size_t ne = 0, np = 0, i;
	uint32_t archs[ARRAY_SIZE(arch_names) + 1];
	size_t na = 0;

	archs[na++] = seccomp_arch_native();
	for (i = 0; s->architectures && s->architectures[i]; i++) {
		uint32_t a = arch_resolve(s->architectures[i]);

		/* SCMP_ARCH_X32 is no AUDIT_ARCH value: left out. */
		if (a && a != SCMP_ARCH_X32 && seccomp_arch_exist(ctx, a) == 0 &&
		    na < ARRAY_SIZE(archs))
			archs[na++] = a;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4); /* arch */
	for (i = 0; i < na; i++) {
		int max = profile_max_nr(s, archs[i]);
		int x86_64 = archs[i] == SCMP_ARCH_X86_64;
		size_t k;

		for (k = 0; k < i && archs[k] != archs[i]; k++)
			;
		if (k < i || max < 0)
			continue;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, archs[i], 0,
						      (unsigned char)(3 + x86_64));
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0); /* nr */
		if (x86_64) {
			to_prog[np++] = n;
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
							      X32_SYSCALL_BIT, 0, 0);
		}
		to_enosys[ne++] = n;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max, 0,
						      0);
		to_prog[np++] = n;
		f[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
	}
	if (n == 1)
		return 0; /* the profile names nothing: its default for all */
	to_prog[np++] = n;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS));
	/* Jumps are relative to the next instruction; the stub is short
	 * enough for 8-bit offsets. */
	for (i = 0; i < ne; i++)
		f[to_enosys[i]].jt = (unsigned char)(n - 2 - to_enosys[i]);
	for (i = 0; i < np; i++) {
		struct sock_filter *j = &f[to_prog[i]];

		if (BPF_OP(j->code) == BPF_JA)
			j->k = (uint32_t)(n - 1 - to_prog[i]);
		else
			j->jt = (unsigned char)(n - 1 - to_prog[i]);
	}
	return n;
}

/* libseccomp 2.5 exports only to an fd: go through a memfd. */
static int bpf_export(scmp_filter_ctx ctx, struct oci_seccomp_prog *out, struct err *e)
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

static int build(const struct oci_seccomp *s, struct oci_seccomp_prog *out, struct err *e)
{
	__attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
	uint32_t def_action;
	unsigned int flags = 0;
	size_t i, n_names = 0;
	int rc, notify;

	memset(out, 0, sizeof(*out));
	notify = rules_notify(s, e);
	if (notify < 0 || spec_flags(s, notify, &flags, e) < 0)
		return -1;
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

	for (i = 0; i < s->n_rules; i++)
		n_names += s->rules[i].names ? strv_len(s->rules[i].names) : 0;
	/* Not fatal: only speed (a binary search over syscall numbers). */
	if (n_names > OPTIMIZE_MIN_NAMES)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

	for (i = 0; i < s->n_rules; i++)
		if (rule_add(ctx, &s->rules[i], i, def_action, e) < 0)
			return -1;

	if (bpf_export(ctx, out, e) < 0)
		return -1;
	if (s->default_action == OCI_SCMP_ERRNO && def_action != SCMP_ACT_ERRNO(ENOSYS)) {
		struct sock_filter stub[STUB_MAX];
		size_t ns = enosys_stub(ctx, s, stub);
		struct sock_filter *all;

		if (ns + out->len > BPF_MAXINSNS) {
			oci_seccomp_prog_free(out);
			return err_set(e, E2BIG,
				       "seccomp: filter has %zu instructions (kernel limit %d)",
				       ns + out->len, BPF_MAXINSNS);
		}
		if (ns) {
			all = xcalloc(ns + out->len, sizeof(*all));
			memcpy(all, stub, ns * sizeof(*all));
			memcpy(all + ns, out->insns, out->len * sizeof(*all));
			free(out->insns);
			out->insns = all;
			out->len = (unsigned short)(ns + out->len);
		}
	}
	out->flags = flags;
	return 0;
}

int oci_seccomp_build(const struct oci_seccomp *s, struct oci_seccomp_prog *out, struct err *e)
{
	struct oci_seccomp t;
	int rc;

	if (!s->syscalls_text)
		return build(s, out, e);
	/* A deferred list (oci_spec_parse_owned): parsed for this build. */
	memset(out, 0, sizeof(*out));
	t = *s;
	t.syscalls_text = NULL;
	if (oci_seccomp_rules(s, &t.rules, &t.n_rules, e) < 0)
		return -1;
	rc = build(&t, out, e);
	oci_seccomp_rules_free(t.rules, t.n_rules);
	return rc;
}

/* This process's listener (a process loads at most one filter). */
static int listener_fd = -1;

int oci_seccomp_listener(void)
{
	return listener_fd;
}

/* Runs in the freshly cloned child: plain syscalls only. */
int oci_seccomp_load(const struct oci_seccomp_prog *b, struct err *e)
{
	struct sock_fprog prog = {
		.len = b->len,
		.filter = b->insns,
	};
	long rc;

	if (!b->insns || !b->len)
		return err_set(e, EINVAL, "seccomp: load filter: empty program");
	rc = syscall(SYS_seccomp, (long)SECCOMP_SET_MODE_FILTER, (long)b->flags, &prog);
	if (rc >= 0) {
		/* The new listener (O_CLOEXEC) is the return value. */
		if (b->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
			listener_fd = (int)rc;
		return 0;
	}
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

/* ---- the cache of built programs ------------------------------------- */

/* Bump when the build's output or this file's layout changes in a way
 * that the key would not see (the compile date catches most). */
#define CACHE_FORMAT 3 /* 2: the ENOSYS stub; 3: notify, deferred lists */
#define CACHE_MAX_FILES 32
static const char cache_magic[8] = { 'n', 'o', 'o', 'k', 'b', 'p', 'f', '\n' };

/* Host byte order: the file never leaves the host (the arch is keyed). */
struct cache_hdr {
	char magic[8];
	uint32_t format;
	uint32_t len; /* instructions */
	unsigned char key[32];
	uint64_t sum; /* insns_sum() of the instructions */
	uint32_t notify; /* the rules have SCMP_ACT_NOTIFY */
	uint32_t pad;
};

static void key_u64(struct sha256 *h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	sha256_update(h, b, sizeof(b));
}

/* C strings hold no NUL: the terminator ends each unambiguously. */
static void key_str(struct sha256 *h, const char *s)
{
	sha256_update(h, s, strlen(s) + 1);
}

static void key_strv(struct sha256 *h, char *const *v)
{
	key_u64(h, v ? strv_len(v) : 0);
	for (; v && *v; v++)
		key_str(h, *v);
}

static void cache_key(const struct oci_seccomp *s, unsigned char key[32])
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	struct sha256 h;

	sha256_init(&h);
	key_str(&h, "nook seccomp " NOOK_VERSION " " __DATE__ " " __TIME__);
	key_u64(&h, CACHE_FORMAT);
	key_u64(&h, v ? ((uint64_t)v->major << 32 | v->minor << 16 | v->micro) : 0);
	key_u64(&h, seccomp_arch_native());
	key_str(&h, uname(&u) == 0 ? u.release : "");
	key_u64(&h, s->default_action);
	key_u64(&h, (uint64_t)s->has_default_errno_ret);
	key_u64(&h, s->default_errno_ret);
	key_strv(&h, s->architectures);
	key_strv(&h, s->flags);
	if (s->syscalls_text) {
		/* Deferred: the list's own bytes (an encoding of its own, told
		 * apart by the leading 1). */
		key_u64(&h, 1);
		key_u64(&h, s->syscalls_len);
		sha256_update(&h, s->syscalls_text, s->syscalls_len);
		sha256_final(&h, key);
		return;
	}
	key_u64(&h, 0);
	key_u64(&h, s->n_rules);
	for (size_t i = 0; i < s->n_rules; i++) {
		const struct oci_seccomp_rule *r = &s->rules[i];

		key_strv(&h, r->names);
		key_u64(&h, r->action);
		key_u64(&h, (uint64_t)r->has_errno_ret);
		key_u64(&h, r->errno_ret);
		key_u64(&h, r->n_args);
		for (size_t k = 0; k < r->n_args; k++) {
			key_u64(&h, r->args[k].index);
			key_u64(&h, r->args[k].op);
			key_u64(&h, r->args[k].value);
			key_u64(&h, r->args[k].value_two);
		}
	}
	sha256_final(&h, key);
}

/* Against damage, not forgery (the file's owner and mode are the trust):
 * FNV-1a over 32-bit words, each step a bijection of the state, so a
 * change of any one word always shows.  SHA-256 here cost as much as the
 * rest of a hit together. */
static uint64_t insns_sum(const struct sock_filter *f, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h = (h ^
		     ((uint32_t)f[i].code | (uint32_t)f[i].jt << 16 | (uint32_t)f[i].jf << 24)) *
		    0x100000001b3ULL;
		h = (h ^ f[i].k) * 0x100000001b3ULL;
	}
	return h;
}

/* Ours (euid), and nobody else may write it. */
static int cache_owned(const struct stat *st, uid_t euid)
{
	return st->st_uid == euid && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The directory, made if missing; -1 when it is not fit to be trusted.
 * openat: musl's open() adds an fcntl for O_CLOEXEC. */
static int cache_dir_open(const char *dir, uid_t euid)
{
	struct stat st;
	int fd;

	fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mkdir(dir, 0700) == 0)
		fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !cache_owned(&st, euid)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 and out->insns/len, *notify from a valid file, 0 if there is none
 * fit to use. */
static int cache_read(int dfd, const char *name, const unsigned char key[32], uid_t euid,
		      struct oci_seccomp_prog *out, int *notify)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ unsigned char *buf = NULL;
	const size_t max = sizeof(struct cache_hdr) + BPF_MAXINSNS * sizeof(struct sock_filter);
	struct cache_hdr h;
	struct stat st;
	size_t size, done = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !cache_owned(&st, euid))
		return 0;
	size = (size_t)st.st_size;
	if (size < sizeof(h) + sizeof(struct sock_filter) || size > max)
		return 0;
	buf = xmalloc(size);
	while (done < size) {
		ssize_t n = pread(fd, buf + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		done += (size_t)n;
	}
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, cache_magic, sizeof(h.magic)) || h.format != CACHE_FORMAT || !h.len ||
	    h.len > BPF_MAXINSNS ||
	    size != sizeof(h) + (size_t)h.len * sizeof(struct sock_filter) ||
	    memcmp(h.key, key, sizeof(h.key)) || h.notify > 1)
		return 0;
	memmove(buf, buf + sizeof(h), size - sizeof(h));
	if ((insns_sum((const struct sock_filter *)buf, h.len) ^ h.notify) != h.sum)
		return 0;
	*notify = (int)h.notify;
	out->insns = steal_ptr(buf);
	out->len = (unsigned short)h.len;
	return 1;
}

/* Past CACHE_MAX_FILES entries (profiles that came and went, a crash's
 * tmp files), start over. */
static void cache_trim(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	if (n >= CACHE_MAX_FILES) {
		rewinddir(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* Best effort: a cache that cannot be written only costs the next start
 * a build. */
static void cache_write(int dfd, const char *name, const unsigned char key[32],
			const struct oci_seccomp_prog *b)
{
	struct cache_hdr h = { .format = CACHE_FORMAT,
			       .len = b->len,
			       .notify = !!(b->flags & OCI_BPF_LISTENER) };
	char tmp[128];
	int fd, ok;

	cache_trim(dfd);
	memcpy(h.magic, cache_magic, sizeof(h.magic));
	memcpy(h.key, key, sizeof(h.key));
	h.sum = insns_sum(b->insns, b->len) ^ h.notify;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ok = write_all(fd, &h, sizeof(h)) == 0 &&
	     write_all(fd, b->insns, b->len * sizeof(struct sock_filter)) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || renameat(dfd, tmp, dfd, name) < 0)
		unlinkat(dfd, tmp, 0);
}

int oci_seccomp_get(const struct oci_seccomp *s, const char *cache_dir,
		    struct oci_seccomp_prog *out, struct err *e)
{
	static const char hex[] = "0123456789abcdef";
	_cleanup_close_ int dfd = -1;
	uid_t euid = geteuid();
	unsigned char key[32];
	char name[65];
	unsigned int flags = 0;
	int notify = 0;

	memset(out, 0, sizeof(*out));
	if (!cache_dir)
		return oci_seccomp_build(s, out, e);
	dfd = cache_dir_open(cache_dir, euid);
	if (dfd < 0)
		return oci_seccomp_build(s, out, e);
	cache_key(s, key);
	for (int i = 0; i < 32; i++) {
		name[2 * i] = hex[key[i] >> 4];
		name[2 * i + 1] = hex[key[i] & 15];
	}
	name[64] = '\0';
	if (cache_read(dfd, name, key, euid, out, &notify)) {
		/* As the build does (and with its errors; the rules' own were
		 * checked when it was built). */
		if (spec_flags(s, notify, &flags, e) < 0) {
			oci_seccomp_prog_free(out);
			return -1;
		}
		out->flags = flags;
		return 1;
	}
	if (oci_seccomp_build(s, out, e) < 0)
		return -1;
	cache_write(dfd, name, key, out);
	return 0;
}

/* The seccomp-agent protocol of runc and crun: one message on a stream
 * connection to listenerPath, the ContainerProcessState JSON as data and
 * the listener as SCM_RIGHTS (named by "fds").  The agent then answers the
 * container's SCMP_ACT_NOTIFY calls on it. */
int oci_seccomp_send_listener(const struct oci_seccomp *s, int fd, pid_t pid,
			      const char *state_json, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int sock = -1;
	_cleanup_free_ char *msg = NULL;
	cJSON *j = cJSON_CreateObject(), *st = state_json ? cJSON_Parse(state_json) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, "ociVersion");
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	const char *fds[] = { "seccompFd" };

	cJSON_AddStringToObject(j, "ociVersion", cJSON_IsString(v) ? v->valuestring : "1.2.0");
	cJSON_AddItemToObject(j, "fds", cJSON_CreateStringArray(fds, 1));
	cJSON_AddNumberToObject(j, "pid", pid);
	cJSON_AddStringToObject(j, "metadata", s->listener_metadata ? s->listener_metadata : "");
	cJSON_AddItemToObject(j, "state", st ? st : cJSON_CreateObject());
	msg = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!msg)
		return err_set(e, ENOMEM, "seccomp: listener state");
	if (strlen(s->listener_path) >= sizeof(sa.sun_path))
		return err_set(e, ENAMETOOLONG, "linux.seccomp.listenerPath %s", s->listener_path);
	memcpy(sa.sun_path, s->listener_path, strlen(s->listener_path));
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return err_sys(e, "seccomp: connect to the agent at %s", s->listener_path);
	iov = (struct iovec){ .iov_base = msg, .iov_len = strlen(msg) };
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len)
		return err_sys(e, "seccomp: send the listener to %s", s->listener_path);
	return 0;
}

void oci_seccomp_prog_free(struct oci_seccomp_prog *b)
{
	if (!b)
		return;
	free(b->insns);
	memset(b, 0, sizeof(*b));
}

const char *const *oci_seccomp_actions(void)
{
	static const char *list[OCI_SCMP_NOTIFY + 2];

	for (int i = 0; i <= OCI_SCMP_NOTIFY; i++)
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

/* ---- the engine's default profile ------------------------------------- */

/* The default seccomp profile: allow, except what a container never
 * needs and what has hurt hosts (kernel modules, kexec, keyrings, bpf,
 * perf, userfaultfd, clock setting, swap, reboot, quotas, handles).  The
 * capabilities already gate most of them; this is the second fence.
 * Also the engine's: the place for it (podman's is containers-common). */
static const char *const denied_syscalls[] = {
	"acct",
	"add_key",
	"bpf",
	"clock_adjtime",
	"clock_settime",
	"create_module",
	"delete_module",
	"finit_module",
	"get_kernel_syms",
	"get_mempolicy",
	"init_module",
	"ioperm",
	"iopl",
	"kcmp",
	"kexec_file_load",
	"kexec_load",
	"keyctl",
	"lookup_dcookie",
	"mbind",
	"move_pages",
	"name_to_handle_at",
	"nfsservctl",
	"open_by_handle_at",
	"perf_event_open",
	"pivot_root",
	"process_vm_readv",
	"process_vm_writev",
	"query_module",
	"quotactl",
	"reboot",
	"request_key",
	"set_mempolicy",
	"settimeofday",
	"stime",
	"swapoff",
	"swapon",
	"sysfs",
	"_sysctl",
	"uselib",
	"userfaultfd",
	"ustat",
	"vm86",
	"vm86old",
	NULL,
};

cJSON *oci_seccomp_default_json(void)
{
	cJSON *s = cJSON_CreateObject(), *rules = cJSON_CreateArray(), *r;

	cJSON_AddStringToObject(s, "defaultAction", "SCMP_ACT_ALLOW");
	r = cJSON_CreateObject();
	cJSON_AddItemToObject(
		r, "names",
		cJSON_CreateStringArray(denied_syscalls, (int)(ARRAY_SIZE(denied_syscalls) - 1)));
	cJSON_AddStringToObject(r, "action", "SCMP_ACT_ERRNO");
	cJSON_AddNumberToObject(r, "errnoRet", EPERM);
	cJSON_AddItemToArray(rules, r);
	cJSON_AddItemToObject(s, "syscalls", rules);
	return s;
}
