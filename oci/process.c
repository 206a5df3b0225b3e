// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process: the container process's own setup, shared by the init and
 * exec'd processes: rlimits, HOME, seccomp's place in the order, the OOM
 * score, AppArmor, user and groups, capabilities, umask, cwd, the lookup
 * of the executable, no_new_privs, execve; and the hooks' runner.
 *
 * Hazards.
 * - Runs after a raw clone (musl caches the thread id): plain syscalls,
 *   snprintf into fixed buffers, no stdio streams; hooks are run from a
 *   raw clone too.
 * - The cwd is checked to be inside the root and no fd of ours survives
 *   execve (CVE-2024-21626).
 */
#include "oci/linux-internal.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "oci/log.h"
#include "oci/sys.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* ---- process attributes --------------------------------------------- */

static int set_rlimits(const struct oci_process *p, struct err *e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = (rlim_t)p->rlimits[i].soft,
				     .rlim_max = (rlim_t)p->rlimits[i].hard };

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return err_sys(e, "setrlimit %d (soft %llu, hard %llu)",
				       p->rlimits[i].resource,
				       (unsigned long long)p->rlimits[i].soft,
				       (unsigned long long)p->rlimits[i].hard);
	}
	return 0;
}

static int capset_raw(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return (int)syscall(SYS_capset, &h, d);
}

static int last_cap(void)
{
	char buf[16];
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return CAP_LAST_CAP;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	return atoi(buf);
}

/* Drop the bounding set, switch to the process's user and groups keeping
 * capabilities across the uid change, then set the final sets. */
