// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inflate: see inflate.h.
 *
 * Input: ibuf holds unread input [ip, iend).  The bit reader keeps up to 63
 * bits in a 64-bit word, least significant first, and refills it from ip
 * eight bytes at a time, without a branch per byte: it ORs in the next
 * eight bytes shifted past the valid bits and advances ip by the whole
 * bytes that fitted.  The bits above nbits are then the start of *ip, and
 * the next refill ORs in the same bits again.  Refilling needs eight bytes
 * after ip: fill() reads more of `in` when fewer are left, and at its end
 * puts PAD zero bytes after iend so that decoding can run on without a
 * check per symbol.  Zeros decode as symbols too, so every place that ends
 * a run of decoding (a full output buffer, the end of a block, an error)
 * first asks overrun(): a stream that used bits past its real end is
 * truncated, whatever its symbols meant.
 *
 * Output: win holds the 32 KiB window and 32 KiB of new output behind it,
 * decoded up to wpos and delivered up to rpos.  A symbol is decoded only
 * while wpos <= LIMIT, so a match (at most 258 bytes, copied eight at a
 * time, up to 7 beyond its end) always fits.  Once everything is delivered
 * and wpos is past LIMIT, the last 32 KiB slide to the front.  A match may
 * reach back to wbase, where the current member's output began, and no
 * further.  The CRC-32 and size are taken as output is decoded, so a
 * member's trailer is checked as soon as it is reached.
 *
 * Huffman tables: an entry (uint32_t) holds the code length to drop (bits
 * 0-7), the extra bits that follow (8-11), its kind (12-15) and a value
 * (16-31): a literal, a length or distance base, or where a subtable
 * starts.  Codes up to LBITS (DBITS for distances) bits are looked up in
 * one step; longer ones through a subtable as large as the longest code
 * under that prefix needs.
 */
#include "store/inflate.h"

#define WSIZE 32768 /* deflate's window */
#define OSIZE 32768 /* new output between two slides */
#define IBUF 8192 /* input read from `in` at a time, at most */
#define PAD 16 /* zero bytes after the end of the input */
#define MAXMATCH 258
#define LIMIT (WSIZE + OSIZE - MAXMATCH)

#define LBITS 10
#define DBITS 8
#define CBITS 7
/* The most entries a complete code needs: a subtable of 2^k entries takes
 * at least k + 1 of the code's symbols, so 286 literal/length symbols make
 * at most 47 subtables of 32 entries and one of 8; 30 distance symbols
 * three of 128 and one of 32. */
#define LTAB ((1 << LBITS) + 1536)
#define DTAB ((1 << DBITS) + 512)

enum { K_LIT, K_LEN, K_SUB, K_EOB, K_BAD };
#define ENTRY(kind, extra, val) ((uint32_t)(val) << 16 | (uint32_t)(kind) << 12 | (extra) << 8)
#define E_LEN(e) ((e)&0xff)
#define E_EXTRA(e) ((e) >> 8 & 0xf)
#define E_KIND(e) ((e) >> 12 & 0xf)
#define E_VAL(e) ((e) >> 16)

enum { ST_HEADER, ST_BLOCK, ST_HUFF, ST_STORED, ST_TRAILER, ST_NEXT, ST_END, ST_FAILED };
enum { CODE_CLEN, CODE_LITLEN, CODE_DIST };

struct inflate {
	struct stream s;
	struct stream *in;
	const char *what;
	int state;
	int last; /* the current block is the member's last */
	int fixed; /* the tables hold the fixed code */
	int eof; /* in is at its end: PAD zeros follow iend */
	int begun; /* a member was begun: what follows may be garbage */
	uint64_t bits;
	unsigned nbits;
	const unsigned char *ip;
	unsigned char *iend;
	uint32_t stored; /* bytes left of a stored block */
	uint32_t crc, size; /* of the member's output so far */
	size_t wpos, rpos, wbase;
	struct err err; /* the first error, repeated by later reads */
	uint32_t lit[LTAB];
	uint32_t dist[DTAB];
	unsigned char ibuf[IBUF + PAD];
	unsigned char win[WSIZE + OSIZE + 8];
};

