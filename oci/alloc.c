// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * alloc: nook's malloc, in place of musl's (static builds only).
 *
 * musl's mallocng returns freed groups to the kernel at once: a runtime
 * start did 34 mmap and 28 munmap calls, each munmap a TLB flush and each
 * new page a fault, about 1.5 ms of a 13 ms start on a paravirtualized
 * 6.18 (a MIPS router refills its TLB in software: the same kind of cost).
 * nook's processes are either short (a CLI command, the runtime) or small
 * and steady (the monitor), so a segregated free list does better: blocks
 * of 21 sizes (two per power of two, 32 B to 32 KiB with a 16-byte
 * header) are cut from 1 MiB mappings that are never returned (only the
 * pages touched cost memory), freed blocks go on their size's list and
 * are reused first; anything larger is its own mapping, released by free
 * and grown with mremap.
 *
 * Hazards: no locking, as nook has no threads (a raw clone without
 * CLONE_VM has its own copy of all of this).  A pointer that is not ours
 * (or freed twice into the large path) aborts rather than corrupting the
 * heap silently.  The ASan unit-test build (glibc) keeps the libc's
 * malloc: this file is empty there, and with NOOK_LIBC_MALLOC.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "oci/alloc.h"
#include "oci/util.h"

#if !defined(__GLIBC__) && !defined(NOOK_LIBC_MALLOC)

#define HDR 16
#define CHUNK (1024 * 1024)
#define NCLS 21
#define LARGE 0xffu
#define MAGIC 0x6e6fu /* "no" */

/* Block sizes, header included. */
static const uint32_t cls_size[NCLS] = { 32,   48,   64,   96,	  128,	 192,	256,
					 384,  512,  768,  1024,  1536,	 2048,	3072,
					 4096, 6144, 8192, 12288, 16384, 24576, 32768 };

struct hdr {
	size_t size; /* usable bytes */
	uint16_t cls, magic;
	uint32_t off; /* large: from the mapping's start to the user's bytes */
};
_Static_assert(sizeof(struct hdr) <= HDR, "header");

#define CHUNKS_MAX 64 /* the ones alloc_trim looks at */

static void *free_list[NCLS];
static char *bump, *bump_end;
static char *chunks[CHUNKS_MAX];
static size_t n_chunks;

static NOOK_HOT struct hdr *hdr_of(void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);

	if (h->magic != MAGIC || (h->cls >= NCLS && h->cls != LARGE))
		abort();
	return h;
}

static NOOK_HOT void *large_alloc(size_t n, size_t align)
{
	size_t total = n + align + HDR, off;
	char *base;
	struct hdr *h;

	if (total < n) /* overflow */
		goto nomem;
	total = (total + 4095) & ~(size_t)4095;
	base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		goto nomem;
	off = (((uintptr_t)base + HDR + align - 1) & ~(uintptr_t)(align - 1)) - (uintptr_t)base;
	h = (struct hdr *)(base + off - HDR);
	*h = (struct hdr){
		.size = total - off, .cls = LARGE, .magic = MAGIC, .off = (uint32_t)off
	};
	return base + off;
nomem:
	errno = ENOMEM;
	return NULL;
}

NOOK_HOT void *malloc(size_t n)
{
	struct hdr *h;
	unsigned c = 0;

	if (n > cls_size[NCLS - 1] - HDR)
		return large_alloc(n, HDR);
	while (cls_size[c] - HDR < n)
		c++;
	if (free_list[c]) {
		h = (struct hdr *)((char *)free_list[c] - HDR);
		free_list[c] = *(void **)free_list[c];
	} else {
		if ((size_t)(bump_end - bump) < cls_size[c]) {
			char *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

			if (m == MAP_FAILED) {
				errno = ENOMEM;
				return NULL;
			}
			bump = m;
			bump_end = m + CHUNK;
			if (n_chunks < CHUNKS_MAX)
				chunks[n_chunks++] = m;
		}
		h = (struct hdr *)bump;
		bump += cls_size[c];
	}
	*h = (struct hdr){ .size = cls_size[c] - HDR, .cls = (uint16_t)c, .magic = MAGIC };
	return (char *)h + HDR;
}

