// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-monitor: monitor/ (monitor, log, exitfile, attach).
 *
 * Without root: exit files (write, read, wait with inotify, timeout,
 * latency), the k8s-file log (format, partial lines, rotation, tail,
 * since/until, follow across rotations), the attach client against a
 * fake monitor (framing, detach keys, EOF, resize) and the stack range
 * the monitor gives back after setup, for each page size.
 *
 * With root and the busybox rootfs of tests/mkrootfs.sh (built on demand
 * into build/test-rootfs): real containers through monitor_spawn, in the
 * forked and in the re-executed design (this binary handles
 * `__monitor` like nook's main does): exit code, log streams, attach
 * before start, stdin, a terminal with resize, setup errors leaving
 * nothing behind, and the monitor's VmRSS (printed as a note; the ASan
 * build inflates it, see NOOK_MONITOR_EXE below).
 */
#define UNIT_NAME "test-monitor"
#include "tests/unit/unit.h"

#include "monitor/internal.h"
#include "monitor/monitor.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "oci/cgroup.h"
#include "oci/linux.h"
#include "oci/sys.h"

#define TS0 1795348800000000000LL /* 2026-11-22T12:00:00Z */
#define SEC 1000000000LL

static char rootfs[4096];
static char priv_why[160];
static int can_priv;

/* ---- helpers --------------------------------------------------------- */

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

