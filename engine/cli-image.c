// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli-image: images, image ls|inspect|rm|prune|tag|untag|load, load, rmi,
 * tag, untag: podman's commands and output.
 */
#include <getopt.h>
#include <time.h>

#include "engine/cli.h"
#include "engine/format.h"
#include "engine/images.h"
#include "store/change.h"
#include "store/save.h"

#include <fcntl.h>

int cli_cmd_load(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "input", required_argument, NULL, 'i' },
					    { "quiet", no_argument, NULL, 'q' },
					    { 0 } };
	const char *in = NULL;
	_cleanup_strv_ char **loaded = NULL;
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "i:q", lo, NULL)) != -1) {
		if (ch == 'i')
			in = optarg;
		else if (ch != 'q')
			return cli_usage_err("load", "invalid option");
	}
	if (optind < argc)
		return cli_usage_err("load", "takes no arguments (use -i FILE)");
	if (!in && isatty(0))
		return cli_usage_err("load", "no archive: give -i FILE or pipe one in");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_image_load(&c->en, in, &loaded, &e) < 0)
		return cli_report(&e);
	for (size_t i = 0; loaded[i]; i++)
		printf("Loaded image: %s\n", loaded[i]);
	return 0;
}

int cli_cmd_import(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "squashfs", no_argument, NULL, 'S' }, { 0 } };
	_cleanup_free_ char *id = NULL;
	struct err e = { 0 };
	int ch, squashfs = 0, first;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		if (ch != 'S')
			return cli_usage_err("import", "invalid option");
		squashfs = 1;
	}
	first = optind;
	if (argc - first < 1 || argc - first > 2)
		return cli_usage_err("import",
				     squashfs ? "requires a squashfs file and an optional name"
					      : "requires a tar file (or -) and an optional name");
	if (!strcmp(argv[first], "-") && (squashfs || isatty(0)))
		return cli_usage_err("import", squashfs ? "--squashfs needs a file, not -"
							: "no archive on standard input");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_image_import(&c->en, argv[first], argc - first > 1 ? argv[first + 1] : NULL,
				squashfs, &id, &e) < 0)
		return cli_report(&e);
	printf("sha256:%s\n", id);
	return 0;
}

struct save_arg {
	struct cli *c;
	char **refs;
	const char *fmt;
};

static int save_to(void *arg, int fd, struct err *e)
{
	struct save_arg *a = arg;

	return image_save(&a->c->en.st, a->refs, a->fmt, fd, e);
}

int cli_cmd_save(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' },
					    { "format", required_argument, NULL, 'f' },
					    { "quiet", no_argument, NULL, 'q' },
					    { "multi-image-archive", no_argument, NULL, 'm' },
					    { 0 } };
	const char *out = NULL, *fmt = "docker-archive";
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:qm", lo, NULL)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'f')
			fmt = optarg;
		else if (ch != 'q' && ch != 'm')
			return cli_usage_err("save", "invalid option");
	}
	if (optind >= argc)
		return cli_usage_err("save", "requires at least 1 image");
	if (strcmp(fmt, "docker-archive") && strcmp(fmt, "oci-archive") && strcmp(fmt, "oci-dir"))
		return cli_usage_err(
			"save", "unknown --format \"%s\" (docker-archive, oci-archive, oci-dir)",
			fmt);
	if (!out && !strcmp(fmt, "oci-dir"))
		return cli_usage_err("save", "--format oci-dir needs -o DIR");
	if (!out && isatty(1))
		return cli_usage_err("save",
				     "refusing to write an archive to a terminal (use -o FILE)");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (!strcmp(fmt, "oci-dir")) {
		if (image_save_dir(&c->en.st, argv + optind, out, &e) < 0)
			return cli_report(&e);
		return 0;
	}
	return cli_write_archive(out, save_to, &(struct save_arg){ c, argv + optind, fmt });
}

