// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-events: engine/events, the event log.
 *
 * Each test gets a fresh runroot under one mkdtemp base (the struct store is
 * built by hand: no store_open).  Output is captured in a memfd.  Hazards
 * covered: torn or interleaved lines under concurrent writers, rotation
 * losing or reordering events, the follower missing lines written after
 * it starts or across a rotation, and timeNano losing precision through a
 * double.  Forked children leave with _exit (no LSan run per child).
 */
#define UNIT_NAME "test-events"
#include "tests/unit/unit.h"

#include "engine/events.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define ID1 "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666777788889999aaaa"
#define ID2 "abcd000000000000000000000000000000000000000000000000000000000000"
#define T0 1795348800LL /* 2026-11-22T12:00:00Z */
#define NS 1000000000LL

static char base[] = "/tmp/nook-test-events-XXXXXX";
static char runroot[4200];
static struct store st;
static struct err err;
static int seq;

static int64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* A fresh, empty runroot for the next test. */
static void fresh(void)
{
	snprintf(runroot, sizeof(runroot), "%s/run%d", base, seq++);
	mkdir(runroot, 0755);
	st.root = base;
	st.runroot = runroot;
	memset(&err, 0, sizeof(err));
}

static char *path_of(const char *file)
{
	return xasprintf("%s/%s", runroot, file);
}

