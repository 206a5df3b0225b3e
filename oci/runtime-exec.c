// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runtime-exec: `exec` of the runc command line: a process joins a
 * created, running (or, with --ignore-paused, paused) container, either
 * from a process.json (--process) or from the container's own process
 * with runc's overrides (command, --env, --cwd, --user, --cap...).
 *
 * Exit code: the process's own; 126/127 when it could not run; 255 for
 * any other failure (1 could be the command's own status), as runc.
 */
#include "oci/runtime-internal.h"

#include <getopt.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "oci/linux.h"
#include "oci/log.h"

/* ---- exec ------------------------------------------------------------- */

static int parse_user(const char *s, struct oci_user *u)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || (*end && *end != ':'))
		return -1;
	u->uid = (uint32_t)v;
	if (*end == ':') {
		const char *g = end + 1;

		v = strtoul(g, &end, 10);
		if (end == g || *end)
			return -1;
		u->gid = (uint32_t)v;
	} else {
		u->gid = 0;
	}
	return 0;
}

/* Set "K=V" in env, replacing an existing K (exec --env overrides the
 * container's own value, as in runc). */
static void env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (strncmp((*env)[i], kv, klen) == 0 && (*env)[i][klen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(kv);
			return;
		}
	}
	strv_push(env, kv);
}

struct exec_args {
	const char *process_file, *console, *cwd, *user, *pid_file, *apparmor;
	char **envs, **caps, **gids;
	int tty, nnp, detach, ignore_paused;
	long preserve;
	const char *id;
	char **args; /* the command, NULL-terminated (argv's) */
};

static void exec_args_free(struct exec_args *a)
{
	strv_free(a->envs);
	strv_free(a->caps);
	strv_free(a->gids);
}

/* runc's exec flags into a; 0, or the exit code of a usage error (or
 * of --help: -1 then, exit 0). */
static int exec_parse(int argc, char **argv, struct exec_args *a)
{
	static const struct option lo[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 's' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, 'n' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "process-label", required_argument, NULL, 'l' },
		{ "apparmor", required_argument, NULL, 'a' },
		{ "ignore-paused", no_argument, NULL, 'i' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+p:ts:w:e:u:g:c:dh", lo, NULL)) != -1) {
		switch (c) {
		case 'p': a->process_file = optarg; break;
		case 't': a->tty = 1; break;
		case 's': a->console = optarg; break;
		case 'w': a->cwd = optarg; break;
		case 'e': strv_push(&a->envs, optarg); break;
		case 'u': a->user = optarg; break;
		case 'g': strv_push(&a->gids, optarg); break;
		case 'c': strv_push(&a->caps, optarg); break;
		case 'n': a->nnp = 1; break;
		case 'd': a->detach = 1; break;
		case 'P': a->pid_file = optarg; break;
		case 'f':
			if (rt_parse_uint(optarg, 1 << 20, &a->preserve) < 0)
				return rt_usage_error("exec", "--preserve-fds: invalid number '%s'",
						      optarg);
			break;
		case 'a': a->apparmor = optarg; break;
		case 'i': a->ignore_paused = 1; break;
		case 'l':
		case 'C': break;
		case 'h':
			printf("usage: exec [--process FILE | OPTIONS] ID [COMMAND [ARG...]]\n");
			return -1;
		default: return rt_usage_error("exec", "invalid option (see --help)");
		}
	}
	if (optind >= argc)
		return rt_usage_error("exec", "requires at least 1 argument: the container id");
	if (!a->process_file && optind + 1 >= argc)
		return rt_usage_error("exec", "a command or --process is required");
	a->id = argv[optind];
	a->args = argv + optind + 1;
	return 0;
}

/* The container's process with the command and runc's overrides. */
static int exec_override(const struct exec_args *a, struct oci_process *proc, struct err *e)
{
	strv_free(proc->args);
	proc->args = strv_dup(a->args);
	proc->terminal = a->tty;
	for (size_t i = 0; a->envs && a->envs[i]; i++)
		env_set(&proc->env, a->envs[i]);
	if (a->cwd) {
		free(proc->cwd);
		proc->cwd = xstrdup(a->cwd);
	}
	if (a->user && parse_user(a->user, &proc->user) < 0)
		return err_set(e, EINVAL, "exec --user: invalid value '%s' (want UID[:GID])",
			       a->user);
	if (a->gids) {
		size_t n = strv_len(a->gids);

		free(proc->user.additional_gids);
		proc->user.additional_gids = xcalloc(n, sizeof(uint32_t));
		proc->user.n_additional_gids = n;
		for (size_t i = 0; i < n; i++)
			proc->user.additional_gids[i] = (uint32_t)strtoul(a->gids[i], NULL, 10);
	}
	for (size_t i = 0; a->caps && a->caps[i]; i++) {
		int cap = oci_cap_from_name(a->caps[i]);

		if (cap < 0)
			return err_set(e, EINVAL, "exec --cap: unknown capability \"%s\"",
				       a->caps[i]);
		proc->caps.present = 1;
		proc->caps.bounding |= 1ULL << cap;
		proc->caps.effective |= 1ULL << cap;
		proc->caps.permitted |= 1ULL << cap;
		proc->caps.inheritable |= 1ULL << cap;
		proc->caps.ambient |= 1ULL << cap;
	}
	if (a->nnp)
		proc->no_new_privileges = 1;
	return 0;
}

