// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-digest: store/digest, SHA-256 and the hashing stream.
 *
 * The FIPS 180-4 example messages (one, two and no blocks, the 896-bit
 * one) and a million 'a's have known digests.  Everything else is checked
 * against coreutils' sha256sum on the same bytes: every length around the
 * padding boundaries, and a 3 MB file fed in chunks of random sizes
 * (including empty ones) and through stream_hash.
 */
#define UNIT_NAME "test-digest"
#include "tests/unit/unit.h"

#include "store/digest.h"

#include <fcntl.h>
#include <sys/stat.h>

static char tmp[64];
static int have_sha256sum;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* "sha256:<hex>" of p[0..n) in one update. */
static const char *hash(const void *p, size_t n)
{
	static char s[72];
	struct sha256 h;
	unsigned char d[32];

	sha256_init(&h);
	sha256_update(&h, p, n);
	sha256_final(&h, d);
	sha256_digest_str(d, s);
	return s;
}

static int write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	int r = fd < 0 ? -1 : write_all(fd, p, n);

	if (fd >= 0 && close(fd) < 0)
		r = -1;
	return r;
}

/* "sha256:" and sha256sum's digest of path, NULL if it failed. */
static const char *sha256sum(const char *path)
{
	static char s[72];
	char cmd[300], line[200];
	FILE *f;
	int ok;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	ok = fgets(line, sizeof(line), f) != NULL && strlen(line) > 64;
	if (pclose(f) != 0 || !ok)
		return NULL;
	snprintf(s, sizeof(s), "sha256:%.64s", line);
	return s;
}

/* ---- tests ------------------------------------------------------------ */