/* A fresh scratch directory; caller frees (and removes with rm_rf). */
static char *scratch(void)
{
	char *d = xstrdup("/tmp/nook-unit-monitor-XXXXXX");

	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static void rm_rf(const char *d)
{
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", d);

	if (d && system(cmd) != 0)
		fprintf(stderr, "rm -rf %s failed\n", d);
}

static char *path_in(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *slurp(const char *dir, const char *name)
{
	_cleanup_free_ char *p = path_in(dir, name);

	return file_read(p, NULL, NULL);
}

/* An anonymous file to capture output; cap_text reads it all back. */
static int cap_new(void)
{
	return memfd_create("cap", MFD_CLOEXEC);
}

static char *cap_text(int fd)
{
	_cleanup_free_ char *p = xasprintf("/proc/self/fd/%d", fd);

	return file_read(p, NULL, NULL);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- exit files ------------------------------------------------------ */

static void test_exit_write_read(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *p = path_in(d, "x");
	_cleanup_free_ char *text = NULL;
	struct monitor_exit w = {
		.exit_code = 137, .signal = 9, .oom_killed = 1, .time_ns = 1795348800123456789LL
	};
	struct monitor_exit r;
	struct err e = { 0 };

	CHECK(d);
	CHECK(monitor_exit_write(p, &w, &e) == 0);
	text = slurp(d, "x");
	CHECK_STR(text, "{\"exitCode\":137,\"signal\":9,\"oomKilled\":true,"
			"\"time\":1795348800123456789}\n");
	CHECK(monitor_exit_read(p, &r, &e) == 0);
	CHECK(r.exit_code == 137 && r.signal == 9 && r.oom_killed == 1);
	CHECK(r.time_ns == 1795348800123456789LL); /* no double on the way */
	CHECK(file_write_atomic(p, "{ \"exitCode\": 0, \"oomKilled\": false }", 36, 0644, &e) == 0);
	CHECK(monitor_exit_read(p, &r, &e) == 0);
	CHECK(r.exit_code == 0 && r.signal == 0 && !r.oom_killed && r.time_ns == 0);
	CHECK(file_write_atomic(p, "{}", 2, 0644, &e) == 0);
	CHECK(monitor_exit_read(p, &r, &e) < 0 && e.errnum == EINVAL);
	CHECK(unlink(p) == 0);
	CHECK(monitor_exit_read(p, &r, &e) < 0 && e.errnum == ENOENT);
	rm_rf(d);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A child writes the exit file after 50 ms; the wait returns it.  Five
 * rounds for the latency note: from the rename to the return. */
static void test_exit_wait(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *p = path_in(d, "exit");
	_cleanup_free_ char *stage = path_in(d, "stage");
	struct monitor_exit x;
	struct err e = { 0 };
	int64_t t0, lat[5];
	int64_t *shared =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st;

	CHECK(d);
	CHECK(shared != MAP_FAILED);
	for (int i = 0; i < 5; i++) {
		unlink(p);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			/* as file_write_atomic does: written, then renamed */
			struct monitor_exit w = { .exit_code = 42 + i };

			msleep(50);
			if (monitor_exit_write(stage, &w, NULL) < 0)
				_exit(1);
			*shared = mono_us();
			_exit(rename(stage, p) == 0 ? 0 : 1);
		}
		t0 = mono_us();
		CHECK(monitor_exit_wait(p, 5000, &x, &e) == 0);
		lat[i] = mono_us() - *shared;
		CHECK(waitpid(pid, &st, 0) == pid && st == 0);
		CHECK(x.exit_code == 42 + i);
		CHECK(mono_us() - t0 >= 45000);
	}
	qsort(lat, 5, sizeof(lat[0]), cmp_i64);
	printf("# note: monitor_exit_wait returned %lld us (min) / %lld us (median) after the "
	       "rename of the exit file\n",
	       (long long)lat[0], (long long)lat[2]);
	/* Already there: at once. */
	t0 = mono_us();
	CHECK(monitor_exit_wait(p, 0, &x, &e) == 0 && x.exit_code == 46);
	CHECK(mono_us() - t0 < 100000);
	munmap(shared, 4096);
	rm_rf(d);
}

static void test_exit_wait_timeout(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *p = path_in(d, "exit");
	_cleanup_free_ char *other = path_in(d, "other");
	struct monitor_exit x;
	struct err e = { 0 };
	int64_t t0;
	pid_t pid;

	CHECK(d);
	/* Events for other files do not end the wait. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		msleep(20);
		_exit(file_write_atomic(other, "x", 1, 0644, NULL) == 0 ? 0 : 1);
	}
	t0 = mono_us();
	CHECK(monitor_exit_wait(p, 150, &x, &e) < 0);
	CHECK(e.errnum == ETIMEDOUT);
	CHECK(mono_us() - t0 >= 140000 && mono_us() - t0 < 1000000);
	waitpid(pid, NULL, 0);
	/* A missing directory is an error, not a wait. */
	{
		_cleanup_free_ char *q = path_in(d, "nodir/exit");

		CHECK(monitor_exit_wait(q, 100, &x, &e) < 0 && e.errnum == ENOENT);
	}
	rm_rf(d);
}

/* ---- the log --------------------------------------------------------- */

static void test_log_format(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	struct monitor_log l;
	struct err e = { 0 };

	CHECK(d);
	dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(monitor_log_open(&l, dfd, 0, &e) == 0);
	CHECK(l.max == 1024 * 1024 && l.size == 0);
	CHECK(monitor_log_write(&l, 1, "hello\nworld\n", 12, TS0 + 123456789, &e) == 0);
	CHECK(monitor_log_write(&l, 2, "par", 3, TS0 + SEC, &e) == 0);
	CHECK(monitor_log_write(&l, 2, "tial\n\nnext", 10, TS0 + 2 * SEC + 5, &e) == 0);
	monitor_log_close(&l);
	text = slurp(d, "ctr.log");
	CHECK_STR(text, "2026-11-22T12:00:00.123456789Z stdout F hello\n"
			"2026-11-22T12:00:00.123456789Z stdout F world\n"
			"2026-11-22T12:00:01.000000000Z stderr P par\n"
			"2026-11-22T12:00:02.000000005Z stderr F tial\n"
			"2026-11-22T12:00:02.000000005Z stderr F \n"
			"2026-11-22T12:00:02.000000005Z stderr P next\n");
	/* Reopening appends (a restarted container keeps its log). */
	CHECK(monitor_log_open(&l, dfd, 0, &e) == 0);
	CHECK(l.size == strlen(text));
	monitor_log_close(&l);
	rm_rf(d);
}

/* The record time is formatted by hand (no gmtime_r in the monitor's
 * loop): it must agree with libc's calendar, leap days and century years
 * included, over the years a log can carry (int64 nanoseconds end in 2262). */
static void test_log_time_calendar(void)
{
	static const int64_t at[] = { 0,	  951782400,  951868800,  4107542400,
				      4107628800, 1709164800, 1709251199, 9000000000 };
	_cleanup_free_ char *d = scratch();
	_cleanup_close_ int dfd = -1;
	struct monitor_log l;
	struct err e = { 0 };
	uint64_t x = 88172645463325252ULL;
	int bad = 0;

	CHECK(d);
	dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 2000 && !bad; i++) {
		_cleanup_free_ char *text = NULL;
		char want[64];
		struct tm tm;
		time_t s;
		int64_t ns;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		s = i < (int)ARRAY_SIZE(at) ? (time_t)at[i] : (time_t)(x % 9200000000ULL);
		ns = (int64_t)s * SEC + (int64_t)(x % SEC);
		CHECK(gmtime_r(&s, &tm) != NULL);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ stdout F x\n",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(ns % SEC));
		unlinkat(dfd, "ctr.log", 0);
		CHECK(monitor_log_open(&l, dfd, 0, &e) == 0);
		CHECK(monitor_log_write(&l, 1, "x\n", 2, ns, &e) == 0);
		monitor_log_close(&l);
		text = slurp(d, "ctr.log");
		if (!text || strcmp(text, want) != 0) {
			fprintf(stderr, "  time %lld: got '%s', want '%s'\n", (long long)ns,
				text ? text : "(none)", want);
			bad = 1;
		}
	}
	CHECK(!bad);
	rm_rf(d);
}

static void test_log_long_line(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *big = xmalloc(40001);
	_cleanup_free_ char *got = NULL;
	_cleanup_close_ int dfd = -1;
	_cleanup_close_ int out = cap_new();
	struct monitor_logs_opts lo = { .tail = -1 };
	struct monitor_log l;
	struct err e = { 0 };

	CHECK(d);
	for (int i = 0; i < 40000; i++)
		big[i] = (char)('a' + i % 26);
	big[40000] = '\n';
	dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(monitor_log_open(&l, dfd, 0, &e) == 0);
	CHECK(monitor_log_write(&l, 1, big, 40001, TS0, &e) == 0);
	monitor_log_close(&l);
	text = slurp(d, "ctr.log");
	/* 16384 + 16384 + 7232: two P records, one F */
	CHECK(count_lines(text) == 3);
	CHECK_HAS(text, " stdout P abcd");
	CHECK(strstr(text, " stdout F ") && !strstr(strstr(text, " stdout F "), " P "));
	CHECK(monitor_logs(d, &lo, out, -1, &e) == 0);
	got = cap_text(out);
	CHECK(got && strlen(got) == 40001 && memcmp(got, big, 40001) == 0);
	rm_rf(d);
}

static void test_log_rotation(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *cur = NULL;
	_cleanup_free_ char *old = NULL;
	_cleanup_free_ char *got = NULL;
	_cleanup_close_ int dfd = -1;
	_cleanup_close_ int out = cap_new();
	struct monitor_logs_opts lo = { .tail = -1 };
	struct monitor_log l;
	struct err e = { 0 };
	char line[32];

	CHECK(d);
	dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Records are 50 bytes ("<30> stdout F line-NN" + "\n"): 4 per file. */
	CHECK(monitor_log_open(&l, dfd, 200, &e) == 0);
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "line-%02d\n", i);
		CHECK(monitor_log_write(&l, 1, line, 8, TS0 + i * SEC, &e) == 0);
		CHECK(l.size <= 200);
	}
	monitor_log_close(&l);
	cur = slurp(d, "ctr.log");
	old = slurp(d, "ctr.log.1");
	CHECK(cur && old);
	CHECK(strlen(cur) <= 200 && strlen(old) <= 200);
	CHECK(count_lines(cur) == 2 && count_lines(old) == 4);
	CHECK_HAS(old, "line-04");
	CHECK_HAS(cur, "line-09");
	CHECK(monitor_logs(d, &lo, out, -1, &e) == 0);
	got = cap_text(out);
	CHECK_STR(got, "line-04\nline-05\nline-06\nline-07\nline-08\nline-09\n");
	rm_rf(d);
}

/* ctr.log.1 + ctr.log with stdout, stderr and a partial line. */
static int make_history(const char *d)
{
	_cleanup_close_ int dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct monitor_log l;
	char buf[32];

	if (monitor_log_open(&l, dfd, 1 << 20, NULL) < 0)
		return -1;
	for (int i = 1; i <= 6; i++) {
		snprintf(buf, sizeof(buf), "o%d\n", i);
		monitor_log_write(&l, 1, buf, strlen(buf), TS0 + i * SEC, NULL);
		if (i == 3) {
			/* rotate by hand: the first three lines become .1 */
			monitor_log_close(&l);
			renameat(dfd, "ctr.log", dfd, "ctr.log.1");
			monitor_log_open(&l, dfd, 1 << 20, NULL);
		}
	}
	monitor_log_write(&l, 2, "e-", 2, TS0 + 7 * SEC, NULL);
	monitor_log_write(&l, 1, "o7\n", 3, TS0 + 7 * SEC + 1, NULL);
	monitor_log_write(&l, 2, "joined\n", 7, TS0 + 8 * SEC, NULL);
	monitor_log_close(&l);
	return 0;
}

