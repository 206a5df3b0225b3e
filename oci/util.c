// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util: errors, cleanup helpers, raw syscalls, file helpers, logging.
 * Everything here is safe to call in a freshly cloned child (no locks, no
 * cached thread state) except the logging, which the child never uses.
 */
#include "oci/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

/* For C libraries older than these syscalls: the kernel's own headers'
 * numbers, else the unified numbers (the same on every architecture since
 * 5.1, offset by the ABI's base on MIPS: 4000 o32, 5000 n64, 6000 n32).
 * Checked against the kernel's headers wherever they have them. */
#include <asm/unistd.h>
#if defined(__mips__) && _MIPS_SIM == _ABIO32
#define NEWSYS(n) ((n) + 4000)
#elif defined(__mips__) && _MIPS_SIM == _ABI64
#define NEWSYS(n) ((n) + 5000)
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
#define NEWSYS(n) ((n) + 6000)
#else
#define NEWSYS(n) (n)
#endif
#ifdef __NR_clone3
_Static_assert(NEWSYS(435) == __NR_clone3, "clone3's number");
#endif
#ifdef __NR_openat2
_Static_assert(NEWSYS(437) == __NR_openat2, "openat2's number");
#endif
#ifdef __NR_close_range
_Static_assert(NEWSYS(436) == __NR_close_range, "close_range's number");
#endif
#ifdef __NR_pidfd_open
_Static_assert(NEWSYS(434) == __NR_pidfd_open, "pidfd_open's number");
#endif
#ifdef __NR_mount_setattr
_Static_assert(NEWSYS(442) == __NR_mount_setattr, "mount_setattr's number");
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr NEWSYS(442)
#endif
#ifndef SYS_clone3
#define SYS_clone3 NEWSYS(435)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open NEWSYS(434)
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal NEWSYS(424)
#endif
#ifndef SYS_close_range
#define SYS_close_range NEWSYS(436)
#endif
#ifndef SYS_openat2
#define SYS_openat2 NEWSYS(437)
#endif

/* ---- errors ---------------------------------------------------------- */

static int err_vset(struct err *e, int errnum, const char *fmt, va_list ap)
{
	if (e) {
		e->errnum = errnum;
		e->kind = ERRK_GENERIC;
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	}
	return -1;
}

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int err_setk(struct err *e, int kind, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, errnum, fmt, ap);
	va_end(ap);
	if (e)
		e->kind = kind;
	return -1;
}

int err_exit_code(const struct err *e, int dflt)
{
	switch (e->kind) {
	case ERRK_EXEC_NOT_FOUND: return 127;
	case ERRK_EXEC_DENIED: return 126;
	default: return dflt;
	}
}