/* events_print into a memfd; the output (caller frees) or NULL on error. */
static char *capture(const struct events_filter *f, int follow, int json)
{
	int fd = memfd_create("events", MFD_CLOEXEC);
	struct stat sb;
	char *out;

	if (fd < 0 || events_print(&st, f, follow, json, fd, &err) < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	out = xcalloc(1, (size_t)sb.st_size + 1);
	if (pread(fd, out, (size_t)sb.st_size, 0) != sb.st_size) {
		free(out);
		out = NULL;
	}
	close(fd);
	return out;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Write a hand-made line with a chosen time into events.log. */
static void put_line(int64_t t, const char *status, const char *id, const char *name,
		     const char *attrs)
{
	_cleanup_free_ char *p = path_of("events.log");
	_cleanup_free_ char *line =
		xasprintf("{\"time\":\"x\",\"timeNano\":%lld,\"type\":\"container\",\"status\":"
			  "\"%s\",\"id\":\"%s\",\"name\":\"%s\"%s%s}\n",
			  (long long)t, status, id, name, attrs ? ",\"attributes\":" : "",
			  attrs ? attrs : "");
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0644);

	if (fd >= 0) {
		write_all(fd, line, strlen(line));
		close(fd);
	}
}

static int append_seq(const char *status, const char *id, const char *name, int n)
{
	cJSON *a = cJSON_CreateObject();
	int rc;

	cJSON_AddNumberToObject(a, "seq", n);
	rc = events_append(&st, status, id, name, a, &err);
	cJSON_Delete(a);
	return rc;
}

/* ---- tests ------------------------------------------------------------ */

static void append_json(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *out = NULL;
	cJSON *a = cJSON_CreateNumber(3), *attrs = cJSON_CreateObject(), *j;
	int64_t before = now(), t;
	char *nl, *p;

	cJSON_AddItemToObject(attrs, "exitCode", a);
	fresh();
	CHECK(events_append(&st, "start", ID1, "web", NULL, &err) == 0);
	CHECK(events_append(&st, "died", ID1, "web", attrs, &err) == 0);
	cJSON_Delete(attrs);
	out = capture(&f, 0, 1);
	CHECK(out);
	CHECK(count_lines(out) == 2);
	nl = strchr(out, '\n');
	*nl = '\0';
	j = cJSON_Parse(out);
	CHECK(j);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")), "start");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "id")), ID1);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "name")), "web");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), "container");
	CHECK(!cJSON_GetObjectItem(j, "attributes"));
	/* time: RFC3339, 9 fraction digits, Z; and the same instant as timeNano */
	p = cJSON_GetStringValue(cJSON_GetObjectItem(j, "time"));
	CHECK(p && strlen(p) == 30 && p[10] == 'T' && p[19] == '.' && p[29] == 'Z');
	t = strtoll(strstr(out, "\"timeNano\":") + 11, NULL, 10);
	CHECK(t >= before && t <= now());
	CHECK(atol(p + 20) == t % NS);
	cJSON_Delete(j);
	CHECK_HAS(nl + 1, "\"status\":\"died\"");
	CHECK_HAS(nl + 1, "\"attributes\":{\"exitCode\":3}");
}

static void text_form(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *out = NULL;

	fresh();
	put_line(T0 * NS + 123456789, "start", ID1, "web", NULL);
	put_line(T0 * NS + 5, "died", ID1, "web", "{\"exitCode\":3}");
	put_line(T0 * NS + 6, "died", ID2, "db", "{\"exitCode\":\"137\"}");
	out = capture(&f, 0, 0);
	CHECK(out);
	CHECK_STR(out,
		  "2026-11-22 12:00:00.123456789 +0000 UTC container start " ID1 " (name=web)\n"
		  "2026-11-22 12:00:00.000000005 +0000 UTC container died " ID1
		  " (name=web, containerExitCode=3)\n"
		  "2026-11-22 12:00:00.000000006 +0000 UTC container died " ID2
		  " (name=db, containerExitCode=137)\n");
}

static void filters(void)
{
	char *byname[] = { "web", NULL }, *byid[] = { ID2, NULL }, *byprefix[] = { "abc", NULL };
	char *both[] = { "db", "aaaa", NULL }, *none[] = { "bcd", NULL };
	char *died[] = { "died", NULL }, *two[] = { "start", "stop", NULL };
	struct events_filter f = { 0 };
	char *out;

	fresh();
	put_line(T0 * NS + 1, "start", ID1, "web", NULL);
	put_line(T0 * NS + 2, "start", ID2, "db", NULL);
	put_line(T0 * NS + 3, "stop", ID1, "web", NULL);
	put_line(T0 * NS + 4, "died", ID2, "db", NULL);
	CHECK(count_lines(out = capture(&f, 0, 1)) == 4);
	free(out);
	f.containers = byname;
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 2 && !strstr(out, ID2));
	free(out);
	f.containers = byid;
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 2 && !strstr(out, ID1));
	free(out);
	f.containers = byprefix;
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 2 && !strstr(out, ID1));
	free(out);
	f.containers = both; /* values of one key: OR */
	CHECK(count_lines(out = capture(&f, 0, 0)) == 4);
	free(out);
	f.containers = none; /* "bcd" is inside ID2, not a prefix of it */
	CHECK(count_lines(out = capture(&f, 0, 0)) == 0);
	free(out);
	f.containers = NULL;
	f.statuses = died;
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 1);
	CHECK_HAS(out, "container died " ID2);
	free(out);
	f.statuses = two;
	f.containers = byid; /* different keys: AND */
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 1);
	CHECK_HAS(out, "container start " ID2);
	free(out);
	f.statuses = NULL;
	f.containers = NULL;
	f.since_ns = T0 * NS + 2; /* both bounds inclusive, exact to the ns */
	f.until_ns = T0 * NS + 3;
	out = capture(&f, 0, 0);
	CHECK(count_lines(out) == 2);
	CHECK_HAS(out, ".000000002 +0000 UTC container start " ID2);
	CHECK_HAS(out, ".000000003 +0000 UTC container stop " ID1);
	free(out);
}

/* Damaged lines (one with a NUL in it) and a torn tail are skipped, not
 * fatal, and do not hide the lines after them. */