/* The process to run: --process FILE ("-": stdin), or the container's
 * own (taken from spec) with a's overrides.  The caller frees it. */
static struct oci_process *exec_process(const struct exec_args *a, struct oci_spec *spec,
					struct err *e)
{
	struct oci_process *proc;

	if (a->process_file) {
		_cleanup_free_ char *text = file_read(
			strcmp(a->process_file, "-") == 0 ? "/dev/stdin" : a->process_file, NULL,
			e);

		if (!text)
			return NULL;
		proc = oci_process_parse(text, e);
		if (!proc) {
			err_wrap(e, "%s", a->process_file);
			return NULL;
		}
	} else {
		proc = spec->process;
		spec->process = NULL;
		if (exec_override(a, proc, e) < 0) {
			oci_process_free(proc);
			return NULL;
		}
	}
	if (a->apparmor) {
		free(proc->apparmor_profile);
		proc->apparmor_profile = xstrdup(a->apparmor);
	}
	return proc;
}

/* The container must be created, running, or paused with --ignore-paused. */
static int exec_check_status(const struct rt *rt, const struct state *st, int ignore_paused,
			     struct err *e)
{
	const char *status = rt_state_status(rt, st);

	if (strcmp(status, "paused") == 0 && !ignore_paused)
		return err_set(e, 0,
			       "cannot exec in a paused container (use --ignore-paused to "
			       "override)");
	if (strcmp(status, "running") != 0 && strcmp(status, "created") != 0 &&
	    strcmp(status, "paused") != 0)
		return err_set(e, 0, "cannot exec in a %s container", status);
	return 0;
}

int rt_cmd_exec(struct rt *rt, int argc, char **argv)
{
	_cleanup_free_ char *seccache = xasprintf("%s/.seccomp", rt->root);
	struct exec_args a = { 0 };
	struct state st = { 0 };
	struct oci_spec *spec = NULL;
	struct oci_process *proc = NULL;
	struct err e = { 0 };
	struct oci_exec_opts xo = { .console_socket = -1 };
	sigset_t chld;
	pid_t pid;
	int rc, sp[2] = { -1, -1 }, pty = -1;

	rc = exec_parse(argc, argv, &a);
	if (rc) {
		exec_args_free(&a);
		return rc < 0 ? 0 : rc;
	}
	if (rt_state_load(rt, a.id, &st, &e) < 0) {
		exec_args_free(&a);
		return rt_fail(&e);
	}
	if (exec_check_status(rt, &st, a.ignore_paused, &e) < 0)
		goto out;
	spec = rt_load_saved_spec(rt, st.id, &e);
	if (!spec)
		goto out;
	proc = exec_process(&a, spec, &e);
	if (!proc)
		goto out;
	if (proc->terminal && !a.console) {
		/* runc's words: nobody would hold the pty */
		if (a.detach) {
			err_set(&e, EINVAL,
				"cannot allocate tty if runc will detach without setting console "
				"socket");
			goto out;
		}
		/* The pty comes back to us and is joined to our own terminal,
		 * as with run. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
			err_sys(&e, "socketpair");
			goto out;
		}
		xo.console_socket = sp[1];
		sp[1] = -1;
	} else if (a.console) {
		xo.console_socket = rt_connect_console(a.console, &e);
		if (xo.console_socket < 0)
			goto out;
	}
	xo.pid = st.pid;
	xo.cgroup_path = st.cgroup;
	xo.process = proc;
	xo.seccomp = spec->linux.seccomp;
	xo.seccomp_cache = seccache;
	xo.preserve_fds = (int)a.preserve;
	/* SIGCHLD must not be lost between the exec and our wait. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	timing_mark("exec: state, config");
	pid = oci_linux_exec(&xo, &e);
	if (xo.console_socket >= 0)
		close(xo.console_socket);
	if (pid < 0)
		goto out;
	if (a.pid_file && rt_write_pid_file(a.pid_file, pid, &e) < 0) {
		/* Nobody could find it to wait for it or kill it (runc
		 * terminates it too). */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	log_msg(LOGL_DEBUG, "exec in %s: pid %d", st.id, (int)pid);
	if (sp[0] >= 0) {
		pty = oci_linux_recv_fd(sp[0]);
		close(sp[0]);
		sp[0] = -1;
	}
	rc = a.detach ? 0 : oci_linux_wait(pid, pty);
	if (pty >= 0)
		close(pty);
	timing_mark("exec: exited");
	goto done;
out:
	rt_fail(&e);
	/* 126/127 when the command could not run, else runc's 255 for a
	 * failed exec: 1 could be the command's own status. */
	rc = err_exit_code(&e, 255);
done:
	if (sp[0] >= 0)
		close(sp[0]);
	oci_process_free(proc);
	oci_spec_free(spec);
	rt_state_free(&st);
	exec_args_free(&a);
	return rc;
}
