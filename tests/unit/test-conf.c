// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-conf: engine/conf, the defaults file for new containers: what a
 * file becomes as flags, and that every kind of bad file is an error that
 * names the file, the line and what is wrong.
 */
#define UNIT_NAME "test-conf"
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <unistd.h>

#include "engine/conf.h"

static char path[64];

/* Write text as the scratch conf file. */
static int put(const char *text)
{
	return file_write_atomic(path, text, strlen(text), 0644, NULL);
}

/* The flags of the file joined by '|', or "ERR: message". */
static char *load(void)
{
	char **f = NULL, *s = xstrdup("");
	unsigned *l = NULL;
	struct err e = { 0 };

	if (conf_load(path, &f, &l, &e) < 0) {
		free(s);
		return xasprintf("ERR: %s", e.msg);
	}
	for (size_t i = 0; f && f[i]; i++) {
		char *t = xasprintf("%s%s%s:%u", s, *s ? "|" : "", f[i], l[i]);

		free(s);
		s = t;
	}
	strv_free(f);
	free(l);
	return s;
}

static void test_values(void)
{
	_cleanup_free_ char *r = NULL;

	CHECK(put("# defaults\n"
		  "\n"
		  "log_size_max = 1M\n"
		  "  network=\"none\"   # no network\n"
		  "stop-timeout = '5'\n"
		  "hostname = \"a#b\" # the # inside quotes is the value's\n"
		  "pids_limit = 100 # comment\n") == 0);
	r = load();
	CHECK_STR(r, "--log-size-max=1M:3|--network=none:4|--stop-timeout=5:5|--hostname=a#b:6|"
		     "--pids-limit=100:7");
}

static void test_missing_and_empty(void)
{
	_cleanup_free_ char *r1 = NULL, *r2 = NULL;
	char **f = (char **)1;
	unsigned *l = (unsigned *)1;
	struct err e = { 0 };

	unlink(path);
	CHECK(conf_load(path, &f, &l, &e) == 0 && !f && !l);
	r1 = load();
	CHECK_STR(r1, "");
	CHECK(put("# only comments\n\n   \n") == 0);
	r2 = load();
	CHECK_STR(r2, "");
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "network none\n", ":1: not \"key = value\"" },
		{ "\n# x\nname = web\n", ":3: unknown key \"name\"" },
		{ "env = A=1\n", ":1: unknown key \"env\"" },
		{ "network =\n", ":1: network: empty value" },
		{ "network = \"none\n", ":1: network: no closing \"" },
		{ "network = \"none\" x\n", ":1: network: text after the quoted value" },
		{ "network = no\"ne\n", ":1: network: a quote inside the value" },
		{ "network = none\nlog_size_max = 1M\nnetwork = host\n",
		  ":3: network is already set on line 1" },
		{ "# k = v\nk#x = 1\n", ":2: not \"key = value\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *r = NULL;

		CHECK(put(cases[i].text) == 0);
		r = load();
		CHECK_HAS(r, "ERR: ");
		CHECK_HAS(r, path);
		CHECK_HAS(r, cases[i].want);
	}
}

static void test_not_text(void)
{
	_cleanup_free_ char *r = NULL, *big = xmalloc(70000);

	memset(big, '#', 69999);
	big[69999] = '\0';
	CHECK(put(big) == 0);
	r = load();
	CHECK_HAS(r, "not a text file of at most 64 KiB");
}

static void test_env_path(void)
{
	setenv("NOOK_CONF", "/some/where.conf", 1);
	CHECK_STR(conf_path(), "/some/where.conf");
	setenv("NOOK_CONF", "", 1);
	CHECK_STR(conf_path(), CONF_DEFAULT_PATH);
	unsetenv("NOOK_CONF");
	CHECK_STR(conf_path(), "/etc/nook/nook.conf");
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/nook-unit-conf-%d.conf", (int)getpid());
	RUN(test_values);
	RUN(test_missing_and_empty);
	RUN(test_errors);
	RUN(test_not_text);
	RUN(test_env_path);
	unlink(path);
	UNIT_EXIT();
}
