/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * monitor/internal.h: what the files of monitor/ share with each other and
 * with nobody else (test-monitor.c aside).  monitor.c is the monitor
 * process, log.c the k8s-file log (writer and `nook logs`), exitfile.c the
 * exit file and its inotify wait, attach.c the attach codec and client;
 * the public surface of all four is monitor/monitor.h.
 *
 * The monitor's loop calls into log.c (the log writer) and attach.c (the
 * frame codec): whatever it runs carries HOT, in whichever file it lives.
 */
#ifndef NOOK_MONITOR_INTERNAL_H
#define NOOK_MONITOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"
#include "oci/sys.h"

/* What the loop runs while a container lives sits in one section, which
 * monitor/hot.ld places at the front of the text together with the libc
 * functions it calls.  Setup touches most of the binary; the monitor then
 * gives those pages back (drop_setup_pages), and the kernel maps file
 * pages 64 KiB at a time (fault-around): code spread over the binary
 * would bring most of it back into every monitor's VmRSS. */
#define HOT NOOK_HOT

#define LOG_CHUNK 16384 /* longest record text; also the monitor's read size */

/* ---- monitor.c: clocks and fds ---------------------------------------- */

/* Milliseconds to a deadline (sys_mono_ms, oci/sys.h) for poll(): -1 without
 * one (deadline < 0), never below 0. */
int monitor_ms_left(int64_t deadline);
/* Close *fd if it is open, and set it to -1. */
void monitor_close_fd(int *fd);
/* The bytes of the stack mapping [lo, hi) (lo page-aligned) that the
 * monitor gives back after setup: from lo up to the page boundary at or
 * below sp - 8 KiB, in whole pages of pg bytes (madvise rounds a length
 * up to a page).  0 when sp is not in [lo, hi) or nothing lies that far
 * below it.  Pure. */
unsigned long monitor_stack_unused(unsigned long lo, unsigned long hi, unsigned long sp,
				   unsigned long pg);

/* ---- log.c ------------------------------------------------------------ */

/* write_all for fds that may be non-blocking (a shared tty): waits for
 * POLLOUT on EAGAIN.  0, or -1 with errno. */
int monitor_write_full(int fd, const void *buf, size_t len);

/* ---- exitfile.c ------------------------------------------------------- */

/* Add an inotify watch (mask) on the directory of path; *base gets its
 * last component (points into path).  0, or -1 with e set. */
int monitor_watch_dir_of(int ino, const char *path, uint32_t mask, const char **base,
			 struct err *e);

/* ---- attach.c: the frame codec ---------------------------------------- */

/* Incremental frame parser.  Payloads of STDIN/STDOUT/STDERR are passed
 * on in pieces as they arrive (no frame is ever buffered whole); RESIZE and
 * EXIT are small and delivered once, complete (cut to 31 bytes). */
struct frame_rd {
	unsigned char hdr[5];
	unsigned hn;
	uint32_t left;
	char small[32];
	unsigned sn;
};

typedef int (*frame_cb)(void *arg, int type, const char *data, size_t n);

/* Feed n bytes received into r; cb gets each piece of payload (and the
 * small frames whole).  -1 as soon as cb fails, else 0. */
int monitor_frame_feed(struct frame_rd *r, const char *p, size_t n, frame_cb cb, void *arg);

/* The 5-byte header of a frame: type, payload length in network order. */
static inline HOT void monitor_frame_hdr(unsigned char h[5], int type, size_t n)
{
	h[0] = (unsigned char)type;
	h[1] = (unsigned char)(n >> 24);
	h[2] = (unsigned char)(n >> 16);
	h[3] = (unsigned char)(n >> 8);
	h[4] = (unsigned char)n;
}

/* Path of <dirfd>/name usable where only a path is taken (bind, connect):
 * short whatever the length of the directory's own path. */
void monitor_fd_path(char *buf, size_t len, int dirfd, const char *name);

#endif