static void test_fips_vectors(void)
{
	CHECK_STR(hash("abc", 3),
		  "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hash("", 0),
		  "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56),
		  "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK_STR(hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		       112),
		  "sha256:cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
	char a[1000];
	struct sha256 h;
	unsigned char d[32];
	char s[72];

	memset(a, 'a', sizeof(a));
	sha256_init(&h);
	for (int i = 0; i < 1000; i++)
		sha256_update(&h, a, sizeof(a));
	sha256_final(&h, d);
	sha256_digest_str(d, s);
	CHECK_STR(s, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	CHECK(h.len == 1000000);
}

/* Lengths 0..200 (the padding goes into a second block from 56 on) and
 * both sides of a few block multiples, against sha256sum. */
static void test_lengths_vs_sha256sum(void)
{
	static const size_t extra[] = { 511, 512, 513, 1023, 1024, 1025, 4096 + 55, 4096 + 56 };
	unsigned char buf[4200];
	char path[128];

	if (!have_sha256sum) {
		unit_skip = "sha256sum not installed (apt-get install coreutils)";
		return;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rnd();
	snprintf(path, sizeof(path), "%s/len", tmp);
	for (size_t k = 0; k < 201 + ARRAY_SIZE(extra); k++) {
		size_t n = k < 201 ? k : extra[k - 201];
		const char *want;
		char got[72];

		CHECK(write_file(path, buf, n) == 0);
		want = sha256sum(path);
		CHECK(want != NULL);
		snprintf(got, sizeof(got), "%s", hash(buf, n));
		if (strcmp(got, want) != 0)
			fprintf(stderr, "# length %zu\n", n);
		CHECK_STR(got, want);
	}
}

/* 3 MB in chunks of random sizes 0..300 and 0..70000: one digest. */
static void test_chunks_vs_sha256sum(void)
{
	size_t len = 3 * 1024 * 1024 + 17;
	unsigned char *buf = xmalloc(len);
	char path[128], got[72];
	const char *want;
	unsigned char d[32];

	if (!have_sha256sum) {
		free(buf);
		unit_skip = "sha256sum not installed (apt-get install coreutils)";
		return;
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i < len / 2 ? rnd() : i * 7 / 13);
	snprintf(path, sizeof(path), "%s/chunks", tmp);
	if (write_file(path, buf, len) < 0) {
		free(buf);
		CHECK(!"write the file");
	}
	want = sha256sum(path);
	for (int round = 0; round < 2 && want; round++) {
		struct sha256 h;

		sha256_init(&h);
		for (size_t at = 0, n; at < len; at += n) {
			n = (size_t)(rnd() % (round ? 70001 : 301));
			if (n > len - at)
				n = len - at;
			sha256_update(&h, buf + at, n);
		}
		sha256_final(&h, d);
		sha256_digest_str(d, got);
		if (strcmp(got, want) != 0)
			break;
	}
	free(buf);
	CHECK(want != NULL);
	CHECK_STR(got, want);
}

struct small_stream {
	struct stream s;
	const unsigned char *p;
	size_t len, at;
};

/* At most 1..13 bytes a read. */
static ssize_t small_read(struct stream *s, void *buf, size_t n, struct err *e)
{
	struct small_stream *m = (struct small_stream *)s;
	size_t k = 1 + (size_t)(rnd() % 13);

	if (k > n)
		k = n;
	if (k > m->len - m->at)
		k = m->len - m->at;
	memcpy(buf, m->p + m->at, k);
	m->at += k;
	return (ssize_t)k;
}

static void test_stream_hash(void)
{
	size_t len = 100000;
	unsigned char *src = xmalloc(len), *out = xmalloc(len + 1);
	struct small_stream m = { { small_read }, src, len, 0 };
	struct stream_hash sh;
	struct err e = { 0 };
	unsigned char d[32];
	char got[72], want[72];
	size_t at = 0;
	ssize_t r;

	for (size_t i = 0; i < len; i++)
		src[i] = (unsigned char)rnd();
	snprintf(want, sizeof(want), "%s", hash(src, len));
	stream_hash_init(&sh, &m.s);
	while ((r = sh.s.read(&sh.s, out + at, len + 1 - at, &e)) > 0)
		at += (size_t)r;
	sha256_final(&sh.h, d);
	sha256_digest_str(d, got);
	r = at == len && memcmp(src, out, len) == 0;
	free(src);
	free(out);
	CHECK(r == 1);
	CHECK(sh.bytes == len);
	CHECK_STR(got, want);
}

/* A file through stream_fd and stream_hash equals sha256sum of it. */
static void test_stream_hash_file(void)
{
	char path[128], got[72];
	const char *want;
	unsigned char buf[4096], d[32];
	struct stream_fd f;
	struct stream_hash sh;
	struct err e = { 0 };
	struct stat st;
	ssize_t r;
	int fd;

	if (!have_sha256sum) {
		unit_skip = "sha256sum not installed (apt-get install coreutils)";
		return;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)rnd();
	snprintf(path, sizeof(path), "%s/streamed", tmp);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	for (int i = 0; i < 50; i++)
		CHECK(write_all(fd, buf, sizeof(buf) - (size_t)i) == 0);
	CHECK(close(fd) == 0);
	want = sha256sum(path);
	CHECK(want != NULL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	stream_fd_init(&f, fd, path);
	stream_hash_init(&sh, &f.s);
	while ((r = sh.s.read(&sh.s, buf, sizeof(buf), &e)) > 0)
		;
	close(fd);
	CHECK(r == 0);
	CHECK(sh.bytes == (uint64_t)st.st_size);
	sha256_final(&sh.h, d);
	sha256_digest_str(d, got);
	CHECK_STR(got, want);
}

static void test_digest_str(void)
{
	unsigned char d[32];
	char s[72];

	for (int i = 0; i < 32; i++)
		d[i] = (unsigned char)(i * 0x11 + (i > 15 ? 0x0f : 0));
	memset(s, 'X', sizeof(s));
	sha256_digest_str(d, s);
	CHECK(strlen(s) == 71);
	CHECK_STR(s, "sha256:00112233445566778899aabbccddeeff"
		     "1f30415263748596a7b8c9daebfc0d1e");
	CHECK(digest_valid(s));
}

static void test_digest_valid(void)
{
	const char *hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char s[200];

	snprintf(s, sizeof(s), "sha256:%s", hex);
	CHECK(digest_valid(s));
	snprintf(s, sizeof(s), "sha256:%.63s", hex); /* short */
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "sha256:%s0", hex); /* long */
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "sha256:%s\n", hex);
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "sha256:E3%s", hex + 2); /* uppercase */
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "sha256:g3%s", hex + 2);
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "sha512:%s", hex);
	CHECK(!digest_valid(s));
	snprintf(s, sizeof(s), "SHA256:%s", hex);
	CHECK(!digest_valid(s));
	CHECK(!digest_valid(hex));
	CHECK(!digest_valid("sha256:"));
	CHECK(!digest_valid("sha256"));
	CHECK(!digest_valid(""));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/nook-test-digest-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("not ok - %s: mkdtemp: %s\n", UNIT_NAME, strerror(errno));
		return 1;
	}
	have_sha256sum = system("command -v sha256sum >/dev/null 2>&1") == 0;
	RUN(test_fips_vectors);
	RUN(test_million_a);
	RUN(test_lengths_vs_sha256sum);
	RUN(test_chunks_vs_sha256sum);
	RUN(test_stream_hash);
	RUN(test_stream_hash_file);
	RUN(test_digest_str);
	RUN(test_digest_valid);
	{
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	UNIT_EXIT();
}
