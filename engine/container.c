// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * container: the lifecycle operations of engine/LIFECYCLE.md.
 *
 * Each operation opens the container (engine/ctr.c: lock, load, sync),
 * decides from its state, acts, saves and closes.
 *
 * Process model.  init: the monitor is spawned (monitor/), it creates the
 * init which waits on its exec fifo: state created.  start: the fifo is
 * released: running.  When the init exits the monitor writes the exit
 * file and runs `nook cleanup ID`, which applies the restart policy or
 * tears the runtime side down: exited.
 */
#include "engine/ctr.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "engine/events.h"
#include "engine/network.h"
#include "engine/volumes.h"
#include "monitor/monitor.h"
#include "oci/cgroup.h"
#include "oci/linux.h"
#include "oci/log.h"
#include "oci/sys.h"
#include "store/overlay.h"
#include "store/tar.h"

/* ---- runtime side ------------------------------------------------------ */

/* The overlay: over DIR (--rootfs DIR:O), over the image's layers, or
 * over a squashfs image mounted first (see ctr_overlay). */
static int overlay_up(struct ctr *c, struct err *e)
{
	const char *layers = jstr(c->config, "imageLowerdir");
	const char *rootfs = jstr(c->config, "rootfs") ?: "";
	int r;

	if (layers) {
		r = overlay_mount_layers(&c->en->st, c->id, layers, e);
	} else if (jbool(c->config, "rootfsSquashfs")) {
		_cleanup_free_ char *lower = overlay_squashfs_lower(&c->en->st, c->id);

		r = overlay_squashfs_mount(&c->en->st, c->id, rootfs, e);
		if (r == 0 && (r = overlay_mount(&c->en->st, c->id, lower, e)) < 0)
			overlay_squashfs_unmount(&c->en->st, c->id);
	} else {
		r = overlay_mount(&c->en->st, c->id, rootfs, e);
	}
	if (r < 0) {
		return err_wrapk(e, e->errnum == EINVAL ? ERRK_INVALID_ARG : ERRK_RUNTIME,
				 "container %s", cname(c));
	}
	return 0;
}

/* Unmount the overlay unless something still needs it: a user mount, or
 * (keep_runtime) the runtime side. */
static void overlay_down(struct ctr *c, int keep_runtime)
{
	if (ctr_overlay(c) && c->state.mount_count <= 0 && !keep_runtime) {
		overlay_unmount(&c->en->st, c->id);
		if (jbool(c->config, "rootfsSquashfs"))
			overlay_squashfs_unmount(&c->en->st, c->id);
	}
}

/* Tear down what init made: the cgroup, the monitor's files but the log
 * (logs after exit must work). */
static int teardown(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *cg = ctr_cgroup(c);
	_cleanup_free_ char *dir = run_dir(c);
	static const char *const files[] = { "config.json", "exec.fifo", "attach", "monitor.pid",
					     "exec.json" };

	if (cg && oci_cgroup_remove(cg, e) < 0)
		return err_wrap(e, "container %s", cname(c));
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = xasprintf("%s/%s", dir, files[i]);

		unlink(p);
	}
	ctr_state_set_str(&c->state.cgroup, NULL);
	c->state.pid = 0;
	ctr_state_execs_from_json(&c->state, NULL);
	net_ctr_down(c);
	overlay_down(c, 0);
	return 0;
}

static int start_deps(struct ctr *c, int recursive, struct err *e)
{
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(c->config, "requires"), *d;

	cJSON_ArrayForEach (d, deps) {
		struct ctr dc;

		if (ctr_open(c->en, d->valuestring, &dc, e) < 0) {
			return err_wrapk(e, ERRK_DEPENDENCY, "dependency of %s", cname(c));
		}
		if (dc.st == ST_RUNNING) {
			ctr_close(&dc);
			continue;
		}
		ctr_close(&dc);
		if (!recursive) {
			return err_setk(e, ERRK_DEPENDENCY, 0,
					"dependency %s of container %s is not running",
					d->valuestring, cname(c));
		}
		if (engine_start(c->en, d->valuestring, 1, NULL, NULL, e) < 0) {
			return err_wrapk(e, ERRK_DEPENDENCY, "start dependency of %s", cname(c));
		}
	}
	return 0;
}

static int signal_init(struct ctr *c, int sig, struct err *e);

/* An init that do_init made but cannot keep: killed, its network, cgroup
 * and overlay gone.  The monitor then runs cleanup, which finds the old
 * state (never saved with this init) and leaves it. */
static void init_undo(struct ctr *c, pid_t pid, const char *cg, const char *exitp)
{
	struct err le;

	c->state.pid = pid;
	c->state.pid_start = proc_start_time(pid);
	signal_init(c, SIGKILL, &le);
	c->state.pid = 0;
	wait_exit(c->en, c->id, 5000);
	net_ctr_down(c);
	if (cg)
		oci_cgroup_remove(cg, NULL);
	overlay_down(c, 0);
	unlink(exitp);
}

