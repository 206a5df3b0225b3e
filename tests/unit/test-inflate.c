// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-inflate: store/inflate, gzip decompression as a stream.
 *
 * The compressed data comes from real tools run at test time: GNU gzip at
 * levels 1, 6 and 9, with and without the file name, on text, on random
 * bytes (stored blocks), on long runs and short periods (overlapping
 * matches), on nothing; busybox gzip and pigz when installed; members
 * joined by cat; trailing zeros.  Decoded through reads of every size, as
 * much as 64 KiB or 1..7 bytes, from an input that gives 1..3 bytes at a
 * time or comes through a pipe.
 *
 * Damage must be an error, never a success, a crash or a loop: every
 * truncation of a small stream ("truncated"), every byte of its deflate
 * data inverted (the error may be "truncated" when damaged codes run past
 * the end), the CRC, the size, garbage after the end, bad headers,
 * and hand-made deflate bits for each malformation a tool never writes
 * (block type 3, stored lengths, codes out of range, distances too far
 * back, over-subscribed and incomplete code lengths).
 */
#define UNIT_NAME "test-inflate"
#include "tests/unit/unit.h"

#include "store/inflate.h"

#include <fcntl.h>
#include <sys/stat.h>

static char tmp[64];
static struct err err;
static int have_gzip;

/* A test sets unit_skip (unit.h) instead of failing when a tool is not
 * there ("optional:" in it when CI may lack the tool too). */
#define NEED_GZIP()                                                              \
	do {                                                                     \
		if (!have_gzip) {                                                \
			unit_skip = "gzip not installed (apt-get install gzip)"; \
			return;                                                  \
		}                                                                \
	} while (0)

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A growable byte buffer. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	int r = fd < 0 ? -1 : write_all(fd, p, n);

	if (fd >= 0 && close(fd) < 0)
		r = -1;
	return r;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* tmp/name as a buffer (empty if it cannot be read). */
static struct buf slurp(const char *name)
{
	char path[200];
	struct buf b = { 0 };
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	b.p = (unsigned char *)file_read(path, &len, NULL);
	b.len = b.p ? len : 0;
	b.cap = b.len;
	return b;
}

/* The test data sets, in tmp/<name> and in memory. */
static struct buf text, random_data, repeats, empty;

static void make_text(struct buf *b, size_t len)
{
	static const char *words[] = { "the",	   "layer",  "of",	"container", "image",
				       "digest",   "sha256", "config",	"manifest",  "root",
				       "/usr/lib", "\n",     "{\"a\":", "1234",	     "0x7f",
				       "busybox",  "nook",   "mips",	"tar",	     "\t" };

	while (b->len < len) {
		const char *w = words[rnd() % ARRAY_SIZE(words)];
		char num[32];

		buf_add(b, w, strlen(w));
		if (rnd() % 7 == 0) {
			int n = snprintf(num, sizeof(num), " %llu",
					 (unsigned long long)(rnd() % 100000));

			buf_add(b, num, (size_t)n);
		}
		buf_add(b, " ", 1);
	}
	b->len = len;
}

/* Runs and short periods: matches with distances 1..9 that overlap what
 * they copy, lengths up to 258; 32000 random bytes twice (a distance near
 * the window's end); zeros. */
static void make_repeats(struct buf *b)
{
	unsigned char block[40000];

	for (int period = 1; period <= 9; period++) {
		for (size_t i = 0; i < 100000; i++) {
			unsigned char c = (unsigned char)('a' + (i % (size_t)period));

			buf_add(b, &c, 1);
		}
	}
	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)rnd();
	buf_add(b, block, 32000);
	buf_add(b, block, 32000);
	memset(block, 0, sizeof(block));
	for (int i = 0; i < 10; i++)
		buf_add(b, block, sizeof(block));
}

static int save(const char *name, const struct buf *b)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	return write_file(path, b->p, b->len);
}

/* ---- decoding --------------------------------------------------------- */

/* A stream over memory that gives at most max bytes a read (1..3 at
 * random when max is 0), and records the largest read asked of it and the
 * reads after its end. */
struct mem {
	struct stream s;
	const unsigned char *p;
	size_t len, at, max, biggest;
	int reads_after_end;
};

static ssize_t mem_read(struct stream *s, void *out, size_t n, struct err *e)
{
	struct mem *m = (struct mem *)s;
	size_t k = m->max ? m->max : 1 + (size_t)(rnd() % 3);

	if (n > m->biggest)
		m->biggest = n;
	if (m->at == m->len)
		m->reads_after_end++;
	if (k > n)
		k = n;
	if (k > m->len - m->at)
		k = m->len - m->at;
	memcpy(out, m->p + m->at, k);
	m->at += k;
	return (ssize_t)k;
}