int cli_cmd_commit(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "author", required_argument, NULL, 'a' },
					    { "message", required_argument, NULL, 'm' },
					    { "format", required_argument, NULL, 'f' },
					    { "quiet", no_argument, NULL, 'q' },
					    { "change", required_argument, NULL, 'c' },
					    { 0 } };
	const char *author = NULL, *msg = NULL;
	_cleanup_free_ char *id = NULL;
	_cleanup_strv_ char **changes = NULL;
	struct err e = { 0 };
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "a:m:f:qc:", lo, NULL)) != -1) {
		if (ch == 'a')
			author = optarg;
		else if (ch == 'm')
			msg = optarg;
		else if (ch == 'c')
			strv_push(&changes, optarg);
		else if (ch == 'f' && strcmp(optarg, "oci") && strcmp(optarg, "docker"))
			return cli_usage_err("commit", "unknown --format \"%s\" (oci, docker)",
					     optarg);
		else if (ch != 'q' && ch != 'f')
			return cli_usage_err("commit", "invalid option");
	}
	if (argc - optind < 1 || argc - optind > 2)
		return cli_usage_err("commit", "requires a container and an optional image name");
	/* every --change is checked before the store is touched */
	for (size_t i = 0; changes && changes[i]; i++) {
		cJSON *scratch = cJSON_CreateObject();
		int r = image_change(scratch, changes[i], &e);

		cJSON_Delete(scratch);
		if (r < 0)
			return cli_report(&e);
	}
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_commit(&c->en, argv[optind], argc - optind > 1 ? argv[optind + 1] : NULL, author,
			  msg, changes, &id, &e) < 0)
		return cli_report(&e);
	printf("%s\n", id);
	return 0;
}

int cli_cmd_history(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "no-trunc", no_argument, NULL, 'N' },
					    { "quiet", no_argument, NULL, 'q' },
					    { 0 } };
	struct err e = { 0 };
	cJSON *j, *h;
	int ch, notrunc = 0, quiet = 0, n;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "q", lo, NULL)) != -1) {
		if (ch == 'N')
			notrunc = 1;
		else if (ch == 'q')
			quiet = 1;
		else
			return cli_usage_err("history", "invalid option");
	}
	if (argc - optind != 1)
		return cli_usage_err("history", "requires exactly 1 image");
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	j = engine_image_inspect(&c->en, argv[optind], &e);
	if (!j)
		return cli_report(&e);
	if (!quiet)
		printf("%-14s %-24s %-45s %s\n", "ID", "CREATED", "CREATED BY", "COMMENT");
	n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "History"));
	/* newest first, as podman; the image's id on the top line */
	for (int i = n - 1; i >= 0; i--) {
		const char *id = i == n - 1 ? cJSON_GetObjectItemCaseSensitive(j, "Id")->valuestring
					    : "<missing>";
		const cJSON *by, *cm;

		h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "History"), i);
		by = cJSON_GetObjectItemCaseSensitive(h, "created_by");
		cm = cJSON_GetObjectItemCaseSensitive(h, "comment");
		if (quiet) {
			printf("%.*s\n", notrunc ? 64 : 12, id);
			continue;
		}
		printf("%-14.*s %-24.24s %-45.*s %s\n", notrunc ? 64 : 12, id,
		       cJSON_IsString(cJSON_GetObjectItemCaseSensitive(h, "created"))
			       ? cJSON_GetObjectItemCaseSensitive(h, "created")->valuestring
			       : "",
		       notrunc ? 4096 : 45, cJSON_IsString(by) ? by->valuestring : "",
		       cJSON_IsString(cm) ? cm->valuestring : "");
	}
	cJSON_Delete(j);
	return 0;
}

static void human_size(char *buf, size_t len, double b)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;

	while (b >= 1000 && u < 4)
		b /= 1000, u++;
	if (u == 0)
		snprintf(buf, len, "%.0f %s", b, unit[u]);
	else
		snprintf(buf, len, "%.3g %s", b, unit[u]);
}

/* A row as podman's templates name its fields: {{.ID}} (12 digits unless
 * --no-trunc), {{.Repository}}, {{.Tag}}, {{.Size}}, {{.CreatedSince}}. */
