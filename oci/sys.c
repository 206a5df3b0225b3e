// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sys: raw syscalls, /proc/<pid>/stat and the clocks.  Plain syscalls
 * only: a freshly cloned child may call any of these.
 */
#include "oci/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "oci/util.h"

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
#ifdef __NR_open_tree
_Static_assert(NEWSYS(428) == __NR_open_tree, "open_tree's number");
#endif
#ifndef SYS_open_tree
#define SYS_open_tree NEWSYS(428)
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

pid_t sys_clone_vm(int (*fn)(void *), void *arg)
{
	size_t size = 256 << 10; /* only the pages it touches: a few */
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		return -1;
	pid = clone(fn, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
	munmap(stack, size); /* the child has exec'd or exited */
	return pid;
}

int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
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

int64_t NOOK_HOT sys_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t NOOK_HOT sys_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t NOOK_HOT sys_mono_ms(void)
{
	return sys_mono_ns() / 1000000;
}