/* monitor_logs into two captures; *o and *r are malloc'd. */
static int logs_cap(const char *d, struct monitor_logs_opts lo, char **o, char **r)
{
	int out = cap_new(), err = cap_new(), rc;

	rc = monitor_logs(d, &lo, out, err, NULL);
	*o = cap_text(out);
	*r = cap_text(err);
	close(out);
	close(err);
	return rc;
}

#define LOGS(...)                                                                           \
	do {                                                                                \
		free(o);                                                                    \
		free(r);                                                                    \
		CHECK(logs_cap(d, (struct monitor_logs_opts){ __VA_ARGS__ }, &o, &r) == 0); \
	} while (0)

static void test_logs_filters(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *o = NULL;
	_cleanup_free_ char *r = NULL;

	CHECK(d);
	CHECK(make_history(d) == 0);
	LOGS(.tail = -1);
	CHECK_STR(o, "o1\no2\no3\no4\no5\no6\no7\n");
	CHECK_STR(r, "e-joined\n");
	/* tail counts whole lines of both streams across both files */
	LOGS(.tail = 2);
	CHECK_STR(o, "o7\n");
	CHECK_STR(r, "e-joined\n");
	LOGS(.tail = 5);
	CHECK_STR(o, "o4\no5\no6\no7\n");
	LOGS(.tail = 0);
	CHECK_STR(o, "");
	CHECK_STR(r, "");
	LOGS(.tail = 100);
	CHECK(count_lines(o) == 7);
	/* since/until: inclusive, by a line's first part */
	LOGS(.tail = -1, .since_ns = TS0 + 3 * SEC, .until_ns = TS0 + 5 * SEC);
	CHECK_STR(o, "o3\no4\no5\n");
	CHECK_STR(r, "");
	LOGS(.tail = -1, .since_ns = TS0 + 7 * SEC);
	CHECK_STR(o, "o7\n");
	CHECK_STR(r, "e-joined\n");
	/* lines count in the order they began: e- began before o7 */
	LOGS(.tail = 1, .timestamps = 1);
	CHECK_STR(o, "2026-11-22T12:00:07.000000001Z o7\n");
	CHECK_STR(r, "");
	LOGS(.tail = -1, .since_ns = TS0 + 6 * SEC, .timestamps = 1);
	CHECK_STR(o, "2026-11-22T12:00:06.000000000Z o6\n2026-11-22T12:00:07.000000001Z o7\n");
	rm_rf(d);
}

static void test_logs_follow(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *ex = NULL;
	_cleanup_free_ char *got = NULL;
	_cleanup_close_ int out = cap_new();
	struct monitor_logs_opts lo = { .tail = -1, .follow = 1 };
	struct err e = { 0 };
	int64_t t0;
	pid_t pid;
	int st;

	CHECK(d);
	CHECK(mkdir(ex = path_in(d, "exits"), 0755) == 0);
	free(ex);
	ex = path_in(d, "exits/c");
	lo.exit_path = ex;
	{
		_cleanup_close_ int dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct monitor_log l;

		CHECK(monitor_log_open(&l, dfd, 300, &e) == 0);
		CHECK(monitor_log_write(&l, 1, "before\n", 7, 0, &e) == 0);
		monitor_log_close(&l);
	}
	/* A writer that rotates (300 bytes = 6 records) while we follow,
	 * then writes the exit file like the monitor does. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		_cleanup_close_ int dfd = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct monitor_log l;
		struct monitor_exit x = { .exit_code = 0 };
		char buf[32];

		msleep(50);
		if (monitor_log_open(&l, dfd, 300, NULL) < 0)
			_exit(1);
		for (int i = 0; i < 20; i++) {
			snprintf(buf, sizeof(buf), "n%02d\n", i);
			monitor_log_write(&l, 1, buf, 4, 0, NULL);
			msleep(5);
		}
		monitor_log_close(&l);
		_exit(monitor_exit_write(ex, &x, NULL) == 0 ? 0 : 1);
	}
	t0 = mono_us();
	CHECK(monitor_logs(d, &lo, out, -1, &e) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	CHECK(mono_us() - t0 < 5000000);
	got = cap_text(out);
	CHECK(got && strncmp(got, "before\nn00\nn01\n", 15) == 0);
	CHECK_HAS(got, "n18\nn19\n");
	/* every line, once, in order: the rotations lost nothing */
	CHECK(count_lines(got) == 21);
	for (int i = 0; i < 20; i++) {
		char want[16];

		snprintf(want, sizeof(want), "n%02d\n", i % 100);
		CHECK_HAS(got, want);
	}
	/* exit file already there: follow returns after printing */
	{
		_cleanup_close_ int o2 = cap_new();
		_cleanup_free_ char *g2 = NULL;

		CHECK(monitor_logs(d, &lo, o2, -1, &e) == 0);
		g2 = cap_text(o2);
		CHECK(count_lines(g2) >= 6);
	}
	rm_rf(d);
}

/* ---- attach against a fake monitor ----------------------------------- */

static int fake_listen(const char *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/attach", d);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -1;
	return fd;
}

static int frame_put(int fd, int type, const char *s, size_t n)
{
	unsigned char h[5] = { (unsigned char)type, (unsigned char)(n >> 24),
			       (unsigned char)(n >> 16), (unsigned char)(n >> 8),
			       (unsigned char)n };

	return write_all(fd, h, 5) < 0 || write_all(fd, s, n) < 0 ? -1 : 0;
}

/* Read frames until EOF (or EOF_STDIN); writes "T:payload;" per frame to
 * a file in d.  Returns 0 at EOF_STDIN/EOF. */
static void fake_record(int c, const char *d, int stop_at_eof_stdin)
{
	_cleanup_free_ char *p = path_in(d, "got");
	FILE *f = fopen(p, "w");
	unsigned char h[5];

	while (f && recv(c, h, 5, MSG_WAITALL) == 5) {
		size_t n = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
		char buf[4096];

		if (n >= sizeof(buf) || (n && recv(c, buf, n, MSG_WAITALL) != (ssize_t)n))
			break;
		buf[n] = '\0';
		fprintf(f, "%d:%s;", h[0], buf);
		fflush(f);
		if (stop_at_eof_stdin && h[0] == MONITOR_FRAME_EOF_STDIN)
			break;
	}
	if (f)
		fclose(f);
}