/* A restore of a container on bridge networks: its network namespace is
 * made and set up (veth, address, route, ports) before criu restores the
 * tree into it (the spec joins it by path), so that sockets bound to the
 * container's address and established connections come back.  A child
 * holds the namespace until the restored tree does. */
struct netns_holder {
	pid_t pid;
	int fd; /* our end of its socket pair: it exits when this closes */
};

static void holder_end(struct ctr *c, struct netns_holder *h, int failed)
{
	if (h->pid <= 0)
		return;
	if (failed)
		net_ctr_down(c);
	close(h->fd);
	kill(h->pid, SIGKILL);
	while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
		;
	h->pid = -1;
	h->fd = -1;
}

static int net_restore_first(struct ctr *c, cJSON *ospec, struct netns_holder *h, struct err *e)
{
	cJSON *ns;
	char path[64], ok;
	int p[2];

	if (strcmp(jstr(c->config, "netMode") ?: "", "bridge") != 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
		return err_sys(e, "socketpair");
	h->pid = fork();
	if (h->pid < 0) {
		close(p[0]);
		close(p[1]);
		return err_sys(e, "fork");
	}
	if (h->pid == 0) {
		close(p[1]);
		ok = unshare(CLONE_NEWNET) == 0 && oci_loopback_up(NULL) == 0;
		if (!ok || write(p[0], &ok, 1) != 1)
			_exit(1);
		(void)!read(p[0], &ok, 1); /* until our parent closes its end */
		_exit(0);
	}
	close(p[0]);
	h->fd = p[1];
	if (read(h->fd, &ok, 1) != 1) {
		holder_end(c, h, 0);
		return err_set(e, 0, "container %s: a network namespace for the restore", cname(c));
	}
	if (net_ctr_up(c, h->pid, e) < 0) {
		holder_end(c, h, 0);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)h->pid);
	cJSON_ArrayForEach (ns,
			    cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(ospec, "linux"), "namespaces"))
		if (strcmp(jstr(ns, "type") ?: "", "network") == 0)
			jset_str(ns, "path", path);
	return 0;
}

int ctr_init(struct ctr *c, const char *restore, unsigned restore_flags, struct err *e)
{
	_cleanup_free_ char *dir = run_dir(c);
	_cleanup_free_ char *cfgp = NULL;
	_cleanup_free_ char *exitp = store_exit_path(&c->en->st, c->id);
	_cleanup_free_ char *cg = NULL;
	_cleanup_free_ char *seccache = xasprintf("%s/seccomp", c->en->st.runroot);
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(c->config, "spec");
	const char *cgp = jstr(cJSON_GetObjectItemCaseSensitive(spec, "linux"), "cgroupsPath");
	char *exit_cmd[] = { c->en->self,	"--root",  c->en->st.root, "--runroot",
			     c->en->st.runroot, "cleanup", c->id,	   NULL };
	struct monitor_opts mo = {
		.id = c->id,
		.dir = dir,
		.exit_path = exitp,
		.stdin_open = jbool(c->config, "interactive"),
		.log_size_max = (uint64_t)jint(c->config, "logSizeMax", 0),
		.exit_command = exit_cmd,
		/* the binary on disk, not our sealed copy: its pages are
		 * shared by every monitor */
		.monitor_exe = c->en->self,
		.restore = restore,
		.restore_flags = restore_flags,
		.seccomp_cache = seccache,
		.cleanup_by = c->en->removes && !strcmp(c->en->removes, c->id) ? getpid() : 0,
	};
	pid_t pid, mpid;
	struct netns_holder h = { .pid = -1, .fd = -1 };
	struct monitor_spawning sp;
	struct err ne = { 0 };
	_cleanup_close_ int nsfd = -1;
	int nr = 0, sr = -1;
	char bid[40];

	if (c->st == ST_STOPPED && teardown(c, e) < 0)
		return -1;
	if (mkdir_p(dir, 0700, e) < 0)
		return -1;
	cfgp = xasprintf("%s/config.json", dir);
	{
		/* the runtime's copy: the overlay's root, the namespace to
		 * join (--network container:) */
		cJSON *ospec = cJSON_Duplicate(spec, 1);
		int w = 0;

		if (ctr_overlay(c)) {
			_cleanup_free_ char *merged = overlay_merged_path(&c->en->st, c->id);

			if (overlay_up(c, e) < 0) {
				cJSON_Delete(ospec);
				return -1;
			}
			jset_str(cJSON_GetObjectItemCaseSensitive(ospec, "root"), "path", merged);
		}
		if (net_ctr_prepare(c, ospec, e) < 0)
			w = err_wrap(e, "container %s", cname(c));
		else if (restore && net_restore_first(c, ospec, &h, e) < 0)
			w = -1;
		else if (!restore && (nsfd = net_ctr_netns(c, ospec, e)) < -1)
			w = -1;
		else
			w = store_write_json(cfgp, ospec, 0, e);
		cJSON_Delete(ospec);
		if (w < 0) {
			holder_end(c, &h, 1);
			overlay_down(c, 0);
			return -1;
		}
	}
	if (engine_volumes_init(c, e) < 0) {
		holder_end(c, &h, 1);
		overlay_down(c, 0);
		return -1;
	}
	unlink(exitp);
	timing_mark("engine: run dir, config, volumes");
	if (monitor_spawn_begin(&mo, &sp, e) == 0) {
		char mnt[PATH_MAX];

		/* while the monitor starts the init: its links, and what the
		 * state will say */
		if (nsfd >= 0)
			nr = net_ctr_up_ns(c, nsfd, &ne);
		if (oci_cgroup_mount(mnt, sizeof(mnt), NULL) == 0)
			cg = oci_cgroup_path(cgp, c->id, NULL);
		if (store_boot_id(bid, NULL) < 0)
			bid[0] = '\0';
		sr = monitor_spawn_end(&sp, &pid, &mpid, e);
	}
	if (sr < 0) {
		holder_end(c, &h, 1);
		overlay_down(c, 0);
		kind(e, ERRK_RUNTIME);
		return err_wrap(e, "container %s", cname(c));
	}
	timing_mark("engine: monitor spawned, init created");
	/* the restored tree holds its namespace now: the holder goes */
	if (h.pid > 0) {
		holder_end(c, &h, 0);
	} else if (nsfd >= 0) {
		/* the init holds it now */
		close(steal_fd(nsfd));
		if (nr < 0) {
			*e = ne;
			init_undo(c, pid, cg, exitp);
			return -1;
		}
	} else if (net_ctr_up(c, pid, e) < 0) {
		/* nothing of the container may run without its network */
		init_undo(c, pid, cg, exitp);
		return -1;
	}
	ctr_set_state(c, ST_CREATED);
	c->state.pid = pid;
	c->state.pid_start = proc_start_time(pid);
	c->state.monitor_pid = mpid;
	c->state.monitor_start = proc_start_time(mpid);
	ctr_state_set_str(&c->state.cgroup, cg);
	ctr_state_set_str(&c->state.boot_id, bid);
	c->state.stopped_by_user = false;
	c->state.exit_known = false;
	c->state.exit_code = c->state.signal = 0;
	c->state.oom_killed = false;
	c->state.finished_at = 0;
	if (ctr_save(c, e) < 0) {
		/* The store cannot record it (full disk?): nothing may run
		 * that the state does not know about. */
		init_undo(c, pid, cg, exitp);
		return -1;
	}
	event(c, "init", NULL);
	timing_mark("engine: init state write");
	return 0;
}

