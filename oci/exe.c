// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exe: the runtime's own binary out of a container's reach (CVE-2019-5736).
 *
 * A container's process that execs /proc/self/exe while that is still our
 * binary (the init before its last execve, an exec'd process, or a
 * `#!/proc/self/exe` script the image plants as its entrypoint) runs the
 * host's nook inside the container, and could reopen it for writing once
 * it exits.  So whatever clones into a container must not have the
 * binary's file as its executable.  Three ways, cheapest first:
 *   1. the binary already lies on a read-only mount (a router's squashfs,
 *      a read-only /usr): nothing to do, a write open fails with EROFS;
 *   2. detach the image in place: the binary's file is opened again
 *      through a read-only clone of its mount (open_tree + mount_setattr,
 *      5.12: the same page cache, nothing copied, a mount in no namespace
 *      that nothing can make writable), or else as a sealed memfd copy
 *      (NOOK_EXE_MEMFD=1 picks it), and that is mapped over every
 *      read-only mapping of the file at the same offsets (the same bytes
 *      at the same addresses, so the code running it does not notice);
 *      the writable ones are copied into anonymous memory, and
 *      PR_SET_MM_EXE_FILE (CAP_SYS_RESOURCE) or PR_SET_MM_MAP
 *      (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, kernels with
 *      CONFIG_CHECKPOINT_RESTORE) points /proc/self/exe at it.  The kernel
 *      allows that only once no mapping of the old file is left.  No exec:
 *      the process carries on where it was;
 *   3. else (neither capability, or a kernel without the prctl) re-exec
 *      from the sealed memfd copy; NOOK_EXE_COPY=1 picks this way.
 * The clone's mount goes away when its fd is closed, which waits for an
 * RCU grace period: oci_exe_release does that once the container's
 * process runs (runc 1.1 unmounted its bind mount before the exec, and
 * paid it on the start's path).
 *
 * Hazards: in way 2, a read-only mapping that was written before it was
 * made read-only (RELRO, in the writable segment's pages) must keep its
 * bytes: only pages before the first writable PT_LOAD's offset are taken
 * from the file (a mapping that reaches past it is split there).  Afterwards /proc/self/exe has no path: NOOK_EXE has it.
 */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <linux/capability.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "oci/linux.h"
#include "oci/log.h"
#include "oci/sys.h"

#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#endif
#ifndef PR_SET_MM
#define PR_SET_MM 35
#endif
#ifndef PR_SET_MM_EXE_FILE
#define PR_SET_MM_EXE_FILE 13
#endif
#ifndef PR_SET_MM_MAP
#define PR_SET_MM_MAP 14
#endif

/* Linker-defined bounds of the image (GNU ld and lld). */
extern const char __ehdr_start[] __attribute__((weak));
extern char _end[] __attribute__((weak));

static int env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* On a read-only mount, or (after our re-exec) a sealed memfd. */
static int exe_protected(int again)
{
	struct statvfs sv;
	int fd, seals;

	if (statvfs("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return 1;
	if (!again)
		return 0;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	seals = fcntl(fd, F_GET_SEALS);
	close(fd);
	return seals >= 0 && (seals & F_SEAL_WRITE);
}

/* A sealed memfd copy of the binary, which may be exec'd (vm.memfd_noexec
 * would seal it against that; before 6.3 MFD_EXEC is refused and every
 * memfd may be exec'd). */
static int exe_sealed_copy(struct err *e)
{
	_cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (self < 0)
		return err_sys(e, "open /proc/self/exe");
	if (fstat(self, &st) < 0)
		return err_sys(e, "stat /proc/self/exe");
	mfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("nook", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return err_sys(e, "memfd_create");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, self, NULL, (size_t)(st.st_size - off));

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return err_sys(e, "copy /proc/self/exe into a memfd");
		}
		off += n;
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return err_sys(e, "seal memfd");
	return steal_fd(mfd);
}

/* The binary's own file, opened through a read-only, detached clone of
 * its mount (open_tree + mount_setattr, 5.12; CAP_SYS_ADMIN): the same
 * inode and page cache, so nothing is copied, yet no open of it, nor of
 * /proc/<pid>/exe once it is our exe, can write (EROFS).  The clone is in
 * no mount namespace, so nothing can mount over it or make it writable,
 * and nothing is left to clean up: it goes with its last open file.  -1
 * where the kernel or our capabilities do not allow it.
 *
 * The clone's fd is kept (exe_tree) until oci_exe_release: closing it
 * dissolves the clone's anonymous namespace, which waits for an RCU grace
 * period (0.1 to 3 ms on a loaded VM), so that is done while we wait for
 * the container, not before we start it. */
static int exe_tree = -1;

int oci_ro_clone(const char *path, unsigned int flags)
{
	struct nook_mount_attr ro = { .attr_set = NOOK_MOUNT_ATTR_RDONLY };
	int tree = sys_open_tree(AT_FDCWD, path, NOOK_OPEN_TREE_CLONE | flags);
	struct statvfs sv;

	if (tree >= 0 && (sys_mount_setattr(tree, "", AT_EMPTY_PATH, &ro) < 0 ||
			  fstatvfs(tree, &sv) < 0 || !(sv.f_flag & ST_RDONLY))) {
		close(tree); /* read-only or nothing: else it would not protect */
		tree = -1;
	}
	return tree;
}

static int exe_ro_clone(void)
{
	int tree = oci_ro_clone("/proc/self/exe", NOOK_OPEN_TREE_CLOEXEC);
	char path[40];
	int fd;

	if (tree < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", tree);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		close(tree);
		return -1;
	}
	oci_exe_release();
	exe_tree = tree;
	return fd;
}

void oci_exe_release(void)
{
	if (exe_tree >= 0)
		close(exe_tree);
	exe_tree = -1;
}

/* The kernel's struct prctl_mm_map (a native pointer for auxv). */
struct mm_map {
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t *auxv;
	uint32_t auxv_size, exe_fd;
};

/* The mm's fields as they are (/proc/self/stat 26-28 and 45-51, brk):
 * PR_SET_MM_MAP sets them all along with the exe. */
static int mm_map_now(struct mm_map *m, int exe_fd)
{
	char buf[1024], *p;
	uint64_t f[52] = { 0 };
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || !p[1])
		return -1;
	p += 2;
	for (int i = 3; i < 52 && *p; i++) { /* the state letter reads as 0 */
		f[i] = strtoull(p, &p, 10);
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	*m = (struct mm_map){ .start_code = f[26],
			      .end_code = f[27],
			      .start_stack = f[28],
			      .start_data = f[45],
			      .end_data = f[46],
			      .start_brk = f[47],
			      .brk = (uint64_t)syscall(SYS_brk, 0),
			      .arg_start = f[48],
			      .arg_end = f[49],
			      .env_start = f[50],
			      .env_end = f[51],
			      .exe_fd = (uint32_t)exe_fd };
	return f[51] ? 0 : -1;
}

static const char *const way_name[] = { "PR_SET_MM_EXE_FILE", "PR_SET_MM_MAP" };

/* Point /proc/self/exe at fd, way 0 (PR_SET_MM_EXE_FILE) or 1
 * (PR_SET_MM_MAP with the mm's fields unchanged). */
static int exe_set(int fd, int way)
{
	struct mm_map m;

	if (way == 0)
		return prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0);
	if (mm_map_now(&m, fd) < 0) {
		errno = EINVAL;
		return -1;
	}
	return prctl(PR_SET_MM, PR_SET_MM_MAP, &m, sizeof(m), 0);
}

/* 0: PR_SET_MM_EXE_FILE (CAP_SYS_RESOURCE), 1: PR_SET_MM_MAP
 * (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), -1: neither. */
static int exe_way(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	uint64_t eff;

	if (syscall(SYS_capget, &h, d) < 0)
		return 1; /* the prctl will tell */
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	if (eff & (1ULL << CAP_SYS_RESOURCE))
		return 0;
	if (eff & ((1ULL << CAP_SYS_ADMIN) | (1ULL << 40 /* CAP_CHECKPOINT_RESTORE */)))
		return 1;
	return -1;
}

/* The file offset of the first writable PT_LOAD's first page: mappings
 * from there on may hold bytes that are not the file's.  0 (everything
 * copied) when the headers cannot be read. */
static uint64_t exe_rw_offset(void)
{
	const ElfW(Ehdr) *eh = (const void *)__ehdr_start;
	const ElfW(Phdr) * ph;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(*ph) > 4096)
		return 0;
	ph = (const void *)(__ehdr_start + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			return ph[i].p_offset & ~(uint64_t)4095; /* at or past the mapping's */
	return 0;
}

/* [lo, hi) of the image, mapped from the file at off, moved onto the memfd
 * copy (same offset), or into anonymous memory with the same bytes. */
static int exe_vma_move(uintptr_t lo, uintptr_t hi, int prot, uint64_t off, int mfd, int copy)
{
	size_t len = hi - lo;
	void *tmp;

	if (!copy)
		return mmap((void *)lo, len, prot, MAP_PRIVATE | MAP_FIXED, mfd, (off_t)off) ==
				       MAP_FAILED
			       ? -1
			       : 0;
	tmp = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		return -1;
	if (prot & PROT_READ)
		memcpy(tmp, (const void *)lo, len);
	if ((prot != (PROT_READ | PROT_WRITE) && mprotect(tmp, len, prot) < 0) ||
	    syscall(SYS_mremap, tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)lo) ==
		    (long)MAP_FAILED) {
		munmap(tmp, len);
		return -1;
	}
	return 0;
}

/* Way 2.  -1 when the kernel refuses (a mapping already moved holds the
 * same bytes, so nothing that matters changed): the caller re-execs. */
static int exe_detach(void)
{
	uintptr_t pg = (uintptr_t)getauxval(AT_PAGESZ) ? (uintptr_t)getauxval(AT_PAGESZ) : 4096;
	uintptr_t lo = (uintptr_t)__ehdr_start & ~(pg - 1),
		  hi = ((uintptr_t)_end + pg - 1) & ~(pg - 1);
	_cleanup_free_ char *maps = NULL;
	_cleanup_close_ int mfd = -1;
	struct err e = { 0 };
	uint64_t rw_off;
	char *line, *next;
	const char *src;
	int way;

	if (!__ehdr_start || !_end)
		return -1;
	mfd = env_on("NOOK_EXE_MEMFD") ? -1 : exe_ro_clone();
	src = mfd >= 0 ? "a read-only clone of its mount" : "a sealed memfd copy";
	if (mfd < 0)
		mfd = exe_sealed_copy(&e);
	if (mfd < 0)
		return -1;
	/* Which way our capabilities allow, before anything is moved (a
	 * refused prctl tells too, for a /proc read and two syscalls). */
	way = exe_way();
	if (way < 0) {
		log_msg(LOGL_DEBUG, "exe: no CAP_SYS_RESOURCE, CAP_SYS_ADMIN or "
				    "CAP_CHECKPOINT_RESTORE for PR_SET_MM: re-exec");
		return -1;
	}
	maps = file_read("/proc/self/maps", NULL, &e);
	if (!maps)
		return -1;
	rw_off = exe_rw_offset();
	/* "start-end perms offset dev inode path": the image's own lines */
	for (line = maps; *line; line = next) {
		unsigned long a, b;
		uint64_t off;
		char *p;
		int prot = 0;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		a = strtoul(line, &p, 16);
		if (*p != '-')
			continue;
		b = strtoul(p + 1, &p, 16);
		if (*p != ' ' || strlen(p) < 6 || a < lo || b > hi || a >= b)
			continue;
		prot |= p[1] == 'r' ? PROT_READ : 0;
		prot |= p[2] == 'w' ? PROT_WRITE : 0;
		prot |= p[3] == 'x' ? PROT_EXEC : 0;
		off = strtoull(p + 6, &p, 16);
		p = strchr(p + 1, ' '); /* past the device */
		if (!p || strtoul(p + 1, NULL, 10) == 0) /* inode 0: anonymous */
			continue;
		/* a read-only mapping that reaches into the writable segment's
		 * pages (its first page shares the file's page with the end
		 * of the text when the linker packs them): the file up to
		 * there, a copy of the rest */
		if (!(prot & PROT_WRITE) && off < rw_off && off + (b - a) > rw_off) {
			uintptr_t split = a + (uintptr_t)(rw_off - off);

			if (exe_vma_move(a, split, prot, off, mfd, 0) < 0)
				return -1;
			off = rw_off;
			a = split;
		}
		if (exe_vma_move(a, b, prot, off, mfd,
				 (prot & PROT_WRITE) || off + (b - a) > rw_off) < 0)
			return -1;
	}
	/* Refused in a user namespace (PR_SET_MM_EXE_FILE wants the host's
	 * CAP_SYS_RESOURCE) or without CONFIG_CHECKPOINT_RESTORE (no
	 * PR_SET_MM_MAP): the other way, else the re-exec. */
	while (exe_set(mfd, way) < 0) {
		log_msg(LOGL_DEBUG, "exe: %s after the move: %s", way_name[way], strerror(errno));
		if (++way == 2)
			return -1;
	}
	log_msg(LOGL_DEBUG, "exe: detached from the file in place onto %s (%s)", src,
		way_name[way]);
	return 0;
}

int oci_protect_exe(char **argv, struct err *e)
{
	extern char **environ;
	_cleanup_close_ int exe = -1;
	int again = getenv("NOOK_REEXEC") != NULL;

	if (again)
		unsetenv("NOOK_REEXEC"); /* not for what we run */
	if (exe_protected(again))
		return 0;
	if (again) /* never loop */
		return err_set(e, 0, "/proc/self/exe is still writable after the re-exec");
	{
		/* From here /proc/self/exe has no path: say where the binary
		 * lives (the engine's exit commands need it). */
		char real[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", real, sizeof(real) - 1);

		if (n > 0) {
			real[n] = '\0';
			setenv("NOOK_EXE", real, 1);
		}
	}
	if (!env_on("NOOK_EXE_COPY") && exe_detach() == 0) {
		timing_mark("protected exe");
		return 0;
	}
	exe = exe_sealed_copy(e);
	if (exe < 0)
		return -1;
	setenv("NOOK_REEXEC", "1", 1);
	timing_mark("protected exe");
	timing_export();
	fexecve(exe, argv, environ);
	return err_sys(e, "re-exec from the sealed memfd");
}