/* ---- CRC-32 (the reflected polynomial 0xedb88320), eight bytes a step - */

/* crc_tab[k][b]: the CRC register after byte b and then k zero bytes. */
static uint32_t crc_tab[8][256];

static void crc_init(void)
{
	if (crc_tab[0][1])
		return;
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = b;

		for (int k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320 & -(c & 1));
		crc_tab[0][b] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int b = 0; b < 256; b++)
			crc_tab[k][b] =
				crc_tab[k - 1][b] >> 8 ^ crc_tab[0][crc_tab[k - 1][b] & 0xff];
}

static inline NOOK_NOMIPS16 uint32_t load_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static NOOK_NOMIPS16 uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	uint32_t c = ~crc;

	for (; n >= 8; n -= 8, p += 8) {
		uint32_t a = c ^ load_le32(p), b = load_le32(p + 4);

		c = crc_tab[7][a & 0xff] ^ crc_tab[6][a >> 8 & 0xff] ^ crc_tab[5][a >> 16 & 0xff] ^
		    crc_tab[4][a >> 24] ^ crc_tab[3][b & 0xff] ^ crc_tab[2][b >> 8 & 0xff] ^
		    crc_tab[1][b >> 16 & 0xff] ^ crc_tab[0][b >> 24];
	}
	for (; n; n--)
		c = c >> 8 ^ crc_tab[0][(c ^ *p++) & 0xff];
	return ~c;
}

/* ---- errors ----------------------------------------------------------- */

/* Whether decoding used bits past the real end of the input (the zeros of
 * the padding). */
static int overrun(const struct inflate *z)
{
	return z->eof && (z->ip - z->iend) * 8 > (ptrdiff_t)z->nbits;
}

static int fail(struct inflate *z, struct err *e, const char *why)
{
	const char *sep = *z->what ? ": " : "";

	if (overrun(z) || !why)
		err_set(&z->err, 0, "%s%struncated gzip stream", z->what, sep);
	else
		err_set(&z->err, 0, "%s%s%s", z->what, sep, why);
	z->state = ST_FAILED;
	if (e)
		*e = z->err;
	return -1;
}

#define CORRUPT(z, e, why) fail(z, e, "corrupt gzip stream: " why)
#define TRUNCATED(z, e) fail(z, e, NULL)

/* ---- input ------------------------------------------------------------ */

/* Make at least 8 bytes available after ip if in has them.  The 8 bytes
 * before ip stay: the bit buffer may give back 7 of them (align()). */
static int fill(struct inflate *z, struct err *e)
{
	size_t have = (size_t)(z->iend - z->ip), keep = (size_t)(z->ip - z->ibuf);

	if (z->eof)
		return 0;
	keep = keep < 8 ? keep : 8;
	memmove(z->ibuf, z->ip - keep, keep + have);
	z->ip = z->ibuf + keep;
	z->iend = z->ibuf + keep + have;
	while (have < 8) {
		ssize_t r = z->in->read(z->in, z->iend, IBUF - keep - have, &z->err);

		if (r < 0) {
			z->state = ST_FAILED;
			if (e)
				*e = z->err;
			return -1;
		}
		if (r == 0) {
			z->eof = 1;
			memset(z->iend, 0, PAD);
			break;
		}
		z->iend += r;
		have += (size_t)r;
	}
	return 0;
}

/* The end of what the bit reader may load: the padding once at the end. */
static const unsigned char *input_limit(const struct inflate *z)
{
	return z->iend + (z->eof ? PAD : 0);
}

static inline __attribute__((always_inline)) NOOK_NOMIPS16 uint64_t
load_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* At least n (<= 56) bits in the bit buffer. */
static NOOK_NOMIPS16 int need(struct inflate *z, unsigned n, struct err *e)
{
	if (z->nbits >= n)
		return 0;
	if (input_limit(z) - z->ip < 8) {
		if (fill(z, e) < 0)
			return -1;
		if (input_limit(z) - z->ip < 8)
			return TRUNCATED(z, e);
	}
	z->bits |= load_le64(z->ip) << z->nbits;
	z->ip += (63 - z->nbits) >> 3;
	z->nbits |= 56;
	return 0;
}