static void template_row(const char *fmt, const cJSON *r, int notrunc)
{
	const char *id = cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring;
	double created = cJSON_GetObjectItemCaseSensitive(r, "created")->valuedouble;
	cJSON *o = cJSON_Duplicate(r, 1);
	char buf[80];

	snprintf(buf, sizeof(buf), "%s%.*s", notrunc ? "sha256:" : "", notrunc ? 64 : 12, id);
	cJSON_AddStringToObject(o, "ID", buf);
	cJSON_AddStringToObject(o, "Id", id);
	cJSON_AddStringToObject(o, "Repository",
				cJSON_GetObjectItemCaseSensitive(r, "repository")->valuestring);
	cJSON_AddStringToObject(o, "Tag", cJSON_GetObjectItemCaseSensitive(r, "tag")->valuestring);
	human_size(buf, sizeof(buf), cJSON_GetObjectItemCaseSensitive(r, "size")->valuedouble);
	cJSON_AddStringToObject(o, "Size", buf);
	if (created > 0)
		format_ago(buf, sizeof(buf), (int64_t)created, " ago");
	else
		snprintf(buf, sizeof(buf), "unknown");
	cJSON_AddStringToObject(o, "CreatedSince", buf);
	format_template(stdout, fmt, o);
	cJSON_Delete(o);
}

/* ---- images --filter (podman's keys; one key given several times
 * matches any of its values, different keys all) ----------------------- */

static const char *row_str(const cJSON *r, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(r, k)->valuestring;
}

static double row_created(const cJSON *r)
{
	return cJSON_GetObjectItemCaseSensitive(r, "created")->valuedouble;
}

/* A shell glob of * and ? (no classes: image names have none); musl's
 * fnmatch would bring its wide-character tables, 16 KB. */
static int glob_match(const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			for (const char *t = s;; t++) {
				if (glob_match(p + 1, t))
					return 1;
				if (!*t)
					return 0;
			}
		}
		if (!*s || (*p != '?' && *p != *s))
			return 0;
	}
	return !*s;
}

/* reference=PATTERN: a glob on REPO:TAG or REPO, whole or after the
 * registry and path (so "app" and "app:1" find localhost/app:1) */
static int ref_match(const char *pat, const cJSON *r)
{
	const char *repo = row_str(r, "repository"), *tag = row_str(r, "tag");
	const char *base = strrchr(repo, '/');
	_cleanup_free_ char *full = xasprintf("%s:%s", repo, tag);

	base = base ? base + 1 : repo;
	_cleanup_free_ char *short_full = xasprintf("%s:%s", base, tag);
	return glob_match(pat, full) || glob_match(pat, repo) || glob_match(pat, short_full) ||
	       glob_match(pat, base);
}

/* The created time of the image ref names (by name or id prefix). */
static int ref_created(const cJSON *rows, const char *ref, double *t)
{
	const cJSON *r;
	size_t n = strlen(ref);

	if (!strncmp(ref, "sha256:", 7))
		ref += 7;
	cJSON_ArrayForEach (r, rows) {
		if ((n >= 3 && !strncmp(row_str(r, "id"), ref, strlen(ref))) || ref_match(ref, r)) {
			*t = row_created(r);
			return 0;
		}
	}
	return -1;
}

static int filter_one(const cJSON *rows, const cJSON *r, const char *key, const char *val,
		      struct err *e)
{
	double t;

	if (!strcmp(key, "reference"))
		return ref_match(val, r);
	if (!strcmp(key, "dangling")) {
		int d = !strcmp(row_str(r, "repository"), "<none>") &&
			!strcmp(row_str(r, "tag"), "<none>");

		if (strcmp(val, "true") && strcmp(val, "false"))
			return err_setk(e, ERRK_INVALID_ARG, 0,
					"invalid filter dangling=%s (true or false)", val);
		return d == !strcmp(val, "true");
	}
	if (!strcmp(key, "id"))
		return !strncmp(row_str(r, "id"), !strncmp(val, "sha256:", 7) ? val + 7 : val,
				strlen(!strncmp(val, "sha256:", 7) ? val + 7 : val));
	if (!strcmp(key, "before") || !strcmp(key, "since")) {
		if (ref_created(rows, val, &t) < 0)
			return err_setk(e, ERRK_NO_SUCH, 0, "filter %s=%s: no such image", key,
					val);
		return key[0] == 'b' ? row_created(r) < t : row_created(r) > t;
	}
	return err_setk(e, ERRK_INVALID_ARG, 0,
			"invalid filter \"%s\" (reference, dangling, id, before, since)", key);
}

/* Drop the rows that the filters (KEY=VALUE) do not pass: after they
 * were all looked at, as before= and since= name their image among all. */
