// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-stream: the store's streams at full speed, for tests/bench/stream.sh
 * (built by `make $(BUILD)/bench-stream` like nook itself: static, -Os).
 *
 *   bench-stream inflate FILE   FILE's gzip members, decompressed, to stdout
 *   bench-stream sha256 FILE    "sha256:<hex>" of FILE, through stream_hash
 *
 * Reads of 64 KiB, as a layer unpacker would make.
 */
#include "store/digest.h"
#include "store/inflate.h"

#include <fcntl.h>

static char buf[65536];

int main(int argc, char **argv)
{
	struct err e = { 0 };
	struct stream_fd f;
	ssize_t r;
	int fd;

	if (argc != 3 || (strcmp(argv[1], "inflate") && strcmp(argv[1], "sha256"))) {
		fprintf(stderr, "usage: bench-stream inflate|sha256 FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	stream_fd_init(&f, fd, argv[2]);
	if (!strcmp(argv[1], "inflate")) {
		struct inflate *z = inflate_new(&f.s, argv[2]);
		struct stream *s = inflate_stream(z);

		while ((r = s->read(s, buf, sizeof(buf), &e)) > 0) {
			if (write_all(1, buf, (size_t)r) < 0) {
				perror("write");
				return 1;
			}
		}
		inflate_free(z);
	} else {
		struct stream_hash sh;
		unsigned char d[32];
		char hex[72];

		stream_hash_init(&sh, &f.s);
		while ((r = sh.s.read(&sh.s, buf, sizeof(buf), &e)) > 0)
			;
		sha256_final(&sh.h, d);
		sha256_digest_str(d, hex);
		if (r == 0)
			printf("%s\n", hex);
	}
	if (r < 0) {
		err_print("bench-stream", &e);
		return 1;
	}
	return 0;
}