static int do_init(struct ctr *c, struct err *e)
{
	return ctr_init(c, NULL, 0, e);
}

int engine_init(struct engine *en, const char *ref, int recursive, struct err *e)
{
	struct ctr c;
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st == ST_CREATED) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "container %s has already been created in runtime", cname(&c));
	} else if (c.st != ST_CONFIGURED && c.st != ST_STOPPED && c.st != ST_EXITED) {
		state_error(&c, "initialize", e);
	} else if (start_deps(&c, recursive, e) == 0) {
		r = do_init(&c, e);
	}
	ctr_close(&c);
	return r;
}

static int do_start(struct ctr *c, struct err *e)
{
	_cleanup_free_ char *dir = run_dir(c);
	_cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", dir);

	if (oci_linux_start(fifo, c->state.pid, c->state.pid_start, e) < 0) {
		kind(e, ERRK_RUNTIME);
		return err_wrap(e, "start container %s", cname(c));
	}
	timing_mark("engine: start (fifo)");
	ctr_set_state(c, ST_RUNNING);
	c->state.started_at = sys_wall_ns();
	if (ctr_save(c, e) < 0)
		return -1;
	event(c, "start", NULL);
	return 0;
}

/* Bring a container to created (init if needed); lock held. */
static int prepare_start(struct ctr *c, int recursive, struct err *e)
{
	if (c->st == ST_RUNNING || c->st == ST_PAUSED || c->st == ST_REMOVING)
		return state_error(c, "start", e);
	if (c->st == ST_CREATED)
		return 0;
	if (start_deps(c, recursive, e) < 0)
		return -1;
	return do_init(c, e);
}

struct start_cb {
	struct ctr *c;
};

/* Called by monitor_attach once connected: start, then let go of the
 * lock: the streaming that follows may last for days. */
static int start_when_attached(void *arg, struct err *e)
{
	struct start_cb *s = arg;
	int r = do_start(s->c, e);

	store_unlock(s->c->lock);
	s->c->lock = -1;
	return r;
}

