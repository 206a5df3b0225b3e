/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys: raw wrappers for the syscalls musl does not wrap (clone3, pidfd,
 * openat2, close_range, pivot_root), /proc/<pid>/stat, and the clocks.
 *
 * Everything here is plain syscalls: safe in a freshly cloned child (no
 * locks, no cached thread state).  Kernel ABI structs use fixed-size
 * fields: our targets include 32-bit MIPS and ARM.  A caller tries the new
 * call and falls back on ENOSYS/EINVAL (clone3 -> clone).
 */
#ifndef NOOK_SYS_H
#define NOOK_SYS_H

#include <stdint.h>
#include <sys/types.h>

struct nook_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define NOOK_CLONE_INTO_CGROUP 0x200000000ULL

/* Raw clone3; in the child returns 0.  After it the child must stay on plain
 * syscalls until execve (musl caches the thread id). */
pid_t sys_clone3(struct nook_clone_args *args);
/* fork-like clone(2) with extra flags (no new stack): the fallback. */
pid_t sys_clone(unsigned long flags);
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_pidfd_send_signal(int pidfd, int sig);
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags);
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct nook_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define NOOK_RESOLVE_NO_XDEV 0x01
#define NOOK_RESOLVE_NO_MAGICLINKS 0x02
#define NOOK_RESOLVE_NO_SYMLINKS 0x04
#define NOOK_RESOLVE_BENEATH 0x08
#define NOOK_RESOLVE_IN_ROOT 0x10
int sys_openat2(int dirfd, const char *path, struct nook_open_how *how);

/* mount_setattr(2), Linux 5.12: attributes of a mount, with
 * NOOK_AT_RECURSIVE of every mount below it too. */
struct nook_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};
#define NOOK_MOUNT_ATTR_RDONLY 0x01
#define NOOK_MOUNT_ATTR_NOSUID 0x02
#define NOOK_MOUNT_ATTR_NODEV 0x04
#define NOOK_MOUNT_ATTR_NOEXEC 0x08
#define NOOK_MOUNT_ATTR__ATIME 0x70 /* the atime mode: one of the three below */
#define NOOK_MOUNT_ATTR_RELATIME 0x00
#define NOOK_MOUNT_ATTR_NOATIME 0x10
#define NOOK_MOUNT_ATTR_STRICTATIME 0x20
#define NOOK_MOUNT_ATTR_NODIRATIME 0x80
#define NOOK_MOUNT_ATTR_NOSYMFOLLOW 0x200000
#define NOOK_AT_RECURSIVE 0x8000
int sys_mount_setattr(int dirfd, const char *path, unsigned int flags,
		      struct nook_mount_attr *attr);
/* open_tree(2), Linux 5.2: with NOOK_OPEN_TREE_CLONE a detached copy of
 * the mount at path (a file: a bind mount of just that file). */
#define NOOK_OPEN_TREE_CLONE 1U
#define NOOK_OPEN_TREE_CLOEXEC 02000000U
int sys_open_tree(int dirfd, const char *path, unsigned int flags);

/* Children cloned with CLONE_VM | CLONE_VFORK run our code on a stack of
 * their own, which ASan does not know: the sanitizer builds (the unit
 * tests) fork instead. */
#ifdef __SANITIZE_ADDRESS__
#define NOOK_CLONE_VM 0
#else
#define NOOK_CLONE_VM 1
#endif
/* fn(arg) in a child that shares our memory, on a stack of its own, while
 * we sleep until it execs or exits (CLONE_VM | CLONE_VFORK, as posix_spawn):
 * no page table is copied.  fn must not return.  Its pid, or -1 (errno). */
pid_t sys_clone_vm(int (*fn)(void *), void *arg);

/* Mark every fd >= first close-on-exec (close_range, else a walk of
 * /proc/self/fd). */
void fds_cloexec_from(int first);

/* Start time of pid (field 22 of /proc/<pid>/stat), 0 if it does not exist. */
uint64_t proc_start_time(pid_t pid);
/* /proc/<pid>/stat: the state letter (R, S, Z...) and the start time. */
int proc_stat(pid_t pid, char *state, uint64_t *start);
/* pid exists, started at start, and has not exited (no zombie). */
int proc_running(pid_t pid, uint64_t start);

/* ns since the epoch (CLOCK_REALTIME): for timestamps only.  ns and ms of
 * CLOCK_MONOTONIC: for every deadline, since NTP steps the wall clock (by
 * years on a router without a hardware clock, a little after boot).  In
 * the monitor's hot section. */
int64_t sys_wall_ns(void);
int64_t sys_mono_ns(void);
int64_t sys_mono_ms(void);

#endif
