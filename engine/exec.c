// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exec: attach to a container's process, and exec sessions.
 *
 * The lock is held while an exec's process is being made (a pause must
 * not freeze it half-made, a stop must not miss its session), never while
 * it runs or while a user is attached: those may last for days.  Each
 * session is recorded in the state's execSessions until it ends (kept in
 * the runroot's exec.json, not in state.json: see struct ctr).
 */
#include "engine/ctr.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "monitor/monitor.h"
#include "oci/linux.h"
#include "oci/log.h"
#include "oci/spec.h"
#include "oci/sys.h"

int engine_attach(struct engine *en, const char *ref, const struct engine_attach *at,
		  int *exit_code, struct err *e)
{
	struct ctr c;
	_cleanup_free_ char *dir = NULL;
	struct monitor_attach_opts mo = { 0 };
	int r;

	if (exit_code)
		*exit_code = -1;
	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st != ST_CREATED && c.st != ST_RUNNING) {
		state_error(&c, "attach to", e);
		ctr_close(&c);
		return -1;
	}
	dir = run_dir(&c);
	event(&c, "attach", NULL);
	ctr_close(&c);
	mo.in_fd = at->in_fd;
	mo.out_fd = at->out_fd;
	mo.err_fd = at->err_fd;
	mo.detach_keys = at->detach_keys;
	mo.tty = at->tty;
	r = monitor_attach(dir, &mo, e);
	if (r < 0)
		return -1;
	if (r == 0 && exit_code)
		*exit_code = mo.exit_code;
	return 0;
}

/* Record (pid > 0) or drop an exec session; c is open and locked. */
static void session_put(struct ctr *c, const char *sid, pid_t pid, char **argv)
{
	struct err e;

	ctr_state_exec_put(&c->state, sid, pid, pid > 0 ? proc_start_time(pid) : 0, argv);
	if (ctr_save(c, &e) < 0) {
		char buf[600];

		log_msg(LOGL_WARN, "exec session %s: %s", sid, err_str(&e, buf, sizeof(buf)));
	}
}