int engine_start(struct engine *en, const char *ref, int recursive, const struct engine_attach *at,
		 int *exit_code, struct err *e)
{
	struct ctr c;
	int r;

	if (exit_code)
		*exit_code = -1;
	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (!at && (c.st == ST_RUNNING)) {
		/* podman: starting a running container is a no-op */
		ctr_close(&c);
		return 0;
	}
	if (prepare_start(&c, recursive, e) < 0) {
		ctr_close(&c);
		return -1;
	}
	if (!at) {
		r = do_start(&c, e);
		ctr_close(&c);
		return r;
	}
	/* start -a: attached before the process runs, so no output is lost.
	 * The start happens in the attach callback, under our lock; the
	 * streaming itself must not hold the lock: release it there. */
	{
		_cleanup_free_ char *dir = run_dir(&c);
		struct start_cb cb = { &c };
		struct monitor_attach_opts mo = {
			.in_fd = at->in_fd,
			.out_fd = at->out_fd,
			.err_fd = at->err_fd,
			.detach_keys = at->detach_keys,
			.tty = at->tty,
			.on_connected = start_when_attached,
			.arg = &cb,
		};

		r = monitor_attach(dir, &mo, e);
		ctr_close(&c);
		if (r < 0)
			return -1;
		/* The EXIT frame carries the code: with --rm the exit file
		 * may already be gone with the container. */
		if (r == 0 && exit_code)
			*exit_code = mo.exit_code;
		return 0;
	}
}

/* Send sig to the init (pidfd: no pid reuse race). */
static int signal_init(struct ctr *c, int sig, struct err *e)
{
	pid_t pid = c->state.pid;
	uint64_t start = c->state.pid_start;
	int pfd;

	if (!proc_running(pid, start))
		return 0; /* already gone: the monitor will report it */
	pfd = sys_pidfd_open(pid, 0);
	if (pfd >= 0) {
		int r = sys_pidfd_send_signal(pfd, sig);

		close(pfd);
		if (r < 0 && errno != ESRCH)
			return err_sys(e, "signal %d to container %s", sig, cname(c));
		return 0;
	}
	if (kill(pid, sig) < 0 && errno != ESRCH)
		return err_sys(e, "signal %d to container %s", sig, cname(c));
	return 0;
}

/* cleanup with the lock held: restart policy first, else teardown. */
static int do_cleanup(struct ctr *c, int allow_restart, struct err *e)
{
	const char *policy = jstr(c->config, "restartPolicy");
	int code = c->state.exit_code;
	int count = c->state.restart_count;
	int max = (int)jint(c->config, "restartMax", 0);
	int restart = 0;

	if (c->st == ST_RUNNING || c->st == ST_PAUSED)
		return state_error(c, "clean up", e);
	if (c->st == ST_CONFIGURED || c->st == ST_EXITED)
		return 0;
	if (c->st == ST_STOPPED && allow_restart && !c->state.stopped_by_user && policy) {
		if (strcmp(policy, "always") == 0 || strcmp(policy, "unless-stopped") == 0)
			restart = 1;
		else if (strcmp(policy, "on-failure") == 0 && code != 0 && (!max || count < max))
			restart = 1;
	}
	if (restart) {
		c->state.restart_count = count + 1;
		if (do_init(c, e) == 0 && do_start(c, e) == 0) {
			event(c, "restart", NULL);
			return 0;
		}
		/* could not restart: record it and tear down */
		err_wrap(e, "restart");
		log_msg(LOGL_WARN, "%s", e->msg);
		ctr_set_state(c, ST_STOPPED);
	}
	/* an exec session of a dead container cannot outlive it */
	ctr_state_execs_from_json(&c->state, NULL);
	if (teardown(c, e) < 0)
		return -1;
	ctr_set_state(c, ST_EXITED);
	if (ctr_save(c, e) < 0)
		return -1;
	event(c, "cleanup", NULL);
	return 0;
}

static int remove_locked(struct ctr *c, unsigned flags, struct err *e);

int ctr_cleanup(struct ctr *c, struct err *e)
{
	return do_cleanup(c, 0, e);
}

int engine_cleanup(struct engine *en, const char *ref, struct err *e)
{
	struct ctr c;
	int r;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st == ST_CREATED) {
		/* the init died before start: nothing to restart */
		ctr_set_state(&c, ST_STOPPED);
	}
	r = do_cleanup(&c, 1, e);
	if (r == 0 && c.st == ST_EXITED && jbool(c.config, "autoRemove"))
		r = remove_locked(&c, 0, e);
	ctr_close(&c);
	return r;
}

/* stop or kill by the user: the restart policy must not bring it back. */
static int mark_stopped_by_user(struct ctr *c, struct err *e)
{
	c->state.stopped_by_user = true;
	return ctr_save(c, e);
}