static unsigned getbits(struct inflate *z, unsigned n)
{
	unsigned v = (unsigned)(z->bits & ((1u << n) - 1));

	z->bits >>= n;
	z->nbits -= n;
	return v;
}

/* To the next byte boundary, the whole bytes of the bit buffer given back
 * to the input, for what is read bytewise. */
static int align(struct inflate *z, struct err *e)
{
	if (overrun(z))
		return TRUNCATED(z, e);
	z->ip -= z->nbits >> 3;
	z->bits = 0;
	z->nbits = 0;
	return 0;
}

/* The next byte, -1 at the end (e not set) or on an error (e set). */
static int getbyte(struct inflate *z, struct err *e)
{
	if (z->ip == z->iend) {
		if (fill(z, e) < 0)
			return -1;
		if (z->ip == z->iend)
			return -1;
	}
	return *z->ip++;
}

/* ---- gzip header and trailer ------------------------------------------ */

/* n bytes of the header into p (if not NULL), into the header's CRC. */
static int header_bytes(struct inflate *z, unsigned char *p, size_t n, uint32_t *crc, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int c = getbyte(z, e);
		unsigned char b = (unsigned char)c;

		if (c < 0)
			return z->state == ST_FAILED ? -1 : TRUNCATED(z, e);
		*crc = crc32_update(*crc, &b, 1);
		if (p)
			p[i] = b;
	}
	return 0;
}

/* Up to and with a NUL. */
static int header_string(struct inflate *z, uint32_t *crc, struct err *e)
{
	unsigned char b;

	do {
		if (header_bytes(z, &b, 1, crc, e) < 0)
			return -1;
	} while (b);
	return 0;
}

static int header(struct inflate *z, struct err *e)
{
	unsigned char h[10];
	uint32_t crc = 0;

	/* Byte by byte: garbage after a member is garbage, however short. */
	for (int i = 0; i < 10; i++) {
		if (header_bytes(z, h + i, 1, &crc, e) < 0)
			return -1;
		if ((i == 0 && h[0] != 0x1f) || (i == 1 && h[1] != 0x8b))
			return fail(z, e,
				    z->begun ? "trailing garbage after gzip stream"
					     : "not a gzip stream");
	}
	if (h[2] != 8)
		return CORRUPT(z, e, "unknown compression method");
	if (h[3] & 0xe0)
		return CORRUPT(z, e, "reserved header flags set");
	if (h[3] & 4) { /* FEXTRA */
		unsigned char x[2];

		if (header_bytes(z, x, 2, &crc, e) < 0 ||
		    header_bytes(z, NULL, (size_t)(x[0] | x[1] << 8), &crc, e) < 0)
			return -1;
	}
	if ((h[3] & 8) && header_string(z, &crc, e) < 0) /* FNAME */
		return -1;
	if ((h[3] & 16) && header_string(z, &crc, e) < 0) /* FCOMMENT */
		return -1;
	if (h[3] & 2) { /* FHCRC: the low 16 bits of the CRC-32 of the header */
		unsigned char x[2];
		uint32_t want = crc & 0xffff;

		if (header_bytes(z, x, 2, &crc, e) < 0)
			return -1;
		if ((uint32_t)(x[0] | x[1] << 8) != want)
			return CORRUPT(z, e, "header crc mismatch");
	}
	z->begun = 1;
	z->crc = 0;
	z->size = 0;
	z->wbase = z->wpos;
	return 0;
}

static int trailer(struct inflate *z, struct err *e)
{
	unsigned char t[8];
	uint32_t crc = 0;

	if (align(z, e) < 0 || header_bytes(z, t, 8, &crc, e) < 0)
		return -1;
	if (load_le32(t) != z->crc)
		return CORRUPT(z, e, "crc mismatch");
	if (load_le32(t + 4) != z->size)
		return CORRUPT(z, e, "length mismatch");
	return 0;
}