static void test_attach_detach(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *got = NULL;
	_cleanup_free_ char *o = NULL;
	_cleanup_close_ int ls = -1;
	_cleanup_close_ int out = cap_new();
	struct monitor_attach_opts ao = { .out_fd = out, .err_fd = out };
	struct err e = { 0 };
	int in[2];
	pid_t pid, typist;

	CHECK(d);
	CHECK((ls = fake_listen(d)) >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int c = accept(ls, NULL, NULL);

		frame_put(c, MONITOR_FRAME_STDOUT, "hi\n", 3);
		fake_record(c, d, 0);
		_exit(0);
	}
	/* ctrl-p alone passes through, ctrl-p ctrl-q detaches; typed a
	 * moment later, when the output is there */
	CHECK(pipe(in) == 0);
	typist = fork();
	CHECK(typist >= 0);
	if (typist == 0) {
		msleep(100);
		_exit(write(in[1],
			    "ab\x10"
			    "c\x10\x11"
			    "zz",
			    8) == 8
			      ? 0
			      : 1);
	}
	ao.in_fd = in[0];
	CHECK(monitor_attach(d, &ao, &e) == 1);
	close(in[0]);
	close(in[1]);
	CHECK(waitpid(pid, NULL, 0) == pid);
	CHECK(waitpid(typist, NULL, 0) == typist);
	got = slurp(d, "got");
	CHECK_STR(got, "1:ab\x10"
		       "c;");
	o = cap_text(out);
	CHECK_STR(o, "hi\n");
	rm_rf(d);
}

static void test_attach_eof_exit(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *got = NULL;
	_cleanup_free_ char *o = NULL;
	_cleanup_free_ char *r = NULL;
	_cleanup_close_ int ls = -1;
	_cleanup_close_ int out = cap_new();
	_cleanup_close_ int err = cap_new();
	struct monitor_attach_opts ao = { .out_fd = out, .err_fd = err, .detach_keys = "a,ctrl-x" };
	struct err e = { 0 };
	int in[2];
	pid_t pid;

	CHECK(d);
	CHECK((ls = fake_listen(d)) >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int c = accept(ls, NULL, NULL);

		fake_record(c, d, 1);
		/* output after stdin ended still reaches the client */
		frame_put(c, MONITOR_FRAME_STDOUT, "out", 3);
		frame_put(c, MONITOR_FRAME_STDERR, "err", 3);
		frame_put(c, MONITOR_FRAME_EXIT, "3", 1);
		msleep(100);
		_exit(0);
	}
	CHECK(pipe(in) == 0);
	/* "a" then not ctrl-x: the held "a" goes out with what follows */
	CHECK(write(in[1], "xab", 3) == 3);
	close(in[1]);
	ao.in_fd = in[0];
	CHECK(monitor_attach(d, &ao, &e) == 0);
	close(in[0]);
	CHECK(waitpid(pid, NULL, 0) == pid);
	got = slurp(d, "got");
	CHECK_STR(got, "1:xab;5:;");
	o = cap_text(out);
	r = cap_text(err);
	CHECK_STR(o, "out");
	CHECK_STR(r, "err");
	rm_rf(d);
}

static void test_attach_tty(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *got = NULL;
	_cleanup_close_ int ls = -1;
	_cleanup_close_ int master = -1;
	_cleanup_close_ int slave = -1;
	struct monitor_attach_opts ao = { .out_fd = -1, .err_fd = -1, .tty = 1 };
	struct winsize ws = { .ws_row = 22, .ws_col = 77 };
	struct termios before, after;
	struct err e = { 0 };
	pid_t pid, typist;

	CHECK(d);
	CHECK((ls = fake_listen(d)) >= 0);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	CHECK(slave >= 0);
	CHECK(ioctl(slave, TIOCSWINSZ, &ws) == 0);
	CHECK(tcgetattr(slave, &before) == 0);
	CHECK(before.c_lflag & ICANON);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fake_record(accept(ls, NULL, NULL), d, 0);
		_exit(0);
	}
	/* raw mode: the keys arrive one by one, no line editing */
	typist = fork();
	CHECK(typist >= 0);
	if (typist == 0) {
		msleep(100);
		_exit(write(master, "ls\x10\x11", 4) == 4 ? 0 : 1);
	}
	ao.in_fd = slave;
	CHECK(monitor_attach(d, &ao, &e) == 1);
	CHECK(waitpid(typist, NULL, 0) == typist);
	CHECK(waitpid(pid, NULL, 0) == pid);
	CHECK(tcgetattr(slave, &after) == 0);
	CHECK(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag &&
	      after.c_oflag == before.c_oflag);
	got = slurp(d, "got");
	CHECK_STR(got, "4:77 22;1:ls;");
	rm_rf(d);
}

static void test_attach_errors(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_close_ int ls = -1;
	struct monitor_attach_opts ao = { .in_fd = -1, .out_fd = -1, .err_fd = -1 };
	struct err e = { 0 };
	pid_t pid;

	CHECK(d);
	ao.detach_keys = "ctrl-p,ctrl-";
	CHECK(monitor_attach(d, &ao, &e) < 0 && e.errnum == EINVAL);
	CHECK_HAS(e.msg, "ctrl-");
	ao.detach_keys = "ctrl-P,ctrl-[,ctrl-@,x";
	/* valid keys, but nobody listens */
	CHECK(monitor_attach(d, &ao, &e) < 0 && (e.errnum == ENOENT || e.errnum == ECONNREFUSED));
	/* the monitor goes away without an EXIT frame: an error, not a hang */
	CHECK((ls = fake_listen(d)) >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(accept(ls, NULL, NULL));
		_exit(0);
	}
	ao.detach_keys = "";
	CHECK(monitor_attach(d, &ao, &e) < 0);
	CHECK_HAS(e.msg, "closed the connection");
	waitpid(pid, NULL, 0);
	/* resize: one RESIZE frame with "W H" */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int c = accept(ls, NULL, NULL);

		fake_record(c, d, 0);
		_exit(0);
	}
	CHECK(monitor_resize(d, 132, 43, &e) == 0);
	CHECK(waitpid(pid, NULL, 0) == pid);
	{
		_cleanup_free_ char *got = slurp(d, "got");

		CHECK_STR(got, "4:132 43;");
	}
	rm_rf(d);
}

/* The stack the monitor gives back after setup (drop_setup_stack): whole
 * pages of the kernel's size, ending at least 8 KiB below the stack
 * pointer.  madvise rounds a length up to a page: a range cut at 4 KiB on
 * a kernel with 64 KiB pages (arm64, MIPS) reached the live page. */