int engine_stop(struct engine *en, const char *ref, int timeout, struct err *e)
{
	struct ctr c;
	char id[STORE_ID_LEN + 1];
	_cleanup_free_ char *cg = NULL;
	pid_t run;
	int sig;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st == ST_STOPPED || c.st == ST_EXITED) {
		err_setk(e, ERRK_ALREADY_STOPPED, 0, "container %s is already stopped", cname(&c));
		ctr_close(&c);
		return -1;
	}
	if (c.st != ST_CREATED && c.st != ST_RUNNING) {
		state_error(&c, "stop", e);
		ctr_close(&c);
		return -1;
	}
	if (timeout < 0)
		timeout = (int)jint(c.config, "stopTimeout", DEFAULT_STOP_TIMEOUT);
	sig = (int)jint(c.config, "stopSignal", SIGTERM);
	run = c.state.pid;
	memcpy(id, c.id, sizeof(id));
	cg = ctr_cgroup(&c);
	if (mark_stopped_by_user(&c, e) < 0) {
		ctr_close(&c);
		return -1;
	}
	if (c.st == ST_PAUSED && cg)
		oci_cgroup_freeze(cg, 0, NULL); /* a frozen process gets no signal */
	if (c.st == ST_CREATED || timeout == 0)
		sig = SIGKILL;
	if (signal_init(&c, sig, e) < 0) {
		ctr_close(&c);
		return -1;
	}
	store_unlock(c.lock);
	c.lock = -1;
	if (sig != SIGKILL && wait_cond(en, id, "stopped", run, timeout * 1000, NULL, e) < 0 &&
	    e->kind != ERRK_REMOVED) {
		if (cg)
			oci_cgroup_signal_all(cg, SIGKILL, NULL);
		else
			signal_init(&c, SIGKILL, NULL);
	}
	ctr_close(&c);
	/* The monitor writes the exit file and runs cleanup; wait for the
	 * exit file, then clean up here too (idempotent) so that `stop`
	 * returns with the container exited. */
	if (wait_cond(en, id, "stopped", run, 30000, NULL, e) < 0) {
		if (e->kind == ERRK_REMOVED)
			return 0; /* --rm: cleanup removed it */
		return err_setk(e, ERRK_RUNTIME, ETIMEDOUT, "container %s did not stop", ref);
	}
	if (ctr_open(en, id, &c, e) < 0)
		return e->kind == ERRK_NO_SUCH ? 0 : -1; /* --rm removed it */
	{
		/* someone may have started it again meanwhile: that run is
		 * not ours to clean up */
		int r = c.st == ST_STOPPED ? do_cleanup(&c, 0, e) : 0;

		if (r == 0 && c.st == ST_EXITED && jbool(c.config, "autoRemove"))
			r = remove_locked(&c, 0, e);
		if (r == 0) {
			cJSON *a = cJSON_CreateObject();

			event(&c, "stop", a);
			cJSON_Delete(a);
		}
		ctr_close(&c);
		return r;
	}
}

int engine_restart(struct engine *en, const char *ref, int timeout, struct err *e)
{
	struct ctr c;
	char id[STORE_ID_LEN + 1];
	int running;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st == ST_PAUSED || c.st == ST_REMOVING) {
		state_error(&c, "restart", e);
		ctr_close(&c);
		return -1;
	}
	running = c.st == ST_RUNNING || c.st == ST_CREATED;
	memcpy(id, c.id, sizeof(id));
	ctr_close(&c);
	if (running && engine_stop(en, id, timeout, e) < 0 && e->kind != ERRK_ALREADY_STOPPED)
		return -1;
	if (engine_start(en, id, 0, NULL, NULL, e) < 0)
		return -1;
	/* RestartCount counts the policy's restarts only (podman's). */
	if (ctr_open(en, id, &c, e) == 0) {
		event(&c, "restart", NULL);
		ctr_close(&c);
	}
	return 0;
}

int engine_kill(struct engine *en, const char *ref, int sig, struct err *e)
{
	struct ctr c;
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st != ST_RUNNING) {
		state_error(&c, "kill", e);
	} else if (mark_stopped_by_user(&c, e) == 0 && signal_init(&c, sig, e) == 0) {
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "signal", sig);
		event(&c, "kill", a);
		cJSON_Delete(a);
		r = 0;
	}
	ctr_close(&c);
	return r;
}

int engine_pause(struct engine *en, const char *ref, int pause, struct err *e)
{
	struct ctr c;
	_cleanup_free_ char *cg = NULL;
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	cg = ctr_cgroup(&c);
	if (pause && c.st == ST_PAUSED) {
		err_setk(e, ERRK_STATE_INVALID, 0, "container %s is already paused", cname(&c));
	} else if (pause && c.st != ST_RUNNING) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "container %s is not running: container state is %s", cname(&c),
			 state_names[c.st]);
	} else if (!pause && c.st != ST_PAUSED) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "container %s is not paused: container state is %s", cname(&c),
			 state_names[c.st]);
	} else if (!cg) {
		err_setk(e, ERRK_RUNTIME, 0, "container %s has no cgroup v2: it cannot be %s",
			 cname(&c), pause ? "paused" : "unpaused");
	} else if (oci_cgroup_freeze(cg, pause, e) < 0) {
		kind(e, ERRK_RUNTIME);
	} else {
		ctr_set_state(&c, pause ? ST_PAUSED : ST_RUNNING);
		r = ctr_save(&c, e);
		if (r == 0)
			event(&c, pause ? "pause" : "unpause", NULL);
	}
	ctr_close(&c);
	return r;
}