/* After a member: another member, zeros up to the end, or the end. */
static int next_member(struct inflate *z, struct err *e)
{
	int c;

	if (z->ip == z->iend && fill(z, e) < 0)
		return -1;
	if (z->ip == z->iend) {
		z->state = ST_END;
		return 0;
	}
	if (*z->ip != 0) {
		z->state = ST_HEADER;
		return 0;
	}
	while ((c = getbyte(z, e)) == 0)
		;
	if (z->state == ST_FAILED)
		return -1;
	if (c > 0)
		return fail(z, e, "trailing garbage after gzip stream");
	z->state = ST_END;
	return 0;
}

/* ---- Huffman tables --------------------------------------------------- */

/* What symbol sym of a code means, without its length. */
static uint32_t symbol_entry(int code, unsigned sym)
{
	unsigned extra;

	if (code == CODE_CLEN || (code == CODE_LITLEN && sym < 256))
		return ENTRY(K_LIT, 0, sym);
	if (code == CODE_LITLEN) {
		if (sym == 256)
			return ENTRY(K_EOB, 0, 0);
		sym -= 257; /* lengths 3..10, then 4 codes per extra bit 1..5, 258 */
		if (sym < 8)
			return ENTRY(K_LEN, 0, sym + 3);
		if (sym == 28)
			return ENTRY(K_LEN, 0, 258);
		if (sym > 28)
			return ENTRY(K_BAD, 0, 0);
		extra = (sym - 4) >> 2;
		return ENTRY(K_LEN, extra, ((4 + (sym & 3)) << extra) + 3);
	}
	/* distances 1..4, then 2 codes per extra bit 1..13 */
	if (sym < 4)
		return ENTRY(K_LEN, 0, sym + 1);
	if (sym >= 30)
		return ENTRY(K_BAD, 0, 0);
	extra = (sym - 2) >> 1;
	return ENTRY(K_LEN, extra, ((2 + (sym & 1)) << extra) + 1);
}

/*
 * The decoding table of the canonical code with code lengths lens[0..n)
 * into tab (cap entries, the first 2^tbits of them looked up directly).
 * Over-subscribed lengths are an error, and so are incomplete ones, except
 * a distance or literal/length code of no codes or of one 1-bit code
 * (RFC 1951 allows one distance code; encoders write both).
 */
static int build(uint32_t *tab, unsigned cap, unsigned tbits, const unsigned char *lens, unsigned n,
		 int code)
{
	unsigned count[16] = { 0 }, rem[16], offs[16], total = 0, next = 1u << tbits;
	unsigned short sorted[288];
	unsigned prefix = ~0u, sub = 0, sbits = 0, c = 0, idx = 0;
	int left = 1;

	for (unsigned i = 0; i < n; i++)
		count[lens[i]]++;
	offs[1] = 0;
	for (unsigned len = 1; len < 16; len++) {
		left = left * 2 - (int)count[len];
		if (left < 0)
			return -1;
		total += count[len];
		if (len < 15)
			offs[len + 1] = offs[len] + count[len];
	}
	if (left > 0 && (code == CODE_CLEN || total > 1 || (total == 1 && count[1] != 1)))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (lens[i])
			sorted[offs[lens[i]]++] = (unsigned short)i;
	memcpy(rem, count, sizeof(rem));
	for (unsigned i = 0; i < (1u << tbits); i++)
		tab[i] = ENTRY(K_BAD, 0, 0);
	/* Canonical codes in order: by symbol within a length, and the first
	 * code of a length the successor of the last one's, doubled. */
	for (unsigned len = 1; len < 16; len++, c <<= 1) {
		for (unsigned k = 0; k < count[len]; k++, c++, rem[len]--) {
			unsigned sym = sorted[idx++], rev = 0;
			uint32_t ent = symbol_entry(code, sym);

			for (unsigned b = 0; b < len; b++) /* sent from the top bit down */
				rev |= (c >> b & 1) << (len - 1 - b);
			if (len <= tbits) {
				for (unsigned j = rev; j < (1u << tbits); j += 1u << len)
					tab[j] = ent | len;
				continue;
			}
			if ((rev & ((1u << tbits) - 1)) != prefix) {
				/* A new prefix: the codes left fill its subtree from
				 * the left; the subtable is as deep as they reach. */
				int room = 1 << (len - tbits);

				sbits = len - tbits;
				for (unsigned l = len; l < 15; l++, sbits++, room *= 2) {
					room -= (int)rem[l];
					if (room <= 0)
						break;
				}
				if (next + (1u << sbits) > cap)
					return -1;
				prefix = rev & ((1u << tbits) - 1);
				sub = next;
				next += 1u << sbits;
				tab[prefix] = ENTRY(K_SUB, sbits, sub) | tbits;
				for (unsigned j = 0; j < (1u << sbits); j++)
					tab[sub + j] = ENTRY(K_BAD, 0, 0);
			}
			for (unsigned j = rev >> tbits; j < (1u << sbits); j += 1u << (len - tbits))
				tab[sub + j] = ent | (len - tbits);
		}
	}
	return 0;
}

