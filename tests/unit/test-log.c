// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-log: oci/log.h builds beside <syslog.h> (whose LOG_INFO and
 * LOG_DEBUG are macros), and log lines reach their fd in the text and the
 * JSON form, filtered by level.
 */
#define UNIT_NAME "test-log"
#include "tests/unit/unit.h"

#include <syslog.h>

#include "oci/log.h"

#include <unistd.h>

/* What log_msg wrote to a pipe, as a string. */
static const char *drain(int fd)
{
	static char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_beside_syslog(void)
{
	/* syslog's priorities keep their values; ours are distinct names */
	CHECK(LOG_ERR == 3 && LOG_INFO == 6 && LOG_DEBUG == 7);
	CHECK(LOGL_ERROR == 0 && LOGL_WARN == 1 && LOGL_INFO == 2 && LOGL_DEBUG == 3);
}

static void test_levels_and_forms(void)
{
	int p[2];

	CHECK(pipe(p) == 0);
	log_setup(p[1], 0, LOGL_INFO);
	log_msg(LOGL_DEBUG, "hidden");
	log_msg(LOGL_INFO, "shown %d", 1);
	CHECK_HAS(drain(p[0]), "Z\" level=info msg=\"shown 1\"\n");
	log_setup(p[1], 1, LOGL_WARN);
	CHECK(log_is_json());
	log_msg(LOGL_WARN, "a \"quoted\" word");
	CHECK_HAS(drain(p[0]),
		  "{\"level\":\"warning\",\"msg\":\"a \\\"quoted\\\" word\",\"time\":\"");
	log_setup(2, 0, LOGL_WARN);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	RUN(test_beside_syslog);
	RUN(test_levels_and_forms);
	UNIT_EXIT();
}