static void test_stack_unused(void)
{
	const unsigned long lo = 0x7ff00000UL, hi = lo + 0x100000;
	const unsigned long pgs[] = { 4096, 16384, 65536 };
	const unsigned long sps[] = { 0x35010, 0x80008, 0xfff0, 0x20000, 0xffff8, 0x2010 };

	for (size_t i = 0; i < ARRAY_SIZE(pgs); i++) {
		unsigned long pg = pgs[i];

		for (size_t j = 0; j < ARRAY_SIZE(sps); j++) {
			unsigned long sp = lo + sps[j];
			unsigned long len = monitor_stack_unused(lo, hi, sp, pg);

			CHECK(len % pg == 0);
			/* what madvise zeroes ends 8 KiB or more below sp */
			CHECK(len == 0 || lo + len + 8192 <= sp);
		}
	}
	/* 4 KiB pages: as before, up to two pages under the page of sp */
	CHECK(monitor_stack_unused(lo, hi, lo + 0x35010, 4096) == 0x33000);
	/* 64 KiB pages: the pages wholly below sp - 8 KiB */
	CHECK(monitor_stack_unused(lo, hi, lo + 0x35010, 65536) == 0x30000);
	CHECK(monitor_stack_unused(lo, hi, lo + 0x12010, 65536) == 0x10000);
	CHECK(monitor_stack_unused(lo, hi, lo + 0x11000, 65536) == 0);
	/* sp not in the mapping, or too near its end: nothing */
	CHECK(monitor_stack_unused(lo, hi, hi + 0x35010, 4096) == 0);
	CHECK(monitor_stack_unused(lo, hi, lo - 0x35010, 4096) == 0);
	CHECK(monitor_stack_unused(lo, hi, lo + 0x1000, 4096) == 0);
}

static void test_spawn_errors(void)
{
	_cleanup_free_ char *d = scratch();
	_cleanup_free_ char *ex = NULL;
	struct monitor_opts o = { .id = "nook-unit-bad" };
	struct err e = { 0 };
	pid_t pid = 0, mpid = 0;

	CHECK(d);
	CHECK(monitor_spawn(&o, &pid, &mpid, &e) < 0 && e.errnum == EINVAL);
	ex = path_in(d, "exit");
	o.dir = d;
	o.exit_path = ex;
	/* no config.json: the monitor's own error comes back */
	CHECK(monitor_spawn(&o, &pid, &mpid, &e) < 0);
	CHECK(e.errnum == ENOENT);
	CHECK_HAS(e.msg, "config.json");
	{
		_cleanup_free_ char *cfg = path_in(d, "config.json");
		const char *js =
			"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/nonexistent-nook\"},"
			"\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"}}";

		/* a missing rootfs is found before anything is made */
		CHECK(file_write_atomic(cfg, js, strlen(js), 0644, &e) == 0);
		CHECK(monitor_spawn(&o, &pid, &mpid, &e) < 0);
		CHECK(e.errnum == ENOENT);
		CHECK_HAS(e.msg, "/nonexistent-nook");
		CHECK(access(ex, F_OK) < 0);
	}
	rm_rf(d);
}

/* ---- real containers (root) ------------------------------------------ */

struct ctr {
	char *dir, *exit_path, *id, *cgroup;
	pid_t pid, mpid;
};

static char *tmp_root; /* <scratch>: containers/<id>, exits/ */
static int ctr_seq;

static void ctr_free(struct ctr *c)
{
	if (c->cgroup)
		oci_cgroup_remove(c->cgroup, NULL);
	free(c->dir);
	free(c->exit_path);
	free(c->id);
	free(c->cgroup);
	memset(c, 0, sizeof(*c));
}

/* Make <tmp>/containers/<id>/config.json for args (a JSON array). */
static int ctr_make(struct ctr *c, const char *args_json, int terminal)
{
	_cleanup_free_ char *def = oci_spec_default_json(0);
	_cleanup_free_ char *cfg = NULL;
	_cleanup_free_ char *text = NULL;
	cJSON *j = cJSON_Parse(def), *proc, *root;

	memset(c, 0, sizeof(*c));
	if (!j)
		return -1;
	c->id = xasprintf("nook-unit-mon-%d-%d", (int)getpid(), ++ctr_seq);
	c->dir = xasprintf("%s/containers/%s", tmp_root, c->id);
	c->exit_path = xasprintf("%s/exits/%s", tmp_root, c->id);
	c->cgroup = oci_cgroup_path(NULL, c->id, NULL);
	proc = cJSON_GetObjectItem(j, "process");
	root = cJSON_GetObjectItem(j, "root");
	cJSON_ReplaceItemInObject(proc, "args", cJSON_Parse(args_json));
	cJSON_ReplaceItemInObject(proc, "terminal", cJSON_CreateBool(terminal));
	cJSON_ReplaceItemInObject(root, "path", cJSON_CreateString(rootfs));
	text = cJSON_Print(j);
	cJSON_Delete(j);
	cfg = path_in(c->dir, "config.json");
	if (mkdir_p(c->dir, 0700, NULL) < 0 ||
	    file_write_atomic(cfg, text, strlen(text), 0600, NULL) < 0)
		return -1;
	return 0;
}

static int ctr_spawn(struct ctr *c, const char *exe, int stdin_open, struct err *e)
{
	struct monitor_opts o = { .id = c->id,
				  .dir = c->dir,
				  .exit_path = c->exit_path,
				  .stdin_open = stdin_open,
				  .monitor_exe = exe };

	return monitor_spawn(&o, &c->pid, &c->mpid, e);
}

static int ctr_start(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *fifo = path_in(c->dir, "exec.fifo");

	return oci_linux_start(fifo, c->pid, proc_start_time(c->pid), e);
}

/* We are the subreaper: the monitor is our child once the intermediate
 * exits.  It must end by itself soon after the exit file. */
static int monitor_gone(pid_t mpid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		int st;

		if (waitpid(mpid, &st, WNOHANG) == mpid)
			return WIFEXITED(st) && WEXITSTATUS(st) == 0;
		msleep(10);
	}
	return 0;
}

static long vm_rss_kb(pid_t pid)
{
	_cleanup_free_ char *p = xasprintf("/proc/%d/status", (int)pid);
	_cleanup_free_ char *s = file_read(p, NULL, NULL);
	const char *v = s ? strstr(s, "VmRSS:") : NULL;

	return v ? atol(v + 6) : -1;
}