static int remove_locked(struct ctr *c, unsigned flags, struct err *e)
{
	_cleanup_free_ char *name = xstrdup(cname(c));

	ctr_set_state(c, ST_REMOVING);
	c->state.mount_count = 0; /* rm -f: its mounts go with it */
	if (ctr_save(c, e) < 0)
		return -1;
	if (teardown(c, e) < 0)
		return -1;
	if (store_remove(&c->en->st, c->id, name, e) < 0)
		return -1;
	net_ctr_release(c);
	events_append(&c->en->st, "remove", c->id, name, NULL, NULL);
	if ((flags & ENGINE_RM_VOLUMES) || jbool(c->config, "autoRemove"))
		engine_volumes_drop_anonymous(c->en, c->config);
	return 0;
}

int engine_remove(struct engine *en, const char *ref, unsigned flags, struct err *e)
{
	struct ctr c;
	struct err ignored;
	char id[STORE_ID_LEN + 1];
	int r, force = flags & ENGINE_RM_FORCE;

	/* Not saved yet: each branch below saves (removing, or stopped by
	 * user) before it acts.  An unsaved sync is found again by the next
	 * open (the exit file stays until the remove): one write less on
	 * flash, where each costs. */
	if (ctr_load(en, ref, &c, 0, e) < 0)
		return -1;
	if ((c.st == ST_RUNNING || c.st == ST_PAUSED || c.st == ST_CREATED) && !force) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "cannot remove container %s as it is %s - running or paused containers "
			 "cannot be removed without force",
			 cname(&c), state_names[c.st]);
		ctr_save(&c, &ignored);
		ctr_close(&c);
		return -1;
	}
	if (c.state.mount_count > 0 && !force) {
		err_setk(e, ERRK_STATE_INVALID, 0,
			 "container %s is mounted (%d times): unmount it or use --force", cname(&c),
			 (int)c.state.mount_count);
		ctr_save(&c, &ignored);
		ctr_close(&c);
		return -1;
	}
	if (c.st == ST_RUNNING || c.st == ST_PAUSED || c.st == ST_CREATED) {
		_cleanup_free_ char *cg = ctr_cgroup(&c);

		pid_t run = c.state.pid;

		memcpy(id, c.id, sizeof(id));
		mark_stopped_by_user(&c, &ignored);
		if (cg)
			oci_cgroup_signal_all(cg, SIGKILL, NULL);
		else
			signal_init(&c, SIGKILL, NULL);
		store_unlock(c.lock);
		c.lock = -1;
		ctr_close(&c);
		wait_cond(en, id, "stopped", run, 10000, NULL, e);
		if (ctr_open(en, id, &c, e) < 0)
			return e->kind == ERRK_NO_SUCH ? 0 : -1;
		if (c.st == ST_CREATED || c.st == ST_RUNNING || c.st == ST_PAUSED)
			ctr_set_state(&c, ST_STOPPED); /* the monitor is gone too */
	}
	r = remove_locked(&c, flags, e);
	ctr_close(&c);
	return r;
}

int engine_sync(struct engine *en, const char *ref, struct err *e)
{
	struct ctr c;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	/* ctr_open synced and saved; a stopped container with a dead
	 * monitor also needs its cleanup (the monitor could not run it). */
	if (c.st == ST_STOPPED && !proc_running(c.state.monitor_pid, c.state.monitor_start))
		do_cleanup(&c, 0, e);
	event(&c, "sync", NULL);
	ctr_close(&c);
	return 0;
}

/* ---- mount, export, artifacts --------------------------------------- */

char *engine_mount(struct engine *en, const char *ref, struct err *e)
{
	struct ctr c;
	char *path = NULL;

	if (ctr_open(en, ref, &c, e) < 0)
		return NULL;
	if (c.st == ST_REMOVING) {
		state_error(&c, "mount", e);
	} else {
		/* A --rootfs DIR container uses DIR as it is: mounting is
		 * counting (the API's contract) and the path is DIR.  DIR:O
		 * mounts its overlay (if the runtime side has not). */
		if (!ctr_overlay(&c) || overlay_up(&c, e) == 0) {
			int n = (int)c.state.mount_count;

			c.state.mount_count = n + 1;
			if (ctr_save(&c, e) == 0) {
				path = ctr_rootfs(&c);
				event(&c, "mount", NULL);
			} else { /* not recorded: not mounted either */
				c.state.mount_count = n;
				overlay_down(&c, c.st != ST_CONFIGURED && c.st != ST_EXITED);
			}
		}
	}
	ctr_close(&c);
	return path;
}