enum { READ_BIG, READ_TINY };

/* Decompress gz through inflate_stream, into *out; reads of 64 KiB or of
 * 1..7 bytes, from an input giving in_max bytes a read (0: 1..3).  Returns
 * 0, or -1 with err set. */
static int decompress(const struct buf *gz, int how, size_t in_max, struct buf *out)
{
	static unsigned char chunk[65536];
	struct mem m = { { mem_read }, gz->p, gz->len, 0, in_max, 0, 0 };
	struct inflate *z = inflate_new(&m.s, "blob sha256:ab12");
	struct stream *s = inflate_stream(z);
	ssize_t r;

	memset(&err, 0, sizeof(err));
	out->len = 0;
	do {
		size_t n = how == READ_TINY ? 1 + (size_t)(rnd() % 7) : sizeof(chunk);

		r = s->read(s, chunk, n, &err);
		if (r > 0)
			buf_add(out, chunk, (size_t)r);
	} while (r > 0);
	inflate_free(z);
	if (r == 0 && m.at != m.len) {
		err_set(&err, 0, "success with %zu of %zu input bytes unread", m.len - m.at, m.len);
		return -1;
	}
	if (m.biggest > 8192) {
		err_set(&err, 0, "asked in for %zu bytes at once", m.biggest);
		return -1;
	}
	if (m.reads_after_end > 1) {
		err_set(&err, 0, "read in %d times after its end", m.reads_after_end);
		return -1;
	}
	return r == 0 ? 0 : -1;
}

static const char *errtext(void)
{
	static char b[800];

	return err_str(&err, b, sizeof(b));
}

/* gz decodes to want (through every way of reading); why a mismatch. */
static const char *decodes_to(const struct buf *gz, const struct buf *want)
{
	static char why[900];
	struct buf out = { 0 };
	static const size_t in_max[] = { 65536, 4093, 0 };

	for (int how = READ_BIG; how <= READ_TINY; how++) {
		for (size_t i = 0; i < ARRAY_SIZE(in_max); i++) {
			/* the tiny ways on at most 300 KB (ASan's speed);
			 * test_tiny_reads has more */
			if ((how == READ_TINY || in_max[i] == 0) && want->len > 300000)
				continue;
			if (decompress(gz, how, in_max[i], &out) < 0) {
				snprintf(why, sizeof(why), "%s", errtext());
				free(out.p);
				return why;
			}
			if (out.len != want->len ||
			    (out.len && memcmp(out.p, want->p, out.len) != 0)) {
				snprintf(why, sizeof(why), "output differs (%zu bytes, want %zu)",
					 out.len, want->len);
				free(out.p);
				return why;
			}
		}
	}
	free(out.p);
	return "";
}

/* Decoding gz fails; the message (with err_str's part) into err. */
static int fails(const struct buf *gz)
{
	struct buf out = { 0 };
	int r = decompress(gz, READ_BIG, 65536, &out);

	free(out.p);
	return r < 0;
}

/* gzip <args> < tmp/in > tmp/out; the output as a buffer. */
static struct buf gzip_to(const char *tool, const char *args, const char *in)
{
	struct buf b = { 0 };
	char out[100];

	snprintf(out, sizeof(out), "%s.gz", in);
	if (sh("cd '%s' && %s %s < '%s' > '%s'", tmp, tool, args, in, out) == 0)
		b = slurp(out);
	return b;
}

/* ---- CRC-32 and hand-made streams for the damage tests ---------------- */

static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffff;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

/* Deflate bits, least significant first; Huffman codes from the top. */
struct bits {
	unsigned char b[512];
	size_t n;
	unsigned used; /* bits used of b[n - 1], 8 when full */
};

static void put_bits(struct bits *w, unsigned v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (w->n == 0 || w->used == 8) {
			w->b[w->n++] = 0;
			w->used = 0;
		}
		w->b[w->n - 1] |= (unsigned char)((v >> i & 1) << w->used++);
	}
}

static void put_code(struct bits *w, unsigned code, unsigned len)
{
	while (len--)
		put_bits(w, code >> len & 1, 1);
}

/* A gzip member around deflate data: the header of gzip -n, the trailer
 * for the output `plain`. */