static void run_exit_code(const char *exe)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	struct monitor_logs_opts lo = { .tail = -1, .timestamps = 1 };
	_cleanup_close_ int out = cap_new();
	_cleanup_close_ int err = cap_new();
	_cleanup_free_ char *o = NULL;
	_cleanup_free_ char *r = NULL;
	_cleanup_free_ char *pidf = NULL;
	_cleanup_free_ char *fifo = NULL;
	struct stat st;

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]", 0) == 0);
	if (ctr_spawn(&c, exe, 0, &e) < 0) {
		char b[600];

		snprintf(unit_why, sizeof(unit_why), "spawn: %s", err_str(&e, b, sizeof(b)));
		unit_cur_failed = 1;
		ctr_free(&c);
		return;
	}
	pidf = slurp(c.dir, "monitor.pid");
	CHECK(pidf && atoi(pidf) == c.mpid && strchr(pidf, ' '));
	fifo = path_in(c.dir, "exec.fifo");
	CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0622);
	CHECK(monitor_exit_read(c.exit_path, &x, &e) < 0); /* waits on the fifo */
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(monitor_exit_wait(c.exit_path, 10000, &x, &e) == 0);
	CHECK(x.exit_code == 3 && x.signal == 0 && !x.oom_killed);
	CHECK(x.time_ns > real_ns() - 60 * SEC);
	CHECK(monitor_gone(c.mpid, 3000));
	CHECK(monitor_logs(c.dir, &lo, out, err, &e) == 0);
	o = cap_text(out);
	r = cap_text(err);
	CHECK(o && strlen(o) == 35 && strcmp(o + 30, " out\n") == 0);
	CHECK(r && strlen(r) == 35 && strcmp(r + 30, " err\n") == 0);
	/* the monitor left: socket and pid file gone, cgroup left for us */
	free(pidf);
	pidf = path_in(c.dir, "attach");
	CHECK(access(pidf, F_OK) < 0);
	free(pidf);
	pidf = path_in(c.dir, "monitor.pid");
	CHECK(access(pidf, F_OK) < 0);
	CHECK(!c.cgroup || access(c.cgroup, F_OK) == 0);
	ctr_free(&c);
}

static void test_run_forked(void)
{
	run_exit_code(NULL);
}

static void test_run_reexec(void)
{
	run_exit_code("/proc/self/exe");
}

/* CVE-2019-5736: the created init (a clone of the monitor) runs the
 * binary through a read-only mount, and the very same inode (the page
 * cache is shared, unlike a memfd copy). */
static void test_init_exe_readonly(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	struct statvfs sv;
	struct stat self, init;
	char exe[4096], p[64];
	int fd;

	CHECK(realpath("/proc/self/exe", exe));
	CHECK(ctr_make(&c, "[\"true\"]", 0) == 0);
	CHECK(ctr_spawn(&c, exe, 0, &e) == 0);
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)c.pid);
	CHECK(stat(exe, &self) == 0 && stat(p, &init) == 0);
	CHECK(self.st_dev == init.st_dev && self.st_ino == init.st_ino);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY));
	fd = open(p, O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && (errno == EROFS || errno == ETXTBSY));
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0 && x.exit_code == 0);
	CHECK(monitor_gone(c.mpid, 3000));
	/* nothing of the mount dance is left in the directory */
	{
		_cleanup_free_ char *t = path_in(c.dir, ".monitor-exe");

		CHECK(access(t, F_OK) < 0);
	}
}

static void test_spawn_bad_rootfs(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	_cleanup_free_ char *fifo = NULL;
	_cleanup_free_ char *cfg = NULL;
	_cleanup_free_ char *text = NULL;

	CHECK(ctr_make(&c, "[\"/no/such/binary\"]", 0) == 0);
	/* exec errors arrive at start; a broken mount arrives at spawn */
	cfg = path_in(c.dir, "config.json");
	text = file_read(cfg, NULL, NULL);
	CHECK(text);
	{
		cJSON *j = cJSON_Parse(text), *m = cJSON_CreateObject();
		char *t;

		cJSON_AddStringToObject(m, "destination", "/mnt");
		cJSON_AddStringToObject(m, "type", "nosuchfs-nook");
		cJSON_AddStringToObject(m, "source", "none");
		cJSON_AddItemToArray(cJSON_GetObjectItem(j, "mounts"), m);
		t = cJSON_Print(j);
		cJSON_Delete(j);
		CHECK(file_write_atomic(cfg, t, strlen(t), 0600, &e) == 0);
		free(t);
	}
	CHECK(ctr_spawn(&c, NULL, 0, &e) < 0);
	CHECK_HAS(e.msg, "/mnt");
	fifo = path_in(c.dir, "exec.fifo");
	CHECK(access(fifo, F_OK) < 0);
	CHECK(!c.cgroup || access(c.cgroup, F_OK) < 0);
	ctr_free(&c);
}

/* Read frames from a raw attach connection until EXIT; stdout and
 * stderr payloads appended to o and r. */
static int read_frames(int s, char *o, size_t on, char *r, size_t rn, int *code)
{
	unsigned char h[5];

	*o = *r = '\0';
	while (recv(s, h, 5, MSG_WAITALL) == 5) {
		size_t n = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
		char buf[65536];

		if (n >= sizeof(buf) || (n && recv(s, buf, n, MSG_WAITALL) != (ssize_t)n))
			return -1;
		buf[n] = '\0';
		if (h[0] == MONITOR_FRAME_STDOUT && strlen(o) + n < on)
			strcat(o, buf);
		if (h[0] == MONITOR_FRAME_STDERR && strlen(r) + n < rn)
			strcat(r, buf);
		if (h[0] == MONITOR_FRAME_EXIT) {
			*code = atoi(buf);
			return 0;
		}
	}
	return -1;
}

static int raw_connect(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", dfd);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

static void test_attach_before_start(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	char o[256], r[256];
	int code = -1, s;

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]", 0) == 0);
	CHECK(ctr_spawn(&c, NULL, 0, &e) == 0);
	s = raw_connect(c.dir);
	CHECK(s >= 0);
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(read_frames(s, o, sizeof(o), r, sizeof(r), &code) == 0);
	close(s);
	CHECK_STR(o, "out\n");
	CHECK_STR(r, "err\n");
	CHECK(code == 3);
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0 && x.exit_code == 3);
	CHECK(monitor_gone(c.mpid, 3000));
	ctr_free(&c);
}

static int start_cb(void *arg, struct err *e)
{
	return ctr_start(arg, e);
}

/* start -a: the callback starts the container once connected */
static void test_start_attach(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	_cleanup_close_ int out = cap_new();
	_cleanup_close_ int err = cap_new();
	_cleanup_free_ char *o = NULL;
	_cleanup_free_ char *r = NULL;
	struct monitor_attach_opts ao = { .in_fd = -1, .out_fd = out, .err_fd = err };

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"echo out; echo err >&2; exit 3\"]", 0) == 0);
	CHECK(ctr_spawn(&c, "/proc/self/exe", 0, &e) == 0);
	ao.on_connected = start_cb;
	ao.arg = &c;
	CHECK(monitor_attach(c.dir, &ao, &e) == 0);
	CHECK(ao.exit_code == 3);
	o = cap_text(out);
	r = cap_text(err);
	CHECK_STR(o, "out\n");
	CHECK_STR(r, "err\n");
	CHECK(monitor_gone(c.mpid, 3000));
	/* the monitor is gone: attaching now says so at once */
	ao.on_connected = NULL;
	CHECK(monitor_attach(c.dir, &ao, &e) < 0 && e.errnum == ENOENT);
}

