// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of oci/devcg: the generated device filter, run through the
 * C evaluator; the kernel's verdict is checked by tests/priv. */
#define UNIT_NAME "test-devcg"
#include "tests/unit/unit.h"

#include "oci/devcg.h"

static struct oci_device_rule deny_all = {
	.allow = 0, .type = 'a', .major = -1, .minor = -1, .access = "rwm"
};

static void build(struct oci_spec *s, struct oci_device_rule *rules, size_t n, struct devcg_prog *p)
{
	struct err e = { 0 };

	memset(s, 0, sizeof(*s));
	s->linux.resources.devices = rules;
	s->linux.resources.n_devices = n;
	if (oci_devcg_build(s, p, &e) < 0)
		p->len = 0;
}

static void test_deny_all_keeps_defaults(void)
{
	struct oci_spec s;
	struct devcg_prog p;

	build(&s, &deny_all, 1, &p);
	CHECK(p.len > 0);
	CHECK(oci_devcg_eval(&p, 'c', 1, 3, "rw") == 1); /* /dev/null */
	CHECK(oci_devcg_eval(&p, 'c', 1, 9, "r") == 1); /* /dev/urandom */
	CHECK(oci_devcg_eval(&p, 'c', 136, 4, "rw") == 1); /* a pts */
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "r") == 0); /* the host's disk */
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "w") == 0);
	CHECK(oci_devcg_eval(&p, 'c', 10, 200, "rw") == 0); /* /dev/net/tun */
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "m") == 1); /* mknod is fine ... */
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "mr") == 0); /* ... using it is not */
	oci_devcg_free(&p);
}

static void test_last_match_wins(void)
{
	struct oci_device_rule r[] = {
		deny_all,
		{ .allow = 1, .type = 'b', .major = 8, .minor = -1, .access = "r" },
		{ .allow = 0, .type = 'b', .major = 8, .minor = 1, .access = "rwm" },
	};
	struct oci_spec s;
	struct devcg_prog p;

	build(&s, r, 3, &p);
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "r") == 1);
	CHECK(oci_devcg_eval(&p, 'b', 8, 0, "w") == 0); /* only r was allowed */
	CHECK(oci_devcg_eval(&p, 'b', 8, 1, "r") == 0); /* denied by the later rule */
	CHECK(oci_devcg_eval(&p, 'c', 8, 0, "r") == 0); /* other type */
	oci_devcg_free(&p);
}

/* A node of linux.devices is allowed unless a rule of
 * linux.resources.devices says otherwise: a deny-all denies it (runc's
 * "device cgroup deny": /dev/kmsg is created and EPERM to use). */
static void test_spec_devices(void)
{
	struct oci_device dev = { .path = "/dev/net/tun", .type = 'c', .major = 10, .minor = 200 };
	struct oci_device_rule allow_null = {
		.allow = 1, .type = 'c', .major = 1, .minor = 3, .access = "rwm"
	};
	struct oci_device_rule deny_then_allow[2] = {
		{ .allow = 0, .type = 'a', .major = -1, .minor = -1, .access = "rwm" },
		{ .allow = 1, .type = 'c', .major = 10, .minor = 200, .access = "rw" },
	};
	struct oci_spec s;
	struct devcg_prog p;
	struct err e = { 0 };

	build(&s, &deny_all, 1, &p);
	oci_devcg_free(&p);
	s.linux.devices = &dev;
	s.linux.n_devices = 1;
	CHECK(oci_devcg_build(&s, &p, &e) == 0);
	CHECK(oci_devcg_eval(&p, 'c', 10, 200, "rw") == 0); /* the deny-all decides */
	CHECK(oci_devcg_eval(&p, 'c', 1, 3, "rw") == 1); /* defaults still allowed */
	oci_devcg_free(&p);

	s.linux.resources.devices = &allow_null;
	s.linux.resources.n_devices = 1;
	CHECK(oci_devcg_build(&s, &p, &e) == 0);
	CHECK(oci_devcg_eval(&p, 'c', 10, 200, "rw") == 1); /* no rule about it */
	CHECK(oci_devcg_eval(&p, 'c', 10, 201, "rw") == 0);
	oci_devcg_free(&p);

	s.linux.resources.devices = deny_then_allow;
	s.linux.resources.n_devices = 2;
	CHECK(oci_devcg_build(&s, &p, &e) == 0);
	CHECK(oci_devcg_eval(&p, 'c', 10, 200, "rw") == 1); /* allowed again */
	CHECK(oci_devcg_eval(&p, 'c', 10, 201, "rw") == 0);
	oci_devcg_free(&p);
}

static void test_bad_type(void)
{
	struct oci_device_rule r = {
		.allow = 1, .type = 'x', .major = 1, .minor = 1, .access = "r"
	};
	struct oci_spec s;
	struct devcg_prog p = { 0 };
	struct err e = { 0 };

	memset(&s, 0, sizeof(s));
	s.linux.resources.devices = &r;
	s.linux.resources.n_devices = 1;
	CHECK(oci_devcg_build(&s, &p, &e) < 0);
	CHECK_HAS(e.msg, "linux.resources.devices[0].type");
}

int main(void)
{
	RUN(test_deny_all_keeps_defaults);
	RUN(test_last_match_wins);
	RUN(test_spec_devices);
	RUN(test_bad_type);
	UNIT_EXIT();
}