static struct buf member(const struct bits *w, const char *plain)
{
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	struct buf b = { 0 };
	size_t n = strlen(plain);
	uint32_t crc = crc32_bitwise((const unsigned char *)plain, n);
	unsigned char t[8] = { (unsigned char)crc,	   (unsigned char)(crc >> 8),
			       (unsigned char)(crc >> 16), (unsigned char)(crc >> 24),
			       (unsigned char)n,	   (unsigned char)(n >> 8),
			       (unsigned char)(n >> 16),   (unsigned char)(n >> 24) };

	buf_add(&b, hdr, sizeof(hdr));
	buf_add(&b, w->b, w->n);
	buf_add(&b, t, sizeof(t));
	return b;
}

/* The fixed code (RFC 1951 3.2.6) for a literal/length symbol. */
static void put_fixed(struct bits *w, unsigned sym)
{
	if (sym < 144)
		put_code(w, 0x30 + sym, 8);
	else if (sym < 256)
		put_code(w, 0x190 + sym - 144, 9);
	else if (sym < 280)
		put_code(w, sym - 256, 7);
	else
		put_code(w, 0xc0 + sym - 280, 8);
}

/* ---- tests: what tools write ------------------------------------------ */

static void test_gzip_levels(void)
{
	static const char *args[] = { "-1 -n", "-6 -n", "-9 -n" };

	NEED_GZIP();
	for (size_t i = 0; i < ARRAY_SIZE(args); i++) {
		struct buf gz = gzip_to("gzip", args[i], "text");
		const char *why;

		CHECK(gz.len > 18);
		CHECK(gz.p[3] == 0); /* no name, no flags */
		why = decodes_to(&gz, &text);
		free(gz.p);
		if (*why)
			fprintf(stderr, "# gzip %s\n", args[i]);
		CHECK_STR(why, "");
	}
}

/* gzip -c file (not stdin) records the name "text" (FNAME). */
static void test_gzip_with_name(void)
{
	NEED_GZIP();
	for (int level = 1; level <= 9; level += 8) {
		struct buf gz = { 0 };
		const char *why;

		if (sh("cd '%s' && gzip -c -%d text > named.gz", tmp, level) == 0)
			gz = slurp("named.gz");
		CHECK(gz.len > 18);
		CHECK(gz.p[3] == 8);
		CHECK(memcmp(gz.p + 10, "text", 5) == 0);
		why = decodes_to(&gz, &text);
		free(gz.p);
		CHECK_STR(why, "");
	}
}

static void test_empty(void)
{
	struct buf gz, out = { 0 };
	const char *why;

	NEED_GZIP();
	gz = gzip_to("gzip", "-n", "empty");
	CHECK(gz.len == 20);
	why = decodes_to(&gz, &empty);
	free(gz.p);
	CHECK_STR(why, "");
	/* no bytes at all is not a gzip stream that says "nothing" */
	gz.len = 0;
	CHECK(decompress(&gz, READ_BIG, 100, &out) < 0);
	free(out.p);
	CHECK_STR(errtext(), "blob sha256:ab12: truncated gzip stream");
}

static void test_repeats(void)
{
	NEED_GZIP();
	for (int level = 1; level <= 9; level += 4) {
		char args[16];
		struct buf gz;
		const char *why;

		snprintf(args, sizeof(args), "-%d -n", level);
		gz = gzip_to("gzip", args, "repeats");
		CHECK(gz.len > 0 && gz.len < repeats.len / 10);
		why = decodes_to(&gz, &repeats);
		free(gz.p);
		CHECK_STR(why, "");
	}
}

/* Random bytes do not compress: gzip stores them. */
static void test_random_stored(void)
{
	struct buf gz;
	const char *why;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "random");
	CHECK(gz.len > random_data.len);
	CHECK((gz.p[10] >> 1 & 3) == 0); /* the first block is a stored one */
	why = decodes_to(&gz, &random_data);
	free(gz.p);
	CHECK_STR(why, "");
}

/* Over 1 MB in reads of 1..7 bytes, from an input of 1..3 bytes a read. */
static void test_tiny_reads(void)
{
	struct buf gz, out = { 0 };
	int r;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "text");
	CHECK(text.len > 1024 * 1024);
	r = decompress(&gz, READ_TINY, 0, &out);
	free(gz.p);
	if (r < 0)
		free(out.p);
	CHECK_STR(r < 0 ? errtext() : "", "");
	r = out.len == text.len && memcmp(out.p, text.p, text.len) == 0;
	free(out.p);
	CHECK(r);
}

