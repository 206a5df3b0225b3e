/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit: the smallest test harness that does the job.  Each test file defines
 * test functions and a main() that calls RUN(fn) for each.  Output is one
 * line per test in the project's result format, read by tests/summary.sh:
 *   ok - file: name
 *   not ok - file: name: file.c:LINE: what failed
 * A failed CHECK ends that test (return), never the whole run.
 */
#ifndef NOOK_UNIT_H
#define NOOK_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_total;
static int unit_cur_failed;
static char unit_why[1024];
/* A test that cannot run here sets this and returns: RUN prints a TAP
 * skip ("optional: ..." for what CI may lack). */
static const char *unit_skip;

#define CHECK(cond)                                                                           \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			snprintf(unit_why, sizeof(unit_why), "%s:%d: %s", __FILE__, __LINE__, \
				 #cond);                                                      \
			unit_cur_failed = 1;                                                  \
			return;                                                               \
		}                                                                             \
	} while (0)

#define CHECK_STR(a, b)                                                                       \
	do {                                                                                  \
		const char *_a = (a), *_b = (b);                                              \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                      \
			snprintf(unit_why, sizeof(unit_why), "%s:%d: '%.400s' != '%.400s'",   \
				 __FILE__, __LINE__, _a ? _a : "(null)", _b ? _b : "(null)"); \
			unit_cur_failed = 1;                                                  \
			return;                                                               \
		}                                                                             \
	} while (0)

/* The string s contains sub. */
#define CHECK_HAS(s, sub)                                                                         \
	do {                                                                                      \
		const char *_s = (s), *_u = (sub);                                                \
		if (!_s || !strstr(_s, _u)) {                                                     \
			snprintf(unit_why, sizeof(unit_why),                                      \
				 "%s:%d: '%.400s' does not contain '%.200s'", __FILE__, __LINE__, \
				 _s ? _s : "(null)", _u);                                         \
			unit_cur_failed = 1;                                                      \
			return;                                                                   \
		}                                                                                 \
	} while (0)

#define RUN(fn)                                                                       \
	do {                                                                          \
		unit_skip = NULL;                                                     \
		unit_cur_failed = 0;                                                  \
		fn();                                                                 \
		if (unit_cur_failed) {                                                \
			unit_failed_total++;                                          \
			printf("not ok - %s: %s: %s\n", UNIT_NAME, #fn, unit_why);    \
		} else if (unit_skip) {                                               \
			printf("ok - %s: %s # SKIP %s\n", UNIT_NAME, #fn, unit_skip); \
		} else {                                                              \
			printf("ok - %s: %s\n", UNIT_NAME, #fn);                      \
		}                                                                     \
		fflush(stdout);                                                       \
	} while (0)

#define UNIT_EXIT() return unit_failed_total ? 1 : 0

/* s with every ' turned into ": JSON written inside C strings.  The result
 * lives until the next call. */
static inline const char *q(const char *s)
{
	static char buf[16384];
	size_t i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = '\0';
	return buf;
}

#endif
