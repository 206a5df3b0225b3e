// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-wait: engine/wait.c, waiting for a container without its lock.
 *
 * The hazard: a router without a hardware clock boots in 1970 (or at its
 * build date) and NTP steps the wall clock by years a little later, in
 * either direction; a deadline on CLOCK_REALTIME then expires at once or
 * never (`stop -t 10` killing at once, or hanging).  This file's own
 * clock_gettime() stands in for libc's in the engine's objects linked in:
 * it steps CLOCK_REALTIME at every read while CLOCK_MONOTONIC runs true.
 *
 * The container is a record made by engine_create in a mkdtemp store,
 * then marked running with this process as its monitor (alive, not a
 * zombie): nothing is spawned and no root is needed.  SIGALRM ends a
 * wait that would never time out.
 */
#define UNIT_NAME "test-wait"
#include "tests/unit/unit.h"

#include "engine/ctr.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "monitor/monitor.h"
#include "oci/sys.h"

#define NS 1000000000LL
#ifdef SYS_clock_gettime64
#define SYS_GETTIME SYS_clock_gettime64 /* 32-bit, with a 64-bit time_t */
#else
#define SYS_GETTIME SYS_clock_gettime
#endif

static char base[] = "/tmp/nook-test-wait-XXXXXX";
static struct engine en;
static int64_t wall_step_ns; /* added to CLOCK_REALTIME at each read */
static int64_t wall_offset_ns;

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	int64_t ns;

	if (syscall(SYS_GETTIME, clk, ts) < 0)
		return -1;
	if (clk != CLOCK_REALTIME || !wall_step_ns)
		return 0;
	wall_offset_ns += wall_step_ns;
	ns = (int64_t)ts->tv_sec * NS + ts->tv_nsec + wall_offset_ns;
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
	return 0;
}

static int64_t mono_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A container that looks running, with us as its monitor. */
static int running_ctr(char id[STORE_ID_LEN + 1], struct err *e)
{
	struct engine_create_opts o = { .rootfs = base, .stop_timeout = -1 };
	struct ctr c;
	int r;

	if (engine_create(&en, &o, id, e) < 0 || ctr_open(&en, id, &c, e) < 0)
		return -1;
	ctr_set_state(&c, ST_RUNNING);
	c.state.pid = getpid();
	c.state.monitor_pid = getpid();
	c.state.monitor_start = proc_start_time(getpid());
	r = ctr_save(&c, e);
	ctr_close(&c);
	return r;
}

/* wait_cond(timeout 300 ms) with the wall clock stepping by step_ns at
 * each read: it must time out after 300 ms of monotonic time. */
static int timeout_ms_with_step(int64_t step_ns, int64_t *took_ms, struct err *e)
{
	char id[STORE_ID_LEN + 1];
	int64_t t0;
	int r;

	if (running_ctr(id, e) < 0)
		return -2;
	alarm(10); /* a wait that would never time out */
	wall_step_ns = step_ns;
	t0 = mono_now_ms();
	r = wait_cond(&en, id, "stopped", 0, 300, NULL, e);
	*took_ms = mono_now_ms() - t0;
	wall_step_ns = 0;
	alarm(0);
	return r;
}

/* NTP steps the clock back (a clock ahead of time): a wall-clock
 * deadline would be an hour away after each read. */
static void deadline_clock_back(void)
{
	struct err e = { 0 };
	int64_t took;

	CHECK(timeout_ms_with_step(-3600 * NS, &took, &e) == -1);
	CHECK(e.errnum == ETIMEDOUT);
	CHECK(took >= 300 && took < 3000);
}

/* NTP steps a clock that booted in 1970 forward: a wall-clock deadline
 * would have passed at the first look. */
static void deadline_clock_forward(void)
{
	struct err e = { 0 };
	int64_t took;

	CHECK(timeout_ms_with_step(365 * 24 * 3600 * NS, &took, &e) == -1);
	CHECK(e.errnum == ETIMEDOUT);
	CHECK(took >= 300 && took < 3000);
}

/* The exit file answers "stopped", with the run's exit code. */
static void exit_file_answers(void)
{
	char id[STORE_ID_LEN + 1];
	struct err e = { 0 };
	struct monitor_exit x = { .exit_code = 7 };
	_cleanup_free_ char *exitp = NULL;
	int code = -1;

	CHECK(running_ctr(id, &e) == 0);
	exitp = store_exit_path(&en.st, id);
	CHECK(monitor_exit_write(exitp, &x, &e) == 0);
	alarm(10);
	CHECK(wait_cond(&en, id, "stopped", 0, -1, &code, &e) == 0);
	alarm(0);
	CHECK(code == 7);
}

int main(void)
{
	char root[200], runroot[200], cmd[128];
	struct err e = { 0 };

	if (!mkdtemp(base)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(runroot, sizeof(runroot), "%s/run", base);
	if (engine_open(&en, root, runroot, &e) < 0) {
		printf("not ok - %s: engine_open: %s\n", UNIT_NAME, e.msg);
		return 1;
	}
	RUN(exit_file_answers);
	RUN(deadline_clock_back);
	RUN(deadline_clock_forward);
	engine_close(&en);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
	UNIT_EXIT();
}