/* Straight from gzip's stdout through a pipe: short reads of in. */
static void test_pipe(void)
{
	static unsigned char chunk[30000];
	struct buf out = { 0 };
	struct stream_fd f;
	struct inflate *z;
	char cmd[200];
	FILE *p;
	ssize_t r;
	int same;

	NEED_GZIP();
	snprintf(cmd, sizeof(cmd), "gzip -c -1 < '%s/text'", tmp);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	stream_fd_init(&f, fileno(p), "pipe");
	z = inflate_new(&f.s, "piped");
	while ((r = inflate_stream(z)->read(inflate_stream(z), chunk, sizeof(chunk), &err)) > 0)
		buf_add(&out, chunk, (size_t)r);
	inflate_free(z);
	same = r == 0 && out.len == text.len && memcmp(out.p, text.p, text.len) == 0;
	free(out.p);
	CHECK(pclose(p) == 0);
	CHECK_STR(r < 0 ? errtext() : "", "");
	CHECK(same);
}

static void test_multi_member(void)
{
	struct buf a, b, c, all = { 0 }, want = { 0 };
	const char *why;

	NEED_GZIP();
	a = gzip_to("gzip", "-9 -n", "text");
	b = gzip_to("gzip", "-1 -n", "empty");
	c = gzip_to("gzip", "-6", "random");
	buf_add(&all, a.p, a.len);
	buf_add(&all, b.p, b.len);
	buf_add(&all, c.p, c.len);
	buf_add(&all, a.p, a.len);
	buf_add(&want, text.p, text.len);
	buf_add(&want, random_data.p, random_data.len);
	buf_add(&want, text.p, text.len);
	why = decodes_to(&all, &want);
	free(a.p);
	free(b.p);
	free(c.p);
	free(all.p);
	free(want.p);
	CHECK_STR(why, "");
	/* and as cat joins files */
	CHECK(sh("cd '%s' && gzip -n < text > a.gz && gzip -n < repeats > b.gz && "
		 "cat a.gz b.gz a.gz > ab.gz",
		 tmp) == 0);
	all = slurp("ab.gz");
	want = (struct buf){ 0 };
	buf_add(&want, text.p, text.len);
	buf_add(&want, repeats.p, repeats.len);
	buf_add(&want, text.p, text.len);
	why = decodes_to(&all, &want);
	free(all.p);
	free(want.p);
	CHECK_STR(why, "");
}

static void test_busybox_gzip(void)
{
	const char *why = "";

	if (sh("busybox gzip -c </dev/null >/dev/null 2>&1") != 0) {
		unit_skip = "optional: busybox gzip not installed";
		return;
	}
	for (int level = 1; level <= 9 && !*why; level += 4) {
		char args[16];
		struct buf gz;

		snprintf(args, sizeof(args), "-c -%d", level);
		gz = gzip_to("busybox gzip", args, "text");
		if (gz.len == 0) { /* an old busybox without levels */
			gz = gzip_to("busybox gzip", "-c", "text");
			level = 10;
		}
		CHECK(gz.len > 0);
		why = decodes_to(&gz, &text);
		free(gz.p);
	}
	CHECK_STR(why, "");
}

static void test_pigz(void)
{
	static const char *args[] = { "-c -n", "-c -n -9 -b 128 -p 4", "-c -1 -i -b 32",
				      "-c -n --rsyncable" };

	if (sh("command -v pigz >/dev/null 2>&1") != 0) {
		unit_skip = "optional: pigz not installed";
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(args); i++) {
		struct buf gz = gzip_to("pigz", args[i], "text");
		const char *why;

		CHECK(gz.len > 0);
		why = decodes_to(&gz, &text);
		free(gz.p);
		if (*why)
			fprintf(stderr, "# pigz %s\n", args[i]);
		CHECK_STR(why, "");
	}
}

static void test_trailing_zeros(void)
{
	static const size_t pads[] = { 1, 7, 8, 9, 4096, 20000 };
	struct buf gz;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "repeats");
	for (size_t i = 0; i < ARRAY_SIZE(pads); i++) {
		unsigned char zeros[20000] = { 0 };
		struct buf padded = { 0 };
		const char *why;

		buf_add(&padded, gz.p, gz.len);
		buf_add(&padded, zeros, pads[i]);
		why = decodes_to(&padded, &repeats);
		free(padded.p);
		if (*why)
			free(gz.p);
		CHECK_STR(why, "");
	}
	free(gz.p);
}

/* ---- tests: damage ---------------------------------------------------- */