static void test_attach_stdin(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	_cleanup_close_ int out = cap_new();
	_cleanup_free_ char *o = NULL;
	struct monitor_attach_opts ao = { .out_fd = out, .err_fd = out };
	int in[2];

	/* cat: reads stdin until EOF_STDIN closes the pipe */
	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"cat; echo done; exit 7\"]", 0) == 0);
	CHECK(ctr_spawn(&c, "/proc/self/exe", 1, &e) == 0);
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(pipe(in) == 0);
	CHECK(write(in[1], "hello stdin\n", 12) == 12);
	close(in[1]);
	ao.in_fd = in[0];
	CHECK(monitor_attach(c.dir, &ao, &e) == 0);
	close(in[0]);
	o = cap_text(out);
	CHECK_STR(o, "hello stdin\ndone\n");
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0 && x.exit_code == 7);
	CHECK(monitor_gone(c.mpid, 3000));
	ctr_free(&c);
}

static void test_tty(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	char o[512], r[64];
	int code = -1, s;

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"stty size; echo tty-ok >&2; exit 5\"]", 1) == 0);
	CHECK(ctr_spawn(&c, NULL, 0, &e) == 0);
	s = raw_connect(c.dir);
	CHECK(s >= 0);
	CHECK(monitor_resize(c.dir, 100, 30, &e) == 0);
	msleep(50); /* the resize is handled before start */
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(read_frames(s, o, sizeof(o), r, sizeof(r), &code) == 0);
	close(s);
	/* a terminal: one stream, \r\n */
	CHECK_STR(o, "30 100\r\ntty-ok\r\n");
	CHECK_STR(r, "");
	CHECK(code == 5);
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0 && x.exit_code == 5);
	CHECK(monitor_gone(c.mpid, 3000));
	ctr_free(&c);
}

static void test_signal_exit(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;

	CHECK(ctr_make(&c, "[\"sleep\",\"30\"]", 0) == 0);
	CHECK(ctr_spawn(&c, NULL, 0, &e) == 0);
	CHECK(ctr_start(&c, &e) == 0);
	msleep(50);
	/* the monitor is shielded from the OOM killer, its container not */
	{
		_cleanup_free_ char *pm = xasprintf("/proc/%d/oom_score_adj", (int)c.mpid);
		_cleanup_free_ char *pi = xasprintf("/proc/%d/oom_score_adj", (int)c.pid);
		_cleanup_free_ char *vm = file_read(pm, NULL, NULL);
		_cleanup_free_ char *vi = file_read(pi, NULL, NULL);
		_cleanup_free_ char *self = file_read("/proc/self/oom_score_adj", NULL, NULL);

		pid_t probe = fork();
		int st = -1;

		if (probe == 0) /* some sandboxes refuse it even to root */
			_exit(file_write("/proc/self/oom_score_adj", "-1000", NULL) == 0 ? 0 : 1);
		CHECK(probe > 0 && waitpid(probe, &st, 0) == probe);
		if (st == 0)
			CHECK_STR(vm, "-1000\n");
		CHECK_STR(vi, self);
	}
	CHECK(kill(c.pid, SIGKILL) == 0);
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0);
	CHECK(x.exit_code == 137 && x.signal == SIGKILL);
	CHECK(monitor_gone(c.mpid, 3000));
	ctr_free(&c);
}

static void test_logs_follow_live(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	_cleanup_close_ int out = cap_new();
	_cleanup_free_ char *o = NULL;
	struct monitor_logs_opts lo = { .tail = -1, .follow = 1 };
	pid_t pid;
	int st;

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"for i in 1 2 3; do echo l$i; sleep 0.1; done\"]", 0) ==
	      0);
	CHECK(ctr_spawn(&c, NULL, 0, &e) == 0);
	lo.exit_path = c.exit_path;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		msleep(50); /* the follower is in place before the output */
		_exit(ctr_start(&c, NULL) == 0 ? 0 : 1);
	}
	CHECK(monitor_logs(c.dir, &lo, out, -1, &e) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	o = cap_text(out);
	CHECK_STR(o, "l1\nl2\nl3\n");
	CHECK(monitor_gone(c.mpid, 3000));
}

/* 3 MB of output without a newline: a client that never reads is
 * dropped and does not stall the container; a client that reads gets all
 * of it; the log stays within 2 x 1 MiB (P records, rotated). */
static void test_slow_client(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	struct stat a, b;
	_cleanup_free_ char *p1 = NULL;
	_cleanup_free_ char *p0 = NULL;
	int64_t t0;
	int slow, fast, st;
	pid_t reader;
	long total = 0;
	char buf[65536];

	/* 30 bursts of 100 kB: a reader that is scheduled now and then
	 * keeps up, one that never reads cannot */
	CHECK(ctr_make(&c,
		       "[\"sh\",\"-c\",\"for i in $(seq 30); do head -c 100000 /dev/zero | "
		       "tr '\\\\0' x; sleep 0.02; done; exit 4\"]",
		       0) == 0);
	CHECK(ctr_spawn(&c, NULL, 0, &e) == 0);
	slow = raw_connect(c.dir);
	fast = raw_connect(c.dir);
	CHECK(slow >= 0 && fast >= 0);
	reader = fork();
	CHECK(reader >= 0);
	if (reader == 0) {
		unsigned char h[5];
		long n = 0;

		/* count STDOUT payload bytes until EXIT */
		while (recv(fast, h, 5, MSG_WAITALL) == 5) {
			size_t len =
				(size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];

			if (len > sizeof(buf) ||
			    (len && recv(fast, buf, len, MSG_WAITALL) != (ssize_t)len))
				_exit(2);
			if (h[0] == MONITOR_FRAME_STDOUT)
				n += (long)len;
			if (h[0] == MONITOR_FRAME_EXIT)
				_exit(n == 3000000 && buf[0] == '4' ? 0 : 3);
		}
		_exit(4);
	}
	close(fast);
	t0 = mono_us();
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(monitor_exit_wait(c.exit_path, 20000, &x, &e) == 0 && x.exit_code == 4);
	CHECK(waitpid(reader, &st, 0) == reader);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* the slow one was cut off: EOF (or reset) long before 3 MB */
	for (ssize_t n; (n = read(slow, buf, sizeof(buf))) > 0;)
		total += n;
	close(slow);
	CHECK(total < 2000000);
	printf("# note: 3 MB through the monitor in %lld ms; a client that did not read was "
	       "dropped after %ld bytes\n",
	       (long long)(mono_us() - t0) / 1000, total);
	p0 = path_in(c.dir, "ctr.log");
	p1 = path_in(c.dir, "ctr.log.1");
	CHECK(stat(p0, &a) == 0 && stat(p1, &b) == 0);
	CHECK(a.st_size <= 1024 * 1024 && b.st_size <= 1024 * 1024);
	CHECK(monitor_gone(c.mpid, 3000));
}