int engine_unmount(struct engine *en, const char *ref, int force, struct err *e)
{
	struct ctr c;
	int r = -1, n;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	n = (int)c.state.mount_count;
	if (n <= 0) {
		err_setk(e, ERRK_STATE_INVALID, 0, "container %s is not mounted", cname(&c));
	} else {
		/* A running container holds a mount of its own, not counted
		 * here: the users' mounts can all go. */
		c.state.mount_count = force ? 0 : n - 1;
		r = ctr_save(&c, e);
		if (r == 0) {
			/* the last user mount of a container without a runtime
			 * side takes its overlay down */
			overlay_down(&c, c.st != ST_CONFIGURED && c.st != ST_EXITED);
			event(&c, "unmount", NULL);
		}
	}
	ctr_close(&c);
	return r;
}

int ctr_root_get(struct ctr *c, int *live, struct err *e)
{
	pid_t pid = c->state.pid;
	_cleanup_free_ char *path = NULL;
	int fd;

	*live = 0;
	if ((c->st == ST_CREATED || c->st == ST_RUNNING || c->st == ST_PAUSED) && pid > 0) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
		fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* still the init we started once the fd is held: the fd is
		 * its root, even if it exits now */
		if (fd >= 0 && proc_running(pid, c->state.pid_start)) {
			*live = 1;
			return fd;
		}
		if (fd >= 0)
			close(fd);
	}
	if (ctr_overlay(c) && overlay_up(c, e) < 0)
		return -1;
	path = ctr_rootfs(c);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err_setk(e, ERRK_RUNTIME, errno, "open root filesystem %s", path);
		ctr_root_put(c);
	}
	return fd;
}

void ctr_root_put(struct ctr *c)
{
	overlay_down(c, c->st != ST_CONFIGURED && c->st != ST_EXITED);
}

int engine_export(struct engine *en, const char *ref, int out_fd, struct err *e)
{
	struct ctr c;
	_cleanup_close_ int root = -1;
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st == ST_REMOVING) {
		state_error(&c, "export", e);
		ctr_close(&c);
		return -1;
	}
	if (ctr_overlay(&c) && overlay_up(&c, e) < 0) {
		ctr_close(&c);
		return -1;
	}
	{
		_cleanup_free_ char *path = ctr_rootfs(&c);

		root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root < 0) {
			err_setk(e, ERRK_RUNTIME, errno, "open rootfs %s", path);
		} else {
			r = tar_write_tree(root, out_fd, e);
		}
	}
	overlay_down(&c, c.st != ST_CONFIGURED && c.st != ST_EXITED);
	if (r == 0)
		event(&c, "export", NULL);
	ctr_close(&c);
	return r;
}

int engine_artifact(struct engine *en, const char *ref, const char *op, const char *name, int fd,
		    struct err *e)
{
	struct ctr c;
	int r = -1;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (strcmp(op, "add") == 0) {
		_cleanup_free_ char *data = NULL;
		char p[64];
		size_t len = 0;

		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		data = file_read(p, &len, e);
		if (data)
			r = store_artifact_add(&en->st, c.id, name, data, len, e);
	} else if (strcmp(op, "get") == 0) {
		size_t len;
		_cleanup_free_ char *data = store_artifact_get(&en->st, c.id, name, &len, e);

		if (data)
			r = write_all(fd, data, len) < 0 ? err_sys(e, "write") : 0;
	} else if (strcmp(op, "rm") == 0) {
		r = store_artifact_remove(&en->st, c.id, name, e);
	} else {
		err_setk(e, ERRK_INVALID_ARG, 0,
			 "artifact: unknown operation \"%s\" (add, get, rm)", op);
	}
	ctr_close(&c);
	return r;
}

/* ---- batch, refresh ----------------------------------------------------- */

int engine_batch(struct engine *en, const char *ref, char **ops, struct err *e)
{
	struct ctr c;
	int r = 0;

	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	for (size_t i = 0; ops[i] && r == 0; i++) {
		const char *op = ops[i];

		if (strcmp(op, "start") == 0) {
			r = prepare_start(&c, 0, e);
			if (r == 0)
				r = do_start(&c, e);
		} else if (strcmp(op, "init") == 0) {
			r = (c.st == ST_CONFIGURED || c.st == ST_STOPPED || c.st == ST_EXITED)
				    ? do_init(&c, e)
				    : state_error(&c, "initialize", e);
		} else if (strncmp(op, "kill", 4) == 0) {
			int sig = op[4] == ':' ? signal_parse(op + 5) : SIGKILL;

			if (sig < 0) {
				r = err_setk(e, ERRK_INVALID_ARG, 0,
					     "batch: unknown signal in \"%s\"", op);
			} else if (c.st != ST_RUNNING && c.st != ST_PAUSED) {
				r = state_error(&c, "kill", e);
			} else {
				r = mark_stopped_by_user(&c, e);
				if (r == 0)
					r = signal_init(&c, sig, e);
				if (r == 0)
					event(&c, "kill", NULL);
			}
		} else if (strcmp(op, "pause") == 0 || strcmp(op, "unpause") == 0) {
			int p = op[0] == 'p';
			_cleanup_free_ char *cg = ctr_cgroup(&c);

			if (c.st != (p ? ST_RUNNING : ST_PAUSED) || !cg)
				r = state_error(&c, op, e);
			else if ((r = oci_cgroup_freeze(cg, p, e)) == 0) {
				ctr_set_state(&c, p ? ST_PAUSED : ST_RUNNING);
				r = ctr_save(&c, e);
				event(&c, op, NULL);
			}
		} else if (strcmp(op, "sync") == 0) {
			r = ctr_sync(&c, e);
			if (r == 0)
				r = ctr_save(&c, e);
		} else if (strcmp(op, "cleanup") == 0) {
			r = do_cleanup(&c, 1, e);
		} else {
			r = err_setk(
				e, ERRK_INVALID_ARG, 0,
				"batch: unknown operation \"%s\" (init, start, kill[:SIG], pause, "
				"unpause, sync, cleanup)",
				op);
		}
	}
	ctr_close(&c);
	return r;
}