static void test_trailing_garbage(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *msg;
	} tails[] = {
		{ "x", 1, "trailing garbage" },
		{ "garbage", 7, "trailing garbage" },
		{ "\0\0\0x", 4, "trailing garbage" },
		{ "\x1f\x8b\x08\0\0\0\0\0\0\x03", 10, "truncated" }, /* half a member */
		{ "\x1f", 1, "truncated" },
		{ "\x1f\x8c", 2, "trailing garbage" },
		{ "\0\x1f\x8b\x08", 4, "trailing garbage" }, /* a member after padding */
	};
	struct buf gz;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "text");
	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		struct buf bad = { 0 };
		int failed;

		buf_add(&bad, gz.p, gz.len);
		buf_add(&bad, tails[i].bytes, tails[i].n);
		failed = fails(&bad);
		free(bad.p);
		if (!failed || !strstr(err.msg, tails[i].msg)) {
			free(gz.p);
			fprintf(stderr, "# tail %zu\n", i);
		}
		CHECK(failed);
		CHECK_HAS(err.msg, tails[i].msg);
	}
	free(gz.p);
}

/* Every prefix of a small stream with a dynamic block, and prefixes of a
 * big one, stored and compressed: each is "truncated", none a success,
 * and what was delivered before the error is the start of the original. */
static void test_truncated(void)
{
	struct buf small = { 0 }, gz, out = { 0 };
	const char *names[] = { "small", "text", "random" };

	NEED_GZIP();
	buf_add(&small, text.p, 6000);
	CHECK(save("small", &small) == 0);
	free(small.p);
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		gz = gzip_to("gzip", "-9 -n", names[k]);
		CHECK(gz.len > 100);
		CHECK(k > 0 || (gz.p[10] >> 1 & 3) == 2); /* dynamic */
		for (size_t cut = 0; cut < gz.len; cut += k == 0 ? 1 : gz.len / 40 + k) {
			struct buf part = { gz.p, cut, cut };
			int r = decompress(&part, READ_BIG, k == 0 ? 0 : 65536, &out);
			const struct buf *orig = k == 2 ? &random_data : &text;

			/* what came out before the error is right */
			if (out.len > orig->len || (out.len && memcmp(out.p, orig->p, out.len)))
				r = 0;
			if (r == 0 || !strstr(err.msg, "truncated gzip stream")) {
				fprintf(stderr, "# %s cut at %zu of %zu: %s\n", names[k], cut,
					gz.len, r ? errtext() : "success");
				free(gz.p);
				free(out.p);
			}
			CHECK(r < 0);
			CHECK_STR(err.msg, "blob sha256:ab12: truncated gzip stream");
		}
		free(gz.p);
	}
	free(out.p);
}

/* Each byte of the deflate data of a small stream inverted in turn: an
 * error every time (a CRC or size mismatch when the bits still decode). */
static void test_flipped_bytes(void)
{
	struct buf gz;
	int crc = 0, truncated = 0;

	NEED_GZIP();
	gz = gzip_to("gzip", "-9 -n", "small");
	CHECK(gz.len > 100);
	for (size_t i = 10; i < gz.len - 8; i++) {
		int failed;

		gz.p[i] ^= 0xff;
		failed = fails(&gz);
		gz.p[i] ^= 0xff;
		if (!failed || (strncmp(err.msg, "blob sha256:ab12: corrupt gzip stream: ", 39) &&
				strcmp(err.msg, "blob sha256:ab12: truncated gzip stream"))) {
			fprintf(stderr, "# byte %zu of %zu: %s\n", i, gz.len,
				failed ? errtext() : "success");
			free(gz.p);
			CHECK(!"an error naming the blob and the cause");
		}
		crc += strstr(err.msg, "mismatch") != NULL;
		truncated += strstr(err.msg, "truncated") != NULL;
	}
	printf("# %zu bytes inverted: %d caught by the CRC or size, %d ran out of input, "
	       "the rest by the decoder\n",
	       gz.len - 18, crc, truncated);
	free(gz.p);
}

static void test_bad_trailer(void)
{
	struct buf gz;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "text");
	CHECK(gz.len > 100);
	gz.p[gz.len - 8] ^= 1;
	CHECK(fails(&gz));
	CHECK_STR(errtext(), "blob sha256:ab12: corrupt gzip stream: crc mismatch");
	gz.p[gz.len - 8] ^= 1;
	gz.p[gz.len - 4]++;
	CHECK(fails(&gz));
	CHECK_STR(errtext(), "blob sha256:ab12: corrupt gzip stream: length mismatch");
	gz.p[gz.len - 4]--;
	gz.p[gz.len - 1] = 1; /* ISIZE is the size mod 2^32 */
	CHECK(fails(&gz));
	CHECK_HAS(err.msg, "length mismatch");
	free(gz.p);
}