/* ---- block headers ---------------------------------------------------- */

static int fixed_tables(struct inflate *z)
{
	unsigned char lens[288];

	memset(lens, 8, 144);
	memset(lens + 144, 9, 112);
	memset(lens + 256, 7, 24);
	memset(lens + 280, 8, 8);
	if (build(z->lit, LTAB, LBITS, lens, 288, CODE_LITLEN) < 0)
		return -1;
	memset(lens, 5, 32);
	return build(z->dist, DTAB, DBITS, lens, 32, CODE_DIST);
}

static int dynamic_tables(struct inflate *z, struct err *e)
{
	static const unsigned char order[19] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
						 11, 4,	 12, 3, 13, 2, 14, 1, 15 };
	unsigned char lens[286 + 30];
	unsigned nlit, ndist, nclen, i;

	if (need(z, 14, e) < 0)
		return -1;
	nlit = getbits(z, 5) + 257;
	ndist = getbits(z, 5) + 1;
	nclen = getbits(z, 4) + 4;
	if (nlit > 286 || ndist > 30)
		return CORRUPT(z, e, "too many length or distance codes");
	memset(lens, 0, 19);
	for (i = 0; i < nclen; i++) {
		if (need(z, 3, e) < 0)
			return -1;
		lens[order[i]] = (unsigned char)getbits(z, 3);
	}
	/* The code length code's table goes where the distances' will be. */
	if (build(z->dist, DTAB, CBITS, lens, 19, CODE_CLEN) < 0)
		return CORRUPT(z, e, "invalid code lengths set");
	for (i = 0; i < nlit + ndist;) {
		uint32_t ent;
		unsigned sym, rep, val = 0;

		if (need(z, CBITS + 7, e) < 0)
			return -1;
		ent = z->dist[z->bits & ((1u << CBITS) - 1)];
		if (E_KIND(ent) == K_BAD)
			return CORRUPT(z, e, "invalid code lengths set");
		getbits(z, E_LEN(ent));
		sym = E_VAL(ent);
		if (sym < 16) {
			lens[i++] = (unsigned char)sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				return CORRUPT(z, e, "invalid bit length repeat");
			val = lens[i - 1];
			rep = 3 + getbits(z, 2);
		} else if (sym == 17) {
			rep = 3 + getbits(z, 3);
		} else {
			rep = 11 + getbits(z, 7);
		}
		if (i + rep > nlit + ndist)
			return CORRUPT(z, e, "invalid bit length repeat");
		memset(lens + i, (int)val, rep);
		i += rep;
	}
	if (lens[256] == 0)
		return CORRUPT(z, e, "missing end-of-block code");
	if (build(z->lit, LTAB, LBITS, lens, nlit, CODE_LITLEN) < 0)
		return CORRUPT(z, e, "invalid literal/lengths set");
	if (build(z->dist, DTAB, DBITS, lens + nlit, ndist, CODE_DIST) < 0)
		return CORRUPT(z, e, "invalid distances set");
	return 0;
}

