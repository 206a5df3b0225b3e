// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * wait: waiting for a container's state without holding its lock.
 *
 * inotify, never polling: the container's directory (state.json renamed
 * into place, the directory removed) and the exit files' directory (the
 * monitor renames the exit file in the moment the init is reaped).  The
 * watches are set before the state is looked at, so no change can slip
 * between the look and the wait.
 */
#include "engine/ctr.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>

#include "monitor/monitor.h"

static int condition_met(const struct ctr *c, const char *cond)
{
	if (!cond || strcmp(cond, "stopped") == 0)
		return c->st == ST_STOPPED || c->st == ST_EXITED || c->st == ST_CONFIGURED;
	return strcmp(state_names[c->st], cond) == 0;
}

/* Closing the last reference of an inotify fd waits for an SRCU grace
 * period: 1-20 ms on these kernels, which `wait` would add to its answer.
 * A child takes over the reference and drops it after we let go. */
static void inotify_close_async(int fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		close(fd);
		return;
	}
	if (pid == 0) {
		char b;

		close(p[1]);
		/* until the parent has closed its copy: then ours is last */
		while (read(p[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	close(fd);
	close(p[1]);
}

/* Does one of the inotify events concern this container? */
static int relevant(const char *buf, ssize_t n, const char *id)
{
	for (const char *q = buf; q < buf + n;) {
		const struct inotify_event *ev = (const struct inotify_event *)q;

		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW | IN_IGNORED))
			return 1;
		if (ev->len && (strcmp(ev->name, "state.json") == 0 || strcmp(ev->name, id) == 0))
			return 1;
		q += sizeof(*ev) + ev->len;
	}
	return 0;
}

/* Wait until id meets cond, without holding its lock: inotify on its
 * directory (state.json renamed into place, the directory removed or
 * renamed away) and on the exit files.  timeout_ms < 0 waits forever;
 * ETIMEDOUT otherwise.  A removed container is ERRK_REMOVED.  run > 0:
 * the run whose init had that pid is enough to have ended (stop must not
 * wait for a run someone else started since).  For "stopped" the exit
 * file answers first, without the lock: the monitor writes it the moment
 * the init is reaped. */
int wait_cond(struct engine *en, const char *id, const char *cond, pid_t run, int timeout_ms,
	      int *exit_code, struct err *e)
{
	_cleanup_free_ char *dir = store_path(&en->st, id, NULL);
	_cleanup_free_ char *exitdir = store_exit_dir(&en->st);
	_cleanup_free_ char *exitp = store_exit_path(&en->st, id);
	int in = inotify_init1(IN_CLOEXEC);
	/* monotonic: NTP may step the wall clock by years meanwhile */
	int64_t deadline = timeout_ms >= 0 ? sys_mono_ms() + timeout_ms : -1;
	int stopped = !cond || strcmp(cond, "stopped") == 0;
	int r = -1;
	struct ctr c;

	if (in < 0)
		return err_sys(e, "inotify_init1");
	/* Watch first, then look: no change can slip between. */
	if (inotify_add_watch(in, dir, IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF) < 0 &&
	    errno != ENOENT) {
		err_sys(e, "inotify_add_watch %s", dir);
		goto out;
	}
	if (inotify_add_watch(in, exitdir, IN_MOVED_TO) < 0) {
		err_sys(e, "inotify_add_watch %s", exitdir);
		goto out;
	}
	for (;;) {
		struct pollfd p = { .fd = in, .events = POLLIN };
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		struct monitor_exit x;
		struct err le;
		int ms = -1, pr;
		ssize_t n;

		if (stopped && run <= 0 && monitor_exit_read(exitp, &x, &le) == 0) {
			if (exit_code)
				*exit_code = x.exit_code;
			r = 0;
			goto out;
		}
		if (ctr_open(en, id, &c, e) < 0) {
			if (e->kind == ERRK_NO_SUCH) {
				err_setk(e, ERRK_REMOVED, 0, "container %s was removed", id);
			}
			goto out;
		}
		if (condition_met(&c, cond) || (run > 0 && c.state.pid != run)) {
			if (exit_code)
				*exit_code = (int)c.state.exit_code;
			ctr_close(&c);
			r = 0;
			goto out;
		}
		ctr_close(&c);
		do {
			if (deadline >= 0) {
				int64_t left = deadline - sys_mono_ms();

				if (left <= 0) {
					err_setk(e, ERRK_RUNTIME, ETIMEDOUT,
						 "container %s: waiting for %s", id,
						 cond ? cond : "stopped");
					goto out;
				}
				ms = (int)left;
			}
			pr = poll(&p, 1, ms);
			if (pr < 0 && errno != EINTR) {
				err_sys(e, "poll inotify");
				goto out;
			}
			n = pr > 0 ? read(in, buf, sizeof(buf)) : 0;
			if (n < 0 && errno != EINTR) {
				err_sys(e, "read inotify");
				goto out;
			}
		} while (n <= 0 || !relevant(buf, n, id));
	}
out:
	inotify_close_async(in);
	return r;
}

int engine_wait(struct engine *en, const char *ref, const char *condition, int *exit_code,
		struct err *e)
{
	char id[STORE_ID_LEN + 1];
	int r;

	if (condition && state_from(condition) == ST_UNKNOWN && strcmp(condition, "stopped")) {
		return err_setk(e, ERRK_INVALID_ARG, 0, "invalid condition \"%s\"", condition);
	}
	if (store_lookup(&en->st, ref, id, e) < 0) {
		e->errnum = 0;
		return kind(e, ERRK_NO_SUCH);
	}
	r = wait_cond(en, id, condition, 0, -1, exit_code, e);
	if (r < 0 && e->kind == ERRK_REMOVED) {
		err_setk(e, ERRK_REMOVED, 0, "container %s was removed", ref);
	}
	return r;
}

/* Wait (without the lock) for the exit file, up to timeout_ms. */
int wait_exit(struct engine *en, const char *id, int timeout_ms)
{
	_cleanup_free_ char *exitp = store_exit_path(&en->st, id);
	struct monitor_exit x;
	struct err e;

	return monitor_exit_wait(exitp, timeout_ms, &x, &e);
}