/* The exit command replaces the monitor (same pid) once the exit file is
 * there: `nook cleanup` runs as the monitor's last act. */
static void test_exit_command(void)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *script = NULL;
	_cleanup_free_ char *want = NULL;
	char *argv[4] = { "/bin/sh", "-c", NULL, NULL };
	struct monitor_opts o = { 0 };

	CHECK(ctr_make(&c, "[\"sh\",\"-c\",\"exit 9\"]", 0) == 0);
	script = xasprintf("{ echo $$; cat '%s'; } > '%s/cleanup.out'", c.exit_path, c.dir);
	argv[2] = script;
	o.id = c.id;
	o.dir = c.dir;
	o.exit_path = c.exit_path;
	o.exit_command = argv;
	o.monitor_exe = "/proc/self/exe";
	CHECK(monitor_spawn(&o, &c.pid, &c.mpid, &e) == 0);
	CHECK(ctr_start(&c, &e) == 0);
	CHECK(monitor_exit_wait(c.exit_path, 5000, &x, &e) == 0 && x.exit_code == 9);
	CHECK(monitor_gone(c.mpid, 3000));
	out = slurp(c.dir, "cleanup.out");
	want = xasprintf("%d\n{\"exitCode\":9,", (int)c.mpid);
	CHECK(out && strncmp(out, want, strlen(want)) == 0);
}

static void measure_rss(const char *exe, const char *label)
{
	struct ctr c __attribute__((cleanup(ctr_free))) = { 0 };
	struct err e = { 0 };
	struct monitor_exit x;
	long kb;

	CHECK(ctr_make(&c, "[\"sleep\",\"2\"]", 0) == 0);
	CHECK(ctr_spawn(&c, exe, 0, &e) == 0);
	CHECK(ctr_start(&c, &e) == 0);
	msleep(300);
	kb = vm_rss_kb(c.mpid);
	CHECK(monitor_exit_wait(c.exit_path, 10000, &x, &e) == 0 && x.exit_code == 0);
	CHECK(monitor_gone(c.mpid, 3000));
	printf("# note: monitor VmRSS with a running container, %s: %ld kB\n", label, kb);
	ctr_free(&c);
}

static void test_rss(void)
{
	const char *exe = getenv("NOOK_MONITOR_EXE");

	measure_rss(NULL, "forked from this ASan test binary");
	measure_rss("/proc/self/exe", "re-executed ASan test binary");
	char real[4096];

	if (exe && realpath(exe, real)) /* the monitor runs in / */
		measure_rss(real, real);
}

/* ---- main ------------------------------------------------------------ */

static void priv_setup(void)
{
	struct stat st;
	const char *env = getenv("NOOK_TEST_ROOTFS");
	_cleanup_free_ char *stamp = NULL;
	pid_t probe;

	if (geteuid() != 0) {
		snprintf(priv_why, sizeof(priv_why), "needs root");
		return;
	}
	/* qemu-user (make cross-check) refuses clone with namespace flags */
	probe = sys_clone(CLONE_NEWNS);
	if (probe == 0)
		_exit(0);
	if (probe < 0 && errno == EINVAL) {
		snprintf(priv_why, sizeof(priv_why),
			 "qemu-user has no clone3/seccomp (clone with namespaces: EINVAL)");
		return;
	}
	if (probe > 0)
		waitpid(probe, NULL, 0);
	if (!realpath(env ? env : "build/test-rootfs", rootfs) ||
	    stat(stamp = path_in(rootfs, ".nook-rootfs"), &st) < 0) {
		/* make one (needs a static busybox) */
		if (system("sh tests/mkrootfs.sh build/test-rootfs >/dev/null 2>&1") != 0 ||
		    !realpath("build/test-rootfs", rootfs)) {
			snprintf(priv_why, sizeof(priv_why),
				 "no rootfs: tests/mkrootfs.sh build/test-rootfs failed");
			return;
		}
	}
	tmp_root = scratch();
	free(stamp);
	stamp = tmp_root ? path_in(tmp_root, "exits") : NULL;
	if (!stamp || mkdir(stamp, 0755) < 0) {
		snprintf(priv_why, sizeof(priv_why), "no scratch directory");
		return;
	}
	/* monitors are reparented to us: we can check that they end */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	can_priv = 1;
}

#define RUN_PRIV(fn)                                                                           \
	do {                                                                                   \
		if (!can_priv)                                                                 \
			printf("ok - %s: %s # SKIP optional: %s\n", UNIT_NAME, #fn, priv_why); \
		else                                                                           \
			RUN(fn);                                                               \
	} while (0)

int main(int argc, char **argv)
{
	/* The re-executed monitor: what nook's main() does. */
	if (argc > 1 && strcmp(argv[1], "__monitor") == 0)
		return monitor_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	RUN(test_exit_write_read);
	RUN(test_exit_wait);
	RUN(test_exit_wait_timeout);
	RUN(test_log_format);
	RUN(test_log_time_calendar);
	RUN(test_log_long_line);
	RUN(test_log_rotation);
	RUN(test_logs_filters);
	RUN(test_logs_follow);
	RUN(test_attach_detach);
	RUN(test_attach_eof_exit);
	RUN(test_attach_tty);
	RUN(test_attach_errors);
	RUN(test_stack_unused);
	RUN(test_spawn_errors);
	priv_setup();
	RUN_PRIV(test_run_forked);
	RUN_PRIV(test_run_reexec);
	RUN_PRIV(test_init_exe_readonly);
	RUN_PRIV(test_spawn_bad_rootfs);
	RUN_PRIV(test_attach_before_start);
	RUN_PRIV(test_start_attach);
	RUN_PRIV(test_attach_stdin);
	RUN_PRIV(test_tty);
	RUN_PRIV(test_signal_exit);
	RUN_PRIV(test_exit_command);
	RUN_PRIV(test_logs_follow_live);
	RUN_PRIV(test_slow_client);
	RUN_PRIV(test_rss);
	if (tmp_root)
		rm_rf(tmp_root);
	UNIT_EXIT();
}