static int block_header(struct inflate *z, struct err *e)
{
	unsigned type;

	if (need(z, 3, e) < 0)
		return -1;
	z->last = (int)getbits(z, 1);
	type = getbits(z, 2);
	if (type == 0) {
		unsigned char h[4];
		uint32_t crc = 0;

		if (align(z, e) < 0 || header_bytes(z, h, 4, &crc, e) < 0)
			return -1;
		z->stored = (uint32_t)(h[0] | h[1] << 8);
		if ((h[0] ^ h[2]) != 0xff || (h[1] ^ h[3]) != 0xff)
			return CORRUPT(z, e, "invalid stored block lengths");
		z->state = ST_STORED;
		return 0;
	}
	if (type == 3)
		return CORRUPT(z, e, "invalid block type");
	if (type == 1 && !z->fixed) {
		if (fixed_tables(z) < 0)
			return CORRUPT(z, e, "fixed tables"); /* cannot happen */
		z->fixed = 1;
	} else if (type == 2) {
		z->fixed = 0;
		if (dynamic_tables(z, e) < 0)
			return -1;
	}
	z->state = ST_HUFF;
	return 0;
}

/* ---- block data ------------------------------------------------------- */

/* A match of len bytes from dist back; up to 7 bytes after it are
 * overwritten when dist >= 8. */
static inline NOOK_NOMIPS16 unsigned char *copy_match(unsigned char *o, size_t dist, unsigned len)
{
	const unsigned char *from = o - dist;
	unsigned char *end = o + len;

	if (dist >= 8) {
		do {
			memcpy(o, from, 8);
			o += 8;
			from += 8;
		} while (o < end);
	} else if (dist == 1) {
		memset(o, *from, len);
	} else {
		do
			*o++ = *from++;
		while (o < end);
	}
	return end;
}

/* Decode symbols until the block ends (1) or the output is full (0). */
static NOOK_NOMIPS16 int huffman(struct inflate *z, struct err *e)
{
	const uint32_t *lt = z->lit, *dt = z->dist;
	unsigned char *o = z->win + z->wpos, *start = o;
	unsigned char *const olim = z->win + LIMIT, *const base = z->win + z->wbase;
	const unsigned char *ip = z->ip, *ilim = input_limit(z);
	uint64_t bits = z->bits;
	unsigned nbits = z->nbits, len;
	size_t dist;
	uint32_t ent;
	const char *why = NULL;
	int ret = 0;

	for (;;) {
		if (ilim - ip < 8) {
			z->ip = ip;
			z->bits = bits;
			z->nbits = nbits;
			if (fill(z, e) < 0)
				return -1;
			ip = z->ip;
			ilim = input_limit(z);
			if (ilim - ip < 8) {
				why = "";
				break;
			}
		}
		if (o > olim)
			break;
		bits |= load_le64(ip) << nbits;
		ip += (63 - nbits) >> 3;
		nbits |= 56;

		ent = lt[bits & ((1u << LBITS) - 1)];
		if (E_KIND(ent) == K_SUB) {
			bits >>= LBITS;
			nbits -= LBITS;
			ent = lt[E_VAL(ent) + (bits & ((1u << E_EXTRA(ent)) - 1))];
		}
		bits >>= E_LEN(ent);
		nbits -= E_LEN(ent);
		if (E_KIND(ent) == K_LIT) {
			*o++ = (unsigned char)E_VAL(ent);
			continue;
		}
		if (E_KIND(ent) != K_LEN) {
			if (E_KIND(ent) == K_EOB)
				ret = 1;
			else
				why = "corrupt gzip stream: invalid literal/length code";
			break;
		}
		len = E_VAL(ent) + (unsigned)(bits & ((1u << E_EXTRA(ent)) - 1));
		bits >>= E_EXTRA(ent);
		nbits -= E_EXTRA(ent);

		ent = dt[bits & ((1u << DBITS) - 1)];
		if (E_KIND(ent) == K_SUB) {
			bits >>= DBITS;
			nbits -= DBITS;
			ent = dt[E_VAL(ent) + (bits & ((1u << E_EXTRA(ent)) - 1))];
		}
		bits >>= E_LEN(ent);
		nbits -= E_LEN(ent);
		if (E_KIND(ent) != K_LEN) {
			why = "corrupt gzip stream: invalid distance code";
			break;
		}
		dist = E_VAL(ent) + (size_t)(bits & ((1u << E_EXTRA(ent)) - 1));
		bits >>= E_EXTRA(ent);
		nbits -= E_EXTRA(ent);
		if (dist > (size_t)(o - base)) {
			why = "corrupt gzip stream: invalid distance too far back";
			break;
		}
		o = copy_match(o, dist, len);
	}
	z->ip = ip;
	z->bits = bits;
	z->nbits = nbits;
	if (why)
		return fail(z, e, *why ? why : NULL);
	if (overrun(z))
		return TRUNCATED(z, e);
	z->crc = crc32_update(z->crc, start, (size_t)(o - start));
	z->size += (uint32_t)(o - start);
	z->wpos = (size_t)(o - z->win);
	return ret;
}

