// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-syscall: oci/util's raw syscall wrappers reach the kernel on every
 * architecture (32-bit MIPS numbers its syscalls from 4000: a wrong number
 * is ENOSYS and every caller silently takes its fallback).  make
 * cross-check runs this under qemu-user, which has pidfd_open,
 * pidfd_send_signal and close_range (not clone3 or openat2).  ENOSYS is
 * accepted only from a kernel older than the syscall.
 */
#define UNIT_NAME "test-syscall"
#include "tests/unit/unit.h"

#include "oci/sys.h"
#include "oci/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a, b;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return 0;
	return a > major || (a == major && b >= minor);
}

static void test_pidfd(void)
{
	int fd = sys_pidfd_open(getpid(), 0);

	if (fd < 0) {
		CHECK(errno == ENOSYS && !kernel_at_least(5, 3));
		return;
	}
	CHECK(sys_pidfd_send_signal(fd, 0) == 0);
	close(fd);
}

static void test_close_range(void)
{
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0);
	if (sys_close_range((unsigned int)fd, (unsigned int)fd, CLOSE_RANGE_CLOEXEC) < 0) {
		close(fd);
		CHECK(errno == ENOSYS && !kernel_at_least(5, 11));
		return;
	}
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK(sys_close_range((unsigned int)fd, (unsigned int)fd, 0) == 0);
	CHECK(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
}

int main(void)
{
	RUN(test_pidfd);
	RUN(test_close_range);
	UNIT_EXIT();
}
