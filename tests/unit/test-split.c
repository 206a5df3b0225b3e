// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tar splits (store/split): a layer unpacked by layer_unpack and written
 * again by split_replay from its tree is the same archive, byte for byte,
 * for archives that GNU tar and busybox tar make (long names in pax and
 * GNU headers, hardlinks, symlinks, empty files, a whole record of
 * padding after the end), plain and gzip'd; a tree changed afterwards is
 * found out; a damaged split is an error, never a crash.
 */
#define UNIT_NAME "test-split"
#include "tests/unit/unit.h"

#include "store/digest.h"
#include "store/layer.h"
#include "store/split.h"

#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[64];
static struct err err;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

struct buf {
	char *p;
	size_t n;
};

static int to_buf(void *arg, const void *p, size_t n, struct err *e)
{
	struct buf *b = arg;

	b->p = realloc(b->p, b->n + n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	*n = fread(p, 1, (size_t)len, f);
	fclose(f);
	return p;
}

/* Unpack archive (as layer n) and replay it: 1 if the bytes are the same
 * as tarpath's (the uncompressed tar). */
static int roundtrip(const char *archive, const char *tarpath, int n)
{
	char name[16], split[32];
	struct layer_info li;
	struct stream_fd f;
	struct buf out = { 0 };
	size_t tn;
	char *want = slurp(tarpath, &tn);
	int dfd = open(tmp, O_RDONLY | O_DIRECTORY), afd = open(archive, O_RDONLY), sfd, tfd;
	int same = 0;

	snprintf(name, sizeof(name), "l%d", n);
	snprintf(split, sizeof(split), "l%d.split", n);
	stream_fd_init(&f, afd, archive);
	if (want && dfd >= 0 && afd >= 0 &&
	    layer_unpack(&f.s, dfd, name, archive, &li, &err) == 0) {
		sfd = openat(dfd, split, O_RDONLY);
		tfd = openat(dfd, name, O_RDONLY | O_DIRECTORY);
		if (split_replay(sfd, tfd, to_buf, &out, name, &err) == 0)
			same = out.n == tn && memcmp(out.p, want, tn) == 0;
		close(sfd);
		close(tfd);
	}
	close(dfd);
	close(afd);
	free(want);
	free(out.p);
	return same;
}

/* A tree worth archiving under tmp/src. */
static int make_src(void)
{
	return sh(
		"set -e; cd %s; rm -rf src; mkdir -p src/d/e; cd src; echo hi >f; : >empty;"
		"ln f hard; ln -s f sym; ln -s /etc/passwd abs;"
		"mkdir -p "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		"bbbbbbbbbbbbbbbbbbbbbb/ccccccccccccccccccccccccccccccccccc;"
		"head -c 100000 /dev/urandom "
		">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbb"
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/"
		"ccccccccccccccccccccccccccccccccccc/"
		"long-file-name-that-goes-on-and-on-and-on-and-on-and-on-and-on-and-on-and-on-and-"
		"on-and-on;"
		"chmod 4755 f; chown 1234:5678 empty; mkfifo d/fifo",
		tmp);
}

static void test_gnu_tar_posix(void)
{
	char a[128], t[128];

	CHECK(make_src() == 0);
	CHECK(sh("cd %s/src && tar --format=posix -cf ../posix.tar .", tmp) == 0);
	snprintf(a, sizeof(a), "%s/posix.tar", tmp);
	CHECK(roundtrip(a, a, 1));
	CHECK(sh("cd %s && gzip -9 -c posix.tar >posix.tar.gz", tmp) == 0);
	snprintf(t, sizeof(t), "%s/posix.tar.gz", tmp);
	CHECK(roundtrip(t, a, 2));
}

static void test_gnu_tar_gnu(void)
{
	char a[128];

	CHECK(make_src() == 0);
	/* GNU long names ('L', 'K'), a 10240-byte record of padding */
	CHECK(sh("cd %s/src && tar --format=gnu -cf ../gnu.tar .", tmp) == 0);
	snprintf(a, sizeof(a), "%s/gnu.tar", tmp);
	CHECK(roundtrip(a, a, 3));
}

static void test_busybox_tar(void)
{
	char a[128];

	if (system("busybox tar --help >/dev/null 2>&1") != 0) {
		printf("ok - %s: busybox_tar # SKIP optional: no busybox\n", UNIT_NAME);
		return;
	}
	CHECK(make_src() == 0);
	CHECK(sh("cd %s/src && busybox tar -cf ../bb.tar .", tmp) == 0);
	snprintf(a, sizeof(a), "%s/bb.tar", tmp);
	CHECK(roundtrip(a, a, 4));
}

/* A file of the tree changed after unpacking: the replay differs or
 * fails (save then refuses, by the diff id). */
static void test_changed_tree(void)
{
	char a[128], p[256];
	int fd;

	CHECK(make_src() == 0);
	CHECK(sh("cd %s/src && tar --format=posix -cf ../c.tar .", tmp) == 0);
	snprintf(a, sizeof(a), "%s/c.tar", tmp);
	CHECK(roundtrip(a, a, 5));
	snprintf(p, sizeof(p), "%s/l5/f", tmp);
	fd = open(p, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	CHECK(write(fd, "HI\n", 3) == 3);
	close(fd);
	{
		struct buf out = { 0 };
		char sp[256], tp[256];
		int sfd, tfd;
		size_t n;
		char *want = slurp(a, &n);

		snprintf(sp, sizeof(sp), "%s/l5.split", tmp);
		snprintf(tp, sizeof(tp), "%s/l5", tmp);
		sfd = open(sp, O_RDONLY);
		tfd = open(tp, O_RDONLY | O_DIRECTORY);
		CHECK(split_replay(sfd, tfd, to_buf, &out, "l5", &err) == 0);
		CHECK(out.n == n && memcmp(out.p, want, n) != 0);
		/* shorter: an error naming the file */
		fd = open(p, O_WRONLY | O_TRUNC);
		close(fd);
		free(out.p);
		out = (struct buf){ 0 };
		CHECK(split_replay(sfd, tfd, to_buf, &out, "l5", &err) < 0);
		CHECK_HAS(err.msg, "shorter");
		close(sfd);
		close(tfd);
		free(out.p);
		free(want);
	}
}

/* Every truncation of a split, and bytes flipped in it: an error or a
 * different archive, never a crash or a read outside the tree. */
static void test_damaged_split(void)
{
	char a[128], sp[256], tp[256], bad[256];
	size_t n, tn;
	char *orig, *want;
	int tfd;

	CHECK(make_src() == 0);
	CHECK(sh("cd %s/src && tar --format=posix -cf ../dmg.tar .", tmp) == 0);
	snprintf(a, sizeof(a), "%s/dmg.tar", tmp);
	CHECK(roundtrip(a, a, 6));
	snprintf(sp, sizeof(sp), "%s/l6.split", tmp);
	snprintf(tp, sizeof(tp), "%s/l6", tmp);
	snprintf(bad, sizeof(bad), "%s/bad.split", tmp);
	orig = slurp(sp, &n);
	want = slurp(a, &tn);
	CHECK(orig && want);
	tfd = open(tp, O_RDONLY | O_DIRECTORY);
	for (size_t cut = 0; cut < n; cut += 1 + cut / 8) {
		int fd = open(bad, O_RDWR | O_CREAT | O_TRUNC, 0600);
		struct buf out = { 0 };
		int r;

		CHECK(write(fd, orig, cut) == (ssize_t)cut);
		r = split_replay(fd, tfd, to_buf, &out, "bad", &err);
		close(fd);
		free(out.p);
		CHECK(r < 0);
	}
	for (size_t at = 16; at < n; at += 7) {
		int fd = open(bad, O_RDWR | O_CREAT | O_TRUNC, 0600);
		struct buf out = { 0 };

		orig[at] ^= 0x5a;
		CHECK(write(fd, orig, n) == (ssize_t)n);
		orig[at] ^= 0x5a;
		/* any answer will do, but it must come without a read
		 * outside a buffer (ASan) and only from files in the tree */
		(void)split_replay(fd, tfd, to_buf, &out, "bad", &err);
		close(fd);
		free(out.p);
	}
	close(tfd);
	free(orig);
	free(want);
}

int main(void)
{
	char cmd[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-split-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	if (geteuid() != 0) {
		printf("ok - %s: all # SKIP optional: layers keep owners, which needs root\n",
		       UNIT_NAME);
		return 0;
	}
	RUN(test_gnu_tar_posix);
	RUN(test_gnu_tar_gnu);
	RUN(test_busybox_tar);
	RUN(test_changed_tree);
	RUN(test_damaged_split);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	UNIT_EXIT();
}