/* Copy a stored block until it ends (1) or the output is full (0). */
static int stored(struct inflate *z, struct err *e)
{
	while (z->stored) {
		size_t n = WSIZE + OSIZE - z->wpos;

		if (z->wpos > LIMIT)
			return 0;
		if (z->ip == z->iend) {
			if (fill(z, e) < 0)
				return -1;
			if (z->ip == z->iend)
				return TRUNCATED(z, e);
		}
		if (n > (size_t)(z->iend - z->ip))
			n = (size_t)(z->iend - z->ip);
		if (n > z->stored)
			n = z->stored;
		memcpy(z->win + z->wpos, z->ip, n);
		z->crc = crc32_update(z->crc, z->ip, n);
		z->size += (uint32_t)n;
		z->wpos += n;
		z->ip += n;
		z->stored -= (uint32_t)n;
	}
	return 1;
}

/* ---- the stream ------------------------------------------------------- */

/* Run until there is output to deliver or the stream ended. */
static int produce(struct inflate *z, struct err *e)
{
	for (;;) {
		int r = 0;

		if (z->rpos == z->wpos && z->wpos > LIMIT) {
			size_t shift = z->wpos - WSIZE;

			memmove(z->win, z->win + shift, WSIZE);
			z->wpos = z->rpos = WSIZE;
			z->wbase = z->wbase > shift ? z->wbase - shift : 0;
		}
		switch (z->state) {
		case ST_HEADER:
			r = header(z, e);
			z->state = ST_BLOCK;
			break;
		case ST_BLOCK: r = block_header(z, e); break;
		case ST_HUFF:
		case ST_STORED:
			r = z->state == ST_HUFF ? huffman(z, e) : stored(z, e);
			if (r == 0)
				return 0;
			if (r > 0)
				z->state = z->last ? ST_TRAILER : ST_BLOCK;
			break;
		case ST_TRAILER:
			r = trailer(z, e);
			z->state = ST_NEXT;
			break;
		case ST_NEXT: r = next_member(z, e); break;
		case ST_END: return 0;
		default: /* ST_FAILED */
			if (e)
				*e = z->err;
			return -1;
		}
		if (r < 0) {
			z->state = ST_FAILED;
			return -1;
		}
	}
}

static ssize_t inflate_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct inflate *z = (struct inflate *)s;

	/* Output decoded before an error in the same run is not delivered. */
	if (z->state == ST_FAILED || (z->rpos == z->wpos && produce(z, e) < 0)) {
		if (e)
			*e = z->err;
		return -1;
	}
	if (n > z->wpos - z->rpos)
		n = z->wpos - z->rpos;
	memcpy(buf, z->win + z->rpos, n);
	z->rpos += n;
	return (ssize_t)n;
}

struct inflate *inflate_new(struct stream *in, const char *what)
{
	struct inflate *z = xmalloc(sizeof(*z));

	crc_init();
	memset(z, 0, offsetof(struct inflate, lit));
	z->s.read = inflate_read;
	z->in = in;
	z->what = what ? what : ""; /* "": the caller names the stream */
	z->state = ST_HEADER;
	z->ip = z->iend = z->ibuf;
	return z;
}

struct stream *inflate_stream(struct inflate *z)
{
	return &z->s;
}

void inflate_free(struct inflate *z)
{
	free(z);
}

int inflate_is_gzip(const unsigned char *p, size_t n)
{
	return n >= 3 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}
