// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * store/jobs: functions run in child processes, their answers on pipes: a
 * success's layer_info, a failure's error, a child that dies without an
 * answer (a failure, named), the tags of each; at most JOBS_MAX at once;
 * jobs_kill stops and reaps one that would never end.  Real fork, real
 * pipes, real signals.
 */
#define UNIT_NAME "test-jobs"
#include "tests/unit/unit.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/jobs.h"

static int job(void *arg, struct layer_info *li, struct err *e)
{
	const char *what = arg;

	if (!strcmp(what, "fail"))
		return err_set(e, 0, "layer x: a bad entry");
	if (!strcmp(what, "die"))
		_exit(3);
	if (!strcmp(what, "hang"))
		pause();
	snprintf(li->diff, sizeof(li->diff), "sha256:%s", what);
	li->size = strlen(what);
	return 0;
}

static void test_answers(void)
{
	struct jobs j;
	struct layer_info li;
	struct err e = { 0 };
	size_t tag;
	int seen = 0, r;

	jobs_init(&j);
	CHECK(j.max >= 1 && j.max <= JOBS_MAX);
	CHECK(jobs_start(&j, 7, job, "abc", &e) == 0);
	CHECK(jobs_start(&j, 8, job, "fail", &e) == 0);
	CHECK(jobs_start(&j, 9, job, "die", &e) == 0);
	CHECK(j.n == 3);
	/* a fourth at once is refused */
	CHECK(jobs_start(&j, 10, job, "abc", &e) < 0 && e.errnum == EBUSY);
	while ((r = jobs_wait(&j, &tag, &li, &e)) != 0) {
		seen |= 1 << (tag - 7);
		if (tag == 7) {
			CHECK(r == 1);
			CHECK_STR(li.diff, "sha256:abc");
			CHECK(li.size == 3);
		} else if (tag == 8) {
			CHECK(r == -1);
			CHECK_STR(e.msg, "layer x: a bad entry");
		} else {
			CHECK(r == -1);
			CHECK(strstr(e.msg, "died") != NULL);
		}
	}
	CHECK(seen == 7 && j.n == 0);
	/* none left: no child of ours either */
	CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
}

static void test_kill(void)
{
	struct jobs j;
	struct err e = { 0 };
	pid_t pid;

	jobs_init(&j);
	CHECK(jobs_start(&j, 1, job, "hang", &e) == 0);
	pid = j.pid[0];
	jobs_kill(&j);
	CHECK(j.n == 0);
	CHECK(kill(pid, 0) < 0 && errno == ESRCH);
}

int main(void)
{
	RUN(test_answers);
	RUN(test_kill);
	UNIT_EXIT();
}