/* FEXTRA, FNAME, FCOMMENT and FHCRC (that gzip never writes) around
 * gzip's deflate data; then bad magic, method, flags, header CRC. */
static void test_header(void)
{
	static const unsigned char extra[] = { 6, 0, 'A', 'p', 2, 0, 'x', 'y' };
	struct buf gz, h = { 0 };
	unsigned char b[2];
	uint32_t crc;

	NEED_GZIP();
	gz = gzip_to("gzip", "-6 -n", "text");
	CHECK(gz.len > 100);
	buf_add(&h, gz.p, 10);
	h.p[3] = 4 | 8 | 16 | 2;
	buf_add(&h, extra, sizeof(extra));
	buf_add(&h, "name.tar", 9);
	buf_add(&h, "a comment", 10);
	crc = crc32_bitwise(h.p, h.len);
	b[0] = (unsigned char)crc;
	b[1] = (unsigned char)(crc >> 8);
	buf_add(&h, b, 2);
	buf_add(&h, gz.p + 10, gz.len - 10);
	free(gz.p);
	CHECK_STR(decodes_to(&h, &text), "");
	h.p[10 + sizeof(extra) + 19] ^= 0x10; /* the header CRC */
	CHECK(fails(&h));
	CHECK_HAS(err.msg, "header crc mismatch");
	h.p[10 + sizeof(extra) + 19] ^= 0x10;
	h.p[0] = 0x1e;
	CHECK(fails(&h));
	CHECK_STR(err.msg, "blob sha256:ab12: not a gzip stream");
	h.p[0] = 0x1f;
	h.p[2] = 7;
	CHECK(fails(&h));
	CHECK_HAS(err.msg, "unknown compression method");
	h.p[2] = 8;
	h.p[3] |= 0x20;
	CHECK(fails(&h));
	CHECK_HAS(err.msg, "reserved header flags set");
	h.p[3] &= 0x1f;
	h.len = 10 + sizeof(extra) + 5; /* inside the name */
	CHECK(fails(&h));
	CHECK_HAS(err.msg, "truncated gzip stream");
	free(h.p);
}

