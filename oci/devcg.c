// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * devcg: the cgroup v2 device filter as an eBPF program.
 *
 * The program reads the access from struct bpf_cgroup_dev_ctx into
 * registers once, then tests the rules from the last to the first and
 * returns the verdict of the first match (= the last matching rule of the
 * list); falling off the end denies.  Each rule is one block of at most
 * eight instructions whose jumps go to the start of the next block.
 */
#include "oci/devcg.h"

#include <linux/bpf.h>
#include <sys/syscall.h>

/* bpf(2) is numbered differently on every architecture: the kernel's
 * header has it when the C library does not. */
#include <asm/unistd.h>
#if !defined(SYS_bpf) && defined(__NR_bpf)
#define SYS_bpf __NR_bpf
#endif
#ifndef SYS_bpf
#error "no number for bpf(2) in the C library's or the kernel's headers"
#endif

/* Registers: r2 type, r3 access, r4 major, r5 minor, r1 scratch (the
 * context pointer is consumed first). */
#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

struct rule {
	char type; /* 'a', 'c', 'b' */
	int64_t major, minor;
	unsigned access; /* BPF_DEVCG_ACC_* mask */
	int allow;
};

static unsigned access_mask(const char *a)
{
	unsigned m = 0;

	for (; a && *a; a++) {
		if (*a == 'r')
			m |= BPF_DEVCG_ACC_READ;
		else if (*a == 'w')
			m |= BPF_DEVCG_ACC_WRITE;
		else if (*a == 'm')
			m |= BPF_DEVCG_ACC_MKNOD;
	}
	return m;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

static const struct rule default_rules[] = {
	{ 'c', -1, -1, BPF_DEVCG_ACC_MKNOD, 1 }, /* mknod of anything: using it is checked */
	{ 'b', -1, -1, BPF_DEVCG_ACC_MKNOD, 1 },
	{ 'c', 1, 3, ACC_ALL, 1 }, /* null */
	{ 'c', 1, 5, ACC_ALL, 1 }, /* zero */
	{ 'c', 1, 7, ACC_ALL, 1 }, /* full */
	{ 'c', 1, 8, ACC_ALL, 1 }, /* random */
	{ 'c', 1, 9, ACC_ALL, 1 }, /* urandom */
	{ 'c', 5, 0, ACC_ALL, 1 }, /* tty */
	{ 'c', 5, 1, ACC_ALL, 1 }, /* console */
	{ 'c', 5, 2, ACC_ALL, 1 }, /* ptmx */
	{ 'c', 136, -1, ACC_ALL, 1 }, /* pts */
};

/* Emit one rule's block; returns 1 when the block always exits (no
 * condition), so nothing after it could run: the verifier refuses
 * unreachable instructions. */
static int emit_rule(struct bpf_insn *out, size_t *n, const struct rule *r)
{
	struct bpf_insn blk[8];
	size_t k = 0;

	if (r->type != 'a')
		blk[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0,
				r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	if ((r->access & ACC_ALL) != ACC_ALL) {
		/* the request must be covered: (access & ~rule) == 0 */
		blk[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 3, 0, 0);
		blk[k++] =
			INSN(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, (int32_t)(~r->access & ACC_ALL));
		blk[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 1, 0, 0, 0);
	}
	if (r->major >= 0)
		blk[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, (int32_t)r->major);
	if (r->minor >= 0)
		blk[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)r->minor);
	blk[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
	blk[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* Jumps land on the instruction after this block's exit. */
	for (size_t i = 0; i < k; i++)
		if (blk[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			blk[i].off = (int16_t)(k - i - 1);
	memcpy(out + *n, blk, k * sizeof(blk[0]));
	*n += k;
	return k == 2;
}

int oci_devcg_build(const struct oci_spec *s, struct devcg_prog *p, struct err *e)
{
	const struct oci_resources *res = &s->linux.resources;
	size_t nrules = res->n_devices + ARRAY_SIZE(default_rules) + s->linux.n_devices;
	struct rule *rules = xcalloc(nrules, sizeof(*rules));
	struct bpf_insn *out;
	size_t n = 0, k = 0;
	int always = 0;

	/* The nodes of linux.devices first: a rule of linux.resources.devices
	 * decides over them, so a deny-all denies them as in runc (whose
	 * "device cgroup deny" test creates /dev/kmsg and expects EPERM);
	 * with no rule about them they stay usable. */
	for (size_t i = 0; i < s->linux.n_devices; i++) {
		const struct oci_device *d = &s->linux.devices[i];

		if (d->type == 'p')
			continue; /* fifos are no devices */
		rules[k++] =
			(struct rule){ d->type == 'b' ? 'b' : 'c', d->major, d->minor, ACC_ALL, 1 };
	}
	for (size_t i = 0; i < res->n_devices; i++) {
		const struct oci_device_rule *d = &res->devices[i];

		if (d->type != 'a' && d->type != 'c' && d->type != 'b') {
			free(rules);
			return err_set(e, EINVAL, "linux.resources.devices[%zu].type: invalid '%c'",
				       i, d->type);
		}
		rules[k++] =
			(struct rule){ d->type, d->major, d->minor,
				       d->access[0] ? access_mask(d->access) : ACC_ALL, d->allow };
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
		rules[k++] = default_rules[i];
	out = xcalloc(6 + k * 8 + 2, sizeof(*out));
	/* r2 = type, r3 = access, r4 = major, r5 = minor */
	out[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 2, 1, 0, 0);
	out[n++] = INSN(BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff);
	out[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 3, 1, 0, 0);
	out[n++] = INSN(BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16);
	out[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 4, 1, 4, 0);
	out[n++] = INSN(BPF_LDX | BPF_W | BPF_MEM, 5, 1, 8, 0);
	while (k > 0 && !always)
		always = emit_rule(out, &n, &rules[--k]);
	if (!always) {
		out[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
		out[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	}
	free(rules);
	p->insns = out;
	p->len = n;
	return 0;
}

void oci_devcg_free(struct devcg_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->len = 0;
}

int oci_devcg_apply(int cgroup_fd, const struct oci_spec *s, const char **skipped, struct err *e)
{
	struct devcg_prog p = { 0 };
	union bpf_attr a;
	char log[256] = "";
	int prog;

	if (skipped)
		*skipped = NULL;
	if (!s->linux.resources.n_devices)
		return 0;
	if (oci_devcg_build(s, &p, e) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p.insns;
	a.insn_cnt = (uint32_t)p.len;
	a.license = (uint64_t)(uintptr_t) "GPL";
	/* Without a verifier log first: with one, the verifier also writes
	 * its trace of every instruction, which overflows the buffer (ENOSPC)
	 * and costs a second load on every container start. */
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (prog < 0 && errno != ENOSYS && errno != EPERM) {
		/* Rejected: load it again for the verifier's word on why. */
		int saved = errno;

		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
		if (prog < 0)
			errno = saved;
	}
	oci_devcg_free(&p);
	if (prog < 0) {
		if (errno == ENOSYS || errno == EPERM) {
			if (skipped)
				*skipped = errno == EPERM ? "bpf(2) not permitted (user namespace?)"
							  : "kernel without bpf(2)";
			return 0;
		}
		return err_sys(e, "load the device cgroup program%s%s", log[0] ? ": " : "", log);
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) < 0) {
		int saved = errno;

		close(prog);
		errno = saved;
		return err_sys(e, "attach the device cgroup program");
	}
	/* The attachment holds the program; our fd is not needed. */
	close(prog);
	return 0;
}

int oci_devcg_eval(const struct devcg_prog *p, char type, unsigned major, unsigned minor,
		   const char *access)
{
	const struct bpf_insn *in = p->insns;
	uint32_t ctx[3] = { (access_mask(access) << 16) |
				    (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
			    major, minor };
	uint64_t r[11] = { 0 };

	for (size_t pc = 0; pc < p->len; pc++) {
		const struct bpf_insn *i = &in[pc];

		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM: r[i->dst_reg] = ctx[i->off / 4]; break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X: r[i->dst_reg] = r[i->src_reg]; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: r[i->dst_reg] = (uint64_t)(int64_t)i->imm; break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT: return (int)r[0];
		default: return -1;
		}
	}
	return -1;
}