static int filter_rows(cJSON *rows, char **filters, struct err *e)
{
	_cleanup_free_ char *drop = xcalloc((size_t)cJSON_GetArraySize(rows) + 1, 1);
	cJSON *r, *next;
	size_t k = 0;

	for (size_t i = 0; filters && filters[i]; i++)
		if (!strchr(filters[i], '='))
			return err_setk(e, ERRK_INVALID_ARG, 0, "invalid filter \"%s\" (KEY=VALUE)",
					filters[i]);
	for (r = rows->child; r; r = r->next) {
		int pass = 1;

		/* each key: any of its values */
		for (size_t i = 0; filters && filters[i] && pass; i++) {
			size_t klen = (size_t)(strchr(filters[i], '=') - filters[i]);
			int any = 0, m;

			for (size_t j = 0; filters[j] && !any; j++) {
				if (strncmp(filters[j], filters[i], klen + 1))
					continue;
				_cleanup_free_ char *key = xasprintf("%.*s", (int)klen, filters[j]);

				m = filter_one(rows, r, key, filters[j] + klen + 1, e);
				if (m < 0)
					return -1;
				any = m;
			}
			pass = any;
		}
		drop[k++] = !pass;
	}
	for (r = rows->child, k = 0; r; r = next, k++) {
		next = r->next;
		if (drop[k])
			cJSON_Delete(cJSON_DetachItemViaPointer(rows, r));
	}
	return 0;
}

static int cmd_images(struct cli *c, const char *cmd, int argc, char **argv)
{
	static const struct option lo[] = { { "quiet", no_argument, NULL, 'q' },
					    { "no-trunc", no_argument, NULL, 'N' },
					    { "all", no_argument, NULL, 'a' },
					    { "format", required_argument, NULL, 'f' },
					    { "filter", required_argument, NULL, 'F' },
					    { 0 } };
	_cleanup_strv_ char **filters = NULL;
	int ch, quiet = 0, notrunc = 0, all = 0;
	const char *fmt = NULL;
	struct err e = { 0 };
	cJSON *rows, *r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "qa", lo, NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case 'N': notrunc = 1; break;
		case 'a': all = 1; break;
		case 'f': fmt = optarg; break;
		case 'F': strv_push(&filters, optarg); break;
		default: return cli_usage_err(cmd, "invalid option");
		}
	}
	if (cli_open_ro(c) < 0)
		return EXIT_ENGINE;
	rows = engine_image_list(&c->en, all, &e);
	if (!rows)
		return cli_report(&e);
	if (filter_rows(rows, filters, &e) < 0) {
		cJSON_Delete(rows);
		return cli_report(&e);
	}
	if (fmt && !strcmp(fmt, "json")) {
		cJSON *j = engine_image_summaries(&c->en, rows, &e);

		cJSON_Delete(rows);
		if (!j)
			return cli_report(&e);
		format_json(stdout, j);
		rows = j;
	} else if (fmt) {
		cJSON_ArrayForEach (r, rows)
			template_row(fmt, r, notrunc);
	} else {
		const char *last = "";

		if (!quiet)
			printf("%-40s %-12s %-14s %-24s %s\n", "REPOSITORY", "TAG", "IMAGE ID",
			       "CREATED", "SIZE");
		cJSON_ArrayForEach (r, rows) {
			const char *id = cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring;
			char size[32], ago[64];
			double created =
				cJSON_GetObjectItemCaseSensitive(r, "created")->valuedouble;

			if (quiet) {
				if (strcmp(id, last))
					printf("%s%.*s\n", notrunc ? "sha256:" : "",
					       notrunc ? 64 : 12, id);
				last = id;
				continue;
			}
			human_size(size, sizeof(size),
				   cJSON_GetObjectItemCaseSensitive(r, "size")->valuedouble);
			if (created > 0)
				format_ago(ago, sizeof(ago), (int64_t)created, " ago");
			else
				snprintf(ago, sizeof(ago), "unknown");
			printf("%-40s %-12s %s%-14.*s %-24s %s\n",
			       cJSON_GetObjectItemCaseSensitive(r, "repository")->valuestring,
			       cJSON_GetObjectItemCaseSensitive(r, "tag")->valuestring,
			       notrunc ? "sha256:" : "", notrunc ? 64 : 12, id, ago, size);
		}
	}
	cJSON_Delete(rows);
	return 0;
}