NOOK_HOT void free(void *p)
{
	struct hdr *h;

	if (!p)
		return;
	h = hdr_of(p);
	if (h->cls == LARGE) {
		h->magic = 0;
		munmap((char *)p - h->off, h->off + h->size);
		return;
	}
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = p;
}

void *calloc(size_t a, size_t b)
{
	void *p;

	if (b && a > SIZE_MAX / b) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(a * b);
	if (p && hdr_of(p)->cls != LARGE) /* a new mapping is zero already */
		memset(p, 0, a * b);
	return p;
}

NOOK_HOT void *realloc(void *p, size_t n)
{
	struct hdr *h;
	void *q;

	if (!p)
		return malloc(n);
	h = hdr_of(p);
	if (n <= h->size && (h->cls != LARGE || n > h->size / 2))
		return p;
	if (h->cls == LARGE && h->off == HDR && n > cls_size[NCLS - 1] - HDR) {
		size_t total = (n + 2 * HDR + 4095) & ~(size_t)4095;
		char *base;

		if (total < n)
			goto nomem;
		base = mremap((char *)p - HDR, h->size + HDR, total, MREMAP_MAYMOVE);
		if (base == MAP_FAILED)
			goto nomem;
		((struct hdr *)base)->size = total - HDR;
		return base + HDR;
	}
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, n < h->size ? n : h->size);
	free(p);
	return q;
nomem:
	errno = ENOMEM;
	return NULL;
}

void *aligned_alloc(size_t align, size_t n)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return align <= HDR ? malloc(n) : large_alloc(n, align);
}

int posix_memalign(void **res, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *))
		return EINVAL;
	p = aligned_alloc(align, n);
	if (!p)
		return errno;
	*res = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

size_t malloc_usable_size(void *p)
{
	return p ? hdr_of(p)->size : 0;
}

/* Bytes of [b, e) on each page of chunk ch, added to cover[]. */
static void cover_add(uint32_t *cover, const char *ch, size_t pg, const char *b, const char *e)
{
	while (b < e) {
		size_t i = (size_t)(b - ch) / pg;
		const char *pe = ch + (i + 1) * pg;
		const char *end = e < pe ? e : pe;

		cover[i] += (uint32_t)(end - b);
		b = end;
	}
}

#define PAGES_MAX (CHUNK / 4096)

void alloc_trim(void)
{
	static uint8_t released[CHUNKS_MAX][PAGES_MAX];
	size_t pg = (size_t)getauxval(AT_PAGESZ), npg;

	if (!pg || pg > CHUNK)
		return;
	npg = CHUNK / pg;
	/* 1. the pages of each chunk that hold only free blocks */
	for (size_t k = 0; k < n_chunks; k++) {
		uint32_t cover[PAGES_MAX] = { 0 };
		char *ch = chunks[k];

		if (bump >= ch && bump <= ch + CHUNK)
			cover_add(cover, ch, pg, bump, bump_end);
		for (unsigned c = 0; c < NCLS; c++)
			for (char *p = free_list[c]; p; p = *(char **)p)
				if (p > ch && p < ch + CHUNK)
					cover_add(cover, ch, pg, p - HDR, p - HDR + cls_size[c]);
		for (size_t i = 0; i < npg; i++)
			released[k][i] = cover[i] == pg;
	}
	/* 2. off the lists go the blocks whose link word is on such a page
	 * (it reads 0 once released): their memory stays valid, unused */
	for (unsigned c = 0; c < NCLS; c++) {
		void **link = &free_list[c];

		while (*link) {
			char *p = *link;
			size_t k = 0;

			while (k < n_chunks && !(p > chunks[k] && p < chunks[k] + CHUNK))
				k++;
			if (k < n_chunks && released[k][(size_t)(p - chunks[k]) / pg])
				*link = *(void **)p;
			else
				link = (void **)p;
		}
	}
	/* 3. give them back, a run of pages per call (a chunk's untouched
	 * tail is one run): each call may flush the TLB, and a monitor trims
	 * while its container starts */
	for (size_t k = 0; k < n_chunks; k++)
		for (size_t i = 0, j; i < npg; i = j + 1) {
			for (j = i; j < npg && released[k][j]; j++)
				;
			if (j > i)
				madvise(chunks[k] + i * pg, (j - i) * pg, MADV_DONTNEED);
		}
}

#else

void alloc_trim(void)
{
}

#endif