static void damaged(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *p = NULL, *out = NULL;
	int fd;

	fresh();
	put_line(T0 * NS + 1, "start", ID1, "web", NULL);
	p = path_of("events.log");
	fd = open(p, O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	{
		static const char junk[] = "garbage\0x\n{\"timeNano\":5,\n";

		write_all(fd, junk, sizeof(junk) - 1);
	}
	close(fd);
	put_line(T0 * NS + 2, "stop", ID1, "web", NULL);
	fd = open(p, O_WRONLY | O_APPEND);
	write_all(fd, "{\"time", 6);
	close(fd);
	out = capture(&f, 0, 1);
	CHECK(out);
	CHECK(count_lines(out) == 2);
}

static void empty_log(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *out = NULL;

	fresh();
	out = capture(&f, 0, 0);
	CHECK(out);
	CHECK_STR(out, "");
}

static void rotation(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *log = NULL, *old = NULL, *out = NULL;
	struct stat a, b;
	int i, n, prev = -1;
	char *p;

	fresh();
	setenv("NOOK_EVENTS_MAX", "2000", 1);
	for (i = 0; i < 100; i++)
		if (append_seq("start", ID1, "web", i) < 0)
			break;
	unsetenv("NOOK_EVENTS_MAX");
	CHECK(i == 100);
	log = path_of("events.log");
	old = path_of("events.log.1");
	CHECK(stat(log, &a) == 0 && stat(old, &b) == 0);
	CHECK(a.st_size > 0 && a.st_size <= 2000);
	CHECK(b.st_size > 1500 && b.st_size <= 2000);
	out = capture(&f, 0, 1);
	CHECK(out);
	n = count_lines(out);
	CHECK(n >= 10 && n < 100);
	/* the newest n events, consecutive, oldest first across both files */
	for (p = out; (p = strstr(p, "\"seq\":")); p++) {
		int s = atoi(p + 6);

		CHECK(prev < 0 || s == prev + 1);
		prev = s;
	}
	CHECK(prev == 99);
	CHECK(strstr(out, "\"seq\":") && atoi(strstr(out, "\"seq\":") + 6) == 100 - n);
}

static void concurrent(void)
{
	enum { KIDS = 20, EACH = 50 };
	_cleanup_free_ char *log = NULL, *data = NULL;
	int counts[KIDS] = { 0 };
	int i, status, lines = 0;
	char *line, *save = NULL;

	fresh();
	for (i = 0; i < KIDS; i++) {
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0) {
			char name[16];
			int k;

			snprintf(name, sizeof(name), "c%d", i);
			for (k = 0; k < EACH; k++)
				if (append_seq("exec", ID1, name, k) < 0)
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < KIDS; i++) {
		CHECK(wait(&status) > 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	log = path_of("events.log");
	data = file_read(log, NULL, &err);
	CHECK(data);
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *j = cJSON_Parse(line);
		const char *name;
		int kid, s;

		CHECK(j);
		name = cJSON_GetStringValue(cJSON_GetObjectItem(j, "name"));
		kid = name ? atoi(name + 1) : -1;
		s = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "attributes"), "seq")->valueint;
		cJSON_Delete(j);
		CHECK(kid >= 0 && kid < KIDS);
		CHECK(s == counts[kid]); /* each writer's events in its order */
		counts[kid]++;
		lines++;
	}
	CHECK(lines == KIDS * EACH);
}

static void follow(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *out = NULL;
	int64_t start;
	pid_t pid;
	int status;

	fresh();
	CHECK(events_append(&st, "create", ID1, "web", NULL, &err) == 0);
	start = now();
	f.until_ns = start + NS;
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		usleep(100 * 1000);
		_exit(events_append(&st, "start", ID1, "web", NULL, &err) < 0);
	}
	out = capture(&f, 1, 0);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	CHECK(out);
	CHECK(count_lines(out) == 2);
	CHECK_HAS(out, "container create " ID1 " (name=web)\n");
	CHECK_HAS(out, "container start " ID1 " (name=web)\n");
	CHECK(now() >= f.until_ns);
	CHECK(now() - start < 3 * NS);
}

/* The follower sees every event across rotations, in order; events after
 * until are not printed. */
static void follow_rotation(void)
{
	struct events_filter f = { 0 };
	char *statuses[] = { "start", NULL };
	_cleanup_free_ char *out = NULL;
	int status, prev = -1, n = 0;
	pid_t pid;
	char *p;

	fresh();
	f.until_ns = now() + NS;
	f.statuses = statuses;
	setenv("NOOK_EVENTS_MAX", "2000", 1);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int k, rc = 0;

		for (k = 0; k < 40 && rc == 0; k++) {
			usleep(5 * 1000);
			rc = append_seq("start", ID1, "web", k);
			rc |= append_seq("stop", ID1, "web", k);
		}
		_exit(rc != 0);
	}
	out = capture(&f, 1, 1);
	unsetenv("NOOK_EVENTS_MAX");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	CHECK(out);
	for (p = out; (p = strstr(p, "\"seq\":")); p++, n++) {
		CHECK(atoi(p + 6) == prev + 1);
		prev = atoi(p + 6);
	}
	CHECK(n == 40);
	CHECK(!strstr(out, "\"stop\""));
}