int cli_cmd_images(struct cli *c, int argc, char **argv)
{
	return cmd_images(c, "images", argc, argv);
}

static int cmd_inspect(struct cli *c, int argc, char **argv)
{
	return cli_inspect("image inspect", "image", 0, argc, argv, c, engine_image_inspect);
}

static int cmd_rm(struct cli *c, const char *cmd, int argc, char **argv)
{
	static const struct option lo[] = { { "force", no_argument, NULL, 'f' }, { 0 } };
	int ch, force = 0, rc = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", lo, NULL)) != -1) {
		if (ch != 'f')
			return cli_usage_err(cmd, "invalid option");
		force = 1;
	}
	if (optind >= argc)
		return cli_usage_err(cmd, "requires at least 1 image");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	for (int i = optind; i < argc; i++) {
		_cleanup_strv_ char **out = xcalloc(1, sizeof(char *));
		struct err e = { 0 };
		int r = engine_image_remove(&c->en, argv[i], force, &out, &e);

		for (size_t k = 0; out[k]; k++)
			puts(out[k]);
		if (r < 0) {
			rc = cli_rm_report(&e);
		}
	}
	return rc;
}

int cli_cmd_rmi(struct cli *c, int argc, char **argv)
{
	return cmd_rm(c, "rmi", argc, argv);
}

static int cmd_tag(struct cli *c, const char *cmd, int argc, char **argv, int untag)
{
	struct err e = { 0 };
	int first = cli_no_opts(cmd, argc, argv);

	if (first < 0)
		return EXIT_ENGINE;
	if (argc - first < (untag ? 1 : 2))
		return cli_usage_err(cmd,
				     untag ? "requires an image" : "requires an image and a name");
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_image_tag(&c->en, argv[first], argv + first + 1, untag, &e) < 0)
		return cli_report(&e);
	return 0;
}

int cli_cmd_tag(struct cli *c, int argc, char **argv)
{
	return cmd_tag(c, "tag", argc, argv, 0);
}

int cli_cmd_untag(struct cli *c, int argc, char **argv)
{
	return cmd_tag(c, "untag", argc, argv, 1);
}

static int cmd_prune(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = { { "all", no_argument, NULL, 'a' },
					    { "force", no_argument, NULL, 'f' },
					    { 0 } };
	_cleanup_strv_ char **out = xcalloc(1, sizeof(char *));
	struct err e = { 0 };
	int ch, all = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "af", lo, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else if (ch != 'f')
			return cli_usage_err("image prune", "invalid option");
	}
	if (cli_open(c) < 0)
		return EXIT_ENGINE;
	if (engine_image_prune(&c->en, all, &out, &e) < 0)
		return cli_report(&e);
	for (size_t k = 0; out[k]; k++)
		if (!strncmp(out[k], "Deleted: ", 9))
			puts(out[k] + 9);
	return 0;
}

int cli_cmd_image(struct cli *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		return cmd_images(c, "image ls", argc - 1, argv + 1);
	if (!strcmp(sub, "inspect"))
		return cmd_inspect(c, argc - 1, argv + 1);
	if (!strcmp(sub, "rm"))
		return cmd_rm(c, "image rm", argc - 1, argv + 1);
	if (!strcmp(sub, "prune"))
		return cmd_prune(c, argc - 1, argv + 1);
	if (!strcmp(sub, "tag"))
		return cmd_tag(c, "image tag", argc - 1, argv + 1, 0);
	if (!strcmp(sub, "untag"))
		return cmd_tag(c, "image untag", argc - 1, argv + 1, 1);
	if (!strcmp(sub, "load"))
		return cli_cmd_load(c, argc - 1, argv + 1);
	if (!strcmp(sub, "import"))
		return cli_cmd_import(c, argc - 1, argv + 1);
	if (!strcmp(sub, "save"))
		return cli_cmd_save(c, argc - 1, argv + 1);
	if (!strcmp(sub, "history"))
		return cli_cmd_history(c, argc - 1, argv + 1);
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		puts("usage: nook image ls|inspect|rm|prune|tag|untag|load|import|save|history "
		     "...");
		return 0;
	}
	return cli_usage_err("image",
			     "unknown subcommand \"%s\" (ls, inspect, rm, prune, tag, "
			     "untag, load)",
			     sub);
}