/* Deflate bits no tool writes, each with its error. */
static void test_handmade_errors(void)
{
	struct bits w;
	struct buf gz;
	static const unsigned char clen_order[19] = { 16, 17, 18, 0, 8,	 7, 9,	6, 10, 5,
						      11, 4,  12, 3, 13, 2, 14, 1, 15 };
	unsigned char cl[19];

#define CASE(msg)                          \
	do {                               \
		gz = member(&w, "");       \
		int failed_ = fails(&gz);  \
		free(gz.p);                \
		CHECK(failed_);            \
		CHECK_HAS(errtext(), msg); \
		memset(&w, 0, sizeof(w));  \
	} while (0)

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1);
	put_bits(&w, 3, 2); /* BTYPE 11 */
	CASE("corrupt gzip stream: invalid block type");

	put_bits(&w, 1, 1);
	put_bits(&w, 0, 2);
	put_bits(&w, 0, 5); /* to the byte */
	put_bits(&w, 5, 16);
	put_bits(&w, 0xfffb, 16); /* NLEN is ~4 */
	put_bits(&w, 'h', 8);
	CASE("corrupt gzip stream: invalid stored block lengths");

	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed(&w, 'a');
	put_fixed(&w, 257); /* length 3 */
	put_code(&w, 1, 5); /* distance 2, with one byte out */
	put_fixed(&w, 256);
	CASE("corrupt gzip stream: invalid distance too far back");

	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed(&w, 286);
	CASE("corrupt gzip stream: invalid literal/length code");

	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed(&w, 'a');
	put_fixed(&w, 257);
	put_code(&w, 30, 5);
	CASE("corrupt gzip stream: invalid distance code");

	/* a stored block that says 5 and has 2 */
	put_bits(&w, 1, 1);
	put_bits(&w, 0, 7);
	put_bits(&w, 5, 16);
	put_bits(&w, 0xfffa, 16);
	put_bits(&w, 'h' | 'i' << 8, 16);
	CASE("truncated gzip stream");

	/* dynamic: 19 code length codes of 1 bit */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 15, 4);
	for (int i = 0; i < 19; i++)
		put_bits(&w, 1, 3);
	CASE("corrupt gzip stream: invalid code lengths set");

	/* dynamic: code length codes 1: 1 bit, 0: 2 bits (incomplete) */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 14, 4);
	memset(cl, 0, sizeof(cl));
	cl[1] = 1;
	cl[0] = 2;
	for (int i = 0; i < 18; i++)
		put_bits(&w, cl[clen_order[i]], 3);
	CASE("corrupt gzip stream: invalid code lengths set");

	/* Code length code: 2 -> "0", 0 -> "10", 18 -> "11" (complete).
	 * Literal/length lengths: 256 zeros, then 2 for symbol 256: a lone
	 * 2-bit code, incomplete. */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5); /* 257 */
	put_bits(&w, 0, 5); /* 1 */
	put_bits(&w, 12, 4); /* 16 code length code lengths: up to symbol 2 */
	memset(cl, 0, sizeof(cl));
	cl[2] = 1;
	cl[0] = 2;
	cl[18] = 2;
	for (int i = 0; i < 16; i++)
		put_bits(&w, cl[clen_order[i]], 3);
	put_code(&w, 3, 2); /* 18: 11 + 127 zeros */
	put_bits(&w, 127, 7);
	put_code(&w, 3, 2); /* 18: 11 + 107 zeros */
	put_bits(&w, 107, 7);
	put_code(&w, 0, 1); /* 256: 2 */
	put_code(&w, 0, 1); /* distance 0: 2 */
	put_bits(&w, 0, 8);
	CASE("corrupt gzip stream: invalid literal/lengths set");

	/* the same, 16 (repeat the previous length) first */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4); /* 4 code length code lengths: 16, 17, 18, 0 */
	put_bits(&w, 1, 3);
	put_bits(&w, 0, 3);
	put_bits(&w, 2, 3);
	put_bits(&w, 2, 3);
	put_code(&w, 0, 1); /* 16 */
	put_bits(&w, 0, 2);
	put_bits(&w, 0, 8);
	CASE("corrupt gzip stream: invalid bit length repeat");

	/* zeros across the end of the lengths: 18 with 138 twice, 257 + 1 */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 1, 3); /* 16: "0" */
	put_bits(&w, 0, 3);
	put_bits(&w, 2, 3); /* 18: "11" */
	put_bits(&w, 2, 3); /* 0: "10" */
	put_code(&w, 3, 2);
	put_bits(&w, 127, 7);
	put_code(&w, 3, 2);
	put_bits(&w, 127, 7);
	put_bits(&w, 0, 8);
	CASE("corrupt gzip stream: invalid bit length repeat");

	/* HLIT of 287 codes */
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 30, 5);
	put_bits(&w, 0, 5);
	put_bits(&w, 0, 4);
	put_bits(&w, 0, 16);
	CASE("corrupt gzip stream: too many length or distance codes");
#undef CASE
}

/* Members are separate deflate streams: a match may not reach back into
 * the member before. */
static void test_handmade_member_boundary(void)
{
	struct bits w;
	struct buf a, b, both = { 0 };
	int failed;

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed(&w, 'a');
	put_fixed(&w, 'b');
	put_fixed(&w, 'c');
	put_fixed(&w, 256);
	a = member(&w, "abc");
	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1);
	put_bits(&w, 1, 2);
	put_fixed(&w, 'x');
	put_fixed(&w, 257); /* length 3 */
	put_code(&w, 3, 5); /* distance 4: 'c' of the first member */
	put_fixed(&w, 256);
	b = member(&w, "xcxc");
	buf_add(&both, a.p, a.len);
	CHECK_STR(decodes_to(&both, &(struct buf){ (unsigned char *)"abc", 3, 3 }), "");
	buf_add(&both, b.p, b.len);
	failed = fails(&both);
	free(a.p);
	free(b.p);
	free(both.p);
	CHECK(failed);
	CHECK_STR(err.msg, "blob sha256:ab12: corrupt gzip stream: invalid distance too far back");
}

/* A hand-made dynamic block that is valid though no gzip writes it: a
 * single distance code of one bit (RFC 1951 allows it; zlib reads it). */