int engine_refresh(struct engine *en, struct err *e)
{
	_cleanup_strv_ char **ids = store_list(&en->st, e);
	char boot[40];
	int rc = 0;

	if (!ids || store_boot_id(boot, e) < 0)
		return -1;
	/* First reset everything: after a reboot nothing of ours exists in
	 * the kernel.  The boot id tells, not a guess. */
	for (size_t i = 0; ids[i]; i++) {
		struct ctr c;
		struct err le;
		const char *b;

		if (ctr_open(en, ids[i], &c, &le) < 0) {
			char buf[600];

			log_msg(LOGL_WARN, "refresh: %s", err_str(&le, buf, sizeof(buf)));
			rc = -1;
			*e = le;
			continue;
		}
		b = c.state.boot_id;
		if (b && strcmp(b, boot) != 0) {
			if (c.st == ST_CREATED || c.st == ST_RUNNING || c.st == ST_PAUSED ||
			    c.st == ST_STOPPED) {
				if (!c.state.exit_known) {
					c.state.exit_known = true;
					c.state.exit_code = -1;
				}
				ctr_set_state(&c, ST_EXITED);
			}
			ctr_state_set_str(&c.state.cgroup, NULL);
			c.state.pid = 0;
			c.state.mount_count = 0;
			ctr_state_execs_from_json(&c.state, NULL);
			ctr_state_set_str(&c.state.boot_id, boot);
			if (ctr_save(&c, &le) < 0) {
				*e = le;
				rc = -1;
			}
			event(&c, "refresh", NULL);
			/* --rm: it ended with that boot, and would have gone
			 * then; its leases (in the runroot) are gone already */
			if (jbool(c.config, "autoRemove") && remove_locked(&c, 0, &le) < 0) {
				char buf[600];

				log_msg(LOGL_WARN, "refresh: %s", err_str(&le, buf, sizeof(buf)));
				*e = le;
				rc = -1;
			}
		}
		ctr_close(&c);
	}
	net_gc(en);
	/* Then start what the restart policy asks for. */
	for (size_t i = 0; ids[i]; i++) {
		struct ctr c;
		struct err le;
		const char *pol;
		int want;

		if (ctr_open(en, ids[i], &c, &le) < 0)
			continue;
		pol = jstr(c.config, "restartPolicy") ?: "no";
		want = (strcmp(pol, "always") == 0 ||
			(strcmp(pol, "unless-stopped") == 0 && !c.state.stopped_by_user)) &&
		       (c.st == ST_EXITED || c.st == ST_CONFIGURED);
		ctr_close(&c);
		if (want && engine_start(en, ids[i], 1, NULL, NULL, &le) < 0) {
			char buf[600];

			log_msg(LOGL_WARN, "refresh: start %s: %s", ids[i],
				err_str(&le, buf, sizeof(buf)));
			*e = le;
			rc = -1;
		}
	}
	return rc;
}

/* ---- open --------------------------------------------------------------- */

static int engine_open_store(struct engine *en, const char *root, const char *runroot, int ro,
			     struct err *e)
{
	char self[PATH_MAX];
	ssize_t n;

	memset(en, 0, sizeof(*en));
	if (ro)
		store_open_ro(&en->st, root, runroot);
	else if (store_open(&en->st, root, runroot, e) < 0)
		return kind(e, ERRK_RUNTIME);
	/* The exit command needs our path on disk; from the sealed memfd
	 * copy it is in NOOK_EXE. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if (strncmp(self, "/memfd:", 7) == 0 && getenv("NOOK_EXE"))
			snprintf(self, sizeof(self), "%s", getenv("NOOK_EXE"));
	} else {
		snprintf(self, sizeof(self), "/usr/bin/nook");
	}
	en->self = xstrdup(self);
	return 0;
}

int engine_open(struct engine *en, const char *root, const char *runroot, struct err *e)
{
	return engine_open_store(en, root, runroot, 0, e);
}

int engine_open_ro(struct engine *en, const char *root, const char *runroot, struct err *e)
{
	return engine_open_store(en, root, runroot, 1, e);
}

void engine_close(struct engine *en)
{
	store_close(&en->st);
	free(en->self);
}