static void follow_until_past(void)
{
	struct events_filter f = { 0 };
	_cleanup_free_ char *out = NULL;

	fresh();
	put_line(T0 * NS, "start", ID1, "web", NULL);
	f.until_ns = T0 * NS + 1;
	out = capture(&f, 1, 0);
	CHECK(out);
	CHECK(count_lines(out) == 1);
}

static int64_t parsed(const char *s)
{
	int64_t ns = -1;

	memset(&err, 0, sizeof(err));
	if (events_parse_time(s, &ns, &err) < 0)
		return -1;
	return ns;
}

static void parse_time(void)
{
	static const char *bad[] = { "",
				     "xyz",
				     "10x",
				     "1h-",
				     "1.2.3s",
				     "-5m",
				     ".s",
				     "2026-13-01",
				     "2026-02-29",
				     "2026-11-22T25:00:00Z",
				     "2026-11-22T12:00Z",
				     "2026-11-2",
				     "2026-11-22T12:00:00+1:00",
				     "2026-11-22T12:00:00.Z",
				     "17000000000000",
				     "1700000000.",
				     "99999999999h" };
	int64_t n = now(), v;
	size_t i;

	CHECK(llabs(parsed("10m") - (n - 600 * NS)) < 2 * NS);
	CHECK(llabs(parsed("2h") - (n - 7200 * NS)) < 2 * NS);
	CHECK(llabs(parsed("30s") - (n - 30 * NS)) < 2 * NS);
	CHECK(llabs(parsed("1h30m") - (n - 5400 * NS)) < 2 * NS);
	CHECK(llabs(parsed("1.5h") - (n - 5400 * NS)) < 2 * NS);
	CHECK(llabs(parsed("500ms") - (n - NS / 2)) < NS);
	CHECK(parsed("2026-11-22T12:00:00Z") == T0 * NS);
	CHECK(parsed("2026-11-22t12:00:00z") == T0 * NS);
	CHECK(parsed("2026-11-22T12:00:00.123456789Z") == T0 * NS + 123456789);
	CHECK(parsed("2026-11-22T12:00:00.5+01:00") == (T0 - 3600) * NS + NS / 2);
	CHECK(parsed("2026-11-22T12:00:00-02:30") == (T0 + 9000) * NS);
	CHECK(parsed("2026-11-22T12:00:00") == T0 * NS);
	CHECK(parsed("2026-11-22") == (T0 - 12 * 3600) * NS);
	CHECK(parsed("2028-02-29") > 0);
	CHECK(parsed("1700000000") == 1700000000LL * NS);
	CHECK(parsed("1700000000.5") == 1700000000LL * NS + NS / 2);
	CHECK(parsed("0") == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = parsed(bad[i]);
		if (v != -1) {
			snprintf(unit_why, sizeof(unit_why), "%s:%d: \"%s\" parsed as %lld",
				 __FILE__, __LINE__, bad[i], (long long)v);
			unit_cur_failed = 1;
			return;
		}
		CHECK(err.errnum == EINVAL);
	}
	parsed("xyz");
	CHECK_STR(err.msg, "invalid time \"xyz\"");
}

int main(void)
{
	char cmd[128];

	if (!mkdtemp(base)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	unsetenv("NOOK_EVENTS_MAX");
	RUN(append_json);
	RUN(text_form);
	RUN(filters);
	RUN(damaged);
	RUN(empty_log);
	RUN(rotation);
	RUN(concurrent);
	RUN(follow);
	RUN(follow_rotation);
	RUN(follow_until_past);
	RUN(parse_time);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
	UNIT_EXIT();
}
