// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-alloc: nook's malloc (oci/alloc.c) as the static builds use it:
 * every size class and the large path keep their bytes through realloc,
 * blocks are 16-byte aligned, calloc zeroes a reused block, aligned_alloc
 * aligns, overflow is refused, and alloc_trim gives pages back without
 * touching a live block.  The ASan build runs glibc's malloc: the checks
 * that are about ours are skipped there.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_NAME "test-alloc"

#include "oci/alloc.h"
#include "tests/unit/unit.h"

#ifdef __GLIBC__
#define OURS 0
#else
#define OURS 1
#endif

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void test_sizes_and_realloc(void)
{
	static const size_t sizes[] = { 0,    1,    15,	   16,	  17,	 100,	1000,	4000,
					4096, 8000, 32000, 32752, 32753, 40000, 1 << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p = malloc(n), *q;

		CHECK(p);
		CHECK(((uintptr_t)p & 15) == 0);
		CHECK(malloc_usable_size(p) >= n);
		fill(p, n, (unsigned)i);
		q = realloc(p, n * 3 + 10); /* grows: another class, or large */
		CHECK(q);
		CHECK(same(q, n, (unsigned)i));
		fill(q, n * 3 + 10, (unsigned)i + 1);
		p = realloc(q, n / 2 + 1); /* shrinks */
		CHECK(p);
		CHECK(same(p, n / 2 + 1, (unsigned)i + 1));
		free(p);
	}
	free(NULL);
}

static void test_reuse_and_calloc(void)
{
	unsigned char *a = malloc(200), *b, *c;

	CHECK(a);
	memset(a, 0xff, 200);
	free(a);
	b = malloc(200);
	CHECK(b);
	if (OURS)
		CHECK(b == a); /* the freed block comes back first */
	free(b);
	c = calloc(50, 4);
	CHECK(c);
	for (int i = 0; i < 200; i++)
		CHECK(c[i] == 0);
	free(c);
	if (OURS) { /* ASan reports these instead of returning NULL */
		volatile size_t huge = SIZE_MAX / 2, huger = SIZE_MAX - 8;

		errno = 0;
		CHECK(calloc(huge, 4) == NULL);
		CHECK(errno == ENOMEM);
		errno = 0;
		CHECK(malloc(huger) == NULL);
		CHECK(errno == ENOMEM);
	}
}

static void test_aligned(void)
{
	void *p = NULL;

	for (size_t al = 8; al <= 8192; al *= 2) {
		void *q = aligned_alloc(al, 8192); /* a multiple of al, as C11 wants */

		CHECK(q);
		CHECK(((uintptr_t)q & (al - 1)) == 0);
		memset(q, 1, 100);
		free(q);
	}
	CHECK(posix_memalign(&p, 64, 1000) == 0);
	CHECK(((uintptr_t)p & 63) == 0);
	free(p);
	if (OURS) /* ASan reports it */
		CHECK(posix_memalign(&p, 3, 10) == EINVAL);
}

static long rss_kb(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void test_trim(void)
{
	enum { N = 4000, SZ = 200 };
	static unsigned char *blk[N];
	long before, after;

	if (!OURS) {
		unit_skip = "optional: glibc's malloc in this ASan build (the static builds test "
			    "nook's)";
		return;
	}
	for (int i = 0; i < N; i++) {
		blk[i] = malloc(SZ);
		CHECK(blk[i]);
		fill(blk[i], SZ, (unsigned)i);
	}
	for (int i = 0; i < N; i++)
		if (i % 200) {
			free(blk[i]);
			blk[i] = NULL;
		}
	before = rss_kb();
	alloc_trim();
	after = rss_kb();
	for (int i = 0; i < N; i += 200)
		CHECK(same(blk[i], SZ, (unsigned)i)); /* the live ones kept */
	for (int i = 0; i < N; i++) { /* and the heap still works */
		if (!blk[i]) {
			blk[i] = malloc(SZ);
			CHECK(blk[i]);
			fill(blk[i], SZ, (unsigned)i + 3);
		}
	}
	for (int i = 0; i < N; i++) {
		CHECK(same(blk[i], SZ, (unsigned)i + (i % 200 ? 3 : 0)));
		free(blk[i]);
	}
#if defined(__x86_64__)
	/* ~1 MB freed in 200-byte blocks: most of its pages go back
	 * (RSS under qemu-user is qemu's, so only natively) */
	CHECK(before > 0 && after > 0);
	CHECK(after < before - 400);
#else
	(void)before;
	(void)after;
#endif
}

int main(void)
{
	RUN(test_sizes_and_realloc);
	RUN(test_reuse_and_calloc);
	RUN(test_aligned);
	RUN(test_trim);
	UNIT_EXIT();
}
