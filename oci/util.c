// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util: cleanup helpers, allocation that cannot fail, string vectors,
 * files (atomic and not), ids, signals, RFC 3339 time.  The allocation
 * dies on ENOMEM rather than return NULL.  The file helpers take no locks
 * and keep no state: a freshly cloned child may use them.
 */
#include "oci/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

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

/* ---- files ----------------------------------------------------------- */

char *file_read_at(int dirfd, const char *path, size_t *len, struct err *e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;

	if (fd < 0) {
		err_sys(e, "open %s", path);
		return NULL;
	}
	/* A regular file in one read (a config.json of 20 KB took three
	 * reads and three reallocs); /proc files say 0 and grow. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size < (off_t)(64 << 20))
		cap = (size_t)st.st_size + 2; /* + the NUL, + 1 to see EOF */
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

int file_write_nosync(const char *path, const void *data, size_t len, mode_t mode, struct err *e)
{
	return write_renamed(path, data, len, mode, 0, e);
}

int file_lock(int fd, int op, const char *path, struct err *e)
{
	while (flock(fd, op) < 0)
		if (errno != EINTR)
			return err_sys(e, "lock %s", path);
	return 0;
}

int file_lock_open(const char *path, int oflags, mode_t mode, int op, struct err *e)
{
	int fd = open(path, oflags | O_CLOEXEC, mode);

	if (fd < 0)
		return err_sys(e, "open %s", path);
	if (file_lock(fd, op, path, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
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

const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
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

/* Exactly w digits. */
static int take_digits(const char **p, int w, int *out)
{
	*out = 0;
	for (; w > 0; w--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*out = *out * 10 + (**p - '0');
	}
	return 0;
}

int time_parse_ns(const char *s, size_t n, int64_t *ns)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, scale = 100000000;
	char buf[48];
	const char *p = buf;
	struct tm tm;
	time_t t;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (take_digits(&p, 4, &y) || *p++ != '-' || take_digits(&p, 2, &mo) || *p++ != '-' ||
	    take_digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't') {
		p++;
		if (take_digits(&p, 2, &h) || *p++ != ':' || take_digits(&p, 2, &mi) ||
		    *p++ != ':' || take_digits(&p, 2, &sec))
			return -1;
		/* a fraction: as nanoseconds, digits past the ninth dropped */
		if (*p == '.' && (++p, *p < '0' || *p > '9'))
			return -1;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (take_digits(&p, 2, &oh) || *p++ != ':' || take_digits(&p, 2, &om))
				return -1;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 ||
	    oh > 23 || om > 59)
		return -1;
	tm = (struct tm){ .tm_year = y - 1900,
			  .tm_mon = mo - 1,
			  .tm_mday = d,
			  .tm_hour = h,
			  .tm_min = mi,
			  .tm_sec = sec };
	t = timegm(&tm);
	if (tm.tm_mday != d) /* timegm normalised "02-30" into March */
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0 || (int64_t)t >= INT64_MAX / 1000000000)
		return -1;
	*ns = (int64_t)t * 1000000000 + frac;
	return 0;
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