static void test_handmade_one_distance_code(void)
{
	static const unsigned char clen_order[19] = { 16, 17, 18, 0, 8,	 7, 9,	6, 10, 5,
						      11, 4,  12, 3, 13, 2, 14, 1, 15 };
	unsigned char cl[19] = { 0 };
	struct bits w;
	struct buf gz, want = { 0 };
	const char *why;

	memset(&w, 0, sizeof(w));
	put_bits(&w, 1, 1);
	put_bits(&w, 2, 2);
	put_bits(&w, 1, 5); /* 258 literal/length codes */
	put_bits(&w, 0, 5); /* 1 distance code */
	put_bits(&w, 14, 4); /* 18 code length code lengths: up to symbol 1 */
	/* code length code: 1 -> "0", 2 -> "10", 0 -> "110", 18 -> "111" */
	cl[1] = 1;
	cl[2] = 2;
	cl[0] = 3;
	cl[18] = 3;
	for (int i = 0; i < 18; i++)
		put_bits(&w, cl[clen_order[i]], 3);
	put_code(&w, 7, 3); /* 0..96: 97 zeros */
	put_bits(&w, 97 - 11, 7);
	put_code(&w, 0, 1); /* 'a': 1 */
	put_code(&w, 7, 3); /* 98..235: 138 zeros */
	put_bits(&w, 127, 7);
	put_code(&w, 7, 3); /* 236..255: 20 zeros */
	put_bits(&w, 9, 7);
	put_code(&w, 2, 2); /* 256: 2 */
	put_code(&w, 2, 2); /* 257: 2 */
	put_code(&w, 0, 1); /* distance 0: 1 */
	/* 'a' -> "0", 256 -> "10", 257 -> "11"; distance 0 -> "0" */
	put_code(&w, 0, 1); /* a */
	put_code(&w, 3, 2); /* length 3 */
	put_code(&w, 0, 1); /* distance 1 */
	put_code(&w, 2, 2); /* end */
	gz = member(&w, "aaaa");
	buf_add(&want, "aaaa", 4);
	why = decodes_to(&gz, &want);
	free(gz.p);
	free(want.p);
	CHECK_STR(why, "");
}

/* After an error every read fails the same way; the input is not read
 * again. */
static void test_error_repeats(void)
{
	unsigned char data[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct mem m = { { mem_read }, data, sizeof(data), 0, 64, 0, 0 };
	struct inflate *z = inflate_new(&m.s, "x");
	struct stream *s = inflate_stream(z);
	unsigned char out[16];
	struct err e2 = { 0 };
	ssize_t r1, r2;
	size_t at;

	r1 = s->read(s, out, sizeof(out), &err);
	at = m.at;
	r2 = s->read(s, out, sizeof(out), &e2);
	inflate_free(z);
	inflate_free(NULL);
	CHECK(r1 == -1 && r2 == -1);
	CHECK_STR(err.msg, "x: corrupt gzip stream: invalid block type");
	CHECK_STR(e2.msg, err.msg);
	CHECK(m.at == at);
}

static void test_is_gzip(void)
{
	CHECK(inflate_is_gzip((const unsigned char *)"\x1f\x8b\x08\0", 4));
	CHECK(inflate_is_gzip((const unsigned char *)"\x1f\x8b\x08", 3));
	CHECK(!inflate_is_gzip((const unsigned char *)"\x1f\x8b", 2));
	CHECK(!inflate_is_gzip((const unsigned char *)"\x1f\x8b\x07", 3));
	CHECK(!inflate_is_gzip((const unsigned char *)"ustar", 5));
	CHECK(!inflate_is_gzip(NULL, 0));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-inflate-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	have_gzip = sh("gzip -c </dev/null >/dev/null 2>&1") == 0;
	make_text(&text, 1536 * 1024 + 5);
	for (size_t i = 0; i < 300000; i++) {
		unsigned char c = (unsigned char)rnd();

		buf_add(&random_data, &c, 1);
	}
	make_repeats(&repeats);
	if (save("text", &text) < 0 || save("random", &random_data) < 0 ||
	    save("repeats", &repeats) < 0 || save("empty", &empty) < 0) {
		printf("not ok - %s: write the test data: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	RUN(test_gzip_levels);
	RUN(test_gzip_with_name);
	RUN(test_empty);
	RUN(test_repeats);
	RUN(test_random_stored);
	RUN(test_tiny_reads);
	RUN(test_pipe);
	RUN(test_multi_member);
	RUN(test_busybox_gzip);
	RUN(test_pigz);
	RUN(test_trailing_zeros);
	RUN(test_trailing_garbage);
	RUN(test_truncated);
	RUN(test_flipped_bytes);
	RUN(test_bad_trailer);
	RUN(test_header);
	RUN(test_handmade_errors);
	RUN(test_handmade_member_boundary);
	RUN(test_handmade_one_distance_code);
	RUN(test_error_repeats);
	RUN(test_is_gzip);
	free(text.p);
	free(random_data.p);
	free(repeats.p);
	if (sh("rm -rf '%s'", tmp) != 0)
		printf("# could not remove %s\n", tmp);
	UNIT_EXIT();
}