static int set_user_caps(const struct oci_process *p, int userns_setgroups_ok, struct err *e)
{
	const struct oci_caps *c = &p->caps;
	int last = last_cap();

	if (c->present) {
		for (int cap = 0; cap <= last && cap < 64; cap++) {
			if (c->bounding & (1ULL << cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return err_sys(e, "drop capability %d from the bounding set", cap);
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_KEEPCAPS");
	if (userns_setgroups_ok) {
		gid_t *g = xcalloc(p->user.n_additional_gids + 1, sizeof(gid_t));

		for (size_t i = 0; i < p->user.n_additional_gids; i++)
			g[i] = p->user.additional_gids[i];
		if (setgroups(p->user.n_additional_gids, g) < 0) {
			free(g);
			return err_sys(e, "setgroups");
		}
		free(g);
	}
	if (syscall(SYS_setresgid, p->user.gid, p->user.gid, p->user.gid) < 0)
		return err_sys(e, "setresgid %u", p->user.gid);
	if (syscall(SYS_setresuid, p->user.uid, p->user.uid, p->user.uid) < 0)
		return err_sys(e, "setresuid %u", p->user.uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_KEEPCAPS");
	if (!c->present)
		return 0;
	if (capset_raw(c->effective, c->permitted, c->inheritable) < 0)
		return err_sys(e, "capset");
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* An ambient capability must also be permitted and inheritable;
	 * runc's default spec lists ambient ones that are not inheritable
	 * and runc skips them silently: so do we (EPERM only). */
	for (int cap = 0; cap <= last && cap < 64; cap++)
		if ((c->ambient & (1ULL << cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
			return err_sys(e, "raise ambient capability %d", cap);
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* One /etc/passwd line, name:passwd:uid:gid:gecos:home:shell (cut up in
 * place): "HOME=home" in out if it is uid's. */
static int passwd_line_home(char *line, uid_t uid, char *out, size_t len)
{
	char *f[7], *q = line;
	int k;

	for (k = 0; k < 7 && q; k++) {
		f[k] = q;
		q = strchr(q, ':');
		if (q)
			*q++ = '\0';
	}
	if (k < 7 || !*f[2] || strspn(f[2], "0123456789") != strlen(f[2]) ||
	    strtoul(f[2], NULL, 10) != uid || !*f[5])
		return 0;
	snprintf(out, len, "HOME=%s", f[5]);
	return 1;
}

/* The home directory of uid in the container's /etc/passwd ("/" when it
 * has none), as "HOME=..." in out: runc and crun set HOME this way when
 * process.env lacks it, and shells and tools expect it.  Called after
 * pivot_root or chroot, so "/etc/passwd" is the container's.  Plain
 * read(2) (no stdio after a raw clone); a FIFO or device there would
 * block or worse: only a regular file is read. */
static void passwd_home(uid_t uid, char *out, size_t len)
{
	_cleanup_close_ int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char buf[4096], line[1024];
	size_t ll = 0;
	int toolong = 0;
	struct stat st;
	ssize_t n;

	snprintf(out, len, "HOME=/");
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				else
					toolong = 1; /* not a passwd entry */
				continue;
			}
			line[ll] = '\0';
			if (!toolong && passwd_line_home(line, uid, out, len))
				return;
			ll = 0;
			toolong = 0;
		}
	}
	line[ll] = '\0'; /* a last line without a newline */
	if (ll && !toolong)
		passwd_line_home(line, uid, out, len);
}

/* Find args[0] the way execvp would, in the container's filesystem, with
 * the process's PATH.  Error texts are runc's: podman maps "not found"
 * to 127 and "permission denied" to 126 by matching them. */
static int lookup_exec(const char *cmd, char *const *env, char *out, size_t len, struct err *e)
{
	const char *path;
	int saw_eacces = 0;

	if (!*cmd)
		return err_setk(e, ERRK_EXEC_NOT_FOUND, 0,
				"exec: \"\": executable file not found in $PATH");
	if (strchr(cmd, '/')) {
		struct stat st;

		if (stat(cmd, &st) < 0)
			return err_setk(e, errno == ENOENT ? ERRK_EXEC_NOT_FOUND : ERRK_GENERIC, 0,
					"exec: \"%s\": stat %s: %s", cmd, cmd, strerror(errno));
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0)
			return err_setk(e, ERRK_EXEC_DENIED, 0, "exec: \"%s\": permission denied",
					cmd);
		snprintf(out, len, "%s", cmd);
		return 0;
	}
	path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		struct stat st;

		snprintf(out, len, "%.*s%s%s", (int)n, path, n ? "/" : "", cmd);
		if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			saw_eacces = 1;
		}
		path += n + (end ? 1 : 0);
		if (!end)
			break;
	}
	if (saw_eacces)
		return err_setk(e, ERRK_EXEC_DENIED, 0, "exec: \"%s\": permission denied", cmd);
	return err_setk(e, ERRK_EXEC_NOT_FOUND, 0,
			"exec: \"%s\": executable file not found in $PATH", cmd);
}

/* chdir into the process's cwd and check it is inside our root: a cwd
 * reached through a leaked fd would show as "(unreachable)/..."
 * (CVE-2024-21626).  runc's order: first while still root with all
 * capabilities (a directory the user may not search is entered all the
 * same); *again set when root was refused (EACCES, EPERM: root squashed
 * on NFS, a user namespace) and the user's own access is to be tried
 * after the switch. */
static int enter_cwd(const char *cwd, int *again, struct err *e)
{
	char buf[PATH_MAX];
	long n;

	if (chdir(cwd && *cwd ? cwd : "/") < 0) {
		if (again && (errno == EACCES || errno == EPERM)) {
			*again = 1;
			return 0;
		}
		return err_sys(e, "chdir to cwd (\"%s\") set in config.json failed", cwd);
	}
	n = syscall(SYS_getcwd, buf, sizeof(buf));
	if (n < 0 || buf[0] != '/')
		return err_set(e, EPERM, "cwd \"%s\" is outside the container's root", cwd);
	return 0;
}

/* Confine the process from its execve on: "exec PROFILE" into the attr
 * file of AppArmor (its own directory since 5.8, the shared one before),
 * as runc does.  oci_validate refused a profile where AppArmor is off. */
static int apply_apparmor(const char *profile, struct err *e)
{
	_cleanup_close_ int fd = -1;
	char buf[1024];
	int n;

	if (!profile || !*profile)
		return 0;
	n = snprintf(buf, sizeof(buf), "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return err_set(e, ENAMETOOLONG, "AppArmor profile %s", profile);
	fd = open("/proc/self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open("/proc/self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "AppArmor profile %s: open /proc/self/attr/exec", profile);
	if (write(fd, buf, (size_t)n) != n)
		return err_sys(e, "apply AppArmor profile %s", profile);
	return 0;
}

/* Everything between "joined the namespaces" and "ready to exec" that the
 * init and exec'd processes share: user, capabilities, cwd, lookup. */
int finish_process(const struct oci_process *p, const struct oci_seccomp_prog *bpf,
		   int setgroups_ok, char *exe, size_t exe_len, char *home, size_t home_len,
		   struct err *e)
{
	int cwd_again = 0;

	if (set_rlimits(p, e) < 0)
		return -1;
	/* While still root: /etc/passwd may be unreadable to the user. */
	home[0] = '\0';
	if (!env_get(p->env, "HOME"))
		passwd_home(p->user.uid, home, home_len);
	if (p->has_oom_score_adj) {
		char v[16];

		snprintf(v, sizeof(v), "%d", p->oom_score_adj);
		if (write_proc("/proc/self/oom_score_adj", v, e) < 0)
			return -1;
	}
	if (apply_apparmor(p->apparmor_profile, e) < 0)
		return -1;
	if (enter_cwd(p->cwd, &cwd_again, e) < 0)
		return -1;
	/* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN:
	 * do it before the capabilities go (runc's order), after the cwd
	 * is entered and checked as root (runc's first chdir), so that the
	 * check needs nothing of the profile.  With it, the container
	 * process's setup (linux.c) loads it as late as it can.  linux.c
	 * made the fds CLOEXEC before: close_range may not pass the filter,
	 * and only it knows the preserved fds. */
	if (bpf && bpf->len && !p->no_new_privileges) {
		if (oci_seccomp_load(bpf, e) < 0)
			return -1;
	}
	if (set_user_caps(p, setgroups_ok, e) < 0)
		return -1;
	if (p->user.has_umask)
		umask(p->user.umask);
	else
		umask(022);
	if (cwd_again && enter_cwd(p->cwd, NULL, e) < 0)
		return -1;
	if (lookup_exec(p->args[0], p->env, exe, exe_len, e) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(e, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* home: "HOME=..." to add to the environment, or "" (finish_process). */
int exec_process(const struct oci_process *p, const char *exe, const char *home,
		 const struct oci_seccomp_prog *bpf, int preserve_fds, struct err *e)
{
	size_t n = 0;

	while (p->env && p->env[n])
		n++;
	/* On the stack: no malloc between a raw clone and execve. */
	char *env[n + 2];

	for (size_t i = 0; i < n; i++)
		env[i] = p->env[i];
	env[n] = *home ? (char *)home : NULL;
	env[n + 1] = NULL;
	/* Before the filter: a strict profile may refuse close_range. */
	fds_cloexec_from(3 + preserve_fds);
	if (bpf && bpf->len && p->no_new_privileges && oci_seccomp_load(bpf, e) < 0)
		return -1;
	timing_mark("execve");
	execve(exe, p->args, env);
	return err_setk(e,
			errno == EACCES	  ? ERRK_EXEC_DENIED
			: errno == ENOENT ? ERRK_EXEC_NOT_FOUND
					  : ERRK_GENERIC,
			0, "exec: \"%s\": %s", p->args[0],
			errno == EACCES ? "permission denied" : strerror(errno));
}

/* ---- hooks ----------------------------------------------------------- */

int oci_hook_run(const struct oci_hook *h, const char *state_json, struct err *e)
{
	int in[2];
	pid_t pid;
	int st = 0;
	int waited_ms = 0;
	/* Without env: a PATH, as runc and crun give, so that a hook script
	 * finds its programs. */
	char *const env_default[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL
	};
	char *const argv_default[] = { h->path, NULL };

	if (pipe2(in, O_CLOEXEC) < 0)
		return err_sys(e, "hook %s: pipe", h->path);
	/* Raw clone: this may run in a freshly cloned container child. */
	pid = sys_clone(0);
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return err_sys(e, "hook %s: fork", h->path);
	}
	if (pid == 0) {
		oci_reset_signals();
		dup2(in[0], 0);
		execve(h->path, h->args && h->args[0] ? h->args : argv_default,
		       h->env ? h->env : env_default);
		_exit(127);
	}
	close(in[0]);
	/* The hook may not read its stdin: a closed pipe is fine. */
	write_all(in[1], state_json, strlen(state_json));
	close(in[1]);
	for (;;) {
		pid_t r = waitpid(pid, &st, h->timeout > 0 ? WNOHANG : 0);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return err_sys(e, "hook %s: wait", h->path);
		if (r == 0) {
			/* A hook with a timeout: check every 10 ms.  Hooks
			 * are rare and short; a pidfd would need 5.3. */
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
			waited_ms += 10;
			if (waited_ms >= h->timeout * 1000) {
				lnx_reap(pid);
				return err_set(e, ETIMEDOUT, "hook %s: timed out after %d s",
					       h->path, h->timeout);
			}
		}
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		return err_set(e, 0, "hook %s: exited with status %d%s", h->path, WEXITSTATUS(st),
			       WEXITSTATUS(st) == 127 ? " (cannot execute?)" : "");
	return err_set(e, 0, "hook %s: killed by signal %d", h->path, WTERMSIG(st));
}