/* The session ended: drop it, say so. */
static void session_end(struct engine *en, const char *id, const char *sid, int code)
{
	struct ctr c;
	struct err e;
	cJSON *a;

	if (ctr_open(en, id, &c, &e) < 0)
		return; /* the container went away meanwhile */
	session_put(&c, sid, 0, NULL);
	a = cJSON_CreateObject();
	cJSON_AddNumberToObject(a, "exitCode", code);
	cJSON_AddStringToObject(a, "execID", sid);
	event(&c, "exec-died", a);
	cJSON_Delete(a);
	ctr_close(&c);
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static uint64_t all_caps(void)
{
	uint64_t m = 0;

	/* what we hold ourselves: the host may lack some (CAP_SYS_RESOURCE
	 * on these hosts), and asking for more is EPERM */
	for (int cap = 0; cap <= oci_cap_last() && cap < 64; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
			m |= 1ULL << cap;
	return m;
}

/* The process of an exec: the container's, with the options applied. */
static int exec_process_of(struct oci_process *p, const struct engine_exec_opts *o,
			   const char *rootfs, struct err *e)
{
	strv_free(p->args);
	p->args = strv_dup(o->argv);
	for (size_t i = 0; o->env && o->env[i]; i++) {
		const char *eq = strchr(o->env[i], '=');
		size_t kl = eq ? (size_t)(eq - o->env[i]) : strlen(o->env[i]);
		int done = 0;

		for (size_t k = 0; p->env && p->env[k]; k++) {
			if (strncmp(p->env[k], o->env[i], kl) == 0 && p->env[k][kl] == '=') {
				free(p->env[k]);
				p->env[k] = xstrdup(o->env[i]);
				done = 1;
			}
		}
		if (!done)
			strv_push(&p->env, o->env[i]);
	}
	if (o->workdir) {
		free(p->cwd);
		p->cwd = xstrdup(o->workdir);
	}
	if (o->user) {
		cJSON *u = cJSON_CreateObject();
		int r = resolve_user(rootfs, o->user, u, e);

		p->user.uid = (uint32_t)jint(u, "uid", 0);
		p->user.gid = (uint32_t)jint(u, "gid", 0);
		p->user.n_additional_gids = 0;
		cJSON_Delete(u);
		if (r < 0)
			return -1;
	}
	if (o->privileged) {
		p->caps.present = 1;
		p->caps.bounding = p->caps.effective = p->caps.permitted = all_caps();
		p->caps.inheritable = p->caps.ambient = 0;
	}
	p->terminal = o->tty;
	return 0;
}

/* exec -d: a small waiter, outside our session, keeps the session's
 * record while the process runs; its output goes nowhere.  c is open and
 * locked (the caller closes it); the waiter gets the lock's copy. */
static int exec_detached(struct ctr *c, const char *id, const char *sid,
			 const struct oci_exec_opts *xo, char **argv, const char *ref,
			 struct err *e)
{
	int pfd[2];
	pid_t w, pid;
	char ok = '0';

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	w = fork();
	if (w == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		close(pfd[0]);
		if (fork() != 0)
			_exit(0);
		setsid();
		for (int fd = 0; fd < 3 && null >= 0; fd++)
			dup2(null, fd);
		pid = oci_linux_exec(xo, e);
		if (pid > 0)
			session_put(c, sid, pid, argv); /* our copy of the lock */
		write_all(pfd[1], pid > 0 ? "1" : "0", 1);
		close(pfd[1]);
		if (pid < 0)
			_exit(125);
		ctr_close(c);
		session_end(c->en, id, sid, wait_child(pid));
		_exit(0);
	}
	close(pfd[1]);
	if (w > 0)
		wait_child(w);
	if (read(pfd[0], &ok, 1) != 1 || ok != '1') {
		err_setk(e, ERRK_RUNTIME, 0, "exec in container %s failed to start", ref);
	}
	close(pfd[0]);
	return ok == '1' ? 0 : -1;
}

/* exec attached: our stdio is the process's (-t: we relay its pty).  c
 * is open and locked and spec holds xo's process: both are let go of
 * once the process runs.  *code: its exit code. */
static int exec_attached(struct ctr *c, struct oci_spec *spec, struct oci_exec_opts *xo,
			 const char *sid, const struct engine_exec_opts *o, int *code,
			 struct err *e)
{
	int sp[2] = { -1, -1 }, pty = -1;
	pid_t pid;

	{
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, NULL);
	}
	/* -t: we are the console socket's far end and relay the pty */
	if (o->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		oci_spec_free(spec);
		ctr_close(c);
		return err_sys(e, "socketpair");
	}
	xo->console_socket = sp[1];
	pid = oci_linux_exec(xo, e);
	oci_spec_free(spec);
	if (sp[1] >= 0)
		close(sp[1]);
	if (pid < 0) {
		if (sp[0] >= 0)
			close(sp[0]);
		ctr_close(c);
		return kind(e, ERRK_RUNTIME);
	}
	if (sp[0] >= 0) {
		pty = oci_linux_recv_fd(sp[0]);
		close(sp[0]);
	}
	session_put(c, sid, pid, o->argv);
	ctr_close(c);
	*code = oci_linux_wait(pid, pty);
	if (pty >= 0)
		close(pty);
	return 0;
}

int engine_exec(struct engine *en, const char *ref, const struct engine_exec_opts *o,
		int *exit_code, struct err *e)
{
	struct ctr c;
	struct oci_spec *spec = NULL;
	struct oci_exec_opts xo = { .console_socket = -1 };
	char id[STORE_ID_LEN + 1], sid[STORE_ID_LEN + 1];
	_cleanup_free_ char *cg = NULL;
	_cleanup_free_ char *seccache = xasprintf("%s/seccomp", en->st.runroot);
	int r;

	*exit_code = -1;
	if (!o->argv || !o->argv[0]) {
		return err_setk(e, ERRK_INVALID_ARG, 0, "exec: a command is required");
	}
	/* The lock is held until the process runs: a concurrent pause must
	 * not freeze it half-made, a stop must not miss its session. */
	if (ctr_open(en, ref, &c, e) < 0)
		return -1;
	if (c.st != ST_RUNNING) {
		state_error(&c, "exec in", e);
		ctr_close(&c);
		return -1;
	}
	spec = oci_spec_from_json(cJSON_GetObjectItemCaseSensitive(c.config, "spec"), e);
	if (!spec) {
		ctr_close(&c);
		return kind(e, ERRK_INTERNAL);
	}
	{
		_cleanup_free_ char *rootfs = ctr_rootfs(&c);

		if (exec_process_of(spec->process, o, rootfs, e) < 0) {
			oci_spec_free(spec);
			ctr_close(&c);
			return -1;
		}
	}
	memcpy(id, c.id, sizeof(id));
	cg = ctr_cgroup(&c);
	xo.pid = c.state.pid;
	xo.cgroup_path = cg;
	xo.process = spec->process;
	xo.seccomp = o->privileged ? NULL : spec->linux.seccomp;
	xo.seccomp_cache = seccache;
	xo.preserve_fds = o->preserve_fds;
	store_new_id(sid);
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddStringToObject(a, "execID", sid);
		event(&c, "exec", a);
		cJSON_Delete(a);
	}

	if (o->detach && o->tty) {
		oci_spec_free(spec);
		ctr_close(&c);
		return err_setk(
			e, ERRK_INVALID_ARG, 0,
			"exec: -d and -t together are not supported (nothing would hold the "
			"terminal)");
	}
	if (o->detach) {
		r = exec_detached(&c, id, sid, &xo, o->argv, ref, e);
		oci_spec_free(spec);
		ctr_close(&c);
		if (r < 0)
			return -1;
		*exit_code = 0;
		return 0;
	}
	if (exec_attached(&c, spec, &xo, sid, o, exit_code, e) < 0)
		return -1;
	session_end(en, id, sid, *exit_code);
	return 0;
}