int err_sys(struct err *e, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

static int err_vwrap(struct err *e, const char *fmt, va_list ap)
{
	char ctx[256], old[sizeof(e->msg)];
	size_t n;

	if (!e)
		return -1;
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	memcpy(old, e->msg, sizeof(old));
	n = strlen(ctx);
	if (n + 2 >= sizeof(e->msg))
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, ctx, n);
	memcpy(e->msg + n, ": ", 2);
	snprintf(e->msg + n + 2, sizeof(e->msg) - n - 2, "%.*s", (int)(sizeof(e->msg) - n - 3),
		 old);
	return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vwrap(e, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrapk(struct err *e, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vwrap(e, fmt, ap);
	va_end(ap);
	if (e && e->kind != ERRK_EXEC_NOT_FOUND && e->kind != ERRK_EXEC_DENIED)
		e->kind = kind;
	return -1;
}

const char *err_str(const struct err *e, char *buf, size_t len)
{
	if (e->errnum)
		snprintf(buf, len, "%s: %s", e->msg, strerror(e->errnum));
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

void err_print(const char *prog, const struct err *e)
{
	char buf[800];

	err_str(e, buf, sizeof(buf));
	if (log_is_json())
		log_msg(LOG_ERROR, "%s", buf);
	fprintf(stderr, "%s: %s\n", prog, buf);
}

/* ---- cleanup and memory ---------------------------------------------- */

void util_freep(void *p)
{
	free(*(void **)p);
}

void util_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

void util_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void util_strvfreep(char ***v)
{
	strv_free(*v);
}

static void *oom(void)
{
	static const char m[] = "nook: out of memory\n";

	if (write(2, m, sizeof(m) - 1) < 0) {
		/* nothing left to do */
	}
	_exit(125);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	return p ? p : oom();
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom();
}

/* cJSON answers NULL when malloc fails, and a NULL document or item is
 * then dereferenced somewhere: let it fail as every other allocation of
 * ours does, before main runs (the monitor and the runtime included). */
__attribute__((constructor)) static void json_hooks(void)
{
	cJSON_Hooks h = { .malloc_fn = xmalloc, .free_fn = free };

	cJSON_InitHooks(&h);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	return r < 0 ? oom() : p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);

	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* ---- syscalls -------------------------------------------------------- */

pid_t sys_clone3(struct nook_clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

pid_t sys_clone(unsigned long flags)
{
	/* With a NULL stack the argument order differences between
	 * architectures do not matter: every pointer argument is 0. */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

int sys_openat2(int dirfd, const char *path, struct nook_open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct nook_mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
}

void fds_cloexec_from(int first)
{
	DIR *d;
	struct dirent *de;

	if (sys_close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Kernels before 5.11: walk /proc/self/fd. */
	d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = first; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		return;
	}
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd < first || fd == dirfd(d))
			continue;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

/* ---- files ----------------------------------------------------------- */

char *file_read_at(int dirfd, const char *path, size_t *len, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		err_sys(e, "open %s", path);
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_sys(e, "read %s", path);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *file_read(const char *path, size_t *len, struct err *e)
{
	return file_read_at(AT_FDCWD, path, len, e);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int file_write_at(int dirfd, const char *path, const char *s, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, "open %s", path);
	if (write_all(fd, s, strlen(s)) < 0)
		return err_sys(e, "write '%s' to %s", s, path);
	return 0;
}

int file_write(const char *path, const char *s, struct err *e)
{
	return file_write_at(AT_FDCWD, path, s, e);
}

/* path.tmp, rename; durable: fsync the file before and the directory
 * after, so that a power cut leaves the old or the new contents. */
static int write_renamed(const char *path, const void *data, size_t len, mode_t mode, int durable,
			 struct err *e)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dfd = -1;
	int fd;
	char *slash;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return err_sys(e, "create %s", tmp);
	if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		err_sys(e, "write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		err_sys(e, "write %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		err_sys(e, "rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	if (!durable)
		return 0;
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd); /* tmpfs and friends: nothing to persist */
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct err *e)
{
	return write_renamed(path, data, len, mode, 1, e);
}

int file_write_volatile(const char *path, const void *data, size_t len, mode_t mode, struct err *e)
{
	return write_renamed(path, data, len, mode, 0, e);
}

int mkdir_p(const char *path, mode_t mode, struct err *e)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return err_sys(e, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return err_sys(e, "mkdir %s", p);
	return 0;
}

int proc_stat(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long v = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The comm field may contain spaces and ')': skip to the last ')'.
	 * After it come " S" (field 3, the state) and fields 4..; starttime
	 * is field 22. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &v) != 1)
		return -1;
	*start = v;
	return 0;
}

uint64_t proc_start_time(pid_t pid)
{
	uint64_t start;
	char st;

	return proc_stat(pid, &st, &start) < 0 ? 0 : start;
}

int proc_running(pid_t pid, uint64_t start)
{
	uint64_t t;
	char st;

	return pid > 0 && proc_stat(pid, &st, &t) == 0 && t == start && st != 'Z' && st != 'X';
}

/* ---- names ----------------------------------------------------------- */

int id_valid(const char *id, struct err *e)
{
	size_t n = strlen(id);

	if (n == 0)
		return err_set(e, EINVAL, "invalid id '': empty");
	if (n > 255)
		return err_set(e, EINVAL, "invalid id '%.32s...': longer than 255 characters", id);
	if (!isalnum((unsigned char)id[0]))
		return err_set(e, EINVAL, "invalid id '%s': must start with a letter or digit", id);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return err_set(
				e, EINVAL,
				"invalid id '%s': character '%c' not allowed (use [A-Za-z0-9_.-])",
				id, c);
	}
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },	      { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },     { "IOT", SIGIOT },   { "BUS", SIGBUS },
	{ "FPE", SIGFPE },   { "KILL", SIGKILL },     { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },     { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },   { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO },     { "POLL", SIGPOLL },     { "PWR", SIGPWR },   { "SYS", SIGSYS },
};

int signal_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (*end || n <= 0 || n >= _NSIG)
			return -1;
		return (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		int base = toupper((unsigned char)s[3]) == 'I' ? SIGRTMIN : SIGRTMAX;
		int off = 0;

		if (s[5] == '+' || s[5] == '-') {
			off = (int)strtol(s + 5, &end, 10);
			if (*end)
				return -1;
		} else if (s[5]) {
			return -1;
		}
		n = base + off;
		return (n >= SIGRTMIN && n <= SIGRTMAX) ? (int)n : -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

/* ---- logging --------------------------------------------------------- */

static int log_fd = 2;
static int log_json;
static enum log_level log_level = LOG_WARN;

void log_setup(int fd, int json, enum log_level level)
{
	log_fd = fd;
	log_json = json;
	log_level = level;
}

int log_is_json(void)
{
	return log_json;
}

static void json_escape(char *out, size_t len, const char *in)
{
	size_t o = 0;

	for (; *in && o + 7 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char msg[1024], line[2200], ts[40];
	struct timespec now;
	va_list ap;
	int n;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	time_format_ns((int64_t)now.tv_sec * 1000000000 + now.tv_nsec, ts, sizeof(ts));
	if (log_json) {
		char esc[2048];

		json_escape(esc, sizeof(esc), msg);
		n = snprintf(line, sizeof(line),
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n", names[lvl], esc,
			     ts);
	} else if (log_fd == 2) {
		if (lvl == LOG_ERROR)
			return; /* errors reach stderr through err_print */
		n = snprintf(line, sizeof(line), "nook: %s: %s\n", names[lvl], msg);
	} else {
		/* logrus's text format, which runc's --log readers know */
		char esc[2048];

		json_escape(esc, sizeof(esc), msg);
		ts[19] = '\0'; /* to the second */
		n = snprintf(line, sizeof(line), "time=\"%sZ\" level=%s msg=\"%s\"\n", ts,
			     names[lvl], esc);
	}
	if (n > 0)
		write_all(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Put the n digits of v at p. */
static NOOK_HOT char *digits(char *p, unsigned long v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* Days to a civil date counts in 400-year eras of 146097 days whose
 * years start on March 1st (the leap day is last). */
int NOOK_HOT time_format_ns(int64_t ns, char *out, size_t len)
{
	int64_t s = ns / 1000000000, frac = ns % 1000000000, days, sod;
	int64_t era, doe, yoe, doy, mp, y;
	unsigned mon, mday;
	char *p = out;

	if (len < 31)
		return 0;
	if (frac < 0) {
		frac += 1000000000;
		s--;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	days += 719468; /* 0000-03-01 to 1970-01-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	mday = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (mon <= 2);
	if (y < 0 || y > 9999)
		y = 0;
	p = digits(p, (unsigned long)y, 4);
	*p++ = '-';
	p = digits(p, mon, 2);
	*p++ = '-';
	p = digits(p, mday, 2);
	*p++ = 'T';
	p = digits(p, (unsigned long)(sod / 3600), 2);
	*p++ = ':';
	p = digits(p, (unsigned long)(sod / 60 % 60), 2);
	*p++ = ':';
	p = digits(p, (unsigned long)(sod % 60), 2);
	*p++ = '.';
	p = digits(p, (unsigned long)frac, 9);
	*p++ = 'Z';
	*p = '\0';
	return (int)(p - out);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
void unescape_octal(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* ---- timing ------------------------------------------------------------ */

int timing_fd = -1;
static uint64_t timing_t0, timing_last;

static uint64_t timing_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void timing_setup(void)
{
	const char *v = getenv("NOOK_TIMING"), *t0 = getenv("NOOK_TIMING_T0");
	char *end;

	timing_fd = -1;
	if (!v || !*v || strcmp(v, "0") == 0)
		return;
	/* Our own fd, CLOEXEC: a container's stdio is never written. */
	timing_fd = *v == '/' ? open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)
			      : fcntl(2, F_DUPFD_CLOEXEC, 3);
	timing_last = 0;
	if (t0 && *t0) {
		timing_t0 = strtoull(t0, &end, 10);
		if (*end == ':')
			timing_last = strtoull(end + 1, NULL, 10);
	} else {
		timing_t0 = timing_now();
	}
	timing_export();
}

void timing_export(void)
{
	char buf[48];

	if (timing_fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%llu:%llu", (unsigned long long)timing_t0,
		 (unsigned long long)timing_last);
	setenv("NOOK_TIMING_T0", buf, 1);
}

static char *timing_put(char *p, uint64_t v, char sep)
{
	char num[24], *s = num + sizeof(num);

	do
		*--s = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(p, s, (size_t)(num + sizeof(num) - s));
	p += num + sizeof(num) - s;
	*p++ = sep;
	return p;
}

void timing_mark_on(const char *step)
{
	uint64_t now = timing_now();
	char buf[160], *p = buf + 12;
	size_t n;

	memcpy(buf, "nook-timing ", 12);
	p = timing_put(p, (uint64_t)getpid(), ' ');
	p = timing_put(p, now - timing_t0, ' ');
	*p++ = '+';
	p = timing_put(p, now - (timing_last ? timing_last : timing_t0), ' ');
	timing_last = now;
	n = strnlen(step, sizeof(buf) - (size_t)(p - buf) - 1);
	memcpy(p, step, n);
	p += n;
	*p++ = '\n';
	(void)!write(timing_fd, buf, (size_t)(p - buf));
}

char *program_path(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = xstrdup(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL, *p;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		p = xasprintf("%s/%s", *d ? d : ".", name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	p = xasprintf("/usr/sbin/%s", name);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}
