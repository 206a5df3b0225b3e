// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jobs: see jobs.h.
 */
#include "store/jobs.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

struct answer {
	int rc;
	struct layer_info li;
	struct err e;
};
/* one write and one read of it: a pipe moves up to PIPE_BUF bytes whole */
_Static_assert(sizeof(struct answer) <= PIPE_BUF, "a job's answer fits PIPE_BUF");

void jobs_init(struct jobs *j)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	*j = (struct jobs){ .max = n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : (int)n };
}

int jobs_start(struct jobs *j, size_t tag, job_fn fn, void *arg, struct err *e)
{
	int p[2];
	pid_t pid;

	if (j->n == JOBS_MAX)
		return err_set(e, EBUSY, "%d layers at once already", JOBS_MAX);
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid == 0) {
		struct answer a = { 0 };

		close(p[0]);
		a.rc = fn(arg, &a.li, &a.e);
		fflush(NULL);
		_exit(write_all(p[1], &a, sizeof(a)) < 0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return err_sys(e, "fork");
	}
	j->pid[j->n] = pid;
	j->fd[j->n] = p[0];
	j->tag[j->n++] = tag;
	return 0;
}

int jobs_wait(struct jobs *j, size_t *tag, struct layer_info *li, struct err *e)
{
	struct pollfd pf[JOBS_MAX];
	struct answer a = { 0 };
	int k;

	if (j->n == 0)
		return 0;
	for (k = 0; k < j->n; k++)
		pf[k] = (struct pollfd){ .fd = j->fd[k], .events = POLLIN };
	while (poll(pf, (nfds_t)j->n, -1) < 0 && errno == EINTR)
		;
	for (k = 0; k < j->n - 1 && !pf[k].revents; k++)
		;
	if (read(j->fd[k], &a, sizeof(a)) != (ssize_t)sizeof(a))
		a.rc = err_set(&a.e, 0, "the process that unpacked a layer died");
	close(j->fd[k]);
	while (waitpid(j->pid[k], NULL, 0) < 0 && errno == EINTR)
		;
	*tag = j->tag[k];
	*li = a.li;
	if (a.rc < 0 && e)
		*e = a.e;
	j->n--;
	j->pid[k] = j->pid[j->n];
	j->fd[k] = j->fd[j->n];
	j->tag[k] = j->tag[j->n];
	return a.rc < 0 ? -1 : 1;
}

void jobs_kill(struct jobs *j)
{
	size_t tag;
	struct layer_info li;

	for (int k = 0; k < j->n; k++)
		kill(j->pid[k], SIGKILL);
	while (jobs_wait(j, &tag, &li, NULL) != 0)
		;
}
